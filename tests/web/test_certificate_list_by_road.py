"""The bureau's certificate list names its date and its empty state for both roads: a certificate reached
by 评审 is not 认定'd, so the filter and the column say 发证日期 (the day the certificate was issued, on
either road), and the empty list says how certificates come on the roads the bureau's profile takes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import StaffRole
from portal.services import results
from tests.conftest import Clock
from tests.factories import STEPS_TO, committee_road, make_application, make_world, staff_login
from tests.i18n.reading import assert_english, in_english


def test_a_bureau_with_both_roads_lists_certificates_by_their_issue_date(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, _made, reviewed = committee_road(session, clock, published=True)
    browser = staff_login(login_as, world.bureau, StaffRole.LEADER)
    empty = browser.get("/certificates").text
    assert "人社局领导认定发证，或评审结果公布后录入证书编号，证书会列在这里。" in empty
    assert "人社局领导认定发证后，证书会列在这里。" not in empty
    # The day's download holds the 批复 and the 评审 lists (services.certificates.day_documents).
    assert '<button type="submit" class="btn">生成当日批复及评审通过人员名单（PDF）</button>' in empty
    english = in_english(staff_login(login_as, world.bureau, StaffRole.LEADER)).get("/certificates").text
    assert_english(english)
    assert "once the review result is published and the certificate number entered" in english

    handler = world.bureau.actor(StaffRole.HANDLER)
    results.record_certificate(session, handler, reviewed.id, "JS2026-0000001", clock.now)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    listed = staff_login(login_as, world.bureau, StaffRole.LEADER).get("/certificates").text
    assert "JS2026-0000001" in listed
    assert ">发证日期从</label>" in listed and '<th scope="col">发证日期</th>' in listed
    assert "认定日期" not in listed and "认定时间" not in listed


def test_a_bureau_of_the_recognition_road_alone_keeps_its_hint(session: Session, login_as: Any) -> None:
    world = make_world(session, policy_profile="ganzhou-2026")
    page = staff_login(login_as, world.bureau, StaffRole.LEADER).get("/certificates").text
    assert "人社局领导认定发证后，证书会列在这里。" in page and "评审" not in page
    assert '<button type="submit" class="btn">生成当日批复（PDF）</button>' in page
