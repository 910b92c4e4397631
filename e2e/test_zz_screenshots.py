"""The README tour: each demo role's main page, rendered in chromium; `make screenshots` saves them.

In the normal e2e run this file runs last (the zz name) and only checks that every role's main page
renders and shows what that role works on; it reads and changes nothing the journeys depend on (logging in
adds a session and an audit row, nothing else). With PORTAL_SCREENSHOTS=1 (what `make screenshots` sets,
together with `-m screenshots`, on a freshly seeded database) it also saves a 1280 px wide viewport PNG of
each page into docs/screenshots/, optimised with Pillow, for the README's "Tour" section.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.helpers import laid_out, log_in, page_ready

SHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
SAVE = os.environ.get("PORTAL_SCREENSHOTS") == "1"
VIEWPORT = {"width": 1280, "height": 800}

pytestmark = pytest.mark.screenshots


# (file name, demo login, what the main page must show: its h1, then the path it should be on)
TOUR: list[tuple[str, str, str, str]] = [
    ("applicant", "13970700013", "我的申报", "/me/applications"),
    ("enterprise-handler", "13870700006", "申报人账号", "/enterprise/applicants"),
    ("enterprise-leader", "13870700007", "审核队列", "/review/queue"),
    ("department-handler", "13870700004", "审核队列", "/review/queue"),
    ("department-leader", "13870700005", "审核队列", "/review/queue"),
    ("bureau-handler", "13870700002", "审核队列", "/review/queue"),
    ("bureau-leader", "13870700003", "审核队列", "/review/queue"),
    ("admin", "13870700001", "单位管理", "/admin/orgs"),
]


def _save(page: Page, name: str) -> None:
    """A viewport PNG, palette-reduced when that keeps it legible and makes it much smaller."""
    if not SAVE:
        return
    laid_out(page, page.locator("main"))  # the page as it is seen: styled, in its fonts
    SHOTS.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    # 256 colours are plenty for flat UI colours and anti-aliased CJK text, at a third of the size.
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(SHOTS / f"{name}.png", optimize=True)


@pytest.mark.parametrize(("name", "login", "heading", "path"), TOUR, ids=[t[0] for t in TOUR])
def test_each_roles_main_page(new_page: Any, name: str, login: str, heading: str, path: str) -> None:
    page: Page = new_page(name, viewport=VIEWPORT)
    log_in(page, login)
    page.goto("/")
    expect(page).to_have_url(re.compile(re.escape(path)))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    page.wait_for_load_state("networkidle")
    _save(page, name)


def test_the_applicants_progress_and_the_bureau_statistics(new_page: Any) -> None:
    applicant: Page = new_page("applicant", viewport=VIEWPORT)
    log_in(applicant, "13970700013")  # 王子涵: past the notice, with the department
    applicant.get_by_role("link", name=re.compile("^查看")).first.click()
    expect(applicant.locator(".steps")).to_be_visible()
    expect(applicant.locator(".step[aria-current=step]")).to_have_count(1)
    expect(applicant.locator(".route-now")).to_contain_text("现在由")
    _save(applicant, "applicant-progress")

    leader: Page = new_page("bureau", viewport=VIEWPORT)
    log_in(leader, "13870700003")
    leader.get_by_role("link", name="统计").click()
    expect(leader.locator("svg.bars").first).to_be_visible()
    _save(leader, "bureau-statistics")


def test_the_styleguide_renders_every_component_under_the_csp(new_page: Any) -> None:
    admin: Page = new_page("admin", viewport=VIEWPORT)
    log_in(admin, "13870700001")
    admin.get_by_role("link", name="样式指南").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("样式指南")
    expect(admin.locator(".status-certified").first).to_have_text("已认定发证")
    _save(admin, "styleguide")
    page_ready(admin)
    admin.get_by_role("button", name="加载示例内容").click()
    expect(admin.locator("#loading-demo")).to_contain_text("已加载")
    questions: list[str] = []

    def answer_yes(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    admin.once("dialog", answer_yes)  # the destructive-action demo asks first, then posts
    admin.get_by_role("button", name="撤回申报（示例）").click()
    expect(admin.locator("#flash .flash-success")).to_contain_text("样式指南不做任何修改")
    assert questions == ["撤回后本次申报即终止，确定撤回吗？"]
