"""Audit events: append-only rows, one per attempted action, with who, where, what and outcome.

Rows are hash-chained in commit order (chain_seq, chain_hash = SHA-256 of the previous hash and the
row's canonical form, portal.domain.auditchain), so an edited, deleted or inserted row is detected by
`flask audit verify`; database triggers (migration 0006) refuse DELETE and any UPDATE of a sealed row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.glossary import state_title
from portal.models.base import Base, one_of
from portal.models.users import User


class AuditOutcome(StrEnum):
    """How an attempt ended: done, refused by a rule or a permission, or failed (e.g. a file that no longer
    matches its hash)."""

    OK = "ok"
    DENIED = "denied"
    FAILED = "failed"

    @property
    def title(self) -> str:
        return state_title("audit_outcome", self)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        one_of("outcome", AuditOutcome),
        Index("ix_audit_events_object", "object_type", "object_id", "id"),
        # The viewer's order and keyset, newest first by time (services/audit_trail.py).
        Index("ix_audit_events_at", "at", "id"),
        # The viewer's two filter lists, one UNION over the scope's branches (audit_trail.filter_options):
        # each branch reads the tree's own entries of one of these, never a row of the table.
        Index("ix_audit_events_org_kinds", "org_id", "action", "object_type"),
        Index("ix_audit_events_actor_kinds", "actor_id", "action", "object_type"),
        # The list filtered by one action, newest first: that action's entries in order, not the whole
        # trail's walked until 51 of them turn up (a rare action, 撤销证书, read every row).
        Index("ix_audit_events_action_at", "action", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(10), default=AuditOutcome.OK.value)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str] = mapped_column(String(45), default="")
    request_id: Mapped[str] = mapped_column(String(36), default="")
    chain_seq: Mapped[int | None] = mapped_column(unique=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship(lazy="joined")
