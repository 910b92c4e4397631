"""The application factory: configuration, extensions, blueprints, error pages and CLI commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from portal import logsafety
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

    from portal.cli import register_cli
    from portal.extensions import csrf, db, limiter, migrate
    from portal.web import register_web

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    register_web(app)
    register_cli(app)
    rendering.warn_if_slow(app.logger)  # a missing libharfbuzz-subset0 makes every PDF 30 times slower
    if app.config.get("PORTAL_PROFILE") == "production":
        _guard_production(app)
        # WeasyPrint's import and the CJK fonts (~1 s) at start, not in the first reviewer's request; a
        # server that preloads the app before forking shares them with every worker.
        rendering.warm_up()
    return app


class UnsafeConfiguration(RuntimeError):
    """The production profile refuses to start with an unsafe setting; the message names each one."""


def _guard_production(app: Flask) -> None:
    from sqlalchemy import inspect, select

    from portal.demo import demo_phones
    from portal.extensions import db
    from portal.models import User

    problems = production_problems(dict(app.config))
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
