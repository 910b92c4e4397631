"""Whether a case's unit step can be completed by the unit's staff without its applicant
(portal.services.staffing): someone for the handler's first review and a *different* someone to sign it as
leader, neither the applicant, stand-ins counted; what is missing is named."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portal.domain.workflow import Role, Status
from portal.models import StaffRole
from portal.services import staffing, versions
from portal.services.staffing import Shortage, Staff
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    make_application,
    make_staff,
    make_staff_application,
    make_stand_in,
    make_world,
)
from tests.statements import recorded

A, H, L, X = 1, 2, 3, 4  # the applicant, a handler, a leader, someone else


@pytest.mark.parametrize(
    ("handlers", "leaders", "expected"),
    [
        ({H}, {L}, None),
        ({A, H}, {L}, None),
        ({A}, {L}, Shortage.NO_HANDLER),  # nobody but her for the first review
        ({A, L}, {L}, Shortage.ONE_PERSON),  # the leader stands in for her: he could not sign it too
        ({A, L}, {L, X}, None),  # ... unless someone else may sign
        ({A, L, X}, {L}, None),  # ... or someone else may review
        ({H}, {A}, Shortage.NO_LEADER),  # she is the only leader: nobody could sign it
        ({H}, {A, X}, None),  # someone stands in for her as leader
        ({H}, {A, H}, Shortage.ONE_PERSON),  # ... but that is the handler, who will have reviewed it
        ({H}, set(), Shortage.NO_LEADER_IN_POST),  # nobody holds the role, nor so may name a stand-in
    ],
)
def test_the_handler_s_step_needs_a_reviewer_and_another_signer(
    handlers: set[int], leaders: set[int], expected: Shortage | None
) -> None:
    staff = Staff(handlers, leaders)
    assert staffing.shortage_of(staff, A, Status.SUBMITTED, Role.HANDLER) is expected


def test_a_handler_s_step_that_is_not_a_first_review_needs_no_second_person() -> None:
    """Drafting the notice of an approved case is the handler's; the leader then publishes it: no two-person
    rule between them, only neither may be the applicant."""
    assert staffing.shortage_of(Staff({L}, {L}), A, Status.UNIT_APPROVED, Role.HANDLER) is None
    assert staffing.shortage_of(Staff({H}, {A}), A, Status.UNIT_APPROVED, Role.HANDLER) is Shortage.NO_LEADER


def test_the_leader_standing_in_for_the_only_handler_who_applies_is_not_enough(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    applicant, application = make_staff_application(session, world, clock.now, StaffRole.HANDLER, steps=1)
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_HANDLER}
    make_stand_in(session, world.enterprise.org, applicant, world.enterprise.leader)
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.ONE_PERSON}
    make_staff(session, world.enterprise.org, StaffRole.HANDLER, "新经办人")
    assert staffing.shortages(session, [application], clock.now) == {}


def test_the_only_leader_who_applies_needs_a_stand_in_other_than_the_handler(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    applicant, application = make_staff_application(session, world, clock.now, StaffRole.LEADER, steps=1)
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_LEADER}
    # The handler stands in for her: he will have done the first review.
    make_stand_in(session, world.enterprise.org, applicant, world.enterprise.handler)
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.ONE_PERSON}
    make_staff(session, world.enterprise.org, StaffRole.HANDLER, "副手")
    assert staffing.shortages(session, [application], clock.now) == {}  # one reviews, the other signs


def test_a_page_of_cases_of_several_units_is_decided_in_one_statement(session: Session, clock: Clock) -> None:
    world = make_world(session)
    _, stuck = make_staff_application(session, world, clock.now, StaffRole.HANDLER, steps=1)
    other = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    theirs = make_application(session, world, clock.now, office=world.other_enterprise, steps=1)
    cases = [stuck, other, theirs]
    for case in cases:
        session.refresh(case)
    with recorded(session.get_bind()) as sent:
        found = staffing.shortages(session, cases, clock.now)
    assert found == {stuck.id: Shortage.NO_HANDLER}
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("leaders", "first_reviewer", "expected"),
    [
        ({L}, H, None),
        ({A}, H, Shortage.NO_LEADER),  # the applicant is the only leader
        (set(), H, Shortage.NO_LEADER_IN_POST),
        ({L}, L, Shortage.SIGNER_REVIEWED),  # the leader stood in for the handler and reviewed it
        ({A, L}, L, Shortage.SIGNER_REVIEWED),
        ({L, H}, L, None),  # the handler stands in for the leader: he did not review it
        ({L}, None, None),  # a leader's step with nothing to sign (forwarding after the notice)
    ],
)
def test_the_leader_s_step_needs_a_leader_who_neither_applied_nor_reviewed_it(
    leaders: set[int], first_reviewer: int | None, expected: Shortage | None
) -> None:
    staff = Staff({H, L}, leaders)
    assert staffing.shortage_of(staff, A, Status.UNIT_REVIEW, Role.LEADER, first_reviewer) is expected


def test_the_only_leader_who_reviewed_it_as_a_stand_in_cannot_sign_it(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    assert staffing.shortages(session, [application], clock.now) == {}
    application.handler_signed_by_id = world.enterprise.leader.id  # as if he had stood in for the handler
    session.flush()
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.SIGNER_REVIEWED}
    make_stand_in(session, world.enterprise.org, world.enterprise.leader, world.enterprise.handler)
    assert staffing.shortages(session, [application], clock.now) == {}


def test_the_only_leader_s_own_case_at_her_signature_waits(session: Session, clock: Clock) -> None:
    world = make_world(session)
    _, application = make_staff_application(
        session, world, clock.now, StaffRole.LEADER, steps=STEPS_TO[Status.UNIT_REVIEW]
    )
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_LEADER}


@pytest.mark.parametrize(
    ("status", "role", "step"),
    [
        (Status.SUBMITTED, Role.HANDLER, "办理初审"),
        (Status.SUBMITTED, Role.LEADER, "签批"),  # the leader's step after the first review
        (Status.UNIT_REVIEW, Role.LEADER, "签批"),
        (Status.UNIT_APPROVED, Role.HANDLER, "起草公示"),
        (Status.UNIT_APPROVED, Role.LEADER, "发布公示"),  # nothing to sign: the leader publishes the notice
        (Status.NOTICE_PASSED, Role.LEADER, "报送主管部门"),  # ... or forwards it after the notice
        (Status.DEPT_REVIEW, Role.LEADER, "签批"),
        (Status.BUREAU_REVIEW, Role.LEADER, "签批"),  # 认定发证 or 送评委会评审: either signs the review
        (Status.COMMITTEE_ACCEPTED, Role.LEADER, "发布公示"),
        (Status.RESULT_NOTICED, Role.LEADER, "确认评审结果"),
        (Status.RESULT_CONFIRMED, Role.LEADER, "发文公布评审结果"),
        (Status.RESULT_PUBLISHED, Role.HANDLER, "录入证书编号"),
    ],
)
def test_the_step_that_lacks_its_person_is_the_workflow_s(status: Status, role: Role, step: str) -> None:
    assert staffing.step_of(status, role) == step


@pytest.mark.parametrize(
    ("status", "step"), [(Status.UNIT_APPROVED, "发布公示"), (Status.NOTICE_PASSED, "报送主管部门")]
)
def test_a_leader_s_step_with_nothing_to_sign_is_not_called_signing(
    session: Session, clock: Clock, status: Status, step: str
) -> None:
    """The only leader applies after her unit approved her case: nobody may publish its notice or forward
    it, and the words say that step, not a signature there is none of."""
    world = make_world(session)
    _, application = make_staff_application(
        session, world, clock.now, StaffRole.LEADER, steps=STEPS_TO[status]
    )
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_LEADER}
    words = staffing.words_of(Shortage.NO_LEADER, application.state)
    assert f"本单位没有可为您{step}的其他领导" in words.applicant and "签批" not in words.applicant
    assert f"本单位没有其他领导可{step}" in words.row
    assert f"无法{step}" in words.reviewer


# Past the unit: the organisation holding the case, with nobody in post for the step it waits on.


def test_a_department_without_a_leader_holds_its_cases_with_nobody_to_sign_them(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    assert application.current_org_id == world.department.org.id
    assert staffing.shortages(session, [application], clock.now) == {}
    world.department.leader_membership.ended_at = clock.now  # the department's only leader leaves
    session.flush()
    found = staffing.shortages(session, [application], clock.now)
    assert found == {application.id: Shortage.NO_LEADER_IN_POST}
    assert not staffing.at_unit_step(application)
    make_staff(session, world.department.org, StaffRole.LEADER, "新领导")
    assert staffing.shortages(session, [application], clock.now) == {}
    world.department.handler_membership.ended_at = clock.now
    session.flush()
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_HANDLER}


def test_past_the_unit_today_s_stand_in_counts(session: Session, clock: Clock) -> None:
    """The bureau's leader stood in for its handler and did the first review: nobody may sign it, until he
    names the handler, back, as his own stand-in."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1)
    assert application.state is Status.BUREAU_REVIEW and application.awaiting == Role.LEADER.value
    application.handler_signed_by_id = world.bureau.leader.id
    session.flush()
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.SIGNER_REVIEWED}
    make_stand_in(session, world.bureau.org, world.bureau.leader, world.bureau.handler)
    assert staffing.shortages(session, [application], clock.now) == {}


def test_cases_held_at_every_level_are_decided_in_one_statement(session: Session, clock: Clock) -> None:
    world = make_world(session)
    _, at_unit = make_staff_application(session, world, clock.now, StaffRole.HANDLER, steps=1)
    at_department = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    at_bureau = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    world.department.leader_membership.ended_at = clock.now
    world.bureau.handler_membership.ended_at = clock.now
    session.flush()
    cases = [at_unit, at_department, at_bureau]
    for case in cases:
        session.refresh(case)
    with recorded(session.get_bind()) as sent:
        found = staffing.shortages(session, cases, clock.now)
    assert found == {
        at_unit.id: Shortage.NO_HANDLER,
        at_department.id: Shortage.NO_LEADER_IN_POST,
        at_bureau.id: Shortage.NO_HANDLER,
    }
    assert len(sent) == 1


def test_the_staff_page_counts_the_cases_waiting_on_the_role_it_lacks(session: Session, clock: Clock) -> None:
    world = make_world(session)
    department = world.department.org
    for _ in range(2):
        make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    assert staffing.held_without_staff(session, department.id, clock.now) == []
    world.department.leader_membership.ended_at = clock.now
    session.flush()
    with recorded(session.get_bind()) as sent:
        lines = staffing.held_without_staff(session, department.id, clock.now)
    # Nobody holds the leader's role there, so nobody could name a stand-in for it: only adding one helps.
    assert lines == ["本单位没有在岗的领导，2件申报等待领导办理：请增设领导（代理人须由在岗的领导指定）"]
    assert len(sent) == 2  # its cases, its staff
    assert staffing.held_without_staff(session, world.enterprise.org.id, clock.now) == []


def test_the_staff_page_offers_a_stand_in_only_where_a_leader_is_in_post_to_name_one(
    session: Session, clock: Clock
) -> None:
    """The unit's only leader applies: she is in post, and may name a stand-in for her role (any other
    handler or leader), so the line says so. A department whose leader left has nobody to name one: its
    line said "或由在岗的领导指定代理人" all the same."""
    world = make_world(session)
    _, application = make_staff_application(
        session, world, clock.now, StaffRole.LEADER, steps=STEPS_TO[Status.UNIT_REVIEW]
    )
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_LEADER}
    assert staffing.held_without_staff(session, world.enterprise.org.id, clock.now) == [
        "本单位没有可办理的领导（含今日代理人；申报人不能办理本人的申报），1件申报等待领导办理："
        "请增设领导，或由在岗的领导指定代理人"
    ]
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    world.department.leader_membership.ended_at = clock.now
    session.flush()
    (line,) = staffing.held_without_staff(session, world.department.org.id, clock.now)
    assert "或由在岗的领导指定代理人" not in line and "没有在岗的领导" in line


def test_a_department_s_staff_changes_move_its_queue_counter(session: Session, clock: Clock) -> None:
    """What the decision reads of a department (its memberships and today's stand-ins) bumps its change
    counter, as it does the unit's (services.versions): a poll tag read from it never outlives them."""
    world = make_world(session)
    department = world.department.org
    session.commit()
    key = versions.org(department.id)

    def counter() -> int:
        return versions.read(session, [key])[key]

    before = counter()
    make_staff(session, department, StaffRole.LEADER, "新领导")
    session.commit()
    assert counter() == before + 1
    make_stand_in(session, department, world.department.leader, world.department.handler)
    session.commit()
    assert counter() == before + 2
    world.department.leader_membership.ended_at = clock.now
    session.commit()
    assert counter() == before + 3
