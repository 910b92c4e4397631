"""Who may take an expert out of a committee's pool, and put them back: the staff who keep the pool (the
office's handlers and leaders, as for adding and renewing experts), nobody else. Every role × the office's
own expert and another office's: the office's admin (who resets the experts' logins, not the pool), the
bureau's staff and admin, an applicant and the expert themself are refused (403) and another office's expert
is a 404, like a missing one; in every refused case the expert's row is unchanged.

The expectations are written out here, independently of the guards' code."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.models import Expert, StaffRole
from portal.services import votes
from tests.conftest import Clock
from tests.factories import make_application, make_committee, make_committee_world, make_experts, make_staff

ROLES = (
    "office_handler", "office_leader", "office_admin", "other_office_handler", "bureau_handler",
    "bureau_admin", "applicant", "the_expert",
)  # fmt: skip
# The answer for the office's own expert; another office's expert (or a missing id) is a 404 for the
# office staff of another committee, and the same 403 as here for everyone the guard stops first.
OWN: dict[str, int] = {
    "office_handler": 303, "office_leader": 303, "office_admin": 403, "other_office_handler": 404,
    "bureau_handler": 403, "bureau_admin": 403, "applicant": 403, "the_expert": 403,
}  # fmt: skip
CASES = [(who, verb) for who in ROLES for verb in ("deactivate", "restore")]


@pytest.mark.parametrize(("who", "verb"), CASES, ids=[f"{w}-{v}" for w, v in CASES])
def test_only_the_pool_s_office_deactivates_and_restores(
    session: Session, clock: Clock, login_as: Any, who: str, verb: str
) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    other = make_committee(session, world, clock.now, specialties="机械工程")
    (expert,) = make_experts(session, co, clock.now, 1)
    (theirs,) = make_experts(session, other, clock.now, 1)
    admin, admin_membership = make_staff(session, co.office.org, StaffRole.ADMIN, "办事机构管理员")
    applicant = make_application(session, world, clock.now).applicant
    if verb == "restore":
        for e in (expert, theirs):
            office = co if e is expert else other
            votes.deactivate_expert(session, office.office.actor(StaffRole.HANDLER), e.id, "调离", clock.now)
    expert.user.must_change_password = False
    session.flush()
    clients = {
        "office_handler": lambda: login_as(co.office.handler, membership_id=co.office.handler_membership.id),
        "office_leader": lambda: login_as(co.office.leader, membership_id=co.office.leader_membership.id),
        "office_admin": lambda: login_as(admin, membership_id=admin_membership.id),
        "other_office_handler": lambda: login_as(
            other.office.handler, membership_id=other.office.handler_membership.id
        ),
        "bureau_handler": lambda: login_as(
            world.bureau.handler, membership_id=world.bureau.handler_membership.id
        ),
        "bureau_admin": lambda: login_as(world.admin, membership_id=world.admin_membership.id),
        "applicant": lambda: login_as(applicant),
        "the_expert": lambda: login_as(expert.user),
    }
    client = clients[who]()
    form = {"deactivation_reason": "调离本专业"} if verb == "deactivate" else {}
    mine = client.post(f"/committees/experts/{expert.id}/{verb}", data=form)
    assert mine.status_code == OWN[who]
    session.expire_all()
    changed = session.get(Expert, expert.id)
    assert changed is not None
    assert changed.active is ((verb == "deactivate") != (OWN[who] == 303))
    if who == "other_office_handler":
        return  # `expert` was the other office's already (404 above); `theirs` is this one's own
    # Another office's expert: never found by the office staff of this one, stopped first for the rest.
    foreign = client.post(f"/committees/experts/{theirs.id}/{verb}", data=form)
    missing = client.post(f"/committees/experts/987654321/{verb}", data=form)
    assert foreign.status_code == missing.status_code == (404 if OWN[who] in (303, 404) else OWN[who])
    session.expire_all()
    assert session.get(Expert, theirs.id).active is (verb == "deactivate")  # type: ignore[union-attr]
