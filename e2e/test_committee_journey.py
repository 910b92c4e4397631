"""The committee (评审) road in Chromium (issue 22): the demo's Zhenjiang application, sent by the bureau to
the city evaluation centre's committee, goes through the office's intake (handler, then leader), its own
评前公示, a meeting planned with the filing deadline from the profile (003 六(一)), the agenda, a seeded
draw, the filing accepted by the bureau, the experts' secret ballots (no study of the standards to confirm:
that is Kunming's CHAN-06, not asked by Zhenjiang's 003), the count, the
result notice, the office's confirmation (pass rate first), the bureau's publication and the province's
certificate number, imported from its sheet after a preview (the result sheet then on the review page).
axe-core checks every page; console errors fail the test."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

from flask import Flask
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.committee_steps import (
    agenda_plan_and_draw,
    cast_ballots,
    confirm_results,
    expert_reads_the_count,
    file_meeting,
    nothing_to_study,
    notice_passes,
    publish_results,
    take_in,
)
from e2e.conftest import Clock
from e2e.helpers import DEMO_PASSWORD, accept_confirmations, laid_out, log_in
from portal.demo_committee import APPLICANT, EXPERTS, OFFICE_STAFF
from portal.extensions import db
from portal.models import Application, User
from portal.services.calendar import today

OFFICE_HANDLER, OFFICE_LEADER = OFFICE_STAFF[0][1], OFFICE_STAFF[1][1]
BUREAU_HANDLER, BUREAU_LEADER = "13970800001", "13970800002"  # 顾晓雯, 蒋国华 (portal.demo)
NAME = APPLICANT[0]
PHONE_OF = {name: phone for name, phone, _s, _e in EXPERTS}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _application_id(app: Flask) -> int:
    with app.app_context():
        applicant = db.session.scalars(select(User).where(User.phone == APPLICANT[1])).one()
        found = db.session.scalars(select(Application).where(Application.applicant_id == applicant.id)).one()
        return found.id


def _numbers_sheet(app: Flask, number: str) -> bytes:
    """The province's sheet of certificate numbers (姓名 / 身份证号 / 证书编号) naming the demo applicant."""
    with app.app_context():
        applicant = db.session.scalars(select(User).where(User.phone == APPLICANT[1])).one()
        row = (applicant.name, applicant.id_number, number)
    book = Workbook()
    book.active.append(["姓名", "身份证号", "证书编号"])
    book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_zhenjiang_application_goes_through_the_committee_to_its_certificate(
    new_page: Any, clock: Clock, worker: Any, portal_app: Flask
) -> None:
    application_id = _application_id(portal_app)
    handler: Page = new_page("office-handler")
    leader: Page = new_page("office-leader")
    accept_confirmations(handler)
    accept_confirmations(leader)
    log_in(handler, OFFICE_HANDLER)
    log_in(leader, OFFICE_LEADER)

    # The office's intake: the review queue's road, handler then leader; then its own 评前公示.
    take_in(handler, leader, NAME, clock, worker)

    # A meeting: a date too close for the 15 days' filing is refused with the deadline; a later one is
    # planned with the deadline and its clause on the page.
    log_in(handler, OFFICE_HANDLER)  # days later: a new session
    handler.get_by_role("link", name="评审会议").click()
    # The demo's other meeting (林卫东's, voted and confirmed) is under 表决与结果; none is being prepared.
    handler.get_by_role("link", name=re.compile("筹备中")).click()
    expect(handler.get_by_text("这里还没有评审会议。")).to_be_visible()
    day = today(clock.now)
    handler.get_by_label("会议日期").fill((day + timedelta(days=5)).isoformat())
    handler.get_by_label("会议地点").fill("镇江市人社局三楼会议室")
    handler.get_by_role("button", name="安排会议").click()
    expect(handler.locator("#e-held-on")).to_contain_text(re.compile(r"003 六\(一\)：会议召开15天前.*已过"))
    held_on = day + timedelta(days=16)  # filing due today (15 days before); notices end in 2026
    # A meeting planned by mistake (a duplicate) is cancelled before filing, with a reason after the
    # confirmation; it stays under 全部 as 已取消, none is being prepared.
    handler.get_by_label("会议日期").fill((held_on + timedelta(days=1)).isoformat())
    handler.get_by_role("button", name="安排会议").click()
    handler.get_by_label("取消原因").fill("与另一场会议重复安排")
    handler.get_by_role("button", name="取消会议").click()
    expect(handler.locator("#meeting-status")).to_have_text("已取消")
    expect(handler.locator("#cancel-reason")).to_have_text("与另一场会议重复安排")
    expect(handler.locator("#agenda")).to_contain_text("取消时议程中没有申报")  # its former agenda, read-only
    handler.get_by_role("link", name="← 全部评审会议").click()
    expect(handler.locator("#count-preparing")).to_have_text("0")
    handler.get_by_label("会议日期").fill(held_on.isoformat())
    handler.get_by_label("会议地点").fill("镇江市人社局三楼会议室")
    handler.get_by_role("button", name="安排会议").click()
    expect(handler.locator("#filing-due")).to_contain_text("003 六(一)")
    expect(handler.locator("#not-filed-rule")).to_contain_text("未经备案的评审行为不予认可")
    meeting_url = handler.url

    plan = "按专业分组评审，专家集中学习评价标准后表决"
    drawn = agenda_plan_and_draw(handler, NAME, plan, "zj-demo-2026", PHONE_OF)
    expect(handler.locator("#panel")).not_to_contain_text("周永康")  # the applicant's own unit: recused
    expect(handler.locator("#panel table")).not_to_contain_text("学习评价标准条件")  # Kunming's CHAN-06

    # The pool: a 高级 committee's experts (副高级, in term) were drawn; the page warns, without blocking,
    # that the pool is below a senior committee's minimum and even (人社部令第40号).
    handler.goto("/committees/experts")
    expect(handler.locator("#pool-standard")).to_contain_text("副高级及以上")
    expect(handler.locator("#pool-warnings")).to_contain_text("不少于11人")
    # A drawn expert taken out of the pool by mistake (停用, a reason after the confirmation): the meeting
    # page flags them and asks for a new draw; restored (恢复), the panel stands as drawn.
    handler.get_by_role("link", name=drawn[0], exact=True).click()
    handler.get_by_label("停用原因").fill("误操作")
    handler.get_by_role("button", name="停用", exact=True).click()
    expect(handler.locator("#inactive")).to_have_text("已停用")
    expect(handler.locator("#deactivation")).to_contain_text("误操作")
    expert_url = handler.url
    handler.goto(meeting_url)
    expect(handler.locator("#panel-gone")).to_contain_text("请重新抽取专家")
    handler.goto(expert_url)
    handler.get_by_role("button", name="恢复", exact=True).click()
    expect(handler.locator("#inactive")).to_have_count(0)
    handler.goto(meeting_url)
    expect(handler.locator("#panel-gone")).to_have_count(0)

    log_in(leader, OFFICE_LEADER)  # the notice's days later: a new session
    file_meeting(leader, meeting_url)
    # A filing found wrong before the bureau decides is withdrawn (撤回备案, a reason after the
    # confirmation): the meeting is back in preparation, and filed again.
    leader.get_by_label("撤回原因").fill("评审工作方案有误，更正后重新报备")
    leader.get_by_role("button", name="撤回备案").click()
    expect(leader.locator("#meeting-status")).to_have_text("筹备中，待报备")
    expect(leader.locator("#withdrawals")).to_contain_text("评审工作方案有误，更正后重新报备")
    file_meeting(leader, meeting_url)

    bureau: Page = new_page("bureau-handler")
    log_in(bureau, BUREAU_HANDLER)
    # Whoever decides filings was told of each filing and of the withdrawal, with its reason.
    bureau.goto("/inbox")
    expect(bureau.locator(".inbox")).to_contain_text("撤回原因：评审工作方案有误，更正后重新报备")
    expect(bureau.locator(".inbox")).to_contain_text("新的待办（备案）")
    bureau.get_by_role("link", name="评审会议").click()
    bureau.get_by_role("link", name=re.compile("待确认备案")).click()
    bureau.locator("#meetings table a").first.click()
    bureau.get_by_role("button", name="确认备案").click()
    expect(bureau.locator("#meeting-status")).to_have_text("备案通过")

    # A drawn expert finds the meeting on their page, asked to confirm nothing: the study of the standards
    # before the vote is Kunming's rule (CHAN-06, 004 一(七)), which Zhenjiang's 003 does not have.
    expert: Page = new_page("experts")
    accept_confirmations(expert)
    nothing_to_study(expert, PHONE_OF[drawn[0]])

    # Before the meeting day 开始表决 is shown disabled with its reason (it asked, then refused).
    leader.goto(meeting_url)
    expect(leader.get_by_role("button", name="开始表决")).to_be_disabled()
    expect(leader.locator("#why-open")).to_contain_text("当天才能开始表决")

    # The meeting day: the leader opens the vote, each expert votes once, secretly.
    clock.now += timedelta(days=16)
    log_in(leader, OFFICE_LEADER)
    leader.goto(meeting_url)
    leader.get_by_role("button", name="开始表决").click()
    expect(leader.locator("#ballots-cast")).to_contain_text("已投票 0 人")
    cast_ballots(expert, [PHONE_OF[name] for name in drawn])
    leader.reload()
    expect(leader.locator("#ballots-cast")).to_contain_text("已投票 5 人")
    leader.get_by_role("button", name="结束表决并计票").click()
    expect(leader.locator("#agenda")).to_contain_text("赞成 4，反对 1，弃权 0")
    expect(leader.locator("#pass-rate")).to_contain_text("通过率 100%")
    expect(leader.locator("#pass-rate")).to_contain_text("高于设定")
    # The expert who voted against opens the meeting from 我的评审会议: the agenda, the totals, no ballot.
    expert_reads_the_count(expert, PHONE_OF[drawn[0]], NAME, "赞成 4，反对 1，弃权 0")

    # The result notice, then the confirmation (a note: the rate is over the setting), the publication.
    log_in(handler, OFFICE_HANDLER)
    notice_passes(handler, leader, NAME, clock, worker)
    log_in(leader, OFFICE_LEADER)
    confirm_results(leader, meeting_url, "经评委会研究，本次申报人员业绩突出，确认通过")

    title_office: Page = new_page("bureau-leader")
    accept_confirmations(title_office)
    log_in(title_office, BUREAU_LEADER)
    # Sent without the document number it is not asked about (it would publish nothing): the field says so.
    questions: list[str] = []
    title_office.on("dialog", lambda dialog: questions.append(dialog.message))
    title_office.goto(meeting_url)
    title_office.get_by_role("button", name="公布评审结果").click()
    expect(title_office.locator("#e-document-no")).to_be_visible()
    assert questions == []
    publish_results(title_office, meeting_url, "镇人社发〔2026〕88号")
    assert len(questions) == 1  # with the number, asked once

    # The province numbers the e-certificate; the bureau imports its sheet: a preview first, then applied.
    log_in(bureau, BUREAU_HANDLER)
    accept_confirmations(bureau)  # 确认录入 asks first: recording the numbers completes certification
    bureau.goto(meeting_url)
    bureau.set_input_files(
        "#f-certificate-file",
        files=[
            {
                "name": "证书编号.xlsx",
                "mimeType": XLSX,
                "buffer": _numbers_sheet(portal_app, "JS2026-0088001"),
            }
        ],
    )
    bureau.get_by_role("button", name="上传并预览").click()
    expect(bureau.locator("#preview-summary")).to_contain_text("可导入 1 行")
    # The preview is a page of its own (the upload redirected there), so Back after the apply shows it
    # again: once Chromium's ERR_CACHE_MISS ("Confirm Form Resubmission"), the preview being a POST answer.
    expect(bureau).to_have_url(re.compile(r"/committees/meetings/\d+/certificates/\d+$"))
    preview_url = bureau.url
    bureau.get_by_role("button", name="确认录入 1 个证书编号").click()
    expect(bureau.locator(".flash-success")).to_contain_text("已录入 1 个证书编号")
    answer = bureau.go_back()
    assert answer is not None and answer.status == 200
    assert bureau.url == preview_url
    expect(bureau.locator("#already-applied")).to_contain_text("录入 1 个证书编号，不能重复录入")
    expect(bureau.get_by_role("button", name="确认录入 1 个证书编号")).to_have_count(0)
    bureau.goto(f"/review/applications/{application_id}")
    expect(bureau.locator("#certificate-no")).to_have_text("JS2026-0088001")
    expect(bureau.locator("#result-sheet")).to_contain_text("镇人社发〔2026〕88号")


def test_the_second_row_of_the_committee_road_s_steps_stays_inside_its_card(
    new_page: Any, portal_app: Flask
) -> None:
    # The committee road has more steps than the diagram's nine columns: the row wraps. The line joining
    # a step to the one before it must not start left of the card (the first step of a row has nothing
    # before it on its row).
    bureau: Page = new_page("bureau-route")
    log_in(bureau, BUREAU_HANDLER)
    bureau.goto(f"/review/applications/{_application_id(portal_app)}")
    steps = bureau.locator(".route .step")
    expect(steps.nth(9)).to_be_visible()  # a second row
    laid_out(bureau, bureau.locator(".route").first, steps.nth(9))  # the lines are the stylesheet's ::before
    overhang = bureau.evaluate(
        """() => {
          const card = document.querySelector(".route").getBoundingClientRect();
          return [...document.querySelectorAll(".route .step")].map((step) => {
            const line = getComputedStyle(step, "::before");
            if (line.display === "none") { return 0; }
            return card.left - (step.getBoundingClientRect().left + parseFloat(line.left));
          });
        }"""
    )
    assert max(overhang) <= 0, f"a step's line starts {max(overhang)}px left of the card: {overhang}"


# Lines each label of the result sheet's facts list takes, as the browser lays it out.
_LABEL_LINES = """() => [...document.querySelectorAll("#result-sheet .facts dt")].map((dt) => {
  const line = parseFloat(getComputedStyle(dt).lineHeight);
  const text = document.createRange();  // the words, not the box (a grid row is as tall as its value)
  text.selectNodeContents(dt);
  return [dt.textContent.trim(), Math.round(text.getBoundingClientRect().height / line)];
})"""


def test_the_result_sheet_s_labels_take_the_width_they_need_in_english_and_chinese(
    new_page: Any, portal_app: Flask
) -> None:
    # The facts lists gave every label a fixed 8rem: "Publication document number" took three lines at
    # 1280 px. The labels' column now widens to its longest label (up to 15rem); on a phone they stack.
    application_id = _application_id(portal_app)
    choices = (
        ("en", "en", 1280),
        ("en", "en", 390),
        ("zh_Hans_CN", "zh-CN", 1280),
        ("zh_Hans_CN", "zh-CN", 390),
    )
    for language, lang, width in choices:
        page: Page = new_page(f"facts-{language}-{width}", viewport={"width": width, "height": 900})
        page.goto("/login")
        # The browser's language choice (its cookie), not the account's: other tests log in as this person.
        page.context.add_cookies([{"name": "portal_language", "value": language, "url": page.url}])
        page.reload()
        page.locator("#f-login").fill(BUREAU_HANDLER)
        page.locator("#f-password").fill(DEMO_PASSWORD)
        page.locator("form:has(#f-password) button[type=submit]").click()
        expect(page.locator("form[action$='/logout']")).to_be_visible()
        page.goto(f"/review/applications/{application_id}")
        expect(page.locator("html")).to_have_attribute("lang", lang)
        laid_out(page, page.locator("#result-sheet"))
        lines = dict(page.evaluate(_LABEL_LINES))
        assert lines and max(lines.values()) == 1, f"{language} at {width}px: {lines}"
        # The sheet itself fits the screen (the review page's paper table, further down, is not checked here).
        right = page.evaluate("() => document.querySelector('#result-sheet').getBoundingClientRect().right")
        assert right <= width, f"{language}: the result sheet ends at {right}px on a {width}px screen"
