"""送评例外 (CHAN-01, 003 四: one committee per person, level and year "原则上") in Chromium: a person's
second 中级 application of the year waits at the Zhenjiang bureau; its leader sees 送评委会评审 disabled
with the reason and who may lift it; the bureau's system admin opens 送评例外, is told a reason is needed
when submitting none, then records one; the leader sees who recorded it, when and why on the case, and
sends it to the committee. axe-core checks every page; console errors fail the test (the refused empty
reason answers 422, by design)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from e2e.factories import PEOPLE, held_back_by_one_committee_a_year
from e2e.helpers import accept_confirmations, log_in, queue_row

BUREAU_LEADER, BUREAU_ADMIN = "13970800002", "13970800003"  # 蒋国华, 丁春燕 (portal.demo, Zhenjiang)
APPLICANT = PEOPLE["committee_exception"]
NAME = APPLICANT.name
REASON = "原申报评委会本年度停评，经市职称办同意改报"


def test_the_admin_records_an_exception_and_the_leader_sends_the_second_application(
    new_page: Any, portal_app: Flask
) -> None:
    application_id = held_back_by_one_committee_a_year(portal_app, APPLICANT)

    # The leader opens the application from the queue: 送评委会评审 is there, disabled, saying why.
    leader: Page = new_page("bureau-leader")
    log_in(leader, BUREAU_LEADER)
    leader.get_by_role("link", name="审核队列").click()
    queue_row(leader, NAME).get_by_role("link", name=NAME).click()
    expect(leader).to_have_url(re.compile(rf"/review/applications/{application_id}$"))
    send = leader.get_by_role("button", name="送评委会评审")
    expect(send).to_be_disabled()
    expect(send).to_have_accessible_description(re.compile("同一年度同一职称层级原则上只能向一个评审委员会"))
    expect(leader.locator("#why-send_to_committee")).to_contain_text("人社局系统管理员在“送评例外”中写明理由")
    expect(leader.locator("#committee-exception")).to_have_count(0)

    # The bureau's system admin, from the menu: no reason, no exception; then one with its reason.
    admin: Page = new_page("bureau-admin")
    accept_confirmations(admin)  # 登记例外 asks first: it is audited and lets the application go
    log_in(admin, BUREAU_ADMIN)
    admin.get_by_role("link", name="送评例外").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("送评例外")
    row = admin.locator(f"#exception-{application_id}")
    expect(row).to_contain_text(NAME)
    expect(row).to_contain_text("镇江市职称与执业资格评价服务中心评委会")  # the other application's
    row.get_by_role("button", name="登记例外").click()
    row = admin.locator(f"#exception-{application_id}")
    expect(row.get_by_role("alert")).to_contain_text("请写明例外的理由")
    reason = row.get_by_label("例外理由")
    expect(reason).to_have_attribute("aria-invalid", "true")
    reason.fill(REASON)
    row.get_by_role("button", name="登记例外").click()
    expect(admin.get_by_text("已登记例外：该申报可由人社局领导送评委会评审")).to_be_visible()
    recorded = admin.locator(f"#exception-reason-{application_id}")
    expect(recorded).to_contain_text("丁春燕")
    expect(recorded).to_contain_text(REASON)

    # The leader opens it again: the exception (who, when, why) on the case, and the send goes.
    leader.reload()
    exception = leader.locator("#committee-exception")
    expect(exception).to_contain_text("送评例外（CHAN-01、003 四）")
    expect(exception).to_contain_text(re.compile(r"丁春燕于2026年11月\d+日.*登记"))
    expect(exception).to_contain_text(REASON)
    form = leader.locator("form#send_to_committee")
    # The only committee whose scope holds 机械工程 中级 in 镇江市区 is preselected (003 七(一)).
    expect(form.get_by_label("受理的评委会").locator("option:checked")).to_have_text(
        "镇江市职工技术协会评委会"
    )
    form.get_by_role("button", name="送评委会评审").click()
    expect(leader.locator(".flash-success")).to_be_visible()
    expect(leader.locator(".badge").first).to_have_text("评委会办事机构审核中")
    expect(leader.get_by_role("button", name="送评委会评审")).to_have_count(0)
