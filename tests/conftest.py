"""Fixtures: one app and migrated database per worker, a savepoint-isolated session per test, a
settable clock, and clients logged in as any user."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from portal import create_app
from portal.extensions import db
from portal.models import User
from portal.services import auth, queues
from portal.web.poll_shortcut import shortcut_of
from tests.dbsetup import database_url
from tests.factories import PACKAGE_DIR, STORAGE_DIR

# Any app a test makes (not only the fixture's) keeps its queue and rate limits in this run's temporary
# files, never in the checkout's instance/ folder, where a developer's worker would pick them up.
_RUN_DIR = tempfile.mkdtemp(prefix="portal-tests-")
atexit.register(shutil.rmtree, _RUN_DIR, ignore_errors=True)  # every run made one and left it behind
os.environ.setdefault("PORTAL_QUEUE_PATH", os.path.join(_RUN_DIR, "queue.sqlite3"))
os.environ.setdefault("PORTAL_RATELIMIT_STORAGE_URL", f"portal+sqlite:///{_RUN_DIR}/ratelimits.sqlite3")


def pytest_configure(config: pytest.Config) -> None:
    # The compiled catalogues are built (make install, make test), never committed: a run after a merge or
    # an edit of a .po compiles them first (once, in the controller, before any worker starts).
    if not hasattr(config, "workerinput"):
        from scripts.messages import compile_if_stale

        compile_if_stale()


@pytest.fixture(scope="session", autouse=True)
def _demo_password_hashed_once() -> Iterator[None]:
    """`seed-demo` gives some sixty accounts the README's one password, each hashed at argon2's full cost
    (about 0.3 s apiece: two thirds of a seeding, and a dozen tests seed). Here that password is hashed
    once per worker and every account gets that real, full-cost argon2id hash (only the salt is shared),
    so a login still runs the whole verification. Any other password is hashed as in production."""
    from portal.demo import DEMO_PASSWORD

    real = auth.hash_password
    demo_hash = real(DEMO_PASSWORD)

    def hash_password(password: str) -> str:
        return demo_hash if password == DEMO_PASSWORD else real(password)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(auth, "hash_password", hash_password)
        yield


class Clock:
    """The time the app sees; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[Flask]:
    base = tmp_path_factory.mktemp("db")
    url = database_url(f"portal_test_{worker_id}", base)
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
            "WTF_CSRF_ENABLED": False,
            "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",  # tests/security/test_auth.py tightens it
            "PORTAL_STORAGE_DIR": str(STORAGE_DIR),
            "PORTAL_PACKAGE_DIR": str(PACKAGE_DIR),
            # The queue and the rate limits in this worker's own files (xdist workers never share them).
            "PORTAL_QUEUE_PATH": str(base / "queue.sqlite3"),
            "RATELIMIT_STORAGE_URI": f"portal+sqlite:///{base / 'ratelimits.sqlite3'}",
        }
    )
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


def run_queued(app: Flask) -> int:
    """Run every message waiting in the app's queue, in this process, with huey's own dequeue and
    execute (what a consumer's worker thread does), so the tasks write through the test's savepoint
    session. Returns how many ran. Tests of the consumer itself start the real one (tests/jobs)."""
    from portal import jobs

    jobs.configure(app)
    ran = 0
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task)
        ran += 1
    return ran


def run_periodic(app: Flask, *kinds: str) -> None:
    """Run periodic jobs now, in this process, as the worker's schedule would (one run per minute and
    kind: a second call in the same minute of the test clock does nothing)."""
    from portal import jobs
    from portal.jobs import tasks
    from portal.models import JobKind

    jobs.configure(app)
    for kind in kinds or [k.value for k in tasks.PERIODIC_BODIES]:
        tasks.run_periodic(JobKind(kind))


@pytest.fixture
def queue(app: Flask) -> Iterator[None]:
    """An empty queue for this test (whatever earlier tests left is dropped), bound to this app."""
    from portal import jobs

    jobs.configure(app)
    jobs.huey.flush()
    yield
    jobs.huey.flush()


@pytest.fixture
def clock(app: Flask) -> Iterator[Clock]:
    value = Clock()
    app.config["PORTAL_CLOCK"] = value
    yield value
    app.config.pop("PORTAL_CLOCK", None)


@pytest.fixture
def session(app: Flask, clock: Clock) -> Iterator[Session]:
    """Everything a test and its requests write is rolled back at the end (savepoint per commit).

    No app context stays pushed during the test: each request must get its own, as in production
    (a shared one would carry `g` — the cached user and actor — from one request into the next).
    """
    connection = db_engine(app).connect()
    outer = connection.begin()
    with app.app_context():
        db.bind_to(connection, join_transaction_mode="create_savepoint")
    test_session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        with savepoints_released_after_rollback(connection):
            yield test_session
    finally:
        test_session.close()
        outer.rollback()
        queues.forget_remembered()  # the rolled-back counters' values will be reused by other data
        if (shortcut := shortcut_of(app)) is not None:
            shortcut.forget()  # the same for the polls' remembered answers
        connection.close()
        with app.app_context():
            db.bind_to(db.engine)


@contextmanager
def savepoints_released_after_rollback(connection: Connection) -> Iterator[None]:
    """On `connection`, every ROLLBACK TO SAVEPOINT is followed by RELEASE SAVEPOINT.

    Each request's session (and the test's own) runs in a savepoint of the test's one transaction.
    ROLLBACK TO SAVEPOINT undoes a refused request's work but keeps its savepoint open, and SQLAlchemy
    never names it again; in production the request's own ROLLBACK ends it, here nothing did, so each
    refused request nested every later statement one subtransaction deeper. PostgreSQL walks that stack
    for each row version the transaction wrote that it reads (all of a test's data), so every statement
    got slower the longer a test ran: after the sibling-enterprise crawl's 2,500 refusals the audit
    seal's read of the unsealed rows took 23 ms instead of 0.04 ms, and the test 76 s instead of 40 s
    (SQLite: 31 s). Releasing the savepoint SQLAlchemy is done with keeps the stack as shallow as in
    production."""
    dialect = connection.dialect
    rollback_to = type(dialect).do_rollback_to_savepoint

    def rollback_and_release(on: Connection, name: str) -> None:
        rollback_to(dialect, on, name)
        if on is connection:
            dialect.do_release_savepoint(on, name)

    dialect.do_rollback_to_savepoint = rollback_and_release  # type: ignore[method-assign]
    try:
        yield
    finally:
        del dialect.do_rollback_to_savepoint


def db_engine(app: Flask) -> Engine:
    with app.app_context():
        return db.engine


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(app: Flask, session: Session, clock: Clock) -> Any:
    """login_as(user) -> a client whose cookie carries a fresh server-side session for that user."""

    def _login(user: User, *, membership_id: int | None = None) -> FlaskClient:
        token = auth.start_session(session, user, clock.now)
        session.flush()
        browser = app.test_client()
        with browser.session_transaction() as cookie:
            cookie["_user_id"] = token
            cookie["_fresh"] = True
            if membership_id is not None:
                cookie["membership_id"] = membership_id
        return browser

    return _login


@pytest.fixture(scope="session")
def _smtp() -> Iterator[tuple[Any, int]]:
    from tests.mailserver import smtp_server

    with smtp_server() as running:
        yield running


@pytest.fixture
def smtp(app: Flask, _smtp: tuple[Any, int]) -> Iterator[Any]:
    """A real SMTP server (aiosmtpd on a loopback port) the app sends through for this test: returns its
    inbox (emptied first). PORTAL_BASE_URL is set so the e-mails' links are absolute."""
    inbox, port = _smtp
    inbox.clear()
    saved = {key: app.config.get(key) for key in SMTP_SETTINGS}
    app.config.update(
        PORTAL_SMTP_HOST="127.0.0.1",
        PORTAL_SMTP_PORT=port,
        PORTAL_SMTP_SENDER="noreply@portal.example",
        PORTAL_SMTP_STARTTLS=False,
        PORTAL_BASE_URL="https://portal.example",
    )
    yield inbox
    app.config.update(saved)


SMTP_SETTINGS = (
    "PORTAL_SMTP_HOST",
    "PORTAL_SMTP_PORT",
    "PORTAL_SMTP_SENDER",
    "PORTAL_SMTP_STARTTLS",
    "PORTAL_BASE_URL",
)
