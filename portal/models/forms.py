"""The 申报表's repeating sections (issue 21): one row per degree, job, title or qualification, exam,
year of continuing education, achievement, paper, award, patent or standard. What a row holds and how it
is validated is the domain's (portal.domain.form: typed field specs per section); the database keeps each
row's section (a CHECK on the section enum), its place in the section and its values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.domain.form import SectionKey
from portal.models.base import Base, one_of
from portal.models.clock import utcnow


class FormRow(Base):
    __tablename__ = "form_rows"
    __table_args__ = (
        one_of("section", SectionKey),
        CheckConstraint("position >= 0", name="position_positive"),
        Index("ix_form_rows_application", "application_id", "section", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    section: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
