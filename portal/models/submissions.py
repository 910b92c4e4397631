"""One-time form tokens of the public forms (issue 17.2): each use of a token is a row, and the token is
unique, so a replayed or double-clicked submission finds the first one's row instead of making a second
record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class FormSubmission(Base):
    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the database refuses a second use
    purpose: Mapped[str] = mapped_column(String(40))  # which form (a token of one form is no key to another)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    created_at: Mapped[datetime]
