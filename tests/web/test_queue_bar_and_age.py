"""The queue shows what the services decided about each tab and row: the bulk bar offers the bulk moves that
at least one row of the page can take (none on 已通过 or 已退回, none beside rows waiting on someone else
or on another step), and only a case waiting on this organisation ages (a case passed on waits in another
queue, a finished one on nobody: it shows no wait at all)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, committee_road, make_application, make_world, staff_login
from tests.i18n.reading import in_english


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _bulk_options(page: str) -> list[str]:
    bar = re.search(r'<select id="bulk-action" name="action">(.*?)</select>', page, re.S)
    return re.findall(r'<option value="([a-z_]+)"', bar.group(1)) if bar else []


def _questions(page: str) -> dict[str, tuple[str, str]]:
    """What 批量办理 asks for each choice of the bar: with {count} rows ticked, and with one."""
    found = re.findall(r'<option value="([a-z_]+)" data-question="([^"]*)" data-question-one="([^"]*)"', page)
    return {value: (many, one) for value, many, one in found}


def test_the_bulk_bar_offers_the_moves_some_row_of_the_page_can_take(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1)  # the leader's
    department = login_as(world.department.handler)
    assert _bulk_options(department.get("/review/queue?tab=handler").text) == ["handler_approve"]
    passed = department.get("/review/queue?tab=passed").text
    assert _bulk_options(passed) == [] and "批量办理" not in passed
    assert 'id="package-selected"' in passed  # the ticked rows can still be packaged
    assert _bulk_options(department.get("/review/queue?tab=returned").text) == []

    waiting = make_application(session, world, clock.now, steps=2)  # signed by nobody yet: the leader's
    enterprise = login_as(world.enterprise.leader)
    # Approving it is the row's move; forwarding is a move of the role no row here can take now.
    assert _bulk_options(enterprise.get("/review/queue?tab=leader").text) == ["leader_approve"]
    assert _bulk_options(enterprise.get("/review/queue?tab=handler").text) == []  # the handler's tab
    bureau = login_as(world.bureau.leader).get("/review/queue?tab=all").text
    assert f'id="application-{waiting.id}"' not in bureau and _bulk_options(bureau) == ["certify"]
    # Acting on the ticked rows asks first, naming the action chosen and how many rows are ticked (app.js
    # puts the number for {count}: e2e/test_review.py); certifying says it numbers the certificates.
    # Packaging does not ask. (Walk 5, finding 14: "对勾选的每件申报办理所选操作" whatever was chosen.)
    assert 'id="bulk-act" data-confirm-choice="bulk-action"' in bureau
    assert _questions(bureau)["certify"] == (
        "对勾选的{count}件申报办理“认定发证”（即编号发证），确定吗？",
        "对勾选的1件申报办理“认定发证”（即编号发证），确定吗？",
    )
    leader_tab = enterprise.get("/review/queue?tab=leader").text
    assert _questions(leader_tab) == {
        "leader_approve": (
            "对勾选的{count}件申报办理“领导签批通过”，确定吗？",
            "对勾选的1件申报办理“领导签批通过”，确定吗？",
        )
    }
    english = in_english(login_as(world.enterprise.leader)).get("/review/queue?tab=leader").text
    assert _questions(english) == {
        "leader_approve": (
            "Carry out “Sign off and approve” on {count} ticked applications?",
            "Carry out “Sign off and approve” on 1 ticked application?",
        )
    }
    assert not re.search(r'id="package-selected"[^>]*data-confirm', bureau)


def test_the_bulk_bars_notes_come_before_the_buttons_they_are_about_on_screen_and_by_tab(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The note that returns and refusals go one by one sat after 打包下载所选 (site.css moved every hint of
    # the bar to its end with `order`), read only once the buttons had been passed, by eye and by Tab.
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    page = login_as(world.department.handler).get("/review/queue?tab=handler").text
    bar = page[page.index('id="bulk-form"') : page.index('id="queue"')]
    names = ("bulk-hint", "bulk-action", "bulk-act", "package-selected")
    order = [bar.index(f'id="{name}"') for name in names]
    assert order == sorted(order)
    assert re.search(r'id="bulk-act"[^>]*aria-describedby="bulk-hint"', bar)
    assert bar.index('id="package-hint"') < bar.index('aria-describedby="package-hint"')
    css = (Path(__file__).resolve().parents[2] / "portal" / "static" / "site.css").read_text(encoding="utf-8")
    rules = re.findall(r"([^{}]*\.bulk[^{}]*)\{([^}]*)\}", css)
    assert rules and not [selector for selector, body in rules if "order:" in body]


def test_only_a_case_waiting_here_ages_and_a_finished_one_shows_no_wait(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    waiting = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    passed_on = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    finished = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    clock.advance(days=21)
    page = login_as(world.department.handler).get("/review/queue?tab=all").text

    def row(application_id: int) -> tuple[str, str]:
        found = re.search(rf'<tr id="application-{application_id}" class="age-(\w+)">(.*?)</tr>', page, re.S)
        assert found is not None, f"no row for application {application_id}"
        return found.group(1), found.group(2)

    assert row(waiting.id)[0] == "overdue" and "等待过久" in row(waiting.id)[1]
    band, cells = row(passed_on.id)
    assert band == "fresh" and "等待过久" not in cells and "个工作日" in cells  # its days, without alarm
    band, cells = row(finished.id)
    assert band == "fresh" and "个工作日" not in cells and re.search(r'<td title="[^"]*">—</td>', cells)


def test_on_a_phone_the_queue_table_scrolls_in_its_own_box(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Seen at 390 px: the eight columns made the whole page (header, tabs, filters) scroll sideways by
    # 300 px; the table now sits in a .table-wrap (overflow-x: auto), as every other wide table does.
    make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    page = login_as(world.enterprise.handler).get("/review/queue").text
    assert re.search(r'<div class="table-wrap"[^>]*>\s*<table class="table queue">', page)
    assert re.search(r"</table>\s*</div>\s*<nav class=\"pager\"", page)


def test_the_queue_opens_on_the_tab_whose_rows_wait_on_the_reader(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # A leader's 审核队列 opened on 待初审: the handler's work (nothing for them), their own behind a count.
    waiting = make_application(session, world, clock.now, steps=2)  # signed by nobody yet: the leader's
    leader = login_as(world.enterprise.leader).get("/review/queue").text
    assert re.search(r'tab=leader"[^>]*aria-current="page"', leader)
    assert f'id="application-{waiting.id}"' in leader
    assert _bulk_options(leader) == ["leader_approve"]
    handler = login_as(world.enterprise.handler).get("/review/queue").text
    assert re.search(r'tab=handler"[^>]*aria-current="page"', handler)
    # An empty home tab names itself as where new work arrives.
    empty = login_as(world.department.leader).get("/review/queue").text
    assert re.search(r'tab=leader"[^>]*aria-current="page"', empty)
    assert "会自动出现在“待签批”中" in empty


def test_an_empty_list_marks_itself_so_its_bulk_and_package_bars_hide_until_a_poll_brings_a_row(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The bars sit outside the polled list (site.css hides them while the list says data-empty), so
    # pressing 打包下载 on an empty tab is no longer offered only to be refused.
    department = login_as(world.department.handler)
    empty = department.get("/review/queue?tab=handler").text
    assert re.search(r'<div id="queue"[^>]*\bdata-empty>', empty)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    poll = department.get("/review/queue?tab=handler", headers={"HX-Request": "true", "HX-Target": "queue"})
    assert '<div id="queue"' in poll.text and "data-empty" not in poll.text
    assert "data-empty" not in department.get("/review/queue?tab=handler").text


def test_the_bulk_bar_offers_no_move_that_every_row_of_the_page_would_refuse(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Seen on 全部: 经办人初审通过 was offered to a department handler whose rows all waited on others, and
    # each ticked row then failed with its reason. The bar now offers what some row can take, else says so.
    make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])  # passed on
    make_application(session, world, clock.now, steps=2)  # still at the enterprise
    department = login_as(world.department.handler)
    everything = department.get("/review/queue?tab=all").text
    assert _bulk_options(everything) == [] and 'id="bulk-act"' not in everything
    assert '<small class="hint" id="bulk-none">本页没有可批量办理的申报。</small>' in everything
    assert 'id="package-selected"' in everything  # the ticked rows can still be packaged
    # The rows are the page's own: a filter leaving a case the handler can pass brings the move back.
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    assert _bulk_options(department.get("/review/queue?tab=all").text) == ["handler_approve"]
    filtered = department.get("/review/queue?tab=all&status=bureau_review").text
    assert _bulk_options(filtered) == [] and 'id="bulk-none"' in filtered


def test_the_lists_poll_brings_the_bulk_choice_of_its_rows_out_of_band(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The bar sits outside the polled list: what it offers comes with the rows that decide it.
    department = login_as(world.department.handler)
    fragment = {"HX-Request": "true", "HX-Target": "queue"}
    before = department.get("/review/queue?tab=handler", headers=fragment).text
    assert '<span id="bulk-choice" class="bulk-choice" hx-swap-oob="true"></span>' in before  # nothing listed
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    after = department.get("/review/queue?tab=handler", headers=fragment).text
    assert '<span id="bulk-choice" class="bulk-choice" hx-swap-oob="true">' in after
    assert _bulk_options(after) == ["handler_approve"]
    counts = department.get("/review/queue?tab=handler", headers={**fragment, "HX-Target": "queue-counts"})
    assert "bulk-choice" not in counts.text  # the tabs' poll does not carry it


def test_a_case_awaiting_its_certificate_number_is_not_offered_the_first_review_in_bulk(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Seen on the bureau's 待初审: a case whose only move is 录入证书编号 (typed one by one) sat under a bar
    # offering 经办人初审通过, which then failed on it.
    world, _made, application = committee_road(session, clock, published=True)
    page = staff_login(login_as, world.bureau).get("/review/queue?tab=handler").text
    assert f'id="application-{application.id}"' in page and "录入证书编号" in page
    assert _bulk_options(page) == [] and 'id="bulk-none"' in page


def test_the_waiting_filter_counts_working_days_as_the_waiting_column_does(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The filter "等待≥（自然日）" counted calendar days beside a column and a legend counting working days:
    # a case that arrived on Monday 28 September showed 3 working days on 8 October (the National Day
    # holiday between) yet matched "≥ 4", "≥ 10" too. It now counts as the column does, and says so.
    arrived = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    arrived.status_changed_at = clock.now  # the walk's steps are spread over days: it arrived on the Monday
    session.flush()
    clock.advance(days=10)  # Thursday 8 October, 10:00 in Shanghai
    department = login_as(world.department.handler)
    row = f'id="application-{arrived.id}"'
    shown = department.get("/review/queue?tab=handler&days=3").text
    assert row in shown and "3个工作日" in shown
    assert row not in department.get("/review/queue?tab=handler&days=4").text
    assert row not in department.get("/review/queue?tab=handler&days=10").text
    assert '<label for="days">等待≥（工作日）</label>' in shown and "自然日" not in shown
    english = in_english(login_as(world.department.handler)).get("/review/queue?tab=handler&days=3").text
    assert '<label for="days">Waiting ≥ (working days)</label>' in english and "calendar days" not in english


def test_the_waiting_filter_reads_full_width_digits_and_says_when_it_is_not_a_number(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Walk 5, finding 9: "４" (a Chinese IME in full-width mode), "abc" and "-1" all came back as an empty
    # box and the unfiltered list, without a word. Full-width digits are the number (domain.numbers);
    # anything else stays in the box with the reason, and the list says it is not filtered by it.
    arrived = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    arrived.status_changed_at = clock.now
    session.flush()
    clock.advance(days=10)  # 3 working days later (the National Day holiday between)
    department = login_as(world.department.handler)
    row = f'id="application-{arrived.id}"'
    three = department.get("/review/queue?tab=handler&days=３").text
    assert row in three and 'name="days" value="3"' in three
    assert row not in department.get("/review/queue?tab=handler&days=４").text
    for typed in ("abc", "-1", "4.5"):
        refused = department.get(f"/review/queue?tab=handler&days={typed}").text
        assert row in refused and f'name="days" value="{typed}"' in refused, typed
        assert 'aria-invalid="true" aria-describedby="e-days"' in refused
        assert "等待的工作日数应为整数，例如 5；本次未按此筛选" in refused
    english = in_english(login_as(world.department.handler)).get("/review/queue?tab=handler&days=abc").text
    said = "The working days waited must be a whole number, such as 5; the list is not filtered by it"
    assert said in english


def test_the_bulk_bar_buttons_carry_what_to_say_when_no_row_is_ticked_in_either_language(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # app.js says it at once (e2e/test_review.py) instead of asking first, then hearing it from the server.
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    words = {
        "zh": ("请先勾选要办理的申报", "请先勾选要打包的申报"),
        "en": ("Tick the applications to handle first", "Tick the applications to package first"),
    }
    for language, (handle, package) in words.items():
        browser = login_as(world.department.handler)
        page = (in_english(browser) if language == "en" else browser).get("/review/queue?tab=handler").text
        assert f'id="bulk-act" data-confirm-choice="bulk-action" data-needs-ticked="{handle}"' in page
        assert f'id="package-selected" data-needs-ticked="{package}"' in page
        assert '<span class="error" id="bulk-ticked-note" data-ticked-note role="alert"></span>' in page
