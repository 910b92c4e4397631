"""Steps of the committee road (评审) that every city's journey takes the same way, in the browser, in
Chinese: the office's intake and notice, the agenda and the draw, the experts' study and vote, the result
notice and its confirmation, the bureau's publication. A journey keeps its own city's steps and checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Clock
from e2e.helpers import act_in_queue, draft_notice_for, log_in, log_out, publish_latest_notice


def notice_passes(handler: Page, leader: Page, name: str, clock: Clock, worker: Any) -> None:
    """The office's handler drafts a notice for the applicant, its leader publishes it, and five working
    days from tomorrow pass without objection (the worker closes it)."""
    draft_notice_for(handler, name)
    publish_latest_notice(leader)
    clock.now += timedelta(days=9)
    worker.tick()


def take_in(handler: Page, leader: Page, name: str, clock: Clock, worker: Any) -> None:
    """The office's intake on the review queue's road (handler, then leader), then its 评前公示."""
    act_in_queue(handler, "待初审", name, "经办人初审通过")
    act_in_queue(leader, "待签批", name, "领导签批通过")
    notice_passes(handler, leader, name, clock, worker)


def agenda_plan_and_draw(handler: Page, name: str, plan: str, seed: str, experts: Iterable[str]) -> list[str]:
    """On the planned meeting's page: the applicant on the agenda, the plan with an 80% pass-rate ceiling,
    five experts drawn with the seed (the page recomputes the draw). Returns the drawn names."""
    handler.get_by_label(re.compile(name)).check()
    handler.get_by_role("button", name="列入议程").click()
    expect(handler.locator("#agenda-count")).to_have_text("1")
    handler.get_by_label("评审工作方案").fill(plan)
    handler.get_by_label("通过率上限（百分比）").fill("80")
    handler.get_by_role("button", name="保存").click()
    handler.get_by_label("抽取人数").fill("5")
    handler.get_by_label(re.compile("^抽取种子")).fill(seed)
    handler.get_by_role("button", name="随机抽取专家").click()
    expect(handler.locator("#draw-check")).to_contain_text("得到相同的专家名单")
    panel = handler.locator("#panel table").inner_text()
    drawn = [expert for expert in experts if expert in panel]
    assert len(drawn) == 5
    return drawn


def file_meeting(leader: Page, meeting_url: str) -> None:
    """The office's leader files the meeting with the bureau."""
    leader.goto(meeting_url)
    leader.get_by_role("button", name="报人社局备案").click()
    expect(leader.locator("#meeting-status")).to_have_text("已报备，待确认")


def study_conditions(expert: Page, phones: Iterable[str], *, heading: bool = False) -> None:
    """Each drawn expert logs in and confirms having studied the conditions, as a profile asking it does
    (CHAN-06: Kunming's 004 一(七), cited by the pledge)."""
    for phone in phones:
        log_in(expert, phone)
        if heading:
            expect(expert.get_by_role("heading", level=1)).to_have_text("我的评审会议")
        expect(expert.locator("form[id^='seat-pledge-']")).to_contain_text("原则评审（004 一(七)）")
        expert.get_by_role("button", name="确认已学习").click()
        expect(expert.get_by_text("已确认学习评价标准条件").first).to_be_visible()
        log_out(expert)


def nothing_to_study(expert: Page, phone: str) -> None:
    """A drawn expert under a profile that does not ask the study of the standards (Zhenjiang's 003: CHAN-06
    is Kunming's) logs in to their meeting: it is there, with no pledge to confirm."""
    log_in(expert, phone)
    expect(expert.get_by_role("heading", level=1)).to_have_text("我的评审会议")
    expect(expert.locator("[id^='seat-place-']")).to_be_visible()
    expect(expert.get_by_role("button", name="确认已学习")).to_have_count(0)
    expect(expert.locator("main")).not_to_contain_text("评价标准条件")
    log_out(expert)


def _votes_after_an_empty_ballot(expert: Page) -> None:
    """The expert sends the ballot empty first: not asked "投票后不能修改" (there is nothing to keep, the
    form says so at once); then votes against, asked once."""
    asked: list[str] = []

    def record(dialog: Any) -> None:
        asked.append(dialog.message)

    expert.on("dialog", record)
    expert.get_by_role("button", name="提交选票").click()
    expect(expert.get_by_role("alert").filter(has_text="请对每一位申报人表决")).to_be_visible()
    assert asked == []
    expert.get_by_label("反对").check()
    expert.get_by_role("button", name="提交选票").click()
    expect(expert.get_by_text("您已投票。")).to_be_visible()
    assert asked == ["投票后不能修改，确定提交吗？"]
    expert.remove_listener("dialog", record)


def cast_ballots(expert: Page, phones: Iterable[str]) -> None:
    """Each drawn expert votes once, secretly: the first against (after sending the ballot empty), the
    others for."""
    for n, phone in enumerate(phones):
        log_in(expert, phone)
        if n == 0:
            _votes_after_an_empty_ballot(expert)
        else:
            expert.get_by_label("赞成").check()
            expert.get_by_role("button", name="提交选票").click()
            expect(expert.get_by_text("您已投票。")).to_be_visible()
        log_out(expert)


def expert_reads_the_count(expert: Page, phone: str, applicant: str, totals: str) -> None:
    """A drawn expert opens their meeting's own page from 我的评审会议: the agenda names the applicant, and
    once counted it shows the totals only (the ballot gone)."""
    log_in(expert, phone)
    expert.get_by_role("link", name="查看本次会议（议程、表决）").click()
    expect(expert.locator("#agenda")).to_contain_text(applicant)
    expect(expert.locator("#agenda")).to_contain_text(totals)
    expect(expert.get_by_role("button", name="提交选票")).to_have_count(0)
    log_out(expert)


def confirm_results(leader: Page, meeting_url: str, note: str) -> None:
    """The office's leader confirms the tallied results, with the note a rate over the setting asks for."""
    leader.goto(meeting_url)
    leader.get_by_label(re.compile("^说明")).fill(note)
    leader.get_by_role("button", name="确认评审结果").click()
    expect(leader.locator("#meeting-status")).to_have_text("结果已确认，待公布")


def publish_results(title_office: Page, meeting_url: str, document_number: str) -> None:
    """The bureau's leader publishes the confirmed results under the document's number."""
    title_office.goto(meeting_url)
    title_office.get_by_label("公布文号").fill(document_number)
    title_office.get_by_role("button", name="公布评审结果").click()
    expect(title_office.locator("#meeting-status")).to_have_text("评审结果已公布")
