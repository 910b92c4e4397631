"""Staff management in Chromium (issue 16): the enterprise's admin 陈建平 opens a handler's account, ends it
at once, and asks to end the leader 曾宪明's role, which waits for a second admin; the department's admin
曾凡荣 finds the request under the enterprise and withdraws it (the demo's leader stays for the other
journeys); the leader reads every change on the 人员 page and in the inbox; a handler is offered nothing."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from e2e.factories import PEOPLE
from e2e.helpers import accept_confirmations, log_in
from portal.demo import STATE_ENTERPRISE

ENTERPRISE_ADMIN = "13870700013"  # 陈建平
DEPARTMENT_ADMIN = "13870700012"  # 曾凡荣
ENTERPRISE_LEADER = "13870700007"  # 曾宪明
ENTERPRISE_HANDLER = "13870700006"  # 黄丽华
NEW_HANDLER = PEOPLE["staff"]  # added, then their role revoked
FORGETFUL = PEOPLE["staff.reset"]  # added, then their forgotten password reset by the admin


def test_admins_manage_staff_by_the_rulebook_and_the_leader_sees_every_change(new_page: Any) -> None:
    admin: Page = new_page("enterprise-admin")
    accept_confirmations(admin)
    log_in(admin, ENTERPRISE_ADMIN)  # an enterprise's admin lands on its staff page
    expect(admin.get_by_role("heading", level=1)).to_contain_text(STATE_ENTERPRISE)
    form = admin.locator("#add-staff")
    roles = form.get_by_label("岗位").locator("option")
    expect(roles).to_have_text(["请选择", "经办人", "领导"])  # never a role at or above his own

    form.get_by_label("岗位").select_option("handler")
    form.get_by_label("姓名").fill(NEW_HANDLER.name)
    form.get_by_label("证件号码").fill(NEW_HANDLER.typed_number)
    form.get_by_label("手机号").fill(NEW_HANDLER.phone)
    form.get_by_role("button", name="添加").click()
    expect(admin.locator("#account-slip")).to_contain_text(NEW_HANDLER.name)
    # The list above the form shows the new handler with the slip, without a reload (walk 5, finding 11).
    staff = admin.get_by_role("region", name="人员与岗位")
    new_row = staff.locator("tr", has_text=NEW_HANDLER.name)
    expect(new_row).to_be_visible()
    expect(admin.get_by_role("table", name="近期人员变动")).to_contain_text(NEW_HANDLER.name)
    new_row.get_by_role("button", name="撤销岗位").click()  # a handler's role ends at once
    expect(admin.locator("#flash")).to_contain_text(f"已撤销{NEW_HANDLER.name}的经办人岗位")

    leader_row = staff.locator("tr", has_text="曾宪明")
    leader_row.get_by_role("button", name="提出撤销").click()  # a leader's: a second admin must confirm
    expect(admin.locator("#flash")).to_contain_text("须由另一名管理员确认")
    pending = admin.get_by_role("region", name="待确认的岗位撤销")
    expect(pending.locator("tr", has_text="曾宪明")).to_contain_text("提出撤销的人不能自己确认")
    expect(pending.get_by_role("button", name="确认撤销")).to_have_count(0)

    other: Page = new_page("department-admin")
    accept_confirmations(other)
    log_in(other, DEPARTMENT_ADMIN)
    other.get_by_role("link", name=STATE_ENTERPRISE).click()
    request = other.get_by_role("region", name="待确认的岗位撤销").locator("tr", has_text="曾宪明")
    expect(request.get_by_role("button", name="确认撤销")).to_be_visible()
    request.get_by_role("button", name="取消请求").click()
    expect(other.locator("#flash")).to_contain_text("已取消撤销岗位的请求")

    leader: Page = new_page("enterprise-leader")
    log_in(leader, ENTERPRISE_LEADER)
    leader.get_by_role("link", name="本单位人员").click()
    recent = leader.get_by_role("region", name="近期人员变动")
    for words in (
        "开设账号并授予岗位",
        "撤销岗位",
        "提出撤销岗位",
        "取消撤销岗位的请求",
        NEW_HANDLER.name,
        "陈建平",
    ):
        expect(recent).to_contain_text(words)
    expect(leader.locator("#add-staff")).to_contain_text("由本单位或上级单位的管理员办理")
    expect(leader.get_by_role("button", name="撤销岗位")).to_have_count(0)
    leader.get_by_role("link", name="消息").click()
    expect(leader.locator("main")).to_contain_text("人员变动")

    handler: Page = new_page("enterprise-handler")
    log_in(handler, ENTERPRISE_HANDLER)
    handler.get_by_role("link", name="本单位人员").click()
    expect(handler.get_by_role("button", name="提出撤销")).to_have_count(0)
    expect(handler.locator("#add-staff form")).to_have_count(0)


def _change_first_password(page: Page, current: str, new: str) -> None:
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.get_by_label("当前密码").fill(current)
    page.get_by_label(re.compile("^新密码")).fill(new)
    page.get_by_label("再次输入新密码").fill(new)
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_role("heading", name="修改密码")).to_have_count(0)


def test_an_admin_resets_a_handlers_forgotten_password_and_their_open_login_ends(new_page: Any) -> None:
    admin: Page = new_page("enterprise-admin-reset")
    accept_confirmations(admin)
    log_in(admin, ENTERPRISE_ADMIN)
    form = admin.locator("#add-staff")
    form.get_by_label("岗位").select_option("handler")
    form.get_by_label("姓名").fill(FORGETFUL.name)
    form.get_by_label("证件号码").fill(FORGETFUL.typed_number)
    form.get_by_label("手机号").fill(FORGETFUL.phone)
    form.get_by_role("button", name="添加").click()
    first = admin.locator("#account-slip .password").inner_text().strip()

    handler: Page = new_page("forgetful-handler")
    log_in(handler, FORGETFUL.phone, first)
    _change_first_password(handler, first, "Kexiaoyu@2026a!")

    # The handler forgets it. The admin resets it on the 人员 page (asked first): a new first password,
    # shown once on the slip.
    row = admin.get_by_role("region", name="人员与岗位").locator("tr", has_text=FORGETFUL.name)
    staff_page = admin.url
    row.get_by_role("button", name="重置密码").click()
    slip = admin.locator("#account-slip")
    expect(slip).to_contain_text(FORGETFUL.name)
    reset = slip.locator(".password").inner_text().strip()
    assert reset and reset != first
    # A staff change like the others: listed under 近期人员变动 (never with the password).
    admin.goto(staff_page)
    recent = admin.get_by_role("table", name="近期人员变动")
    expect(recent).to_contain_text("重置登录密码")
    expect(recent).not_to_contain_text(reset)

    handler.reload()  # whoever held the old password is out: every session of the account ended
    expect(handler.get_by_role("button", name="登录")).to_be_visible()
    log_in(handler, FORGETFUL.phone, reset)
    _change_first_password(handler, reset, "Kexiaoyu@2026b!")
    expect(handler.get_by_role("button", name="退出")).to_be_visible()
