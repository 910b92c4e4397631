"""The committees' published calls (评审通知, issue 22.8; 004 一(三)): anyone, without logging in, reads
every call a committee office published once its filing with the bureau was accepted. Nothing else is
shown: a draft, a filing or a refused one reads as missing (404)."""

from __future__ import annotations

from flask import Response

from portal.extensions import db
from portal.services import calls as service
from portal.web.htmx import render_page
from portal.web.public import bp


@bp.get("/calls")
def list_calls() -> Response:
    return render_page("pages/public/list_calls.html", calls=service.published_calls(db.session))


@bp.get("/calls/<int:published_call_id>")
def show_call(published_call_id: int) -> Response:
    # A published call is public to everyone (its own parameter name: it names no tenant's object).
    call = service.published_call(db.session, published_call_id)
    return render_page("pages/public/show_call.html", call=call)
