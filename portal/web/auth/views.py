"""Login, logout, password change, the home page that sends each role to its work, and role switching."""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, g, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.domain import passwords
from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_
from portal.extensions import db, limiter
from portal.models import OrgKind, StaffRole
from portal.services import auth, registration, votes
from portal.web import context
from portal.web.auth import bp
from portal.web.htmx import redirect_to, render_page, see_other
from portal.web.i18n import notify
from portal.web.redirects import referrer_target, safe_target
from portal.web.unit_of_work import keep


@bp.get("/")
def home() -> Response:
    if not current_user.is_authenticated:
        return redirect_to(url_for("auth.login"))
    membership = context.current_membership()
    if membership is not None:
        if membership.role == StaffRole.ADMIN.value and membership.org.kind == OrgKind.BUREAU.value:
            return redirect_to(url_for("admin.list_organisations"))
        if membership.role == StaffRole.ADMIN.value:  # an enterprise's or a department's admin: its staff
            return redirect_to(url_for("admin.show_organisation", org_id=membership.org_id))
        if membership.org.kind == OrgKind.ENTERPRISE.value and membership.role == StaffRole.HANDLER.value:
            return redirect_to(url_for("enterprise.list_applicants"))
        return redirect_to(url_for("review.show_queue"))
    account = context.current_account()
    if account.employer_id is None and votes.is_expert(db.session, account.id):
        return redirect_to(url_for("committees.my_panels"))  # an expert's own account (issue 22.5)
    if account.awaits_employer:  # registered themselves, no unit has attached them yet (ACC-04)
        return redirect_to(url_for("auth.awaiting_employer"))
    return redirect_to(url_for("applicant.list_applications"))


def login_rate_limit() -> str:
    """Per IP, on top of the per-account lockout: slows guessing across many accounts (T-AUTH-01)."""
    return str(current_app.config["PORTAL_LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login() -> Response:
    from portal.web import login_policy, password_policy

    error = ""
    login_value = ""
    failed_attempt = False
    # Where to go after logging in: only ever a page of this site (portal/web/redirects.py).
    next_target = safe_target(request.args.get("next"), "") or None
    if request.method == "POST":
        login_value = request.form.get("login", "").strip()
        password = request.form.get("password", "")
        if not login_value or not password:
            error = _("请输入手机号或证件号码，以及密码")
        else:
            try:
                user = auth.authenticate(
                    db.session,
                    login_value,
                    password,
                    context.now(),
                    login_policy(current_app),
                    ip=request.remote_addr or "",
                    request_id=g.get("request_id", ""),
                )
            except auth.LoginFailed as failed:
                error = failed.message
                failed_attempt = True
            else:
                if current_user.is_authenticated:
                    # A login from a browser that holds a session replaces it: a repeated login (the form
                    # posted twice, or Back and log in again) leaves one live session, not two.
                    auth.end_session(db.session, current_user.token, context.now(), context.current_actor())
                token = auth.start_session(db.session, user, context.now(), ip=request.remote_addr or "")
                session.clear()  # a fresh session at login: nothing carried over from before
                login_user(context.SessionUser(user, token))
                target = next_target or url_for("auth.home")
                if auth.must_change_password(user, context.now(), password_policy(current_app)):
                    target = url_for("auth.change_password")
                return see_other(target)
    response = render_page(
        "pages/auth/login.html",
        status=422 if error else 200,
        error=error,
        login_value=login_value,
        next_target=next_target,
        # Where a bureau's profile lets applicants register themselves (ACC-04), its registration page.
        registration_bureaus=registration.registration_bureaus(db.session),
    )
    # A failed attempt is refused, but its count (the lockout) and its audit event are kept.
    return keep(response) if failed_attempt else response


@bp.post("/logout")
@login_required
def logout() -> Response:
    auth.end_session(db.session, current_user.token, context.now(), context.current_actor())
    logout_user()
    session.clear()
    notify(N_("您已安全退出"), "info")
    return see_other(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response:
    from portal.web import password_policy

    policy = password_policy(current_app)
    errors: dict[str, str] = {}
    if request.method == "POST":
        user = context.current_account()
        try:
            auth.change_password(
                db.session,
                user,
                request.form.get("current", ""),
                request.form.get("new", ""),
                request.form.get("confirm", ""),
                context.now(),
                context.current_actor(),
                policy,
            )
        except ValidationFailed as invalid:
            errors = invalid.fields
        else:
            # Every session was ended; start a fresh one for this browser.
            token = auth.start_session(db.session, user, context.now(), ip=request.remote_addr or "")
            session.clear()
            login_user(context.SessionUser(user, token))
            notify(N_("密码已修改"), "success")
            return see_other(url_for("auth.home"))
    return render_page(
        "pages/auth/change_password.html",
        status=422 if errors else 200,
        errors=errors,
        forced=auth.must_change_password(context.current_account(), context.now(), policy),
        rules=passwords.describe(policy),
        max_age_days=policy.max_age_days,
    )


@bp.post("/switch-role")
@login_required
def switch_role() -> Response:
    wanted = request.form.get("membership_id", "")
    if wanted == "0":
        session["membership_id"] = 0  # act as applicant
    elif wanted.startswith("standin:") and any(f"standin:{s.id}" == wanted for s in context.stand_ins()):
        session["membership_id"] = wanted
    elif wanted.isascii() and wanted.isdigit() and any(m.id == int(wanted) for m in context.memberships()):
        session["membership_id"] = int(wanted)
    return see_other(url_for("auth.home"))


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Pages name the icon with <link rel="icon">; a browser also asks the root for it (a PDF tab, a
    bookmark): the same small file, read once per process and cached by the browser for a day."""
    if not _FAVICON:
        _FAVICON.append((Path(current_app.static_folder or "") / "favicon.ico").read_bytes())
    response = Response(_FAVICON[0], mimetype="image/vnd.microsoft.icon")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


_FAVICON: list[bytes] = []


@bp.post("/language")
def set_language() -> Response:
    """The switcher on every page (issue 24): remembered in a cookie for everyone (the login page keeps
    it after logout) and on the user when logged in; back to the page it was posted from."""
    from portal.web import i18n

    back = safe_target(request.form.get("back"), referrer_target(url_for("auth.home")))
    try:
        language = i18n.Language(request.form.get("language", ""))
    except ValueError:
        return see_other(back)  # a value no switcher sends: nothing changes
    if current_user.is_authenticated:
        auth.set_language(db.session, context.current_account(), language.value)
    response = see_other(back)
    i18n.set_cookie(response, language)
    return response
