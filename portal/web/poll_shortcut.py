"""Unchanged polls answered before the app (issue 20): a WSGI layer in front of Flask.

A queue's list and tabs poll every 15 seconds and are nearly always unchanged. Through Flask an
unchanged poll cost five to six times a bare route answering 304: the request context, the login (the
session row with its user and memberships, hydrated by the ORM), the actor, the tag, the after-request
hooks — all to say "nothing changed". The answer depends on little: who asks (the login and what the
signed cookie holds), what they asked for (path, query, htmx target), the change counters the tag was
computed from, and the hour it names.

So when the view answers a fragment poll it *remembers* that answer (`remember`): under the request's
path, query, target, session token and the rest of its signed cookie, the tag, the counters' values and
until when the tag holds (the end of its hour; earlier if the password falls due). The next poll with
the same cookie, the same URL and that tag in If-None-Match is answered 304 here after one statement
(`services.auth.still_unchanged`): the login's row still there, within its absolute limit, its user
active, every counter unchanged. Anything else — another cookie, another tag, a counter moved, the hour
turned, the session logged out or revoked, the user disabled — goes to Flask as before, which answers
and remembers again.

The statement itself is made once per answer, not once per poll, where the database can say what
changed (services/change_feed.py: PostgreSQL's NOTIFY from triggers, SQLite's data_version): the read's
result is kept with the feed's position taken before it, and the next poll is answered from memory while
the feed has heard no change to that session, its user or the counters. A feed not listening (starting,
reconnecting) vouches for nothing, and the poll reads as before.

Guarantees:
- It only ever answers 304 to a GET htmx poll whose tag Flask itself gave this same login, URL and
  cookie state; it never answers anything with a body, so it can show nothing a full request would not.
- Logout, a revoked session, a disabled user and any write a queue shows take effect on the next poll
  (the statement reads them, or the feed has heard of them: the instant between a commit and its
  notification reaching the process aside, the same window as a read made just before the commit).
  What the full request checks besides, and this statement does not — the password's age (held as a
  deadline), the role or stand-in chosen (in the cookie, part of the key) and the memberships behind
  them — Flask checks again at least once a minute: a cookie whose idle clock
  (`SEEN`) is a minute old goes to Flask, which re-signs it (portal/web/__init__.py).
- Each process keeps its own memory (bounded, entries dropped after two minutes): a poll reaching
  another instance goes to Flask once there.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cachetools import TTLCache
from flask import Flask, current_app, request, session
from itsdangerous import BadSignature
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from werkzeug.http import parse_cookie, parse_etags

from portal.domain.passwords import expires_at
from portal.extensions import READ_ONLY, make_engine
from portal.services import change_feed
from portal.services.auth import LiveLogin, LoginPolicy, password_changed_at, still_unchanged
from portal.services.change_feed import ChangeFeed, Mark
from portal.web.ops import REQUEST_SECONDS
from portal.web.security import REQUEST_ID, standing_headers

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# The signed cookie's record of the last request (epoch seconds): the idle timeout counts from it, and
# Flask re-signs it once it is RESIGN_SECONDS old (portal/web/__init__.py).
SEEN = "seen"
RESIGN_SECONDS = 60
_LOGIN = "_user_id"  # Flask-Login's key: our session token
_EXTENSION = "portal_poll_shortcut"


@dataclass(frozen=True)
class _Answer:
    endpoint: str  # the view's, for the request metrics
    etag: str
    counters: tuple[tuple[str, int], ...]
    until: datetime


@dataclass(frozen=True)
class _Confirmed:
    """A read that found an answer still true, and where the change feed stood before it."""

    etag: str
    mark: Mark
    login: LiveLogin


def _cookie_state(data: Mapping[str, Any]) -> str:
    """The cookie's contents but its idle clock (the role chosen, a stand-in, flashes…), as a digest."""
    rest = {key: value for key, value in data.items() if key != SEEN}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()


def _login_part(token: str, data: Mapping[str, Any]) -> tuple[str, str]:
    """The key's part that the cookie decides: its login and the rest of what it holds."""
    return hashlib.sha256(token.encode()).hexdigest(), _cookie_state(data)


def _key(environ: Mapping[str, Any], login: tuple[str, str]) -> tuple[str, ...]:
    return (
        str(environ.get("PATH_INFO", "")),
        str(environ.get("QUERY_STRING", "")),
        str(environ.get("HTTP_HX_TARGET", "")),
        *login,
    )


@dataclass(frozen=True)
class _Cookie:
    """A signed cookie that verified, with what the shortcut derives from it once."""

    token: str | None
    seen: float | None
    login: tuple[str, str]


class PollShortcut:
    """The WSGI layer; `install` puts it in front of the app's WSGI callable."""

    def __init__(self, app: Flask, inner: WSGIApplication) -> None:
        self.app = app
        self.inner = inner
        self._answers: TTLCache[tuple[str, ...], _Answer] = TTLCache(maxsize=20_000, ttl=120)
        self._lock = threading.Lock()
        self._cookies: TTLCache[str, _Cookie] = TTLCache(maxsize=20_000, ttl=RESIGN_SECONDS)
        self._serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        self._cookie = app.config["SESSION_COOKIE_NAME"]
        self._max_age = int(app.permanent_session_lifetime.total_seconds())
        self.policy = LoginPolicy.from_config(app.config)
        self._headers = standing_headers(app)
        self._postgresql = str(app.config["DATABASE_URL"]).startswith("postgresql")
        self._reading: dict[str, Any] = (
            {"isolation_level": "AUTOCOMMIT"} if self._postgresql else {READ_ONLY: True}
        )
        self._own: Engine | None = None
        self._use_feed = bool(app.config.get("PORTAL_CHANGE_FEED", True))
        self._feed: ChangeFeed | None = None
        self._feed_made = False
        # Reads the feed vouches for, re-read at least every two minutes however quiet the feed is.
        self._confirmed: TTLCache[tuple[str, ...], _Confirmed] = TTLCache(maxsize=20_000, ttl=120)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        answer = self._unchanged(environ) if self._answers else None
        if answer is None:
            return self.inner(environ, start_response)
        etag = answer.etag
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        start_response(
            "304 NOT MODIFIED",
            [
                ("ETag", f'"{etag}"'),
                ("Cache-Control", "no-store"),
                ("Vary", "HX-Request, Cookie"),
                ("X-Request-Id", request_id),
                *self._headers,
            ],
        )
        REQUEST_SECONDS.labels(answer.endpoint, "GET", "3xx").observe(time.perf_counter() - started)
        return []

    def _now(self) -> datetime:
        clock: Callable[[], datetime] | None = self.app.config.get("PORTAL_CLOCK")
        return clock() if clock else datetime.now(UTC)

    def _unchanged(self, environ: WSGIEnvironment) -> _Answer | None:
        """The remembered answer to give (a 304 with its tag), or None for Flask to answer."""
        wanted = environ.get("HTTP_IF_NONE_MATCH")
        if not wanted or environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_HX_REQUEST") != "true":
            return None
        cookie = parse_cookie(environ).get(self._cookie)
        if not cookie or self._serializer is None:
            return None
        with self._lock:
            known = self._cookies.get(cookie)
        if known is None:
            known = self._verified(cookie)
            if known is None:
                return None
        token, seen = known.token, known.seen
        if token is None or seen is None:
            return None
        moment = self._now()
        # A minute-old idle clock is Flask's to re-sign (and the idle limit its to enforce).
        if not 0 <= moment.timestamp() - seen < min(RESIGN_SECONDS, self.policy.idle.total_seconds()):
            return None
        key = _key(environ, known.login)
        with self._lock:
            answer = self._answers.get(key)
        if answer is None or moment >= answer.until or not parse_etags(wanted).contains_weak(answer.etag):
            return None
        bind = self.app.extensions["db"].factory.kw["bind"]
        feed = self._feed_of(bind)
        with self._lock:
            confirmed = self._confirmed.get(key)
        if (
            feed is not None
            and confirmed is not None
            and confirmed.etag == answer.etag
            and moment < confirmed.login.ends_at
            and feed.unchanged_since(
                confirmed.mark, confirmed.login.token_hash, confirmed.login.user_id, answer.counters
            )
        ):
            return answer  # nothing the read confirmed has changed since: no statement at all
        mark = feed.mark() if feed is not None else None  # before the read: a later change comes after
        try:
            live = self.read(bind, token, answer.counters, moment)
        except DBAPIError:  # a connection gone stale (a database restart): Flask's pool pings its own
            return None
        with self._lock:
            if live is None:
                self._answers.pop(key, None)
                self._confirmed.pop(key, None)
                return None
            if mark is not None:
                self._confirmed[key] = _Confirmed(answer.etag, mark, live)
        return answer

    def _verified(self, cookie: str) -> _Cookie | None:
        """The cookie's contents if its signature holds, kept by its exact value: the same cookie, byte
        for byte, verifies the same way, and checking it (then hashing its contents for the key) on
        every poll was a third of the shortcut's time. Only cookies that verified are kept."""
        try:
            data = self._serializer.loads(cookie, max_age=self._max_age)
        except BadSignature:
            return None
        token, seen = data.get(_LOGIN), data.get(SEEN)
        if not isinstance(token, str) or not isinstance(seen, int | float) or isinstance(seen, bool):
            known = _Cookie(None, None, ("", ""))
        else:
            known = _Cookie(token, float(seen), _login_part(token, data))
        with self._lock:
            self._cookies[cookie] = known
        return known

    def read(
        self, bind: Engine | Connection, token: str, counters: tuple[tuple[str, int], ...], moment: datetime
    ) -> LiveLogin | None:
        """`services.auth.still_unchanged` on a connection of its own (`bind` is the app's engine; a
        test's connection, holding its rolled-back transaction, is used as it is)."""
        if isinstance(bind, Connection):
            return still_unchanged(bind, token, counters, moment, self.policy)
        with self._engine(bind).connect() as connection:
            connection.execution_options(**self._reading)
            return still_unchanged(connection, token, counters, moment, self.policy)

    def _engine(self, bind: Engine) -> Engine:
        """On PostgreSQL an engine of its own, made in the worker on first use, whose pool does not ping
        each connection as it is taken (the app's does: a third of the shortcut's time); a dead one fails
        the read, the shortcut leaves the poll to Flask and the pool replaces the connection."""
        if not self._postgresql:
            return bind
        if self._own is None:
            self._own = make_engine(str(self.app.config["DATABASE_URL"]), ping=False)
        return self._own

    def _feed_of(self, bind: Engine | Connection) -> ChangeFeed | None:
        """The process's change feed for a served app; none for a test's connection (its writes are
        never committed, so no feed would hear them: every poll reads)."""
        if isinstance(bind, Connection):
            return None
        if not self._feed_made:
            with self._lock:
                if not self._feed_made:
                    self._feed = change_feed.feed_for(bind) if self._use_feed else None
                    self._feed_made = True
        return self._feed

    def keep(self, key: tuple[str, ...], answer: _Answer) -> None:
        with self._lock:
            self._answers[key] = answer
            self._confirmed.pop(key, None)

    def forget(self) -> None:
        """Drop every remembered answer (tests roll their data back; counters' values come again) and
        close the connections of its own."""
        with self._lock:
            self._answers.clear()
            self._cookies.clear()
            self._confirmed.clear()
            own, self._own = self._own, None
            feed, self._feed, self._feed_made = self._feed, None, False
        if own is not None:
            own.dispose()
        if feed is not None:
            feed.close()


def install(app: Flask) -> None:
    """Put the shortcut in front of the app (before ProxyFix wraps it: it reads neither address nor host)."""
    if not app.config.get("PORTAL_POLL_SHORTCUT", True):
        return
    shortcut = PollShortcut(app, app.wsgi_app)
    app.extensions[_EXTENSION] = shortcut
    app.wsgi_app = shortcut  # type: ignore[method-assign]


def shortcut_of(app: Flask) -> PollShortcut | None:
    return app.extensions.get(_EXTENSION)


def remember(etag: str, counters: tuple[tuple[str, int], ...], until: datetime | None, user: Any) -> None:
    """Remember this poll's answer for the next identical poll (a view calls it for a fragment poll it
    answered, 200 or 304). `until`: when the tag stops holding however the counters stand."""
    shortcut = shortcut_of(current_app._get_current_object())  # type: ignore[attr-defined]
    token = session.get(_LOGIN)
    if shortcut is None or until is None or not counters or not isinstance(token, str):
        return
    policy = current_app.extensions.get("portal_password_policy")
    if policy is not None:
        due = expires_at(password_changed_at(user), policy)
        if due is not None:
            until = min(until, due)
    key = _key(request.environ, _login_part(token, session))
    shortcut.keep(key, _Answer(request.endpoint or "", etag, counters, until))
