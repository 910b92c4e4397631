"""The whole road in Chromium: HR opens an account and starts an application, the applicant fills and
submits it, the enterprise, the development-zone department and the bureau review and sign it, the bureau
leader certifies, and the applicant reads the certificate number and every step in the timeline."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.sync_api import APIResponse, Locator, Page, expect

from e2e.conftest import Clock
from e2e.factories import PEOPLE
from e2e.helpers import (
    accept_confirmations,
    act_in_queue,
    add_row,
    draft_notice_for,
    log_in,
    log_out,
    phone_photo,
    publish_latest_notice,
    queue_row,
    sign_pledge,
    upload_material,
)

APPLICANT = PEOPLE["journey"]
NAME = APPLICANT.name
ENTERPRISE_HANDLER = "13870700006"  # 黄丽华, 城投集团
ENTERPRISE_LEADER = "13870700007"  # 曾宪明
DEPT_HANDLER = "13870700004"
DEPT_LEADER = "13870700005"
BUREAU_HANDLER = "13870700002"
BUREAU_LEADER = "13870700003"
EDUCATION = {
    "level": "本科",
    "mode": "全日制",
    "school": "华东交通大学",
    "major": "土木工程",
    "major_match": "相同或相近",
    "degree": "无",
    "graduated_on": "2016-06-30",
}
WORK = {
    "employer": "赣州开发区城市建设投资集团有限公司",
    "post": "施工技术员",
    "professional": "是",
    "started_on": "2016-07-15",
}


def test_one_application_travels_from_account_to_certificate(
    new_page: Any, clock: Clock, worker: Any
) -> None:
    hr: Page = new_page("hr")
    log_in(hr, ENTERPRISE_HANDLER)
    expect(hr.get_by_role("heading", name="申报人账号")).to_be_visible()

    id_number = APPLICANT.typed_number
    assert id_number.endswith("X")
    hr.get_by_label("姓名").fill(NAME)
    hr.get_by_label("身份证号码").fill(id_number[:-1] + "x")  # typed with a lowercase x
    hr.get_by_label("手机号").fill(APPLICANT.phone)
    hr.get_by_label("用工类型").select_option("labour_contract")
    hr.get_by_role("button", name="开设账号").click()
    slip = hr.locator("#account-slip")
    expect(slip).to_contain_text("账号已开设")
    password = slip.locator(".password").inner_text().strip()
    expect(hr.locator("#applicant-list")).to_contain_text(NAME)
    expect(hr.locator("#applicant-list")).to_contain_text(id_number[:4])  # listed masked

    hr.locator("tr", has_text=NAME).get_by_role("link", name="发起申报").click()
    hr.get_by_label("职称系列").fill("工程")
    hr.get_by_label("专业").fill("市政工程")
    hr.get_by_label("申报级别").select_option("中级")
    # 认定: the bureau certifies it itself (a 评审 application goes to a committee instead, issue 22.1);
    # Ganzhou's fourth 2026 window closed on 11-20, the demo's 演示受理期 is open on the journey's day.
    hr.get_by_label("申报途径").select_option("认定")
    hr.get_by_role("button", name="创建申报").click()
    expect(hr.locator(".flash-success")).to_have_text("申报已创建，申报人登录后即可填写申报表并提交")
    expect(hr.get_by_role("heading", level=1)).to_contain_text("市政工程")  # on the new draft's page

    applicant: Page = new_page("applicant")
    log_in(applicant, APPLICANT.phone, password)
    expect(applicant.get_by_role("heading", name="修改密码")).to_be_visible()
    # A password the 等保 profile refuses: every broken rule is listed under the field at once.
    applicant.get_by_label("当前密码").fill(password)
    applicant.get_by_label(re.compile("^新密码")).fill("zhou2026")
    applicant.get_by_label("再次输入新密码").fill("zhou2026")
    applicant.get_by_role("button", name="保存新密码").click()
    expect(applicant.locator("#e-new")).to_contain_text("长度至少12位（现为8位）")
    expect(applicant.locator("#e-new")).to_contain_text("至少3类（现只有小写字母、数字）")
    applicant.get_by_label("当前密码").fill(password)
    applicant.get_by_label(re.compile("^新密码")).fill("Zhou@2026wb!")
    applicant.get_by_label("再次输入新密码").fill("Zhou@2026wb!")
    applicant.get_by_role("button", name="保存新密码").click()
    expect(applicant.get_by_role("heading", name="我的申报")).to_be_visible()
    applicant.get_by_role("link", name="查看并填写").click()
    add_row(applicant, "education", "添加学历", EDUCATION)
    add_row(applicant, "work", "添加工作经历", WORK)
    applicant.get_by_label("尚无职称或职业资格（首次申报）").check()  # a first application
    applicant.get_by_label("工作总结").fill("负责开发区道路和管网工程的施工技术管理，主持完成三项市政工程。")
    applicant.get_by_role("button", name="保存草稿").click()
    expect(applicant.get_by_role("status").first).to_contain_text("申报表已保存")
    applicant.reload()  # the checklist now knows the graduation year: the 学信网 record is needed
    upload_material(applicant, "身份证件", [phone_photo(), phone_photo("#e8e2d5")])
    upload_material(applicant, "学历证书（华东交通大学 本科）", [phone_photo()])
    upload_material(
        applicant,
        "学信网学历证书电子注册备案表（华东交通大学 本科）",
        [phone_photo()],
        printed_on="2026-11-02",
    )
    upload_material(applicant, "劳动（聘用）合同", [phone_photo()])
    sign_pledge(applicant)
    applicant.get_by_role("button", name="提交申报").click()
    expect(applicant.locator(".badge").first).to_have_text("已提交，待经办人初审")

    act_in_queue(hr, "待初审", NAME, "经办人初审通过")
    # The unit's opinion (基层单位意见, 004 二(九)) is recorded before its leader can sign (EXP-04).
    queue_row(hr, NAME).get_by_role("link", name=NAME, exact=True).click()
    opinion = hr.locator("#opinion-form")
    opinion.get_by_label("对申报人专业技术工作的评价").fill(
        "工作认真负责，主持完成三项市政工程的施工技术管理。"
    )
    opinion.get_by_label("推荐方式").select_option(label="民主推荐（投票）")
    opinion.get_by_label("参加推荐的人员").fill("单位领导班子成员、部门负责人、职工代表")
    opinion.get_by_label("参加人数").fill("9")
    opinion.get_by_label("同意票数").fill("9")
    opinion.locator("#f-recommendation").select_option(label="同意推荐")
    opinion.get_by_label("推荐意见的形成过程").fill("经职称推荐小组会议评议，实名投票，一致同意推荐")
    opinion.get_by_label("近年年度考核结果").fill("2023—2025年度考核均为合格")
    opinion.get_by_label("年度考核是否合格").select_option(label="合格")
    opinion.get_by_role("button", name="保存基层单位意见").click()
    expect(hr.get_by_role("status").first).to_contain_text("基层单位意见已保存")
    leader: Page = new_page("enterprise-leader")
    log_in(leader, ENTERPRISE_LEADER)
    act_in_queue(leader, "待签批", NAME, "领导签批通过")
    draft_notice_for(hr, NAME)
    expect(hr.locator("#notice-clock")).to_contain_text("2026年11月24日至11月30日，共5个工作日")
    publish_latest_notice(leader)
    clock.now += timedelta(days=8)  # the notice ran its five working days without objection
    worker.tick()  # and the scheduled job passed it
    log_in(leader, ENTERPRISE_LEADER)  # the jump in time ended every idle session
    act_in_queue(leader, "待签批", NAME, "报送主管部门")

    for handler_login, leader_login, last_button in (
        (DEPT_HANDLER, DEPT_LEADER, "领导签批通过"),
        (BUREAU_HANDLER, BUREAU_LEADER, "认定发证"),
    ):
        reviewer: Page = new_page(f"reviewer-{handler_login}")
        accept_confirmations(reviewer)  # 认定发证 asks first: it issues the certificate number
        log_in(reviewer, handler_login)
        act_in_queue(reviewer, "待初审", NAME, "经办人初审通过")
        log_out(reviewer)
        log_in(reviewer, leader_login)
        act_in_queue(reviewer, "待签批", NAME, last_button)

    log_in(applicant, APPLICANT.phone, "Zhou@2026wb!")
    applicant.get_by_role("link", name="查看").click()
    expect(applicant.locator(".badge").first).to_have_text("已认定发证")
    expect(applicant.locator("#certificate-no")).to_have_text(_certificate_pattern())
    steps = applicant.locator(".timeline li")
    expect(steps).to_have_count(11)  # created + ten steps of the road
    for text in (
        "创建申报",
        "提交申报",
        f"{NAME}（申报人）",
        "黄丽华（经办人）",
        "曾宪明（领导）",
        "谢晓燕（经办人）",
        "赖志强（领导）",
        "刘雅琴（经办人）",
        "温建国（领导）",
        "认定发证",
    ):
        expect(applicant.locator(".timeline")).to_contain_text(text)


def _certificate_pattern() -> re.Pattern[str]:
    return re.compile(r"^20[0-9]{2}GZ[0-9]{5}$")


def test_a_handler_cannot_sign_as_leader_nor_review_their_own_application(new_page: Any) -> None:
    # 邱敏 is the private enterprise's only handler and has applied herself (demo data): the row says that
    # nobody else may take its first review and what the unit must do (services/staffing.py).
    qiu: Page = new_page("qiu")
    log_in(qiu, "13870700008")
    qiu.get_by_role("link", name="审核队列").click()
    own = queue_row(qiu, "邱敏")
    expect(own).to_contain_text(
        "本人申报，本单位没有其他经办人可办理初审：请单位管理员在本单位人员页增设经办人"
    )
    expect(own.get_by_role("button")).to_have_count(0)

    # Forging the form anyway is refused with the rule, and nothing changes.
    response = forge_action(qiu, own, "handler_approve")
    assert response.status == 422
    assert "不能审核本人的申报" in response.text()

    # After the handler's first review, the handler has no leader's button on that row, and a forged
    # leader's signature is refused.
    hr: Page = new_page("hr")
    log_in(hr, ENTERPRISE_HANDLER)
    act_in_queue(hr, "待初审", "李静怡", "经办人初审通过")
    hr.get_by_role("link", name="待签批").click()
    row = queue_row(hr, "李静怡")
    expect(row).to_contain_text("待领导签批")
    expect(row.get_by_role("button", name="领导签批通过")).to_have_count(0)
    forged = forge_action(hr, row, "leader_approve")
    assert forged.status == 422
    assert "须由领导办理" in forged.text()


def forge_action(page: Page, row: Locator, action: str) -> APIResponse:
    """POST an action for a queue row directly, as a user editing the form by hand would."""
    application_id = (row.get_attribute("id") or "").removeprefix("application-")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    return page.request.post(
        f"/review/applications/{application_id}/act",
        form={"action": action, "csrf_token": token},
        headers={"HX-Request": "true"},
    )
