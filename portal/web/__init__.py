"""The web layer: the only package that imports Flask. Wires login, blueprints, errors, template helpers."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from flask import Flask, Response, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from portal.config import password_policy as _password_policy
from portal.domain import form as form_schema
from portal.domain.identity import mask_id_number, mask_mobile
from portal.domain.materials import PLEDGE_TEXT
from portal.domain.passwords import PasswordPolicy
from portal.domain.text import LIMITS as TEXT_LIMITS
from portal.domain.text import split_rule_ids
from portal.extensions import db, login_manager
from portal.services.auth import LoginPolicy, load_session, must_change_password
from portal.services.navigation import committee_menu, reports_year_end, takes_registrations
from portal.services.notifications import unread_count
from portal.services.submissions import new_token as new_form_token
from portal.web.charts import fit_label
from portal.web.compression import register_compression
from portal.web.context import SessionUser, current_membership, memberships, now, stand_ins
from portal.web.converters import register_converters
from portal.web.errors import register_error_handlers
from portal.web.htmx import hx_redirect, is_htmx, redirect_to
from portal.web.i18n import register_i18n
from portal.web.poll_shortcut import RESIGN_SECONDS, SEEN
from portal.web.poll_shortcut import install as install_poll_shortcut
from portal.web.queue_rows import queue_rows
from portal.web.redirects import login_next
from portal.web.security import register_security
from portal.web.unit_of_work import register_unit_of_work
from portal.web.warm import WARM_UP, warm_up

NEXT_MAX = 512  # the longest path a login redirect carries back


def login_policy(app: Flask) -> LoginPolicy:
    return LoginPolicy.from_config(app.config)


def password_policy(app: Flask) -> PasswordPolicy:
    """The configured policy, built once (create_app builds it first, so a bad setting stops the start)."""
    policy = app.extensions.get("portal_password_policy")
    if policy is None:
        policy = app.extensions["portal_password_policy"] = _password_policy(dict(app.config))
    return policy  # type: ignore[no-any-return]


def _setup_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "info"
    login_manager.localize_callback = gettext  # "请先登录" in the visitor's language
    login_manager.session_protection = None  # the server-side session row is the protection

    @login_manager.user_loader
    def _load(token: str) -> SessionUser | None:
        moment = now()
        row = load_session(db.session, token, moment, login_policy(app), seen=_seen())
        if row is None:
            return None
        # The idle clock moves in the signed cookie, not in the database: no request writes to check
        # its login. Re-signed at most once a minute, so polls do not rewrite the cookie every time.
        if session.get(SEEN) is None or moment.timestamp() - float(session[SEEN]) >= RESIGN_SECONDS:
            session[SEEN] = int(moment.timestamp())
        return SessionUser(row.user, token)

    def _seen() -> datetime | None:
        value = session.get(SEEN)
        if not isinstance(value, int | float):
            return None
        return datetime.fromtimestamp(value, UTC)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Response:
        # next= carries this page's path only (never its query), capped in length, and only for a GET.
        target = url_for("auth.login", next=login_next() if request.method == "GET" else None)
        if is_htmx():
            return hx_redirect(target)
        return redirect_to(target)

    @app.before_request
    def _force_password_change() -> Response | None:
        # First login, or a password past the policy's maximum age (等保 periodic change): nothing but
        # the change itself (and logging out) until a new password is set.
        if not current_user.is_authenticated:
            return None
        if must_change_password(current_user.user, now(), password_policy(app)) is None:
            return None
        if request.endpoint in {"auth.change_password", "auth.logout", "auth.set_language", "static"}:
            return None
        target = url_for("auth.change_password")
        return hx_redirect(target) if is_htmx() else redirect_to(target)


def _register_macros(app: Flask) -> None:
    """Macros as globals, so a block rendered alone (an htmx fragment) sees them without an import."""
    from jinja2.runtime import Macro

    for path in ("macros/forms.html", "macros/ui.html"):
        module = app.jinja_env.get_template(path).module
        for name in dir(module):
            value = getattr(module, name)
            if isinstance(value, Macro):
                app.jinja_env.globals["timeline_list" if name == "timeline" else name] = value


def register_static_fingerprints(app: Flask) -> None:
    """Static URLs carry a fingerprint of the file (`/static/site.css?v=<sha256 prefix>`), so nginx (or a
    browser) may cache them for a year: a changed file gets a new URL. Computed once per process."""
    import hashlib
    from pathlib import Path

    static = Path(app.static_folder or "")
    fingerprints: dict[str, str] = {}

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, object]) -> None:
        if endpoint != "static" or "v" in values or not isinstance(values.get("filename"), str):
            return
        name = str(values["filename"])
        if name not in fingerprints:
            path = static / name
            fingerprints[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""
        if fingerprints[name]:
            values["v"] = fingerprints[name]


def register_web(app: Flask) -> None:
    from portal.web.spooling import StagingRequest

    app.request_class = StagingRequest  # uploads staged beside the file store, hashed as they arrive
    # gunicorn's master calls it before forking (gunicorn.conf.py when_ready): found on the app, so a
    # server of another Flask app (the bench's floor) under the same settings skips it.
    app.extensions[WARM_UP] = functools.partial(warm_up, app)
    # Each blueprint package owns its route modules (portal/web/<area>/__init__.py imports them).
    from portal.web.admin import bp as admin_bp
    from portal.web.applicant import bp as applicant_bp
    from portal.web.auth import bp as auth_bp
    from portal.web.certificates import bp as certificates_bp
    from portal.web.committees import bp as committees_bp
    from portal.web.enterprise import bp as enterprise_bp
    from portal.web.files import bp as files_bp
    from portal.web.handoffs import bp as handoffs_bp
    from portal.web.inbox import bp as inbox_bp
    from portal.web.jobs import bp as jobs_bp
    from portal.web.notices import bp as notices_bp
    from portal.web.ops import bp as ops_bp
    from portal.web.ops import register_metrics
    from portal.web.packages import bp as packages_bp
    from portal.web.public import bp as public_bp
    from portal.web.review import bp as review_bp
    from portal.web.styleguide import bp as styleguide_bp

    password_policy(app)  # fail at start on a bad PORTAL_PASSWORD_* setting, naming it
    register_unit_of_work(app)  # first: its after_request hook runs after every other one
    register_converters(app)  # before the blueprints: a rule resolves its converters when it is added
    _setup_login(app)
    register_security(app)
    register_compression(app)
    register_metrics(app)
    register_static_fingerprints(app)
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
        handoffs_bp,
        ops_bp,
        jobs_bp,
        committees_bp,
    ):
        app.register_blueprint(blueprint)

    register_i18n(app)  # Flask-Babel, the language choice, cn_date/cn_datetime and the other formats
    install_poll_shortcut(app)  # an unchanged queue poll answered before Flask (issue 20)
    app.jinja_env.filters.update(mask_id=mask_id_number, mask_phone=mask_mobile, zip=zip, fit_label=fit_label)
    app.jinja_env.globals.update(
        current_membership=current_membership,
        memberships=memberships,
        stand_ins=stand_ins,
        new_form_token=new_form_token,
        limits=TEXT_LIMITS,
        split_rule_ids=split_rule_ids,
        # The 申报表's flat fields (portal.domain.form), which the form partial renders in order.
        flat_fields=form_schema.FLAT_FIELDS,
        flat_by_name=form_schema.FLAT_BY_NAME,
        queue_rows=queue_rows,
        committee_menu=committee_menu,
        takes_registrations=takes_registrations,
        reports_year_end=reports_year_end,
        pledge_text=PLEDGE_TEXT,
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
    def _expert() -> dict[str, object]:
        def is_expert() -> bool:  # an expert's account (issue 22.5): the nav offers their panels
            from portal.services import votes

            return bool(current_user.is_authenticated) and votes.is_expert(db.session, current_user.user.id)

        return {"is_expert": is_expert}

    @app.context_processor
    def _htmx_src() -> dict[str, str]:
        return {
            "htmx_src": app.config.get("PORTAL_HTMX_URL")
            or url_for("static", filename="vendor/htmx-2.0.11.min.js")
        }
