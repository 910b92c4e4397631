"""The dossier's files: materials uploaded into checklist slots, the copies' endorsements (与原件相符 with
the handler's name, the date and the unit's seal, as a new stamped file next to the untouched original),
and each enterprise's seal image."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text
from portal.models.clock import utcnow
from portal.models.files import StoredFile
from portal.models.organisations import Organisation
from portal.models.users import User


class Material(Base):
    """One file in one checklist slot. Removing it (or replacing it after a return) only marks it removed."""

    __tablename__ = "materials"
    __table_args__ = (
        CheckConstraint("kind IN ('original', 'copy')", name="kind"),
        CheckConstraint("pages >= 1", name="pages_positive"),
        CheckConstraint("(removed_at IS NULL) = (removed_by_id IS NULL)", name="removed_has_who"),
        Index("ix_materials_application_slot", "application_id", "slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    slot: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10), default="original")  # 原件扫描 or 复印件
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    thumbnail_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    pages: Mapped[int] = mapped_column(default=1)
    combined: Mapped[int] = mapped_column(default=1)  # how many uploaded files were combined into it
    document_date: Mapped[date | None]  # the document's own date (备案表: the day it was printed)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    file: Mapped[StoredFile] = relationship(foreign_keys=[file_id], lazy="joined")
    thumbnail: Mapped[StoredFile | None] = relationship(foreign_keys=[thumbnail_id])
    # Not a column: what the upload's acceptance removed (scripts, EXIF…), set by services.materials for
    # the response that reports the upload; the upload_material audit event keeps it.
    removed_on_upload = ()
    recompressed_on_upload = False  # likewise: photos or a scan compressed to fit the cap
    replaced_on_upload: tuple[str, ...] = ()  # likewise: the returned files it replaced, by name
    uploaded_by: Mapped[User] = relationship(foreign_keys=[uploaded_by_id])
    endorsements: Mapped[list[Endorsement]] = relationship(
        back_populates="material", order_by="Endorsement.id"
    )

    @property
    def is_copy(self) -> bool:
        return self.kind == "copy"

    @property
    def endorsement(self) -> Endorsement | None:
        """The endorsement in force (revoked ones stay on record)."""
        return next((e for e in reversed(self.endorsements) if e.revoked_at is None), None)


class UnitSeal(Base):
    """An enterprise's seal image, uploaded once by its leader; a new upload retires the old one."""

    __tablename__ = "unit_seals"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

    org: Mapped[Organisation] = relationship()
    file: Mapped[StoredFile] = relationship(lazy="joined")
    uploaded_by: Mapped[User] = relationship()


class Endorsement(Base):
    """与原件相符: written once, never edited; a revocation is recorded on it (audited) and a new
    endorsement may follow."""

    __tablename__ = "endorsements"
    __table_args__ = (
        CheckConstraint(
            "(revoked_at IS NULL AND revoked_by_id IS NULL) OR "
            "(revoked_at IS NOT NULL AND revoked_by_id IS NOT NULL AND revoke_reason <> '')",
            name="revocation_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("materials.id"), index=True)
    stamped_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    seal_id: Mapped[int] = mapped_column(ForeignKey("unit_seals.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    handler_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    handler_name: Mapped[str] = mapped_column(String(LIMITS["person_name"]))  # users.name as it was
    opinion: Mapped[str] = mapped_column(String(50), default="与原件相符")
    endorsed_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str] = bounded_text("revoke_reason", LIMITS["reason"], default="")

    material: Mapped[Material] = relationship(back_populates="endorsements")
    stamped_file: Mapped[StoredFile] = relationship(lazy="joined")
    seal: Mapped[UnitSeal] = relationship()
    org: Mapped[Organisation] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
