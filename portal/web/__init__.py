"""The web layer: the only package that imports Flask. Wires login, blueprints, errors, template helpers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, Response, redirect, request, url_for
from flask_login import current_user

from portal.config import password_policy as _password_policy
from portal.domain import glossary
from portal.domain.identity import mask_id_number, mask_mobile
from portal.domain.passwords import PasswordPolicy
from portal.extensions import db, login_manager
from portal.services.auth import LoginPolicy, load_session, must_change_password
from portal.services.notifications import unread_count
from portal.web.compression import register_compression
from portal.web.context import SessionUser, current_membership, memberships, now, stand_ins
from portal.web.errors import register_error_handlers
from portal.web.htmx import hx_redirect, is_htmx
from portal.web.security import register_security

SHANGHAI = ZoneInfo("Asia/Shanghai")


def login_policy(app: Flask) -> LoginPolicy:
    from datetime import timedelta

    return LoginPolicy(
        attempts=app.config["PORTAL_LOCKOUT_ATTEMPTS"],
        lockout=timedelta(minutes=app.config["PORTAL_LOCKOUT_MINUTES"]),
        idle=timedelta(minutes=app.config["PORTAL_IDLE_MINUTES"]),
        absolute=timedelta(hours=app.config["PORTAL_ABSOLUTE_HOURS"]),
    )


def password_policy(app: Flask) -> PasswordPolicy:
    """The configured policy, built once (create_app builds it first, so a bad setting stops the start)."""
    policy = app.extensions.get("portal_password_policy")
    if policy is None:
        policy = app.extensions["portal_password_policy"] = _password_policy(dict(app.config))
    return policy  # type: ignore[no-any-return]


def _cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


def _cn_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _setup_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session row is the protection

    @login_manager.user_loader
    def _load(token: str) -> SessionUser | None:
        row = load_session(db.session, token, now(), login_policy(app))
        if row is None:
            db.session.commit()  # an expired row was deleted
            return None
        return SessionUser(row.user, token)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Response:
        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if is_htmx():
            return hx_redirect(target)
        return redirect(target)  # type: ignore[return-value]

    @app.before_request
    def _force_password_change() -> Response | None:
        # First login, or a password past the policy's maximum age (等保 periodic change): nothing but
        # the change itself (and logging out) until a new password is set.
        if not current_user.is_authenticated:
            return None
        if must_change_password(current_user.user, now(), password_policy(app)) is None:
            return None
        if request.endpoint in {"auth.change_password", "auth.logout", "static"}:
            return None
        target = url_for("auth.change_password")
        return hx_redirect(target) if is_htmx() else redirect(target)  # type: ignore[return-value]


def _register_macros(app: Flask) -> None:
    """Macros as globals, so a block rendered alone (an htmx fragment) sees them without an import."""
    from jinja2.runtime import Macro

    for path in ("macros/forms.html", "macros/ui.html"):
        module = app.jinja_env.get_template(path).module
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, Macro):
                app.jinja_env.globals["timeline_list" if name == "timeline" else name] = value


def register_web(app: Flask) -> None:
    from portal.web.spooling import StagingRequest

    app.request_class = StagingRequest  # uploads staged beside the file store, hashed as they arrive
    from portal.web.admin import audit as _admin_audit  # noqa: F401  (routes on admin_bp)
    from portal.web.admin import calendar as _admin_calendar  # noqa: F401  (routes on admin_bp)
    from portal.web.admin import policy as _admin_policy  # noqa: F401  (routes on admin_bp)
    from portal.web.admin.views import bp as admin_bp
    from portal.web.applicant import materials as _applicant_materials  # noqa: F401  (routes on applicant_bp)
    from portal.web.applicant.views import bp as applicant_bp
    from portal.web.auth.views import bp as auth_bp
    from portal.web.certificates.views import bp as certificates_bp
    from portal.web.enterprise import accounts as _enterprise_accounts  # noqa: F401  (routes on enterprise_bp)
    from portal.web.enterprise import dossier as _enterprise_dossier  # noqa: F401  (routes on enterprise_bp)
    from portal.web.enterprise import uploads as _enterprise_uploads  # noqa: F401
    from portal.web.enterprise.views import bp as enterprise_bp
    from portal.web.files.views import bp as files_bp
    from portal.web.inbox.views import bp as inbox_bp
    from portal.web.notices.views import bp as notices_bp
    from portal.web.packages.views import bp as packages_bp
    from portal.web.public.views import bp as public_bp
    from portal.web.review import materials as _review_materials  # noqa: F401  (routes on review_bp)
    from portal.web.review import paper as _review_paper  # noqa: F401  (routes on review_bp)
    from portal.web.review.views import bp as review_bp
    from portal.web.styleguide import bp as styleguide_bp

    password_policy(app)  # fail at start on a bad PORTAL_PASSWORD_* setting, naming it
    _setup_login(app)
    register_security(app)
    register_compression(app)
    register_error_handlers(app)
    for blueprint in (
        auth_bp,
        enterprise_bp,
        notices_bp,
        applicant_bp,
        review_bp,
        admin_bp,
        public_bp,
        inbox_bp,
        certificates_bp,
        files_bp,
        styleguide_bp,
        packages_bp,
    ):
        app.register_blueprint(blueprint)

    app.jinja_env.filters.update(
        cn_date=_cn_date, cn_datetime=_cn_datetime, mask_id=mask_id_number, mask_phone=mask_mobile, zip=zip
    )
    app.jinja_env.globals.update(
        current_membership=current_membership,
        memberships=memberships,
        stand_ins=stand_ins,
        status_words=glossary.status_words,
        term=glossary.term,
    )
    _register_macros(app)

    @app.context_processor
    def _unread() -> dict[str, object]:
        def unread() -> int:
            if not current_user.is_authenticated:
                return 0
            return unread_count(db.session, current_user.user.id)

        return {"unread_count": unread}

    @app.context_processor
    def _htmx_src() -> dict[str, str]:
        return {
            "htmx_src": app.config.get("PORTAL_HTMX_URL")
            or url_for("static", filename="vendor/htmx-2.0.11.min.js")
        }
