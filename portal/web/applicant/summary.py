"""The applicant's English summary (issue 24): their own application's status, route, open correction and
timeline, as a page and as a PDF to download or print — always in English, whatever the interface
language, for an applicant who reads English (the Hong Kong, Macao, Taiwan and foreign professionals that
notices 002 and 003 admit). What people wrote (names, units, opinions) stays as written, marked Chinese.

It is a summary for the applicant, not a document for an authority: the 申报表, the notice sheet, the
certificate and the bureau's papers stay Chinese.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template
from flask_babel import force_locale

from portal.documents.rendering import pdf_from_html
from portal.domain.i18n import Language
from portal.extensions import db
from portal.services import applications as service
from portal.services import corrections, staffing
from portal.services.progress import route_view
from portal.services.scope import get_application
from portal.web.applicant import bp
from portal.web.context import current_actor, now
from portal.web.downloads import send_bytes
from portal.web.guards import applicant_required
from portal.web.htmx import render_page


def _summary(application_id: int) -> dict[str, Any]:
    actor = current_actor(as_applicant=True)
    application = get_application(db.session, actor, application_id)
    timeline = service.timeline(db.session, actor, application.id)
    correction = corrections.open_correction(db.session, application.id)
    return {
        "application": application,
        # The line her progress shows where her unit cannot complete its step without her (same decision).
        "route": route_view(
            application, timeline, blocked=staffing.applicant_words(db.session, application, now())
        ),
        "timeline": timeline,
        "correction": correction,
        "deadline": corrections.deadline_view(db.session, correction, now()) if correction else None,
        "section_titles": corrections.item_titles(db.session, application) if correction else {},
        "made_at": now(),
    }


@bp.get("/applications/<int:application_id>/summary")
@applicant_required
def show_summary(application_id: int) -> Response:
    """The summary as a page, in English."""
    with force_locale(Language.EN.value):
        return render_page("pages/applicant/show_summary.html", **_summary(application_id))


@bp.get("/applications/<int:application_id>/summary.pdf")
@applicant_required
def download_summary(application_id: int) -> Response:
    """The same summary as an A4 PDF, in English."""
    context = _summary(application_id)
    with force_locale(Language.EN.value):
        html = render_template("documents/summary.html", **context)
    return send_bytes(pdf_from_html(html), f"application-{application_id}-summary.pdf", "application/pdf")
