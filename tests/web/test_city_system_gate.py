"""Issue 22.8, the city system's gate (004 一(二), REV-06: 凡未经市系统审核的申报材料，不予送评): under a
profile with the gate (Kunming), the bureau's leader cannot send an application to a committee until the
city system's review of it is recorded as passed (its results imported on the hand-off page); the review
page says why where the button would be, the refusal is audited and nothing changes. Zhenjiang has no gate."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, StaffRole
from portal.services import applications, rulebook
from tests.conftest import Clock
from tests.factories import (
    city_system_passed,
    make_committee,
    make_committee_world,
    make_review_application,
)


def _send_offer(session: Session, actor: Any, application: Any, clock: Clock) -> Any:
    (offer,) = [
        o
        for o in rulebook.offers(session, actor, application, clock.now, as_reviewer=True)
        if o.action is Action.SEND_TO_COMMITTEE
    ]
    return offer


def test_nothing_reaches_a_kunming_committee_before_the_city_systems_review(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    made = make_committee(session, world, clock.now, place="东川区")
    application = make_review_application(session, world, clock.now)
    leader = world.bureau.actor(StaffRole.LEADER)
    offer = _send_offer(session, leader, application, clock)
    assert not offer.available and "不予送评" in offer.why_not and "004 一(二)" in offer.why_not

    browser = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    page = browser.get(f"/review/applications/{application.id}")
    assert 'id="why-send_to_committee"' in page.text and "凡未经市系统审核的申报材料" in page.text
    version = application.version
    sent = browser.post(
        f"/review/applications/{application.id}/act",
        data={"action": "send_to_committee", "committee_id": str(made.committee.id), "version": version},
    )
    assert sent.status_code in (303, 422)
    session.refresh(application)
    assert (application.state, application.version) == (Status.BUREAU_REVIEW, version)
    codes = session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.object_id == application.id, AuditEvent.outcome == "denied"
        )
    ).all()
    assert [d["code"] for d in codes] == ["city_system_gate"]

    city_system_passed(session, world, application, clock.now)
    assert _send_offer(session, leader, application, clock).available
    applications.act(session, leader, application.id, Action.SEND_TO_COMMITTEE, clock.now)
    assert application.state is Status.COMMITTEE_REVIEW


def test_a_failed_city_review_still_stops_it_and_zhenjiang_has_no_gate(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    make_committee(session, world, clock.now, place="东川区")
    application = make_review_application(session, world, clock.now)
    failed = city_system_passed(session, world, application, clock.now)
    failed.outcome = "failed"
    session.flush()
    with pytest.raises(DomainError) as refused:
        applications.act(
            session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, clock.now
        )
    assert refused.value.code == "city_system_gate"

    zhenjiang = make_committee_world(session, clock.now)
    make_committee(session, zhenjiang, clock.now)
    other = make_review_application(session, zhenjiang, clock.now)
    assert _send_offer(session, zhenjiang.bureau.actor(StaffRole.LEADER), other, clock).available
