"""Reads kept on a database session until its next write (issue 20: a queue page asks the same question of
every row — who opened the actor's account, the bureau's profile, the rows' copies — and each was a read
per row). A memo lives in ``session.info`` under a key registered here, and every registered memo of a
session is forgotten when the session flushes, commits or rolls back, so nothing read before a write is
answered after it. A request's session ends with the request, and its memos with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEYS: set[str] = set()


def register(key: str) -> str:
    """Name a memo (once, at import); the name is returned for the module to keep."""
    _KEYS.add(key)
    return key


def memo(session: Session, key: str) -> dict[Any, Any]:
    """The session's memo under a registered key (created empty)."""
    assert key in _KEYS, key
    found: dict[Any, Any] = session.info.setdefault(key, {})
    return found


def forget(session: Session, *keys: str) -> None:
    """Drop memos now (a service that changes what one holds without flushing first)."""
    for key in keys or tuple(_KEYS):
        session.info.pop(key, None)


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _stale(session: Session, *_: Any) -> None:
    forget(session)
