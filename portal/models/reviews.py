"""Review work around an application: correction requests (one complete list per return), stand-ins
who act for a reviewer on leave, and the in-app notifications people receive."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text
from portal.models.clock import utcnow
from portal.models.users import Membership, User


class Correction(Base):
    """One return: every item to correct, listed at once, with a deadline."""

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'resubmitted', 'abandoned', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    requested_at: Mapped[datetime]
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="open")
    counted: Mapped[bool] = mapped_column(default=False)  # a return after the unit's approval
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the form as it was returned
    closed_at: Mapped[datetime | None]
    warned_at: Mapped[datetime | None]

    requested_by: Mapped[User] = relationship()
    items: Mapped[list[CorrectionItem]] = relationship(
        back_populates="correction", order_by="CorrectionItem.id"
    )


class CorrectionItem(Base):
    __tablename__ = "correction_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    correction_id: Mapped[int] = mapped_column(ForeignKey("corrections.id"), index=True)
    section: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = bounded_text("reason", LIMITS["return_reason"])
    # The applicant's written reason for leaving this item as it is (issue 17.1), given at resubmission.
    response: Mapped[str] = bounded_text("response", LIMITS["response"], default="", server_default="")

    correction: Mapped[Correction] = relationship(back_populates="items")


class StandIn(Base):
    """A dated substitute who acts in a reviewer's role while they are away (audited)."""

    __tablename__ = "stand_ins"
    __table_args__ = (CheckConstraint("starts_on <= ends_on", name="period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    substitute_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    membership: Mapped[Membership] = relationship(lazy="joined")
    substitute: Mapped[User] = relationship(foreign_keys=[substitute_id])


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]
