"""Issue 22, done when: the policy engine's pathway list and the workflow agree. Every pathway of every
profile is walked to its end state: the bureau's road ends at the bureau's 认定发证 (Kunming's 考核定职
among them, 004 三), the committee road is refused there (003 六(二)) and ends, through the committee, at
the province's certificate number."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.domain.policy import load_profiles
from portal.domain.workflow import Action, Status
from portal.models import StaffRole
from portal.services import applications, results
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    make_application,
    make_committee,
    make_committee_world,
    make_world,
    open_window,
    to_meeting,
    to_published,
)

PATHWAYS = [
    (profile_id, pathway.name, profile.road(pathway.name))
    for profile_id, profile in sorted(load_profiles().items())
    for pathway in profile.pathways
]
SERIES = ("工程", "建设工程", "中级")


def test_the_list_holds_both_roads_and_kunmings_kaohe_dingzhi() -> None:
    assert ("kunming-2022", "认定", "bureau") in PATHWAYS  # 考核定职, its own road (004 三)
    assert {road for *_, road in PATHWAYS} == {"bureau", "committee"}


def _through_the_committee(session: Session, profile_id: str, pathway: str, now: datetime) -> Status:
    world = make_committee_world(session, now, profile=profile_id)
    place = "镇江市区" if profile_id.startswith("zhenjiang") else "东川区"
    co = make_committee(session, world, now, place=place)
    application = make_application(
        session, world, now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1, pathway=pathway, what=SERIES
    )
    with pytest.raises(DomainError) as certify:
        applications.act(session, world.bureau.actor(StaffRole.LEADER), application.id, Action.CERTIFY, now)
    assert certify.value.code == "committee_decides"
    to_meeting(session, world, co, application, now)
    after = to_published(session, world, co, [application], now)
    number = f"T{application.id:08d}"
    results.record_certificate(session, world.bureau.actor(StaffRole.HANDLER), application.id, number, after)
    assert application.certificate_no == number
    return application.state


def _by_the_bureau(session: Session, profile_id: str, pathway: str, now: datetime) -> Status:
    world = make_world(session, policy_profile=profile_id)
    open_window(session, world, now, days=5)  # before the profiles' own next windows (no overlap)
    application = make_application(
        session, world, now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1, pathway=pathway, what=SERIES
    )
    applications.act(session, world.bureau.actor(StaffRole.LEADER), application.id, Action.CERTIFY, now)
    return application.state


@pytest.mark.parametrize(("profile_id", "pathway", "road"), PATHWAYS)
def test_every_pathway_of_every_profile_reaches_its_end(
    session: Session, clock: Clock, profile_id: str, pathway: str, road: str
) -> None:
    walk = _through_the_committee if road == "committee" else _by_the_bureau
    assert walk(session, profile_id, pathway, clock.now) is Status.CERTIFIED
