"""The bureau leader's 待签批 on the committee road reads the same statements for one row as for several
(issue 20): each row offered 送评委会评审 weighed its routing — the bureau's profile and committees, the
enterprise's place, CHAN-01's other applications, Kunming's city-system results, whether the bureau is
staffed, whether the case is in a running notice — and each of those was a read per row (390 statements
for a 50-row page under Ganzhou's profile at province scale; 100 more under Zhenjiang's)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.conftest import Clock, db_engine
from tests.factories import make_committee, make_committee_world, make_review_application
from tests.statements import recorded

HX = {"HX-Request": "true", "HX-Target": "queue"}


def _main_table(statement: str) -> str:
    return statement.split(" FROM ", 1)[1].split()[0] if " FROM " in statement else statement[:20]


@pytest.mark.parametrize("profile", ["zhenjiang-2024", "kunming-2022"])
def test_the_leader_s_page_reads_as_much_for_four_rows_as_for_one(
    app: Flask, session: Session, clock: Clock, login_as: Any, profile: str
) -> None:
    world = make_committee_world(session, clock.now, profile=profile)
    place = "镇江市区" if profile.startswith("zhenjiang") else "东川区"
    make_committee(session, world, clock.now, place=place)
    make_review_application(session, world, clock.now)
    leader = login_as(world.bureau.leader)

    def page() -> tuple[list[str], str]:
        leader.get("/review/queue?tab=leader", headers=HX)  # warm: the cookie's idle clock re-signed once
        with recorded(db_engine(app)) as sent:
            text = leader.get("/review/queue?tab=leader", headers=HX).text
        return [_main_table(s) for s in sent], text

    one, text = page()
    assert text.count("<tr id=") == 1 and "送评委会评审" in text
    for office in (world.enterprise, world.other_enterprise, world.other_enterprise):
        make_review_application(session, world, clock.now, office=office)
    four, text = page()
    assert text.count("<tr id=") == 4 and text.count("送评委会评审") >= 4, text
    assert sorted(four) == sorted(one), (one, four)


def test_the_enterprise_leader_s_page_reads_the_unit_opinions_once(
    app: Flask, session: Session, clock: Clock, login_as: Any
) -> None:
    """领导签批通过 at the unit asks for the unit's opinion (EXP-04): it was read once per row."""
    from portal.domain.workflow import Status
    from tests.factories import STEPS_TO, make_application, make_world

    world = make_world(session)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    leader = login_as(world.enterprise.leader)

    def page() -> tuple[list[str], str]:
        leader.get("/review/queue?tab=leader", headers=HX)
        with recorded(db_engine(app)) as sent:
            text = leader.get("/review/queue?tab=leader", headers=HX).text
        return [_main_table(s) for s in sent], text

    one, text = page()
    assert text.count("<tr id=") == 1 and 'value="leader_approve"' in text
    for _ in range(3):
        make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    four, text = page()
    assert text.count("<tr id=") == 4 and text.count('value="leader_approve"') >= 4, text
    assert sorted(four) == sorted(one) and "unit_opinions" in one, (one, four)
