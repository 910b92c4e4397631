"""The application factory: configuration, extensions, blueprints, error pages and CLI commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from portal.config import INSTANCE_DIR, Settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_mapping(Settings().flask_config())
    if config:
        app.config.update(config)

    from portal.cli import register_cli
    from portal.extensions import csrf, db, migrate
    from portal.web import register_web

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    register_web(app)
    register_cli(app)
    return app
