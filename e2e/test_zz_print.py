"""Printing from the browser on A4: the 申报表, the notice sheet and the certificate list print without the
navigation, buttons or filter forms, sections start on new pages and long tables repeat their header row.

Only reads demo data, so it may run in any order."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.helpers import laid_out, log_in

APPLICANT = "13970700014"  # 张雨桐: certified in the demo data
PVT_HANDLER = "13870700008"  # 邱敏, who drafted 张雨桐's notice
BUREAU_LEADER = "13870700003"  # 温建国


def printed(page: Page) -> PdfReader:
    """The page as the browser prints it on A4, checked for the chrome that must not be printed; printed
    once its stylesheet and fonts apply (laid_out), or the paper would hold the page unstyled."""
    page.emulate_media(media="print")
    laid_out(page, page.locator("main"))
    expect(page.get_by_role("navigation", name="主导航")).to_be_hidden()
    expect(page.get_by_role("button", name="退出")).to_be_hidden()
    for table_head in page.locator("main table thead").all():
        expect(table_head).to_have_css("display", "table-header-group")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    box = pdf.pages[0].mediabox
    # A4 is 595 × 842 points (Chromium rounds it to 8.27 × 11.7 inches: 595.4 × 842.4).
    assert abs(float(box.width) - 595) < 2 and abs(float(box.height) - 842) < 2, (box.width, box.height)
    return pdf


def text_of(pdf: PdfReader) -> str:
    # The PDF's font maps some characters to Kangxi radicals (⼯ for 工): NFKC folds them back.
    return unicodedata.normalize("NFKC", "".join(page.extract_text() or "" for page in pdf.pages))


def test_the_application_form_prints_section_by_section(new_page: Any) -> None:
    page: Page = new_page("applicant")
    log_in(page, APPLICANT)
    page.get_by_role("link", name="查看").click()
    expect(page.locator(".badge").first).to_have_text("已认定发证")
    pdf = printed(page)
    # The form, its handling and the materials each start a page: three at least, and no runaway.
    assert 3 <= len(pdf.pages) <= 8, len(pdf.pages)
    text = text_of(pdf)
    assert "江西理工大学" in text
    assert "修改密码" not in text  # the navigation bar stayed off the paper


def test_the_notice_sheet_prints_without_the_page_chrome(new_page: Any) -> None:
    page: Page = new_page("handler")
    log_in(page, PVT_HANDLER)
    page.get_by_role("link", name="公示", exact=True).click()
    page.locator("main table a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("公示")
    pdf = printed(page)
    assert 1 <= len(pdf.pages) <= 4, len(pdf.pages)
    text = text_of(pdf)
    assert "张雨桐" in text
    assert "下载公示表" not in text


def test_the_certificate_list_prints_as_a_table(new_page: Any) -> None:
    page: Page = new_page("bureau")
    log_in(page, BUREAU_LEADER)
    page.get_by_role("link", name="证书").click()
    expect(page.locator("main table")).to_contain_text("张雨桐")
    pdf = printed(page)
    assert 1 <= len(pdf.pages) <= 4, len(pdf.pages)
    text = text_of(pdf)
    assert "张雨桐" in text
    assert "筛选" not in text and "导出证书信息" not in text
