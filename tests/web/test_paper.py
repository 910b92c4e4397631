"""The paper follow-up over HTTP (MAT-15): the review page's 纸质材料报送 block, recording an item as a
plain form (303) and with htmx (the named block alone), errors kept next to the item (422), the queue's
纸质材料逾期 badge and filter, and 404 for another tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import Application, PaperItem, StaffRole
from portal.services import applications, paper
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_world

HX = {"HX-Request": "true"}
APPROVED = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def approved_online(session: Session, world: World, clock: Clock) -> Application:
    application = make_application(
        session, world, clock.now - timedelta(days=40), steps=STEPS_TO[Status.BUREAU_REVIEW]
    )
    world.bureau.org.policy_profile = "zhenjiang-2024"
    session.flush()
    return applications.act(
        session, world.bureau.actor(StaffRole.HANDLER), application.id, Action.HANDLER_APPROVE, APPROVED
    )


def first_item(session: Session, application: Application) -> int:
    followup = paper.followup_of(session, application.id)
    assert followup is not None
    return followup.items[0].id


def test_the_review_page_shows_the_checklist_and_a_plain_post_records_an_item(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    application = approved_online(session, world, clock)
    item = first_item(session, application)
    browser = login_as(world.bureau.leader)
    page = browser.get(f"/review/applications/{application.id}")
    assert page.status_code == 200
    assert 'id="paper-followup"' in page.text and "纸质材料报送" in page.text
    assert "2026年10月16日" in page.text and "还剩10个工作日" in page.text and "003 附件 备注3" in page.text
    posted = browser.post(
        f"/review/applications/{application.id}/paper",
        data={"item": item, "received": "1", "originals_checked": "1", "remark": "原件已核对退回"},
    )
    assert posted.status_code == 303
    again = browser.get(f"/review/applications/{application.id}")
    assert (
        "已收到 1 / " in again.text
        and 'value="原件已核对退回"' in again.text
        and world.bureau.leader.name in again.text
    )


def test_an_htmx_post_returns_only_the_named_block(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    application = approved_online(session, world, clock)
    item = first_item(session, application)
    browser = login_as(world.bureau.handler)
    done = browser.post(
        f"/review/applications/{application.id}/paper", data={"item": item, "received": "1"}, headers=HX
    )
    assert done.status_code == 200 and "<html" not in done.text
    assert done.text.lstrip().startswith("<section") and 'id="paper-followup"' in done.text
    assert "已保存纸质材料登记" in done.text and "application-changed" in done.headers["HX-Trigger"]
    refused = browser.post(
        f"/review/applications/{application.id}/paper",
        data={"item": item, "originals_checked": "1", "remark": "只核对了原件"},
        headers=HX,
    )
    assert refused.status_code == 422 and "<html" not in refused.text
    assert "尚未收到纸质材料" in refused.text and 'value="只核对了原件"' in refused.text
    plain = browser.post(
        f"/review/applications/{application.id}/paper", data={"item": item, "remark": "长" * 501}
    )
    assert plain.status_code == 422 and "<html" in plain.text and "备注最多500字" in plain.text


def test_other_offices_read_it_and_other_tenants_get_404(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    application = approved_online(session, world, clock)
    item = first_item(session, application)
    department = login_as(world.department.handler)
    page = department.get(f"/review/applications/{application.id}")
    assert 'id="paper-followup"' in page.text and 'id="paper-form-' not in page.text
    refused = department.post(
        f"/review/applications/{application.id}/paper", data={"item": item, "received": "1"}
    )
    assert refused.status_code == 303  # refused with a flash: only the receiving office records
    unchanged = session.get(PaperItem, item)
    assert unchanged is not None and not unchanged.received
    stranger = login_as(make_world(session).bureau.leader)
    assert stranger.get(f"/review/applications/{application.id}").status_code == 404
    posted = stranger.post(
        f"/review/applications/{application.id}/paper", data={"item": item, "received": "1"}
    )
    assert posted.status_code == 404
    fragment = stranger.post(
        f"/review/applications/{application.id}/paper", data={"item": item, "received": "1"}, headers=HX
    )
    assert fragment.status_code == 404


def test_the_queue_shows_the_overdue_badge_and_filter(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    application = approved_online(session, world, clock)
    clock.now = datetime(2026, 10, 19, 2, 0, tzinfo=UTC)  # Monday after the due Friday
    browser = login_as(world.bureau.leader)
    listed = browser.get("/review/queue?tab=leader&paper=overdue")
    assert listed.status_code == 200
    assert f'id="application-{application.id}"' in listed.text and "纸质材料逾期</span>" in listed.text
    assert 'name="paper" value="overdue" checked' in listed.text


def test_a_policy_without_paper_shows_nothing(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    application = make_application(
        session, world, clock.now - timedelta(days=40), steps=STEPS_TO[Status.BUREAU_REVIEW]
    )
    page = login_as(world.bureau.handler).get(f"/review/applications/{application.id}")
    assert page.status_code == 200 and "纸质材料报送" not in page.text


def test_paper_past_its_due_day_on_the_committee_road_reads_overdue_in_either_language(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 马晓东, sent on to the committee, had his paper due on 10 Nov; on 6 Dec his page read "Online review
    # passed: 27 Oct 2026；Due: 10 Nov 2026 (0 working days left) ; received 0 of 11".
    from tests.factories import committee_road
    from tests.i18n.reading import in_english

    road = committee_road(session, clock)
    followup = paper.followup_of(session, road.application.id)
    assert followup is not None and followup.due_on is not None
    clock.now = datetime.combine(followup.due_on + timedelta(days=20), datetime.min.time(), UTC)
    browser = login_as(road.world.bureau.handler, membership_id=road.world.bureau.handler_membership.id)
    page = browser.get(f"/review/applications/{road.application.id}").text
    line = page.split('id="paper-deadline">')[1].split("</p>")[0]
    assert "已逾期" in line and "还剩" not in line, line
    english = in_english(browser).get(f"/review/applications/{road.application.id}").text
    line = " ".join(english.split('id="paper-deadline">')[1].split("</p>")[0].split())
    assert "；" not in line and "0 working days left" not in line, line
    assert "Overdue" in line and " ; " not in line, line
    # The rule's clause (Zhenjiang's 003 附件 备注3: Chinese words, so whole and marked Chinese), as stored.
    rule = english.split('id="paper-followup"')[1].split("</p>")[0]
    assert followup.citation == "003 附件 备注3"
    assert '(<span lang="zh-CN">003 附件 备注3</span>)' in rule, rule
