"""Applicant accounts across enterprises: transfers between employers (history kept), bulk-import
batches (the uploaded file is kept, so the confirm step re-reads it instead of trusting the client),
and the social-insurance rosters an enterprise uploads (every upload kept; the newest one counts)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.glossary import state_title
from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text, one_of
from portal.models.files import StoredFile
from portal.models.organisations import Organisation
from portal.models.users import User


class TransferStatus(StrEnum):
    REQUESTED = "requested"
    COMPLETED = "completed"
    REFUSED = "refused"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        return state_title("transfer", self)


class ImportStatus(StrEnum):
    """A bulk-account file: checked on upload, imported (good rows only) once HR confirms."""

    CHECKED = "checked"
    IMPORTED = "imported"

    @property
    def title(self) -> str:
        return state_title("import", self)


class AccountTransfer(Base):
    """A request by a new employer to take over an applicant account another enterprise holds.
    The old employer releases (the account moves) or refuses; the row stays as history."""

    __tablename__ = "account_transfers"
    __table_args__ = (
        one_of("status", TransferStatus),
        CheckConstraint("from_org_id <> to_org_id", name="two_orgs"),
        # At most one open request per account.
        Index(
            "uq_account_transfers_open_user",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'requested'"),
            postgresql_where=text("status = 'requested'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    to_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=TransferStatus.REQUESTED.value)
    reason: Mapped[str] = bounded_text("reason", LIMITS["transfer_note"], default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = bounded_text("decision_note", LIMITS["transfer_note"], default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    from_org: Mapped[Organisation] = relationship(foreign_keys=[from_org_id])
    to_org: Mapped[Organisation] = relationship(foreign_keys=[to_org_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def state(self) -> TransferStatus:
        return TransferStatus(self.status)


class ImportBatch(Base):
    """One uploaded bulk-account file: checked on upload, imported (good rows only) on confirmation."""

    __tablename__ = "import_batches"
    __table_args__ = (one_of("status", ImportStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.CHECKED.value)
    total_rows: Mapped[int] = mapped_column(default=0)
    bad_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime | None]

    file: Mapped[StoredFile] = relationship()

    @property
    def state(self) -> ImportStatus:
        return ImportStatus(self.status)


class Roster(Base):
    """One upload of an enterprise's 参保人员名单; the newest one is matched, the older ones are history."""

    __tablename__ = "rosters"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    row_count: Mapped[int] = mapped_column(default=0)
    skipped_rows: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]

    file: Mapped[StoredFile] = relationship()
    uploaded_by: Mapped[User] = relationship()


class RosterEntry(Base):
    """One insured person as the roster lists them (the ID number in canonical form)."""

    __tablename__ = "roster_entries"
    __table_args__ = (Index("ix_roster_entries_roster_id_number", "roster_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    insuring_unit: Mapped[str] = mapped_column(String(200))
    months: Mapped[int | None]


class RegistrationVoid(Base):
    """The bureau admin's void of an account a person registered themselves (ACC-04) and no unit attached:
    a bogus registration in someone else's name, or an abandoned one (a typo'd name) that holds an ID
    number. The account row stays — audit rows name it as their actor (and are never deleted), so it
    cannot go — but it gives its numbers up: ``users.id_number`` and ``users.phone`` are unique, and a
    voided account holding them would keep the real person from registering again or their unit's HR
    from opening their account. So the void rewrites them to values no document or mobile can take
    (:func:`portal.services.registration_voids.released_numbers`) and disables the account; the numbers as
    registered are kept here, with who voided it, when and why. One row per account."""

    __tablename__ = "registration_voids"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(LIMITS["person_name"]))  # as registered
    id_number: Mapped[str] = mapped_column(String(18))  # as registered (given up by the account)
    phone: Mapped[str] = mapped_column(String(11))  # as registered (given up by the account)
    reason: Mapped[str] = bounded_text("reason", LIMITS["void_reason"])
    voided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    voided_by: Mapped[User] = relationship(foreign_keys=[voided_by_id])
