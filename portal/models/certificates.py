"""Certificates after issue: public lookups (each one logged for the holder to see) and the integrity
record (诚信档案) that a revoked certificate puts a person on for a period (INT-01..03)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text
from portal.models.clock import utcnow
from portal.models.users import User


class CertificateLookup(Base):
    __tablename__ = "certificate_lookups"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    found: Mapped[bool]
    via: Mapped[str] = mapped_column(String(10))  # qr | form
    ip: Mapped[str] = mapped_column(String(45), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class IntegrityRecord(Base):
    """A person barred from applying until `ends_on`, with the reason and the clause that says so."""

    __tablename__ = "integrity_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    reason: Mapped[str] = bounded_text("reason", LIMITS["reason"])
    clause: Mapped[str] = mapped_column(String(50), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
