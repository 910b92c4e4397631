"""A certifying authority's year-end report to the city title office (REP-01, Ganzhou 001 四(七), 000 四(六)):
the 批复 and the certificate Excel of the year's recognition, sent by 12-31. One row per bureau, profile
authority and year, written when the bureau records that the report was sent; who and when are kept here
and in the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base
from portal.models.clock import utcnow
from portal.models.users import User


class YearEndReport(Base):
    """That ``authority_code`` (an authority of the bureau's profile) reported ``year`` to the city office."""

    __tablename__ = "year_end_reports"
    __table_args__ = (
        UniqueConstraint("bureau_id", "authority_code", "year", name="uq_year_end_reports_authority_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    authority_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)

    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])
