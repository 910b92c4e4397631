"""The 送评例外 lines cite CHAN-01 from the bureau's own profile (Zhenjiang's 003 四), none where its notice
states no such rule: every bureau's admin page and review page read "CHAN-01、003 四", Zhenjiang's clause, and
the refusal passed it as plain text (left Chinese in English)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.domain.workflow import Action
from portal.models import StaffRole
from portal.services import committee_exceptions, rulebook
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world
from tests.i18n.reading import in_english
from tests.web.test_committee_exceptions import _second_application


def _rule(page: str) -> str:
    return page.split('id="exception-rule">')[1].split("</p>")[0]


def _line(page: str) -> str:
    return page.split('id="committee-exception">')[1].split("</p>")[0]


def test_zhenjiang_s_admin_and_leader_read_zhenjiang_s_clause_in_either_language(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, second = _second_application(session, clock)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    assert "（CHAN-01、003 四）" in _rule(admin.get("/committees/exceptions").text)
    assert "(CHAN-01, 003 4)" in _rule(in_english(admin).get("/committees/exceptions").text)
    committee_exceptions.record_exception(
        session, actor_for(world.admin, world.admin_membership), second.id, "经市职称办同意改报", clock.now
    )
    leader = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    assert "送评例外（CHAN-01、003 四）：" in _line(leader.get(f"/review/applications/{second.id}").text)


def test_a_bureau_whose_notice_lacks_the_rule_cites_no_clause(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, second = _second_application(session, clock)
    committee_exceptions.record_exception(
        session, actor_for(world.admin, world.admin_membership), second.id, "经市职称办同意改报", clock.now
    )
    world.bureau.org.policy_profile = "kunming-2022"  # the bureau now follows a notice without CHAN-01
    session.flush()
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    rule = _rule(admin.get("/committees/exceptions").text)
    assert "003" not in rule and "CHAN-01" not in rule and "无需登记例外" in rule
    leader = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    line = _line(leader.get(f"/review/applications/{second.id}").text)
    assert "送评例外：" in line and "003" not in line


def test_kunming_s_admin_reads_no_zhenjiang_clause(session: Session, clock: Clock, login_as: Any) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    make_committee(session, world, clock.now, place="东川区")
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    assert "003" not in admin.get("/committees/exceptions").text


def test_the_refusal_numbers_the_clause_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    world, second = _second_application(session, clock)
    leader = world.bureau.actor(StaffRole.LEADER)
    (offer,) = [
        o
        for o in rulebook.offers(session, leader, second, clock.now, as_reviewer=True)
        if o.action is Action.SEND_TO_COMMITTEE
    ]
    browser = in_english(login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id))
    page = browser.get(f"/review/applications/{second.id}").text
    assert "003 四" in str(offer.why_not) and "(003 4)" in page and "003 四" not in page
