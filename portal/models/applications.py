"""Applications (申报) with their route snapshot, and per-authority certificate sequences."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import glossary
from portal.domain.policy import TitleLevel
from portal.domain.text import LIMITS
from portal.domain.workflow import AWAITING_ROLES, FINAL_STATUSES, REVIEW_STATUSES, Status
from portal.models.base import Base, bounded_text, one_of
from portal.models.clock import utcnow
from portal.models.committees import Committee
from portal.models.organisations import Organisation
from portal.models.users import User

# A window's name is cut at 100 characters (services.policies.save_window); its year adds five.
BATCH_NAME_LENGTH = 120
# A dict look-up, not Status(value): `state` is read ~8 times per queue row (0.7 µs each through Enum's
# __call__; issue 20's fragment read it ~400 times a request).
_STATUS_OF: dict[str, Status] = {status.value: status for status in Status}
_FINAL_SQL = ", ".join(f"'{s.value}'" for s in sorted(FINAL_STATUSES))


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        one_of("status", Status),
        # Whose move it is, and the stage a return resumes at: states too, so the database holds them to
        # the workflow's values (migration 0019).
        one_of("awaiting", AWAITING_ROLES, nullable=True),
        one_of("returned_from", sorted(REVIEW_STATUSES), nullable=True),
        one_of("level", TitleLevel),
        CheckConstraint("status <> 'certified' OR certificate_no IS NOT NULL", name="certified_has_number"),
        # Every certificate carries its public verification code (the QR's key, issue 16.13).
        CheckConstraint(
            "certificate_no IS NULL OR certificate_code IS NOT NULL", name="certificate_has_code"
        ),
        CheckConstraint("status <> 'returned' OR returned_from IS NOT NULL", name="returned_has_stage"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("counted_returns >= 0", name="counted_returns"),
        CheckConstraint("pathway IS NULL OR pathway IN ('认定', '初定', '评审')", name="pathway"),
        # Chosen from EXPLAIN plans at 100,000 applications (bench/README.md). Each scope's index leads
        # with the scope column, then the queue's keyset order (status_changed_at, id), so a page is an
        # index range with no sort at any depth; the trailing columns cover the tab counts, so the one
        # aggregate query reads the index alone, and so does the DISTINCT of the filter options (series,
        # batch, enterprise; migration 0013), the batch's stored name included (migration 0038), and the
        # statistics page's counts by level and road (migration 0046). They replace the single-column
        # scope indexes.
        Index(
            "ix_applications_bureau_queue",
            "bureau_id", "status_changed_at", "id", "reached_level", "status", "current_org_id", "awaiting",
            "series", "batch_id", "enterprise_id", "batch_name", "level", "committee_id",
        ),
        Index(
            "ix_applications_department_queue",
            "department_id", "status_changed_at", "id", "reached_level", "status", "current_org_id",
            "awaiting", "series", "batch_id", "enterprise_id", "batch_name", "level", "committee_id",
        ),
        Index(
            "ix_applications_enterprise_queue",
            "enterprise_id", "status_changed_at", "id", "status", "current_org_id", "awaiting", "series",
            "batch_id", "batch_name", "level", "committee_id",
        ),
        # 待初审 / 待签批: the organisation holding it and whose move it is, in queue order.
        Index("ix_applications_queue", "current_org_id", "awaiting", "status_changed_at", "id"),
        # One application under way per person, series and level: a double click on 发起申报 makes one
        # (T-CONC-03); the service checks first and names the open one, this catches the race.
        Index(
            "uq_applications_open_per_person",
            "applicant_id", "series", "level",
            unique=True,
            sqlite_where=text(f"status NOT IN ({_FINAL_SQL})"),
            postgresql_where=text(f"status NOT IN ({_FINAL_SQL})"),
        ),
        # The bureau's certificate list and export, newest first, without a sort; reached_level (the list's
        # scope asks for it) lets the count be read from the index alone (migration 0045).
        Index(
            "ix_applications_certificates",
            "bureau_id", "certified_at", "id", "reached_level",
            sqlite_where=text("certificate_no IS NOT NULL"),
            postgresql_where=text("certificate_no IS NOT NULL"),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The route, fixed when the application is started: enterprise → department → bureau.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    current_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    # How far up the route it has been: 0 enterprise, 1 department, 2 bureau (who may see it).
    reached_level: Mapped[int] = mapped_column(default=0)

    series: Mapped[str] = mapped_column(String(50))
    specialty: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))
    # Issue #5: the pathway (认定/初定/评审) and the certifying authority of the bureau's policy profile,
    # chosen when HR starts the application; the batch and its cutoff are fixed at submission.
    pathway: Mapped[str | None] = mapped_column(String(10))
    authority_code: Mapped[str | None] = mapped_column(String(40))
    batch_id: Mapped[str | None] = mapped_column(String(40))
    # The batch's name as it was called at submission ("2025年第四批"; migration 0038): shown when the
    # bureau's profile no longer holds the id (last year's batch, an admin's window since deleted). NULL
    # on applications submitted before it, which then show the id.
    batch_name: Mapped[str | None] = mapped_column(String(BATCH_NAME_LENGTH))
    cutoff: Mapped[date | None]
    # The applicant's reason for going ahead despite the eligibility warnings shown at submission.
    warnings_acknowledgement: Mapped[str] = bounded_text(
        "warnings_acknowledgement", LIMITS["acknowledgement"], default=""
    )

    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value)
    awaiting: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)
    handler_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    returned_from: Mapped[str | None] = mapped_column(String(20))
    counted_returns: Mapped[int] = mapped_column(default=0)

    # The short form of the foundation; the full 申报表 is its own aggregate later.
    education: Mapped[str] = mapped_column(String(20), default="")
    school: Mapped[str] = mapped_column(String(100), default="")
    major: Mapped[str] = mapped_column(String(100), default="")
    graduated_on: Mapped[date | None]
    work_started_on: Mapped[date | None]
    current_title: Mapped[str] = mapped_column(String(100), default="")
    work_summary: Mapped[str] = bounded_text("work_summary", LIMITS["work_summary"], default="")

    # The dossier's part of the 申报表: facts that decide the materials checklist, and the pledge.
    degree: Mapped[str] = mapped_column(String(20), default="")
    overseas_education: Mapped[bool] = mapped_column(default=False)
    xuexin_code: Mapped[str] = mapped_column(String(40), default="")  # 学信网 online verification code
    has_prior_employer: Mapped[bool] = mapped_column(default=False)
    has_internship: Mapped[bool] = mapped_column(default=False)
    on_establishment: Mapped[bool] = mapped_column(default=False)  # 在编
    insured_unit_differs: Mapped[bool] = mapped_column(default=False)  # roster: 单位不一致
    qualification_name: Mapped[str] = mapped_column(String(100), default="")
    qualification_no: Mapped[str] = mapped_column(String(60), default="")
    qualification_issued_on: Mapped[date | None]
    qualification_expires_on: Mapped[date | None]
    ce_hours: Mapped[str] = mapped_column(String(200), default="")  # "2024:90, 2025:96"
    achievements: Mapped[str] = bounded_text("achievements", LIMITS["achievements"], default="")
    pledge_signed_at: Mapped[datetime | None]
    pledge_ip: Mapped[str] = mapped_column(String(45), default="")

    # Issue 21: the 申报表's repeating sections live in form_rows (portal.domain.form); the summary columns
    # above (education … achievements) are filled from them at every save, for the lists, notices and
    # packages that show one line. `form_version` is the form's optimistic lock: a save from a page that
    # showed an older version is refused with what changed since.
    form_version: Mapped[int] = mapped_column(default=1, server_default="1")
    no_title: Mapped[bool] = mapped_column(default=False, server_default=false())
    township: Mapped[bool] = mapped_column(default=False, server_default=false())  # EARLY-01
    # The applicant categories that change the rules (issue 21.9), each cited in portal.domain.form.
    freelancer: Mapped[bool] = mapped_column(default=False, server_default=false())  # SCOPE-02
    agency_name: Mapped[str] = mapped_column(String(60), default="", server_default="")
    archive_hosted: Mapped[bool] = mapped_column(default=False, server_default=false())  # SCOPE-05
    archive_holder: Mapped[str] = mapped_column(String(60), default="", server_default="")
    consent_reference: Mapped[str] = mapped_column(String(60), default="", server_default="")
    consent_on: Mapped[date | None]
    high_skill: Mapped[bool] = mapped_column(default=False, server_default=false())  # SCOPE-09
    skill_level: Mapped[str] = mapped_column(String(10), default="", server_default="")
    grassroots: Mapped[bool] = mapped_column(default=False, server_default=false())  # SCOPE-10
    vocational_teacher: Mapped[bool] = mapped_column(default=False, server_default=false())  # SCOPE-11
    teaching_in_k12: Mapped[str] = mapped_column(String(2), default="", server_default="")
    # The 评审 road (issue 22): the committee the bureau sent it to, and the day it did (one committee per
    # person, level and year; one per enterprise, specialty and level: 003 四).
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    committee_routed_on: Mapped[date | None]

    certificate_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Random, 192 bits, set when the number is: the QR on the certificate carries it, and the public
    # check by QR needs it (a sequential number alone finds nothing).
    certificate_code: Mapped[str | None] = mapped_column(String(43), unique=True)
    certified_at: Mapped[datetime | None]
    certificate_revoked_at: Mapped[datetime | None]
    certificate_revoked_reason: Mapped[str] = bounded_text(
        "certificate_revoked_reason", LIMITS["reason"], default="", server_default=""
    )

    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id], lazy="joined")
    enterprise: Mapped[Organisation] = relationship(foreign_keys=[enterprise_id], lazy="joined")
    department: Mapped[Organisation] = relationship(foreign_keys=[department_id])
    bureau: Mapped[Organisation] = relationship(foreign_keys=[bureau_id])
    current_org: Mapped[Organisation] = relationship(foreign_keys=[current_org_id])
    handler_signed_by: Mapped[User | None] = relationship(foreign_keys=[handler_signed_by_id])
    committee: Mapped[Committee | None] = relationship(foreign_keys=[committee_id])

    @property
    def state(self) -> Status:
        return _STATUS_OF.get(self.status) or Status(self.status)  # an unknown value raises as before

    @property
    def road_taken(self) -> str:
        """The road the application has taken (glossary.BUREAU_ROAD or COMMITTEE_ROAD): a committee's once
        the bureau sent it to one — SEND_TO_COMMITTEE writes ``committee_id`` with the status, and only that
        road ends by recording the province's number. A stored fact, so a certificate keeps the words of the
        road it came by whatever the profile says later, and a list reads it without a statement."""
        return glossary.COMMITTEE_ROAD if self.committee_id is not None else glossary.BUREAU_ROAD


class CertificateSequence(Base):
    """The last certificate number issued per authority and year; bumped by compare-and-set."""

    __tablename__ = "certificate_sequences"

    authority_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
