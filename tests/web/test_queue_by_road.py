"""The queue and the statistics name a certificate by its road: the statistics count 已认定发证 and
评审通过，已发证 apart (the words of the rows' badges), the status filter — one choice selecting both roads'
certificates — names it neutrally 已发证, and the queue's Excel writes each row's status as its badge."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Application, StaffRole
from portal.services import queues, results
from tests.conftest import Clock
from tests.factories import STEPS_TO, committee_road, make_application, staff_login
from tests.i18n.reading import assert_english, in_english


def _both(session: Session, clock: Clock) -> tuple[Any, Application, Application]:
    world, _made, reviewed = committee_road(session, clock, published=True)
    handler = world.bureau.actor(StaffRole.HANDLER)
    results.record_certificate(session, handler, reviewed.id, "JS2026-0000001", clock.now)
    recognised = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    session.refresh(reviewed)
    assert reviewed.state is Status.CERTIFIED and reviewed.road_taken == "committee"
    return world, reviewed, recognised


def test_the_statistics_count_each_road_s_certificates_by_its_words(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, _reviewed, _recognised = _both(session, clock)
    stats = queues.statistics(session, world.bureau.actor(StaffRole.LEADER), queues.Filters(), clock.now)
    counts = dict(stats.by_status)
    assert counts["已认定发证"] == 1 and counts["评审通过，已发证"] == 1
    assert stats.total == sum(counts.values())
    page = staff_login(login_as, world.bureau, StaffRole.LEADER).get("/review/statistics").text
    assert "<title>评审通过，已发证：1件</title>" in page and "<title>已认定发证：1件</title>" in page
    bar = re.search(r'class="bar bar-(\w+)"><title>评审通过，已发证：1件</title>', page)
    assert bar is not None and bar.group(1) == "done"  # coloured as its badge


def test_the_status_filter_names_certificates_of_both_roads_neutrally(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, reviewed, recognised = _both(session, clock)
    browser = staff_login(login_as, world.bureau, StaffRole.LEADER)
    page = browser.get("/review/queue?tab=all").text
    assert '<option value="certified" >已发证</option>' in page
    assert ">已认定发证</option>" not in page
    chosen = browser.get("/review/queue?tab=all&status=certified").text
    assert '<option value="certified" selected>已发证</option>' in chosen
    assert reviewed.applicant.name in chosen and recognised.applicant.name in chosen
    english = in_english(staff_login(login_as, world.bureau, StaffRole.LEADER)).get("/review/queue?tab=all")
    assert_english(english.text)
    assert '<option value="certified" >Certificate issued</option>' in english.text


def test_the_queue_excel_writes_each_certificate_s_road(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, reviewed, recognised = _both(session, clock)
    browser = staff_login(login_as, world.bureau, StaffRole.LEADER)
    with browser.post("/review/queue.xlsx?tab=all&status=certified") as response:
        sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    column = [c.value for c in sheet[1]].index("状态") + 1
    status = {sheet.cell(r, 1).value: sheet.cell(r, column).value for r in range(2, sheet.max_row + 1)}
    assert status == {reviewed.applicant.name: "评审通过，已发证", recognised.applicant.name: "已认定发证"}
