"""The Kunming/Dongchuan committee road with a 职称确认 in Chromium (issue 22.7, 004 一(五)): the unit's HR
asks, from the 申报表's 现有职称 row granted in Sichuan, for the title to be confirmed; the demo's application
with such a line (asked for the same way, sent by the bureau to the district committee) goes through the
office's 职称确认 list to the HR bureau (the 《专业技术人员职称资格确认人员名单》 exported), the bureau's
confirmation, the office's intake and 评前公示, a meeting whose filing is due 12 working days before it
(004 一(六)), the agenda (the confirmed title counts), a seeded draw, the filing accepted, the experts'
acknowledgements (Kunming's CHAN-06, 004 一(七)) and ballots, the result notice, the office's confirmation
and the bureau's publication.
axe-core checks every page; console errors fail the test. The Zhenjiang journey's helpers are reused."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any

from flask import Flask
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.committee_steps import (
    agenda_plan_and_draw,
    cast_ballots,
    confirm_results,
    file_meeting,
    notice_passes,
    publish_results,
    study_conditions,
    take_in,
)
from e2e.conftest import Clock
from e2e.helpers import accept_confirmations, log_in
from portal.demo_kunming import APPLICANT, DRAFT_APPLICANT, EXPERTS, OFFICE_STAFF
from portal.extensions import db
from portal.models import Application, User
from portal.services.calendar import today

OFFICE_HANDLER, OFFICE_LEADER = OFFICE_STAFF[0][1], OFFICE_STAFF[1][1]
# portal.demo's Kunming hand-off target: the bureau's 李艳 / 杨应福, the unit's HR 王永贵.
BUREAU_HANDLER, BUREAU_LEADER, UNIT_HANDLER = "13970900001", "13970900002", "13970900006"
NAME = APPLICANT[0]
PHONE_OF = {name: phone for name, phone, _e in EXPERTS}


def _application_id(app: Flask, phone: str) -> int:
    with app.app_context():
        applicant = db.session.scalars(select(User).where(User.phone == phone)).one()
        found = db.session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()
        return found.id


def test_a_dongchuan_application_with_a_title_confirmation_goes_to_a_published_result(
    new_page: Any, clock: Clock, worker: Any, portal_app: Flask
) -> None:
    # The unit's HR asks, from the draft's 现有职称 row (granted in Sichuan), for its confirmation.
    hr: Page = new_page("unit-handler")
    log_in(hr, UNIT_HANDLER)
    hr.goto(f"/enterprise/applications/{_application_id(portal_app, DRAFT_APPLICANT[1])}/form")
    hr.get_by_role("link", name=re.compile("^职称确认")).click()
    expect(hr.locator("#confirmation-rule")).to_contain_text("004 一(五)")
    row = hr.locator("#title-rows form").first
    expect(row).to_contain_text("外省取得")
    expect(row.get_by_label("取得途径")).to_have_value("other_province")
    row.get_by_role("button", name="申请确认此职称").click()
    expect(hr.locator("#line-state")).to_have_text("待报送人社局确认")
    expect(hr.locator("#confirmation-line")).to_contain_text("四川省人力资源和社会保障厅")

    # The office sends its list to the bureau before its own notice, and exports the 确认人员名单.
    handler: Page = new_page("office-handler")
    leader: Page = new_page("office-leader")
    accept_confirmations(handler)
    accept_confirmations(leader)
    log_in(handler, OFFICE_HANDLER)
    log_in(leader, OFFICE_LEADER)
    handler.get_by_role("link", name="职称确认").click()
    expect(handler.locator("#count-requested")).to_have_text("1")
    expect(handler.locator("#lines")).to_contain_text(NAME)
    handler.get_by_role("button", name="报送人社局确认").click()
    expect(handler.locator("#lines")).to_contain_text("已报人社局，待确认")
    with handler.expect_download() as download:
        handler.locator("#export").click()
    sheet = load_workbook(BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == NAME and rows[1][4] == "助理工程师" and rows[1][9] == "外省取得"

    # The bureau confirms the line; the office sees the outcome.
    bureau: Page = new_page("bureau-handler")
    log_in(bureau, BUREAU_HANDLER)
    bureau.get_by_role("link", name="职称确认").click()
    bureau.get_by_label(re.compile(f"选择 {NAME}")).check()
    bureau.get_by_role("button", name="办理勾选的人员").click()
    expect(bureau.get_by_text("已确认 1 人")).to_be_visible()
    handler.get_by_role("link", name=re.compile("^已确认")).click()
    expect(handler.locator("#lines")).to_contain_text("人社局已确认")

    # The office's intake (handler, then leader) and its 评前公示.
    take_in(handler, leader, NAME, clock, worker)

    # A meeting whose filing is due 12 working days before it (004 一(六)); the confirmed title counts.
    log_in(handler, OFFICE_HANDLER)
    handler.get_by_role("link", name="评审会议").click()
    held_on = today(clock.now) + timedelta(days=20)
    handler.get_by_label("会议日期").fill(held_on.isoformat())
    handler.get_by_label("会议地点").fill("东川区人社局三楼会议室")
    handler.get_by_role("button", name="安排会议").click()
    expect(handler.locator("#filing-due")).to_contain_text("004 一(六)")
    meeting_url = handler.url
    expect(handler.locator("#agenda-form")).not_to_contain_text("未经确认的职称")
    plan = "采矿工程专业集中评审，专家会前学习评价标准条件"
    drawn = agenda_plan_and_draw(handler, NAME, plan, "km-demo-2026", PHONE_OF)

    log_in(leader, OFFICE_LEADER)  # the notice's days later: a new session
    file_meeting(leader, meeting_url)
    log_in(bureau, BUREAU_HANDLER)
    bureau.goto(meeting_url)
    bureau.get_by_role("button", name="确认备案").click()
    expect(bureau.locator("#meeting-status")).to_have_text("备案通过")

    # Kunming's profile asks the experts to confirm having studied the standards (CHAN-06, 004 一(七)):
    # the office's panel shows each one's confirmation, and the vote waits for it.
    leader.goto(meeting_url)
    expect(leader.locator("#panel table")).to_contain_text("学习评价标准条件")
    expert: Page = new_page("experts")
    accept_confirmations(expert)
    study_conditions(expert, [PHONE_OF[name] for name in drawn])

    # The meeting day: a secret vote, 4 for and 1 against (two thirds of those present pass, 004 一(一)).
    clock.now += timedelta(days=20)
    log_in(leader, OFFICE_LEADER)
    leader.goto(meeting_url)
    leader.get_by_role("button", name="开始表决").click()
    cast_ballots(expert, [PHONE_OF[name] for name in drawn])
    leader.reload()
    leader.get_by_role("button", name="结束表决并计票").click()
    expect(leader.locator("#agenda")).to_contain_text("赞成 4，反对 1，弃权 0")

    # The result notice, the office's confirmation (the rate is over the setting: a note), publication.
    log_in(handler, OFFICE_HANDLER)
    notice_passes(handler, leader, NAME, clock, worker)
    log_in(leader, OFFICE_LEADER)
    confirm_results(leader, meeting_url, "经评委会研究，申报人业绩突出，确认通过")
    title_office: Page = new_page("bureau-leader")
    accept_confirmations(title_office)
    log_in(title_office, BUREAU_LEADER)
    publish_results(title_office, meeting_url, "东人社发〔2026〕12号")
