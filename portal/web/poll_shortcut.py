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

Guarantees:
- It only ever answers 304 to a GET htmx poll whose tag Flask itself gave this same login, URL and
  cookie state; it never answers anything with a body, so it can show nothing a full request would not.
- Logout, a revoked session, a disabled user and any write a queue shows take effect on the next poll
  (the statement reads them). What the full request checks besides, and this statement does not — the
  password's age (held as a deadline), the role or stand-in chosen (in the cookie, part of the key) and
  the memberships behind them — Flask checks again at least once a minute: a cookie whose idle clock
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
from portal.services.auth import LoginPolicy, password_changed_at, still_unchanged
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


def _cookie_state(data: Mapping[str, Any]) -> str:
    """The cookie's contents but its idle clock (the role chosen, a stand-in, flashes…), as a digest."""
    rest = {key: value for key, value in data.items() if key != SEEN}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()


def _key(environ: Mapping[str, Any], token: str, state: str) -> tuple[str, ...]:
    return (
        str(environ.get("PATH_INFO", "")),
        str(environ.get("QUERY_STRING", "")),
        str(environ.get("HTTP_HX_TARGET", "")),
        hashlib.sha256(token.encode()).hexdigest(),
        state,
    )


class PollShortcut:
    """The WSGI layer; `install` puts it in front of the app's WSGI callable."""

    def __init__(self, app: Flask, inner: WSGIApplication) -> None:
        self.app = app
        self.inner = inner
        self._answers: TTLCache[tuple[str, ...], _Answer] = TTLCache(maxsize=20_000, ttl=120)
        self._lock = threading.Lock()
        self._cookies: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=20_000, ttl=RESIGN_SECONDS)
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
            data = self._cookies.get(cookie)
        if data is None:
            try:
                data = self._serializer.loads(cookie, max_age=self._max_age)
            except BadSignature:
                return None
            # The same cookie, byte for byte, verifies the same way: checking its signature again on
            # every poll was a fifth of the shortcut's time. Only cookies that verified are kept.
            with self._lock:
                self._cookies[cookie] = data
        token, seen = data.get(_LOGIN), data.get(SEEN)
        if not isinstance(token, str) or not isinstance(seen, int | float) or isinstance(seen, bool):
            return None
        moment = self._now()
        # A minute-old idle clock is Flask's to re-sign (and the idle limit its to enforce).
        if not 0 <= moment.timestamp() - seen < min(RESIGN_SECONDS, self.policy.idle.total_seconds()):
            return None
        key = _key(environ, token, _cookie_state(data))
        with self._lock:
            answer = self._answers.get(key)
        if answer is None or moment >= answer.until or not parse_etags(wanted).contains_weak(answer.etag):
            return None
        try:
            live = self.read(self.app.extensions["db"].factory.kw["bind"], token, answer.counters, moment)
        except DBAPIError:  # a connection gone stale (a database restart): Flask's pool pings its own
            return None
        if not live:
            with self._lock:
                self._answers.pop(key, None)
            return None
        return answer

    def read(
        self, bind: Engine | Connection, token: str, counters: tuple[tuple[str, int], ...], moment: datetime
    ) -> bool:
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

    def keep(self, key: tuple[str, ...], answer: _Answer) -> None:
        with self._lock:
            self._answers[key] = answer

    def forget(self) -> None:
        """Drop every remembered answer (tests roll their data back; counters' values come again) and
        close the connections of its own."""
        with self._lock:
            self._answers.clear()
            self._cookies.clear()
            own, self._own = self._own, None
        if own is not None:
            own.dispose()


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
    key = _key(request.environ, token, _cookie_state(session))
    shortcut.keep(key, _Answer(request.endpoint or "", etag, counters, until))
