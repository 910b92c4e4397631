"""The application factory: configuration, extensions, blueprints, error pages and CLI commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from portal import filemodes, logsafety
from portal.config import INSTANCE_DIR, Settings, production_problems
from portal.documents import rendering

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(INSTANCE_DIR),
    )
    logsafety.install()
    app.config.from_mapping(Settings().flask_config())
    if config:
        app.config.update(config)

    from portal import jobs, ratelimit  # noqa: F401  (ratelimit registers the shared SQLite store)
    from portal.cli import register_cli
    from portal.extensions import csrf, db, limiter, migrate
    from portal.web import register_web

    db.init_app(app)  # creates a missing SQLite database file 0600 (portal/filemodes.py)
    production = app.config.get("PORTAL_PROFILE") == "production"
    if not production:
        _tighten_file_modes(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    register_web(app)
    register_cli(app)
    if int(app.config.get("PORTAL_PROXY_COUNT") or 0) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Trust X-Forwarded-For/-Proto/-Host from exactly as many proxies as configured (nginx: one).
        hops = int(app.config["PORTAL_PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    rendering.warn_if_slow(app.logger)  # a missing libharfbuzz-subset0 makes every PDF 30 times slower
    if production:
        _guard_production(app)
        # WeasyPrint's import and the CJK fonts (~1 s) at start, not in the first reviewer's request; a
        # server that preloads the app before forking shares them with every worker.
        rendering.warm_up()
    jobs.configure(app)  # after the guard: the queue's messages are signed with the (checked) secret key
    return app


def _loose_files(app: Flask) -> list[filemodes.LooseMode]:
    """Database files and (outside production, where the key comes from the environment) the key file."""
    production = app.config.get("PORTAL_PROFILE") == "production"
    key_file = None if production else INSTANCE_DIR / "secret_key"
    return filemodes.loose_modes(filemodes.sensitive_paths(str(app.config["DATABASE_URL"]), key_file))


def _tighten_file_modes(app: Flask) -> None:
    """Outside production, owner-only modes are restored at start (issue 16.14).

    Why fix here and refuse in production: on a development or demo machine a readable database or key is
    a file an earlier version of this code made 0644, and making it 0600 is what its owner wants. In
    production a loose mode is a deployment mistake (a restore run as root under a loose umask, a copied
    file, a template that sets modes): the operator must see it and fix it knowingly, a chmod may fail
    anyway (another account's file) or undo a deliberate choice, so `_guard_production` names each file
    with its mode and the command, and refuses to start like every other unsafe setting.
    """
    loose = _loose_files(app)
    stuck = filemodes.tighten(loose)
    for item in loose:
        if item not in stuck:
            app.logger.warning("file mode %04o → %04o: %s", item.mode, item.wanted, item.path)
    for item in stuck:
        app.logger.warning("file mode could not be tightened: %s", item.describe())


class UnsafeConfiguration(RuntimeError):
    """The production profile refuses to start with an unsafe setting; the message names each one."""


def _guard_production(app: Flask) -> None:
    from sqlalchemy import inspect, select

    from portal.demo import demo_phones
    from portal.extensions import db
    from portal.models import User

    problems = production_problems(dict(app.config))
    problems += [
        f"文件权限过宽（含身份证号、密码哈希或密钥）：{loose.describe()}" for loose in _loose_files(app)
    ]
    with app.app_context():
        if inspect(db.engine).has_table("users"):
            found = db.session.scalars(select(User.phone).where(User.phone.in_(demo_phones()))).all()
            if found:
                problems.append(f"数据库中存在演示账号（{len(found)}个，如 {found[0]}），请删除后再上线")
        db.session.remove()
    if problems:
        with app.app_context():
            db.engine.dispose()
        raise UnsafeConfiguration("生产环境配置不安全，拒绝启动：" + "；".join(problems))
