"""services.transitions: the only writer of status — compare-and-set, audit with every change, guards
from the domain, and the organisation-must-have-both-roles rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.demo import ROAD
from portal.domain.errors import DomainError, StaleObject
from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, Membership, StaffRole
from portal.services import applications, corrections, transitions
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_staff, make_world


def audit_rows(session: Session, application: Application, outcome: str = "ok") -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "application",
                AuditEvent.object_id == application.id,
                AuditEvent.outcome == outcome,
            )
            .order_by(AuditEvent.id)
        )
    )


def test_the_whole_road_to_a_certificate_is_audited_step_by_step(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=len(ROAD))
    assert application.state is Status.CERTIFIED
    assert application.certificate_no == f"2026{world.bureau.org.code}00001".upper()
    changes = [e for e in audit_rows(session, application) if e.to_status]
    assert [e.action for e in changes] == ["start_application"] + [a.value for _, a in ROAD]
    assert [e.to_status for e in changes][-1] == "certified"
    assert application.version == 1 + len(ROAD)
    assert application.reached_level == 2 and application.current_org_id == world.bureau.org.id


def test_each_review_moves_the_application_to_the_next_organisation(session: Session, clock: Clock) -> None:
    world = make_world(session)
    at_department = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    assert at_department.current_org_id == world.department.org.id
    assert at_department.awaiting == "handler"
    at_bureau = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    assert (at_bureau.current_org_id, at_bureau.awaiting) == (world.bureau.org.id, "handler")


def test_a_stale_version_is_refused_and_nothing_is_overwritten(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    with pytest.raises(StaleObject) as info:
        applications.act(
            session,
            handler,
            application.id,
            Action.HANDLER_APPROVE,
            clock.now,
            expected_version=application.version - 1,
        )
    assert info.value.message == "此项已被办理，请刷新后查看最新状态"
    session.refresh(application)
    assert application.state is Status.SUBMITTED
    assert audit_rows(session, application, "denied")[-1].detail == {"code": "stale"}


def test_a_concurrent_change_between_read_and_write_loses_the_compare_and_set(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)
    # Someone else moves it after we loaded it: the row's version no longer matches ours.
    session.execute(
        update(Application)
        .where(Application.id == application.id)
        .values(version=Application.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(StaleObject):
        transitions.apply(
            session, world.enterprise.actor(StaffRole.HANDLER), application, Action.HANDLER_APPROVE, clock.now
        )
    ok = audit_rows(session, application)
    assert all(e.action != "handler_approve" for e in ok)


def test_refused_attempts_are_audited_as_denied(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)
    with pytest.raises(DomainError) as info:
        applications.act(
            session,
            world.enterprise.actor(StaffRole.LEADER),
            application.id,
            Action.LEADER_APPROVE,
            clock.now,
        )
    assert info.value.code == "no_transition" and "已提交" in info.value.message
    denied = audit_rows(session, application, "denied")
    assert denied[-1].action == "leader_approve" and denied[-1].role == "leader"


def test_a_handler_cannot_also_sign_as_leader_on_the_same_application(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW] + 1)
    # The department handler who gave the first review is later also made leader of another office;
    # here: the same person tries to sign in the leader's role of the same organisation.
    handler = world.department.handler
    session.execute(
        update(Membership)
        .where(Membership.id == world.department.handler_membership.id)
        .values(role="leader")
    )
    session.expire_all()
    as_leader = actor_for(handler, session.get(Membership, world.department.handler_membership.id))
    with pytest.raises(DomainError) as info:
        applications.act(session, as_leader, application.id, Action.LEADER_APPROVE, clock.now)
    assert info.value.code == "same_person"


def test_staff_who_are_also_applicants_cannot_review_their_own_application(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    handler = world.enterprise.handler
    handler.employer_id = world.enterprise.org.id
    application = make_application(session, world, clock.now, applicant=handler, steps=1)
    with pytest.raises(DomainError) as info:
        applications.act(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            application.id,
            Action.HANDLER_APPROVE,
            clock.now,
        )
    assert info.value.code == "own_application"


def test_returns_and_rejections_need_a_reason(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)
    with pytest.raises(DomainError) as info:
        applications.act(
            session,
            world.enterprise.actor(StaffRole.LEADER),
            application.id,
            Action.REJECT,
            clock.now,
            reason="  ",
        )
    assert info.value.code == "reason_required"
    with pytest.raises(DomainError) as bare:  # a return always goes through the listed corrections
        applications.act(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            application.id,
            Action.RETURN,
            clock.now,
            reason="x",
        )
    assert bare.value.code == "use_correction_list"


def test_a_return_after_unit_approval_is_counted_and_resubmission_resumes_there(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    corrections.return_for_correction(
        session,
        world.department.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"education": "学历证书扫描件不清晰"}, "2026-10-20"),
        clock.now,
    )
    session.refresh(application)
    assert (application.state, application.counted_returns, application.awaiting) == (
        Status.RETURNED,
        1,
        "applicant",
    )
    applications.act(
        session,
        actor_for(application.applicant, None),
        application.id,
        Action.RESUBMIT,
        clock.now + timedelta(days=1),
        responses={"education": "已重新扫描上传学历证书"},
    )
    session.refresh(application)
    assert (application.state, application.current_org_id) == (Status.DEPT_REVIEW, world.department.org.id)
    assert application.handler_signed_by_id is None


def test_an_organisation_without_both_roles_cannot_send_onward(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED])
    world.enterprise.handler_membership.ended_at = clock.now
    session.flush()
    with pytest.raises(DomainError) as info:
        applications.act(
            session, world.enterprise.actor(StaffRole.LEADER), application.id, Action.FORWARD, clock.now
        )
    assert info.value.code == "org_incomplete"


def test_certificate_numbers_follow_each_other_without_gaps(session: Session, clock: Clock) -> None:
    world = make_world(session)
    numbers = [make_application(session, world, clock.now, steps=len(ROAD)).certificate_no for _ in range(3)]
    code = world.bureau.org.code.upper()
    assert numbers == [f"2026{code}00001", f"2026{code}00002", f"2026{code}00003"]


def test_submission_needs_a_complete_form(session: Session, clock: Clock) -> None:
    world = make_world(session)
    applicant = make_staff(session, world.enterprise.org, StaffRole.HANDLER)[0]  # any user will do
    applicant.employer_id = world.enterprise.org.id
    application = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "工程", "电气", "中级"),
        clock.now,
    )
    with pytest.raises(DomainError) as info:
        applications.act(session, actor_for(applicant, None), application.id, Action.SUBMIT, clock.now)
    assert "学历" in str(info.value.fields)  # type: ignore[attr-defined]
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "submit", AuditEvent.outcome == "ok")
        )
        == 0
    )
