"""Review meetings (issue 22.4): the committee office plans a meeting (date, place), puts on its agenda the
applications whose 评前公示 has passed, and files its preparation with the bureau by the profile's deadline
(Zhenjiang: the report to the title office 15 days before, 003 六(一), CHAN-05; Dongchuan: the plan, the
qualification review and the list of attendees 12 working days before, 004 一(六), CHAN-04). The bureau
accepts the filing or refuses it with a reason; a meeting whose filing was not accepted is not held
(未经备案的评审行为不予认可): voting opens only on an accepted filing (services.votes). Until the bureau
decides, the office's leader may withdraw the filing (撤回备案) to correct it; a meeting planned by mistake
is cancelled before it is filed, and one whose filing was accepted but which cannot be held (its panel
short of its quorum, its day impossible) is cancelled by the office's leader before its vote opens, the
bureau and the experts told; its page still lists the agenda and panel it had.

Guarantees: the deadline and its clause are computed from the profile when the meeting is planned and
fixed on it; a meeting whose filing day has passed cannot be planned, filed or moved; every step is a
compare-and-set on the meeting's version (a double click or two people at once: one effect) and is
audited; a refusal is audited too (audit.record_attempt) and changes nothing. Services flush, never
commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.domain import committees as rules
from portal.domain.dates import read_day
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, NT_, T_, Clause, Text, joined
from portal.domain.mail import NoticeKind
from portal.domain.numbers import NotAWholeNumber, whole_number
from portal.domain.policy import CommitteeRules, ReviewDeadline
from portal.domain.text import LIMITS, check_text
from portal.domain.workdays import UnknownYear
from portal.domain.workflow import Status
from portal.models import (
    Application,
    AuditEvent,
    Committee,
    EntryResult,
    Expert,
    Meeting,
    MeetingEntry,
    MeetingStatus,
    OrgKind,
    PanelMember,
    StaffRole,
)
from portal.services import audit, committees, confirmations, notifications, versions
from portal.services.actors import Actor
from portal.services.calendar import today, unknown_year_message, work_calendar
from portal.services.compare_and_set import compare_and_set
from portal.services.scope import visible_applications

# An expert's page of their meetings; a notification to an expert links to the one meeting's own page.
PANELS_LINK = "/committees/panels"


def panel_link(meeting_id: int) -> str:
    """The expert's own page of one meeting they sit on (its agenda, the study to confirm, the ballot,
    the totals once counted): where the panel's and the vote's notices take them."""
    return f"{PANELS_LINK}/{meeting_id}"


# Labels of what a filing contains (policy.FILING_CONTENTS), as the filing sheet and page name them.
CONTENT_TITLES = {
    "plan": N_("评审工作方案"),
    "qualification_review": N_("资格审查（审核）情况"),
    "pre_review_notice": N_("评前公示情况"),
    "failed_review": N_("审核未通过人员情况"),
    "attendees": N_("同意上会评审人员名单"),
    "expert_draw": N_("评审专家抽取情况"),
    "pass_rate": N_("评审通过率设定"),
}
EDITABLE = frozenset({MeetingStatus.PLANNED, MeetingStatus.REFUSED})


def _refuse(
    session: Session,
    actor: Actor,
    meeting: Meeting | None,
    action: str,
    code: str,
    message: str,
    now: datetime,
    **fields: str,
) -> None:
    """Audit a refused step (it outlives the rollback) and raise it."""
    audit.record_attempt(
        session, actor, action, now, object_type="meeting", object_id=meeting.id if meeting else None,
        detail={"code": code},
    )  # fmt: skip
    if fields:
        raise ValidationFailed(dict(fields), message)
    raise DomainError(message, code=code)


def _office_staff(actor: Actor) -> None:
    if not (actor.is_staff and actor.org_kind is OrgKind.COMMITTEE):
        raise PermissionDenied(N_("只有评委会办事机构的经办人或领导可以办理评审会议"))


def committee_rules(session: Session, committee: Committee) -> CommitteeRules:
    """The committee road's rules of the committee's bureau (a committee exists only under one)."""
    _profile, found = committees.rules_for(session, committee.bureau)
    if found is None:
        raise DomainError(N_("本局的政策配置没有评审委员会途径，无法安排评审会议"), code="no_committee_road")
    return found


# --- who sees a meeting -----------------------------------------------------------------------------------


def may_view(actor: Actor, meeting: Meeting) -> bool:
    """The office's staff, and the staff of the bureau it files with."""
    committee = meeting.committee
    return actor.is_staff and actor.org_id in (committee.office_id, committee.bureau_id)


def get_meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    """A meeting the actor may see; NotFound, exactly like a missing one, otherwise."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not may_view(actor, meeting):
        raise NotFound(N_("找不到该评审会议，或您无权查看"))
    return meeting


class Tab:
    """The meetings list's tabs: what each collects (statuses) and its words."""

    TABS: ClassVar[dict[str, tuple[str, tuple[MeetingStatus, ...]]]] = {
        "preparing": (N_("筹备中"), (MeetingStatus.PLANNED, MeetingStatus.REFUSED)),
        "filed": (N_("待确认备案"), (MeetingStatus.FILED,)),
        "accepted": (N_("已备案"), (MeetingStatus.ACCEPTED, MeetingStatus.VOTING)),
        "results": (
            N_("表决与结果"),
            (MeetingStatus.TALLIED, MeetingStatus.CONFIRMED, MeetingStatus.PUBLISHED),
        ),
        "all": (N_("全部"), tuple(MeetingStatus)),
    }


def _scoped(actor: Actor) -> Any:
    stmt = select(Meeting).join(Committee, Committee.id == Meeting.committee_id)
    if actor.is_staff and actor.org_kind is OrgKind.COMMITTEE:
        return stmt.where(Committee.office_id == actor.org_id)
    if actor.is_staff and actor.org_kind is OrgKind.BUREAU:
        return stmt.where(Committee.bureau_id == actor.org_id)
    return None


@dataclass(frozen=True)
class MeetingList:
    """The meetings of a tab, every tab's count, and, for each published meeting listed that passed
    anyone, how far its certificate numbers are entered (`numbers`, by meeting id)."""

    tab: str
    year: int | None
    meetings: list[Meeting]
    counts: dict[str, int]
    numbers: dict[int, rules.NumbersEntered]


@dataclass(frozen=True)
class ListVersion:
    """What the actor's meetings list depends on: the change counter of the meetings of the actor's bureau,
    read with its value (the poll shortcut answers an unchanged poll from the counter alone)."""

    bureau_id: int
    counters: tuple[tuple[str, int], ...]

    def __str__(self) -> str:
        return f"{self.bureau_id}.{self.counters[0][1]}"


def list_version(session: Session, actor: Actor) -> ListVersion:
    """What the actor's meetings list depends on, from one indexed read: the change counter of the meetings
    of the actor's bureau (an office's: its committee's bureau), with the bureau's id. The list's poll
    answers 304 while it stays the same (services.versions)."""
    if actor.org_kind is OrgKind.COMMITTEE:
        committee = committees.committee_of_office(session, actor.org_id)
        bureau_id = committee.bureau_id if committee is not None else 0
    else:
        bureau_id = actor.org_id or 0
    name = versions.meetings(bureau_id)
    return ListVersion(bureau_id, ((name, versions.read(session, [name])[name]),))


def meetings_of(session: Session, actor: Actor, tab: str = "all", year: int | None = None) -> MeetingList:
    """The meetings the actor sees (their office's, or those filed with their bureau), in a tab, with every
    tab's count; `year` narrows them to the meetings held that year. The same query feeds the export."""
    stmt = _scoped(actor)
    if stmt is None:
        raise PermissionDenied(N_("只有评委会办事机构和人社局的人员可以查看评审会议"))
    if year is not None:
        stmt = stmt.where(Meeting.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    found = list(session.scalars(stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc())))
    counts = {key: sum(1 for m in found if m.state in statuses) for key, (_t, statuses) in Tab.TABS.items()}
    chosen = Tab.TABS.get(tab, Tab.TABS["all"])[1]
    shown = [m for m in found if m.state in chosen]
    published = [m.id for m in shown if m.state is MeetingStatus.PUBLISHED]
    return MeetingList(
        tab if tab in Tab.TABS else "all", year, shown, counts, numbers_entered(session, published)
    )


def numbers_entered(session: Session, meeting_ids: list[int]) -> dict[int, rules.NumbersEntered]:
    """How far each of these meetings' certificate numbers are entered: its passed people and how many of
    them have the province's number, counted as certificate_numbers.numbers_entered counts one meeting's
    (a meeting that passed nobody is not in the answer). One grouped statement for all of them, none
    when there are none: the list reads as many statements for many published meetings as for one."""
    if not meeting_ids:
        return {}
    rows = session.execute(
        select(MeetingEntry.meeting_id, func.count(), func.count(Application.certificate_no))
        .join(Application, Application.id == MeetingEntry.application_id)
        .where(MeetingEntry.meeting_id.in_(meeting_ids), MeetingEntry.result == EntryResult.PASSED.value)
        .group_by(MeetingEntry.meeting_id)
    )
    return {meeting_id: rules.NumbersEntered(passed, entered) for meeting_id, passed, entered in rows}


# --- planning -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingInput:
    held_on: str = ""
    place: str = ""


def _deadlines(session: Session, rule: CommitteeRules, held_on: date) -> rules.Deadlines:
    try:
        return rules.deadlines(rule.filing, held_on, work_calendar(session))
    except UnknownYear as unknown:
        raise ValidationFailed({"held_on": unknown_year_message(unknown)}) from unknown


def deadlines_for(session: Session, meeting: Meeting) -> rules.Deadlines | None:
    """The meeting's deadlines as the page shows them (None when the calendar lacks a year)."""
    try:
        return rules.deadlines(
            committee_rules(session, meeting.committee).filing, meeting.held_on, work_calendar(session)
        )
    except (UnknownYear, DomainError):
        return None


def _held_on(
    session: Session,
    actor: Actor,
    meeting: Meeting | None,
    raw: str,
    rule: CommitteeRules,
    now: datetime,
    action: str,
) -> tuple[date, rules.Deadlines]:
    held_on, problem = read_day(raw, N_("请填写会议日期，例如 2026-11-20"))
    if held_on is None:
        raise ValidationFailed({"held_on": problem})
    if held_on <= today(now):
        raise ValidationFailed({"held_on": N_("会议日期须晚于今天")})
    due = _deadlines(session, rule, held_on)
    if due.filing_due < today(now):
        _refuse(
            session, actor, meeting, action, "filing_overdue",
            N_("会议日期过近，已来不及按时报备"), now,
            held_on=(
                T_(
                    "%(office)s须在会议召开前收到报备（%(clause)s：%(rule)s），该日期的报备截止日为%(due)s，已过；"
                    "请改到更晚的日期",
                    office=rule.filing.office, clause=Clause(due.clause), rule=_rule_words(rule),
                    due=due.filing_due,
                )
            ),
        )  # fmt: skip
    return held_on, due


def _rule_words(rule: CommitteeRules) -> Text:
    days = rule.filing.days
    if rule.filing.unit == "workdays":
        return NT_("会议召开%(num)d个工作日前", "会议召开%(num)d个工作日前", days)
    return NT_("会议召开%(num)d天前", "会议召开%(num)d天前", days)


def filing_hint(session: Session, actor: Actor) -> Text | None:
    """How the actor's committee's filing deadline is counted, from its bureau's profile (the plan form's
    hint); None when the actor's office has no committee or its bureau's profile no committee road."""
    committee = committees.committee_of_office(session, actor.org_id)
    if committee is None:
        return None
    _profile, rule = committees.rules_for(session, committee.bureau)
    if rule is None:
        return None
    return T_(
        "报备截止日按本局政策配置自动算出：%(rule)s报%(office)s（%(clause)s）",
        rule=_rule_words(rule), office=rule.filing.office, clause=Clause(rule.filing.citation),
    )  # fmt: skip


# --- the review deadline in principle (WIN-04, Zhenjiang 003 三(二)) ---------------------------------------


def _review_deadline(session: Session, committee: Committee) -> ReviewDeadline | None:
    """The day by which the committee's bureau's profile asks some levels' review finished, if it does."""
    _profile, rule = committees.rules_for(session, committee.bureau)
    return rule.review_deadline if rule is not None else None


def _receives(committee: Committee, rule: ReviewDeadline) -> bool:
    """Whether the committee's scope rows take applications at a level the deadline covers."""
    return any(rule.covers(level) for row in committee.scopes for level in row.level_list)


def review_deadline_hint(session: Session, actor: Actor, now: datetime) -> Text | None:
    """The plan form's word on the review deadline (003 三(二)) for an office whose committee receives the
    levels it covers; None otherwise (another city, a committee of other levels)."""
    committee = committees.committee_of_office(session, actor.org_id)
    rule = _review_deadline(session, committee) if committee is not None else None
    if rule is None or committee is None or not _receives(committee, rule):
        return None
    day = today(now)
    if rule.past(day):
        # December: a meeting still this year is after this year's day (its page warns against it), one next
        # year is before next year's; naming either day alone misleads one of them.
        return T_(
            "原则上各专业%(levels)s评审在%(deadline)s前完成（%(clause)s）：该日已过，年内此后的会议仍可安排和报备，"
            "会议页面会提醒；下一年度为%(next)s前",
            levels=rule.levels, deadline=rule.deadline(day.year), clause=Clause(rule.citation),
            next=rule.next_deadline(day),
        )  # fmt: skip
    return T_(
        "原则上各专业%(levels)s评审在%(deadline)s前完成（%(clause)s）：晚于该日的会议仍可安排和报备，"
        "会议页面会提醒",
        levels=rule.levels, deadline=rule.deadline(day.year), clause=Clause(rule.citation),
    )  # fmt: skip


def review_deadline_warning(session: Session, meeting: Meeting) -> Text | None:
    """WIN-04 (003 三(二), "原则上各专业中级评审时间在11月底前完成"): what the meeting's page warns of — a
    warning, never a refusal — while the meeting is prepared (its date can still be moved before it is
    filed: "能提前的请提前；确需在此后评审的，仍可照常报备"), held after the profile's review deadline of its
    year, and its agenda holds applications of the covered levels still undecided, or is empty while its
    committee receives those levels (what its date form has just set). None otherwise: filed (the advice
    is spent: it read on after the results were confirmed and published), held by the day, only other
    levels, all decided, or a profile without the deadline."""
    if meeting.state not in EDITABLE:
        return None
    rule = _review_deadline(session, meeting.committee)
    if rule is None or not rule.past(meeting.held_on):
        return None
    words: dict[str, object] = {
        "day": meeting.held_on,
        "deadline": rule.deadline(meeting.held_on.year),
        "levels": rule.levels,
        "clause": Clause(rule.citation),
    }
    undecided = sum(
        1 for e in meeting.entries if rule.covers(e.application.level) and not e.application.state.is_final
    )
    if undecided:
        return NT_(
            "会议日期%(day)s晚于%(deadline)s：原则上各专业%(levels)s评审在%(deadline)s前完成（%(clause)s），"
            "议程中有%(num)d件%(levels)s申报尚未办结。能提前的请提前；确需在此后评审的，仍可照常报备。",
            "会议日期%(day)s晚于%(deadline)s：原则上各专业%(levels)s评审在%(deadline)s前完成（%(clause)s），"
            "议程中有%(num)d件%(levels)s申报尚未办结。能提前的请提前；确需在此后评审的，仍可照常报备。",
            undecided, **words,
        )  # fmt: skip
    if not meeting.entries and _receives(meeting.committee, rule):
        return T_(
            "会议日期%(day)s晚于%(deadline)s：原则上各专业%(levels)s评审在%(deadline)s前完成（%(clause)s）。"
            "本评委会受理%(levels)s申报，本次会议如评审%(levels)s申报，能提前的请提前；确需在此后评审的，仍可照常报备。",
            **words,
        )  # fmt: skip
    return None


def plan_meeting(session: Session, actor: Actor, data: MeetingInput, now: datetime) -> Meeting:
    """A meeting of the actor's committee on a date whose filing can still be made in time (its deadline
    and clause fixed on it); refused, audited, when the filing day has already passed."""
    _office_staff(actor)
    committee = committees.committee_of_office(session, actor.org_id)
    if committee is None:
        raise NotFound(N_("找不到本办事机构的评委会"))
    rule = committee_rules(session, committee)
    place = data.place.strip()
    errors: dict[str, str] = {}
    if not place:
        errors["place"] = N_("请填写会议地点")
    elif len(place) > 200:
        errors["place"] = N_("会议地点不能超过200字")
    if errors:
        raise ValidationFailed(errors)
    held_on, due = _held_on(session, actor, None, data.held_on, rule, now, "plan_meeting")
    meeting = Meeting(
        committee_id=committee.id,
        held_on=held_on,
        place=place,
        filing_due=due.filing_due,
        filing_clause=due.clause,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    audit.record(
        session, actor, "plan_meeting", now, object_type="meeting", object_id=meeting.id,
        detail={
            "held_on": held_on.isoformat(), "filing_due": due.filing_due.isoformat(), "clause": due.clause,
        },
    )  # fmt: skip
    return meeting


def _advance(session: Session, meeting: Meeting, expected: set[MeetingStatus], **values: Any) -> None:
    """Compare-and-set on the meeting's status and version: a stale or repeated step has no effect."""
    compare_and_set(session, meeting, expected, **values)
    versions.note(session, [versions.meetings(meeting.committee.bureau_id)])  # a Core write: said here


def audit_rows(meeting_id: int, action: str) -> Select[tuple[AuditEvent]]:
    """The query of a meeting's successful audit rows of ``action``, newest first: the draw's record, the
    agenda and panel a cancel released, the filings withdrawn."""
    return (
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "meeting",
            AuditEvent.object_id == meeting_id,
            AuditEvent.action == action,
            AuditEvent.outcome == "ok",
        )
        .order_by(AuditEvent.id.desc())
    )


def _mine(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    _office_staff(actor)
    meeting = get_meeting(session, actor, meeting_id)
    if meeting.committee.office_id != actor.org_id:
        raise NotFound(N_("找不到该评审会议，或您无权查看"))
    return meeting


@dataclass(frozen=True)
class PlanInput:
    held_on: str = ""
    place: str = ""
    plan: str = ""
    pass_rate_limit: str = ""


def save_plan(session: Session, actor: Actor, meeting_id: int, data: PlanInput, now: datetime) -> Meeting:
    """The meeting's preparation while it is not filed: its date (moved: the deadline is computed again),
    place, the review plan (评审工作方案) and the pass-rate setting (通过率设定, percent)."""
    meeting = _mine(session, actor, meeting_id)
    if meeting.state not in EDITABLE:
        _refuse(
            session,
            actor,
            meeting,
            "save_meeting_plan",
            "meeting_filed",
            T_("会议%(title)s，不能再修改", title=meeting.state.title),
            now,
        )
    rule = committee_rules(session, meeting.committee)
    errors: dict[str, str] = {}
    plan, place = data.plan.strip(), data.place.strip() or meeting.place
    if len(plan) > 2000:
        errors["plan"] = T_("评审工作方案不能超过2000字（现有%(n)s字）", n=len(plan))
    if len(place) > 200:
        errors["place"] = N_("会议地点不能超过200字")
    try:  # ８０ or ８０％ as a Chinese IME in full-width mode types it (domain.numbers)
        limit = whole_number(data.pass_rate_limit, max_digits=4, unit="%")
    except NotAWholeNumber:
        limit = 0  # not a number: refused with the same words as one out of range
    if limit is not None and not 1 <= limit <= 100:
        errors["pass_rate_limit"] = N_("通过率上限应为1至100之间的整数（百分比）")
    if errors:
        raise ValidationFailed(errors)
    values: dict[str, Any] = {"plan": plan, "place": place, "pass_rate_limit": limit}
    if data.held_on.strip() and data.held_on.strip() != meeting.held_on.isoformat():
        held_on, due = _held_on(session, actor, meeting, data.held_on, rule, now, "save_meeting_plan")
        if crossing := next(
            filter(None, (_other_year(rule, held_on, e.application) for e in meeting.entries)), None
        ):
            raise ValidationFailed({"held_on": crossing})
        values.update(held_on=held_on, filing_due=due.filing_due, filing_clause=due.clause)
    changed = {k: v for k, v in values.items() if getattr(meeting, k) != v}
    if not changed:
        return meeting
    _advance(session, meeting, set(EDITABLE), **changed)
    audit.record(
        session, actor, "save_meeting_plan", now, object_type="meeting", object_id=meeting.id,
        detail={k: (v.isoformat() if isinstance(v, date) else v) for k, v in changed.items()},
    )  # fmt: skip
    return meeting


# --- the agenda ---------------------------------------------------------------------------------------------


def agenda_candidates(session: Session, actor: Actor, meeting: Meeting) -> list[Application]:
    """What may go on the agenda: the committee's applications whose 评前公示 has passed, on no meeting."""
    on_a_meeting = select(MeetingEntry.application_id)
    return list(
        session.scalars(
            visible_applications(actor)
            .where(
                Application.committee_id == meeting.committee_id,
                Application.status == Status.AWAITING_MEETING.value,
                Application.id.not_in(on_a_meeting),
            )
            .order_by(Application.id)
        )
    )


@dataclass(frozen=True)
class RowResult:
    application_id: int
    name: str
    why: str = ""  # "" when it was done


@dataclass(frozen=True)
class BulkResult:
    rows: list[RowResult]

    @property
    def done(self) -> list[RowResult]:
        return [r for r in self.rows if not r.why]

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if r.why]


def meeting_id_of(session: Session, application_id: int) -> int | None:
    """The meeting whose agenda holds the application (None before it is put on one)."""
    return session.scalar(
        select(MeetingEntry.meeting_id).where(MeetingEntry.application_id == application_id)
    )


def agenda_refusal(session: Session, meeting: Meeting, application: Application | None) -> str | None:
    """Why an application cannot go on this meeting's agenda (None: it can)."""
    if application is None:
        return N_("找不到该申报，或您无权查看")
    if application.committee_id != meeting.committee_id:
        return N_("该申报不属于本评委会")
    if application.state is not Status.AWAITING_MEETING:
        return T_(
            "申报当前为“%(title)s”，评前公示期满无异议后才能列入评审会议", title=application.state.title
        )
    if session.scalar(select(MeetingEntry.meeting_id).where(MeetingEntry.application_id == application.id)):
        return N_("该申报已列入评审会议")
    if crossing := _other_year(committee_rules(session, meeting.committee), meeting.held_on, application):
        return crossing
    return confirmations.agenda_refusal(session, application)  # 004 一(五): an unconfirmed title


def _other_year(rule: CommitteeRules, held_on: date, application: Application) -> str | None:
    """WIN-04 (003 三(一), 不得跨年度评审): where the profile says so, a meeting reviews only what reached the
    committee in the meeting's own year."""
    routed = application.committee_routed_on
    if not rule.same_year or routed is None or routed.year == held_on.year:
        return None
    return T_(
        "%(name)s的申报于%(routed)s年报送评委会，不能列入%(held)s年的评审会议：评审、审核、备案须在当年完成，"
        "不得跨年度评审（%(clause)s）",
        name=application.applicant.name,
        routed=str(routed.year),
        held=str(held_on.year),
        clause=Clause(rule.same_year),
    )


def add_to_agenda(
    session: Session, actor: Actor, meeting_id: int, application_ids: list[int], now: datetime
) -> BulkResult:
    """Put applications on the agenda while the meeting is prepared, each checked on its own: the rest are
    added when one is refused (per-row results). An application is on one meeting only."""
    meeting = _mine(session, actor, meeting_id)
    if meeting.state not in EDITABLE:
        _refuse(
            session,
            actor,
            meeting,
            "add_to_agenda",
            "meeting_filed",
            T_("会议%(title)s，议程不能再修改", title=meeting.state.title),
            now,
        )
    if not application_ids:
        raise ValidationFailed({"application_ids": N_("请先勾选要列入议程的申报")})
    rows: list[RowResult] = []
    for application_id in dict.fromkeys(application_ids):
        application = session.scalars(
            visible_applications(actor).where(Application.id == application_id)
        ).one_or_none()
        name = application.applicant.name if application else ""
        why = agenda_refusal(session, meeting, application)
        if why is None:
            session.add(MeetingEntry(meeting_id=meeting.id, application_id=application_id, added_at=now))
            session.flush()
        rows.append(RowResult(application_id, name, why or ""))
    done = [r.application_id for r in rows if not r.why]
    if done:
        _advance(session, meeting, set(EDITABLE))
    audit.record(
        session, actor, "add_to_agenda", now, object_type="meeting", object_id=meeting.id,
        detail={"done": done, "failed": [r.application_id for r in rows if r.why]},
    )  # fmt: skip
    session.expire(meeting, ["entries"])
    return BulkResult(rows)


def remove_from_agenda(
    session: Session, actor: Actor, meeting_id: int, application_id: int, now: datetime
) -> None:
    """Take an application off the agenda while the meeting is prepared (audited)."""
    meeting = _mine(session, actor, meeting_id)
    if meeting.state not in EDITABLE:
        _refuse(
            session,
            actor,
            meeting,
            "remove_from_agenda",
            "meeting_filed",
            T_("会议%(title)s，议程不能再修改", title=meeting.state.title),
            now,
        )
    entry = next((e for e in meeting.entries if e.application_id == application_id), None)
    if entry is None:
        raise NotFound(N_("该申报不在本次会议议程中"))
    session.delete(entry)
    session.flush()
    _advance(session, meeting, set(EDITABLE))
    session.expire(meeting, ["entries"])
    audit.record(
        session, actor, "remove_from_agenda", now, object_type="meeting", object_id=meeting.id,
        detail={"application_id": application_id},
    )  # fmt: skip


# --- cancelling a meeting: planned by mistake, or accepted and not to be held ------------------------------

# Until the office files it, a meeting is the office's own draft: it may be cancelled (a wrong date, a
# duplicate). While the bureau holds a filing it has not decided, it is not cancelled here: the office
# first withdraws the filing (`withdraw_filing`, back to 筹备中). A meeting whose filing the bureau refused
# is back with the office and may be. A meeting whose filing the bureau accepted may be called off too, as
# long as its vote has not opened: experts leave the pool or cannot come and the panel as accepted cannot
# make its quorum (votes.Quorum keeps them in its denominator), or the meeting cannot be held on its day.
# Without this step such a meeting stayed accepted for ever and held its agenda's applications. Once the
# vote has opened the meeting has been held: it is counted, never cancelled.
CANCELLABLE = EDITABLE | {MeetingStatus.ACCEPTED}
# An accepted meeting is the filing the leader signed (file_meeting) and the bureau accepted: calling it
# off undoes that filing, so, like its withdrawal (withdraw_filing), it is the leader's to do. The bureau
# and the panel, told of the acceptance, are told of the cancellation.
LEADER_CANCELS = frozenset({MeetingStatus.ACCEPTED})
VOTE_OPENED = frozenset(
    {MeetingStatus.VOTING, MeetingStatus.TALLIED, MeetingStatus.CONFIRMED, MeetingStatus.PUBLISHED}
)


def _required_reason(typed: str, title: str, field: str) -> str:
    """The reason typed in the form's ``field`` (its LIMITS key too), stripped; refused on the field
    when it is missing or too long."""
    try:
        return check_text(typed, title, LIMITS[field], required=True)
    except ValueError as bad:
        raise ValidationFailed({field: bad.args[0]}) from None


def _cancel_refusal(meeting: Meeting) -> tuple[str, str] | None:
    """Why the meeting cannot be cancelled now, as the audit row's code and the words, or None."""
    state = meeting.state
    if state in CANCELLABLE:
        return None
    if state is MeetingStatus.CANCELLED:
        return "cancelled", N_("会议已取消")
    if state is MeetingStatus.FILED:
        return "meeting_filed", T_(
            "会议%(title)s，不能取消：人社局确认前请先撤回备案，再取消会议",
            title=state.title,
        )
    return "vote_opened", T_(
        "会议%(title)s，不能取消：表决已经开始，会议已经举行，按表决结果办理",
        title=state.title,
    )


def why_not_cancel(meeting: Meeting) -> str | None:
    """Why the office cannot cancel the meeting now (the words `cancel_meeting` refuses with), or None.
    An accepted meeting may be cancelled by the office's leader only (`LEADER_CANCELS`)."""
    refusal = _cancel_refusal(meeting)
    return refusal[1] if refusal is not None else None


def may_cancel(actor: Actor, meeting: Meeting) -> bool:
    """Whether the actor (of the meeting's office) may cancel the meeting now: its state allows it and,
    for an accepted meeting, they are the office's leader. The page offers the form only then."""
    if why_not_cancel(meeting) is not None:
        return False
    return meeting.state not in LEADER_CANCELS or actor.staff_role is StaffRole.LEADER


def _lock_meeting(session: Session, meeting: Meeting) -> None:
    """Lock the meeting's row until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's writers take
    turns anyway) and read it again: the opening of a vote locks it the same way (votes.open_voting), so
    a cancel and an opening at once take turns, and the second sees the first's outcome and is refused in
    words rather than as a stale step."""
    session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    session.refresh(meeting)


@dataclass(frozen=True)
class Cancelled:
    """What a cancel did, for the words that report it (a meeting planned by mistake may have had no
    agenda and no panel: nothing was returned or released then): the meeting; how many applications its
    agenda returned to waiting for a meeting; how many drawn experts it released; whether its filing had
    been accepted (the bureau's deciders were told) and how many experts were told."""

    meeting: Meeting
    returned: int
    released: int
    accepted: bool = False
    experts_told: int = 0


def cancel_meeting(session: Session, actor: Actor, meeting_id: int, reason: str, now: datetime) -> Cancelled:
    """The office cancels a meeting, with the reason: one not yet filed with the bureau (its staff), or
    one whose filing the bureau accepted and whose vote has not opened (its leader: `LEADER_CANCELS`).
    The applications on its agenda go back to waiting for a meeting (another meeting can take them), the
    drawn experts are released, and the meeting stays on record as cancelled, with who, when and why.
    An accepted meeting's experts (those still in the pool) and the bureau's deciders are told, in the
    inbox and by e-mail. Refused, audited, while a filing waits for the bureau, once the vote has opened,
    or when cancelled already; the agenda and panel it released are in the audit row. Returns what it
    did (`Cancelled`): the page's message says only that."""
    meeting = _mine(session, actor, meeting_id)
    reason = _required_reason(reason, N_("取消原因"), "cancel_reason")
    # Read under the lock: a vote opened meanwhile is seen, and this cancel refused as such.
    _lock_meeting(session, meeting)
    refusal = _cancel_refusal(meeting)
    if refusal is not None:
        _refuse(session, actor, meeting, "cancel_meeting", refusal[0], refusal[1], now)
    was = meeting.state
    if was in LEADER_CANCELS and actor.staff_role is not StaffRole.LEADER:
        # Not this person's step (audited by the web as the refusal of a person, as withdraw_filing's).
        raise PermissionDenied(N_("已备案的会议须由办事机构领导取消"))
    entries = list(meeting.entries)
    # Those its cancel puts back among the candidates: a case ended while on the agenda (the office's
    # leader may still reject it, AWAITING_MEETING → REJECTED) keeps its entry until now but goes nowhere.
    waiting = select(func.count(Application.id)).where(
        Application.id.in_([e.application_id for e in entries]),
        Application.status == Status.AWAITING_MEETING.value,
    )
    returned = (session.scalar(waiting) or 0) if entries else 0
    # In the order of the draw (as votes.panel reads it), so the cancelled meeting's page lists them so.
    members = list(
        session.scalars(
            select(PanelMember).where(PanelMember.meeting_id == meeting.id).order_by(PanelMember.id)
        )
    )
    # Those told of the panel when the filing was accepted, still in the pool (one taken out was told
    # then that their panels are no longer theirs).
    told = [m.expert.user_id for m in members if m.expert.active] if was is MeetingStatus.ACCEPTED else []
    # The compare-and-set first: of two cancels (or a cancel and a filing) at once only one goes on.
    _advance(
        session, meeting, {was}, status=MeetingStatus.CANCELLED.value, cancelled_by_id=actor.user_id,
        cancelled_at=now, cancel_reason=reason,
    )  # fmt: skip
    # An application on an agenda is AWAITING_MEETING still; the entry alone holds it (one meeting per
    # application), so removing it puts the application back among agenda_candidates.
    for entry in entries:
        session.delete(entry)
    for member in members:
        session.delete(member)
    session.flush()
    session.expire(meeting, ["entries"])
    detail: dict[str, object] = {
        "held_on": meeting.held_on.isoformat(), "agenda": [e.application_id for e in entries],
        "panel": [m.expert_id for m in members],
    }  # fmt: skip
    if was is MeetingStatus.ACCEPTED:
        detail.update(
            filing_decided_by_id=meeting.filing_decided_by_id,
            filing_decided_at=meeting.filing_decided_at.isoformat() if meeting.filing_decided_at else None,
            experts_told=told,
        )
    audit.record(
        session, actor, "cancel_meeting", now, object_type="meeting", object_id=meeting.id,
        from_status=was.value, to_status=MeetingStatus.CANCELLED.value, reason=reason, detail=detail,
    )  # fmt: skip
    accepted = was is MeetingStatus.ACCEPTED
    if accepted:
        _tell_of_cancellation(session, meeting, told, reason, now)
    return Cancelled(meeting, returned, len(members), accepted, len(told))


def _tell_of_cancellation(
    session: Session, meeting: Meeting, experts: list[int], reason: str, now: datetime
) -> None:
    """An accepted meeting called off: the bureau that accepted its filing learns the meeting will not be
    held (its accepted filing stands for nothing now), and the panel's experts that they need not come;
    each with the reason. The experts' link is their panels' page: this meeting is no longer on it."""
    about = {"committee": meeting.committee.name, "day": meeting.held_on, "place": meeting.place}
    _tell_filing_deciders(
        session, meeting, NoticeKind.WORK_WITHDRAWN,
        T_(
            "已备案的评审会议已取消：%(committee)s取消了%(day)s评审会议（%(place)s），该会议不再举行，"
            "议程中的申报退回待列入评审会议，如另行安排将重新报备。取消原因：%(reason)s",
            reason=reason, **about,
        ),
        now,
    )  # fmt: skip
    notifications.notify(
        session, experts, NoticeKind.PANEL,
        T_(
            "%(committee)s%(day)s评审会议（%(place)s）已取消，您无需出席，本次会议的评审专家名单已撤销。"
            "取消原因：%(reason)s",
            reason=reason, **about,
        ),
        PANELS_LINK, now,
    )  # fmt: skip


@dataclass(frozen=True)
class Cancellation:
    """What a cancelled meeting's page shows of its cancellation, read from what is stored: who, when and
    why from the meeting's row; the agenda and panel it released from the audit row `cancel_meeting`
    wrote (the entries and panel rows themselves were deleted). ``recorded`` is False when that audit row
    cannot be read: the page then says the former agenda is unknown rather than that it was empty.
    ``accepted``: the bureau had accepted its filing when it was cancelled (the bureau and the experts
    were told). ``note``: the page's sentence of what the cancel did (`cancelled_note`); ``after_filing``:
    for an accepted meeting, who was told of it (`after_filing_note`), else empty."""

    by: str
    at: datetime | None
    reason: str
    recorded: bool
    agenda: list[Application]
    panel: list[Expert]
    accepted: bool = False
    note: str = ""
    after_filing: str = ""


def cancelled_note(recorded: bool, returned: int, released: int) -> str:
    """The cancelled meeting's sentence, saying only what its cancel did, as the cancel's flash does
    (`Cancelled`): the agenda went back only if it had applications, experts were released only if any
    had been drawn (counted from the cancel's audit row, ``returned`` and ``released``). Without that row
    the page cannot say what was on the meeting, only that it is cancelled."""
    if not recorded:
        return N_("本次会议已取消。未找到取消记录，取消时的议程和专家名单无法列出。")
    if returned and released:
        return N_(
            "本次会议已取消：取消时议程中的申报已退回待列入评审会议，可以列入其他会议；抽取的专家已释放。"
            "下面是取消时的议程和专家名单（只读）。"
        )
    if returned:
        return N_(
            "本次会议已取消：取消时议程中的申报已退回待列入评审会议，可以列入其他会议；取消时尚未抽取评审专家。"
            "下面是取消时的议程（只读）。"
        )
    if released:
        return N_("本次会议已取消：取消时议程中没有申报；抽取的专家已释放。下面是取消时的专家名单（只读）。")
    return N_("本次会议已取消：取消时议程中没有申报，也尚未抽取评审专家。")


def after_filing_note(experts_told: int) -> str:
    """The accepted meeting's cancellation, as the cancel's flash says it: the bureau was told, and the
    experts only if any were still in the pool to tell (the audit row's ``experts_told``)."""
    if experts_told:
        return N_("取消时本次会议已经人社局确认备案：人社局和专家已收到取消通知；另行安排的会议须重新报备。")
    return N_(
        "取消时本次会议已经人社局确认备案：人社局已收到取消通知（抽取的专家均已不在专家库中，无人可通知）；"
        "另行安排的会议须重新报备。"
    )


def cancellation(session: Session, meeting: Meeting) -> Cancellation | None:
    """The cancellation of a cancelled meeting (None for any other): the applications that were on its
    agenda and the experts drawn for it when it was cancelled, in their order then, each as it is now (an
    application may since be on another meeting's agenda)."""
    if meeting.state is not MeetingStatus.CANCELLED:
        return None
    row = session.scalars(audit_rows(meeting.id, "cancel_meeting")).first()
    detail = row.detail if row is not None else {}
    agenda_ids = [i for i in detail.get("agenda", []) if isinstance(i, int)]
    panel_ids = [i for i in detail.get("panel", []) if isinstance(i, int)]
    # One statement each; the ids come from the row the cancel wrote, every one this meeting's own
    # committee's (the agenda took only its applications, the draw only its pool).
    applications = {
        a.id: a
        for a in session.scalars(
            select(Application).where(
                Application.id.in_(agenda_ids), Application.committee_id == meeting.committee_id
            )
        )
    }
    experts = {
        e.id: e
        for e in session.scalars(
            select(Expert).where(Expert.id.in_(panel_ids), Expert.committee_id == meeting.committee_id)
        )
    }
    by = meeting.cancelled_by.name if meeting.cancelled_by else (row.actor.name if row and row.actor else "")
    accepted = row is not None and row.from_status == MeetingStatus.ACCEPTED.value
    return Cancellation(
        by=by,
        at=meeting.cancelled_at or (row.at if row is not None else None),
        reason=meeting.cancel_reason or (row.reason if row is not None else ""),
        recorded=row is not None,
        agenda=[applications[i] for i in agenda_ids if i in applications],
        panel=[experts[i] for i in panel_ids if i in experts],
        accepted=accepted,
        # From the ids the cancel recorded, not those still found: what it returned and released then.
        note=cancelled_note(row is not None, len(agenda_ids), len(panel_ids)),
        after_filing=after_filing_note(len(detail.get("experts_told") or [])) if accepted else "",
    )


# --- filing with the bureau -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingItem:
    key: str
    title: str
    ready: bool
    note: str


def filing_items(session: Session, meeting: Meeting) -> list[FilingItem]:
    """What the profile's filing contains, each with whether it is ready and what it says."""
    rule = committee_rules(session, meeting.committee)
    agenda = meeting.entries
    items = []
    for key in rule.filing.contents:
        ready, note = True, ""
        if key == "plan":
            ready, note = (
                bool(meeting.plan),
                (meeting.plan[:60] + "…" if len(meeting.plan) > 60 else meeting.plan) or N_("尚未填写"),
            )
        elif key in ("attendees", "qualification_review"):
            ready, note = (
                bool(agenda),
                NT_("上会评审 %(num)d 人", "上会评审 %(num)d 人", len(agenda))
                if agenda
                else N_("议程中尚无申报"),
            )
        elif key == "pre_review_notice":
            ready, note = (
                bool(agenda),
                N_("议程中的申报均已评前公示期满无异议") if agenda else N_("议程中尚无申报"),
            )
        elif key == "failed_review":
            failed = failed_review(session, meeting.committee_id)
            note = (
                NT_("审核未通过 %(num)d 人", "审核未通过 %(num)d 人", len(failed))
                if failed
                else N_("无审核未通过人员")
            )
        elif key == "pass_rate":
            ready = meeting.pass_rate_limit is not None
            note = (
                T_("通过率上限 %(pass_rate_limit)s%%", pass_rate_limit=meeting.pass_rate_limit)
                if ready
                else N_("尚未设定")
            )
        elif key == "expert_draw":
            ready, note = panel_ready(session, meeting)
        items.append(FilingItem(key, CONTENT_TITLES[key], ready, note))
    return items


def failed_review(session: Session, committee_id: int) -> list[Application]:
    """Those the committee's office turned down in its review (审核未通过人员, 004 一(六))."""
    return list(
        session.scalars(
            select(Application)
            .where(Application.committee_id == committee_id, Application.status == Status.REJECTED.value)
            .order_by(Application.id)
        )
    )


def panel_ready(session: Session, meeting: Meeting) -> tuple[bool, str]:
    """Whether the meeting's panel has been drawn (services.votes holds the draw)."""
    from portal.services import votes

    return votes.panel_ready(session, meeting)


def _filing_gap(session: Session, meeting: Meeting, now: datetime) -> tuple[str, str] | None:
    """Why the meeting cannot be filed now (the audit row's code and the words), or None."""
    if meeting.state not in EDITABLE:
        return "meeting_filed", T_("会议%(title)s，无需再报备", title=meeting.state.title)
    if today(now) > meeting.filing_due:
        return "filing_overdue", T_(
            "已过报备截止日%(due)s（%(clause)s）：未经备案的评审行为不予认可，请将会议改期后再报备",
            due=meeting.filing_due, clause=Clause(meeting.filing_clause),
        )  # fmt: skip
    missing = [item for item in filing_items(session, meeting) if not item.ready]
    if missing:
        gaps = joined([T_("%(title)s（%(note)s）", title=i.title, note=i.note) for i in missing], "；")
        return "filing_incomplete", T_("报备材料不全：%(items)s", items=gaps)
    return None


def why_not_file(session: Session, meeting: Meeting, now: datetime) -> str | None:
    """What stops the office's leader filing the meeting now, or None when it may be filed.

    The meeting page shows it beside a disabled 报人社局备案 rather than offering a button whose
    confirmation leads only to this refusal; `file_meeting` refuses with the same words.
    """
    gap = _filing_gap(session, meeting, now)
    return gap[1] if gap is not None else None


def file_meeting(session: Session, actor: Actor, meeting_id: int, now: datetime) -> Meeting:
    """The office's leader files the meeting's preparation with the bureau, on or before its filing day,
    with every item the profile's filing contains ready (refused and audited otherwise)."""
    meeting = _mine(session, actor, meeting_id)
    if actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("报备须由办事机构领导签发"))
    gap = _filing_gap(session, meeting, now)
    if gap is not None:
        _refuse(session, actor, meeting, "file_meeting", gap[0], gap[1], now)
    _advance(
        session,
        meeting,
        set(EDITABLE),
        status=MeetingStatus.FILED.value,
        filed_by_id=actor.user_id,
        filed_at=now,
    )
    audit.record(session, actor, "file_meeting", now, object_type="meeting", object_id=meeting.id)
    message = T_(
        "新的待办（备案）：%(committee)s报备%(day)s评审会议（%(place)s），请确认是否予以备案",
        committee=meeting.committee.name,
        day=meeting.held_on,
        place=meeting.place,
    )
    _tell_filing_deciders(session, meeting, NoticeKind.NEW_WORK, message, now)
    return meeting


def _tell_filing_deciders(
    session: Session, meeting: Meeting, kind: NoticeKind, message: Text, now: datetime
) -> None:
    """An inbox notice (and its e-mail, by the topic of `kind`) to whoever decides the meeting's filing,
    linking to the meeting's page, where the decision is taken."""
    deciders = committees.filing_deciders(session, meeting.committee, now)
    notifications.notify(session, deciders, kind, message, f"/committees/meetings/{meeting.id}", now)


# --- withdrawing a filing the bureau has not decided (撤回备案) -------------------------------------------

# A filing found wrong after it was sent (a wrong date, a missing expert) is taken back by the office while
# the bureau has not decided: the meeting goes back to 筹备中 (PLANNED), which is editable and cancellable
# as a refused filing (备案未通过) is — but it is not named 备案未通过, since the bureau refused nothing. The
# bureau's 待确认备案 tab collects FILED meetings only, so it no longer shows it; no expert was told (they
# are told when the filing is accepted). Once the bureau has decided there is nothing to withdraw.
WITHDRAWN_TO = MeetingStatus.PLANNED


def why_not_withdraw(meeting: Meeting) -> str | None:
    """Why the office cannot withdraw the meeting's filing now (the words `withdraw_filing` refuses
    with), or None while the filing waits for the bureau."""
    state = meeting.state
    if state is MeetingStatus.FILED:
        return None
    if state is MeetingStatus.CANCELLED:
        return N_("会议已取消")
    if state in EDITABLE:
        return T_("会议%(title)s，没有待人社局确认的报备可以撤回", title=state.title)
    return T_("会议%(title)s：人社局已作出备案决定，不能再撤回报备", title=state.title)


def withdraw_filing(session: Session, actor: Actor, meeting_id: int, reason: str, now: datetime) -> Meeting:
    """The office's leader (who files) withdraws the meeting's filing before the bureau decides, with the
    reason: the meeting is back in preparation, to be corrected and filed again, or cancelled. Refused,
    audited, once the bureau has decided (or with nothing filed); a withdrawal and the bureau's decision
    at the same moment are one compare-and-set on FILED, so only one of them happens."""
    meeting = _mine(session, actor, meeting_id)
    if actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("撤回备案须由办事机构领导办理"))
    reason = _required_reason(reason, N_("撤回原因"), "withdraw_reason")
    why = why_not_withdraw(meeting)
    if why is not None:
        _refuse(session, actor, meeting, "withdraw_filing", "not_filed", why, now)
    filed_by_id, filed_at = meeting.filed_by_id, meeting.filed_at
    _advance(
        session, meeting, {MeetingStatus.FILED}, status=WITHDRAWN_TO.value, filed_by_id=None, filed_at=None
    )
    audit.record(
        session, actor, "withdraw_filing", now, object_type="meeting", object_id=meeting.id,
        from_status=MeetingStatus.FILED.value, to_status=WITHDRAWN_TO.value, reason=reason,
        detail={
            "held_on": meeting.held_on.isoformat(), "filed_by_id": filed_by_id,
            "filed_at": filed_at.isoformat() if filed_at else None,
        },
    )  # fmt: skip
    # The bureau's 待确认备案 no longer holds it: whoever was told of the filing learns it is gone, and why.
    message = T_(
        "待办已撤回：%(committee)s撤回了%(day)s评审会议的报备，无需再确认备案。撤回原因：%(reason)s",
        committee=meeting.committee.name,
        day=meeting.held_on,
        reason=reason,
    )
    _tell_filing_deciders(session, meeting, NoticeKind.WORK_WITHDRAWN, message, now)
    return meeting


@dataclass(frozen=True)
class Withdrawal:
    """One withdrawn filing of a meeting, as its page lists it (from the audit row)."""

    at: datetime
    by: str
    reason: str


def withdrawals(session: Session, meeting: Meeting) -> list[Withdrawal]:
    """The meeting's withdrawn filings, oldest first: who withdrew each, when and why (its audit rows)."""
    rows = reversed(list(session.scalars(audit_rows(meeting.id, "withdraw_filing"))))
    return [Withdrawal(r.at, r.actor.name if r.actor else "", r.reason) for r in rows]


def withdrawal_warning(meeting: Meeting, now: datetime) -> Text | None:
    """What the withdrawal form warns of: past the filing day, a meeting withdrawn is filed again only
    after it is moved to a later date (file_meeting refuses an overdue filing). None otherwise."""
    if meeting.state is not MeetingStatus.FILED or today(now) <= meeting.filing_due:
        return None
    return T_(
        "报备截止日%(due)s已过（%(clause)s）：撤回后须将会议改期，才能重新报备",
        due=meeting.filing_due, clause=Clause(meeting.filing_clause),
    )  # fmt: skip


def decide_filing(
    session: Session, actor: Actor, meeting_id: int, accept: bool, note: str, now: datetime
) -> Meeting:
    """The bureau accepts the filing, or refuses it with the reason (the office corrects and files again)."""
    meeting = get_meeting(session, actor, meeting_id)
    if not (actor.is_staff and actor.org_id == meeting.committee.bureau_id):
        raise PermissionDenied(N_("报备由评委会报备的人社局确认"))
    note = note.strip()
    if not accept and not note:
        raise ValidationFailed({"note": N_("不予备案须写明原因")})
    if len(note) > 500:
        raise ValidationFailed({"note": T_("意见不能超过500字（现有%(n)s字）", n=len(note))})
    if meeting.state is not MeetingStatus.FILED:
        _refuse(
            session,
            actor,
            meeting,
            "decide_filing",
            "not_filed",
            T_("会议%(title)s，没有待确认的报备", title=meeting.state.title),
            now,
        )
    target = MeetingStatus.ACCEPTED if accept else MeetingStatus.REFUSED
    _advance(
        session, meeting, {MeetingStatus.FILED}, status=target.value, filing_decided_by_id=actor.user_id,
        filing_decided_at=now, filing_note=note,
    )  # fmt: skip
    audit.record(
        session, actor, "accept_filing" if accept else "refuse_filing", now, object_type="meeting",
        object_id=meeting.id, reason=note,
    )  # fmt: skip
    # The office that filed learns the outcome (a refusal with its reason: it corrects and files again).
    about = {"committee": meeting.committee.name, "day": meeting.held_on, "place": meeting.place}
    told = (
        T_("备案已通过：人社局确认了%(committee)s%(day)s评审会议（%(place)s）的报备", **about)
        if accept
        else T_(
            "备案未通过：人社局对%(committee)s%(day)s评审会议（%(place)s）的报备不予备案，请修改后重新报备。原因：%(reason)s",
            reason=note,
            **about,
        )
    )
    notifications.notify(
        session, committees.filers(session, meeting.committee, now), NoticeKind.FILING_DECIDED, told,
        f"/committees/meetings/{meeting.id}", now,
    )  # fmt: skip
    if accept:  # the panel is final once filed: each expert learns of the meeting and what to do first
        experts = session.scalars(
            select(Expert.user_id).join(PanelMember).where(PanelMember.meeting_id == meeting.id)
        )
        # Only a profile that asks the experts to confirm their study (CHAN-06, 004 一(七)) asks it here.
        if committee_rules(session, meeting.committee).expert_study:
            message = T_(
                "您已被抽选为%(committee)s%(day)s评审会议（%(place)s）的评审专家，请在会前登录确认已学习评价标准条件",
                committee=meeting.committee.name,
                day=meeting.held_on,
                place=meeting.place,
            )
        else:
            message = T_(
                "您已被抽选为%(committee)s%(day)s评审会议（%(place)s）的评审专家，请按时出席",
                committee=meeting.committee.name,
                day=meeting.held_on,
                place=meeting.place,
            )
        notifications.notify(session, experts, NoticeKind.PANEL, message, panel_link(meeting.id), now)
    return meeting
