"""The account's e-mail page (issue 21 point 6): add or change the address, send its verification again
(rate-limited), choose the notices it gets, remove it; and the signed link that verifies it.

The link's GET only checks the token and shows a button (a GET writes nothing, and a mail scanner that
opens links verifies nothing); the button's POST verifies. The link works logged out: whoever holds it
received it at the address. E-mails leave through the queue once the change is committed.
"""

from __future__ import annotations

from flask import Response, current_app, request, url_for
from flask_login import current_user, login_required

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_
from portal.domain.mail import EmailTopic
from portal.extensions import db, limiter
from portal.models import User
from portal.services import email_addresses as service
from portal.web import context
from portal.web.auth import bp
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.unit_of_work import after_commit, discard


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _verification_link(token: str) -> str:
    """The absolute link of the verification page: PORTAL_BASE_URL when set, else this request's host
    (which TRUSTED_HOSTS limits in production, so a forged Host header cannot put its own site in it)."""
    base = str(current_app.config.get("PORTAL_BASE_URL") or "").rstrip("/")
    path = url_for("auth.verify_email", token=token)
    return f"{base}{path}" if base else url_for("auth.verify_email", token=token, _external=True)


def _send_verification(user: User) -> None:
    """Queue the verification e-mail of the user's address once this request's change is committed."""
    from portal.jobs.tasks import send_verification_email

    link = _verification_link(service.verification_token(_secret(), user, context.now()))
    user_id, address = user.id, user.email or ""
    after_commit(lambda: send_verification_email(user_id, address, link))


def resend_limit() -> str:
    return str(current_app.config.get("PORTAL_EMAIL_RESEND_LIMIT") or "3 per hour")


def _per_account() -> str:
    """The resend button is limited per account and address (one person, whatever network they are on)."""
    return f"email-resend:{context.current_account().id}:{context.current_account().email}"


def _page(
    errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    user = context.current_account()
    return render_page(
        "pages/auth/email.html",
        status=status,
        state=service.state_of(db.session, user),
        topics=list(EmailTopic),
        errors=errors or {},
        form=form or {},
        mail_configured=bool(current_app.config.get("PORTAL_SMTP_HOST")),
    )


@bp.get("/account/email")
@login_required
def email_settings() -> Response:
    return _page()


@bp.post("/account/email")
@login_required
def change_email() -> Response:
    user = context.current_account()
    value = request.form.get("email", "")
    try:
        changed = service.set_address(db.session, user, value, context.current_actor(), context.now())
    except ValidationFailed as invalid:
        return _page(invalid.fields, {"email": value}, status=422)
    if changed:
        _send_verification(user)
        notify(
            N_("邮箱地址已保存。验证邮件已发出，请打开邮件中的链接完成验证；验证前不会向此地址发送通知。"),
            "success",
        )
    else:
        notify(N_("邮箱地址未改变"), "info")
    return see_other(url_for("auth.email_settings"))


@bp.post("/account/email/resend")
@login_required
@limiter.limit(resend_limit, key_func=_per_account)
def resend_verification() -> Response:
    user = context.current_account()
    if not user.email or user.email_verified_at is not None:
        notify(N_("没有待验证的邮箱地址"), "info")
        return see_other(url_for("auth.email_settings"))
    _send_verification(user)
    notify(N_("验证邮件已重新发送，请查收（也请查看垃圾邮件箱）"), "success")
    return see_other(url_for("auth.email_settings"))


@bp.post("/account/email/notices")
@login_required
def choose_email_notices() -> Response:
    chosen = set(request.form.getlist("topics"))
    topics = {topic for topic in EmailTopic if topic.value in chosen}
    service.set_topics(db.session, context.current_account(), topics)
    notify(N_("通知邮件设置已保存"), "success")
    return see_other(url_for("auth.email_settings"))


@bp.post("/account/email/remove")
@login_required
def remove_email() -> Response:
    service.remove_address(db.session, context.current_account(), context.current_actor(), context.now())
    notify(N_("邮箱地址已删除，今后不再发送通知邮件（站内消息照常）"), "success")
    return see_other(url_for("auth.email_settings"))


@bp.get("/account/email/verify/<token>")
def verify_email(token: str) -> Response:
    """The link of the verification e-mail: says whether it can verify, and offers the button."""
    problem = ""
    user = None
    try:
        user = service.check_token(db.session, _secret(), token, context.now())
    except DomainError as refused:
        problem = refused.message
    return render_page(
        "pages/auth/verify_email.html",
        status=400 if problem else 200,
        problem=problem,
        address=user.email if user else "",
        token=token,
    )


@bp.post("/account/email/verify/<token>")
def confirm_email(token: str) -> Response:
    try:
        # Audited as the address's owner, whoever's browser opened the link.
        service.verify(db.session, _secret(), token, context.now(), None)
    except DomainError as refused:
        response = render_page(
            "pages/auth/verify_email.html", status=400, problem=refused.message, address="", token=token
        )
        return discard(response)
    notify(N_("邮箱地址已验证，今后将按您的设置发送通知邮件"), "success")
    if current_user.is_authenticated:
        return see_other(url_for("auth.email_settings"))
    return see_other(url_for("auth.login"))
