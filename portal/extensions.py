"""The app's shared extension objects, created unbound and bound in create_app().

`db` is a small holder of the engine and a request-scoped SQLAlchemy session built on our plain
declarative Base (portal.models.base). We do not use Flask-SQLAlchemy: its Session.get_bind ignores a
session-level bind, which is what the per-test savepoint isolation needs, and services take a plain
Session argument anyway.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask.globals import app_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from portal.models.base import Base


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys, secure_delete, and BEGIN IMMEDIATE for every transaction.

    Without BEGIN IMMEDIATE a deferred transaction that later writes fails at once with
    "database is locked" under contention, whatever the busy timeout says.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event below emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class _Bound:
    """One app's engine and session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.factory = sessionmaker(bind=engine, expire_on_commit=False)


class Database:
    """Per-app engine plus a session scoped to the current Flask app context (one per request)."""

    metadata: MetaData = Base.metadata

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(self._new_session, scopefunc=self._scope)

    @staticmethod
    def _scope() -> int:
        return id(app_ctx._get_current_object())

    @staticmethod
    def _bound() -> _Bound:
        return current_app.extensions["db"]  # type: ignore[no-any-return]

    def _new_session(self) -> Session:
        return self._bound().factory()

    @property
    def engine(self) -> Engine:
        return self._bound().engine

    def init_app(self, app: Flask) -> None:
        app.extensions["db"] = _Bound(make_engine(app.config["DATABASE_URL"]))

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    def bind_to(self, bind: Engine | Connection, **options: Any) -> None:
        """Rebind this app's new sessions (tests bind them to one connection in a rolled-back transaction)."""
        self.session.remove()
        bound = self._bound()
        bound.factory = sessionmaker(bind=bind, expire_on_commit=False, **options)


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
# Per-IP throttling of login and public forms: in memory by default (one process), Redis when
# PORTAL_RATELIMIT_STORAGE_URL is set (several instances share the counts). Behind a reverse proxy,
# wrap the app in ProxyFix so remote_addr is the client's address.
limiter = Limiter(get_remote_address, headers_enabled=False)
