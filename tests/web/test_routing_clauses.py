"""The bureau leader's 送评委会评审 form says which committees are listed citing the bureau's own notice:
Zhenjiang's 003 七(一) (EXAM-06) and 003 四 (one committee per unit, CHAN-01); none under Kunming's
profile, whose leaders read Zhenjiang's clauses."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import city_system_passed, make_committee, make_committee_world, make_review_application


def _hint(page: str) -> str:
    return page.split('id="committee-hint">')[1].split("</small>")[0]


def test_zhenjiang_s_leader_reads_zhenjiang_s_clauses(session: Session, clock: Clock, login_as: Any) -> None:
    world = make_committee_world(session, clock.now)
    make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    browser = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    hint = _hint(browser.get(f"/review/applications/{application.id}").text)
    assert "只列出受理范围包含本申报专业、级别和受理地的评委会（003 七(一)）。" in hint


def test_kunming_s_leader_reads_no_zhenjiang_clause(session: Session, clock: Clock, login_as: Any) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    make_committee(session, world, clock.now, place="东川区")
    application = make_review_application(session, world, clock.now)
    city_system_passed(session, world, application, clock.now)
    browser = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    hint = _hint(browser.get(f"/review/applications/{application.id}").text)
    assert "只列出受理范围包含本申报专业、级别和受理地的评委会。" in hint and "003" not in hint
