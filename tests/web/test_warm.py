"""gunicorn's master warms the app before its workers fork (portal/web/warm.py): every web template is
compiled into the app's cache, the profiles are parsed and the calendar is built, and no database
connection is left open to cross the fork."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask
from flask_migrate import upgrade

from portal import ROOT, create_app
from portal.extensions import db
from portal.services import calendar, policies
from portal.web import warm
from tests.dbsetup import database_url


def test_the_master_compiles_every_web_template_and_leaves_no_connection_open(
    tmp_path: Path, worker_id: str
) -> None:
    url = database_url(f"portal_warm_{worker_id}", tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "warm-" + "w" * 40, "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()
    policies.profiles.cache_clear()
    calendar._built.cache_clear()
    web_templates = app.jinja_env.list_templates(
        filter_func=lambda name: name.endswith(".html") and not name.startswith("documents/")
    )
    before = {name for _, name in app.jinja_env.cache}  # the macros create_app imports
    assert "pages/review/show_queue.html" not in before and len(before) < len(web_templates) // 2

    assert warm.warm_up(app) == len(web_templates) > 50
    cached = {name for _, name in app.jinja_env.cache}
    assert {"pages/review/show_queue.html", "layouts/app.html"} <= cached
    assert set(web_templates) <= cached
    assert policies.profiles.cache_info().currsize == 1
    assert calendar._built.cache_info().currsize == 1
    with app.app_context():
        assert db.engine.pool.checkedout() == 0
        assert db.engine.pool.checkedin() == 0  # disposed: the workers open their own


class _Server:
    """What gunicorn.conf.py's `when_ready` reads of gunicorn's arbiter."""

    def __init__(self, app: object) -> None:
        self.cfg = SimpleNamespace(preload_app=True)
        self.app = SimpleNamespace(wsgi=lambda: app)
        self.logged: list[str] = []
        self.log = SimpleNamespace(info=lambda text, *args: self.logged.append(text % args))


def test_gunicorn_warms_the_portal_and_serves_another_flask_app_as_it_is(monkeypatch: Any) -> None:
    """The bench serves its floor, a bare Flask app, under the same gunicorn.conf.py: its master found no
    database extension to warm and did not start."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    monkeypatch.setattr(gc, "freeze", lambda: None)  # the test process's objects stay collectable
    floor = _Server(Flask("floor"))
    settings["when_ready"](floor)
    assert not any("templates compiled" in line for line in floor.logged)
    warmed: list[bool] = []
    portal = Flask("portal")
    portal.extensions[warm.WARM_UP] = lambda: warmed.append(True) or 7
    served = _Server(portal)
    settings["when_ready"](served)
    assert warmed == [True] and "portal: 7 templates compiled before the workers fork" in served.logged
