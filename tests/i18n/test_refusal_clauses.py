"""Refusals cite their clauses as the English interface cites clauses (the findings joined into one, the
city system's gate; the return limit's bar in tests/services/test_corrections.py): numbered when nothing
Chinese is left ("001 3(6)"); each was passed as plain text, so English read "(001 三(六))" marked Chinese."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import (
    make_committee,
    make_committee_world,
    make_review_application,
    make_world,
)
from tests.i18n.reading import in_english
from tests.web.test_policy_web import IN_Q4, draft


def test_the_ineligible_refusal_numbers_its_clauses_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session, policy_profile="ganzhou-2026")
    clock.now = IN_Q4
    application, applicant = draft(session, world, clock.now, "会计", "会计")  # 以考代评: 001 三(六)
    browser = login_as(applicant)
    data = {"action": "submit", "version": application.version}
    chinese = browser.post(f"/me/applications/{application.id}/act", data=data)
    assert chinese.status_code == 422 and "（001 三(六)）" in chinese.text
    # The profile's note on the unconfirmed list is a reason the applicant can read, citing Ganzhou's own
    # clause only: it said "默认采用 002 五(一)、003 二(五) 所列9个专业（policy-spec §8 #10）".
    refused = chinese.text.split("不能提交：")[1].split("</p>")[0]
    assert "赣州通知未列明实行以考代评的专业" in refused, refused
    assert "policy-spec" not in chinese.text and "002 " not in refused and "003 " not in refused, refused
    english = in_english(browser).post(f"/me/applications/{application.id}/act", data=data)
    assert english.status_code == 422
    refusal = english.text.split("so it cannot be submitted: ")[1].split("</p>")[0]
    assert refusal.endswith(") (001 3(6))") and "001 三(六)" not in refusal


def test_the_city_system_gate_numbers_its_clause_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    make_committee(session, world, clock.now, place="东川区")
    application = make_review_application(session, world, clock.now)
    browser = in_english(login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id))
    why = browser.get(f"/review/applications/{application.id}").text.split('id="why-send_to_committee"')[1]
    why = why.split("</")[0]
    assert "(004 1(2))" in why and "004 一(二)" not in why
