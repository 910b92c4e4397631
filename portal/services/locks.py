"""Transaction-scoped locks for rules that count rows and then write one (issue 16 item 8).

A cap ("at most five objections per address a day") or a "none may overlap" rule read as count-then-insert
lets concurrent requests all count the same number and all insert: on PostgreSQL 16 concurrent objections
stored 9-15 against a cap of 5. Where no unique constraint can state the rule, the service takes
:func:`hold` on the rule's key first, so the count and the write happen one request at a time per key.

- PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit hash of the key, released at commit or rollback. Under
  READ COMMITTED each statement after the lock sees what the previous holder committed.
- SQLite: every transaction already starts with ``BEGIN IMMEDIATE`` (portal.extensions), which takes the
  database's write lock for the whole transaction: writers are serialised, nothing more is needed.

Keys are namespaced strings (``lock_key("objection-ip", ip)``); the audit chain's lock (portal.services.audit)
uses a fixed key of its own.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def lock_key(*parts: object) -> int:
    """A stable signed 64-bit key for the parts (blake2b, not Python's per-process ``hash``)."""
    digest = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def hold(session: Session, *parts: object) -> None:
    """Serialise this transaction with every other one holding the same key, until it ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(*parts)})
