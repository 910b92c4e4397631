"""A page view on SQLite does not wait for a writer (issue 20): GET requests read in a deferred
transaction, so in WAL mode they neither take nor wait for the write lock. With BEGIN IMMEDIATE for every
transaction, each gunicorn worker's page views queued behind every other worker's, SQLite's busy handler
polling between processes; a page view behind a long write waited out the busy timeout and failed."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, select

from portal import create_app
from portal.extensions import db
from tests.dbsetup import database_url

pytestmark = pytest.mark.skipif(
    "TEST_DATABASE_URL" in os.environ, reason="SQLite's locking: PostgreSQL reads never wait for writers"
)


@pytest.fixture
def app(tmp_path: Path, worker_id: str) -> Iterator[Flask]:
    """A database file of its own: another process's lock on it is real."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": database_url(f"portal_reads_{worker_id}", tmp_path),
        }
    )
    with app.app_context():
        upgrade()
        yield app
        db.engine.dispose()


def _statements(app: Flask) -> list[str]:
    seen: list[str] = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_a_page_view_reads_while_another_process_holds_the_write_lock(app: Flask) -> None:
    path = db.engine.url.database
    assert path is not None
    writer = sqlite3.connect(path, isolation_level=None)  # another process, as far as SQLite can tell
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE users SET name = name")  # holds the write lock, writes nothing visible
    try:
        response = app.test_client().get("/public/certificates/GZ-2026-000001/not-a-code")
        # Found or not, the page answered from the database: the lookup ran, not "database is locked".
        assert response.status_code == 200
        assert "证书" in response.get_data(as_text=True)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_get_requests_begin_deferred_and_posts_take_the_write_lock(app: Flask) -> None:
    seen = _statements(app)
    app.test_client().get("/public/certificates/GZ-2026-000001/not-a-code")
    assert "BEGIN" in seen and "BEGIN IMMEDIATE" not in seen
    for method in ("POST", "PUT", "DELETE"):
        seen.clear()
        with app.test_request_context("/", method=method):
            db.session.execute(select(1))
            db.session.rollback()
        assert seen[0] == "BEGIN IMMEDIATE", method
    seen.clear()
    db.session.execute(select(1))  # outside a request (the worker, the CLI): may write, takes the lock
    db.session.rollback()
    assert seen[0] == "BEGIN IMMEDIATE"
