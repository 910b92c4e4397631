"""Stand-ins: a reviewer on leave names a colleague for dated days; the colleague acts in that role,
audited as on the principal's behalf, and is still never the other signer nor on their own case."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, StaffRole
from portal.services import applications, standins
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import World, make_application, make_staff, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_the_leader_names_a_stand_in_who_signs_on_their_behalf(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    deputy, _ = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "副手")
    application = make_application(session, world, clock.now, steps=2)  # the handler has signed
    leader = login_as(world.enterprise.leader)
    response = leader.post(
        f"/admin/orgs/{world.enterprise.org.id}/stand-ins",
        data={"substitute_id": deputy.id, "starts_on": "2026-09-28", "ends_on": "2026-10-09"},
    )
    assert response.status_code == 303
    browser = login_as(deputy)
    stand_in = standins.active_for(session, deputy.id, date(2026, 9, 28))[0]
    page = browser.get("/review/queue").text
    assert f'value="standin:{stand_in.id}"' in page and "代理 " in page
    browser.post("/switch-role", data={"membership_id": f"standin:{stand_in.id}"})
    signed = browser.post(f"/review/applications/{application.id}/act", data={"action": "leader_approve"})
    assert signed.status_code == 303
    session.refresh(application)
    assert application.state is Status.UNIT_APPROVED
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "leader_approve", AuditEvent.object_id == application.id
        )
    ).one()
    assert event.actor_id == deputy.id and event.detail["stand_in_for"] == world.enterprise.leader.id


def test_a_stand_in_is_never_the_other_signer(world: World, session: Session, clock: Clock) -> None:
    application = make_application(session, world, clock.now, steps=2)  # signed by the handler
    handler = world.enterprise.actor(StaffRole.LEADER)
    standins.name_stand_in(
        session, handler, world.enterprise.handler.id, "2026-09-28", "2026-09-30", clock.now
    )
    stand_in = standins.active_for(session, world.enterprise.handler.id, date(2026, 9, 28))[0]
    as_leader = actor_for(
        world.enterprise.handler, stand_in.membership, stand_in_for=world.enterprise.leader.id
    )
    with pytest.raises(DomainError) as info:
        applications.act(session, as_leader, application.id, Action.LEADER_APPROVE, clock.now)
    assert info.value.code == "same_person"


def test_stand_ins_are_dated_colleagues_only(world: World, session: Session, clock: Clock) -> None:
    leader = world.enterprise.actor(StaffRole.LEADER)
    with pytest.raises(ValidationFailed) as outsider:
        standins.name_stand_in(
            session, leader, world.other_enterprise.handler.id, "2026-09-28", "2026-09-30", clock.now
        )
    assert "substitute_id" in outsider.value.fields
    with pytest.raises(ValidationFailed) as backwards:
        standins.name_stand_in(
            session, leader, world.enterprise.handler.id, "2026-09-30", "2026-09-28", clock.now
        )
    assert "ends_on" in backwards.value.fields
    standins.name_stand_in(
        session, leader, world.enterprise.handler.id, "2026-09-29", "2026-09-30", clock.now
    )
    assert standins.active_for(session, world.enterprise.handler.id, date(2026, 9, 28)) == []
    assert standins.active_for(session, world.enterprise.handler.id, date(2026, 10, 1)) == []
    assert len(standins.active_for(session, world.enterprise.handler.id, date(2026, 9, 30))) == 1


def test_a_revoked_or_expired_stand_in_gives_no_role(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    deputy, _ = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "副手")
    leader = world.enterprise.actor(StaffRole.LEADER)
    stand_in = standins.name_stand_in(session, leader, deputy.id, "2026-09-28", "2026-09-29", clock.now)
    browser = login_as(deputy)
    browser.post("/switch-role", data={"membership_id": f"standin:{stand_in.id}"})
    clock.now += timedelta(days=3)
    browser = login_as(deputy)
    browser.post("/switch-role", data={"membership_id": f"standin:{stand_in.id}"})
    assert "代理" not in browser.get("/review/queue").text.split("<main")[0]
    standins.revoke_stand_in(session, leader, stand_in.id, clock.now)
    assert stand_in.revoked_at is not None
