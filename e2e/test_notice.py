"""The public notice (公示) in Chromium: publish it, read it logged out (masked data, the period), file an
objection, resolve it, let the period run out (the clock is moved, never slept on), and find the applicant
passed with the result sheet in their dossier."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Clock
from e2e.helpers import accept_confirmations, draft_notice_for, log_in, publish_latest_notice

HANDLER = "13870700006"
LEADER = "13870700007"
APPLICANT = "13970700016"  # 孙嘉怡, approved by the unit in the demo data


def test_a_notice_runs_its_course_with_an_objection_handled(new_page: Any, clock: Clock, worker: Any) -> None:
    hr: Page = new_page("hr")
    log_in(hr, HANDLER)
    draft_notice_for(hr, "孙嘉怡")
    expect(hr.locator("#notice-clock")).to_contain_text("2026年11月24日至11月30日，共5个工作日")

    leader: Page = new_page("leader")
    log_in(leader, LEADER)
    publish_latest_notice(leader)
    public_url = leader.locator("#public-url").inner_text()

    public: Page = new_page("public")
    public.goto(public_url)
    expect(public.get_by_role("heading", level=1)).to_contain_text("职称申报人员的公示")
    expect(public.locator("table")).to_contain_text("孙嘉怡")
    expect(public.locator("table")).to_contain_text("**********")  # ID numbers masked
    expect(public.locator("#notice-clock")).to_contain_text("尚未开始")
    expect(public.get_by_role("button", name="提交异议")).to_have_count(0)

    clock.now += timedelta(days=1)  # Tuesday: the first day of the notice
    public.reload()
    expect(public.locator("#notice-clock")).to_contain_text("还剩5个工作日")
    public.get_by_label("反映对象").select_option(label="孙嘉怡")
    public.get_by_role("button", name="提交异议").click()
    expect(public.locator("#objection")).to_contain_text("请填写您的姓名")
    public.get_by_label("您的姓名").fill("钱多多")
    public.get_by_label("联系电话或地址").fill("13912340000")
    public.get_by_label("异议内容").fill("申报材料中的项目业绩时间与实际不符。")
    public.get_by_role("button", name="提交异议").click()
    expect(public.get_by_role("status").first).to_contain_text("您的异议已提交")

    log_in(hr, HANDLER)
    accept_confirmations(hr)
    hr.get_by_role("link", name="公示", exact=True).click()
    hr.locator("table a").first.click()
    objection = hr.locator("#objections article").first
    expect(objection).to_contain_text("钱多多")
    objection.get_by_label("异议不成立").check()
    objection.get_by_label("核查情况与处理意见").fill("经核对项目合同和验收报告，业绩时间属实。")
    objection.get_by_role("button", name="记录处理意见").click()
    expect(hr.locator("#objections")).to_contain_text("异议不成立：经核对项目合同和验收报告，业绩时间属实。")

    clock.now += timedelta(days=7)  # past Monday 11-30, the last working day of the notice
    log_in(hr, HANDLER)
    hr.get_by_role("link", name="公示", exact=True).click()
    hr.locator("table a").first.click()
    expect(hr.locator("#notice-clock")).to_contain_text("正在结转")  # pages never close it themselves
    worker.tick()  # the scheduler's next minute
    hr.reload()
    expect(hr.locator(".badge").first).to_have_text("已结束")
    expect(hr.get_by_role("link", name="下载公示结果（PDF）")).to_be_visible()

    public.reload()
    expect(public.locator("#objection")).to_contain_text("公示期已结束")

    applicant: Page = new_page("applicant")
    log_in(applicant, APPLICANT)
    applicant.get_by_role("link", name="查看").first.click()
    expect(applicant.locator(".badge").first).to_have_text("公示无异议，待报送")
    result = applicant.get_by_role("link", name="下载公示结果（PDF）")
    response = applicant.request.get(result.get_attribute("href") or "")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    # A week after the last day the page no longer says who was in it (issue 16.15): only that it ended.
    clock.now += timedelta(days=7)  # 12-08: past 11-30 and the 7 days the page stays public after it
    public.reload()
    expect(public.get_by_role("heading", level=1)).to_have_text("公示已结束")
    expect(public.locator("body")).not_to_contain_text("孙嘉怡")
    expect(public.locator("table")).to_have_count(0)
