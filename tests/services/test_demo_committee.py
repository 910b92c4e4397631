"""Issue 22's demo (portal/demo_committee.py): `flask seed-demo` gives Zhenjiang's committee office its
handler and leader, an expert pool, a 评审 application standing at the office's intake and a second one
whose meeting was held in the past and whose results the office confirmed, so the README tour can walk the
committee road to a published result; loading the demo twice changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.demo import demo_phones, seed_demo
from portal.demo_committee import APPLICANT, COMMITTEE_CODE, CONFIRMED_APPLICANT, EXPERTS, OFFICE_STAFF
from portal.domain.workflow import Action, Status
from portal.models import (
    Application,
    AuditEvent,
    Committee,
    Expert,
    Meeting,
    MeetingEntry,
    MeetingStatus,
    User,
)
from portal.services import applications, votes
from portal.services.actors import actor_for
from portal.services.calendar import today
from tests.conftest import Clock
from tests.factories import STORAGE


def test_the_demo_puts_a_zhenjiang_application_at_the_committee_offices_intake(
    session: Session, clock: Clock
) -> None:
    logins = seed_demo(session, clock.now, STORAGE)
    committee = session.scalars(select(Committee).where(Committee.code == COMMITTEE_CODE)).one()
    applicant = session.scalars(select(User).where(User.phone == APPLICANT[1])).one()
    application = session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()
    assert application.state is Status.COMMITTEE_REVIEW and application.committee_id == committee.id
    assert application.current_org_id == committee.office_id
    phones = {phone for _d, phone, _n in logins}
    assert {p for _d, p, _n, _r in OFFICE_STAFF} <= phones and {e[1] for e in EXPERTS} <= phones
    # The office's handler can take it at once (the intake is the review queue's road).
    from portal.models import Membership

    handler_user = session.scalars(select(User).where(User.phone == OFFICE_STAFF[0][1])).one()
    membership = session.scalars(select(Membership).where(Membership.user_id == handler_user.id)).one()
    applications.act(
        session, actor_for(handler_user, membership), application.id, Action.HANDLER_APPROVE, clock.now
    )
    assert application.state is Status.COMMITTEE_REVIEW  # now with the office's leader
    expert = session.scalars(select(Expert).where(Expert.committee_id == committee.id)).first()
    assert expert is not None and votes.is_expert(session, expert.user_id)
    pool = select(func.count()).select_from(Expert).where(Expert.committee_id == committee.id)
    experts = session.scalar(pool)
    seed_demo(session, clock.now, STORAGE)  # again: nothing new
    assert session.scalar(pool) == experts == len(EXPERTS)
    # A 高级 committee (its scope takes 副高级): the demo's experts hold 副高级 and are in term, so a full
    # panel is drawn from them (人社部令第40号).
    assert votes.standard(committee).floor == "副高级"
    for member in session.scalars(select(Expert).where(Expert.committee_id == committee.id)):
        assert member.title_level == "副高级"
        assert (member.appointed_on.isoformat(), member.term_ends.isoformat()) == ("2026-10-20", "2029-10-19")


def test_the_demo_s_second_application_was_voted_on_in_the_past_and_waits_for_the_bureau_to_publish(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # On the real clock nobody could get past planning (the filing 15 days before the meeting, 5 working
    # days of each notice): the second applicant's road was walked at earlier times, up to the results the
    # office confirmed, so the tour shows the tally and the bureau's publication works at once.
    clock.now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 on a Monday in Shanghai
    seed_demo(session, clock.now, STORAGE)
    applicant = session.scalars(select(User).where(User.phone == CONFIRMED_APPLICANT[1])).one()
    application = session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()
    assert application.state is Status.RESULT_CONFIRMED
    assert applicant.phone in demo_phones()  # the production guard refuses to start while it exists
    meeting = session.scalars(
        select(Meeting).join(MeetingEntry).where(MeetingEntry.application_id == application.id)
    ).one()
    assert meeting.state is MeetingStatus.CONFIRMED and meeting.confirm_note
    day = today(clock.now)
    assert timedelta(days=7) <= day - meeting.held_on <= timedelta(days=14)  # held 1–2 weeks ago
    assert timedelta(days=30) <= day - today(meeting.created_at) <= timedelta(days=42)  # planned ~5 weeks ago
    assert len(votes.panel(session, meeting)) == 5
    # The first applicant still stands at the office's intake (the office's next action).
    first = session.scalars(select(User).where(User.phone == APPLICANT[1])).one()
    assert session.scalars(select(Application).where(Application.applicant_id == first.id)).one().state is (
        Status.COMMITTEE_REVIEW
    )
    events = select(func.count()).select_from(AuditEvent)
    before = session.scalar(events)
    seed_demo(session, clock.now, STORAGE)  # again: nothing new
    assert session.scalar(events) == before
    assert session.scalar(select(func.count()).select_from(Meeting)) == 1

    office = _client_of(session, login_as, OFFICE_STAFF[0][1])
    page = office.get(f"/committees/meetings/{meeting.id}").text
    assert "赞成 4，反对 1，弃权 0" in page and "通过率 100%" in page and "结果已确认，待公布" in page
    bureau_leader = _client_of(session, login_as, "13970800002")  # 蒋国华, the README's bureau leader
    shown = bureau_leader.get(f"/committees/meetings/{meeting.id}").text
    assert "赞成 4，反对 1，弃权 0" in shown and "公布评审结果" in shown
    published = bureau_leader.post(
        f"/committees/meetings/{meeting.id}/publish", data={"document_no": "镇人社〔2026〕99号"}
    )
    assert published.status_code == 303
    session.expire_all()
    assert application.state is Status.RESULT_PUBLISHED


def _client_of(session: Session, login_as: Any, phone: str) -> Any:
    """A client logged in as the demo's staff member with this phone, in their (one) role."""
    from portal.models import Membership

    user = session.scalars(select(User).where(User.phone == phone)).one()
    membership = session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.ended_at.is_(None))
    ).one()
    return login_as(user, membership_id=membership.id)


def test_loaded_in_a_year_the_calendar_does_not_know_the_past_road_still_reaches_the_confirmed_results(
    session: Session,
) -> None:
    # The working-day calendar knows 2026 only: the services could not count a 2027 notice, so the road
    # is walked back from the last day they can count (and the bureau's publication still waits).
    seed_demo(session, datetime(2027, 6, 15, 2, 0, tzinfo=UTC), STORAGE)
    applicant = session.scalars(select(User).where(User.phone == CONFIRMED_APPLICANT[1])).one()
    application = session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()
    assert application.state is Status.RESULT_CONFIRMED
