"""People and their places: real-name users, staff memberships (with history), the second-person requests
that end a membership, login sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.i18n import Language
from portal.domain.identity import DocumentType
from portal.domain.mail import OPTIONAL_TOPICS
from portal.domain.staffing import StaffRole
from portal.domain.text import LIMITS
from portal.models.base import Base, one_of
from portal.models.clock import utcnow
from portal.models.organisations import Organisation

DOCUMENT_TYPES = (
    "resident_id",
    "hmt_residence_permit",
    "foreign_permanent_residence",
    "hk_macau_permit",
    "taiwan_permit",
    "passport",
)


class User(Base):
    """A real person with one login. `employer_id` is set for applicant accounts (held by an enterprise).

    `id_number` is the canonical number of the identity document `document_type` (portal.domain.identity)
    and is unique across the system: one account per person. Passport holders also carry their
    nationality and the permit that lets them apply (SCOPE-03). `employment_type` is asked when an
    applicant account is opened; the types SCOPE-04 excludes can never be stored.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "document_type IN (" + ", ".join(f"'{t}'" for t in DOCUMENT_TYPES) + ")", name="document_type"
        ),
        CheckConstraint(
            "document_type <> 'passport' OR (nationality IS NOT NULL AND permit_kind IS NOT NULL"
            " AND permit_no IS NOT NULL)",
            name="passport_permit",
        ),
        CheckConstraint(
            "employment_type IS NULL OR employment_type IN ('labour_contract', 'employment_contract')",
            name="employment_type",
        ),
        one_of("language", Language, nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(LIMITS["person_name"]))  # as the identity document writes it
    document_type: Mapped[str] = mapped_column(
        String(32), default="resident_id", server_default="resident_id"
    )
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    nationality: Mapped[str | None] = mapped_column(String(30))
    permit_kind: Mapped[str | None] = mapped_column(String(32))
    permit_no: Mapped[str | None] = mapped_column(String(30))
    employment_type: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))  # notifications by e-mail, when SMTP is set up
    # When the owner opened the signed link sent to `email` (issue 21.6); NULL: not verified, so the
    # address gets nothing but its verification e-mail. Changing the address clears it.
    email_verified_at: Mapped[datetime | None]
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The bureau whose policy let the person register this account themselves (ACC-04, Kunming 004 一(二));
    # NULL for an account staff opened. Registered with no employer yet: waiting for the unit's HR to
    # attach it (portal.services.accounts.create_applicant reuses it), unless the bureau's admin voids it
    # (portal.services.registration_voids: disabled, its numbers given up).
    registered_with_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime | None]
    # The interface language the user chose with the switcher (issue 24); NULL: none chosen yet, so the
    # browser's cookie and Accept-Language decide. Documents to authorities are Chinese whatever it says.
    language: Mapped[str | None] = mapped_column(String(16))

    employer: Mapped[Organisation | None] = relationship(foreign_keys=[employer_id])
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id", order_by="Membership.id"
    )

    @property
    def awaits_employer(self) -> bool:
        """Registered by the person (ACC-04), not yet attached to an employer by its HR, nor voided."""
        return self.registered_with_id is not None and self.employer_id is None and self.is_active

    @property
    def document_title(self) -> str:
        """The name of the document `id_number` is the number of (a msgid: 护照, 居民身份证…)."""
        return DocumentType(self.document_type).title

    @property
    def number_label(self) -> str:
        """What `id_number` is called (a msgid: 身份证号码, 护照号码…, see DocumentType.number_label)."""
        return DocumentType(self.document_type).number_label

    @property
    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships if m.ended_at is None]


class EmailOptOut(Base):
    """A topic of notices a person chose not to get by e-mail (portal.domain.mail): every topic is on
    until its row exists (security notices always are); the inbox shows every notice either way."""

    __tablename__ = "email_opt_outs"
    # Only the topics a person may switch off: an opt-out of security notices is refused by the database.
    __table_args__ = (UniqueConstraint("user_id", "topic"), one_of("topic", OPTIONAL_TOPICS))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(16))


class Membership(Base):
    """A staff role in one organisation; ending it keeps the row, so replacements keep history."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('handler', 'leader', 'admin')", name="role"),
        # One active role per person per organisation: nobody is both handler and leader there.
        Index(
            "uq_memberships_active_user_org",
            "user_id",
            "org_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    org: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def staff_role(self) -> StaffRole:
        return StaffRole(self.role)


class StaffChangeStatus(StrEnum):
    """A request to end a membership that a second admin must confirm (portal.domain.staffing)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        return {"pending": "待另一名管理员确认", "confirmed": "已确认", "cancelled": "已取消"}[self.value]


class StaffChange(Base):
    """Ending one's own membership, or a leader's or an admin's, asked by one admin and confirmed (or
    cancelled) by another. The row stays as history; the database itself refuses a confirmation by the
    admin who asked, and a second open request for the same membership."""

    __tablename__ = "staff_changes"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'confirmed', 'cancelled')", name="status"),
        CheckConstraint(
            "status = 'pending' OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)", name="decided"
        ),
        CheckConstraint("status <> 'confirmed' OR decided_by_id <> requested_by_id", name="second_person"),
        Index(
            "uq_staff_changes_pending_membership",
            "membership_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=StaffChangeStatus.PENDING.value)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    membership: Mapped[Membership] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def state(self) -> StaffChangeStatus:
        return StaffChangeStatus(self.status)


class AuthSession(Base):
    """A login. The cookie carries its token; deleting the row ends the session everywhere."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ip: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(Base):
    """Failed logins of one account from one source, or (source "*") from every source together.

    `account` is "user:<id>" for an account that exists and "login:<sha256 of what was typed>" for one
    that does not, so an unknown login is slowed exactly like a real one (nothing tells them apart).
    `last_success_at` marks a source the owner has logged in from: the account-wide delay does not
    apply there (portal/services/auth.py).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        UniqueConstraint("account", "source"),
        CheckConstraint("failures >= 0 AND lockouts >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(64))  # an IPv4 address, an IPv6 /64, or "*"
    failures: Mapped[int] = mapped_column(default=0)  # since the last delay began
    lockouts: Mapped[int] = mapped_column(default=0)  # delays in a row: each lasts twice as long
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]


class PasswordHistory(Base):
    """A password a user had before (its hash only), so a change cannot go back to it (等保 reuse rule).

    Only the newest few rows per user are kept (the policy's `history`); the service prunes the rest.
    """

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    replaced_at: Mapped[datetime]  # when it stopped being the user's password
