"""Writing audit events. Rows are only ever inserted (DESIGN.md §5: never updated or deleted).

Every commit that wrote audit rows seals them into the hash chain just before it commits
(portal.domain.auditchain): under a lock (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already
serialises writers) it reads the last link and chains the new rows after it, so the chain follows
commit order and never forks. The lock is taken at the very end of the transaction, after every row
lock the transaction needed, so it cannot take part in a deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from portal.domain import auditchain
from portal.models import AuditEvent
from portal.services.actors import Actor

_UNSEALED = "audit_unsealed"
_CHAIN_LOCK = 0x6175646974  # "audit": the advisory lock key on PostgreSQL


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    now: datetime,
    *,
    object_type: str,
    object_id: int | None = None,
    outcome: str = "ok",
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str = "",
    role: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=now,
        actor_id=actor.user_id if actor and actor.user_id else None,
        org_id=actor.org_id if actor else None,
        role=role or (actor.staff_role.value if actor and actor.staff_role else None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        detail={
            **(detail or {}),
            **({"stand_in_for": actor.stand_in_for} if actor and actor.stand_in_for else {}),
        },
        ip=actor.ip if actor else "",
        request_id=actor.request_id if actor else "",
    )
    session.add(event)
    session.flush()
    mark_unsealed(session)
    return event


def mark_unsealed(session: Session) -> None:
    """This transaction added audit rows: its commit seals them into the chain."""
    session.info[_UNSEALED] = True


def fields(row: AuditEvent) -> dict[str, Any]:
    return {name: getattr(row, name) for name in auditchain.FIELDS}


def seal(session: Session) -> int:
    """Chain every unsealed audit row this transaction can see; returns how many were sealed."""
    session.info.pop(_UNSEALED, None)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = session.execute(
        select(AuditEvent.chain_seq, AuditEvent.chain_hash)
        .where(AuditEvent.chain_seq.is_not(None))
        .order_by(AuditEvent.chain_seq.desc())
        .limit(1)
    ).first()
    seq, previous = (last[0], last[1]) if last else (0, auditchain.GENESIS)
    pending = list(
        session.scalars(select(AuditEvent).where(AuditEvent.chain_seq.is_(None)).order_by(AuditEvent.id))
    )
    for row in pending:
        seq += 1
        row.chain_seq = seq
        row.chain_hash = previous = auditchain.link(previous, seq, fields(row))
    session.flush()
    return len(pending)


@event.listens_for(Session, "before_commit")
def _seal_before_commit(session: Session) -> None:
    if session.info.get(_UNSEALED) or any(isinstance(obj, AuditEvent) for obj in session.new):
        seal(session)


def chain_rows(
    session: Session, batch: int = 1000
) -> Iterator[tuple[int | None, str | None, dict[str, Any]]]:
    """Every audit row in chain order, then any unsealed ones (which verify reports); read in keyset
    batches, so no cursor stays open when the caller stops at the first break."""
    columns = [AuditEvent.chain_seq, AuditEvent.chain_hash] + [
        getattr(AuditEvent, name) for name in auditchain.FIELDS
    ]
    last = 0
    while True:
        rows = session.execute(
            select(*columns).where(AuditEvent.chain_seq > last).order_by(AuditEvent.chain_seq).limit(batch)
        ).all()
        for row in rows:
            yield row[0], row[1], dict(zip(auditchain.FIELDS, row[2:], strict=True))
        if len(rows) < batch:
            break
        last = rows[-1][0]
    unsealed = session.execute(
        select(*columns).where(AuditEvent.chain_seq.is_(None)).order_by(AuditEvent.id).limit(1)
    ).all()
    for row in unsealed:
        yield row[0], row[1], dict(zip(auditchain.FIELDS, row[2:], strict=True))


def verify_chain(session: Session) -> tuple[int, auditchain.Break | None]:
    return auditchain.verify(chain_rows(session))


def events_for(session: Session, object_type: str, object_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))
