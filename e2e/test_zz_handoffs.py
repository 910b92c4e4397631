"""Hand-offs in Chromium (issue 23), run late (exports only read and audit): for each target the holding
unit's handler exports the demo's ready application through 报送省级系统, watches the job finish, downloads
the ZIP and every file sent is a JPG or PDF within 2,097,152 bytes that opens, with manifest hashes that
match; Kunming's folder has its 综合情况（公示）表, Jiangsu's its 申报表 PDF and copy page; the copy helper
page works with the keyboard alone (axe and the CSP watch every page)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.helpers import log_in, page_ready

CAP = 2_097_152
HANDLERS = {
    "jx": "13870700002",  # 刘雅琴, the Ganzhou bureau (张雨桐, certified: the 12 MP photo, the 30-page scan)
    "js": "13970800006",  # 眭丽, 镇江新区港城建设工程有限公司
    "km": "13970900006",  # 王永贵, 昆明东川铜都矿业技术服务有限公司
}


def _export(page: Page, target: str, tmp_path: Path) -> dict[str, bytes]:
    page.get_by_role("link", name="报送省级系统").click()
    page.locator(f"#export-{target}").click()
    expect(page.locator("#job-state")).to_have_text("已完成", timeout=240_000)
    with page.expect_download(timeout=90_000) as download:
        page.locator("#job-download").click()
    archive = tmp_path / f"{target}.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _check(files: dict[str, bytes]) -> dict[str, Any]:
    manifest = json.loads(files["manifest.json"])
    assert manifest["files"]
    for entry in manifest["files"]:
        data = files[entry["file"]]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
        if entry["application_id"] is None or entry["file"].endswith(".html"):
            continue
        assert entry["file"].endswith((".jpg", ".pdf")) and len(data) <= CAP, entry["file"]
        if entry["file"].endswith(".jpg"):
            Image.open(io.BytesIO(data)).verify()
        else:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                assert len(pdf.pages) == entry["pages"]
    return manifest


@pytest.mark.parametrize("target", ["jx", "km", "js"])
def test_the_holding_handler_downloads_each_targets_hand_off(
    new_page: Any, tmp_path: Path, target: str
) -> None:
    page: Page = new_page(target)
    log_in(page, HANDLERS[target])
    manifest = _check(_export(page, target, tmp_path))
    names = [f["file"] for f in manifest["files"]]
    if target == "jx":
        contract = [f for f in manifest["files"] if f["slot"] == "劳动合同" and f["applicant"] == "张雨桐"]
        assert sum(f["pages"] for f in contract) == 30 and len(contract) > 1  # split into parts
        assert any(n.endswith("01-身份证.jpg") for n in names)
    elif target == "km":
        assert any(n.endswith("综合情况（公示）表.pdf") for n in names)
    else:
        assert any(n.endswith("专业技术资格评审申报表.pdf") for n in names)
        assert any(n.endswith("填报助手.html") for n in names)


def test_the_copy_helper_works_with_the_keyboard_alone(new_page: Any) -> None:
    page: Page = new_page("copy")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, HANDLERS["js"])
    page.get_by_role("link", name="报送省级系统").click()
    page.get_by_role("link", name="填报助手").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("填报助手")
    page_ready(page)  # the copy listener is app.js's: a key pressed before it runs copies nothing
    first = page.locator("button[data-copy]").first
    first.focus()
    page.keyboard.press("Enter")
    row = page.locator("tr").filter(has=page.locator("button[data-copy]")).first
    expect(row.locator(".copy-tick")).to_be_visible()
    expect(page.locator("#copy-status")).to_contain_text("已复制")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == row.locator(".copy-value").inner_text()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator(".copy-tick:visible")).to_have_count(2)
