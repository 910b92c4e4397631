"""Issue #5 in Chromium: the start form refuses an exam title (以考代评) and a non-state enterprise's
engineering recognition, with the clause; the eligibility check follows the form live while it is filled;
outside the window the applicant is refused with the next window, which the bureau admin entered on
screen."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Clock
from e2e.helpers import htmx_settled, log_in

SOE_HANDLER = "13870700006"  # 黄丽华, state-owned 城投集团
PRIVATE_HANDLER = "13870700008"  # 邱敏, 虔芯新材料 (non-state)
ADMIN = "13870700001"  # 钟立新
CHEN = "13970700011"  # 陈思远: a draft 工程 中级 认定 at the state-owned enterprise
IN_FOURTH_WINDOW = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)  # Monday; Ganzhou's 10-20..11-20 window
AFTER_DEMO_WINDOW = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)  # Monday; the demo window closed on 12-23


def start_refused(hr: Page, applicant_name: str, series: str, specialty: str, level: str) -> None:
    """发起申报 for ``applicant_name`` as 认定 (the bureau's profile suggests it), refused: the form comes
    back with what was typed."""
    hr.locator("tr", has_text=applicant_name).get_by_role("link", name="发起申报").click()
    typed = {"职称系列": series, "专业": specialty}
    for label, value in typed.items():
        hr.get_by_label(label).fill(value)
    hr.get_by_label("申报级别").select_option(level)
    expect(hr.get_by_label("申报途径")).to_have_value("认定")
    hr.get_by_role("button", name="创建申报").click()
    for label, value in {**typed, "申报级别": level}.items():
        expect(hr.get_by_label(label)).to_have_value(value)


def open_application(page: Page, series: str) -> None:
    # Newest first: the row just created (a rerun of a journey leaves the earlier attempt's row below it).
    page.locator("tr", has_text=series).get_by_role("link", name=re.compile("^查看")).first.click()


def test_an_exam_title_is_stopped_before_submitting(new_page: Any, clock: Clock) -> None:
    clock.now = IN_FOURTH_WINDOW
    hr: Page = new_page("hr")
    log_in(hr, SOE_HANDLER)
    expect(hr.locator("#windows")).to_contain_text("距截止还有4天")
    # Refused at the start form (walk 3, item 3: it was started, then blocked at every submission), with
    # the clause, and what was typed is still there.
    start_refused(hr, "陈思远", "会计", "会计", "中级")
    refusal = hr.locator("#e-level")
    expect(refusal).to_contain_text("会计属以考代评专业，中级职称通过全国统一考试取得，不进行认定")
    expect(refusal).to_contain_text("（001 三(六)）")

    # The pre-check follows what is typed in a row, before anything is saved (a graduation after the
    # cutoff, CUT-02, can no longer be typed: a date after today is refused at its field).
    applicant: Page = new_page("applicant")
    log_in(applicant, CHEN)
    open_application(applicant, "工程")
    checks = applicant.locator("#eligibility")
    applicant.locator("#section-education").get_by_role("button", name="添加学历").click()
    expect(applicant.locator("#f-education-0-level")).to_be_visible()
    htmx_settled(applicant)
    applicant.locator("#f-education-0-level").select_option("本科")
    expect(checks).to_contain_text("最高学历为本科")


def test_a_non_state_enterprise_engineer_is_stopped_with_the_clause(new_page: Any, clock: Clock) -> None:
    clock.now = IN_FOURTH_WINDOW
    hr: Page = new_page("hr")
    log_in(hr, PRIVATE_HANDLER)
    hr.get_by_role("link", name="申报人账号").click()
    # Refused at the start form (it was started, then blocked at every submission by SCOPE-07), at 申报途径
    # with the clause and the road the rule leaves open; what was typed is still there.
    start_refused(hr, "赵明轩", "工程", "电气工程", "中级")
    refusal = hr.locator("#e-pathway")
    expect(refusal).to_contain_text("非国有企业工程专业技术资格不组织考核认定")
    expect(refusal).to_contain_text("可通过职称评审途径申报（001 三(六)）")


def test_outside_the_window_the_next_one_is_shown(new_page: Any, clock: Clock) -> None:
    # Ganzhou's last 2026 window closed on 11-20; the demo's own window (opened the day the data was
    # loaded, 11-23, for 30 days) has closed by 12-28. The admin enters 2027's first batch.
    clock.now = AFTER_DEMO_WINDOW
    admin: Page = new_page("admin")
    log_in(admin, ADMIN)
    admin.get_by_role("link", name="受理批次").click()
    expect(admin.locator("#policy-windows")).to_contain_text("2026年第四批")
    form = admin.locator("#window-form")
    form.get_by_label("批次编号").fill("2027-1")
    form.get_by_label("批次名称").fill("2027年第一批")
    for level in ("员级", "助理级", "中级"):
        form.get_by_label(level).check()
    form.get_by_label("受理开始日期").fill("2027-01-20")
    form.get_by_label("受理截止日期").fill("2027-02-20")
    form.get_by_label("终算时间").fill("2027-03-31")
    form.get_by_label("依据").fill("赣市人社字〔2027〕1号 附件")
    form.get_by_role("button", name="保存批次").click()
    expect(admin.locator("#policy-windows")).to_contain_text("2027年第一批")
    expect(admin.locator("#flash")).to_contain_text("已保存受理批次")

    applicant: Page = new_page("applicant")
    log_in(applicant, CHEN)
    expect(applicant.locator("#windows")).to_contain_text("2027年第一批")
    expect(applicant.locator("#windows")).to_contain_text("23天后开始受理")
    open_application(applicant, "土木工程")
    expect(applicant.locator("#window-message")).to_have_text(
        "当前不在受理期内，下一受理期：2027年1月20日至2月20日（2027年第一批）"
    )
    submit = applicant.locator("#submit-form")
    expect(submit.get_by_role("button", name="提交申报")).to_be_disabled()

    # Submitting anyway (a stale page, a forged form) is refused by the server with the same message.
    response = applicant.request.post(
        applicant.url.removesuffix("/") + "/act",
        form={
            "action": "submit",
            "csrf_token": submit.locator("input[name=csrf_token]").get_attribute("value") or "",
            "acknowledgement": "已知悉",
        },
    )
    assert response.status == 422
    assert "当前不在受理期内，下一受理期：2027年1月20日至2月20日" in response.text()
