"""Applicant accounts in Chromium, as 黄丽华 (城投集团人事经办人): live checks while typing, a bulk file
with good and bad rows imported only on confirmation, a roster upload that turns badges from
未找到 to 已关联 and 单位不一致, and a name typed wrong at opening (姓名不一致) corrected on the
applicant's page."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from flask import Flask
from playwright.sync_api import Page, expect

from e2e.factories import NOBODY, PEOPLE
from e2e.helpers import accept_confirmations, htmx_settled, log_in
from portal.demo import STATE_ENTERPRISE

ENTERPRISE_HANDLER = "13870700006"
ID_CHECK, LIVE_CHECK = PEOPLE["accounts.id_check"], PEOPLE["accounts.live_check"]
CORRECTION = PEOPLE["accounts.correction"]
IMPORTED = {n: PEOPLE[f"accounts.import.{n}"] for n in (1, 2, 4, 5)}  # 钱三's phone is malformed: no account


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    path.write_bytes(buffer.getvalue())
    return path


def test_hr_sees_the_id_normalised_with_the_birth_date_and_a_wrong_check_character_beside_it(
    new_page: Any,
) -> None:
    hr: Page = new_page("hr")
    log_in(hr, ENTERPRISE_HANDLER)
    hr.get_by_label("姓名").fill(ID_CHECK.name)
    number = ID_CHECK.typed_number
    assert number.endswith("X")  # typed with a lowercase x
    hr.get_by_label("身份证号码").press_sequentially(number[:-1] + "x", delay=10)
    check = hr.locator("#check-id-number")
    expect(check).to_contain_text(f"将保存为 {number}")
    expect(check).to_contain_text("1988年4月12日")
    expect(hr.get_by_label("身份证号码")).to_be_focused()  # the live check never steals the focus

    wrong = number[:-1] + "0"
    hr.get_by_label("身份证号码").fill(wrong)
    expect(check).to_contain_text("校验位不正确（应为X")
    hr.get_by_label("手机号").fill(ID_CHECK.phone)
    hr.get_by_label("用工类型").select_option("civil_servant")
    expect(hr.locator("#check-employment-type")).to_contain_text("公务员不能申报职称")
    hr.get_by_label("用工类型").select_option("labour_contract")
    hr.get_by_role("button", name="开设账号").click()
    expect(hr.locator("#e-id-number")).to_contain_text("校验位不正确")
    expect(hr.get_by_label("姓名")).to_have_value(ID_CHECK.name)  # nothing typed is lost
    expect(hr.get_by_label("手机号")).to_have_value(ID_CHECK.phone)
    # The refusal's own answer has landed (the live check shows the same words sooner): typing before it
    # is swapped in would be overwritten by the form as it was posted.
    htmx_settled(hr)

    hr.get_by_label("身份证号码").fill(number[:-1] + "x")
    hr.get_by_role("button", name="开设账号").click()
    expect(hr.locator("#account-slip")).to_contain_text("账号已开设")
    expect(hr.locator("#applicant-list")).to_contain_text(ID_CHECK.name)

    # Passports need a nationality and a permit: the fields appear when 护照 is chosen.
    expect(hr.get_by_label("国籍")).to_be_hidden()
    hr.get_by_label("证件类型").select_option("passport")
    expect(hr.get_by_label("国籍")).to_be_visible()
    expect(hr.get_by_label("许可证件号码")).to_be_visible()


def test_submitting_while_a_live_check_is_on_its_way_logs_no_error(
    new_page: Any, portal_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server takes its time over each live check, so the submit surely comes while one is on its way:
    # the submit waits for it (hx-sync queue) instead of aborting it, which htmx logs as console errors
    # (htmx:sendAbort, htmx:afterRequest) that the harness fails the test on.
    checked = portal_app.view_functions["enterprise.validate_applicant"]

    def slow_check() -> Any:
        time.sleep(1.5)
        return checked()

    monkeypatch.setitem(portal_app.view_functions, "enterprise.validate_applicant", slow_check)
    hr: Page = new_page("hr")
    log_in(hr, ENTERPRISE_HANDLER)
    hr.get_by_label("姓名").fill(LIVE_CHECK.name)
    hr.get_by_label("身份证号码").fill(LIVE_CHECK.typed_number)
    hr.get_by_label("用工类型").select_option("labour_contract")
    with hr.expect_request(lambda request: "field=phone" in request.url):
        hr.get_by_label("手机号").fill(LIVE_CHECK.phone)  # typed, and at once
    hr.get_by_role("button", name="开设账号").click()  # sent while the phone's check is still on its way
    expect(hr.locator("#account-slip")).to_contain_text("账号已开设")
    expect(hr.locator("#applicant-list")).to_contain_text(LIVE_CHECK.name)


def test_a_bulk_file_reports_every_bad_row_and_imports_only_on_confirmation(
    new_page: Any, tmp_path: Path
) -> None:
    good = [IMPORTED[n].typed_number for n in (1, 2, 5)]
    path = _xlsx(
        tmp_path / "职工名单.xlsx",
        [
            ["姓名", "证件类型", "证件号码", "手机号码", "用工类型"],
            [IMPORTED[1].name, "居民身份证", good[0], IMPORTED[1].phone, "劳动合同"],
            [
                IMPORTED[2].name,
                "居民身份证",
                good[1][:-1] + ("0" if good[1][-1] != "0" else "1"),
                IMPORTED[2].phone,
                "劳动合同",
            ],
            ["钱三", "居民身份证", good[1], "1397070881", "劳动合同"],
            [
                IMPORTED[4].name,
                "居民身份证",
                IMPORTED[4].typed_number,
                IMPORTED[4].phone,
                "退休返聘",
            ],
            [IMPORTED[5].name, "居民身份证", good[2], IMPORTED[5].phone, "聘用合同"],
        ],
    )
    hr: Page = new_page("hr")
    log_in(hr, ENTERPRISE_HANDLER)
    hr.get_by_role("link", name="批量导入").click()
    expect(hr.get_by_role("link", name="下载 Excel 模板")).to_be_visible()
    hr.get_by_label(re.compile("^填好的文件")).set_input_files(str(path))
    hr.get_by_role("button", name="上传并检查").click()
    expect(hr.locator("#import-summary")).to_contain_text("2 行无误")
    problems = hr.locator("#import-problems tbody tr")
    expect(problems).to_have_count(3)
    for line, column, text in (
        ("第3行", "证件号码", "校验位不正确"),
        ("第4行", "手机号码", "应为11位"),
        ("第5行", "用工类型", "不能申报职称"),
    ):
        expect(problems.filter(has_text=line)).to_contain_text(column)
        expect(problems.filter(has_text=line)).to_contain_text(text)

    hr.get_by_role("link", name="申报人账号").first.click()
    expect(hr.locator("#applicant-list")).not_to_contain_text(IMPORTED[1].name)  # nothing before confirmation

    hr.go_back()
    accept_confirmations(hr)
    hr.get_by_role("button", name=re.compile("^导入 2 行")).click()
    expect(hr.locator("#job-message")).to_contain_text("已开设 2 个申报人账号", timeout=60_000)
    expect(hr.locator("#password-slips .slip")).to_have_count(2)
    with hr.expect_download() as download:
        hr.get_by_role("link", name="下载初始密码表（Excel）").click()
    assert download.value.suggested_filename == "初始密码.xlsx"
    hr.get_by_role("link", name="申报人账号").first.click()
    expect(hr.locator("#applicant-list")).to_contain_text(IMPORTED[1].name)
    expect(hr.locator("#applicant-list")).to_contain_text(IMPORTED[5].name)
    expect(hr.locator("#applicant-list")).not_to_contain_text("钱三")


def test_a_roster_upload_turns_badges_from_not_found_to_linked_and_unit_mismatch(
    new_page: Any, tmp_path: Path
) -> None:
    hr: Page = new_page("hr")
    log_in(hr, ENTERPRISE_HANDLER)
    numbers: dict[str, str] = {}
    for name in ("陈思远", "李静怡"):
        hr.locator("#applicant-list").get_by_role("link", name=name, exact=True).click()
        expect(hr.locator("#masked-id-number")).to_contain_text("*")  # masked until asked for
        hr.get_by_role("button", name="查看完整证件号码和手机号").click()  # a recorded view: a POST
        numbers[name] = hr.locator("#full-id-number").inner_text().strip()
        hr.get_by_role("link", name="← 申报人账号").click()

    header = ["姓名", "公民身份号码", "参保单位名称", "缴费月数"]
    hr.get_by_role("link", name="社保参保名单").click()
    first = _xlsx(
        tmp_path / "参保1.xlsx",
        [header, ["某人", NOBODY["accounts.roster"], STATE_ENTERPRISE, "100"]],
    )
    hr.get_by_label(re.compile("^参保人员名单")).set_input_files(str(first))
    hr.get_by_role("button", name="上传名单").click()
    row = hr.locator("#applicant-list tr", has_text="陈思远")
    expect(row.locator(".badge")).to_have_text("未找到")
    # Its reason folds under a 原因 that reads as a link (it looked like plain text: no colour, no arrow).
    why = row.locator(".roster-why summary")
    expect(why).to_have_css("cursor", "pointer")
    expect(why).to_have_css("color", "rgb(11, 79, 138)")
    why.click()
    expect(row.locator(".roster-why .hint").first).to_be_visible()

    hr.get_by_role("link", name="社保参保名单").click()
    second = _xlsx(
        tmp_path / "参保2.xlsx",
        [
            header,
            ["陈思远", numbers["陈思远"], STATE_ENTERPRISE.replace("有限公司", " 有限公司"), "48"],
            ["李静怡", numbers["李静怡"], "赣州开发区城投置业有限公司", "36"],
        ],
    )
    hr.get_by_label(re.compile("^参保人员名单")).set_input_files(str(second))
    hr.get_by_role("button", name="上传名单").click()
    expect(hr.locator("#applicant-list tr", has_text="陈思远").locator(".badge")).to_have_text("已关联")
    expect(hr.locator("#applicant-list tr", has_text="李静怡").locator(".badge")).to_have_text("单位不一致")
    hr.get_by_role("link", name="社保参保名单").click()
    expect(hr.locator("#roster-history tbody tr")).to_have_count(2)


def test_a_name_typed_wrong_at_opening_is_corrected_and_the_roster_links_it(
    new_page: Any, tmp_path: Path
) -> None:
    hr: Page = new_page("hr")
    log_in(hr, ENTERPRISE_HANDLER)
    typo = CORRECTION.name.replace("博", "搏")
    hr.get_by_label("姓名").fill(typo)
    hr.get_by_label("身份证号码").fill(CORRECTION.typed_number)
    hr.get_by_label("手机号").fill(CORRECTION.phone)
    hr.get_by_label("用工类型").select_option("labour_contract")
    hr.get_by_role("button", name="开设账号").click()
    expect(hr.locator("#account-slip")).to_contain_text("账号已开设")

    hr.get_by_role("link", name="社保参保名单").click()
    roster = _xlsx(
        tmp_path / "参保.xlsx",
        [
            ["姓名", "公民身份号码", "参保单位名称", "缴费月数"],
            [CORRECTION.name, CORRECTION.typed_number, STATE_ENTERPRISE, "48"],
        ],
    )
    hr.get_by_label(re.compile("^参保人员名单")).set_input_files(str(roster))
    hr.get_by_role("button", name="上传名单").click()
    row = hr.locator("#applicant-list tr", has_text=typo)
    expect(row.locator(".badge")).to_have_text("姓名不一致")
    row.get_by_role("link", name=typo).click()

    card = hr.locator("#account")
    expect(card.get_by_label("姓名")).to_have_value(typo)
    card.get_by_label("姓名").fill(CORRECTION.name)
    # Typed and not saved: resetting the password (which reloads the page) asks first; declined, nothing
    # happens and what was typed stays.
    asked: list[str] = []

    def decline(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    hr.once("dialog", decline)
    hr.get_by_role("button", name="重置密码").click()
    expect(card.get_by_label("姓名")).to_have_value(CORRECTION.name)
    assert asked and "尚未保存的修改" in asked[0]

    card.get_by_role("button", name="保存修改").click()
    expect(hr.locator(".flash-success")).to_contain_text(f"姓名由“{typo}”改为“{CORRECTION.name}”")
    expect(hr.locator("#roster-match .badge")).to_have_text("已关联")
    expect(hr.get_by_role("heading", level=1)).to_have_text(CORRECTION.name)
