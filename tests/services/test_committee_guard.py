"""Issue 22.1: a 评审 application is decided by a review committee, never certified by the bureau's 认定发证
(the result notice's clause of the bureau's profile: 003 六(二) in Zhenjiang); a 认定 application still is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, CommitteeKind, StaffRole
from portal.services import applications, notices, rulebook
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    city_system_passed,
    make_application,
    make_committee,
    make_committee_world,
    make_review_application,
    make_world,
)


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
    # No profile, no clause to cite (it read Zhenjiang's 003 六(二) for every bureau).
    assert "须经职称评审委员会评审" in offer.why_not and "（" not in offer.why_not
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


@pytest.mark.parametrize(
    ("profile", "clause", "not_cited"),
    [("zhenjiang-2024", "003 六(二)", "004"), ("kunming-2022", "004 一(一)", "003")],
)
def test_the_refusal_to_certify_a_review_application_cites_the_bureau_s_own_profile(
    session: Session, clock: Clock, profile: str, clause: str, not_cited: str
) -> None:
    world = make_committee_world(session, clock.now, profile=profile)
    application = make_review_application(session, world, clock.now)
    leader = world.bureau.actor(StaffRole.LEADER)
    (offer,) = [
        o
        for o in rulebook.offers(session, leader, application, clock.now, as_reviewer=True)
        if o.action is Action.CERTIFY
    ]
    assert "须经职称评审委员会评审" in offer.why_not and f"（{clause}）" in offer.why_not
    assert not_cited not in offer.why_not


def test_a_recognition_application_is_still_certified_by_the_bureau(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    assert application.state is Status.CERTIFIED and application.certificate_no


def test_a_provincial_committee_is_not_chosen_once_its_online_channel_has_closed(
    session: Session, clock: Clock
) -> None:
    """004 二(二) (WIN-05): the online channel of a provincial committee opens 7 days before it starts
    receiving and closes at 24:00 three days before its deadline where the city submits together (else the
    day before); after that the committee can no longer be chosen. The committee's intake dates were
    recorded, but 送评委会评审 went to it whatever the day."""
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    co = make_committee(session, world, clock.now, place="东川区")
    committee = co.committee
    committee.kind = CommitteeKind.PROVINCIAL.value
    committee.intake_opens, committee.intake_closes = date(2026, 9, 1), date(2026, 10, 1)
    committee.uniform_submission = True  # closes at 24:00 on 09-28 (3 days before 10-01)
    session.flush()
    leader = world.bureau.actor(StaffRole.LEADER)
    late = make_review_application(session, world, clock.now)
    city_system_passed(session, world, late, clock.now)
    after = clock.now + timedelta(days=1)  # 2026-09-29 in Shanghai: the channel closed last night
    with pytest.raises(DomainError) as refused:
        applications.act(session, leader, late.id, Action.SEND_TO_COMMITTEE, after)
    assert refused.value.code == "committee_channel" and "004 二(二)" in refused.value.message
    assert late.state is Status.BUREAU_REVIEW
    on_time = make_review_application(session, world, clock.now)
    city_system_passed(session, world, on_time, clock.now)
    applications.act(session, leader, on_time.id, Action.SEND_TO_COMMITTEE, clock.now)  # 09-28, still open
    assert on_time.state is Status.COMMITTEE_REVIEW


def test_the_bureau_sends_nothing_to_a_committee_while_its_own_notice_runs(
    session: Session, clock: Clock
) -> None:
    """PUB-01、PUB-03、PUB-06 (the in_notice guard): no signing while the holding organisation's own notice
    runs or an objection is unhandled. On the committee road the bureau leader signs by 送评委会评审, which
    the guard did not cover: a case in the bureau's running notice went to the committee."""
    world = make_committee_world(session, clock.now)
    make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    data = notices.NoticeInput("职称申报人员公示", "局公示栏", "职称科 0511-1234567", "2026-09-29")
    notice = notices.draft_notice(
        session, world.bureau.actor(StaffRole.HANDLER), data, [application.id], clock.now
    )
    notices.publish_notice(session, world.bureau.actor(StaffRole.LEADER), notice.id, clock.now)
    with pytest.raises(DomainError) as refused:
        applications.act(
            session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, clock.now
        )
    assert refused.value.code == "in_notice"
    assert application.state is Status.BUREAU_REVIEW
    # Cited by the notice rules (000 三(五), cited before, is the internship clause).
    (guard,) = [g for g in rulebook.GUARDS if g.name == "in_notice"]
    assert guard.clause == "PUB-01、PUB-03、PUB-06"
