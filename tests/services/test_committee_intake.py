"""Issue 22.3: the committee office reviews like any level (handler, then leader; 一次性告知 corrections with
a working-day deadline) and publishes its own ≥ 5-working-day notice of those it accepted, with objections
as for the unit notice (003 五(三))."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import NoticePurpose, NoticeStatus, ObjectionStatus, StaffRole
from portal.services import applications, corrections, forms, notices
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import (
    committee_notice,
    make_committee,
    make_committee_world,
    make_review_application,
    pass_notice,
    to_meeting,
)


def _at_committee(session: Session, clock: Clock):  # type: ignore[no-untyped-def]
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    return world, co, application


def test_the_office_handler_reviews_and_its_leader_accepts(session: Session, clock: Clock) -> None:
    _world, co, application = _at_committee(session, clock)
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)
    with pytest.raises(DomainError) as early:
        applications.act(session, leader, application.id, Action.LEADER_APPROVE, clock.now)
    assert early.value.code == "handler_first"
    applications.act(session, handler, application.id, Action.HANDLER_APPROVE, clock.now)
    assert (application.state, application.awaiting) == (Status.COMMITTEE_REVIEW, "leader")
    applications.act(session, leader, application.id, Action.LEADER_APPROVE, clock.now)
    assert (application.state, application.awaiting) == (Status.COMMITTEE_ACCEPTED, "handler")


def test_the_office_returns_for_correction_and_the_resubmission_comes_back_to_it(
    session: Session, clock: Clock
) -> None:
    _world, co, application = _at_committee(session, clock)
    handler = co.office.actor(StaffRole.HANDLER)
    deadline = corrections.default_deadline(session, clock.now)
    assert deadline == date(2026, 10, 16)  # ten working days: National Day off, Saturday 10-10 worked
    corrections.return_for_correction(
        session,
        handler,
        application.id,
        corrections.ReturnInput({"summary": "请补充近三年主要业绩"}, deadline.isoformat()),
        clock.now,
        expected_version=application.version,
    )
    assert (application.state, application.returned_from) == (Status.RETURNED, "committee_review")
    assert application.counted_returns == 1  # a return after the unit's approval (004 一(四))
    later = clock.now + timedelta(days=1)
    forms.save_form(
        session,
        actor_for(application.applicant, None),
        application.id,
        {**forms.posted_form(session, application), "work_summary": "主持完成三项市政工程，获市级奖励。"},
        later,
    )
    applications.act(session, actor_for(application.applicant, None), application.id, Action.RESUBMIT, later)
    assert (application.state, application.current_org_id) == (Status.COMMITTEE_REVIEW, co.office.org.id)
    assert application.awaiting == "handler"


def test_the_offices_own_notice_runs_five_working_days_and_takes_objections(
    session: Session, clock: Clock
) -> None:
    world, co, application = _at_committee(session, clock)
    applications.act(
        session, co.office.actor(StaffRole.HANDLER), application.id, Action.HANDLER_APPROVE, clock.now
    )
    applications.act(
        session, co.office.actor(StaffRole.LEADER), application.id, Action.LEADER_APPROVE, clock.now
    )
    ready = notices.ready_for_notice(session, co.office.actor(StaffRole.HANDLER))
    assert [case.id for case in ready] == [application.id]
    notice = committee_notice(session, co.office, [application.id], clock.now)
    assert notice.notice_purpose is NoticePurpose.PRE_REVIEW and notice.days == 5
    # Monday 2026-09-28: five working days end on Friday 10-09 (National Day week off, Saturday 10-10 too
    # late to count as the fifth).
    assert (notice.first_day, notice.last_day) == (date(2026, 9, 28), date(2026, 10, 9))
    assert application.state is Status.COMMITTEE_NOTICE
    objection = notices.file_objection(
        session,
        None,  # type: ignore[arg-type]
        notice.public_token,
        notices.ObjectionInput("群众", "13900000000", "论文存疑", str(notice.entries[0].id)),
        clock.now,
        ip="203.0.113.9",
    )
    after = pass_notice(session, notice)
    assert application.state is Status.COMMITTEE_NOTICE  # an open objection holds it
    notices.resolve_objection(
        session, co.office.actor(StaffRole.HANDLER), objection.id, "dismissed", "经核实不属实", after
    )
    session.refresh(application)
    assert objection.state is ObjectionStatus.DISMISSED and notice.state is NoticeStatus.CLOSED
    assert application.state is Status.AWAITING_MEETING
    assert world.bureau.org.id != application.current_org_id


def test_an_upheld_objection_in_the_offices_notice_ends_the_application(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    applications.act(
        session, co.office.actor(StaffRole.HANDLER), application.id, Action.HANDLER_APPROVE, clock.now
    )
    applications.act(
        session, co.office.actor(StaffRole.LEADER), application.id, Action.LEADER_APPROVE, clock.now
    )
    notice = committee_notice(session, co.office, [application.id], clock.now)
    objection = notices.file_objection(
        session,
        None,  # type: ignore[arg-type]
        notice.public_token,
        notices.ObjectionInput("群众", "13900000000", "业绩造假", str(notice.entries[0].id)),
        clock.now,
        ip="203.0.113.9",
    )
    notices.resolve_objection(
        session, co.office.actor(StaffRole.LEADER), objection.id, "upheld", "经核实业绩材料不实", clock.now
    )
    assert application.state is Status.REJECTED


def test_the_helper_walks_to_the_meeting_and_a_notice_never_mixes_kinds(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    to_meeting(session, world, co, application, clock.now)
    assert application.state is Status.AWAITING_MEETING
    with pytest.raises(ValidationFailed):  # nothing is ready for a notice now: it awaits the meeting
        notices.draft_notice(
            session,
            co.office.actor(StaffRole.HANDLER),
            notices.NoticeInput("公示", "网站", "电话", "2026-10-12"),
            [application.id],
            clock.now,
        )
