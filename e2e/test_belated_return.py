"""一次性告知 (REV-03, 003 五(二)) in Chromium: an application the unit's handler returned once for its
工作总结 comes back rewritten; returning it again with an education row the first return could have listed is
answered with the warning naming that row and 一次性告知 (no clause: the demo bureau's Ganzhou notice
states none; Zhenjiang's 003 五(二) is not Ganzhou's), the ticks and reasons as typed; once the
handler ticks 确认补充告知 the return goes, and the applicant sees both corrections listed.
axe-core checks every page; console errors fail the test (the warned return answers 422, by design)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from e2e.conftest import CLOCK
from e2e.factories import PEOPLE, application_for, resubmitted
from e2e.helpers import log_in, queue_row

SOE_HANDLER = "13870700006"  # 黄丽华
APPLICANT = PEOPLE["belated_return"]
NAME = APPLICANT.name
ROW = "学历学位：江西理工大学 本科"  # the demo form's one degree: unchanged since the first return
ROW_REASON = "毕业院校与学历证书不一致，请核对"
SUMMARY_REASON = "仍缺少近三年主要业绩和具体数据"


def test_a_second_return_adding_an_item_the_first_could_have_listed_is_warned_and_goes_when_confirmed(
    new_page: Any, portal_app: Flask
) -> None:
    application_id = application_for(
        portal_app, APPLICANT, CLOCK.now,
        submitted=True, returned_for={"field:work_summary": "工作总结过于简略"},
    )  # fmt: skip
    resubmitted(
        portal_app, application_id, {"work_summary": "本人近五年负责多项市政工程的技术工作。" * 3}, CLOCK.now
    )

    hr: Page = new_page("hr")
    log_in(hr, SOE_HANDLER)
    hr.get_by_role("link", name="审核队列").click()
    queue_row(hr, NAME).get_by_role("link", name="退回补正…").click()
    composer = hr.locator("#return")
    composer.get_by_role("checkbox", name=ROW).check()
    composer.get_by_label(f"{ROW}需补正的原因").fill(ROW_REASON)
    composer.get_by_role("checkbox", name="工作总结", exact=True).check()
    composer.get_by_label("工作总结需补正的原因").fill(SUMMARY_REASON)
    composer.get_by_role("button", name="退回补正").click()

    # Not returned yet: the warning names the education row only (the summary was rewritten since), cites
    # 一次性告知, and everything typed is still there.
    composer = hr.locator("#return")
    warning = composer.locator("#belated").get_by_role("alert")
    expect(warning).to_contain_text(ROW)
    expect(warning).to_contain_text("一次性告知")
    expect(warning).not_to_contain_text("003 五(二)")  # Ganzhou's notices state no such clause
    expect(warning).not_to_contain_text("工作总结")
    expect(composer.get_by_role("checkbox", name=ROW)).to_be_checked()
    expect(composer.get_by_label(f"{ROW}需补正的原因")).to_have_value(ROW_REASON)
    expect(composer.get_by_role("checkbox", name="工作总结", exact=True)).to_be_checked()
    expect(composer.get_by_label("工作总结需补正的原因")).to_have_value(SUMMARY_REASON)
    expect(hr.locator(".badge").first).to_have_text("已提交，待经办人初审")

    confirm = composer.get_by_role("checkbox", name="确认补充告知")
    expect(confirm).not_to_be_checked()
    confirm.check()
    composer.get_by_role("button", name="退回补正").click()
    expect(hr.get_by_role("status").first).to_contain_text("已退回补正")

    applicant: Page = new_page("applicant")
    log_in(applicant, APPLICANT.phone)
    applicant.get_by_role("link", name="查看并填写").click()
    listing = applicant.locator(".correction-list")
    expect(listing).to_contain_text(ROW_REASON)
    expect(listing).to_contain_text(SUMMARY_REASON)
