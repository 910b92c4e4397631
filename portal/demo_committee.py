"""Demo data for the committee (评审) road (issue 22): Zhenjiang's committees loaded from its profile's
申报计划安排表, the city evaluation centre's committee office with a handler and a leader, an expert pool
of engineering experts, and two 评审 applications of one enterprise: one sent by the bureau to that
committee, standing at the office's intake, and one whose road was walked in the past up to the results
the office confirmed (its meeting held one to two weeks before the demo is loaded, the vote counted), so
the README tour can walk the road from the intake to a published result although the live demo runs on
the real clock (a meeting is filed 15 days before it is held, 003 六(一); each notice runs 5 working
days): the bureau's leader publishes that meeting's results and its staff import the certificate number.

Its own module, called with one line from portal.demo: everything goes through the services a user
would use (the admin loads the table, the office adds its experts, the application walks the route and
the bureau's leader sends it; the past road's meeting is planned, filed, voted and confirmed with the
earlier times a user would have acted at), so its timeline and audit trail are real. Idempotent like the
rest of the demo: a second run finds the committee's office staff and each applicant and leaves
everything as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import ValidationFailed
from portal.domain.workdays import UnknownYear
from portal.domain.workflow import Action
from portal.models import Application, Committee, Membership, NoticePurpose, Organisation, StaffRole, User
from portal.services import applications, committees, meetings, notices, results, votes
from portal.services.actors import Actor, actor_for
from portal.services.calendar import today, work_calendar
from portal.storage import Storage

if TYPE_CHECKING:  # portal.demo imports this module
    from portal.demo import Reviewers

BUREAU = "镇江市人力资源和社会保障局"  # the Zhenjiang hand-off target's bureau (portal.demo)
ENTERPRISE = "镇江新区港城建设工程有限公司"
COMMITTEE_CODE = "zj-center"  # 003 附件: the city evaluation centre's committee (工程 series rows)
OFFICE_STAFF = (
    ("办事机构经办人", "13970800021", "钱思敏", StaffRole.HANDLER),
    ("办事机构领导", "13970800022", "孔德明", StaffRole.LEADER),
)
# (name, phone, specialty, employer): 建设工程 experts from other employers (none is recused) and one
# from the applicant's own enterprise (recused at the draw: the demo shows the rule).
EXPERTS = (
    ("许建国", "13970800031", "建设工程", "镇江市建筑设计研究院"),
    ("陆海燕", "13970800032", "建设工程", "江苏大学土木工程与力学学院"),
    ("沈立新", "13970800033", "建设工程", "镇江市建设工程质量监督站"),
    ("陶文斌", "13970800034", "建设工程", "镇江城建集团有限公司"),
    ("范雪梅", "13970800035", "建设工程", "丹阳市建筑工程管理处"),
    ("蒋志强", "13970800036", "建设工程", "句容市住房和城乡建设局"),
    ("汤继红", "13970800037", "建设工程", "扬中市建筑安装工程公司"),
    ("周永康", "13970800038", "建设工程", ENTERPRISE),
)
APPLICANT = ("马晓东", "13970800041", "建设工程")  # at the office's intake
# The same enterprise's second 评审 applicant: the road walked in the past, to the results the office
# confirmed (its meeting's page shows the tally; the bureau publishes it).
CONFIRMED_APPLICANT = ("林卫东", "13970800042", "建设工程")
MEETING_PLACE = "镇江市人力资源和社会保障局三楼会议室"
DRAW_SEED = "zhenjiang-demo-meeting"
OFFICE_NOTICE = ("评委会办事机构网站及公示栏", "评委会办事机构 0511-84403810")  # where posted, whom to ask
PANEL = 5


def committee_phones() -> list[str]:
    """The logins this module creates (the production guard refuses to start while any exists)."""
    return (
        [p for _d, p, _n, _r in OFFICE_STAFF]
        + [e[1] for e in EXPERTS]
        + [APPLICANT[1], CONFIRMED_APPLICANT[1]]
    )


def _actor_in(session: Session, org: Organisation, role: StaffRole) -> Actor:
    membership = session.scalars(
        select(Membership).where(
            Membership.org_id == org.id, Membership.role == role.value, Membership.ended_at.is_(None)
        )
    ).first()
    assert membership is not None, f"{org.name} has no {role.value}"
    user = session.get(User, membership.user_id)
    assert user is not None
    return actor_for(user, membership)


def reviewers_of(session: Session, enterprise: Organisation, bureau: Organisation) -> Reviewers:
    """The demo road's reviewers of an enterprise: its handler and leader, its department's, the bureau's."""
    from portal import demo

    department = session.get(Organisation, enterprise.parent_id)
    assert department is not None
    return demo.Reviewers(
        _actor_in(session, enterprise, StaffRole.HANDLER),
        _actor_in(session, enterprise, StaffRole.LEADER),
        _actor_in(session, department, StaffRole.HANDLER),
        _actor_in(session, department, StaffRole.LEADER),
        _actor_in(session, bureau, StaffRole.HANDLER),
        _actor_in(session, bureau, StaffRole.LEADER),
    )


def staff_committee(
    session: Session,
    admin: Actor,
    committee: Committee,
    staff: Iterable[tuple[str, str, str, StaffRole]],
    experts: Iterable[tuple[str, str, str, str]],
    serial: int,
) -> list[tuple[str, str, str]]:
    """The committee office's staff, opened by the bureau's admin as for any of its organisations, and its
    expert pool (name, phone, specialty, employer; 工程 series; 高级工程师 = 副高级, appointed on the demo's
    start for 3 years: qualified for a 高级 committee's draw, 人社部令第40号), added by the office's handler;
    the logins.
    Serials from ``serial`` (staff) and ``serial + 10`` (experts) make the demo's ID numbers."""
    from portal import demo

    start, logins = demo.DEMO_ROAD_START, []
    for n, (description, phone, name, role) in enumerate(staff, start=serial):
        demo._staff_member(session, admin, committee.office, (name, phone, n), role, start)
        logins.append((f"{committee.name}{description}", phone, name))
    handler = _actor_in(session, committee.office, StaffRole.HANDLER)
    for n, (name, phone, specialty, employer) in enumerate(experts, start=serial + 10):
        logins.append((f"评审专家（{employer}）", phone, name))
        if session.scalar(select(User.id).where(User.phone == phone)) is not None:
            continue
        added = votes.add_expert(
            session, handler,
            votes.ExpertInput(
                name, demo._id_for(n), phone, "工程", specialty, "高级工程师", employer, title_level="副高级"
            ),
            start,
        )  # fmt: skip
        if added.account is not None:  # the expert's first login: the demo password, as they would set it
            demo._settle(session, added.account, start)
    return logins


def seed_committee_demo(session: Session, storage: Storage, now: datetime) -> list[tuple[str, str, str]]:
    """The committee road's demo (see the module's docstring) for a demo loaded at ``now``; returns its
    logins (description, phone, name). Needs portal.demo's Zhenjiang bureau, enterprise and staff (seeded
    before it)."""
    from portal import demo  # the walker, the start date, the account openers and the demo's ID numbers

    start = demo.DEMO_ROAD_START
    bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).first()
    enterprise = session.scalars(select(Organisation).where(Organisation.name == ENTERPRISE)).first()
    if bureau is None or enterprise is None:
        return []
    admin = _actor_in(session, bureau, StaffRole.ADMIN)
    committee = session.scalars(
        select(Committee).where(Committee.bureau_id == bureau.id, Committee.code == COMMITTEE_CODE)
    ).first()
    if committee is None:
        committees.load_from_profile(session, admin, start)
        committee = session.scalars(
            select(Committee).where(Committee.bureau_id == bureau.id, Committee.code == COMMITTEE_CODE)
        ).one()
    logins = staff_committee(session, admin, committee, OFFICE_STAFF, EXPERTS, 160)
    road = reviewers_of(session, enterprise, bureau)
    name, phone, _specialty = APPLICANT
    logins.append((f"申报人（{ENTERPRISE}，评审途径）", phone, name))
    if session.scalar(select(User.id).where(User.phone == phone)) is None:
        _sent_to_committee(session, storage, road, committee, APPLICANT, 190, start)
    name, phone, _specialty = CONFIRMED_APPLICANT
    logins.append((f"申报人（{ENTERPRISE}，评审途径，评审结果已确认）", phone, name))
    if session.scalar(select(User.id).where(User.phone == phone)) is None:
        _seed_confirmed_road(session, storage, road, committee, now)
    return logins


def _sent_to_committee(
    session: Session,
    storage: Storage,
    road: Reviewers,
    committee: Committee,
    who: tuple[str, str, str],
    serial: int,
    start: datetime,
) -> Application:
    """A new applicant of the enterprise (its handler opens the account) whose 评审 application walks the
    route from ``start`` up to the bureau handler's approval (the ROAD's first nine steps, its unit notice
    included), then the bureau's leader sends it to the committee whose scope holds it: it stands at the
    office's intake."""
    from portal import demo

    name, phone, specialty = who
    applicant = demo.open_applicant(session, road.enterprise_handler, name, phone, serial, start)
    application = demo._start(
        session, storage, road.enterprise_handler, applicant, ("工程", specialty, "中级"), start, "评审",
        authority=COMMITTEE_CODE,
    )  # fmt: skip
    moment = demo.walk(session, road, application, 9, start, demo.contact_for("zhenjiang-2024"))
    applications.act(
        session, road.bureau_leader, application.id, Action.SEND_TO_COMMITTEE, moment + timedelta(hours=1),
        committee_id=committee.id,
    )  # fmt: skip
    return application


@dataclass(frozen=True)
class PastRoad:
    """The days of the past road, working days (but ``sent``, the day after the unit notice), counted
    back from the day the demo is loaded so that every deadline the services compute is met: the route's
    start (its unit notice ends before the intake), the office's intake and 评前公示 (ended before the
    planning), the planning and filing (the meeting ~5 weeks on: far more than the 15 days the filing
    needs), the meeting day (~1–2 weeks before the demo's day, its 评审结果公示 ended before it)."""

    start: date
    sent: date  # the day the unit notice's end lets the route go on to the bureau's send
    intake: date
    planned: date
    accepted: date  # the bureau's 确认备案, the next working day; the experts' acknowledgements
    held_on: date


def past_road(session: Session, office_id: int, now: datetime) -> PastRoad:
    """The past road's days for a demo loaded at ``now`` (see PastRoad); the notices' lengths are the
    services' (the profile's working days, the calendar's holidays)."""
    calendar = work_calendar(session)

    def workday_on_or_before(day: date) -> date:
        while not calendar.is_workday(day):
            day -= timedelta(days=1)
        return day

    def ends_before(start: date, days: int, limit: date) -> bool:
        return notices.compute_period(session, start, days)[1] < limit

    pre_review = notices.notice_days(session, office_id, NoticePurpose.PRE_REVIEW)
    result = notices.notice_days(session, office_id, NoticePurpose.RESULT)
    held_on = workday_on_or_before(today(now) - timedelta(days=9))
    while not ends_before(held_on, result, today(now) - timedelta(days=1)):
        held_on = workday_on_or_before(held_on - timedelta(days=1))
    planned = workday_on_or_before(held_on - timedelta(days=24))
    intake = workday_on_or_before(planned - timedelta(days=1))
    while not ends_before(intake, pre_review, planned):
        intake = workday_on_or_before(intake - timedelta(days=1))
    start = workday_on_or_before(intake - timedelta(days=2))
    while not ends_before(start, notices.NOTICE_DAYS, intake - timedelta(days=1)):
        start = workday_on_or_before(start - timedelta(days=1))
    sent = notices.compute_period(session, start, notices.NOTICE_DAYS)[1] + timedelta(days=1)
    return PastRoad(start, sent, intake, planned, calendar.add_workdays(planned, 1), held_on)


def road_anchor(session: Session, office_id: int, now: datetime) -> datetime:
    """The day the past road is counted back from: the demo's day; for a demo loaded so soon after the
    demo's start that the road would reach the committee before the committee exists (a test's clock),
    the first day it fits after; for a demo loaded in a year the working-day calendar does not know yet
    (the services count every notice and deadline on it), the last day whose road the calendar can count:
    the meeting is then further back than two weeks, the rest of the tour the same."""
    from portal.demo import DEMO_ROAD_START, SHANGHAI

    last_known = date(max(work_calendar(session).known_years), 12, 31)
    anchor = min(now, datetime.combine(last_known, time(10), SHANGHAI))
    while True:
        try:
            road = past_road(session, office_id, anchor)
        except (UnknownYear, ValidationFailed):  # a notice would run into a year the calendar lacks
            anchor -= timedelta(days=1)
            continue
        if road.sent > today(DEMO_ROAD_START):
            return anchor
        anchor += timedelta(days=1)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of a demo day in Shanghai."""
    from portal.demo import SHANGHAI

    return datetime.combine(day, time(hour, minute), SHANGHAI)


def _office_notice(
    session: Session, handler: Actor, leader: Actor, application_id: int, title: str, moment: datetime
) -> datetime:
    """The office's handler drafts a notice of the application starting that day, its leader publishes it
    half an hour later, and its end passes it (no objection) at 09:00 the day after its last day: returns
    that moment."""
    from portal.demo import SHANGHAI

    posted = notices.NoticeInput(title, OFFICE_NOTICE[0], OFFICE_NOTICE[1], today(moment).isoformat())
    notice = notices.draft_notice(session, handler, posted, [application_id], moment)
    notices.publish_notice(session, leader, notice.id, moment + timedelta(minutes=30))
    after = datetime.combine(notice.last_day + timedelta(days=1), time(9), SHANGHAI)
    notices.close_if_due(session, notice, after)
    return after


def _seed_confirmed_road(
    session: Session, storage: Storage, road: Reviewers, committee: Committee, now: datetime
) -> None:
    """The second applicant's road, walked through the services at the past days of :func:`past_road`:
    sent by the bureau, accepted by the office (handler, then leader), its 评前公示 run and closed; a
    meeting planned with it on the agenda, the plan and an 80% pass-rate ceiling, five experts drawn, filed
    by the leader and accepted by the bureau's handler (确认备案); the experts' acknowledgements where the
    profile asks them (not Zhenjiang's); on the meeting day the vote opened with the five present, secret
    ballots (one against, four for) and the count; the 评审结果公示 run out; the office's leader confirms
    the results (a 100% pass rate over the ceiling, so with a note). The bureau's 公布评审结果 is left to
    the tour."""
    from portal import demo

    bureau = session.get(Organisation, road.bureau_handler.org_id)
    assert bureau is not None
    days = past_road(session, committee.office_id, road_anchor(session, committee.office_id, now))
    # A window open on the start day (the hand-off demo's covers the autumn of 2026; a later load opens
    # the demo's own, as for the Ganzhou bureau).
    demo._ensure_open_window(session, _actor_in(session, bureau, StaffRole.ADMIN), bureau, _at(days.start, 9))
    application = _sent_to_committee(
        session, storage, road, committee, CONFIRMED_APPLICANT, 191, _at(days.start, 9, 30)
    )
    handler = _actor_in(session, committee.office, StaffRole.HANDLER)
    leader = _actor_in(session, committee.office, StaffRole.LEADER)
    applications.act(session, handler, application.id, Action.HANDLER_APPROVE, _at(days.intake, 9, 30))
    applications.act(session, leader, application.id, Action.LEADER_APPROVE, _at(days.intake, 10, 30))
    _office_notice(session, handler, leader, application.id, "评前公示", _at(days.intake, 11))
    planned = _at(days.planned, 9, 30)
    meeting = meetings.plan_meeting(
        session, handler, meetings.MeetingInput(days.held_on.isoformat(), MEETING_PLACE), planned
    )
    meetings.add_to_agenda(session, handler, meeting.id, [application.id], planned + timedelta(minutes=10))
    meetings.save_plan(
        session, handler, meeting.id,
        meetings.PlanInput(plan="按建设工程专业评审，逐人陈述答辩后无记名投票", pass_rate_limit="80"),
        planned + timedelta(minutes=20),
    )  # fmt: skip
    votes.draw_panel(session, handler, meeting.id, PANEL, planned + timedelta(minutes=30), seed=DRAW_SEED)
    meetings.file_meeting(session, leader, meeting.id, planned + timedelta(hours=4))
    filed = _at(days.accepted, 10)  # the bureau's handler, the next working morning
    meetings.decide_filing(session, road.bureau_handler, meeting.id, True, "", filed)
    members = votes.panel(session, meeting)
    # Each expert confirms having studied the conditions, an hour apart, where the profile asks it
    # (CHAN-06, Kunming's 004 一(七)); Zhenjiang's 003 does not, so its experts confirm nothing.
    for n, member in enumerate(members if votes.study_clause(session, meeting) else []):
        votes.acknowledge(
            session, actor_for(member.expert.user, None), meeting.id, filed + timedelta(hours=n + 1)
        )
    day = _at(days.held_on, 9)
    votes.open_voting(session, leader, meeting.id, [m.id for m in members], day)
    entry = meeting.entries[0]
    for n, member in enumerate(members):
        ballot = {entry.id: "no" if n == 0 else "yes"}
        votes.cast_ballot(
            session, actor_for(member.expert.user, None), meeting.id, ballot, day + timedelta(minutes=30 + n)
        )
    votes.close_voting(session, leader, meeting.id, day + timedelta(hours=1))
    after = _office_notice(session, handler, leader, application.id, "评审结果公示", _at(days.held_on, 15))
    results.confirm_results(
        session,
        leader,
        meeting.id,
        "申报人1人，通过1人，超过设定通过率；经评委会研究确认",
        after + timedelta(hours=1),
    )
