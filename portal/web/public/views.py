"""Public pages (no login): a notice as posted on the office wall, and objections to it."""

from __future__ import annotations

from flask import Response, current_app, request, url_for

from portal import jobs
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_
from portal.extensions import db, limiter
from portal.services import access, certificates, submissions
from portal.services import notices as service
from portal.web.context import now
from portal.web.forms import form_input
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.notice_documents import qr_svg
from portal.web.once import once_per_form
from portal.web.public import bp
from portal.web.storage import acceptance_limits, storage, uploaded_file
from portal.web.unit_of_work import discard


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
    if not service.is_public(db.session, notice, now()):
        # Past the period and the days after it: only that it has ended (no names, IDs or summaries).
        return render_page(
            "pages/public/show_notice.html",
            fragment=fragment,
            status=410,
            notice=notice,
            ended=True,
            unit=notice.org.name,
            period=service.period_message(notice.first_day, notice.last_day, notice.days),
        )
    header, rows = service.sheet(db.session, notice)
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
        ended=False,
    )


@bp.get("/notices/<token>")
def show_notice(token: str) -> Response:
    response = _page(token)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is the notice's only key
    response.headers["X-Robots-Tag"] = "noindex, nofollow"  # names belong on the notice, not in search
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
        return _page(
            token, errors=invalid.fields, form=request.form.to_dict(), status=422, fragment="objection"
        )
    except submissions.AlreadySubmitted:
        # A double click or a replay: the first one was filed; answer as it did, writing nothing more.
        notify(N_("您的异议已提交，单位将核查处理。感谢您的监督。"), "success")
        return discard(see_other(url_for("public.show_notice", token=token)))
    except DomainError as refused:
        return _page(
            token, form=request.form.to_dict(), status=422, message=refused.message, fragment="objection"
        )
    notify(N_("您的异议已提交，单位将核查处理。感谢您的监督。"), "success")
    return see_other(url_for("public.show_notice", token=token))


@bp.get("/notices/<token>/qr.svg")
def notice_qr(token: str) -> Response:
    service.public_notice(db.session, token)
    return qr_svg(url_for("public.show_notice", token=token, _external=True))


def _public_rate_limit() -> str:
    """Per address, like the login (PORTAL_LOGIN_RATE_LIMIT): guessing numbers, codes or names is slow."""
    return str(current_app.config["PORTAL_LOGIN_RATE_LIMIT"])


# One budget for both ways of checking, so switching between them gains a guesser nothing; opening the
# empty form asks nothing and costs nothing.
_certificate_checks = limiter.shared_limit(
    _public_rate_limit,
    scope="certificate-check",
    exempt_when=lambda: request.method == "GET" and not request.view_args,
)


@bp.get("/certificates/<number>/<code>")
@_certificate_checks
def verify_certificate(number: str, code: str) -> Response:
    """Where the certificate's QR code leads: confirms it, says it was revoked, or that it does not exist.
    A scan is a GET: the check is logged for the holder by the worker (no GET writes to the database)."""
    moment, ip = now(), request.remote_addr or ""
    result = certificates.verify(db.session, number, moment, code=code, via="qr", ip=ip, record=False)
    jobs.record_access(access.lookup_fields(result.application_id, result.number, "qr", ip, moment))
    return render_page("pages/public/verify_certificate.html", result=result, asked=True, form={}, via="qr")


@bp.get("/certificates")
def show_certificate_check() -> Response:
    """The form for checking by hand (asks nothing: not counted against the checks' budget)."""
    return render_page("pages/public/verify_certificate.html", result=None, asked=False, form={})


@bp.post("/certificates")
@_certificate_checks
@once_per_form(lambda: url_for("public.show_certificate_check"))
def check_certificate() -> Response:
    """Checking by hand: the certificate number and the holder's full name (a POST: the name stays out of
    URLs and logs, and the check is logged in the same transaction)."""
    number, name = request.form.get("number", "").strip(), request.form.get("name", "").strip()
    if not number or not name:
        return render_page(
            "pages/public/verify_certificate.html",
            result=None,
            asked=False,
            status=422,
            form=request.form,
            error=N_("请同时填写证书编号和持证人姓名"),
        )
    result = certificates.verify(
        db.session, number, now(), name=name, via="form", ip=request.remote_addr or ""
    )
    return render_page(
        "pages/public/verify_certificate.html", result=result, asked=True, form=request.form, via="form"
    )
