"""A rate-limit store every worker of one machine shares, for the embedded default (no Redis).

Flask-Limiter counts in the store named by RATELIMIT_STORAGE_URI. Its `memory://` store counts per
process: with several gunicorn workers each counted its own share, so 60 wrong logins over new
connections all went through (issue 16 item 12). With Redis configured the limiter uses it (the limits
library's own Redis store, shared by every instance); without, this store keeps the counters in a small
SQLite file of their own (`portal+sqlite:///path`, beside the queue's file, never in the portal's
database: a throttled GET must not write there, and the counters are not business data).

It implements the limits library's storage interface for the fixed-window strategy (the one the portal
uses): one row per key with its count and when its window ends, changed under SQLite's write lock.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from limits.storage import Storage

SCHEME = "portal+sqlite"


class SharedSqliteStorage(Storage):
    """Fixed-window counters in a SQLite file (WAL, BEGIN IMMEDIATE): shared by every process on the
    machine that opens the same file."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 - the limits library's registry reads a list

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: object) -> None:
        path = urlparse(uri or "").path
        if not path:
            raise ValueError(
                f"{SCHEME}:// needs a file path, e.g. {SCHEME}:///var/lib/portal/ratelimits.sqlite3"
            )
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)  # type: ignore[arg-type]
        with self._connection() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value INTEGER, expires REAL)"
            )

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=15, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute("SELECT value, expires FROM counters WHERE key = ?", (key,)).fetchone()
            if row is None or row[1] <= now:
                value = amount
                db.execute(
                    "INSERT OR REPLACE INTO counters (key, value, expires) VALUES (?, ?, ?)",
                    (key, value, now + expiry),
                )
            else:
                value = row[0] + amount
                db.execute("UPDATE counters SET value = ? WHERE key = ?", (value, key))
            if row is None:  # now and then, drop windows that ended long ago
                db.execute("DELETE FROM counters WHERE expires < ?", (now - 3600,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        cursor = self._connection().execute("DELETE FROM counters")
        return cursor.rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
