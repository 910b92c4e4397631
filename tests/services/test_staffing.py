"""Whether a case's unit step can be completed by the unit's staff without its applicant
(portal.services.staffing): someone for the handler's first review and a *different* someone to sign it as
leader, neither the applicant, stand-ins counted; what is missing is named."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from portal.domain.workflow import Role, Status
from portal.models import Application, StaffRole, StandIn, User
from portal.services import staffing
from portal.services.staffing import Shortage, Staff
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_staff, make_user, make_world
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
        ({H}, set(), Shortage.NO_LEADER),
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


def _applies(session: Session, world: World, clock: Clock, role: StaffRole) -> tuple[User, Application]:
    """An employee of the enterprise who holds its `role` (its former holder left) has submitted."""
    applicant = make_user(session, "邱敏", employer=world.enterprise.org)
    application = make_application(
        session, world, clock.now, applicant=applicant, steps=STEPS_TO[Status.SUBMITTED]
    )
    make_staff(session, world.enterprise.org, role, user=applicant)
    former = (
        world.enterprise.handler_membership
        if role is StaffRole.HANDLER
        else world.enterprise.leader_membership
    )
    former.ended_at = clock.now
    session.flush()
    return applicant, application


def _stands_in(session: Session, world: World, principal: User, substitute: User) -> None:
    membership = next(m for m in principal.active_memberships if m.org_id == world.enterprise.org.id)
    session.add(
        StandIn(
            membership_id=membership.id,
            substitute_id=substitute.id,
            starts_on=date(2026, 9, 28),
            ends_on=date(2026, 10, 9),
            created_by_id=principal.id,
        )
    )
    session.flush()


def test_the_leader_standing_in_for_the_only_handler_who_applies_is_not_enough(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    applicant, application = _applies(session, world, clock, StaffRole.HANDLER)
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_HANDLER}
    _stands_in(session, world, applicant, world.enterprise.leader)
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.ONE_PERSON}
    make_staff(session, world.enterprise.org, StaffRole.HANDLER, "新经办人")
    assert staffing.shortages(session, [application], clock.now) == {}


def test_the_only_leader_who_applies_needs_a_stand_in_other_than_the_handler(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    applicant, application = _applies(session, world, clock, StaffRole.LEADER)
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.NO_LEADER}
    _stands_in(session, world, applicant, world.enterprise.handler)  # he will have done the first review
    assert staffing.shortages(session, [application], clock.now) == {application.id: Shortage.ONE_PERSON}
    make_staff(session, world.enterprise.org, StaffRole.HANDLER, "副手")
    assert staffing.shortages(session, [application], clock.now) == {}  # one reviews, the other signs


def test_a_page_of_cases_of_several_units_is_decided_in_one_statement(session: Session, clock: Clock) -> None:
    world = make_world(session)
    _, stuck = _applies(session, world, clock, StaffRole.HANDLER)
    other = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    theirs = make_application(session, world, clock.now, office=world.other_enterprise, steps=1)
    cases = [stuck, other, theirs]
    for case in cases:
        session.refresh(case)
    with recorded(session.get_bind()) as sent:
        found = staffing.shortages(session, cases, clock.now)
    assert found == {stuck.id: Shortage.NO_HANDLER}
    assert len(sent) == 1
