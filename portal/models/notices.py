"""Public notices (公示): the notice, the applications in it, and objections (异议) filed against it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.glossary import state_title
from portal.domain.text import LIMITS
from portal.models.applications import Application
from portal.models.base import Base, bounded_text, one_of
from portal.models.clock import utcnow
from portal.models.files import StoredFile
from portal.models.organisations import Organisation
from portal.models.users import User


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"

    @property
    def title(self) -> str:
        return state_title("notice", self)


class NoticePurpose(StrEnum):
    """What a notice publishes: applicants under review (a unit's or a reviewing level's notice), the
    applicants a committee office accepted (评前公示, 003 五(三)), or a committee's results (评审结果公示)."""

    APPLICANTS = "applicants"
    PRE_REVIEW = "pre_review"
    RESULT = "result"

    @property
    def title(self) -> str:
        return state_title("notice_purpose", self)


class EntryOutcome(StrEnum):
    """How an application came out of a notice: still in it, passed, or removed on an upheld objection."""

    PENDING = "pending"
    PASSED = "passed"
    REMOVED = "removed"

    @property
    def title(self) -> str:
        return state_title("notice_entry", self)


class ObjectionStatus(StrEnum):
    """An objection filed on the public page: open until the organisation records how it was handled."""

    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"

    @property
    def title(self) -> str:
        return state_title("objection", self)


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        one_of("status", NoticeStatus),
        one_of("purpose", NoticePurpose),
        CheckConstraint("days >= 1", name="days_positive"),
        CheckConstraint("first_day <= last_day", name="period_order"),
        CheckConstraint("status = 'draft' OR published_at IS NOT NULL", name="published_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(LIMITS["notice_line"]))
    location: Mapped[str] = mapped_column(String(LIMITS["notice_line"]))  # where it is posted in the unit
    contact: Mapped[str] = mapped_column(String(LIMITS["notice_line"]))  # how to raise an objection
    start_date: Mapped[date]
    days: Mapped[int] = mapped_column(default=5)
    first_day: Mapped[date]
    last_day: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=NoticeStatus.DRAFT.value)
    purpose: Mapped[str] = mapped_column(
        String(12), default=NoticePurpose.APPLICANTS.value, server_default=NoticePurpose.APPLICANTS.value
    )
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    org: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    entries: Mapped[list[NoticeEntry]] = relationship(back_populates="notice", order_by="NoticeEntry.id")
    objections: Mapped[list[Objection]] = relationship(back_populates="notice", order_by="Objection.id")

    @property
    def state(self) -> NoticeStatus:
        return NoticeStatus(self.status)

    @property
    def notice_purpose(self) -> NoticePurpose:
        return NoticePurpose(self.purpose)


class NoticeEntry(Base):
    """One application in a notice, and how it came out of it."""

    __tablename__ = "notice_entries"
    __table_args__ = (
        UniqueConstraint("notice_id", "application_id", name="uq_notice_entries_notice_application"),
        one_of("outcome", EntryOutcome),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10), default=EntryOutcome.PENDING.value)
    outcome_note: Mapped[str] = bounded_text("outcome_note", LIMITS["handling"], default="")
    # The 公示表's 专业工作年限 as published (counted once at publication, CUT-06): the posted sheet reads
    # as it was posted, and its public page counts nothing per row. NULL: a draft, counted when shown.
    years_shown: Mapped[str | None] = mapped_column(String(40))

    notice: Mapped[Notice] = relationship(back_populates="entries")
    application: Mapped[Application] = relationship(lazy="joined")

    @property
    def state(self) -> EntryOutcome:
        return EntryOutcome(self.outcome)


class Objection(Base):
    __tablename__ = "objections"
    __table_args__ = (
        one_of("status", ObjectionStatus),
        CheckConstraint("status = 'open' OR handled_at IS NOT NULL", name="handled_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("notice_entries.id"))
    name: Mapped[str] = mapped_column(String(50))
    contact: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = bounded_text("text", LIMITS["objection"])
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    ip: Mapped[str] = mapped_column(String(45), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=ObjectionStatus.OPEN.value)
    handling: Mapped[str] = bounded_text("handling", LIMITS["handling"], default="")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None]

    notice: Mapped[Notice] = relationship(back_populates="objections")
    entry: Mapped[NoticeEntry | None] = relationship()
    attachment: Mapped[StoredFile | None] = relationship()
    handled_by: Mapped[User | None] = relationship()

    @property
    def state(self) -> ObjectionStatus:
        return ObjectionStatus(self.status)
