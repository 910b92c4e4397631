"""Steps a person takes in the browser, in Chinese, reused by the journeys."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "Demo@2026"


def log_in(page: Page, login: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("手机号或证件号码").fill(login)
    page.get_by_label(re.compile("^密码")).fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def queue_row(page: Page, applicant_name: str):  # type: ignore[no-untyped-def]
    return page.locator("tr", has=page.get_by_role("link", name=applicant_name, exact=True))


def act_in_queue(page: Page, tab: str, applicant_name: str, button: str) -> None:
    """Open a queue tab, press the action on the applicant's row, and wait for the row to update."""
    page.get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name=tab).click()
    row = queue_row(page, applicant_name)
    row.get_by_role("button", name=button).click()
    expect(row.get_by_role("status")).to_contain_text(f"已{button}")
