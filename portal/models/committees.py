"""Review committees (评审委员会, issue 22): the committee with its forming unit and office, and its scope —
the rows of specialty × place × level it receives, loaded from the profile (Zhenjiang's 申报计划安排表,
003 附件) and kept by the bureau's admin."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.glossary import state_title, state_tone
from portal.domain.policy import TitleLevel
from portal.domain.text import LIMITS
from portal.models.base import Base, bounded_text, one_of
from portal.models.clock import utcnow
from portal.models.files import StoredFile
from portal.models.organisations import Organisation
from portal.models.users import User

if TYPE_CHECKING:
    from portal.models.applications import Application


class CommitteeKind(StrEnum):
    """A city (or district) committee, or a provincial committee the city's applicants are sent to: the
    provincial one opens the online channel by its intake dates (004 二(二), WIN-05)."""

    CITY = "city"
    PROVINCIAL = "provincial"

    @property
    def title(self) -> str:
        return state_title("committee_kind", self)


class ScopeSource(StrEnum):
    """Where a scope row comes from: the profile's table (loaded once), or the admin."""

    PROFILE = "profile"
    ADMIN = "admin"

    @property
    def title(self) -> str:
        return state_title("scope_source", self)


class Committee(Base):
    """A review committee: its forming unit (组建单位), its office (an organisation of kind committee whose
    handlers and leaders review and run its meetings), the bureau it files with (the title office whose
    profile it follows) and, for a provincial committee, the intake dates its online channel follows."""

    __tablename__ = "committees"
    __table_args__ = (
        one_of("kind", CommitteeKind),
        UniqueConstraint("bureau_id", "code", name="uq_committees_bureau_code"),
        CheckConstraint("intake_closes IS NULL OR intake_opens <= intake_closes", name="intake_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    profile_id: Mapped[str] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(40))  # the accepting body's code in the profile
    name: Mapped[str] = mapped_column(String(200), unique=True)
    forming_unit: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=CommitteeKind.CITY.value)
    phone: Mapped[str] = mapped_column(String(100), default="")
    citation: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    intake_opens: Mapped[date | None]
    intake_closes: Mapped[date | None]
    # The city submits its applicants' materials together (统一报送): the channel closes 3 days early.
    uniform_submission: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    office: Mapped[Organisation] = relationship(foreign_keys=[office_id], lazy="joined")
    bureau: Mapped[Organisation] = relationship(foreign_keys=[bureau_id])
    scopes: Mapped[list[CommitteeScope]] = relationship(
        back_populates="committee", order_by="CommitteeScope.id", lazy="selectin"
    )

    @property
    def committee_kind(self) -> CommitteeKind:
        return CommitteeKind(self.kind)


class CommitteeScope(Base):
    """One row of a committee's scope: the specialties it receives from one place at some levels, with its
    online window (or "依据文件时间申报": pending), the row of the notice's table and its clause."""

    __tablename__ = "committee_scopes"
    __table_args__ = (
        one_of("source", ScopeSource),
        CheckConstraint("closes IS NULL OR opens <= closes", name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    row_no: Mapped[str] = mapped_column(String(20), default="")  # 序号 in the notice's table
    specialties: Mapped[str] = mapped_column(String(500))  # 、-separated
    place: Mapped[str] = mapped_column(String(100))
    levels: Mapped[str] = mapped_column(String(100))  # comma-separated level names (员级,助理级,...)
    opens: Mapped[date | None]
    closes: Mapped[date | None]
    pending: Mapped[bool] = mapped_column(default=False)
    citation: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(10), default=ScopeSource.ADMIN.value)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    committee: Mapped[Committee] = relationship(back_populates="scopes")

    @property
    def specialty_list(self) -> tuple[str, ...]:
        return tuple(x for x in self.specialties.split("、") if x)

    @property
    def level_list(self) -> tuple[str, ...]:
        return tuple(x for x in self.levels.split(",") if x)


class MeetingStatus(StrEnum):
    """A meeting's life: prepared (agenda, filing drafted), filed with the bureau, its filing accepted (or
    refused: the office corrects and files again), voting, counted, its results confirmed, published; or
    cancelled by the office before it was filed, or after its filing was accepted and before its vote
    opened (kept on record, its agenda and panel released: meetings.cancel_meeting). A filing
    the office withdraws before the bureau decides goes back to PLANNED (meetings.withdraw_filing)."""

    PLANNED = "planned"
    FILED = "filed"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    VOTING = "voting"
    TALLIED = "tallied"
    CONFIRMED = "confirmed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        return state_title("meeting", self)

    @property
    def tone(self) -> str:
        """The badge's colour family (glossary.STATE_TONES)."""
        return state_tone("meeting", self)


class EntryResult(StrEnum):
    """An agenda entry's result: not voted yet, passed or failed by the tally."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"

    @property
    def title(self) -> str:
        return state_title("meeting_entry", self)

    @property
    def tone(self) -> str:
        """The badge's colour family (glossary.STATE_TONES)."""
        return state_tone("meeting_entry", self)


class Meeting(Base):
    """A committee's review meeting: date, place and agenda; its filing with the bureau (due by the
    profile's deadline, with its clause, fixed when the meeting is planned); the draw of its panel, its
    vote and results (issue 22.4-22.6). ``version`` makes each step a compare-and-set (one effect when two
    people click at once)."""

    __tablename__ = "meetings"
    __table_args__ = (
        one_of("status", MeetingStatus),
        CheckConstraint("filing_due < held_on", name="filing_before_meeting"),
        CheckConstraint(
            "pass_rate_limit IS NULL OR (pass_rate_limit > 0 AND pass_rate_limit <= 100)", name="pass_rate"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default=MeetingStatus.PLANNED.value)
    version: Mapped[int] = mapped_column(default=1)
    filing_due: Mapped[date]
    filing_clause: Mapped[str] = mapped_column(String(60))
    plan: Mapped[str] = mapped_column(String(2000), default="")  # 评审工作方案 (004 一(六))
    pass_rate_limit: Mapped[int | None]  # 通过率设定, percent (003 六(一), 004 一(七))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime | None]
    filing_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filing_decided_at: Mapped[datetime | None]
    filing_note: Mapped[str] = mapped_column(String(500), default="")
    # The draw (issue 22.5): its seed, the pool and the recusals are in the audit row; with them the draw is
    # computed again to the same panel (services.votes.verify_draw).
    panel_size: Mapped[int | None]
    draw_seed: Mapped[str] = mapped_column(String(32), default="")
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime | None]
    voting_opened_at: Mapped[datetime | None]
    present: Mapped[int] = mapped_column(default=0)  # experts present when the vote opened
    tallied_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    confirm_note: Mapped[str] = mapped_column(String(500), default="")
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    document_no: Mapped[str] = mapped_column(String(60), default="")  # the title office's 文号
    # A meeting planned by mistake (a wrong date, a duplicate), cancelled by the office before filing: who,
    # when and why stay on it (the agenda and panel it released are in the audit row).
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = bounded_text("cancel_reason", LIMITS["cancel_reason"], default="")

    committee: Mapped[Committee] = relationship(lazy="joined")
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    entries: Mapped[list[MeetingEntry]] = relationship(
        back_populates="meeting", order_by="MeetingEntry.id", lazy="selectin"
    )

    @property
    def state(self) -> MeetingStatus:
        return MeetingStatus(self.status)


class CertificateImport(Base):
    """The province's certificate-number sheet a bureau's staff uploaded for one published meeting (issue
    22.6): the row ties the kept file to its meeting, so its preview page (a GET: the upload's POST
    redirects there) re-reads it and nobody opens it through another meeting; applied at most once (who,
    when, how many)."""

    __tablename__ = "certificate_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None]
    applied_rows: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship()
    file: Mapped[StoredFile] = relationship()


class MeetingEntry(Base):
    """An application on a meeting's agenda, and what the vote made of it (totals only: ballots are
    secret)."""

    __tablename__ = "meeting_entries"
    __table_args__ = (
        one_of("result", EntryResult),
        # One meeting per application: an application is reviewed once (a second agenda is refused).
        UniqueConstraint("application_id", name="uq_meeting_entries_application"),
        CheckConstraint("yes >= 0 AND no >= 0 AND abstain >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    result: Mapped[str] = mapped_column(String(10), default=EntryResult.PENDING.value)
    yes: Mapped[int] = mapped_column(default=0)
    no: Mapped[int] = mapped_column(default=0)
    abstain: Mapped[int] = mapped_column(default=0)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="entries")
    application: Mapped[Application] = relationship(lazy="joined")

    @property
    def outcome(self) -> EntryResult:
        return EntryResult(self.result)


class Expert(Base):
    """An expert of a committee's pool (评审专家库), by series and specialty: a real-name account that
    logs in to acknowledge the conditions and vote, and the employer the recusal reads; the term of their
    appointment (at most 3 years, 人社部令第40号; renewed as a new term) and the level of the title they
    hold (NULL: 待补充, never drawn until filled in)."""

    __tablename__ = "experts"
    __table_args__ = (
        UniqueConstraint("committee_id", "user_id", name="uq_experts_committee_user"),
        one_of("title_level", TitleLevel, nullable=True),
        CheckConstraint("term_ends >= appointed_on", name="term_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    series: Mapped[str] = mapped_column(String(50))
    specialty: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")  # the expert's own title (高级工程师)
    title_level: Mapped[str | None] = mapped_column(String(10))  # its level (TitleLevel); NULL: 待补充
    appointed_on: Mapped[date]  # the current term: from this day
    term_ends: Mapped[date]  # to this day (at most 3 years on: the service refuses longer)
    employer_name: Mapped[str] = mapped_column(String(200))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    # False once the office took the expert out of the pool (停用, services.votes.deactivate_expert): never
    # drawn, off their panels' pages, no acknowledgement or ballot; who, when and why stay on the row until
    # the office restores them (恢复: the audit trail keeps every deactivation).
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deactivated_at: Mapped[datetime | None]
    deactivation_reason: Mapped[str] = bounded_text(
        "deactivation_reason", LIMITS["deactivation_reason"], default=""
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    deactivated_by: Mapped[User | None] = relationship(foreign_keys=[deactivated_by_id])
    committee: Mapped[Committee] = relationship()


class PanelMember(Base):
    """An expert on a meeting's panel: drawn (or added, with the reason in the audit trail), the day they
    acknowledged studying the conditions (004 一(七)), and whether they were present when the vote
    opened. An expert is on a panel once."""

    __tablename__ = "panel_members"
    __table_args__ = (UniqueConstraint("meeting_id", "expert_id", name="uq_panel_members_meeting_expert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    drawn: Mapped[bool] = mapped_column(default=True)
    acknowledged_at: Mapped[datetime | None]
    present: Mapped[bool] = mapped_column(default=False)

    expert: Mapped[Expert] = relationship(lazy="joined")
    meeting: Mapped[Meeting] = relationship()


class BallotReceipt(Base):
    """That an expert has voted at a meeting, and when: one per expert and meeting (the unique index makes
    a second ballot, even sent twice at once, take no effect). It says nothing of how they voted."""

    __tablename__ = "ballot_receipts"
    __table_args__ = (UniqueConstraint("meeting_id", "expert_id", name="uq_ballot_receipts_meeting_expert"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id"))
    cast_at: Mapped[datetime]


class BallotChoice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"

    @property
    def title(self) -> str:
        return state_title("ballot", self)


class Ballot(Base):
    """One secret vote on one agenda entry: no expert, no time, a random key (so neither the row nor its
    order names the voter). Only totals are ever shown."""

    __tablename__ = "ballots"
    __table_args__ = (one_of("choice", BallotChoice),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("meeting_entries.id"), index=True)
    choice: Mapped[str] = mapped_column(String(8))


class TitleOrigin(StrEnum):
    """Where the current title was granted: another province, or a central unit (004 一(五))."""

    OTHER_PROVINCE = "other_province"
    CENTRAL_UNIT = "central_unit"

    @property
    def title(self) -> str:
        return state_title("title_origin", self)


class ConfirmationStatus(StrEnum):
    """A 职称确认 line: asked for with the application; recognised as it is where the profile says so
    (Zhenjiang, 003 二(七)); else on the office's list to the bureau, then confirmed or refused by it."""

    REQUESTED = "requested"
    RECOGNISED = "recognised"
    SENT = "sent"
    CONFIRMED = "confirmed"
    REFUSED = "refused"

    @property
    def title(self) -> str:
        return state_title("title_confirmation", self)

    @property
    def tone(self) -> str:
        """The badge's colour family (glossary.STATE_TONES)."""
        return state_tone("title_confirmation", self)

    @property
    def counts(self) -> bool:
        """Whether the title counts for eligibility and the meeting (an unconfirmed one does not)."""
        return self in (ConfirmationStatus.RECOGNISED, ConfirmationStatus.CONFIRMED)


class TitleConfirmation(Base):
    """The applicant's current title from another province or a central unit, asked to be confirmed with
    the application (issue 22.7, EQUIV-04/EQUIV-03): one line of the office's 《专业技术人员职称资格确认人员
    名单》 and the bureau's decision on it."""

    __tablename__ = "title_confirmations"
    __table_args__ = (
        one_of("origin", TitleOrigin),
        one_of("status", ConfirmationStatus),
        CheckConstraint(
            "status NOT IN ('confirmed', 'refused') OR decided_at IS NOT NULL", name="decided_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    prior_title: Mapped[str] = mapped_column(String(60))  # 现职称名称, e.g. 工程师
    prior_level: Mapped[str] = mapped_column(String(10))  # 初级 / 中级 / 高级 ...
    obtained_on: Mapped[date]
    issuer: Mapped[str] = mapped_column(String(120))  # 发证（评审）机关
    certificate_no: Mapped[str] = mapped_column(String(60))
    origin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12))
    citation: Mapped[str] = mapped_column(String(60))  # the profile's clause the line was handled under
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(500), default="")

    application: Mapped[Application] = relationship(lazy="joined")

    @property
    def state(self) -> ConfirmationStatus:
        return ConfirmationStatus(self.status)


class CommitteeException(Base):
    """The bureau admin's exception to CHAN-01's first half for one application (003 四: one committee per
    person, level and year "原则上", in principle): the written reason, who recorded it and when. It lets
    that one application go to a committee although the person already applied at this level this year;
    it never lifts the unit's one-committee rule (不得多头报送) nor any other guard."""

    __tablename__ = "committee_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    # The person's other application this level and year, as it was when the exception was recorded.
    other_application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    reason: Mapped[str] = bounded_text("reason", LIMITS["exception_reason"])
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")


class CallStatus(StrEnum):
    """A committee's call (评审通知, 004 一(三)): drafted by its office, filed with the bureau, accepted (or
    refused: corrected and filed again), then published."""

    DRAFT = "draft"
    FILED = "filed"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    PUBLISHED = "published"

    @property
    def title(self) -> str:
        return state_title("committee_call", self)

    @property
    def tone(self) -> str:
        """The badge's colour family (glossary.STATE_TONES)."""
        return state_tone("committee_call", self)


class CommitteeCall(Base):
    """A committee's call for applications with its materials and requirements (issue 22.8): filed with the
    bureau before it is published (WIN-07); ``version`` makes each step a compare-and-set."""

    __tablename__ = "committee_calls"
    __table_args__ = (
        one_of("status", CallStatus),
        CheckConstraint("intake_opens <= intake_closes", name="intake_order"),
        CheckConstraint("status <> 'published' OR decided_at IS NOT NULL", name="published_after_filing"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    intake_opens: Mapped[date]
    intake_closes: Mapped[date]
    requirements: Mapped[str] = mapped_column(String(4000))  # the materials and requirements it states
    status: Mapped[str] = mapped_column(String(12), default=CallStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(default=1)
    citation: Mapped[str] = mapped_column(String(60))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    filed_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime | None]

    committee: Mapped[Committee] = relationship(lazy="joined")

    @property
    def state(self) -> CallStatus:
        return CallStatus(self.status)
