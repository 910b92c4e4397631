"""Public pages (no login): a notice as posted on the office wall, and objections to it."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, request, url_for

from portal.domain.errors import DomainError, NotFound, ValidationFailed
from portal.extensions import db, limiter
from portal.services import certificates
from portal.services import notices as service
from portal.web.certificates.views import verify_key
from portal.web.context import now
from portal.web.forms import form_input
from portal.web.htmx import render_page, see_other
from portal.web.notice_documents import qr_svg
from portal.web.storage import acceptance_limits, storage, uploaded_file

bp = Blueprint("public", __name__, url_prefix="/public")


def _page(
    token: str,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    message: str = "",
    fragment: str | None = None,
) -> Response:
    notice = service.public_notice(db.session, token)
    if service.close_if_due(db.session, notice, now()):
        db.session.commit()
    header, rows = service.sheet(notice)
    entries = [e for e in notice.entries if e.outcome != "removed"]
    return render_page(
        "pages/public/show_notice.html",
        fragment=fragment,
        status=status,
        notice=notice,
        header=header,
        rows=rows,
        entries=entries,
        errors=errors or {},
        form=form or {},
        message=message,
        clock=service.notice_clock(db.session, notice, now()),
        running=service.is_running(notice, now()),
    )


@bp.get("/notices/<token>")
def show_notice(token: str) -> Response:
    response = _page(token)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is the notice's only key
    return response


@bp.post("/notices/<token>/objections")
@limiter.limit(lambda: str(current_app.config["PORTAL_LOGIN_RATE_LIMIT"]))
def file_objection(token: str) -> Response:
    upload = uploaded_file("attachment")
    try:
        service.file_objection(
            db.session,
            storage(),
            token,
            form_input(service.ObjectionInput),
            now(),
            ip=request.remote_addr or "",
            attachment=upload.data if upload else None,
            attachment_name=upload.name if upload else "",
            attachment_type=None,
            limits=acceptance_limits(service.MAX_ATTACHMENT_BYTES),
        )
    except ValidationFailed as invalid:
        db.session.rollback()
        return _page(
            token, errors=invalid.fields, form=request.form.to_dict(), status=422, fragment="objection"
        )
    except NotFound:
        db.session.rollback()  # another tenant's id reads exactly like a missing one: 404
        raise
    except DomainError as refused:
        db.session.rollback()
        return _page(
            token, form=request.form.to_dict(), status=422, message=refused.message, fragment="objection"
        )
    db.session.commit()
    flash("您的异议已提交，单位将核查处理。感谢您的监督。", "success")
    return see_other(url_for("public.show_notice", token=token))


@bp.get("/notices/<token>/qr.svg")
def notice_qr(token: str) -> Response:
    service.public_notice(db.session, token)
    return qr_svg(url_for("public.show_notice", token=token, _external=True))


@bp.get("/certificates/<number>/<code>")
def verify_certificate(number: str, code: str) -> Response:
    """Where the certificate's QR code leads: confirms it, says it was revoked, or that it does not exist."""
    result = certificates.verify(
        db.session, number, now(), secret=verify_key(), code=code, via="qr", ip=request.remote_addr or ""
    )
    db.session.commit()
    return render_page("pages/public/verify_certificate.html", result=result, asked=True, form={})


@bp.get("/certificates")
def check_certificate() -> Response:
    """Checking by hand: the certificate number and the holder's full name."""
    number, name = request.args.get("number", "").strip(), request.args.get("name", "").strip()
    if not number and not name:
        return render_page("pages/public/verify_certificate.html", result=None, asked=False, form={})
    if not number or not name:
        return render_page(
            "pages/public/verify_certificate.html",
            result=None,
            asked=False,
            status=422,
            form=request.args,
            error="请同时填写证书编号和持证人姓名",
        )
    result = certificates.verify(
        db.session, number, now(), secret=verify_key(), name=name, via="form", ip=request.remote_addr or ""
    )
    db.session.commit()
    return render_page("pages/public/verify_certificate.html", result=result, asked=True, form=request.args)
