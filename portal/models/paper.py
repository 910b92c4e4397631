"""Paper follow-up (纸质材料报送, MAT-15): one checklist per application whose policy asks for the paper
dossier after the online approval, kept by the office that approved it online and receives the paper."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text
from portal.models.clock import utcnow
from portal.models.users import User


class PaperFollowup(Base):
    """Opened at the online approval; `due_on` is fixed then from the working-day calendar (None when the
    calendar did not know the year), `completed_at` set once every item has been received."""

    __tablename__ = "paper_followups"
    __table_args__ = (
        CheckConstraint("workdays >= 0", name="workdays"),
        # The queue's 纸质材料逾期 filter: open checklists by due day.
        Index("ix_paper_followups_open_due", "completed_at", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # receives the paper
    approved_on: Mapped[date]
    workdays: Mapped[int]
    due_on: Mapped[date | None]
    citation: Mapped[str] = mapped_column(String(60))
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[PaperItem]] = relationship(
        back_populates="followup", order_by="PaperItem.position", lazy="selectin"
    )


class PaperItem(Base):
    """One paper document: received, originals checked, by whom and when, and a remark."""

    __tablename__ = "paper_items"
    __table_args__ = (CheckConstraint("received OR NOT originals_checked", name="checked_after_received"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(ForeignKey("paper_followups.id"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    received: Mapped[bool] = mapped_column(default=False)
    originals_checked: Mapped[bool] = mapped_column(default=False)
    remark: Mapped[str] = bounded_text("remark", LIMITS["remark"], default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]

    followup: Mapped[PaperFollowup] = relationship(back_populates="items")
    updated_by: Mapped[User | None] = relationship()
