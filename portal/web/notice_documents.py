"""Notice documents shared by several blueprints: the result sheet PDF and QR codes for public pages."""

from __future__ import annotations

import segno
from flask import Response

from portal.extensions import db
from portal.models import Notice
from portal.services.packages import result_sheet_pdf
from portal.web.downloads import send_bytes
from portal.web.storage import storage


def result_pdf_response(notice: Notice) -> Response:
    pdf = result_sheet_pdf(db.session, storage(), notice)
    return send_bytes(pdf, f"公示结果-{notice.id}.pdf", "application/pdf")


def qr_svg(url: str) -> Response:
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
