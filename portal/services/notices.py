"""Public notices (公示): the handler drafts one, the leader publishes it, the public reads it and may
object during the period, the organisation records how each objection was handled, and the period's end
passes every application without an open objection.

An enterprise's notice is the unit notice for its approved applications (they go in_notice, then
notice_passed). A department's or bureau's notice (a committee office's, 003 五(三), PUB-03) lists
applications under its review; their status does not change, but the leader cannot sign them onward while
the notice runs or an objection about them is open.

Rules: at least 5 working days counted on the working-day calendar (003 五(一), 004 二(七), PUB-01/02);
only masked personal data in public (PUB-07), and only for the period plus the days its bureau's policy
profile gives (`workflow.notice_public_days`, else PUBLIC_DAYS_AFTER): after that the public page says only
that the notice has ended (issue 16.15, T-PRIV-02); objections resolved in writing before a result (PUB-07);
an upheld objection ends the application with its handling as the reason.
A committee office's notices move their applications as the unit's do: its 评前公示 of those it accepted
(003 五(三)) and its 评审结果公示 after the meeting (003 六(二)), each ≥ the profile's working days.
Transitions caused: unit_approved → in_notice, committee_accepted → committee_notice, voted →
result_notice (START_NOTICE); in_notice → notice_passed, committee_notice → awaiting_meeting,
result_notice → result_noticed (CLOSE_NOTICE); any of the three notices → rejected (REJECT, objection
upheld).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, datetime, timedelta
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from portal.documents.notice_sheet import ResultRow, SheetHeader, SheetRow, full_years
from portal.domain import workflow
from portal.domain.dates import read_day
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.glossary import cn_date
from portal.domain.i18n import N_, NT_, T_, Clause, Text
from portal.domain.identity import DocumentType, mask_id_number
from portal.domain.text import LIMITS, check_text
from portal.domain.workdays import UnknownYear, format_period_cn
from portal.domain.workflow import Action, Status
from portal.models import (
    Application,
    EntryOutcome,
    Notice,
    NoticeEntry,
    NoticePurpose,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    Organisation,
    OrgKind,
    StaffRole,
    StoredFile,
    User,
)
from portal.services import audit, eligibility, locks, session_memo, submissions, transitions, uploads
from portal.services.actors import SYSTEM, Actor
from portal.services.atomic import atomic
from portal.services.calendar import start_counts, today, unknown_year_message, work_calendar
from portal.services.policies import effective_profile
from portal.services.scope import get_application, visible_applications
from portal.storage import Storage

NOTICE_DAYS = 5
# Calendar days after its last day that a notice's page still shows who was in it, for a bureau whose
# policy profile does not say (every profile in portal/policies does, unconfirmed: no notice states it).
PUBLIC_DAYS_AFTER = 7
OBJECTIONS_PER_IP_PER_DAY = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class NoticeInput:
    title: str = ""
    location: str = ""
    contact: str = ""
    start_date: str = ""


@dataclass(frozen=True)
class ObjectionInput:
    name: str = ""
    contact: str = ""
    text: str = ""
    entry_id: str = ""
    # One per rendered form: a double click or a replay files one objection. A service caller gets a fresh
    # one; a web form sends the page's (form_input reads "" when it is missing, which is refused).
    form_token: str = dataclass_field(default_factory=submissions.new_token)


def _require_staff(actor: Actor, role: StaffRole | None = None) -> None:
    if not actor.is_staff:
        raise PermissionDenied(N_("只有经办人或领导可以办理公示"))
    if role is not None and actor.staff_role is not role:
        raise PermissionDenied(T_("该操作须由%(role)s办理", role=role.title))


# The statuses an application has when an organisation of each kind may put it in a notice, and what the
# notice then publishes. A committee office publishes those it accepted (评前公示, 003 五(三)) and, after
# the meeting, the results (评审结果公示, 003 六(二)): two notices, never one mixing both.
NOTICEABLE: dict[OrgKind, dict[Status, NoticePurpose]] = {
    OrgKind.ENTERPRISE: {Status.UNIT_APPROVED: NoticePurpose.APPLICANTS},
    OrgKind.DEPARTMENT: {Status.DEPT_REVIEW: NoticePurpose.APPLICANTS},
    OrgKind.BUREAU: {Status.BUREAU_REVIEW: NoticePurpose.APPLICANTS},
    OrgKind.COMMITTEE: {
        Status.COMMITTEE_ACCEPTED: NoticePurpose.PRE_REVIEW,
        Status.VOTED: NoticePurpose.RESULT,
    },
}
# Statuses that a notice's end moves on (the workflow's CLOSE_NOTICE rows).
RUNNING = frozenset(row.source for row in workflow.TRANSITIONS if row.action is Action.CLOSE_NOTICE)
# Statuses that publishing a notice moves on (the workflow's START_NOTICE rows).
STARTING = frozenset(row.source for row in workflow.TRANSITIONS if row.action is Action.START_NOTICE)


def period_text(notice: Notice) -> str:
    """The notice's period in Chinese words, with its number of working days."""
    return format_period_cn(notice.first_day, notice.last_day, notice.days)


def _period(notice: Notice) -> Text:
    """The notice's period as a message (Chinese: `period_text`'s words)."""
    return period_message(notice.first_day, notice.last_day, notice.days)


def period_message(first: date, last: date, days: int) -> Text:
    """The period as a message: its Chinese text is `format_period_cn`'s (the year of the last day omitted
    within one year), and the English interface writes it from the two dates and the count."""
    message = NT_(
        "%(first)s至%(last)s，共%(num)d个工作日",
        "%(first)s至%(last)s，共%(num)d个工作日",
        days,
        first=first,
        last=last,
    )
    chinese = str.__new__(Text, format_period_cn(first, last, days))
    chinese.template, chinese.plural, chinese.count = message.template, message.plural, message.count
    chinese.params = message.params
    return chinese


def compute_period(session: Session, start: date, days: int = NOTICE_DAYS) -> tuple[date, date]:
    """First and last day on the working-day calendar; UnknownYear becomes a message for the user."""
    try:
        return work_calendar(session).notice_period(start, days, start_counts=start_counts(session))
    except UnknownYear as unknown:
        raise ValidationFailed({"start_date": unknown_year_message(unknown)}) from unknown


def notices_of(session: Session, actor: Actor) -> list[Notice]:
    """The notices of the actor's own organisation, newest first (staff only), with what the list shows of
    each — its entries (counted; their applications not loaded) and its objections — read for all of them in
    two statements (they were two per notice)."""
    _require_staff(actor)
    return list(
        session.scalars(
            select(Notice)
            .where(Notice.org_id == actor.org_id)
            .order_by(Notice.id.desc())
            .options(
                selectinload(Notice.entries).options(lazyload(NoticeEntry.application)),
                selectinload(Notice.objections),
            )
        )
    )


def get_notice(session: Session, actor: Actor, notice_id: int) -> Notice:
    """A notice of the actor's own organisation; NotFound for anyone else's."""
    _require_staff(actor)
    notice = session.scalars(
        select(Notice).where(Notice.id == notice_id, Notice.org_id == actor.org_id)
    ).first()
    if notice is None:
        raise NotFound(N_("找不到该公示"))
    return notice


def public_notice(session: Session, token: str) -> Notice:
    """A published or closed notice by its public token; drafts and unknown tokens are NotFound."""
    notice = session.scalars(select(Notice).where(Notice.public_token == token)).first()
    if notice is None or notice.state is NoticeStatus.DRAFT:
        raise NotFound(N_("找不到该公示"))
    return notice


@dataclass(frozen=True, slots=True)
class ReadyCase:
    """An application ready for a notice, as the draft form lists it and the draft checks it: the columns
    those read, not the entity (a bureau's peak holds thousands: at 100,000 applications in a province the
    largest bureau's 5,629, hydrated with their applicants and enterprises, took 0.9 s of a 1.3 s page)."""

    id: int
    status: str
    series: str
    specialty: str
    level: str
    applicant_name: str

    @property
    def state(self) -> Status:
        return Status(self.status)


def ready_for_notice(session: Session, actor: Actor) -> list[ReadyCase]:
    """Applications the actor's organisation may put in a notice now: at its stage, held by it, and in
    no draft or running notice (nor, above the enterprise, in one of this organisation's already); by id."""
    _require_staff(actor)
    assert actor.org_kind is not None
    open_notices = (
        select(NoticeEntry.application_id).join(Notice).where(Notice.status != NoticeStatus.CLOSED.value)
    )
    stmt = visible_applications(actor).where(
        Application.status.in_([s.value for s in NOTICEABLE[actor.org_kind]]),
        Application.current_org_id == actor.org_id,
        Application.id.not_in(open_notices),
    )
    if actor.org_kind in (OrgKind.DEPARTMENT, OrgKind.BUREAU):
        noticed_here = select(NoticeEntry.application_id).join(Notice).where(Notice.org_id == actor.org_id)
        stmt = stmt.where(Application.id.not_in(noticed_here))
    columns = stmt.with_only_columns(
        Application.id, Application.status, Application.series, Application.specialty, Application.level,
        User.name,
    ).join(User, User.id == Application.applicant_id)  # fmt: skip
    return [ReadyCase(*row) for row in session.execute(columns.order_by(Application.id))]


# What a new notice's default title says it publishes (the drafter edits it; the title is the notice's
# own Chinese words, posted as written).
SUBJECTS: dict[NoticePurpose, str] = {
    NoticePurpose.APPLICANTS: "职称申报人员的公示",
    NoticePurpose.PRE_REVIEW: "职称评审人员的评前公示",
    NoticePurpose.RESULT: "职称评审结果的公示",
}


def draft_subject(actor: Actor, ready: list[ReadyCase]) -> str:
    """The subject a new notice's default title names: what the applications ready for a notice would
    publish. A committee office with only results ready drafts its 评审结果公示; with applications it
    accepted (or nothing) ready, its 评前公示; every other organisation, its applicants."""
    _require_staff(actor)
    assert actor.org_kind is not None
    if actor.org_kind is not OrgKind.COMMITTEE:
        return SUBJECTS[NoticePurpose.APPLICANTS]
    purposes = {NOTICEABLE[actor.org_kind][a.state] for a in ready}
    only_results = purposes == {NoticePurpose.RESULT}
    return SUBJECTS[NoticePurpose.RESULT if only_results else NoticePurpose.PRE_REVIEW]


@dataclass(frozen=True)
class DraftForm:
    """A new notice's form as first shown: its fields' values and the applications ticked."""

    fields: dict[str, str]
    chosen: list[int]


# Where a new notice is posted, as the form suggests it (the drafter edits it): a committee office publishes
# on its website (PUB-03, 003 五(三)); every other organisation on its own notice board.
DEFAULT_LOCATION = "单位办公楼一楼公示栏"
OFFICE_LOCATION = "评委会办事机构网站"


def draft_form(actor: Actor, org_name: str, ready: list[ReadyCase], moment: datetime) -> DraftForm:
    """The draft form before anything is sent: a title naming this year and what the ready applications
    would publish, the usual place, a start tomorrow, and the ready applications of the first kind ticked
    (a committee office's list holds both kinds, 评前 and 结果, which one notice never mixes)."""
    day = today(moment)
    fields = {
        "title": f"{org_name}关于{day.year}年度{draft_subject(actor, ready)}",
        "location": OFFICE_LOCATION if actor.org_kind is OrgKind.COMMITTEE else DEFAULT_LOCATION,
        "start_date": (day + timedelta(days=1)).isoformat(),
    }
    return DraftForm(fields=fields, chosen=[a.id for a in ready if a.status == ready[0].status])


def notice_days(session: Session, org_id: int | None, purpose: NoticePurpose) -> int:
    """The notice's working days: a committee office's from its profile (003 五(三); the result notice's
    where the profile says), every other notice NOTICE_DAYS (003 五(一), 004 二(七))."""
    if purpose is NoticePurpose.APPLICANTS:
        return NOTICE_DAYS
    org = session.get(Organisation, org_id) if org_id else None
    profile = effective_profile(session, org)
    rules = profile.committee if profile is not None else None
    if rules is None:
        return NOTICE_DAYS
    rule = rules.notice_workdays if purpose is NoticePurpose.PRE_REVIEW else rules.result_notice_workdays
    return max(rule.value, NOTICE_DAYS)


@dataclass(frozen=True)
class NoticePageWords:
    """What the 公示 page says to the reader's kind of organisation, decided here (the template shows it):
    the rule under the heading and what may be put on a notice when nothing is ready. Each reader is told
    their own kind's rule, not every kind's."""

    rule: str
    none_ready: str


def _bracketed_clause(citation: str) -> str:
    # An aside the reader's language brackets: （003 五(三)） in Chinese, " (003 5(3))" in English; nothing
    # where the profile cites no clause (rather than Zhenjiang's clauses for every bureau).
    return T_("（%(clause)s）", clause=Clause(citation)) if citation else ""


def page_words(session: Session, actor: Actor) -> NoticePageWords:
    """The 公示 page's words for the actor's organisation: an enterprise's own notice before it forwards (5
    working days, PUB-01), a department's or bureau's optional one, a committee office's two notices with the
    working days and clauses of its bureau's profile (the pre-review notice's days never under 5)."""
    if actor.org_kind is OrgKind.ENTERPRISE:
        return NoticePageWords(
            N_(
                "经单位审核通过的申报人，须在本单位公示不少于5个工作日（节假日不计，调休上班日计入），"
                "期满无异议方可报送。"
            ),
            N_("申报经单位领导签批通过后才能列入公示。"),
        )
    if actor.org_kind is OrgKind.COMMITTEE:
        profile = effective_profile(session, session.get(Organisation, actor.org_id))
        rules = profile.committee if profile is not None else None
        days = max(rules.notice_workdays.value, NOTICE_DAYS) if rules is not None else NOTICE_DAYS
        pre = rules.notice_workdays.citation if rules is not None else ""
        post = rules.result_notice_workdays.citation if rules is not None else ""
        return NoticePageWords(
            T_(
                "审核通过、提交评委会评审人员的基本信息须在评委会办事机构网站公示，公示期不少于%(days)s个工作日"
                "%(pre)s；评审结果经公示无异议后方可确认并由职称办公布%(post)s。评前公示与评审结果公示分别起草。",
                days=days,
                pre=_bracketed_clause(pre),
                post=_bracketed_clause(post),
            ),
            N_("评委会受理的申报可列入评前公示，已表决的申报可列入评审结果公示。"),
        )
    return NoticePageWords(
        N_("需要时，可将本环节审核中的申报公示不少于5个工作日；公示期间及异议处理完毕前，领导不能签批。"),
        N_("本环节审核中的申报可列入公示。"),
    )


# The applications in a running notice of each organisation, by organisation, forgotten at the session's next
# write: every row of a leader's queue asks `blocks_signing` (it was a read per row, issue 20).
_IN_NOTICE = session_memo.register("portal.notices.in_running_notice")


def blocks_signing(session: Session, application: Application) -> bool:
    """True while the application is in a notice of the organisation holding it that has not passed it."""
    read: dict[int, frozenset[int]] = session_memo.memo(session, _IN_NOTICE)
    org_id = application.current_org_id
    if org_id not in read:
        read[org_id] = frozenset(
            session.scalars(
                select(NoticeEntry.application_id)
                .join(Notice)
                .where(
                    NoticeEntry.outcome == EntryOutcome.PENDING.value,
                    Notice.org_id == org_id,
                    Notice.status == NoticeStatus.PUBLISHED.value,
                )
            )
        )
    return application.id in read[org_id]


def draft_notice(
    session: Session, actor: Actor, data: NoticeInput, application_ids: list[int], now: datetime
) -> Notice:
    """The handler's draft: title, where it is posted, whom to contact, the start date and the applicants."""
    _require_staff(actor, StaffRole.HANDLER)
    errors: dict[str, str] = {}
    for field, title, limit in (
        ("title", N_("标题"), LIMITS["notice_line"]),
        ("location", N_("张贴地点"), LIMITS["notice_line"]),
        ("contact", N_("异议受理联系方式"), LIMITS["notice_line"]),
    ):
        try:  # printed on the 公示表: no emoji (17.12), and within the column's length (17.5)
            check_text(getattr(data, field), title, limit, required=True, printed=True)
        except ValueError as problem:
            errors[field] = problem.args[0]  # the message itself (a Text: str() would drop its template)
    start = _parse_start(data.start_date, today(now), errors)
    # "In no other draft or running notice" is read and then written: one draft at a time per organisation.
    locks.hold(session, "notice-draft", actor.org_id)
    ready = {a.id: a for a in ready_for_notice(session, actor)}
    chosen = [ready[i] for i in dict.fromkeys(application_ids) if i in ready]
    purposes = {NOTICEABLE[actor.org_kind][a.state] for a in chosen}
    if not chosen:
        errors["application_ids"] = N_("请至少选择一名已通过单位审核的申报人")
    elif len(chosen) != len(set(application_ids)):
        errors["application_ids"] = N_("所选申报中有的已不在待公示状态，请刷新后重选")
    elif len(purposes) > 1:
        errors["application_ids"] = N_("评前公示与评审结果公示须分别起草：请只勾选同一类申报")
    if errors:
        raise ValidationFailed(errors)
    assert start is not None
    (purpose,) = purposes
    days = notice_days(session, actor.org_id, purpose)
    first, last = compute_period(session, start, days)
    notice = Notice(
        org_id=actor.org_id,
        title=data.title.strip(),
        location=data.location.strip(),
        contact=data.contact.strip(),
        start_date=start,
        days=days,
        purpose=purpose.value,
        first_day=first,
        last_day=last,
        status=NoticeStatus.DRAFT.value,
        public_token=secrets.token_urlsafe(24),
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    for application in chosen:
        session.add(NoticeEntry(notice_id=notice.id, application_id=application.id))
    audit.record(
        session,
        actor,
        "draft_notice",
        now,
        object_type="notice",
        object_id=notice.id,
        detail={"applications": [a.id for a in chosen]},
    )
    session.flush()
    return notice


def _parse_start(raw: str, today_: date, errors: dict[str, str]) -> date | None:
    start, problem = read_day(raw, N_("请填写公示开始日期，例如 2026-09-29"))
    if start is None:
        errors["start_date"] = problem
        return None
    if start < today_:
        errors["start_date"] = N_("公示开始日期不能早于今天")
    elif start > today_ + timedelta(days=90):
        errors["start_date"] = N_("公示开始日期不能晚于90天之后")
    return start


def discard_draft(session: Session, actor: Actor, notice_id: int, now: datetime) -> None:
    """Delete a draft notice and its entries (audited); a published notice is refused."""
    notice = get_notice(session, actor, notice_id)
    if notice.state is not NoticeStatus.DRAFT:
        raise DomainError(N_("已发布的公示不能删除"), code="notice_published")
    for entry in notice.entries:
        session.delete(entry)
    audit.record(session, actor, "discard_notice", now, object_type="notice", object_id=notice.id)
    session.delete(notice)
    session.flush()


def can_draft(actor: Actor) -> bool:
    """Whether the actor drafts notices: the handler of a reviewing organisation (the leader publishes)."""
    return actor.is_staff and actor.staff_role is StaffRole.HANDLER


# Who publishes a draft: the leader of the organisation that drafted it (publish_notice), named as the
# pages name that role at each kind of organisation. A committee office has no 单位领导 in the enterprise's
# sense: its leader is the 办事机构领导 (as for its filing, its call and its vote).
_DRAFT_SAVED: dict[OrgKind, str] = {
    OrgKind.ENTERPRISE: N_("公示草稿已保存，请单位领导核对后发布"),
    OrgKind.DEPARTMENT: N_("公示草稿已保存，请主管部门领导核对后发布"),
    OrgKind.BUREAU: N_("公示草稿已保存，请人社局领导核对后发布"),
    OrgKind.COMMITTEE: N_("公示草稿已保存，请办事机构领导核对后发布"),
}
_DRAFT_WAITS: dict[OrgKind, str] = {
    OrgKind.ENTERPRISE: N_("草稿须由单位领导（非起草人）核对后发布。"),
    OrgKind.DEPARTMENT: N_("草稿须由主管部门领导（非起草人）核对后发布。"),
    OrgKind.BUREAU: N_("草稿须由人社局领导（非起草人）核对后发布。"),
    OrgKind.COMMITTEE: N_("草稿须由办事机构领导（非起草人）核对后发布。"),
}


def draft_saved(notice: Notice) -> str:
    """What the handler is told once their draft is saved: who publishes it next, the leader of the
    drafting organisation as its kind names that role."""
    return _DRAFT_SAVED[notice.org.org_kind]


def draft_waits(notice: Notice) -> str:
    """What a draft's page says to whoever may not publish it: who does (the drafting organisation's
    leader as its kind names the role, never the one who drafted it)."""
    return _DRAFT_WAITS[notice.org.org_kind]


def can_publish(actor: Actor, notice: Notice) -> bool:
    """Whether the actor may publish this notice now: a leader, a draft, drafted by someone else. The page
    offers 发布 exactly when this holds; publish_notice refuses otherwise."""
    return (
        actor.is_staff
        and actor.staff_role is StaffRole.LEADER
        and notice.state is NoticeStatus.DRAFT
        and notice.created_by_id != actor.user_id
    )


@atomic
def publish_notice(session: Session, actor: Actor, notice_id: int, now: datetime) -> Notice:
    """The leader publishes the handler's draft (never the same person); each applicant goes in_notice."""
    _require_staff(actor, StaffRole.LEADER)
    notice = get_notice(session, actor, notice_id)
    if notice.state is not NoticeStatus.DRAFT:
        raise DomainError(N_("该公示已发布"), code="notice_published")
    if notice.created_by_id == actor.user_id:
        raise DomainError(N_("起草与发布不能由同一人办理"), code="same_person")
    start = max(notice.start_date, today(now))  # a draft published late starts today, never in the past
    notice.start_date = start
    notice.first_day, notice.last_day = compute_period(session, start, notice.days)
    for entry in notice.entries:
        _start(session, actor, notice, entry.application, now)
        entry.years_shown = _years(session, entry.application, notice.first_day)
    notice.status = NoticeStatus.PUBLISHED.value
    notice.published_by_id = actor.user_id
    notice.published_at = now
    audit.record(
        session,
        actor,
        "publish_notice",
        now,
        object_type="notice",
        object_id=notice.id,
        detail={"first_day": notice.first_day.isoformat(), "last_day": notice.last_day.isoformat()},
    )
    session.flush()
    return notice


def _start(session: Session, actor: Actor, notice: Notice, application: Application, now: datetime) -> None:
    """A unit's notice, and a committee office's, move the application into its notice (the workflow's
    START_NOTICE); a department's or bureau's own notice leaves its status alone."""
    if application.state in STARTING and actor.org_kind in (OrgKind.ENTERPRISE, OrgKind.COMMITTEE):
        transitions.apply(session, actor, application, Action.START_NOTICE, now)
        return
    if application.current_org_id != notice.org_id or application.state not in NOTICEABLE[actor.org_kind]:
        raise DomainError(
            T_("%(name)s的申报已不在本单位办理环节，请从公示中移除后再发布", name=application.applicant.name),
            code="moved_on",
        )
    audit.record(
        session,
        actor,
        "notice_started",
        now,
        object_type="application",
        object_id=application.id,
        detail={"notice_id": notice.id},
    )


def is_running(notice: Notice, now: datetime) -> bool:
    """Whether the notice is published and today lies in its period."""
    return notice.state is NoticeStatus.PUBLISHED and notice.first_day <= today(now) <= notice.last_day


def has_ended(notice: Notice, now: datetime) -> bool:
    """Whether the notice was published and its last day is past."""
    return notice.state is not NoticeStatus.DRAFT and today(now) > notice.last_day


def public_days_after(session: Session, notice: Notice) -> int:
    """How many calendar days after the last day the notice's contents stay public (policy data)."""
    profile = effective_profile(session, notice.org)
    rule = profile.workflow.notice_public_days if profile is not None else None
    return rule.value if rule is not None else PUBLIC_DAYS_AFTER


def public_until(session: Session, notice: Notice) -> date:
    """The last day the public page shows who is in the notice: `public_days_after` days after its last."""
    return notice.last_day + timedelta(days=public_days_after(session, notice))


def is_public(session: Session, notice: Notice, now: datetime) -> bool:
    """Whether the public page may show who is in the notice: a published notice, up to and including
    `public_until`. After that the page says only that it has ended."""
    if notice.state is NoticeStatus.DRAFT:
        return False
    return today(now) <= public_until(session, notice)


def file_objection(
    session: Session,
    storage: Storage,
    token: str,
    data: ObjectionInput,
    now: datetime,
    *,
    ip: str,
    attachment: bytes | IO[bytes] | None = None,
    attachment_name: str = "",
    attachment_type: str | None = None,
    limits: uploads.UploadLimits = uploads.OBJECTION_LIMITS,
) -> Objection:
    """Anyone may object during the period (name and contact required); at most
    OBJECTIONS_PER_IP_PER_DAY per address, counted under a lock; one objection per form token (a replay
    raises submissions.AlreadySubmitted naming the first). The attachment takes the one acceptance path
    (services.uploads): a PDF's active content is neutralised, an image re-encoded without EXIF/GPS."""
    notice = public_notice(session, token)
    if not is_running(notice, now):
        if today(now) < notice.first_day:
            raise DomainError(
                T_("公示尚未开始（%(period)s），请在公示期内提出异议", period=_period(notice)),
                code="not_started",
            )
        raise DomainError(
            T_(
                "公示期（%(period)s）已结束，不再受理异议。如有问题，请联系：%(contact)s",
                period=_period(notice),
                contact=notice.contact,
            ),
            code="notice_over",
        )
    errors: dict[str, str] = {}
    name, contact, text = data.name.strip(), data.contact.strip(), data.text.strip()
    if not name:
        errors["name"] = N_("请填写您的姓名（实名反映）")
    elif len(name) > 50:
        errors["name"] = N_("姓名不能超过50字")
    if not contact:
        errors["contact"] = N_("请填写联系电话或地址，以便反馈处理结果")
    elif len(contact) > 100:
        errors["contact"] = N_("联系方式不能超过100字")
    if not text:
        errors["text"] = N_("请写明异议的具体内容和事实依据")
    elif len(text) > LIMITS["objection"]:
        errors["text"] = T_(
            "异议内容不能超过%(limit)s字（现有%(count)s字）", limit=LIMITS["objection"], count=len(text)
        )
    entry_id: int | None = None
    if data.entry_id.strip():
        ids = {str(e.id): e.id for e in notice.entries if e.state is not EntryOutcome.REMOVED}
        entry_id = ids.get(data.entry_id.strip())
        if entry_id is None:
            errors["entry_id"] = N_("请选择公示名单中的人员")
    accepted = None
    if attachment is not None:
        try:
            accepted = uploads.accept_upload(attachment, attachment_name, attachment_type, limits)
        except uploads.UploadRefused as refused:
            errors["attachment"] = refused.message
    if errors:
        raise ValidationFailed(errors)
    # The form's one-time token first: a replay of a filed objection is answered as filed, never counted.
    submission = submissions.claim(session, data.form_token, "file_objection", now)
    # Count and insert one request at a time per address: concurrent posts all counted the same number
    # and all inserted (issue 16 item 8).
    locks.hold(session, "objection-ip", ip)
    since = now - timedelta(days=1)
    recent = (
        session.scalar(
            select(func.count())
            .select_from(Objection)
            .where(Objection.ip == ip, Objection.created_at >= since)
        )
        or 0
    )
    if recent >= OBJECTIONS_PER_IP_PER_DAY:
        raise DomainError(N_("提交过于频繁，请明天再试，或按公示中的联系方式反映"), code="rate_limited")
    stored = uploads.store(session, storage, accepted, None, now) if accepted else None
    objection = Objection(
        notice_id=notice.id,
        entry_id=entry_id,
        name=name,
        contact=contact,
        text=text,
        attachment_id=stored.id if stored else None,
        ip=ip,
        created_at=now,
    )
    session.add(objection)
    session.flush()
    submissions.settle(submission, "objection", objection.id)
    audit.record(
        session,
        Actor(0, name, ip=ip),
        "file_objection",
        now,
        object_type="notice",
        object_id=notice.id,
        detail={"objection_id": objection.id},
    )
    return objection


def record_export(session: Session, actor: Actor, notice: Notice, document: str, now: datetime) -> None:
    """Every export of personal data leaves an audit event (T-LOG-01, T-PRIV-03)."""
    audit.record(
        session, actor, "export_notice", now, object_type="notice", object_id=notice.id,
        detail={"document": document},
    )  # fmt: skip


def get_objection(session: Session, actor: Actor, objection_id: int) -> Objection:
    """An objection filed against a notice of the actor's own organisation (the scoping helper for an
    objection id in a URL); NotFound for anyone else's, exactly like a missing one."""
    _require_staff(actor)
    objection = session.scalars(
        select(Objection).join(Notice).where(Objection.id == objection_id, Notice.org_id == actor.org_id)
    ).first()
    if objection is None:
        raise NotFound(N_("找不到该异议"))
    return objection


def objection_attachment(session: Session, actor: Actor, objection_id: int) -> StoredFile:
    """An objection's attachment, for the staff of the organisation whose notice it was filed against."""
    try:
        objection = get_objection(session, actor, objection_id)
    except NotFound:
        raise NotFound(N_("找不到该附件")) from None
    if objection.attachment is None:
        raise NotFound(N_("找不到该附件"))
    return objection.attachment


def resolve_objection(
    session: Session, actor: Actor, objection_id: int, decision: str, handling: str, now: datetime
) -> Objection:
    """Record how an objection was handled. Upheld ends the application (the leader's decision)."""
    objection = get_objection(session, actor, objection_id)
    # ACC-02 (000/001 四(一)(二)): nobody decides on their own application. An objection naming nobody holds
    # every entry of the notice, the actor's own among them.
    held = [objection.entry] if objection.entry is not None else list(objection.notice.entries)
    if any(e.application.applicant_id == actor.user_id for e in held):
        # Refused on the form (the typed handling comes back with it), and kept in the audit trail.
        audit.record_attempt(
            session, actor, "resolve_objection", now, object_type="objection", object_id=objection.id,
            detail={"code": "own_application"},
        )  # fmt: skip
        raise ValidationFailed({"decision": N_("不能处理涉及本人申报的异议，请由本单位其他经办人或领导处理")})
    if objection.state is not ObjectionStatus.OPEN:
        raise DomainError(N_("该异议已处理"), code="already_handled")
    errors: dict[str, str] = {}
    if decision not in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
        errors["decision"] = N_("请选择处理结果")
    if not handling.strip():
        errors["handling"] = N_("请写明核查情况和处理意见")
    elif len(handling.strip()) > LIMITS["handling"]:
        errors["handling"] = T_(
            "处理意见不能超过%(limit)s字（现有%(count)s字）",
            limit=LIMITS["handling"],
            count=len(handling.strip()),
        )
    if decision == ObjectionStatus.UPHELD and objection.entry is None:
        errors["decision"] = N_("该异议未指明人员，无法认定成立；请核实后按“不成立”说明，或线下处理")
    if errors:
        raise ValidationFailed(errors)
    if decision == ObjectionStatus.UPHELD:
        if actor.staff_role is not StaffRole.LEADER:
            raise PermissionDenied(N_("异议成立将终止该申报，须由领导认定"))
        entry = objection.entry
        assert entry is not None
        transitions.apply(
            session,
            actor,
            entry.application,
            Action.REJECT,
            now,
            reason=f"公示期间异议成立：{handling.strip()}",
        )
        entry.outcome, entry.outcome_note = EntryOutcome.REMOVED.value, handling.strip()
    objection.status, objection.handling = decision, handling.strip()
    objection.handled_by_id, objection.handled_at = actor.user_id, now
    audit.record(
        session,
        actor,
        "resolve_objection",
        now,
        object_type="notice",
        object_id=objection.notice_id,
        detail={"objection_id": objection.id, "decision": decision},
    )
    session.flush()
    close_if_due(session, objection.notice, now)
    return objection


def _open_objection_entries(notice: Notice) -> set[int | None]:
    return {o.entry_id for o in notice.objections if o.state is ObjectionStatus.OPEN}


def is_due(notice: Notice, now: datetime) -> bool:
    """The period is over and an entry waits to be passed (none held by an open objection): the
    scheduled job will close it on its next run."""
    if notice.state is not NoticeStatus.PUBLISHED or not has_ended(notice, now):
        return False
    blocked = _open_objection_entries(notice)
    return None not in blocked and any(e.outcome == "pending" and e.id not in blocked for e in notice.entries)


def close_if_due(session: Session, notice: Notice, now: datetime) -> bool:
    """After the last day: pass every entry without an open objection; close the notice when all are settled.

    An objection that names nobody holds every entry until it is handled.
    """
    if notice.state is not NoticeStatus.PUBLISHED or not has_ended(notice, now):
        return False
    blocked = _open_objection_entries(notice)
    for entry in notice.entries:
        if entry.state is not EntryOutcome.PENDING or entry.id in blocked or None in blocked:
            continue
        if entry.application.state in RUNNING and entry.application.current_org_id == notice.org_id:
            transitions.apply(session, SYSTEM, entry.application, Action.CLOSE_NOTICE, now)
        entry.outcome = EntryOutcome.PASSED.value
        entry.outcome_note = N_("公示期满无异议") if not _handled_for(notice, entry) else OVERRULED_NOTE
    if all(e.state is not EntryOutcome.PENDING for e in notice.entries):
        notice.status = NoticeStatus.CLOSED.value
        notice.closed_at = now
        audit.record(session, SYSTEM, "close_notice", now, object_type="notice", object_id=notice.id)
    session.flush()
    return True


# What the close writes on an entry that passed over objections, all handled as unfounded.
OVERRULED_NOTE = N_("异议不成立，已处理")


@dataclass(frozen=True)
class Overruled:
    """An entry the notice passed although objections came, each handled and found unfounded (异议不成立):
    how many came, and their handling notes as one text."""

    count: int
    handling: str


def overruled(notice: Notice, entry: NoticeEntry) -> Overruled | None:
    """The one decision of whether an entry passed over objections (None: it passed with none, was
    removed, or is still pending), read by everything that says so: the 公示结果 (有异议，经核查不成立：…),
    the unit's opinion (收到异议N件，经核查不成立), the hand-off's 公示结果 value, and the case's status line
    and history (公示期满（异议经核查不成立）, where the status alone reads 公示无异议)."""
    if entry.state is not EntryOutcome.PASSED or not entry.outcome_note.startswith("异议不成立"):
        return None
    handled = [
        o for o in notice.objections if o.entry_id in (entry.id, None) and o.state is not ObjectionStatus.OPEN
    ]
    return Overruled(len(handled), joined_handling(o.handling for o in handled))


def overruled_for(session: Session, application: Application) -> Overruled | None:
    """:func:`overruled` for the application's entry in its own unit's notice (None without one)."""
    entry = unit_entry_for_application(session, application)
    return overruled(entry.notice, entry) if entry is not None else None


def joined_handling(notes: Iterable[str]) -> str:
    """Handling notes as one text, joined by "；": each without its closing full stop (the notes are written
    as sentences, and the join read "…异议不成立。；经核查…"); empty ones left out."""
    kept = (note.strip().rstrip("。．.；;").rstrip() for note in notes if note)
    return "；".join(note for note in kept if note)


def _handled_for(notice: Notice, entry: NoticeEntry) -> bool:
    return any(
        o.entry_id in (entry.id, None) and o.state is not ObjectionStatus.OPEN for o in notice.objections
    )


def close_due_notices(session: Session, now: datetime) -> list[Notice]:
    """The scheduled job (portal/jobs.py; `flask close-due-notices` by hand): every published notice whose
    period has ended. Each notice is re-read under a row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises writers), so two instances running the job at once close it exactly once."""
    due = session.scalars(
        select(Notice.id)
        .where(Notice.status == NoticeStatus.PUBLISHED.value, Notice.last_day < today(now))
        .order_by(Notice.id)
    ).all()
    closed = []
    for notice_id in due:
        notice = session.scalars(
            select(Notice)
            .where(Notice.id == notice_id, Notice.status == NoticeStatus.PUBLISHED.value)
            .with_for_update(of=Notice)
            .execution_options(populate_existing=True)
        ).first()
        if notice is not None and close_if_due(session, notice, now):
            closed.append(notice)
    return closed


def entry_for_application(session: Session, application_id: int) -> NoticeEntry | None:
    """The application's latest notice entry (for its dossier and timeline)."""
    return session.scalars(
        select(NoticeEntry)
        .where(NoticeEntry.application_id == application_id)
        .order_by(NoticeEntry.id.desc())
    ).first()


def unit_entry_for_application(session: Session, application: Application) -> NoticeEntry | None:
    """The application's latest entry in a notice of its own unit (the 评前公示 a unit holds before it
    recommends, 003 五(一), 004 二(七)): on the 评审 road the committee office's notices come later and
    are not the unit's."""
    return session.scalars(
        select(NoticeEntry)
        .join(Notice, Notice.id == NoticeEntry.notice_id)
        .where(NoticeEntry.application_id == application.id, Notice.org_id == application.enterprise_id)
        .order_by(NoticeEntry.id.desc())
    ).first()


def _years(session: Session, application: Application, on: date) -> str:
    """The 专业工作年限 column: the years the eligibility check counted, to the cutoff the submission fixed
    (CUT-06), so the sheet never disagrees with the finding colleagues may object to; without a profile or
    cutoff, whole years from the first professional post to the notice's first day."""
    counted = eligibility.counted_years(session, application)
    if counted is not None:
        return f"{counted.years}年（计至{cn_date(counted.cutoff)}）"
    years = full_years(application.work_started_on, on)
    return "" if years is None else f"{years}年"


def years_posted(session: Session, entry: NoticeEntry) -> str:
    """The 专业工作年限 the entry's sheet shows (fixed at publication; counted for a draft)."""
    if entry.years_shown is not None:
        return entry.years_shown
    return _years(session, entry.application, entry.notice.first_day)


def _row(session: Session, entry: NoticeEntry, on: date) -> SheetRow:
    application = entry.application
    years = entry.years_shown if entry.years_shown is not None else _years(session, application, on)
    education = " ".join(x for x in (application.education, application.school, application.major) if x)
    if application.graduated_on:
        education += f"（{application.graduated_on.year}年毕业）"
    summary = application.work_summary.replace("\n", " ")
    return SheetRow(
        name=application.applicant.name,
        document=DocumentType(application.applicant.document_type).title,
        masked_id=mask_id_number(application.applicant.id_number),
        unit=application.enterprise.name,
        series=f"{application.series}/{application.specialty}",
        level=application.level,
        education=education,
        current_title=application.current_title or "无",
        years=years,
        achievements=summary if len(summary) <= 150 else summary[:150] + "…",
    )


def sheet(session: Session, notice: Notice) -> tuple[SheetHeader, list[SheetRow]]:
    """The 公示表: the masked facts of every applicant still in the notice."""
    header = SheetHeader(notice.title, notice.org.name, period_text(notice), notice.location, notice.contact)
    rows = [_row(session, e, notice.first_day) for e in notice.entries if e.state is not EntryOutcome.REMOVED]
    return header, rows


def result(notice: Notice) -> tuple[SheetHeader, list[ResultRow]]:
    """The 公示结果 for every applicant, once the notice has closed."""
    header = SheetHeader(notice.title, notice.org.name, period_text(notice), notice.location, notice.contact)
    labels = {o.value: o.title for o in (EntryOutcome.PASSED, EntryOutcome.REMOVED)}
    rows = []
    for entry in notice.entries:
        text = labels.get(entry.outcome, "待定")
        over = overruled(notice, entry)
        if over is not None:
            text = "有异议，经核查不成立：" + over.handling
        elif entry.state is EntryOutcome.REMOVED:
            text += f"（{entry.outcome_note}）"
        rows.append(
            ResultRow(
                entry.application.applicant.name,
                f"{entry.application.series}/{entry.application.specialty}",
                entry.application.level,
                text,
            )
        )
    return header, rows


@dataclass(frozen=True)
class NoticeClock:
    phase: str  # draft | upcoming | running | closing | ended
    text: str
    workdays_left: int = 0
    workdays_total: int = 0  # of the whole period (the countdown picture draws one box per working day)
    # What the notice's badge says: its status, but a published notice whose first day is still ahead is
    # not 公示中 yet (its clock says 尚未开始 beside it).
    badge: str = ""

    @property
    def pending_entry(self) -> str:
        """What an entry not yet decided says: 待发布 on a draft, 待开始 before the first day, else 公示中."""
        return {"draft": N_("待发布"), "upcoming": N_("待开始")}.get(self.phase, N_("公示中"))

    @property
    def workdays_done(self) -> int:
        if self.phase in ("closing", "ended"):
            return self.workdays_total
        return self.workdays_total - self.workdays_left if self.phase == "running" else 0


def notice_clock(session: Session, notice: Notice, now: datetime) -> NoticeClock:
    """Where the period stands today, as the countdown people read on the page, with the badge's words."""
    clock = _clock(session, notice, now)
    return replace(clock, badge=N_("已发布，待开始") if clock.phase == "upcoming" else notice.state.title)


def _clock(session: Session, notice: Notice, now: datetime) -> NoticeClock:
    day = today(now)
    period = period_message(notice.first_day, notice.last_day, notice.days)
    if notice.state is NoticeStatus.DRAFT:
        return NoticeClock("draft", T_("草稿：拟定公示期 %(period)s", period=period))
    if day < notice.first_day:
        total = work_calendar(session).workdays_between(notice.first_day, notice.last_day)
        return NoticeClock("upcoming", T_("公示期：%(period)s；尚未开始", period=period), total, total)
    calendar = work_calendar(session)
    total = calendar.workdays_between(notice.first_day, notice.last_day)
    if day <= notice.last_day:
        left = calendar.workdays_between(day, notice.last_day)
        return NoticeClock(
            "running",
            NT_(
                "公示期：%(period)s；还剩%(num)d个工作日",
                "公示期：%(period)s；还剩%(num)d个工作日",
                left,
                period=period,
            ),
            left,
            total,
        )
    if is_due(notice, now):
        # The period is over but the scheduled job (portal/jobs.py, every few minutes) has not passed the
        # entries yet: pages only read, so they say what is about to happen instead of doing it.
        return NoticeClock(
            "closing",
            T_("公示期：%(period)s；已期满，正在结转公示结果（几分钟内完成）", period=period),
            0,
            total,
        )
    return NoticeClock("ended", T_("公示期：%(period)s；已期满", period=period), 0, total)


def notice_of_application(session: Session, actor: Actor, application_id: int) -> Notice | None:
    """The latest published notice an application the actor can see was in (None if never published)."""
    application = get_application(session, actor, application_id)
    entry = entry_for_application(session, application.id)
    if entry is None or entry.notice.state is NoticeStatus.DRAFT:
        return None
    return entry.notice
