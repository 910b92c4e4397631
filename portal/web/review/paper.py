"""Recording the paper dossier's receipt and the originals check (纸质材料报送, MAT-15) on the review page."""

from __future__ import annotations

from flask import Response, request, url_for

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_
from portal.extensions import db
from portal.services import paper
from portal.services.scope import get_application
from portal.web import steps
from portal.web.context import current_actor, now
from portal.web.guards import staff_required
from portal.web.htmx import hx_trigger, render_page, see_other, wants_fragment
from portal.web.i18n import notify
from portal.web.review import bp
from portal.web.review.views import _review_page


def _fragment(
    application_id: int, *, errors: dict[str, str], form: dict[str, object], notice: str, status: int
) -> Response:
    actor = current_actor()
    application = get_application(db.session, actor, application_id)
    return render_page(
        "pages/review/show_application.html",
        fragment="paper",
        status=status,
        application=application,
        paper_view=paper.paper_view(db.session, actor, application, now()),
        paper_errors=errors,
        paper_form=form,
        paper_notice=notice,
    )


@bp.post("/applications/<int:application_id>/paper")
@staff_required()
def record_paper_item(application_id: int) -> Response:
    """One item of the paper checklist: received, originals checked, remark (audited)."""
    data = paper.ItemInput(
        item_id=request.form.get("item", ""),
        received=request.form.get("received") == "1",
        originals_checked=request.form.get("originals_checked") == "1",
        remark=request.form.get("remark", ""),
    )
    try:
        paper.record_item(db.session, current_actor(), application_id, data, now())
    except ValidationFailed as invalid:
        # What was typed comes back into the item's row, with the message next to it.
        form = {
            **request.form.to_dict(),
            "received": data.received,
            "originals_checked": data.originals_checked,
        }
        if wants_fragment():
            return _fragment(application_id, errors=invalid.fields, form=form, notice="", status=422)
        return _review_page(application_id, status=422, paper_errors=invalid.fields, paper_form=form)
    except DomainError as refused:
        return steps.refused(url_for("review.show_application", application_id=application_id), refused)
    if wants_fragment():
        response = _fragment(application_id, errors={}, form={}, notice=N_("已保存纸质材料登记"), status=200)
        return hx_trigger(response, "application-changed")
    notify(N_("已保存纸质材料登记"), "success")
    return see_other(
        url_for("review.show_application", application_id=application_id, _anchor="paper-followup")
    )
