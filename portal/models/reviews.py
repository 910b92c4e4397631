"""Review work around an application: the steps reviewers take (the signature rows the database checks),
correction requests (one complete list per return), stand-ins who act for a reviewer on leave, and the
in-app notifications people receive."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.domain.glossary import state_title
from portal.domain.i18n import Text as I18nText
from portal.domain.i18n import from_record, to_record
from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text, one_of
from portal.models.clock import utcnow
from portal.models.users import Membership, User

# A leader's signature: what signs the handler's first review at the same stage (DESIGN.md §3).
SIGNING_ACTIONS = ("leader_approve", "certify", "send_to_committee")
REVIEW_ACTIONS = (
    "handler_approve",
    "leader_approve",
    "certify",
    "return",
    "send_back",
    "reject",
    "start_notice",
    "forward",
    "send_to_committee",
    "return_to_sender",
)


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class ReviewStep(Base):
    """One step a handler or leader took on an application, written by services.transitions with the
    status change it made: who, in which role, for which organisation, on whose application, and, for a
    leader's signature, whose first review they signed (`handler_id`).

    The two-person rules live in the database too (a bug or a direct SQL fix cannot break them): the
    CHECKs below refuse a step by the application's applicant and a signature by the handler it signs;
    triggers (migration 0014) refuse an `applicant_id` that is not the application's and a `handler_id`
    that is not the handler of the stage's latest first review, and make the rows append-only.
    """

    __tablename__ = "review_steps"
    __table_args__ = (
        CheckConstraint("role IN ('handler', 'leader')", name="role"),
        CheckConstraint(f"action IN ({_sql_list(REVIEW_ACTIONS)})", name="action"),
        CheckConstraint("actor_id <> applicant_id", name="not_by_applicant"),
        CheckConstraint(
            f"action NOT IN ({_sql_list(SIGNING_ACTIONS)})"
            " OR (role = 'leader' AND handler_id IS NOT NULL AND handler_id <> actor_id)",
            name="leader_is_not_the_handler",
        ),
        Index("ix_review_steps_application_org", "application_id", "org_id", "id"),
        Index("ix_review_steps_actor", "actor_id", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stand_in_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class CorrectionStatus(StrEnum):
    """A return's correction list: open until the applicant resubmits, the deadline passes or it is closed."""

    OPEN = "open"
    RESUBMITTED = "resubmitted"
    ABANDONED = "abandoned"
    CLOSED = "closed"

    @property
    def title(self) -> str:
        return state_title("correction", self)


class Correction(Base):
    """One return: every item to correct, listed at once, with a deadline."""

    __tablename__ = "corrections"
    __table_args__ = (one_of("status", CorrectionStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    requested_at: Mapped[datetime]
    deadline: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default=CorrectionStatus.OPEN.value)
    counted: Mapped[bool] = mapped_column(default=False)  # a return after the unit's approval
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the form as it was returned
    # REV-03: the keys the return could name then (its sections, fields, rows and the material slots its
    # checklist showed): a later return is warned only about what this one could have listed. NULL on
    # returns recorded before it was kept (portal.domain.corrections.belated says how those are read).
    offered: Mapped[list[str] | None] = mapped_column(JSON)
    closed_at: Mapped[datetime | None]
    warned_at: Mapped[datetime | None]

    requested_by: Mapped[User] = relationship()
    items: Mapped[list[CorrectionItem]] = relationship(
        back_populates="correction", order_by="CorrectionItem.id"
    )

    @property
    def state(self) -> CorrectionStatus:
        return CorrectionStatus(self.status)


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
    text: Mapped[str] = mapped_column(Text)  # Chinese: the e-mail's text, and what older rows show
    # The message's msgid and parameters (set with `text`), so each reader sees it in their language.
    message_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]

    @validates("text")
    def _keep_record(self, _key: str, text: str) -> str:
        self.message_record = to_record(text) if isinstance(text, I18nText) else None
        return str(text)

    @property
    def shown_text(self) -> I18nText | None:
        """The message to translate, or None for a row written before messages were kept (show `text` as
        Chinese)."""
        return from_record(self.message_record) if self.message_record else None
