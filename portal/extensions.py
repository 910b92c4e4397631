"""The app's shared extension objects, created unbound and bound in create_app().

`db` is a small holder of the engine and a request-scoped SQLAlchemy session built on our plain
declarative Base (portal.models.base). We do not use Flask-SQLAlchemy: its Session.get_bind ignores a
session-level bind, which is what the per-test savepoint isolation needs, and services take a plain
Session argument anyway.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask.globals import app_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from portal import filemodes
from portal.models.base import Base

BUSY_TIMEOUT_SECONDS = 15
# Execution option for a transaction that only reads (see read_only below).
READ_ONLY = "portal_read_only"
# Methods whose requests never write (tests/security/test_get_writes.py walks every GET route for it).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _Turn:
    """A process-wide turn for SQLite transactions, taken at BEGIN and given back at COMMIT/ROLLBACK.

    Every transaction takes SQLite's write lock (BEGIN IMMEDIATE, below), so transactions run one at a
    time anyway; the question is how the others wait. SQLite's busy handler polls with growing sleeps,
    and a newcomer can overtake a waiter again and again: with 20 concurrent clients T-LOAD-01 saw
    requests wait past the 15 s busy timeout and fail with "database is locked". Threads queue on this
    lock instead and are woken as soon as the turn is free. Other processes (gunicorn workers) still meet
    at SQLite's lock. A thread that opens a second connection while holding the turn does not wait for
    itself: SQLite's lock decides, as before; nor does anyone wait past the busy timeout for the turn.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def take(self) -> bool:
        me = threading.get_ident()
        if self._owner == me or not self._lock.acquire(timeout=BUSY_TIMEOUT_SECONDS):
            return False
        self._owner = me
        return True

    def give_back(self) -> None:
        self._owner = None
        self._lock.release()


def _in_safe_request() -> bool:
    return has_request_context() and request.method in SAFE_METHODS


def _configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys, secure_delete, and BEGIN IMMEDIATE for every transaction that may
    write, taken in turn within the process (_Turn); a deferred BEGIN for reads (GET requests, read_only).

    Without BEGIN IMMEDIATE a deferred transaction that later writes fails at once with
    "database is locked" under contention, whatever the busy timeout says.
    """
    turn = _Turn()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event below emits BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(READ_ONLY) or _in_safe_request():
            # Work that writes nothing — a GET/HEAD request (issue 20: with BEGIN IMMEDIATE every page
            # view of every gunicorn worker queued behind every other one, SQLite's busy handler
            # polling between processes), the worker rendering a batch's PDFs: a deferred transaction,
            # so in WAL mode it neither waits for nor blocks the writers, and needs no turn.
            connection.exec_driver_sql("BEGIN")
            return
        if turn.take():
            connection.info["portal_turn"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _give_back(connection.info)
            raise

    def _give_back(info: dict[Any, Any]) -> None:
        if info.pop("portal_turn", False):
            turn.give_back()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Connection) -> None:
        _give_back(connection.info)

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        _give_back(record.info)  # a connection returned mid-transaction (its owner went away)


def make_engine(url: str, *, ping: bool = True) -> Engine:
    """The engine for `url`, set up for the portal (SQLite's pragmas and write turn, PostgreSQL's custom
    plans). `ping=False` leaves out PostgreSQL's check of each pooled connection as it is taken (a
    round trip): for a reader that falls back on its own when a connection turns out dead."""
    if url.startswith("sqlite"):
        if (path := filemodes.sqlite_path(url)) is not None:
            # 0600 before SQLite opens it; its -wal/-shm/-journal files take the same mode (issue 16.14).
            filemodes.create_private(path)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=ping)
    _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: Engine) -> None:
    """Custom plans for every statement, on every connection of the pool.

    psycopg prepares a statement on the server once it has run five times, and PostgreSQL then plans it
    once for any parameters (a generic plan) when that looks no dearer. For the queue's 待初审 tab the
    generic plan guesses 32 rows for (current_org_id, awaiting) without their values, reads all of the
    tab's rows (3,487 at 100,000 applications) and sorts them for the first 50: 25.8 ms, where the plan for
    the actual values walks the queue index and stops at 51 rows: 0.4 ms, plus 0.5 ms of planning (issue
    20, bench/README.md). force_custom_plan (PostgreSQL 12+) keeps the prepared statements' saved parsing
    and plans each execution for its own values."""

    @event.listens_for(engine, "connect")
    def _custom_plans(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SET plan_cache_mode = force_custom_plan")
        finally:
            cursor.close()
        dbapi_connection.commit()  # the SET outside any transaction the pool then sees


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


def read_only(session: Session | scoped_session[Session]) -> None:
    """Start `session`'s next transaction as a read (SQLite: deferred BEGIN, not the write lock). Only
    for work that writes nothing before it commits or rolls back: a write in it may fail at once."""
    plain = session() if isinstance(session, scoped_session) else session
    if not plain.in_transaction():
        plain.connection(execution_options={READ_ONLY: True})


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
# Per-IP throttling of login and public forms: in memory by default (one process), Redis when
# PORTAL_RATELIMIT_STORAGE_URL is set (several instances share the counts). Behind a reverse proxy,
# wrap the app in ProxyFix so remote_addr is the client's address.
limiter = Limiter(get_remote_address, headers_enabled=False)
