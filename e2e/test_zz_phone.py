"""An applicant on a phone (375 × 740, the width of the most common small phones): the status list, the
申报表, uploads and the correction list all fit the screen: the page never scrolls sideways.

Runs late (file name) with applicants made for it, so no other journey sees what it changes."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import CLOCK
from e2e.factories import PEOPLE, application_for
from e2e.helpers import laid_out, log_in, phone_photo, sign_pledge, upload_material
from portal.extensions import db
from portal.models import Application, User

DRAFT_APPLICANT = PEOPLE["zz_phone.draft"]
RETURNED_APPLICANT = PEOPLE["zz_phone.returned"]
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def assert_fits(page: Page) -> None:
    """The page is no wider than the screen (tables reflow or scroll inside their own box), measured once
    its stylesheet and fonts apply (laid_out: unstyled, a fitting page read 377 px)."""
    laid_out(page, page.locator("main"))
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width}px wide on a 375px screen"


def test_an_applicant_fills_in_and_uploads_on_a_phone(new_page: Any, portal_app: Flask) -> None:
    application_for(portal_app, DRAFT_APPLICANT, CLOCK.now, complete=False)
    page: Page = new_page("phone", **PHONE)
    log_in(page, DRAFT_APPLICANT.phone)
    assert_fits(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的申报")
    expect(page.locator(".badge").first).to_have_text("草稿")
    page.get_by_role("link", name="查看并填写").click()
    expect(page.locator("#materials")).to_be_visible()
    assert_fits(page)
    # The progress steps: a long organisation name wraps beside its mark, clear of the line joining the
    # marks (it wrapped under the mark, and the line ran through "未开始").
    laid_out(page, page.locator(".steps"))
    for step in page.locator(".step").all():
        mark = step.locator(".step-mark").bounding_box()
        assert mark is not None
        for part in (".step-title", ".step-org", ".step-state"):
            words = step.locator(part).bounding_box()
            assert words is not None and words["x"] >= mark["x"] + mark["width"], part

    page.get_by_label("毕业院校").fill("江西理工大学南昌校区")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("status").first).to_contain_text("申报表已保存")
    assert_fits(page)

    # The camera is offered next to the file picker.
    camera = page.get_by_label("或用手机拍照（直接打开相机）")
    expect(camera).to_have_attribute("capture", "environment")
    expect(camera).to_have_attribute("accept", "image/*")
    upload_material(page, "劳动（聘用）合同", [phone_photo(), phone_photo("#e5dccb")])
    expect(page.locator("#slot-labour_contract .slot-state")).to_have_text("已上传")
    # The reflowed cell's column name comes from the stylesheet: asked until it applies.
    cell = page.locator("#slot-labour_contract td[data-label]").first
    expect(cell).to_have_css("content", '"要求与依据："', pseudo="before")
    sign_pledge(page)
    assert_fits(page)
    expect(page.locator(".timeline")).to_contain_text("创建申报")


def test_an_applicant_reads_the_correction_list_on_a_phone(new_page: Any, portal_app: Flask) -> None:
    reason = "工作总结过于简略，请补充近三年主要业绩、承担的具体工作和取得的成效，并附相关证明材料的说明"
    application_for(
        portal_app, RETURNED_APPLICANT, CLOCK.now, submitted=True, returned_for={"summary": reason}
    )
    page: Page = new_page("phone", **PHONE)
    log_in(page, RETURNED_APPLICANT.phone)
    expect(page.locator(".badge").first).to_contain_text("退回")
    assert_fits(page)
    page.get_by_role("link", name="查看并填写").click()
    listing = page.locator(".correction-list")
    expect(listing).to_contain_text(reason)
    expect(listing).to_be_in_viewport()
    assert_fits(page)


def test_a_reviewer_s_queue_fits_a_phone(new_page: Any) -> None:
    # The queue's row (name, unit, status, wait and its action buttons) made the page over 500 px wide on
    # a phone; the table scrolls in its own box.
    page: Page = new_page("reviewer-phone", **PHONE)
    log_in(page, "13870700004")  # 谢晓燕, the department's handler
    page.get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name="全部").click()
    expect(page.locator("#queue tbody tr").first).to_be_visible()
    assert_fits(page)
    expect(page.get_by_role("region", name="审核队列")).to_be_visible()
    # A Chinese name and unit stay on one line (the columns were one character wide: 谢 / 晓 / 燕), the
    # box scrolls instead.
    for cell in ("td:nth-child(2)", "td:nth-child(3)"):
        words = page.locator(f"#queue tbody tr >> nth=0 >> {cell}")
        laid_out(page, words)
        lines = words.evaluate(
            "td => { const r = document.createRange(); r.selectNodeContents(td);"
            " return r.getBoundingClientRect().height / parseFloat(getComputedStyle(td).fontSize); }"
        )
        assert lines < 2.2, f"{cell} is {lines:.1f} font sizes high: its words break apart"


def test_the_hand_off_list_fits_a_phone_with_names_whole(new_page: Any) -> None:
    # On a 375 px screen the names broke one character a line (何泽 / 宇) and the table widened the page.
    page: Page = new_page("handoff-phone", **PHONE)
    log_in(page, "13970900006")  # 王永贵, 昆明东川铜都矿业技术服务有限公司
    page.get_by_role("link", name="报送省级系统").click()
    name = page.locator("td.person-name").first
    expect(name).to_be_visible()
    assert_fits(page)
    # The text's boxes sit on as many lines as it takes (the cell itself is as tall as its row).
    laid_out(page, name)
    lines = name.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
    )
    assert lines == 1, f"the name takes {lines} lines"


def test_an_english_table_on_a_phone_keeps_its_words_whole_and_scrolls_in_its_box(new_page: Any) -> None:
    # The committee office's tables in English broke words a few letters a line (Ap / plic / ant,
    # Em / ploy / er) to squeeze into 375 px; kept whole, the table widened the page instead.
    page: Page = new_page("english-table-phone", **PHONE)
    page.goto("/login")
    page.locator("#lang-switch button[value='en']").click()  # the cookie only: the account keeps Chinese
    page.locator("#f-login").fill("13970800022")  # 孔德明, the Zhenjiang committee office's leader
    page.locator("#f-password").fill("Demo@2026")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.goto("/committees/experts")
    expect(page.locator("#pool .table-scroll tbody tr").first).to_be_visible()
    assert_fits(page)
    laid_out(page, page.locator("#pool .table-scroll"))
    broken = page.evaluate(
        """() => [...document.querySelectorAll('.table-scroll th, .table-scroll td')].flatMap((cell) => {
          const out = [];
          const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const word of node.textContent.matchAll(/[A-Za-z]{2,}/g)) {
              const range = document.createRange();
              range.setStart(node, word.index);
              range.setEnd(node, word.index + word[0].length);
              const lines = new Set([...range.getClientRects()].map((b) => Math.round(b.top)));
              if (lines.size > 1) out.push(word[0]);
            }
          }
          return out;
        })"""
    )
    assert broken == [], f"words broken across lines: {broken}"


def test_the_paper_checklist_on_a_review_page_fits_a_phone_in_both_languages(
    new_page: Any, portal_app: Flask
) -> None:
    # In English the staff review page scrolled sideways to ~439 px: each remark's visually hidden label
    # (absolutely placed) sat past the right edge of #paper-items' scroll box, and its box was the page's.
    with portal_app.app_context():
        application_id = db.session.scalars(
            select(Application.id)
            .join(User, Application.applicant_id == User.id)
            .where(
                User.phone == "13970800041"  # 马晓东, sent by the Zhenjiang bureau: its paper checklist
            )
        ).first()
    assert application_id is not None
    page: Page = new_page("paper-phone", **PHONE)
    log_in(page, "13970800001")  # 顾晓雯, the Zhenjiang bureau's handler: she records the paper items
    page.goto(f"/review/applications/{application_id}")
    for language in ("en", "zh_Hans_CN"):  # back to Chinese at the end: the account keeps the choice
        page.locator(f"#lang-switch button[value='{language}']").click()
        expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{language[:2]}"))
        expect(page.locator("#paper-items input[name=remark]").first).to_be_attached()
        assert_fits(page)
