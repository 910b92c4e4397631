"""The applicant's pages in English on a phone (issue 24): an applicant chooses English with the switcher,
fills in, uploads and signs on a 375 px screen, and reads a correction list; every page is English, keeps
the applicant's own Chinese inside lang="zh-CN", and never scrolls sideways.

Runs late (file name) with applicants made for it, so no other journey sees what it changes."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from e2e.conftest import CLOCK
from e2e.factories import PEOPLE, application_for
from e2e.helpers import DEMO_PASSWORD, laid_out, log_in, phone_photo
from e2e.test_zz_phone import PHONE, assert_fits

DRAFT_APPLICANT = PEOPLE["zz_english.draft"]
RETURNED_APPLICANT = PEOPLE["zz_english.returned"]


def choose_english(page: Page) -> None:
    """The switcher on every page: English, remembered on the account."""
    page.locator("#lang-switch").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-switch").get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_an_applicant_fills_in_uploads_and_signs_in_english(new_page: Any, portal_app: Flask) -> None:
    application_for(portal_app, DRAFT_APPLICANT, CLOCK.now, complete=False)
    page: Page = new_page("english-phone", **PHONE)
    log_in(page, DRAFT_APPLICANT.phone)
    choose_english(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("My applications")
    expect(page.locator(".badge").first).to_have_text("Draft")
    assert_fits(page)
    page.get_by_role("link", name="View and fill in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The series in English as every page names it, the specialty as written (marked Chinese), the level
    # a glossary word.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Engineering · ")
    expect(heading.locator('[lang="zh-CN"]', has_text="市政工程")).to_be_visible()
    expect(heading).to_contain_text("Intermediate level")
    assert_fits(page)
    # English set in the CJK font takes Latin-width quotes ("it’s" read "it’ s"); Chinese data keeps its own.
    # The widths are the stylesheet's font settings in the page's fonts: measured once both apply.
    laid_out(page, page.locator("main"))
    widths = page.evaluate(
        """() => ['en', 'zh-CN'].map(lang => ['it’s', "it's"].map(text => {
            const span = document.createElement('span');
            span.lang = lang === 'en' ? '' : lang;
            span.textContent = text;
            document.querySelector('main').append(span);
            const width = span.getBoundingClientRect().width;
            span.remove();
            return width;
        }))"""
    )
    (curly_en, straight_en), (curly_zh, straight_zh) = widths
    assert curly_en < straight_en * 1.2, widths
    assert curly_zh > straight_zh * 1.3, widths  # full-width punctuation stays so in Chinese

    page.get_by_label("School graduated from").fill("江西理工大学南昌校区")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").first).to_contain_text("The application form is saved")
    # The school names the diploma's slot: the checklist changes with the save's answer.
    expect(page.locator("#materials")).to_contain_text("江西理工大学南昌校区")
    # The diploma's label: the school as typed, the form's own choice (本科) in English.
    expect(page.locator("#materials")).to_contain_text("江西理工大学南昌校区 Bachelor's level")
    assert_fits(page)

    form = page.locator("#upload-material")
    form.get_by_label("Kind of material").select_option(label="Employment contract")
    form.get_by_label("Scan of the original").check()
    form.locator("#f-files").set_input_files(
        [
            {"name": f"IMG_{i:04d}.jpg", "mimeType": "image/jpeg", "buffer": data}
            for i, data in enumerate([phone_photo(), phone_photo("#e5dccb")])
        ]
    )
    form.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#slot-labour_contract .slot-state")).to_have_text("Uploaded")
    expect(page.get_by_role("status").first).to_contain_text("Uploaded “Employment contract”")
    assert_fits(page)
    # A reflowed cell's column name ends with an English colon and a space (it read “Status：Uploaded”);
    # the stylesheet writes it, so it is asked until the stylesheet applies.
    cell = page.locator("#slot-labour_contract td[data-label]").first
    expect(cell).to_have_css("content", '"Requirement and basis: "', pseudo="before")

    pledge = page.locator("#pledge")
    pledge.get_by_label("I have read it and I pledge").check()
    pledge.get_by_role("button", name="Sign online").click()
    expect(page.get_by_role("status").first).to_contain_text("The integrity pledge is signed")
    expect(page.locator("#slot-pledge .slot-state")).to_have_text("Signed")
    assert_fits(page)

    # The choice is the account's: a new browser where the applicant logs in reads English at once.
    again: Page = new_page("english-again")
    log_in_english(again, DRAFT_APPLICANT.phone)
    expect(again.get_by_role("heading", level=1)).to_have_text("My applications")


def log_in_english(page: Page, login: str) -> None:
    """Log in on a new browser's login page (Chinese: nothing chosen there yet); the account's saved choice
    answers from the first page after it."""
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_label("手机号或证件号码").fill(login)
    page.get_by_label(re.compile("^密码")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_an_applicant_reads_the_correction_list_in_english(new_page: Any, portal_app: Flask) -> None:
    reason = "工作总结过于简略，请补充近三年主要业绩、承担的具体工作和取得的成效"
    application_for(
        portal_app, RETURNED_APPLICANT, CLOCK.now, submitted=True, returned_for={"summary": reason}
    )
    page: Page = new_page("english-correction", **PHONE)
    log_in(page, RETURNED_APPLICANT.phone)
    choose_english(page)
    expect(page.locator(".badge").first).to_contain_text("Returned")
    assert_fits(page)
    page.get_by_role("link", name="View and fill in").click()
    listing = page.locator(".correction-list")
    expect(listing.get_by_role("heading")).to_have_text("What to correct (all items at once)")
    expect(listing.locator('[lang="zh-CN"]', has_text=reason)).to_be_visible()  # the reviewer's own words
    expect(listing).to_contain_text("working days left")
    expect(listing).to_be_in_viewport()
    assert_fits(page)


def test_an_admin_s_long_english_menu_wraps_between_items_not_inside_them(new_page: Any) -> None:
    """The Dongchuan admin's menu has eleven items; in English it takes two lines on a desktop, each item
    on one line ("Working-day calendar" was broken into "Working-day / calendar"). Chinese again after."""
    page: Page = new_page("english-admin")
    log_in(page, "13970900003")  # 普丽萍, the Dongchuan bureau's system admin (portal.demo)
    choose_english(page)
    links = page.locator("nav .nav > li > a")
    expect(links.first).to_be_visible()
    laid_out(page, *(links.nth(i) for i in range(links.count())))
    line = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.nav a')).lineHeight)"))
    heights = [box["height"] for box in (links.nth(i).bounding_box() for i in range(links.count())) if box]
    assert len(heights) >= 10 and max(heights) < 1.5 * line, heights
    page.locator("#lang-switch").get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
