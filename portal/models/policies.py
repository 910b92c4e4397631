"""Policy data a bureau admin maintains on top of the TOML profiles (issue #5): application windows
(batches) for coming years and authority contacts. Each row names the profile it extends and the source
it was taken from; the audit trail records every change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text
from portal.models.clock import utcnow


class PolicyWindow(Base):
    """One application window (网上受理时间) of one batch for one authority code or ``"all"``.

    Used in addition to the profile's TOML batches; a row with the same batch id and authority as a
    TOML batch replaces it. ``levels`` is the comma-separated level names (员级,助理级,...).

    A self-review unit's window (SCOPE-13) opens only once its written filing with the title office of its
    level is recorded (WIN-02 001 一): ``filed_on`` (before the window opens), ``filed_with`` and
    ``filing_ref`` (the document number), all NULL until then. Kept on the window itself: one filing per
    set of dates, read wherever the window is, and dropped when its dates change.
    """

    __tablename__ = "policy_windows"
    __table_args__ = (
        CheckConstraint("closes >= opens", name="closes_after_opens"),
        CheckConstraint(
            "filed_on IS NULL OR (filed_on < opens AND filed_with IS NOT NULL AND filing_ref IS NOT NULL)",
            name="filed_before_opens",
        ),
        UniqueConstraint("bureau_id", "profile_id", "batch_id", "authority", name="uq_policy_windows_batch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    profile_id: Mapped[str] = mapped_column(String(40))
    batch_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    authority: Mapped[str] = mapped_column(String(40), default="all")
    levels: Mapped[str] = mapped_column(String(100))
    opens: Mapped[date]
    closes: Mapped[date]
    cutoff: Mapped[date | None]
    citation: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = bounded_text("note", LIMITS["window_note"], default="")
    filed_on: Mapped[date | None]
    filed_with: Mapped[str | None] = mapped_column(String(200))
    filing_ref: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def level_list(self) -> tuple[str, ...]:
        return tuple(x for x in self.levels.split(",") if x)


class AuthorityContact(Base):
    """A bureau's correction of a certifying authority's contact (name, phone, area) in its profile."""

    __tablename__ = "authority_contacts"
    __table_args__ = (
        UniqueConstraint("bureau_id", "profile_id", "authority_code", name="uq_authority_contacts_authority"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    profile_id: Mapped[str] = mapped_column(String(40))
    authority_code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(100), default="")
    area: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
