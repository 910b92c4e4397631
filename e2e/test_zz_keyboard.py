"""Keyboard only (WCAG 2.1.1): a reviewer logs in, opens the queue, finds and opens an application, writes
an opinion and approves it with Tab, Enter and typing alone; no mouse click anywhere.

Runs last (file name) and reviews an application made for it, so no other journey sees the change."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from e2e.conftest import CLOCK
from e2e.factories import PEOPLE, application_for
from e2e.helpers import DEMO_PASSWORD, page_ready

SOE_HANDLER = "13870700006"  # 黄丽华
APPLICANT = PEOPLE["zz_keyboard"]
APPLICANT_NAME = APPLICANT.name
OPINION = "材料齐全，业绩属实，同意推荐。"


def focused(page: Page) -> str:
    """What has the focus, as a screen reader would name it: its accessible text or label."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) { return ""; }
          const label = el.labels && el.labels.length ? el.labels[0].textContent : "";
          return (label || el.getAttribute("aria-label") || el.textContent || "").trim();
        }"""
    )


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the element named `name` has the focus (fails after `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == name:
            return
    raise AssertionError(f"Tab never reached “{name}” (last focus: “{focused(page)}”)")


def test_a_reviewer_approves_with_the_keyboard_alone(new_page: Any, portal_app: Flask) -> None:
    application_for(portal_app, APPLICANT, CLOCK.now, submitted=True)
    page: Page = new_page("keyboard")
    page.goto("/login")
    # The login field has the focus when the page opens (autofocus lands just after the load event: typing
    # before it lost the first digit once on a loaded machine).
    expect(page.get_by_label("手机号或证件号码")).to_be_focused()
    page.keyboard.type(SOE_HANDLER)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="退出")).to_be_visible()

    tab_to(page, "审核队列")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("审核队列")
    page_ready(page)

    # Narrow the queue to the one applicant: type the name in the search field and press Enter.
    tab_to(page, "姓名或证件号后4位")
    page.keyboard.type(APPLICANT_NAME)
    page.keyboard.press("Enter")
    expect(page.locator("#queue tbody tr")).to_have_count(1)
    tab_to(page, APPLICANT_NAME)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(APPLICANT_NAME)

    tab_to(page, "审核意见（选填）")
    page.keyboard.type(OPINION)
    # Then the check Ganzhou's 初审 asks (EXP-03), ticked with the space bar, then the button.
    page.keyboard.press("Tab")
    assert focused(page) == "已核实工作经历和业绩成果符合申报条件（001 四(五)）"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page) == "经办人初审通过"
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("已经办人初审通过")
    expect(page.locator(".badge").first).to_contain_text("领导")
    expect(page.locator(".timeline")).to_contain_text(OPINION)
    # The skip link takes a keyboard user past the navigation straight to the page's content.
    page.keyboard.press("Tab")
    assert focused(page) == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


# A refused page whose first error is a checkbox field (its hidden companion input first, as the 申报表's
# flag fields are written) inside a folded section: the shape app.js's jump to the first error met.
REFUSED_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>退回</title>
<script src="/static/app.js" defer></script></head><body data-refused><main id="main">
<p style="height: 3000px">…</p>
<details id="fold"><summary>更多</summary>
<div class="field check has-error"><input type="hidden" name="agree" value="">
<label class="check" for="agree"><input type="checkbox" id="agree" name="agree" value="1"> 本人承诺</label>
<p class="error" role="alert">请勾选承诺</p></div></details></main></body></html>"""


def test_a_refused_page_focuses_its_first_error_even_a_folded_checkbox(new_page: Any) -> None:
    """The jump focused the checkbox field's hidden input (nothing happened) and left its <details> shut."""
    page: Page = new_page("first-error")
    page.route("**/refused-example", lambda route: route.fulfill(body=REFUSED_PAGE, content_type="text/html"))
    page.goto("/refused-example")
    expect(page.locator("#fold")).to_have_attribute("open", "")
    expect(page.get_by_label("本人承诺")).to_be_focused()
    assert page.evaluate("() => window.scrollY") > 1000
