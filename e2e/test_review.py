"""Review at every level, in Chromium with two reviewers at once: a row another reviewer approved drops
out of the queue without a reload (polling), and a return with two listed items reaches the applicant,
who fixes both and resubmits, and the reviewer sees the changes highlighted."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from e2e.helpers import log_in, queue_row

DEPT_HANDLER_A = "13870700004"  # 谢晓燕
DEPT_HANDLER_B = "13870700010"  # 钟敏
SOE_HANDLER = "13870700006"  # 黄丽华
APPLICANT = "13970700017"  # 吴俊杰, submitted in the demo data


def test_the_bulk_bar_with_no_row_ticked_says_so_at_once_without_asking_first(new_page: Any) -> None:
    # It asked "对勾选的每件申报办理所选操作，确定吗？" first, then the server answered 请先勾选要办理的申报
    # (a 1.4 s round trip): app.js now checks the ticks before the question (the server still checks).
    # The question names the action chosen and how many rows are ticked (walk 5, finding 14).
    page: Page = new_page("bulk-none-ticked")
    log_in(page, DEPT_HANDLER_A)
    page.get_by_role("link", name="审核队列").click()
    page.get_by_role("link", name="待初审").click()
    expect(queue_row(page, "王子涵")).to_be_visible()
    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    before = page.url
    page.locator("#bulk-act").click()
    expect(page.locator("#bulk-ticked-note")).to_have_text("请先勾选要办理的申报")
    page.locator("#package-selected").click()
    expect(page.locator("#bulk-ticked-note")).to_have_text("请先勾选要打包的申报")
    assert asked == [] and page.url == before
    # A ticked row clears the note, and the bar asks its question as before (declined here).
    queue_row(page, "王子涵").get_by_role("checkbox").first.check()
    expect(page.locator("#bulk-ticked-note")).to_have_text("")
    page.locator("#bulk-verified input").check()  # the bar's EXP-03 check (required: the only move offered)
    with page.expect_event("dialog"):
        page.locator("#bulk-act").click()
    assert asked == ["对勾选的1件申报办理“经办人初审通过”，确定吗？"] and page.url == before
    page.get_by_role("link", name="全部").click()
    boxes = page.locator("#queue input[name=ids]")
    for box in (boxes.nth(0), boxes.nth(1)):
        box.check()
    page.locator("#bulk-action").select_option("handler_approve")
    page.locator("#bulk-verified input").check()
    with page.expect_event("dialog"):
        page.locator("#bulk-act").click()
    assert asked[-1] == "对勾选的2件申报办理“经办人初审通过”，确定吗？"


def test_a_row_approved_by_one_reviewer_leaves_the_others_queue_by_itself(new_page: Any) -> None:
    reviewer_a: Page = new_page("reviewer-a")
    reviewer_b: Page = new_page("reviewer-b")
    for page, login in ((reviewer_a, DEPT_HANDLER_A), (reviewer_b, DEPT_HANDLER_B)):
        log_in(page, login)
        page.get_by_role("link", name="审核队列").click()
        page.get_by_role("link", name="待初审").click()
        expect(queue_row(page, "王子涵")).to_be_visible()

    expect(reviewer_b.locator("#bulk-action option")).to_have_text(["经办人初审通过"])
    row = queue_row(reviewer_a, "王子涵")
    # Ganzhou's department confirms it checked the work experience and achievements (EXP-03, 001 四(五)).
    row.get_by_role("checkbox", name="已核实工作经历和业绩成果符合申报条件（001 四(五)）").check()
    row.get_by_role("button", name="经办人初审通过").click()
    expect(row.get_by_role("status")).to_contain_text("已经办人初审通过")
    # Reviewer B never reloads: the queue polls every 15 s and drops the row.
    expect(queue_row(reviewer_b, "王子涵")).to_have_count(0, timeout=20_000)
    expect(reviewer_b.locator("#count-leader")).to_have_text("1", timeout=20_000)
    # The bulk bar's choice came with the poll (out of band): no row is left to take 经办人初审通过.
    expect(reviewer_b.locator("#bulk-action")).to_have_count(0)


def test_a_return_with_two_items_is_fixed_and_the_changes_are_highlighted(new_page: Any) -> None:
    hr: Page = new_page("hr")
    log_in(hr, SOE_HANDLER)
    hr.get_by_role("link", name="审核队列").click()
    queue_row(hr, "吴俊杰").get_by_role("link", name="退回补正…").click()
    composer = hr.locator("#return")
    # One row of a repeating section is returned, not the whole part (issue 21.4).
    composer.get_by_role("checkbox", name="学历学位：江西理工大学 本科").check()
    composer.get_by_label("学历学位：江西理工大学 本科需补正的原因").fill("毕业院校与学历证书不一致，请核对")
    composer.get_by_role("checkbox", name="工作总结").check()
    composer.get_by_label("工作总结需补正的原因").fill("请补充近三年主要业绩和具体数据")
    composer.get_by_role("button", name="退回补正").click()
    expect(hr.get_by_role("status").first).to_contain_text("已退回补正")

    applicant: Page = new_page("applicant")
    log_in(applicant, APPLICANT)
    expect(applicant.locator("#unread-count")).to_contain_text("1")
    applicant.get_by_role("link", name="查看并填写").click()
    listing = applicant.locator(".correction-list")
    expect(listing).to_contain_text("毕业院校与学历证书不一致，请核对")
    expect(listing).to_contain_text("请补充近三年主要业绩和具体数据")
    # Only the returned row and the summary open: the work history and the current title stay locked.
    expect(applicant.locator("#section-education .locked-row")).to_have_count(0)
    expect(applicant.locator("#section-work .locked-row")).to_have_count(1)
    expect(applicant.locator("#section-title .locked-row")).to_have_count(1)
    applicant.locator("#section-education").get_by_label("毕业院校").fill("江西理工大学应用科学学院")
    applicant.locator("#f-work-summary").fill("主持开发区两项变电工程的电气设计，完成三项技术改造。")
    applicant.get_by_role("button", name="保存草稿").click()
    expect(applicant.get_by_role("status").first).to_contain_text("申报表已保存")
    applicant.get_by_role("button", name="补正后重新提交").click()
    expect(applicant.locator(".badge").first).to_have_text("已提交，待经办人初审")

    hr.get_by_role("link", name="审核队列").click()
    hr.get_by_role("link", name="待初审").click()
    queue_row(hr, "吴俊杰").get_by_role("link", name="吴俊杰").click()
    changes = hr.locator(".changes")
    expect(changes).to_contain_text("江西理工大学应用科学学院")
    expect(changes).to_contain_text("主持开发区两项变电工程")
    expect(changes.locator("tr.changed")).to_have_count(2)
