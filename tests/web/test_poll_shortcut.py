"""An unchanged queue poll is answered before Flask (portal/web/poll_shortcut.py, issue 20) — and only
then: a write the queue shows, a logout, a disabled user, another login, a minute-old idle clock, the
next hour and a password falling due each go to Flask on the very next poll, which answers as before."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import AuthSession
from portal.services import auth
from portal.services.change_feed import NotifyFeed
from portal.web.poll_shortcut import shortcut_of
from tests.conftest import Clock, db_engine
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, World, make_application, make_world
from tests.statements import recorded

HX = {"HX-Request": "true", "HX-Target": "queue"}
QUEUE = "/review/queue?tab=all"


@pytest.fixture
def world(session: Session, clock: Clock) -> World:
    world = make_world(session)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    return world


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL each request sends (savepoints aside), cleared by `poll`."""
    with recorded(db_engine(app)) as sent:
        yield sent


def _poll(browser: FlaskClient, sent: list[str], tag: str, **headers: str) -> Any:
    sent.clear()
    return browser.get(QUEUE, headers={**HX, "If-None-Match": f'"{tag}"', **headers})


def _settled(browser: FlaskClient, sent: list[str]) -> str:
    """The list's tag once the cookie holds what the page put in it (the CSRF value the rows carry): the
    first poll with a new cookie goes to Flask, which remembers the answer for the next."""
    tag = browser.get(QUEUE, headers=HX).headers["ETag"].strip('"')
    assert _poll(browser, sent, tag).status_code == 304
    return tag


def _shortcut(sent: list[str]) -> bool:
    """Answered before Flask: one statement (the login's row and the counters), not the login's own
    (the session with its user and memberships) and the counters' read."""
    return len(sent) == 1 and " FROM auth_sessions JOIN users" in sent[0]


def test_an_unchanged_poll_is_a_304_from_one_statement_with_the_headers_flask_gives(
    app: Flask, world: World, login_as: Any, statements: list[str]
) -> None:
    handler = login_as(world.department.handler)
    tag = _settled(handler, statements)
    quick = _poll(handler, statements, tag, **{"X-Request-Id": "poll-1"})
    assert quick.status_code == 304 and _shortcut(statements), statements
    assert quick.headers["ETag"] == f'"{tag}"' and quick.get_data() == b""
    assert quick.headers["Cache-Control"] == "no-store" and quick.headers["X-Request-Id"] == "poll-1"
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
        assert quick.headers[name] == handler.get(QUEUE, headers=HX).headers[name]
    assert "Set-Cookie" not in quick.headers
    # A tag it never gave, the full page (a browser's own request) and a POST go to Flask.
    assert _poll(handler, statements, "q-not-ours").status_code == 200 and not _shortcut(statements)
    statements.clear()
    assert handler.get(QUEUE, headers={"If-None-Match": f'"{tag}"'}).status_code == 200
    assert not _shortcut(statements)


def test_a_write_the_queue_shows_a_logout_and_a_disabled_user_take_effect_on_the_next_poll(
    world: World, session: Session, clock: Clock, login_as: Any, statements: list[str]
) -> None:
    handler = login_as(world.department.handler)
    tag = _settled(handler, statements)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    session.commit()  # the department's counter moves as the transaction commits
    changed = _poll(handler, statements, tag)
    assert changed.status_code == 200 and changed.headers["ETag"] != f'"{tag}"'
    assert changed.get_data(as_text=True).count("<tr id=") == 2

    tag = _settled(handler, statements)
    session.execute(delete(AuthSession).where(AuthSession.user_id == world.department.handler.id))
    session.commit()  # logged out everywhere (or revoked): the cookie opens nothing
    gone = _poll(handler, statements, tag)
    assert gone.status_code != 304 and "/login" in gone.headers.get("HX-Redirect", "")

    leader = login_as(world.department.leader)
    tag = _settled(leader, statements)
    world.department.leader.is_active = False
    session.commit()
    assert _poll(leader, statements, tag).status_code != 304


def test_another_login_with_the_same_tag_gets_its_own_answer(
    world: World, login_as: Any, statements: list[str]
) -> None:
    handler, leader = login_as(world.department.handler), login_as(world.department.leader)
    tag = _settled(handler, statements)
    _settled(leader, statements)
    answer = _poll(leader, statements, tag)  # the handler's tag, sent with the leader's cookie
    assert answer.status_code == 200 and answer.headers["ETag"] != f'"{tag}"'


def test_a_minute_old_idle_clock_goes_to_flask_which_moves_it_on(
    world: World, clock: Clock, login_as: Any, statements: list[str]
) -> None:
    handler = login_as(world.department.handler)
    tag = _settled(handler, statements)
    clock.advance(seconds=61)
    resigned = _poll(handler, statements, tag)
    assert resigned.status_code == 304 and not _shortcut(statements) and "Set-Cookie" in resigned.headers
    assert _poll(handler, statements, tag).status_code == 304 and _shortcut(statements)


def test_the_next_hour_goes_to_flask(
    world: World, clock: Clock, login_as: Any, statements: list[str]
) -> None:
    clock.now = clock.now.replace(minute=59, second=50)  # the tag names the hour (rows show days waited)
    handler = login_as(world.department.handler)
    tag = _settled(handler, statements)
    clock.advance(seconds=15)
    answer = _poll(handler, statements, tag)
    assert answer.status_code == 200 and answer.headers["ETag"] != f'"{tag}"'


def test_a_password_falling_due_goes_to_flask_which_asks_for_a_new_one(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any, statements: list[str]
) -> None:
    policy = app.extensions["portal_password_policy"]
    assert policy.max_age_days > 0
    user = world.department.handler
    user.must_change_password = False
    user.password_changed_at = clock.now - timedelta(days=policy.max_age_days) + timedelta(seconds=30)
    session.commit()
    handler = login_as(user)
    tag = _settled(handler, statements)
    clock.advance(seconds=40)  # within the idle clock's minute, past the password's day
    due = _poll(handler, statements, tag)
    assert due.status_code != 304 and "password" in due.headers.get("HX-Redirect", "")


def test_outside_a_test_it_reads_on_a_connection_of_its_own_outside_any_write_turn(
    app: Flask, clock: Clock
) -> None:
    # The tests' requests share their transaction's connection; a served app reads on its own (on
    # PostgreSQL: an engine whose pool does not ping, no transaction). A failure there would only send
    # every poll to Flask, so it is run here against the real database, committed data only.
    shortcut = shortcut_of(app)
    assert shortcut is not None
    engine = db_engine(app)
    try:
        assert shortcut.read(engine, "no-such-login", (("org:1", 0), ("queues", 0)), clock.now) is None
        own = shortcut._engine(engine)
        assert (own is engine) == (engine.dialect.name == "sqlite")
        assert own.pool.checkedout() == 0 and engine.pool.checkedout() == 0  # given back
    finally:
        shortcut.forget()  # closes its own connections


def test_the_shortcut_can_be_switched_off(app: Flask) -> None:
    from portal import create_app

    off = create_app({**app.config, "PORTAL_POLL_SHORTCUT": False})
    try:
        assert shortcut_of(off) is None and shortcut_of(app) is not None
    finally:
        db_engine(off).dispose()


@pytest.fixture
def served(tmp_path: Path, worker_id: str, clock: Clock) -> Iterator[Flask]:
    """An app on a database of its own whose data is committed, as a served app's is: the shortcut reads
    on its own connections and its change feed hears the commits (a test's rolled-back transaction is
    never heard, so the other tests read on every poll)."""
    from portal import create_app

    served = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": database_url(f"portal_feed_{worker_id}", tmp_path),
            "PORTAL_QUEUE_PATH": str(tmp_path / "queue.sqlite3"),
            "PORTAL_CLOCK": clock,
        }
    )
    with served.app_context():
        upgrade()
    yield served
    if (shortcut := shortcut_of(served)) is not None:
        shortcut.forget()
    db_engine(served).dispose()


def test_a_served_app_answers_an_unchanged_poll_from_memory_until_the_feed_hears_a_change(
    served: Flask, clock: Clock
) -> None:
    engine = db_engine(served)
    with Session(engine, expire_on_commit=False) as writer:
        world = make_world(writer)
        make_application(writer, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
        token = auth.start_session(writer, world.department.handler, clock.now)
        writer.commit()
    shortcut = shortcut_of(served)
    assert shortcut is not None
    feed = shortcut._feed_of(engine)
    assert feed is not None and (not isinstance(feed, NotifyFeed) or feed.listening(10))
    handler = served.test_client()
    with handler.session_transaction() as cookie:
        cookie.update({"_user_id": token, "_fresh": True})
    # Every engine's statements: on PostgreSQL the shortcut reads on an engine of its own.
    with recorded(Engine) as sent:
        tag = _settled(handler, sent)
        assert _poll(handler, sent, tag).status_code == 304 and _shortcut(sent)  # the read, once
        for _ in range(3):
            assert _poll(handler, sent, tag).status_code == 304 and sent == []  # then from memory

        with Session(engine) as writer:  # another reviewer's write the queue shows, committed elsewhere
            world.department.handler = writer.merge(world.department.handler)
            make_application(writer, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
            writer.commit()
        changed = _eventually(lambda: _poll(handler, sent, tag), lambda answer: answer.status_code == 200)
        assert changed.get_data(as_text=True).count("<tr id=") == 2

        tag = _settled(handler, sent)
        with engine.begin() as connection:  # logged out on another instance
            connection.execute(delete(AuthSession))
        gone = _eventually(lambda: _poll(handler, sent, tag), lambda answer: answer.status_code != 304)
        assert "/login" in gone.headers.get("HX-Redirect", "")


def _eventually(poll: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    """PostgreSQL's notification reaches the feed's thread milliseconds after the commit; until it does,
    the answer is the one a poll made just before the commit would get (SQLite's is at once)."""
    deadline = time.monotonic() + 10
    answer = poll()
    while not done(answer) and time.monotonic() < deadline:
        time.sleep(0.02)
        answer = poll()
    assert done(answer), answer.status_code
    return answer
