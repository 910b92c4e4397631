"""Applicants' own registration where the bureau's profile allows it (ACC-04, Kunming 004 一(二)), and the
page a registered account sees until the unit's HR attach it.

The registration page is public, like the login: CSRF-protected, its POST limited per address as the
login's is, and a bureau that does not allow it (or is no bureau) answers 404. Everything it decides is
portal.services.registration's.
"""

from __future__ import annotations

from flask import Response, current_app, g, request, url_for
from flask_login import login_required

from portal.domain.accounts import SELF_REGISTRATION_DOCUMENTS, RegistrationDraft
from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_
from portal.domain.identity import DocumentType
from portal.domain.passwords import describe
from portal.extensions import db, limiter
from portal.models import Organisation
from portal.services import registration as service
from portal.web import context
from portal.web.auth import bp
from portal.web.auth.views import login_rate_limit
from portal.web.forms import form_input
from portal.web.htmx import redirect_to, render_page, see_other
from portal.web.i18n import notify

DOCUMENT_CHOICES = [(kind.value, kind.title) for kind in SELF_REGISTRATION_DOCUMENTS]


def _page(
    bureau: Organisation,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    from portal.web import password_policy

    return render_page(
        "pages/auth/register.html",
        status=status,
        bureau=bureau,
        errors=errors or {},
        form=form or {"document_type": DocumentType.RESIDENT_ID.value},
        document_types=DOCUMENT_CHOICES,
        rules=describe(password_policy(current_app), first=True),
    )


@bp.route("/register/<int:bureau_id>", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def register(bureau_id: int) -> Response:
    """GET: the form; POST: the account, then the login page (the person logs in with what they chose)."""
    from portal.web import password_policy

    bureau = service.registration_bureau(db.session, bureau_id)  # 404 where the profile does not allow it
    if request.method == "GET":
        return _page(bureau)
    typed = {key: request.form.get(key, "") for key in ("name", "document_type", "id_number", "phone")}
    data = service.Registration(
        form_input(RegistrationDraft), request.form.get("password", ""), request.form.get("confirm", "")
    )
    try:
        service.register(
            db.session,
            bureau.id,
            data,
            context.now(),
            password_policy(current_app),
            ip=request.remote_addr or "",
            request_id=g.get("request_id", ""),
        )
    except ValidationFailed as invalid:
        return _page(bureau, invalid.fields, typed, status=422)
    notify(N_("注册成功，请用手机号或证件号码和刚设置的密码登录"), "success")
    return see_other(url_for("auth.login"))


@bp.get("/account/employer")
@login_required
def awaiting_employer() -> Response:
    """A self-registered account with no employer yet: what that means and what to do (ACC-04)."""
    account = context.current_account()
    if not account.awaits_employer:
        return redirect_to(url_for("auth.home"))
    return render_page(
        "pages/auth/awaiting_employer.html",
        account=account,
        bureau=service.registered_with(db.session, account),
    )
