"""Writing audit events. Rows are only ever inserted (DESIGN.md §5: never updated or deleted)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent
from portal.services.actors import Actor


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
    return event


def events_for(session: Session, object_type: str, object_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(stmt))
