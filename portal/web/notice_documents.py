"""Notice documents shared by several blueprints: an application's notice panel, the result sheet PDF and
QR codes for public pages."""

from __future__ import annotations

import segno
from flask import Response, url_for

from portal.extensions import db
from portal.models import Notice
from portal.services import notices as service
from portal.services.actors import Actor
from portal.services.packages import result_sheet_pdf
from portal.web.context import now
from portal.web.downloads import send_bytes
from portal.web.storage import storage


def notice_context(actor: Actor, application_id: int, result_endpoint: str) -> dict[str, object]:
    """The notice an application is (or was) in (read only: the scheduled job closes it), with the
    countdown and the link to the result sheet at `result_endpoint` of the caller's blueprint."""
    notice = service.notice_of_application(db.session, actor, application_id)
    if notice is None:
        return {"notice": None}
    return {
        "notice": notice,
        "notice_clock": service.notice_clock(db.session, notice, now()),
        "result_url": url_for(result_endpoint, application_id=application_id),
    }


def result_pdf_response(notice: Notice) -> Response:
    pdf = result_sheet_pdf(db.session, storage(), notice)
    return send_bytes(pdf, f"公示结果-{notice.id}.pdf", "application/pdf")


def qr_svg(url: str) -> Response:
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
