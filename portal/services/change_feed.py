"""What changed since a moment, as each process learns it: lets an unchanged poll be answered without a
statement (issue 20, web/poll_shortcut.py).

An unchanged queue poll depends on three kinds of row: the login's session (deleted by a logout, a
revocation, a password set by someone else, the sweep), its user's `is_active`, and the change counters
its tag was computed from (`versions`). The shortcut read them with one statement per poll; that
statement was most of what separated it from a bare route. A feed tells the process when any of them may
have changed, so the answer a read confirmed stays confirmed until then:

- **PostgreSQL** (`NotifyFeed`): triggers (migration 0039) send `NOTIFY portal_change` as a write of
  those rows commits — a counter's new value, a deleted session's token hash, a user whose `is_active`
  changed. One thread per process LISTENs on a connection of its own and keeps the counters' values and
  when each session and user last changed. Every instance behind the load balancer hears every write, so
  a logout on one is seen by the next poll on any other, as with the statement. Until the thread is
  listening (and whenever its connection drops) the feed vouches for nothing and the shortcut reads.
- **SQLite** (`DataVersionFeed`): one database file on one machine. `PRAGMA data_version` on a
  connection of the feed's own changes when any other connection commits: a single number that moves
  with every write. Coarser (any write sends every poll to read once again), but one office's writes are
  few and a read on SQLite is cheap.

A feed is *conservative*: it may say "changed" when nothing relevant did (a reconnect, a pruning, an
unrelated write on SQLite), never "unchanged" when something did — except for the instant between a
commit and its notification reaching the process, the same window as a read made just before the commit.
"""

from __future__ import annotations

import logging
import os
import select
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Protocol

import psycopg
from sqlalchemy import Engine

from portal import filemodes

log = logging.getLogger(__name__)

CHANNEL = "portal_change"
APPLICATION_NAME = "portal-change-feed"  # how its connection shows in pg_stat_activity
# Payloads the triggers send (migrations/versions/0039_change_feed.py): v<name>=<value>, s<token hash>,
# u<user id>.
COUNTER, SESSION, USER = "v", "s", "u"
PRUNE_SECONDS = 300  # forget whose rows changed (and start a new epoch) this often: a bounded memory
MAX_REMEMBERED = 50_000
# The thread sleeps in select() until the database sends something; without news it wakes this often to
# ask the server whether the connection still stands (a network gone silent shows no error by itself),
# and the feed vouches only while such an answer is at most STALE_SECONDS old.
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 3 * HEARTBEAT_SECONDS


@dataclass(frozen=True)
class Mark:
    """A position in a feed: taken before a read, so a change the read did not see comes after it."""

    epoch: int
    seq: int


class ChangeFeed(Protocol):
    def mark(self) -> Mark | None:
        """Where the feed stands now; None when it cannot vouch for anything (not listening yet)."""

    def unchanged_since(
        self, mark: Mark, token_hash: str, user_id: int, counters: tuple[tuple[str, int], ...]
    ) -> bool:
        """Whether nothing that a read at `mark` confirmed can have changed since: the session, its user,
        and each counter still at the value given."""

    def close(self) -> None: ...


class DataVersionFeed:
    """SQLite: `PRAGMA data_version` on a read-only connection of its own (it never writes, so every
    change of the number is another connection's commit)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def mark(self) -> Mark | None:
        with self._lock:
            try:
                if self._connection is None or self._pid != os.getpid():  # a forked worker opens its own
                    self._connection = sqlite3.connect(self._path, check_same_thread=False)
                    self._pid = os.getpid()
                (version,) = self._connection.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                self._connection = None
                return None
        return Mark(0, int(version))

    def unchanged_since(
        self, mark: Mark, token_hash: str, user_id: int, counters: tuple[tuple[str, int], ...]
    ) -> bool:
        return self.mark() == mark

    def close(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None and self._pid == os.getpid():
            connection.close()


class NotifyFeed:
    """PostgreSQL: a thread per process LISTENing for the triggers' notifications (started by the first
    `mark` in the process, so a pre-forking server starts one in each worker, none in its master)."""

    def __init__(self, conninfo: str, *, retry_seconds: float = 2.0) -> None:
        self._conninfo = conninfo
        self._retry = retry_seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._live = False
        self._epoch = 0
        self._seq = 0
        self._counters: dict[str, int] = {}
        self._sessions: dict[str, int] = {}  # token hash -> seq of its last change
        self._users: dict[int, int] = {}
        self._pruned = time.monotonic()
        self._heard = 0.0  # when the server last answered (monotonic)
        self._wake: tuple[int, int] | None = None  # a pipe: `close` wakes the sleeping thread with it

    def _vouching(self) -> bool:
        return self._live and time.monotonic() - self._heard < STALE_SECONDS

    def mark(self) -> Mark | None:
        self._ensure_started()
        with self._lock:
            return Mark(self._epoch, self._seq) if self._vouching() else None

    def unchanged_since(
        self, mark: Mark, token_hash: str, user_id: int, counters: tuple[tuple[str, int], ...]
    ) -> bool:
        with self._lock:
            return (
                self._vouching()
                and mark.epoch == self._epoch
                and self._sessions.get(token_hash, 0) <= mark.seq
                and self._users.get(user_id, 0) <= mark.seq
                and all(self._counters.get(name, 0) == value for name, value in counters)
            )

    def listening(self, timeout: float) -> bool:
        """Wait until the thread listens (tests, and a warm-up); whether it does."""
        self._ensure_started()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.mark() is not None:
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and self._pid == os.getpid():
            wake, self._wake = self._wake, None
            if wake is not None:
                os.write(wake[1], b"x")
            thread.join(timeout=5)
            if wake is not None:
                for end in wake:
                    os.close(end)
        with self._lock:
            self._live = False

    def _ensure_started(self) -> None:
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid():
                return
            # A forked child inherits the parent's memory but not its thread: it listens for itself.
            self._pid, self._live = os.getpid(), False
            self._stop = threading.Event()
            self._wake = os.pipe()
            self._thread = threading.Thread(target=self._run, name="portal-change-feed", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._conninfo,
                    autocommit=True,
                    application_name=APPLICATION_NAME,
                    # A peer gone without a word is found by the kernel too, freeing a blocked thread.
                    keepalives=1,
                    keepalives_idle=10,
                    keepalives_interval=5,
                    keepalives_count=3,
                ) as connection:
                    self._listen(connection)
            except Exception as error:  # whatever it was, the polls read until the feed listens again
                log.warning("change feed: %s; polls read the database until it listens again", error)
            with self._lock:
                self._live = False
            self._stop.wait(self._retry)

    def _listen(self, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        connection.execute(f"LISTEN {CHANNEL}")
        # Listening first, then the counters: a bump committed in between arrives as a notification too.
        values = connection.execute("SELECT name, value FROM versions").fetchall()
        with self._lock:
            self._epoch += 1
            self._sessions.clear()
            self._users.clear()
            for name, value in values:
                self._raise(str(name), int(str(value)))
            self._live, self._heard = True, time.monotonic()
        # select() directly, not psycopg's notifies(): that one wakes ten times a second to look for an
        # interrupt, and each wake-up takes the interpreter's lock from the request the worker is serving.
        socket, pgconn, encoding = connection.fileno(), connection.pgconn, connection.info.encoding
        wake = self._wake[0] if self._wake is not None else None
        watched = [socket] if wake is None else [socket, wake]
        while not self._stop.is_set():
            ready, _, _ = select.select(watched, [], [], HEARTBEAT_SECONDS)
            if socket in ready:
                pgconn.consume_input()  # a connection the server closed raises here: _run reconnects
                while (notification := pgconn.notifies()) is not None:
                    self._apply(notification.extra.decode(encoding))
            elif not ready:
                connection.execute("SELECT 1")  # still there? (silence alone does not say)
            with self._lock:
                self._heard = time.monotonic()
            self._prune()

    def _apply(self, payload: str) -> None:
        kind, rest = payload[:1], payload[1:]
        with self._lock:
            if kind == COUNTER:
                name, _, value = rest.rpartition("=")
                self._raise(name, int(value))
                return
            self._seq += 1
            if kind == SESSION:
                self._sessions[rest] = self._seq
            elif kind == USER:
                self._users[int(rest)] = self._seq
            else:  # a payload this code does not know: vouch for nothing read before it
                self._epoch += 1

    def _raise(self, name: str, value: int) -> None:
        # Counters only go up; a notification older than the value read at start must not lower it.
        if value > self._counters.get(name, -1):
            self._counters[name] = value

    def _prune(self) -> None:
        now = time.monotonic()
        with self._lock:
            remembered = len(self._sessions) + len(self._users)
            if now - self._pruned < PRUNE_SECONDS and remembered < MAX_REMEMBERED:
                return
            # A new epoch retires every mark taken before it; the changes before it need no memory.
            self._epoch += 1
            self._sessions.clear()
            self._users.clear()
            self._pruned = now


def feed_for(engine: Engine) -> ChangeFeed | None:
    """The feed for the app's database: NotifyFeed on PostgreSQL, DataVersionFeed on a SQLite file, None
    for an in-memory database (nothing to share with another process anyway)."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return NotifyFeed(url.set(drivername="postgresql").render_as_string(hide_password=False))
    path = filemodes.sqlite_path(url.render_as_string(hide_password=False))
    return DataVersionFeed(str(path)) if path is not None else None
