"""Issue 22.1: a 评审 application is decided by a review committee, never certified by the bureau's 认定发证
(003 六(二), 004 一(六)); a 认定 application still is."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, StaffRole
from portal.services import applications, rulebook
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_world


def test_the_bureau_cannot_certify_a_review_application(session: Session, clock: Clock) -> None:
    world = make_world(session)
    # The bureau's handler has signed: only the leader's 认定发证 is left on the 考核认定 road.
    application = make_application(
        session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1, pathway="评审"
    )
    leader = world.bureau.actor(StaffRole.LEADER)
    (offer,) = [
        o
        for o in rulebook.offers(session, leader, application, clock.now, as_reviewer=True)
        if o.action is Action.CERTIFY
    ]
    assert not offer.available
    assert "须经职称评审委员会评审" in offer.why_not and "003 六(二)" in offer.why_not
    version = application.version
    with pytest.raises(DomainError) as refused:
        applications.act(session, leader, application.id, Action.CERTIFY, clock.now, expected_version=version)
    assert refused.value.code == "committee_decides"
    session.refresh(application)
    assert (application.state, application.version, application.certificate_no) == (
        Status.BUREAU_REVIEW,
        version,
        None,
    )
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == application.id, AuditEvent.outcome == "denied")
    ).all()
    assert [(e.action, e.detail["code"]) for e in denied] == [("certify", "committee_decides")]


def test_a_recognition_application_is_still_certified_by_the_bureau(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    assert application.state is Status.CERTIFIED and application.certificate_no
