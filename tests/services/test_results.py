"""Issue 22.6: the result notice, the office's confirmation (the pass rate shown first), the title office's
publication, the province's certificate number; a failure ends with the vote as its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.workflow import Status
from portal.models import AuditEvent, Meeting, MeetingStatus, StaffRole
from portal.services import certificate_numbers, meetings, results, votes
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import (
    committee_notice,
    filed_meeting,
    make_committee,
    make_committee_world,
    make_experts,
    make_review_application,
    pass_notice,
    to_meeting,
)


def _tallied(session: Session, clock: Clock, yes_for_second: int = 3):  # type: ignore[no-untyped-def]
    """Two applications voted on by five experts: the first passes, the second gets ``yes_for_second``."""
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    apps = []
    for _ in range(2):
        application = make_review_application(session, world, clock.now)
        to_meeting(session, world, co, application, clock.now)
        apps.append(application)
    make_experts(session, co, clock.now, 5)
    meeting = filed_meeting(session, world, co, apps, clock.now)
    members = votes.panel(session, meeting)
    on_the_day = clock.now + timedelta(days=30)
    leader = co.office.actor(StaffRole.LEADER)
    votes.open_voting(session, leader, meeting.id, [m.id for m in members], on_the_day)
    first, second = meeting.entries
    for i, member in enumerate(members):
        choice = "yes" if i < yes_for_second else "no"
        votes.cast_ballot(
            session, actor_for(member.expert.user, None), meeting.id, {first.id: "yes", second.id: choice},
            on_the_day,
        )  # fmt: skip
    votes.close_voting(session, leader, meeting.id, on_the_day)
    return world, co, apps, meeting, on_the_day


def _denied(session: Session, object_type: str, object_id: int) -> list[str]:
    stmt = select(AuditEvent).where(
        AuditEvent.object_type == object_type,
        AuditEvent.object_id == object_id,
        AuditEvent.outcome == "denied",
    )
    return [e.detail["code"] for e in session.scalars(stmt.order_by(AuditEvent.id))]


def test_results_go_from_the_result_notice_to_a_certificate_and_a_failure_keeps_its_reason(
    session: Session, clock: Clock
) -> None:
    world, co, apps, meeting, day = _tallied(session, clock)
    leader = co.office.actor(StaffRole.LEADER)
    # Before the result notice: refused, audited, nothing changed.
    with pytest.raises(DomainError) as early:
        results.confirm_results(session, leader, meeting.id, "", day)
    assert early.value.code == "notice_running" and "公示尚未结束" in early.value.message
    notice = committee_notice(session, co.office, [a.id for a in apps], day, title="评审结果公示")
    assert notice.days >= 5 and {a.state for a in apps} == {Status.RESULT_NOTICE}
    with pytest.raises(DomainError) as running:
        results.confirm_results(session, leader, meeting.id, "", day)
    assert running.value.code == "notice_running"
    assert meeting.state is MeetingStatus.TALLIED and {a.state for a in apps} == {Status.RESULT_NOTICE}
    after = pass_notice(session, notice)
    assert {a.state for a in apps} == {Status.RESULT_NOTICED}
    with pytest.raises(PermissionDenied):
        results.confirm_results(session, co.office.actor(StaffRole.HANDLER), meeting.id, "", after)
    assert votes.pass_rate(session, meeting).percent == 50
    results.confirm_results(session, leader, meeting.id, "", after)
    passed, failed = apps
    assert meeting.state is MeetingStatus.CONFIRMED
    assert (passed.state, failed.state) == (Status.RESULT_CONFIRMED, Status.NOT_PASSED)
    reason = session.scalar(
        select(AuditEvent.reason).where(
            AuditEvent.object_type == "application", AuditEvent.object_id == failed.id,
            AuditEvent.action == "confirm_fail",
        )
    )  # fmt: skip
    assert reason and "赞成3票" in reason
    with pytest.raises(DomainError) as twice:
        results.confirm_results(session, leader, meeting.id, "", after)
    assert twice.value.code == "not_tallied"

    bureau_leader = world.bureau.actor(StaffRole.LEADER)
    with pytest.raises(PermissionDenied):
        results.publish_results(session, leader, meeting.id, "镇人社职〔2026〕8号", after)
    with pytest.raises(ValidationFailed):
        results.publish_results(session, bureau_leader, meeting.id, " ", after)
    results.publish_results(session, bureau_leader, meeting.id, "镇人社职〔2026〕8号", after)
    assert meeting.state is MeetingStatus.PUBLISHED and passed.state is Status.RESULT_PUBLISHED

    handler = world.bureau.actor(StaffRole.HANDLER)
    for bad, code in (("证书", "bad_certificate_no"), ("12", "bad_certificate_no")):
        with pytest.raises(DomainError) as refused:
            results.record_certificate(session, handler, passed.id, bad, after)
        assert refused.value.code == code
    assert passed.state is Status.RESULT_PUBLISHED and passed.certificate_no is None
    results.record_certificate(session, handler, passed.id, "js2026-0001234", after)
    assert (passed.state, passed.certificate_no) == (Status.CERTIFIED, "JS2026-0001234")
    assert passed.certificate_code and passed.certified_at is not None
    assert _denied(session, "meeting", meeting.id) == ["notice_running", "notice_running", "not_tallied"]
    assert _denied(session, "application", passed.id) == ["bad_certificate_no", "bad_certificate_no"]


def test_a_pass_rate_over_its_setting_needs_a_note_and_a_number_is_never_entered_twice(
    session: Session, clock: Clock
) -> None:
    world, co, apps, meeting, day = _tallied(session, clock, yes_for_second=5)
    meeting.pass_rate_limit = 60
    session.flush()
    leader = co.office.actor(StaffRole.LEADER)
    notice = committee_notice(session, co.office, [a.id for a in apps], day, title="评审结果公示")
    after = pass_notice(session, notice)
    rate = votes.pass_rate(session, meeting)
    assert (rate.percent, rate.over) == (100, True)
    with pytest.raises(DomainError) as over:
        results.confirm_results(session, leader, meeting.id, "", after)
    assert over.value.code == "over_pass_rate" and "60%" in over.value.message
    assert {a.state for a in apps} == {Status.RESULT_NOTICED}
    results.confirm_results(
        session, leader, meeting.id, "两人均为本年度重点人才引进项目，经评委会研究确认", after
    )
    results.publish_results(
        session, world.bureau.actor(StaffRole.LEADER), meeting.id, "镇人社职〔2026〕9号", after
    )
    handler = world.bureau.actor(StaffRole.HANDLER)
    results.record_certificate(session, handler, apps[0].id, "JS2026-0000001", after)
    with pytest.raises(DomainError) as duplicate:
        results.record_certificate(session, handler, apps[1].id, "JS2026-0000001", after)
    assert duplicate.value.code == "duplicate_certificate_no"
    assert apps[1].state is Status.RESULT_PUBLISHED
    assert meetings.get_meeting(session, handler, meeting.id).document_no == "镇人社职〔2026〕9号"


def test_the_result_notice_s_refusal_cites_the_clause_of_the_bureau_s_own_profile(
    session: Session, clock: Clock
) -> None:
    # "公示期满且异议处理完毕后才能确认结果（003 六(二)）" was said under every bureau's profile.
    world, co, _apps, meeting, day = _tallied(session, clock)

    def said() -> str:
        why = results.why_not_confirm(session, meeting)
        assert why is not None
        return why

    assert said().endswith("（003 六(二)）")
    world.bureau.org.policy_profile = "kunming-2022"
    session.flush()
    assert said().endswith("（004 一(一)）") and "003" not in said()
    with pytest.raises(DomainError) as refused:
        results.confirm_results(session, co.office.actor(StaffRole.LEADER), meeting.id, "", day)
    assert refused.value.message.endswith("（004 一(一)）")
    world.bureau.org.policy_profile = None  # no profile: no clause
    session.flush()
    assert said().endswith("才能确认结果")


def _published(session: Session, clock: Clock, yes_for_second: int):  # type: ignore[no-untyped-def]
    """_tallied, its result notice run out, confirmed by the office and published by the bureau."""
    world, co, apps, meeting, day = _tallied(session, clock, yes_for_second=yes_for_second)
    notice = committee_notice(session, co.office, [a.id for a in apps], day, title="评审结果公示")
    after = pass_notice(session, notice)
    assert certificate_numbers.numbers_entered(meeting) is None  # tallied: nothing to enter yet
    results.confirm_results(session, co.office.actor(StaffRole.LEADER), meeting.id, "经评委会研究确认", after)
    assert certificate_numbers.numbers_entered(meeting) is None  # confirmed, not yet published
    results.publish_results(
        session, world.bureau.actor(StaffRole.LEADER), meeting.id, "镇人社职〔2026〕7号", after
    )
    return world, apps, meeting, after


def _counted(session: Session, meeting: Meeting) -> certificate_numbers.MeetingNumbers:
    """The page's count of one meeting, checked against the meetings list's grouped count of it."""
    numbers = certificate_numbers.numbers_entered(meeting)
    assert numbers is not None
    listed = meetings.numbers_entered(session, [meeting.id])[meeting.id]
    assert (listed.passed, listed.entered, listed.complete) == (
        numbers.passed,
        numbers.entered,
        numbers.complete,
    )
    return numbers


def test_the_meeting_page_is_handed_how_many_certificate_numbers_are_entered(
    session: Session, clock: Clock
) -> None:
    """The 导入证书编号 card and the agenda rows counted the passed entries with and without a number in
    the template; the service hands them the counts (0 of N, some, all) and who is still awaiting one."""
    world, (first, second), meeting, after = _published(session, clock, yes_for_second=5)
    handler = world.bureau.actor(StaffRole.HANDLER)
    numbers = _counted(session, meeting)
    assert (numbers.passed, numbers.entered, numbers.left, numbers.complete) == (2, 0, 2, False)
    assert numbers.awaiting == {first.id, second.id}
    results.record_certificate(session, handler, first.id, "JS2026-0000011", after)
    numbers = _counted(session, meeting)
    assert (numbers.passed, numbers.entered, numbers.left, numbers.complete) == (2, 1, 1, False)
    assert numbers.awaiting == {second.id}
    results.record_certificate(session, handler, second.id, "JS2026-0000012", after)
    numbers = _counted(session, meeting)
    assert (numbers.passed, numbers.entered, numbers.left, numbers.complete) == (2, 2, 0, True)
    assert numbers.awaiting == frozenset()


def test_a_failed_entry_awaits_no_certificate_number(session: Session, clock: Clock) -> None:
    _world, (passed, _failed), meeting, _after = _published(session, clock, yes_for_second=3)
    numbers = certificate_numbers.numbers_entered(meeting)
    assert numbers is not None
    assert (numbers.passed, numbers.entered, numbers.awaiting) == (1, 0, {passed.id})
