"""Packages in Chromium (it changes nothing another journey reads: downloads are audited): a department
reviewer downloads one application's package PDF from its review page and it opens with a bookmark per
section and page numbers; the same reviewer packages two queue rows as a batch, watches the job page's
progress finish on its own (the worker builds it; htmx polls) and downloads the ZIP, whose manifests
verify. Its two applications are its own (e2e.factories.at_the_department), waiting for the department's
初审, so it passes alone as after the journeys that move the demo's applications there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.factories import PEOPLE, at_the_department
from e2e.helpers import log_in, page_ready
from portal.services.packages import verify_zip

DEPT_HANDLER = "13870700004"  # 谢晓燕, 开发区党群工作部
APPLICANTS = (PEOPLE["zz_packages.first"], PEOPLE["zz_packages.second"])
FAMILY = "龚书"  # the part of the name both share, and no one else's


def _department_queue(page: Page, name: str = "") -> None:
    page.get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name="全部").click()
    page_ready(page)
    if name:
        page.get_by_label("姓名或证件号后4位").fill(name)
        page.get_by_role("button", name="筛选").click()
        page_ready(page)


def test_a_reviewer_downloads_a_package_pdf_and_a_batch_zip(
    portal_app: Any, new_page: Any, tmp_path: Path
) -> None:
    for person in APPLICANTS:
        at_the_department(portal_app, person)
    reviewer: Page = new_page("reviewer")
    log_in(reviewer, DEPT_HANDLER)
    _department_queue(reviewer)
    rows = reviewer.locator("#queue tbody tr")
    expect(rows.first).to_be_visible()
    packing = reviewer.locator("#package-filtered-form")
    expect(packing).to_be_visible()
    # A filter nobody matches: nothing to select or package, so neither bar is offered.
    reviewer.get_by_label("姓名或证件号后4位").fill("无此申报人")
    reviewer.get_by_role("button", name="筛选").click()
    expect(reviewer.get_by_text("没有符合筛选条件的申报")).to_be_visible()
    expect(packing).to_be_hidden()
    expect(reviewer.locator("#package-selected")).to_be_hidden()
    _department_queue(reviewer, FAMILY)
    expect(packing).to_be_visible()
    expect(rows).to_have_count(len(APPLICANTS))

    reviewer.get_by_role("link", name=APPLICANTS[0].name, exact=True).click()
    expect(reviewer.locator("#package-links")).to_be_visible()
    with reviewer.expect_download(timeout=90_000) as download:  # a busy 2-core CI box
        reviewer.locator("#package-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = tmp_path / "package.pdf"
    download.value.save_as(pdf)
    reader = PdfReader(pdf)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:3] == ["封面", "申报表", "各级审核意见"] and titles[-1] == "申报材料"
    total = len(reader.pages)
    assert total >= 4
    assert f"第 {total} 页，共 {total} 页" in reader.pages[-1].extract_text()

    _department_queue(reviewer, FAMILY)
    for person in APPLICANTS:
        # The row's own box (选择 + the name): a row awaiting 初审 carries the EXP-03 check's too.
        reviewer.get_by_role("checkbox", name=f"选择 {person.name}").check()
    reviewer.get_by_role("button", name="打包下载所选").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("批量打包申报材料")
    expect(reviewer.locator("#job-count")).to_contain_text("已完成 2 / 2", timeout=120_000)
    with reviewer.expect_download(timeout=90_000) as batch:
        reviewer.locator("#job-download").click()
    archive = tmp_path / "batch.zip"
    batch.value.save_as(archive)
    report = verify_zip(archive)
    assert report.ok, report.problems
