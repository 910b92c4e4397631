"""The harness's accessibility check itself: axe-core runs under the app's real CSP, on a load and after an
htmx swap, and reports a serious or critical violation with its rule and element (the teardown of every
journey fails on one). Reads pages only, so it may run in any order."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, Route, expect

from e2e.conftest import AxeViolations, CspViolations
from e2e.helpers import page_ready

# An image without a text alternative (image-alt, critical) and an unlabelled input (label, critical).
UNLABELLED = '<img src="/static/favicon.ico" id="axe-probe-img"><input id="axe-probe-input">'


def _with_unlabelled_content(route: Route) -> None:
    """The real login page, with its real CSP header, plus markup axe must flag."""
    response = route.fetch()
    body = response.text().replace("</main>", UNLABELLED + "</main>")
    route.fulfill(response=response, body=body)


def wait_for(page: Page, found: AxeViolations, *rules: str) -> str:
    """Wait (bounded) until axe reported every rule; returns what it reported."""
    for _ in range(200):
        seen = "\n".join(found.values())
        if all(rule in seen for rule in rules):
            return seen
        page.wait_for_timeout(50)
    raise AssertionError(f"axe did not report {rules}: {seen!r}")


def test_axe_reports_a_violation_under_the_apps_csp(
    new_page: Any, axe_violations: AxeViolations, csp_violations: CspViolations
) -> None:
    page: Page = new_page("axe")
    page.route("**/login", _with_unlabelled_content)
    page.goto("/login")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    seen = wait_for(page, axe_violations, "image-alt", "label")
    assert "/login: image-alt (critical) at #axe-probe-img — Images must have alternative text" in seen
    assert "#axe-probe-input" in seen
    # A swap is checked too: htmx inserts the same kind of mistake into the page.
    axe_violations.clear()
    page_ready(page)
    page.evaluate(
        """() => htmx.swap("#main", '<button id="axe-probe-button"></button>', { swapStyle: "beforeend" })"""
    )
    seen = wait_for(page, axe_violations, "button-name")
    assert "#axe-probe-button" in seen
    assert not [v for v in csp_violations if "axe" in v.lower()], csp_violations  # axe itself stays in policy
    # Seen and checked: take the probes out (the teardown checks the page once more) and forget them.
    page.evaluate("() => document.querySelectorAll('[id^=axe-probe]').forEach((el) => el.remove())")
    axe_violations.clear()
