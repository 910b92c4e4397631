"""The return composer on the review page, the applicant's correction list, polling, bulk and the inbox."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Notification
from portal.services import corrections, policies
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, actor_for, in_batch, make_application, make_world

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_the_review_page_composes_a_return_with_every_item_and_a_deadline(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    page = browser.get(f"/review/applications/{application.id}").text
    assert "退回补正（一次性告知）" in page and 'name="deadline"' in page and "学历学位（全部）" in page
    # Each row can be named on its own (issue 21.4), and each material slot of the checklist.
    assert (
        "学历学位：南昌大学 本科" in page
        and 'value="row:education:' in page
        and 'value="material:diploma@' in page
    )
    url = f"/review/applications/{application.id}/return"
    bad = browser.post(
        url, data={"sections": ["education"], "reason_education": "", "deadline": "2026-10-20"}
    )
    assert bad.status_code == 422 and "请写明“学历学位（全部）”需要补正的原因" in bad.text
    assert 'value="education" checked' in bad.text
    ok = browser.post(
        url,
        data={
            "sections": ["education", "field:work_summary"],
            "reason_education": "证书不清晰",
            "reason_field:work_summary": "太简略",
            "deadline": "2026-10-20",
            "version": application.version,
        },
    )
    assert ok.status_code == 303
    session.refresh(application)
    assert application.state is Status.RETURNED


def test_a_reason_written_for_an_item_left_unticked_is_refused_not_dropped(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """The reviewer wrote why the work summary needs correcting but ticked only the education: the return
    went without the summary and the typed reason was lost. It is now refused, naming the item, with every
    tick and reason kept."""
    application = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    url = f"/review/applications/{application.id}/return"
    refused = browser.post(
        url,
        data={
            "sections": ["education"],
            "reason_education": "证书不清晰",
            "reason_field:work_summary": "太简略",
            "deadline": "2026-10-20",
            "version": application.version,
        },
    )
    assert refused.status_code == 422
    assert "写了原因但没有勾选：请勾选它一并退回，或清空原因" in refused.text
    assert 'value="education" checked' in refused.text and "太简略" in refused.text
    session.refresh(application)
    assert application.state is not Status.RETURNED


def test_the_applicant_sees_the_whole_list_and_only_returned_parts_are_editable(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(world.enterprise.handler_membership.staff_role),
        application.id,
        corrections.ReturnInput({"summary": "请补充业绩数据"}, "2026-10-20"),
        clock.now,
    )
    browser = login_as(application.applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    assert "需要补正的内容（一次性告知）" in page and "请补充业绩数据" in page and "2026年10月20日" in page
    assert "未被退回，无需修改" in page and 'name="work_summary"' in page
    assert 'id="f-school"' not in page  # shown as text with a hidden value, not an input


def test_a_poll_with_the_current_etag_gets_304(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    first = browser.get("/review/queue", headers=HX)
    etag = first.headers["ETag"]
    again = browser.get("/review/queue", headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    make_application(session, world, clock.now, steps=1)  # a new arrival changes the page
    changed = browser.get("/review/queue", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_filters_live_in_the_url_and_narrow_rows_and_counts(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    mine = make_application(session, world, clock.now, steps=1)
    make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    tail = mine.applicant.id_number[-4:]
    page = browser.get(f"/review/queue?tab=handler&q={tail}").text
    assert f'id="application-{mine.id}"' in page and 'id="count-handler">1<' in page
    assert f'value="{tail}"' in page  # the search box keeps it
    by_name = browser.get(f"/review/queue?q={mine.applicant.name}").text
    assert f'id="application-{mine.id}"' in by_name
    none = browser.get("/review/queue?level=正高级").text
    assert "没有符合筛选条件的申报" in none and "清除筛选" in none


def test_keyset_pages_continue_where_the_last_one_ended(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    from datetime import timedelta

    from portal.services import queues
    from portal.services.actors import actor_for

    made = [make_application(session, world, clock.now + timedelta(minutes=i), steps=1) for i in range(5)]
    actor = actor_for(world.enterprise.handler, world.enterprise.handler_membership)
    first = queues.queue(session, actor, queues.Tab.HANDLER, queues.Filters(), clock.now, page_size=2)
    second = queues.queue(
        session, actor, queues.Tab.HANDLER, queues.Filters(), clock.now, page_size=2, cursor=first.next_cursor
    )
    third = queues.queue(
        session,
        actor,
        queues.Tab.HANDLER,
        queues.Filters(),
        clock.now,
        page_size=2,
        cursor=second.next_cursor,
    )
    seen = [r.application.id for page in (first, second, third) for r in page.rows]
    assert seen == [a.id for a in made] and third.next_cursor is None
    assert first.counts[queues.Tab.HANDLER] == 5


def test_bulk_approval_does_each_row_and_lists_the_failures(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    ready = make_application(session, world, clock.now, steps=1)
    not_yet = make_application(session, world, clock.now, steps=0)
    response = login_as(world.enterprise.handler).post(
        "/review/bulk", data={"action": "handler_approve", "ids": [str(ready.id), str(not_yet.id)]}
    )
    assert response.status_code == 303
    session.refresh(ready)
    session.refresh(not_yet)
    assert (ready.state, not_yet.state) == (Status.UNIT_REVIEW, Status.DRAFT)
    page = login_as(world.enterprise.handler).get(response.headers["Location"])
    assert page.status_code == 200
    refused = login_as(world.enterprise.leader).post(
        "/review/bulk", data={"action": "reject", "ids": [str(ready.id)]}
    )
    assert refused.status_code == 303
    session.refresh(ready)
    assert ready.state is Status.UNIT_REVIEW


def test_the_inbox_shows_unread_work_and_opening_marks_it_read(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    browser = login_as(world.department.handler)
    assert 'id="unread-count">1' in browser.get("/review/queue").text
    inbox = browser.get("/inbox").text
    assert application.applicant.name in inbox and "新的待办" in inbox
    # The series and the specialty apart (it read "工程机械工程").
    assert f"{application.series} / {application.specialty} · {application.level}" in inbox
    note = session.scalars(
        select(Notification).where(Notification.user_id == world.department.handler.id)
    ).one()
    opened = browser.post(f"/inbox/{note.id}/open")
    assert (
        opened.status_code == 303 and opened.headers["Location"] == f"/review/applications/{application.id}"
    )
    assert "unread-count" not in browser.get("/review/queue").text
    assert login_as(world.enterprise.handler).post(f"/inbox/{note.id}/open").status_code == 404


def test_the_batch_filter_and_the_roster_badge_on_the_review_page(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    first = make_application(session, world, clock.now, steps=1)
    second = make_application(session, world, clock.now, steps=1)
    # No profile names them, and they were submitted before names were kept (migration 0038).
    in_batch(session, first, "2026-3", name=None)
    in_batch(session, second, "2026-4", name=None)
    browser = login_as(world.enterprise.handler)
    page = browser.get("/review/queue?batch=2026-4").text
    assert f'id="application-{second.id}"' in page and f'id="application-{first.id}"' not in page
    assert '<option value="2026-4" lang="zh-CN" selected>2026-4</option>' in page  # no profile: the id
    review = browser.get(f"/review/applications/{first.id}").text
    assert 'id="roster-badge"' in review and "未导入参保名单" in review


def test_the_queue_exports_to_excel_exactly_as_filtered(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    shown = make_application(session, world, clock.now, steps=1)
    hidden = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    tail = shown.applicant.id_number[-4:]
    with browser.post(f"/review/queue.xlsx?tab=handler&q={tail}") as response:
        sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["申报人", "证件号码", "工作单位"]
    names = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert names == [shown.applicant.name] and hidden.applicant.name not in names
    assert (
        sheet.cell(2, 2).value == shown.applicant.id_number
    )  # the applicant's own enterprise sees it in full
    department = login_as(world.department.handler)
    with department.post("/review/queue.xlsx?tab=all") as response:
        assert load_workbook(io.BytesIO(response.data)).active.max_row == 1  # type: ignore[union-attr]


def test_statistics_count_what_the_organisation_sees(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    make_application(session, world, clock.now, steps=1)
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    page = login_as(world.enterprise.leader).get("/review/statistics").text
    assert "共 2 件申报" in page and "<svg" in page and "已提交，待经办人初审" in page
    department = login_as(world.department.leader).get("/review/statistics?level=中级").text
    assert "共 1 件申报" in department
    assert login_as(world.admin).get("/review/statistics").status_code == 403


def test_statistics_and_the_queue_filter_name_the_batches_as_people_call_them(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The 按批次 chart labelled its bars with the batches' ids ("2026-4"), and the queue's 批次 filter
    # offered the ids.
    made = [make_application(session, world, clock.now, steps=1) for _ in range(3)]
    world.bureau.org.policy_profile = "ganzhou-2026"
    in_batch(session, made[0], "2026-4")
    in_batch(session, made[1], "2025-9", name=None)  # submitted before names were kept (migration 0038)
    in_batch(session, made[2], None)
    page = login_as(world.enterprise.leader).get("/review/statistics").text
    assert "2026年第四批：1件" in page and "2026-4：" not in page
    assert "2025-9：1件" in page and "未分批：1件" in page  # a batch the profile does not hold; none
    filtered = login_as(world.enterprise.leader).get("/review/statistics?batch=2026-4").text
    assert "共 1 件申报" in filtered  # a choice, not an id to type
    assert '<option value="2026-4" lang="zh-CN" selected>2026年第四批</option>' in filtered
    queue = login_as(world.enterprise.leader).get("/review/queue?tab=all&batch=2026-4").text
    assert '<option value="2026-4" lang="zh-CN" selected>2026年第四批</option>' in queue
    assert '<option value="2025-9" lang="zh-CN" >2025-9</option>' in queue


def test_a_batch_the_profile_no_longer_holds_is_named_as_it_was_at_submission(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Last year's batch (carried over into 2026) or an admin's window since deleted: the queue filter, the
    # statistics and the case page showed the bare id "2025-4". The name kept at submission is shown; a
    # batch the profile holds is named as the profile names it now.
    carried = make_application(session, world, clock.now, steps=1)
    in_batch(session, carried, "2025-4", name="2025年第四批")
    current = make_application(session, world, clock.now, steps=1)
    in_batch(session, current, "2026-4", name="2026年第四批（已改名）")
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.commit()
    leader = login_as(world.enterprise.leader)
    queue = leader.get("/review/queue?tab=all").text
    assert '<option value="2025-4" lang="zh-CN" >2025年第四批</option>' in queue
    assert '<option value="2026-4" lang="zh-CN" >2026年第四批</option>' in queue
    statistics = leader.get("/review/statistics").text
    assert "2025年第四批：1件" in statistics and "2025-4：" not in statistics
    case = leader.get(f"/review/applications/{carried.id}").text
    assert "受理批次：2025年第四批" in case
    with leader.post("/review/queue.xlsx?tab=all") as response:  # the Excel's 批次 column wrote the ids
        sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    batches = {sheet.cell(r, 1).value: sheet.cell(r, 8).value for r in range(2, sheet.max_row + 1)}
    assert batches == {carried.applicant.name: "2025年第四批", current.applicant.name: "2026年第四批"}


def test_the_queue_filter_shows_a_batch_renamed_by_the_admin_at_once(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The filter's options are remembered by the scope's change counters; an admin's window row naming a
    # batch moved none of them, so the queue offered the old name until something else changed.
    made = make_application(session, world, clock.now, steps=1)
    world.bureau.org.policy_profile = "ganzhou-2026"
    in_batch(session, made, "2026-4")
    session.commit()
    leader = login_as(world.enterprise.leader)
    assert ">2026年第四批</option>" in leader.get("/review/queue?tab=all").text
    policies.save_window(
        session,
        actor_for(world.admin, world.admin_membership),
        policies.WindowInput(
            batch_id="2026-4",
            batch_name="2026年第四批（补报）",
            authority="all",
            levels="中级",
            opens="2026-12-01",
            closes="2026-12-20",
            citation="000 附件（测试数据）",
        ),
        clock.now,
    )
    session.commit()
    page = leader.get("/review/queue?tab=all").text
    assert ">2026年第四批（补报）</option>" in page and ">2026年第四批</option>" not in page
