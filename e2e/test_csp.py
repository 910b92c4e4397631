"""T-CSP-01: the strict Content-Security-Policy costs nothing in Chromium.

Every journey in this suite fails at teardown on any CSP violation (e2e/conftest.py). These tests prove
the listener sees one — by the `securitypolicyviolation` event with JavaScript on and by the console with
it off — and walk every navigation link of each role's pages (htmx polling and fragments included) with
zero violations.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from e2e.conftest import CspViolations
from e2e.helpers import log_in

# An inline script, an inline style attribute and a <style> element: the three things a careless template
# change would add, each refused by script-src 'self' / style-src 'self'.
INJECTED = (
    '<script>document.title = "x";</script><p style="color: red">x</p><style>p { color: blue; }</style>'
)


def _with_inline_content(route: Route) -> None:
    """The real login page (with its real CSP header) plus inline content the policy must refuse."""
    response = route.fetch()
    body = response.text().replace("</main>", INJECTED + "</main>")
    route.fulfill(response=response, body=body)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_listener_reports_inline_script_and_style(
    new_page: Any, csp_violations: CspViolations, javascript: bool
) -> None:
    page: Page = new_page("csp", java_script_enabled=javascript)
    page.route("**/login", _with_inline_content)
    page.goto("/login")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    # With JavaScript off the inline script never runs, so only the styles are refused.
    expected = ("script-src", "style-src") if javascript else ("style-src",)
    # Violations are reported asynchronously after parsing: wait (bounded) until every kind arrived.
    for _ in range(60):
        seen = "\n".join(csp_violations)
        if all(directive in seen for directive in expected):
            break
        page.wait_for_timeout(50)
    assert all(directive in seen for directive in expected), seen
    assert any(v.startswith("console:") for v in csp_violations), seen
    if javascript:
        # The event path names the directive exactly; with JavaScript off only the console path exists.
        assert any("script-src-elem refused inline" in v for v in csp_violations), seen
        assert any("style-src-attr refused inline" in v for v in csp_violations), seen
    csp_violations.clear()  # seen and checked: the teardown must not fail this test


ROLES = [
    ("13870700001", "admin"),  # 钟立新, bureau admin
    ("13870700006", "enterprise handler"),  # 黄丽华
    ("13870700003", "bureau leader"),  # 温建国
    ("13970700011", "applicant"),  # 陈思远
]


@pytest.mark.parametrize(("login", "who"), ROLES, ids=[who for _, who in ROLES])
def test_every_navigation_page_loads_without_a_violation(new_page: Any, login: str, who: str) -> None:
    page: Page = new_page(who)
    log_in(page, login)
    links = page.locator("nav[aria-label=主导航] a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs
    for href in [*hrefs, "/password"]:
        assert href
        page.goto(href)
        # Let htmx initialise and fire its load-triggered requests (live counts, first polls).
        page.wait_for_load_state("networkidle")
        expect(page.locator("main h1").first).to_be_visible()
    # The new_page fixture fails this test at teardown if any page above hit the policy.
