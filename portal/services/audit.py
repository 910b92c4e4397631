"""Writing audit events. Rows are only ever inserted (DESIGN.md §5: never updated or deleted).

A refused or failed attempt (`record_attempt`) outlives the work it refused: its row is written in the
caller's transaction like any other, and remembered on the session; when a rollback takes it away (the
request's, as the unit of work rolls a refused request back, or a savepoint's, as a bulk action undoes
one refused item), `restore_attempts` writes it again. Every commit restores them first, and after a
rolled-back request the unit of work (portal.web.unit_of_work) commits them in a short transaction of
their own. So a refusal is audited the same way whether it came alone or inside a bulk action.

Every commit that wrote audit rows seals them into the hash chain just before it commits
(portal.domain.auditchain): under a lock (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already
serialises writers) it reads the last link and chains the new rows after it, so the chain follows
commit order and never forks. The lock is taken at the very end of the transaction, after every row
lock the transaction needed, so it cannot take part in a deadlock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from portal.domain import auditchain
from portal.domain.i18n import Text, from_record, to_record
from portal.models import AuditEvent
from portal.services.actors import Actor

_UNSEALED = "audit_unsealed"
_ATTEMPTS = "audit_attempts"  # session.info: the refused/failed attempts of the current transaction
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
    """Insert one audit event in the caller's transaction (flushed; sealed into the chain at commit). A
    `reason` that is a message (the system's own note, e.g. a vote's tally) keeps its msgid and parameters
    in ``detail["reason_record"]`` beside its Chinese text, so the history reads in each reader's
    language (`reason_of`)."""
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
            **({"reason_record": to_record(reason)} if isinstance(reason, Text) else {}),
        },
        ip=actor.ip if actor else "",
        request_id=actor.request_id if actor else "",
    )
    session.add(event)
    session.flush()
    mark_unsealed(session)
    return event


def reason_of(event: AuditEvent) -> str:
    """The event's reason: the message it was recorded as (translated where shown), else as written (a
    reason typed by a person, or a note recorded before notes were kept as messages)."""
    record = (event.detail or {}).get("reason_record")
    return from_record(record) if isinstance(record, dict) else event.reason


@dataclass
class _Attempt:
    """A refused or failed attempt, kept to be written again if a rollback takes its row away."""

    actor: Actor | None
    action: str
    at: datetime
    fields: dict[str, Any]
    row: AuditEvent | None = None


def record_attempt(
    session: Session,
    actor: Actor | None,
    action: str,
    now: datetime,
    *,
    object_type: str,
    outcome: str = "denied",
    **fields: Any,
) -> AuditEvent:
    """Audit a refused ("denied") or failed attempt so that it is kept even if the work around it is
    rolled back: written now (the caller's transaction sees it) and written again by
    `restore_attempts` after a rollback took it away."""
    attempt = _remember(session, actor, action, now, object_type=object_type, outcome=outcome, **fields)
    attempt.row = record(session, actor, action, now, **attempt.fields)
    return attempt.row


def note_attempt(
    session: Session,
    actor: Actor | None,
    action: str,
    now: datetime,
    *,
    object_type: str,
    outcome: str = "denied",
    **fields: Any,
) -> None:
    """Remember a refusal without writing it yet: for a caller whose transaction is about to be rolled
    back (an error page); `restore_attempts` writes it once that is done."""
    _remember(session, actor, action, now, object_type=object_type, outcome=outcome, **fields)


def _remember(session: Session, actor: Actor | None, action: str, now: datetime, **fields: Any) -> _Attempt:
    attempt = _Attempt(actor, action, now, fields)
    session.info.setdefault(_ATTEMPTS, []).append(attempt)
    return attempt


def restore_attempts(session: Session) -> int:
    """Write again every remembered attempt whose row is not in the current transaction (never written,
    or taken away by a rollback of the transaction or of a savepoint); returns how many were written."""
    written = 0
    for attempt in session.info.get(_ATTEMPTS, []):
        if attempt.row is not None and inspect(attempt.row).persistent:
            continue
        attempt.row = record(session, attempt.actor, attempt.action, attempt.at, **attempt.fields)
        written += 1
    return written


def mark_unsealed(session: Session) -> None:
    """This transaction added audit rows: its commit seals them into the chain."""
    session.info[_UNSEALED] = True


def fields(row: AuditEvent) -> dict[str, Any]:
    """The chained fields of an audit row, as the hash chain reads them."""
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
    restore_attempts(session)  # a refusal a savepoint took away is committed all the same
    if session.info.get(_UNSEALED) or any(isinstance(obj, AuditEvent) for obj in session.new):
        seal(session)


@event.listens_for(Session, "after_commit")
def _forget_committed_attempts(session: Session) -> None:
    if not session.in_nested_transaction():  # a released savepoint can still be rolled back
        session.info.pop(_ATTEMPTS, None)


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
    """Walk the whole chain: how many rows it holds and the first break, if any."""
    return auditchain.verify(chain_rows(session))


def events_for(session: Session, object_type: str, object_id: int) -> list[AuditEvent]:
    """Every audit event about one object, oldest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))
