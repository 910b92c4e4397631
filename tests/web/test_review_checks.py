"""EXP-03 on the screens (Ganzhou: the employer's and the department's handler confirm that they checked the
applicant's work experience and achievements, 001 四(五)): the queue row's 经办人初审通过 comes with the
check to tick, as does the case page's form and the bulk bar; without the tick the server refuses with the
clause; with it the case moves on. The profile is read once per request, not per row."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from tests.conftest import Clock, db_engine
from tests.factories import STEPS_TO, World, make_application, make_world
from tests.i18n.reading import in_english
from tests.statements import recorded

HX = {"HX-Request": "true", "HX-Target": "queue"}
WORDS = "已核实工作经历和业绩成果符合申报条件（001 四(五)）"
REFUSED = "请先核实申报人的工作经历和业绩成果是否符合申报条件，勾选确认后再办理（001 四(五)）"


@pytest.fixture
def world(session: Session, clock: Clock) -> World:
    clock.now = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # within ganzhou-2026's fourth batch
    return make_world(session, policy_profile="ganzhou-2026")


def _act(client: Any, application_id: int, version: int, **extra: str) -> Any:
    data = {"action": "handler_approve", "version": str(version), "back": "/review/queue", **extra}
    return client.post(f"/review/applications/{application_id}/act", data=data, headers=HX)


def test_the_row_the_case_page_and_the_bulk_bar_ask_the_check_and_the_server_refuses_without_it(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    first, second = (
        make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED]) for _ in range(2)
    )
    hr = login_as(world.enterprise.handler)
    queue = hr.get("/review/queue?tab=handler").text
    row = queue.split(f'id="application-{first.id}"', 1)[1].split("</tr>", 1)[0]
    assert f'<input type="checkbox" name="verified" value="1" required> {WORDS}</label>' in row
    bar = queue.split('id="bulk-choice"', 1)[1].split("</span>", 1)[0]
    assert 'name="verified" value="1" required>' in bar and f"{WORDS}（勾选的每件申报）" in bar
    case_page = hr.get(f"/review/applications/{first.id}").text
    assert re.search(
        r'id="verify-handler_approve"><input type="checkbox" name="verified" value="1" required>', case_page
    )

    refused = _act(hr, first.id, first.version)
    assert refused.status_code == 422 and REFUSED in refused.text
    session.refresh(first)
    assert first.state is Status.SUBMITTED
    done = _act(hr, first.id, first.version, verified="1")
    assert done.status_code == 200 and "已经办人初审通过" in done.text
    session.refresh(first)
    assert first.state is Status.UNIT_REVIEW

    # The bulk bar: unticked, the row is listed as refused with the clause; ticked, it is done.
    hr.post("/review/bulk", data={"action": "handler_approve", "ids": [str(second.id)]})
    session.refresh(second)
    assert second.state is Status.SUBMITTED
    hr.post("/review/bulk", data={"action": "handler_approve", "ids": [str(second.id)], "verified": "1"})
    session.refresh(second)
    assert second.state is Status.UNIT_REVIEW


def test_the_bar_s_check_holds_back_approval_not_packaging(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # 打包下载所选 sits in the bulk bar's form, whose EXP-03 tick is required where 初审通过 is its only move:
    # the browser would not send the ticked rows to be packaged until the reviewer declared them checked.
    for _ in range(2):
        make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    queue = login_as(world.enterprise.handler).get("/review/queue?tab=handler").text
    bar = queue.split('id="bulk-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="verified" value="1" required>' in bar
    assert re.search(r'<button [^>]*\bformnovalidate\b[^>]*id="package-selected"', bar)
    assert not re.search(r'<button [^>]*\bformnovalidate\b[^>]*id="bulk-act"', bar)  # approving still asks


def test_the_check_reads_in_english(world: World, session: Session, clock: Clock, login_as: Any) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    hr = in_english(login_as(world.enterprise.handler))
    page = hr.get(f"/review/applications/{application.id}").text
    assert "Work experience and achievements checked against the application conditions" in page
    refused = _act(hr, application.id, application.version)
    assert "Check the applicant&#39;s work experience and achievements" in refused.text


def test_the_queue_reads_the_profile_once_whatever_the_number_of_rows(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    hr = login_as(world.enterprise.handler)

    def profile_reads() -> int:
        hr.get("/review/queue?tab=handler", headers=HX)  # warm: the cookie's idle clock re-signed once
        with recorded(db_engine(app)) as sent:
            page = hr.get("/review/queue?tab=handler", headers=HX).text
        assert page.count(f"required> {WORDS}</label>") == page.count("<tr id=")
        read = [s.split(" FROM ", 1)[1].split()[0] for s in sent if " FROM " in s]
        return sum(1 for table in read if table in ("organisations", "policy_windows", "authority_contacts"))

    assert profile_reads() == 3  # the bureau, its admin's windows and its authority contacts
    for _ in range(3):
        make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    assert profile_reads() == 3
