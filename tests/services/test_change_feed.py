"""The change feed (services/change_feed.py, issue 20) hears every committed write an unchanged poll
depends on, and vouches for nothing it has not heard: on a real SQLite file (PRAGMA data_version) and on
the real PostgreSQL (migration 0039's triggers, LISTEN on a thread of its own)."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, delete, text, update
from sqlalchemy.orm import Session

from portal.models import AuthSession, User, Version
from portal.services import change_feed
from portal.services.change_feed import DataVersionFeed, NotifyFeed
from tests.conftest import db_engine
from tests.factories import make_user

ON_POSTGRESQL = pytest.mark.skipif(
    "TEST_DATABASE_URL" not in os.environ, reason="PostgreSQL's triggers and LISTEN"
)


def _soon(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """A notification's own way from the commit to the feed's thread (milliseconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_on_sqlite_another_connections_commit_moves_the_mark_and_a_rollback_does_not(tmp_path: Path) -> None:
    path = tmp_path / "feed.sqlite3"
    writer = sqlite3.connect(path)
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.commit()
    feed = change_feed.feed_for(create_engine(f"sqlite:///{path}"))
    assert isinstance(feed, DataVersionFeed)
    try:
        mark = feed.mark()
        assert mark is not None and feed.unchanged_since(mark, "token", 1, (("org:1", 3),))
        writer.execute("INSERT INTO t VALUES (1)")
        writer.rollback()
        assert feed.unchanged_since(mark, "token", 1, ())
        writer.execute("INSERT INTO t VALUES (2)")
        writer.commit()
        assert not feed.unchanged_since(mark, "token", 1, ())
        again = feed.mark()
        assert again is not None and feed.unchanged_since(again, "token", 1, ())
    finally:
        feed.close()
        writer.close()


def test_an_in_memory_database_has_no_feed() -> None:
    assert change_feed.feed_for(create_engine("sqlite://")) is None


def test_a_feed_not_listening_vouches_for_nothing() -> None:
    feed = NotifyFeed("postgresql://nobody@127.0.0.1:1/none", retry_seconds=60)
    try:
        assert feed.mark() is None
        assert not feed.unchanged_since(change_feed.Mark(0, 0), "token", 1, ())
    finally:
        feed.close()


@ON_POSTGRESQL
def test_on_postgresql_each_process_hears_counters_sessions_and_users_as_they_commit(app: Flask) -> None:
    engine = db_engine(app)
    feed = change_feed.feed_for(engine)
    assert isinstance(feed, NotifyFeed)
    name = f"test:{uuid.uuid4().hex[:12]}"
    token_hash = uuid.uuid4().hex * 2
    now = datetime.now(UTC)
    with Session(engine) as session:  # committed rows (the feed hears commits), removed at the end
        user = make_user(session)
        session.add(AuthSession(token_hash=token_hash, user_id=user.id, created_at=now, last_seen_at=now))
        session.add(Version(name=name, value=3))
        session.commit()
        user_id = user.id
    try:
        assert feed.listening(10)
        assert _soon(lambda: feed.unchanged_since(feed.mark(), token_hash, user_id, ((name, 3),)))  # type: ignore[arg-type]
        mark = feed.mark()
        assert mark is not None

        with Session(engine) as session:  # a rolled-back write sends nothing
            session.execute(update(Version).where(Version.name == name).values(value=99))
            session.execute(update(User).where(User.id == user_id).values(is_active=False))
            session.rollback()
        with engine.begin() as connection:
            connection.execute(update(Version).where(Version.name == name).values(value=Version.value + 1))
        assert _soon(lambda: not feed.unchanged_since(mark, token_hash, user_id, ((name, 3),)))
        assert feed.unchanged_since(mark, token_hash, user_id, ((name, 4),))  # only the counter moved
        assert not feed.unchanged_since(mark, token_hash, user_id, ((name, 99),))

        with engine.begin() as connection:  # a user disabled (an admin, a voided registration)
            connection.execute(update(User).where(User.id == user_id).values(is_active=False))
        assert _soon(lambda: not feed.unchanged_since(mark, token_hash, user_id, ((name, 4),)))
        assert feed.unchanged_since(mark, "another login", user_id + 1, ((name, 4),))

        later = feed.mark()
        assert later is not None and feed.unchanged_since(later, token_hash, user_id, ((name, 4),))
        with engine.begin() as connection:  # logged out (or revoked) on any instance
            connection.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash))
        assert _soon(lambda: not feed.unchanged_since(later, token_hash, user_id, ((name, 4),)))
    finally:
        feed.close()
        with engine.begin() as connection:
            connection.execute(delete(User).where(User.id == user_id))
            connection.execute(delete(Version).where(Version.name == name))


@ON_POSTGRESQL
def test_a_dropped_connection_stops_the_vouching_until_the_feed_listens_again(app: Flask) -> None:
    engine = db_engine(app)
    feed = change_feed.feed_for(engine)
    assert isinstance(feed, NotifyFeed)
    feed._retry = 0.05
    try:
        assert feed.listening(10)
        mark = feed.mark()
        assert mark is not None and feed.unchanged_since(mark, "token", 1, ())
        with engine.begin() as connection:  # what a database restart does to the feed's connection
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": change_feed.APPLICATION_NAME},
            )
        assert _soon(lambda: not feed.unchanged_since(mark, "token", 1, ()))
        assert _soon(lambda: feed.mark() is not None)  # listening again, in a new epoch
        assert not feed.unchanged_since(mark, "token", 1, ())
        # A connection gone silent (no error, no answer) is not trusted past its last heartbeat's answer.
        feed._heard -= change_feed.STALE_SECONDS
        assert feed.mark() is None
        assert _soon(lambda: feed.mark() is not None, change_feed.HEARTBEAT_SECONDS * 3)  # it answered
    finally:
        feed.close()
