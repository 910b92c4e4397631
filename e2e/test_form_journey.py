"""Issue 21's journey in Chromium: the 申报表 with its repeating sections feeds the live pre-check, HR
returns one field, the applicant fixes only that field; and the applicant adds an e-mail address and
verifies it through the link a real SMTP server received (point 6).

No bureau of the demo has both rules the issue names: MAJ-02 (a studied major different from the
specialty adds a year) is in the Ganzhou 2026 profile, the continuing-education hours (CE-01, 90 hours
in 2023) in the Zhenjiang 2024 one, which has no major rule. So two applicants: 罗嘉明 at the Ganzhou
state enterprise fills two degrees, three jobs, a title from another province and CE hours, sees MAJ-02
live, is returned one field and fixes it; 钱雨桐 at the Zhenjiang enterprise enters her CE hours and
sees the CE finding change live. axe-core checks every page both open (the new_page fixture).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.conftest import Clock
from e2e.factories import PEOPLE, Person
from e2e.helpers import accept_confirmations, add_row, log_in, queue_row
from portal.demo import DEMO_ROAD_START, HANDOFF_TARGETS, STATE_ENTERPRISE, open_applicant
from portal.extensions import db
from portal.models import Application, Membership, Organisation, StaffRole, User
from portal.services import applications, materials
from portal.services.actors import actor_for
from portal.web.storage import storage
from tests.mailserver import Inbox, link_in, smtp_server

GANZHOU_HR = "13870700006"  # 黄丽华, 城投集团 (the demo's state enterprise)
ZHENJIANG = HANDOFF_TARGETS[0]
ZHENJIANG_HR = ZHENJIANG.staff_phones[5]  # 眭丽, 镇江新区港城建设工程有限公司
APPLICANT = PEOPLE["form_journey"]
CE_APPLICANT = PEOPLE["form_journey.ce"]
MAIL_APPLICANT = PEOPLE["form_journey.mail"]
DEGREES = (
    {
        "level": "本科",
        "mode": "全日制",
        "school": "南昌大学",
        "major": "土木工程",
        "degree": "学士",
        "started_on": "2006-09-01",
        "graduated_on": "2010-06-30",
        "major_match": "相同或相近",
    },
    {
        # The highest degree, studied part-time in another field: MAJ-02 adds a year (001 三(二)).
        "level": "硕士",
        "mode": "在职",
        "school": "江西财经大学",
        "major": "工商管理",
        "degree": "硕士",
        "started_on": "2015-09-01",
        "graduated_on": "2018-06-30",
        "major_match": "不同",
    },
)
JOBS = (
    {"employer": "赣州市政工程有限公司", "post": "施工员", "professional": "是", "started_on": "2010-07-01",
     "ended_on": "2014-12-31"},
    {"employer": "长沙路桥建设有限公司", "post": "技术员", "professional": "是", "started_on": "2015-01-01",
     "ended_on": "2019-06-30"},
    {"employer": STATE_ENTERPRISE, "post": "技术主管", "professional": "是", "started_on": "2019-07-01"},
)  # fmt: skip
TITLE = {  # a title from another province (湖南): 职称确认 (003 二(七))
    "kind": "职称",
    "name": "助理工程师",
    "series": "工程",
    "level": "助理级",
    "obtained_on": "2013-09-01",
    "authority": "湖南省人力资源和社会保障厅",
    "province": "湖南省",
}
MAJ_02 = "与从事专业不相同或不相近：专业技术工作年限延长1年"
SUMMARY = "负责开发区道路和管网工程的施工技术管理。"
FIXED_SUMMARY = "负责开发区道路和管网工程的施工技术管理，主持完成三项市政工程，其中一项获市优质工程奖。"


def _draft(app: Flask, hr_phone: str, enterprise: str, person: Person, what: tuple[str, ...]) -> int:
    """A new applicant (``person``, from PEOPLE; password Demo@2026) and an empty draft started by their
    HR; the journey fills it. The same call on a rerun returns the draft made the first time."""
    name, phone, serial = person.name, person.phone, person.serial
    assert serial is not None, f"{name} is opened in the browser, not by a factory"
    series, specialty, level, pathway, authority = what
    with app.app_context():
        org = db.session.scalars(select(Organisation).where(Organisation.name == enterprise)).one()
        hr_user = db.session.scalars(select(User).where(User.phone == hr_phone)).one()
        membership = db.session.scalars(
            select(Membership).where(
                Membership.user_id == hr_user.id,
                Membership.org_id == org.id,
                Membership.role == StaffRole.HANDLER.value,
            )
        ).one()
        hr = actor_for(hr_user, membership)
        applicant = open_applicant(db.session, hr, name, phone, serial, DEMO_ROAD_START)
        existing = db.session.scalar(select(Application.id).where(Application.applicant_id == applicant.id))
        if existing is not None:
            return existing
        start = applications.StartInput(applicant.id, series, specialty, level, pathway, authority)
        application = applications.start_application(db.session, hr, start, DEMO_ROAD_START)
        db.session.commit()
        return application.id


def _scans_for_every_slot(app: Flask, application_id: int, now: datetime) -> None:
    """Stand-in scans in every slot the filled form asks for (uploading is test_journey.py's part)."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        assert application is not None
        me = actor_for(application.applicant, None)
        materials.attach_placeholders(db.session, me, storage(), application, now, sign=True)
        db.session.commit()


def _save(page: Page) -> None:
    """Save the draft (htmx swaps the form in place) and wait for this save's message: the messages of
    earlier saves (each added row saved the form) are taken off the page first."""
    page.evaluate("() => document.querySelectorAll('.flash').forEach((e) => e.remove())")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("status").first).to_contain_text("申报表已保存")


def _blur(page: Page) -> None:
    """Leave the field just typed in: its `change` sends the section to the live pre-check."""
    page.keyboard.press("Tab")


def test_the_form_feeds_the_live_check_and_a_returned_field_is_fixed_alone(
    new_page: Any, portal_app: Flask, clock: Clock
) -> None:
    application_id = _draft(
        portal_app, GANZHOU_HR, STATE_ENTERPRISE, APPLICANT, ("工程", "市政工程", "中级", "认定", "")
    )
    applicant: Page = new_page("applicant")
    log_in(applicant, APPLICANT.phone)
    applicant.goto(f"/me/applications/{application_id}")
    eligibility = applicant.locator("#eligibility")
    expect(eligibility).to_contain_text("申报条件检查")
    for degree in DEGREES:
        add_row(applicant, "education", "添加学历", degree)
    # The highest degree's major differs from the specialty: the pre-check says so before any save.
    expect(eligibility).to_contain_text(MAJ_02)
    expect(eligibility).to_contain_text("所学专业（")
    for job in JOBS:
        add_row(applicant, "work", "添加工作经历", job)
    add_row(applicant, "title", "添加职称或资格", TITLE)
    add_row(applicant, "ce", "添加年度", {"year": "2025", "public_hours": "30", "professional_hours": "60"})
    _blur(applicant)
    applicant.locator("#f-work-summary").fill(SUMMARY)
    _save(applicant)
    for section, count in (("education", 2), ("work", 3), ("title", 1), ("ce", 1)):
        expect(applicant.locator(f"#section-{section} .form-row")).to_have_count(count)
    expect(eligibility).to_contain_text(MAJ_02)  # the saved form gives the same finding as the live one

    _scans_for_every_slot(portal_app, application_id, clock.now)
    applicant.reload()
    # An edit typed but not saved would not go with the submission (it sends what was saved): asked first.
    applicant.locator("#f-work-summary").fill(SUMMARY + "（尚未保存的补充）")
    asked: list[str] = []
    applicant.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    applicant.get_by_role("button", name="提交申报").click()
    expect(applicant.locator("#f-work-summary")).to_be_editable()
    assert asked and "申报表有尚未保存的修改" in asked[0]
    expect(applicant.locator(".badge").first).to_have_text("草稿")
    applicant.locator("#f-work-summary").fill(SUMMARY)  # as saved: nothing to ask
    applicant.get_by_role("button", name="提交申报").click()
    expect(applicant.locator(".badge").first).to_have_text("已提交，待经办人初审")

    # HR returns one field: the work summary.
    hr: Page = new_page("hr")
    log_in(hr, GANZHOU_HR)
    hr.goto("/review/queue?tab=handler")
    queue_row(hr, APPLICANT.name).locator("a[href$='#return']").click()
    composer = hr.locator("#return")
    composer.locator("input[name=sections][value='field:work_summary']").check()
    composer.locator("#reason-field-work_summary").fill("请写明主持完成的工程项目及获奖情况")
    composer.locator("button[type=submit]").click()
    expect(hr.locator(".flash.flash-success").first).to_be_visible()

    # The applicant reads the one item, and only that field is open.
    applicant.reload()
    listing = applicant.locator(".correction-list")
    expect(listing).to_contain_text("请写明主持完成的工程项目及获奖情况")
    expect(listing.locator("li")).to_have_count(1)
    expect(applicant.locator("#f-work-summary")).to_be_editable()
    for section, count in (("education", 2), ("work", 3), ("title", 1), ("ce", 1)):  # every row kept, locked
        expect(applicant.locator(f"#section-{section} .form-row.locked-row")).to_have_count(count)
    expect(applicant.locator("#row-education-1")).to_contain_text("（未被退回，无需修改）")
    applicant.locator("#f-work-summary").fill(FIXED_SUMMARY)
    _save(applicant)
    applicant.get_by_role("button", name="补正后重新提交").click()
    expect(applicant.locator(".badge").first).to_have_text("已提交，待经办人初审")
    hr.goto(f"/review/applications/{application_id}")
    expect(hr.locator("#application-detail, main").first).to_contain_text("主持完成三项市政工程")


def test_continuing_education_hours_change_the_finding_live(new_page: Any, portal_app: Flask) -> None:
    what = ("工程", ZHENJIANG.applicant[2], "中级", "评审", ZHENJIANG.applicant[3])
    application_id = _draft(portal_app, ZHENJIANG_HR, ZHENJIANG.enterprise[0], CE_APPLICANT, what)
    page: Page = new_page("ce-applicant")
    log_in(page, CE_APPLICANT.phone)
    page.goto(f"/me/applications/{application_id}")
    eligibility = page.locator("#eligibility")
    expect(eligibility).to_contain_text("未提供2023年继续教育学时，须满90学时")
    add_row(page, "ce", "添加年度", {"year": "2023", "public_hours": "24", "professional_hours": "36"})
    _blur(page)
    expect(eligibility).to_contain_text("2023年继续教育60学时，须满90学时")
    page.locator("#f-ce-0-professional-hours").fill("66")
    _blur(page)
    expect(eligibility).to_contain_text("2023年继续教育90学时，满足90学时要求")


def _wait_for_mail(inbox: Inbox, address: str) -> Any:
    """The first message to `address`, once the worker has sent it (it runs in the background)."""
    deadline = time.monotonic() + 30
    while not inbox.to(address):
        assert time.monotonic() < deadline, f"no e-mail reached {address}"
        time.sleep(0.2)
    return inbox.to(address)[0]


def test_an_applicant_adds_an_address_and_verifies_it_through_the_mailed_link(
    new_page: Any, portal_app: Flask
) -> None:
    settings = ("PORTAL_SMTP_HOST", "PORTAL_SMTP_PORT", "PORTAL_SMTP_STARTTLS", "PORTAL_SMTP_SENDER")
    saved = {key: portal_app.config.get(key) for key in settings}
    _draft(
        portal_app,
        GANZHOU_HR,
        STATE_ENTERPRISE,
        MAIL_APPLICANT,
        ("工程", "市政工程", "中级", "认定", ""),
    )
    with smtp_server() as (inbox, port):
        portal_app.config.update(
            PORTAL_SMTP_HOST="127.0.0.1",
            PORTAL_SMTP_PORT=port,
            PORTAL_SMTP_STARTTLS=False,
            PORTAL_SMTP_SENDER="noreply@portal.example",
        )
        try:
            page: Page = new_page("mail")
            accept_confirmations(page)
            log_in(page, MAIL_APPLICANT.phone)
            page.get_by_role("link", name="电子邮箱").click()
            expect(page.get_by_role("heading", name="电子邮箱")).to_be_visible()
            page.get_by_label("邮箱地址").fill("wang.siqi@example.cn")
            page.get_by_role("button", name="保存并发送验证邮件").click()
            expect(page.get_by_role("status").first).to_contain_text("验证邮件已发出")
            expect(page.locator("#email-status")).to_contain_text("待验证")
            message = _wait_for_mail(inbox, "wang.siqi@example.cn")
            assert message["Subject"] == "请验证您的电子邮箱地址"
            page.goto(urlsplit(link_in(message)).path)
            expect(page.get_by_role("main")).to_contain_text("wang.siqi@example.cn")
            page.get_by_role("button", name="确认验证").click()
            expect(page.get_by_role("status").first).to_contain_text("邮箱地址已验证")
            expect(page.locator("#email-status")).to_contain_text("已验证")
        finally:
            portal_app.config.update(saved)
