"""The whole road in English (issue 24, done-when): HR opens an account and starts an application, the
applicant (on a 375 px phone) fills the form, uploads, signs and submits; HR returns it for a correction,
the applicant corrects and resubmits; the enterprise, the department and the bureau review and sign it, the
leader certifies, and the applicant reads the certificate number — every person with the English interface.

Elements are found by role, id and attributes rather than by their English words, so the journey holds
whatever the wording becomes. Every page each person sees is English (<html lang="en">) as the browser
shows it (app.js's words and htmx swaps included), keeps people's Chinese inside lang="zh-CN", and never
scrolls sideways at 375 px (English words are longer). A new applicant, so no other journey sees what
this one changes; the clock is put back afterwards (the `clock` fixture)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update

from e2e.conftest import Clock
from e2e.factories import PEOPLE
from e2e.helpers import (
    DEMO_PASSWORD,
    accept_confirmations,
    confirm_check,
    htmx_settled,
    laid_out,
    page_ready,
    phone_photo,
)
from e2e.test_journey import EDUCATION, WORK  # the same rows, typed by their (Chinese) values here
from e2e.test_zz_phone import PHONE, assert_fits
from portal.extensions import db
from portal.models import User
from tests.i18n.reading import leaks

NAME, PHONE_NUMBER = PEOPLE["english_journey"].name, PEOPLE["english_journey"].phone
NEW_PASSWORD = "Kewj@2026en!"
ENTERPRISE_HANDLER = "13870700006"  # 城投集团
ENTERPRISE_LEADER = "13870700007"
DEPT_HANDLER = "13870700004"
DEPT_LEADER = "13870700005"
BUREAU_HANDLER = "13870700002"
BUREAU_LEADER = "13870700003"
REASON = "工作总结过于简略，请补充主持的工程项目"
STAFF = (ENTERPRISE_HANDLER, ENTERPRISE_LEADER, DEPT_HANDLER, DEPT_LEADER, BUREAU_HANDLER, BUREAU_LEADER)


def log_in_english(page: Page, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in by the form's ids, then choose English with the switcher (kept on the account afterwards)."""
    page.goto("/login")
    page.locator("#f-login").fill(login)
    page.locator("#f-password").fill(password)
    page.locator("form:has(#f-password) button[type=submit]").click()
    expect(page.locator("form[action$='/logout']")).to_be_visible()
    if page.locator("html").get_attribute("lang") != "en":
        choose_english(page)


def choose_english(page: Page) -> None:
    page.locator("#lang-switch button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-switch button[value='en']")).to_have_attribute("aria-pressed", "true")


def english(page: Page) -> None:
    """The page is in English, and on a phone it fits the screen; as the browser shows it (app.js's words,
    live checks, htmx swaps included) it has no Chinese outside an element marked lang="zh-CN"."""
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Read once the page has loaded (app.js's words written); assert_fits waits for the layout itself.
    page.wait_for_load_state()
    if (page.viewport_size or {}).get("width") == 375:
        assert_fits(page)
    lang, runs = leaks(page.content())
    assert lang == "en" and runs == [], f"{page.url}: Chinese outside lang=zh-CN: {runs}"


def queue_row(page: Page) -> Locator:
    return page.locator("tr", has=page.get_by_role("link", name=NAME, exact=True))


def act(page: Page, tab: str, action: str) -> None:
    """Open a queue tab, press one action's button on the applicant's row, and wait for the row's answer."""
    page.goto(f"/review/queue?tab={tab}")
    english(page)
    page_ready(page)
    row = queue_row(page)
    form = row.locator(f"form:has(input[name=action][value={action}])")
    confirm_check(form)  # Ganzhou's 初审 asks its check (EXP-03)
    form.locator("button[type=submit]").click()
    expect(row.locator(".done[role=status]")).to_be_visible()
    english(page)


def upload(page: Page, slot: str, photos: list[bytes], document_date: str | None = None) -> None:
    """Upload photos as one material, found by the slot's key."""
    form = page.locator("#upload-material")
    form.locator("#f-slot").select_option(slot)
    form.locator("input[name=kind][value=original]").check()
    if document_date:
        form.locator("#f-document-date").fill(document_date)
    form.locator("#f-files").set_input_files(
        [
            {"name": f"IMG_{i:04d}.jpg", "mimeType": "image/jpeg", "buffer": data}
            for i, data in enumerate(photos)
        ]
    )
    form.locator("button[type=submit]").click()
    expect(page.locator(f'[id="slot-{slot}"] .slot-state')).to_have_text("Uploaded")
    english(page)


def add_row_by_value(page: Page, section: str, add_label: str, values: dict[str, str]) -> None:
    """Add a row to a repeating section and fill it; choices by their value, the same in both languages."""
    rows = page.locator(f"#section-{section} .form-row")
    index = rows.count()
    page.locator(f"#section-{section}").get_by_role("button", name=add_label).click()
    expect(rows).to_have_count(index + 1)
    htmx_settled(page)
    row = page.locator(f"#row-{section}-{index}")
    for name, value in values.items():
        field = row.locator(f"#f-{section}-{index}-{name.replace('_', '-')}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value=value)
        else:
            field.fill(value)


def row_slot(page: Page, kind: str) -> str:
    """The key of the material slot a declared row created (kind@row), read from the upload form."""
    option = page.locator(f"#upload-material #f-slot option[value^='{kind}@']").first
    return option.get_attribute("value") or ""


def record_unit_opinion(hr: Page) -> None:
    """The unit's opinion (基层单位意见), required before its leader signs, filled on the English page."""
    hr.goto("/review/queue?tab=leader")
    queue_row(hr).get_by_role("link", name=NAME, exact=True).click()
    english(hr)
    opinion = hr.locator("#opinion-form")
    opinion.locator("#f-evaluation").fill("工作认真负责，主持完成三项市政工程的施工技术管理。")
    opinion.locator("#f-method").select_option("vote")
    opinion.locator("#f-participants").fill("单位领导班子成员、部门负责人、职工代表")
    opinion.locator("#f-participants-count").fill("9")
    opinion.locator("#f-votes-for").fill("9")
    opinion.locator("#f-recommendation").select_option("recommend")
    opinion.locator("#f-formation").fill("经职称推荐小组会议评议，实名投票，一致同意推荐")
    opinion.locator("#f-assessment").fill("2023—2025年度考核均为合格")
    opinion.locator("#f-assessment-passed").select_option("yes")
    opinion.locator("button[type=submit]").click()
    expect(hr.locator(".flash.flash-success").first).to_contain_text("The unit's opinion is saved")
    english(hr)


@pytest.fixture
def staff_back_in_chinese(portal_app: Flask) -> Iterator[None]:
    """The demo staff choose English here, and the choice is kept on their accounts: afterwards they are
    put back to no choice, so the journeys after this one find them as the demo data made them."""
    yield
    with portal_app.app_context():
        db.session.execute(update(User).where(User.phone.in_(STAFF)).values(language=None))
        db.session.commit()


@pytest.mark.usefixtures("staff_back_in_chinese")
def test_the_whole_road_in_english(new_page: Any, clock: Clock, worker: Any) -> None:
    # HR opens the account (the enterprise pages, in English) and starts the application.
    hr: Page = new_page("en-hr")
    log_in_english(hr, ENTERPRISE_HANDLER)
    hr.goto("/enterprise/applicants")
    english(hr)
    hr.locator("#f-name").fill(NAME)
    hr.locator("#f-id-number").fill(PEOPLE["english_journey"].typed_number)
    hr.locator("#f-phone").fill(PHONE_NUMBER)
    hr.locator("#f-employment-type").select_option("labour_contract")
    hr.locator("#create-applicant button.btn-primary").click()
    slip = hr.locator("#account-slip")
    expect(slip).to_be_visible()
    expect(slip.locator('[lang="zh-CN"]', has_text=NAME)).to_be_visible()  # the name, marked Chinese
    password = slip.locator(".password").inner_text().strip()
    english(hr)
    hr.locator("#applicant-list tr", has_text=NAME).locator("a[href$='/applications/new']").click()
    hr.locator("#f-series").fill("工程")
    hr.locator("#f-specialty").fill("市政工程")
    hr.locator("#f-level").select_option("中级")
    hr.locator("#f-pathway").select_option("认定")
    hr.locator("form:has(#f-series) button[type=submit]").click()
    expect(hr.locator(".flash-success")).to_be_visible()  # on the new draft's page, told what comes next
    english(hr)

    # The applicant, on a phone: the first login asks for a new password; English is chosen there.
    applicant: Page = new_page("en-applicant", **PHONE)
    applicant.goto("/login")
    applicant.locator("#f-login").fill(PHONE_NUMBER)
    applicant.locator("#f-password").fill(password)
    applicant.locator("form:has(#f-password) button[type=submit]").click()
    expect(applicant.locator("#f-new")).to_be_visible()
    choose_english(applicant)
    english(applicant)
    applicant.locator("#f-current").fill(password)
    applicant.locator("#f-new").fill(NEW_PASSWORD)
    applicant.locator("#f-confirm").fill(NEW_PASSWORD)
    applicant.locator("form:has(#f-new) button[type=submit]").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("My applications")
    english(applicant)
    applicant.locator("a[href*='/me/applications/']").first.click()
    english(applicant)
    # The 申报表's repeating sections in English: choices are picked by their stored (Chinese) values.
    add_row_by_value(applicant, "education", "Add education", EDUCATION)
    add_row_by_value(applicant, "work", "Add a job", WORK)
    applicant.locator("#f-no-title").check()  # a first application
    applicant.locator("#f-work-summary").fill("负责开发区道路和管网工程的施工技术管理。")
    # app.js's counter writes the page's own words (<script id="ui-words">), in English here.
    counter = applicant.locator("#f-work-summary ~ .counter")
    expect(counter).to_have_text(re.compile(r"^\d+ / \d+ characters$"))
    applicant.locator("#application-form-fields button[name=_save]").click()
    expect(applicant.locator(".flash.flash-success").first).to_be_visible()
    applicant.reload()  # the checklist now knows the graduation year: the 学信网 record is needed
    english(applicant)
    upload(applicant, "id_card", [phone_photo(), phone_photo("#e8e2d5")])
    upload(applicant, row_slot(applicant, "diploma"), [phone_photo()])
    upload(applicant, row_slot(applicant, "xuexin"), [phone_photo()], document_date="2026-11-02")
    upload(applicant, "labour_contract", [phone_photo()])
    pledge = applicant.locator("#pledge")
    pledge.locator("input[type=checkbox]").check()
    pledge.locator("button[type=submit]").click()
    expect(applicant.locator("#slot-pledge .slot-state")).to_have_text("Signed")
    english(applicant)
    applicant.locator("#submit-form button[type=submit]").click()
    expect(applicant.locator(".badge.status-submitted").first).to_be_visible()
    english(applicant)

    # HR returns it for a correction of the work summary; the applicant reads it in English and corrects.
    hr.goto("/review/queue?tab=handler")
    english(hr)
    queue_row(hr).locator("a[href$='#return']").click()
    english(hr)
    composer = hr.locator("#return")
    composer.locator("input[name=sections][value='field:work_summary']").check()
    composer.locator("#reason-field-work_summary").fill(REASON)
    composer.locator("button[type=submit]").click()
    expect(hr.locator(".flash.flash-success").first).to_be_visible()
    english(hr)

    applicant.reload()
    english(applicant)
    listing = applicant.locator(".correction-list")
    expect(listing.locator('[lang="zh-CN"]', has_text=REASON)).to_be_visible()  # the reviewer's own words
    expect(listing).to_contain_text("working days left")
    applicant.locator("#f-work-summary").fill(
        "负责开发区道路和管网工程的施工技术管理，主持完成三项市政工程。"
    )
    applicant.locator("#application-form-fields button[name=_save]").click()
    expect(applicant.locator(".flash.flash-success").first).to_be_visible()
    applicant.locator("#submit-form button[type=submit]").click()
    expect(applicant.locator(".badge.status-submitted").first).to_be_visible()
    english(applicant)

    # Through the enterprise: first review, sign-off, the public notice, and sending it on.
    act(hr, "handler", "handler_approve")
    record_unit_opinion(hr)
    leader: Page = new_page("en-enterprise-leader")
    log_in_english(leader, ENTERPRISE_LEADER)
    act(leader, "leader", "leader_approve")
    hr.goto("/notices")
    english(hr)
    draft = hr.locator("#draft-notice")
    for box in draft.get_by_role("checkbox").all():
        box.uncheck()
    draft.get_by_label(NAME).check()  # the applicant's name: data, not the page's words
    draft.locator("#f-contact").fill("人力资源部 0797-8380000")
    draft.locator("button[type=submit]").click()
    expect(hr.locator("#notice-clock")).to_be_visible()
    english(hr)
    accept_confirmations(leader)
    leader.goto("/notices")
    leader.locator("table a").first.click()
    leader.locator("form[action*='/publish'] button[type=submit]").click()
    expect(leader.locator(".badge").first).to_be_visible()
    english(leader)
    clock.now += timedelta(days=8)  # the notice ran its five working days without objection
    worker.tick()  # and the scheduled job passed it
    log_in_english(leader, ENTERPRISE_LEADER)  # the jump in time ended every idle session
    act(leader, "leader", "forward")

    # The department and the bureau: each handler reviews first, each leader signs; the bureau certifies.
    for handler_login, leader_login, last_action in (
        (DEPT_HANDLER, DEPT_LEADER, "leader_approve"),
        (BUREAU_HANDLER, BUREAU_LEADER, "certify"),
    ):
        reviewer: Page = new_page(f"en-reviewer-{handler_login}")
        accept_confirmations(reviewer)  # certifying asks first: it issues the certificate number
        log_in_english(reviewer, handler_login)
        act(reviewer, "handler", "handler_approve")
        log_in_english(reviewer, leader_login)
        act(reviewer, "leader", last_action)

    # The applicant reads the certificate number and the whole timeline, in English.
    log_in_english(applicant, PHONE_NUMBER, NEW_PASSWORD)
    expect(applicant.get_by_role("heading", level=1)).to_have_text("My applications")
    english(applicant)
    applicant.locator("a[href*='/me/applications/']").first.click()
    expect(applicant.locator(".badge.status-certified").first).to_be_visible()
    expect(applicant.locator("#certificate-no")).to_have_text(re.compile(r"^20[0-9]{2}GZ[0-9]{5}$"))
    timeline = applicant.locator(".timeline")
    expect(timeline.locator("li")).to_have_count(13)  # created, submitted, returned, resubmitted + the road
    expect(timeline.locator('[lang="zh-CN"]', has_text=REASON)).to_be_visible()
    english(applicant)

    # The bureau's certificate list and statistics read in English too, the names marked Chinese.
    reviewer.goto("/certificates")
    english(reviewer)
    expect(reviewer.locator("tr", has_text=NAME).locator('[lang="zh-CN"]', has_text=NAME)).to_be_visible()
    reviewer.goto("/review/statistics")
    english(reviewer)
    # The page fits the window (the screen readers' tables stay out of the layout), and a bar's label is
    # whole or ends with "…" — never an English word cut short without a sign.
    laid_out(reviewer, reviewer.locator("svg.bars").first)
    scroll, window = reviewer.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= window, f"/review/statistics is {scroll}px wide in a {window}px window"
    bars = reviewer.locator(".bars g")
    assert bars.count() > 0
    for i in range(bars.count()):
        label = bars.nth(i).locator(".bar-label").text_content() or ""
        whole = bars.nth(i).locator("title").text_content() or ""
        cut = label.endswith("…") and whole.startswith(label[:-1])
        assert whole.startswith(label) or cut, (label, whole)
