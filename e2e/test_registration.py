"""ACC-04 in Chromium (Kunming 004 一(二)): a person registers their own account from the login page's
link for the Dongchuan bureau, logs in to the explanation that no unit holds the account yet, their unit's
HR 王永贵 opens an account with their ID number and the registered account is attached (with a new first
password HR hand over in person), and the applicant, having changed it, sees their unit (and, having
forgotten it, gets a new first password from HR's reset). A registration
nobody attached (made with a typo'd name) is voided by the bureau's system admin with a reason, and the
person registers again with the same ID number and mobile."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from e2e.factories import PEOPLE
from e2e.helpers import accept_confirmations, htmx_settled, log_in, log_out

UNIT_HANDLER = "13970900006"  # portal.demo's Kunming hand-off target: 昆明东川铜都矿业技术服务有限公司's HR
UNIT = "昆明东川铜都矿业技术服务有限公司"
PASSWORD = "Dongchuan#2026reg"
NAME, PHONE = PEOPLE["registration"].name, PEOPLE["registration"].phone
BUREAU_ADMIN = "13970900003"  # 普丽萍, the Dongchuan bureau's system admin (portal.demo)


def test_a_person_registers_their_unit_attaches_the_account_and_they_see_their_unit(new_page: Any) -> None:
    number = PEOPLE["registration"].typed_number
    assert number.endswith("X")
    person: Page = new_page("applicant")
    person.goto("/login")
    person.get_by_role("link", name="申报人注册").click()
    expect(person.get_by_role("heading", name="申报人注册")).to_be_visible()
    person.get_by_label("姓名").fill(f"{NAME[0]} {NAME[1:]}")  # typed with a space: 段 雪梅
    person.get_by_label("证件号码").fill(number[:-1] + "x")
    person.get_by_label("手机号").fill(PHONE)
    person.get_by_label(re.compile("^密码")).fill(PASSWORD)
    person.get_by_label("再次输入密码").fill(PASSWORD)
    person.get_by_role("button", name="注册").click()
    expect(person.get_by_text("注册成功")).to_be_visible()

    log_in(person, number, PASSWORD)  # the canonical number (uppercase X) logs in
    expect(person.locator("#awaiting-employer")).to_contain_text("尚未关联用人单位")
    expect(person.locator("#awaiting-employer")).to_contain_text("账号关联到单位之前不能申报")
    log_out(person)

    hr: Page = new_page("unit-handler")
    log_in(hr, UNIT_HANDLER)
    hr.get_by_label("姓名").fill(NAME)
    hr.get_by_label("身份证号码").fill(number)
    hr.get_by_label("手机号").fill(PHONE)
    hr.get_by_label("用工类型").select_option("labour_contract")
    htmx_settled(hr)  # the live checks' answers move the button: a click during one can miss it
    hr.get_by_role("button", name="开设账号").click()
    expect(hr.locator("#create-applicant")).to_contain_text("现已关联到本单位")
    expect(hr.locator("#applicant-list")).to_contain_text(NAME)
    # The registration proved nobody's identity: HR hand a new first password over in person.
    first = hr.locator("#account-slip .password").inner_text().strip()

    log_in(person, PHONE, first)
    expect(person.get_by_role("heading", name="修改密码")).to_be_visible()
    person.get_by_label("当前密码").fill(first)
    person.get_by_label(re.compile("^新密码")).fill(PASSWORD + "!")
    person.get_by_label("再次输入新密码").fill(PASSWORD + "!")
    person.get_by_role("button", name="保存新密码").click()
    expect(person.get_by_role("heading", name="我的申报")).to_be_visible()
    expect(person.locator("#employer")).to_contain_text(UNIT)

    # Forgotten: HR reset it from the applicant's page (asked first), hand the new first password over,
    # and the person's open login ends; the new one logs in and must be changed at once.
    accept_confirmations(hr)
    hr.locator("#applicant-list").get_by_role("link", name=NAME).click()
    hr.get_by_role("button", name="重置密码").click()
    expect(hr.locator("#password")).to_contain_text("密码已重置")
    again = hr.locator("#account-slip .password").inner_text().strip()
    assert again and again != first
    person.reload()
    expect(person.get_by_role("button", name="登录")).to_be_visible()
    log_in(person, PHONE, again)
    expect(person.get_by_role("heading", name="修改密码")).to_be_visible()


def _register(person: Page, name: str, number: str, phone: str) -> None:
    person.goto("/login")
    person.get_by_role("link", name="申报人注册").click()
    person.get_by_label("姓名").fill(name)
    person.get_by_label("证件号码").fill(number)
    person.get_by_label("手机号").fill(phone)
    person.get_by_label(re.compile("^密码")).fill(PASSWORD)
    person.get_by_label("再次输入密码").fill(PASSWORD)
    person.get_by_role("button", name="注册").click()
    expect(person.get_by_text("注册成功")).to_be_visible()


def test_the_admin_voids_a_registration_nobody_attached_and_the_person_registers_again(
    new_page: Any,
) -> None:
    typo, phone = PEOPLE["registration.voided"].name, PEOPLE["registration.voided"].phone
    number = PEOPLE["registration.voided"].typed_number
    assert number.endswith("X")
    person: Page = new_page("applicant")
    _register(person, typo, number, phone)  # a typo'd name: her unit's HR cannot attach it

    admin: Page = new_page("bureau-admin")
    accept_confirmations(admin)  # 作废注册 asks first: it cannot be undone
    log_in(admin, BUREAU_ADMIN)
    admin.get_by_role("link", name="自行注册账号").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("自行注册账号")
    admin.get_by_label("姓名或证件号码").fill(number[-4:])
    admin.get_by_role("button", name="查找").click()
    row = admin.locator("tr", has_text=typo)
    expect(row).to_contain_text(number[:4] + "**********" + number[-4:])
    expect(row).to_contain_text("139****9973")
    row.get_by_role("button", name="作废注册").click()  # no reason: refused, nothing voided
    row = admin.locator("tr", has_text=typo)
    expect(row.get_by_role("alert")).to_contain_text("请写明作废的理由")
    row.get_by_label("作废理由").fill("姓名填写错误，本人申请重新注册")
    row.get_by_role("button", name="作废注册").click()
    expect(admin.get_by_text("已作废该注册")).to_be_visible()
    expect(admin.locator("tr", has_text=typo)).to_have_count(0)

    _register(person, "段雪莉", number, phone)  # the number and the mobile are free again
    log_in(person, phone, PASSWORD)
    expect(person.locator("#awaiting-employer")).to_contain_text("尚未关联用人单位")
