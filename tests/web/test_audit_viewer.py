"""The bureau admin's audit viewer as a reader sees it: actions, roles and statuses by name in either
language, and the rows newest first by their time, page after page."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import StaffRole
from portal.services import audit, audit_trail
from portal.services.actors import SYSTEM, Actor, actor_for
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_world
from tests.i18n.reading import in_english, leaks

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _times(fragment: str) -> list[str]:
    return re.findall(r"<tr><td>(.*?)</td>", fragment)


def _resubmitted(world: World, session: Session, clock: Clock, object_type: str) -> Actor:
    """An applicant's resubmission of #7 recorded about `object_type` (returned → unit_review); the actor."""
    applicant = world.enterprise.actor(StaffRole.HANDLER)
    audit.record(
        session, applicant, "resubmit", clock.now, object_type=object_type, object_id=7, role="applicant",
        from_status="returned", to_status="unit_review",
    )  # fmt: skip
    return applicant


def test_actions_roles_and_statuses_read_as_names_not_codes(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """A reviewer read "applicant · resubmit（returned→unit_review）· application #7" and a filter of codes
    (acknowledge_warnings, add_staff, handler_approve …)."""
    applicant = _resubmitted(world, session, clock, "probe")
    audit.record(session, applicant, "acknowledge_warnings", clock.now, object_type="probe", object_id=7)
    audit.record(session, applicant, "an_old_code", clock.now, object_type="probe", object_id=7)
    session.flush()
    browser = login_as(world.admin)
    page = browser.get("/admin/audit", query_string={"object_type": "probe"}).text
    rows = page.split('id="audit-rows"')[1]
    assert "补正后重新提交（已退回补正 → 单位审核中，待领导签批）" in rows and "<td>申报人</td>" in rows
    assert "确认知悉提示" in rows and "returned→unit_review" not in rows
    assert "<code>resubmit</code>" in rows  # the code, as a secondary detail
    assert ">an_old_code" in rows  # a code nobody names any more: as written
    actions = page.split('name="action"')[1].split("</select>")[0]  # the action filter's list alone
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', actions)
    assert ("acknowledge_warnings", "确认知悉提示") in options and ("an_old_code", "an_old_code") in options
    assert all(code != title for code, title in options if code != "an_old_code")
    filtered = browser.get("/admin/audit", query_string={"action": "acknowledge_warnings"}, headers=HX).text
    assert "确认知悉提示" in filtered and "补正后重新提交" not in filtered

    in_english(browser)
    page = browser.get("/admin/audit", query_string={"object_type": "probe"}).text
    rows = page.split('id="audit-rows"')[1]
    assert (
        "Resubmit after correction (Returned for correction → Under the employer&#39;s review, awaiting the "
        "leader&#39;s sign-off)" in rows
    )
    assert "<td>Applicant</td>" in rows and "Acknowledge the warnings" in rows
    assert leaks(f'<html lang="en"><body>{rows.split("</table>")[0]}</body></html>')[1] == []
    assert '<option value="acknowledge_warnings" >Acknowledge the warnings</option>' in page


def test_rows_come_newest_first_by_time_across_pages(
    world: World, session: Session, clock: Clock, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's history is backdated, so ids and times disagree: ordered by id the log read "7 Dec,
    27 Oct, 4 Dec …". Newest first by time now, ties by id, and the keyset pages neither skip nor repeat."""
    actor = world.enterprise.actor(StaffRole.HANDLER)
    days = [40, 3, 25, 3, 0, 17, 3, 9]  # days before now, in the order written (ids ascending)
    for number, ago in enumerate(days):
        audit.record(
            session, actor, "login", clock.now - timedelta(days=ago), object_type="probe", object_id=number
        )
    session.flush()
    monkeypatch.setattr(audit_trail, "PAGE_SIZE", 3)
    browser = login_as(world.admin)
    seen: list[int] = []
    url: str | None = "/admin/audit?object_type=probe"
    while url:
        page = browser.get(url).text
        seen += [int(n) for n in re.findall(r"probe #(\d+)", page)]
        found = re.search(r'<a href="([^"]+)">更早的记录</a>', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    expected = sorted(range(len(days)), key=lambda n: (days[n], -n))  # newest first, later id first on ties
    assert seen == expected == [4, 6, 3, 1, 7, 5, 2, 0]


def test_the_object_reads_as_words_its_filter_is_a_list_and_the_export_writes_words(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """A reviewer read "application #7" in the Object column, typed codes into a free-text object filter,
    and found the same codes (and action codes, roles, statuses) in the Excel export."""
    applicant = _resubmitted(world, session, clock, "application")
    audit.record(session, applicant, "cancel_meeting", clock.now, object_type="meeting", object_id=3)
    audit.record(session, applicant, "login", clock.now, object_type="an_old_type", object_id=5)
    session.flush()
    browser = login_as(world.admin)
    page = browser.get("/admin/audit", query_string={"object_type": "application"}).text
    rows = page.split('id="audit-rows"')[1]
    assert "<td>申报 #7</td>" in rows and "application #7" not in rows and "评审会议 #3" not in rows
    # A list of the kinds recorded, by name, the chosen one still chosen after the submit.
    select = page.split('<select id="object_type" name="object_type">')[1].split("</select>")[0]
    options = re.findall(r'<option value="([a-z_]*)" ?(selected)?>([^<]*)</option>', select)
    assert ("", "", "全部") in options and ("application", "selected", "申报") in options
    assert ("meeting", "", "评审会议") in options and ("an_old_type", "", "an_old_type") in options
    assert [o for o in options if o[1]] == [("application", "selected", "申报")]
    everything = browser.get("/admin/audit").text.split('id="audit-rows"')[1]
    assert "<td>评审会议 #3</td>" in everything and "<td>an_old_type #5</td>" in everything
    # A kind no row of the admin's has (typed into the URL) stays chosen, as written, not shown as 全部.
    typed = browser.get("/admin/audit", query_string={"object_type": "nothing_here"}).text
    assert '<option value="nothing_here" selected>nothing_here</option>' in typed

    export = browser.post("/admin/audit.xlsx", query_string={"object_type": "application"})
    sheet = load_workbook(io.BytesIO(export.data)).active
    header, *data = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[5:12] == ["操作", "操作代码", "对象类型", "对象编号", "结果", "原状态", "新状态"]
    (row,) = data
    named = dict(zip(header, row, strict=True))
    assert isinstance(named["编号"], int) and named["对象编号"] == 7  # ids stay numbers
    assert named["单位编号"] == world.enterprise.org.id
    assert named["身份"] == "申报人" and named["对象类型"] == "申报" and named["结果"] == "成功"
    assert named["操作"] == "补正后重新提交" and named["操作代码"] == "resubmit"
    assert (named["原状态"], named["新状态"]) == ("已退回补正", "单位审核中，待领导签批")

    in_english(browser)
    page = browser.get("/admin/audit", query_string={"object_type": "application"}).text
    assert "<td>Application #7</td>" in page.split('id="audit-rows"')[1]
    assert '<option value="application" selected>Application</option>' in page


def test_a_handoff_export_made_on_the_command_line_is_read_by_the_bureaus_it_exported(
    app: Flask, session: Session, clock: Clock, login_as: Any, tmp_path: Path
) -> None:
    """`flask handoff build` records its export with no user and no organisation, about no object of a
    tree: it was in the chain and in no bureau's viewer. Each bureau whose cases it wrote reads it now,
    naming its own cases only, and not another bureau's."""
    worlds, cases = [], []
    for _ in range(2):
        bureau_world = make_world(session)
        worlds.append(bureau_world)
        cases.append(make_application(session, bureau_world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED]))
        bureau_world.bureau.org.policy_profile = "ganzhou-2026"  # then on Ganzhou's: both hand off to jx
    session.flush()
    result = app.test_cli_runner().invoke(
        args=["handoff", "build", "--target", "jx", "--out", str(tmp_path / "jx"), "--all"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["applications"] == 2  # one export of both
    for bureau_world, case in zip(worlds, cases, strict=True):
        admin = bureau_world.admin.memberships[0]
        rows, _ = audit_trail.page(
            session, actor_for(bureau_world.admin, admin), audit_trail.AuditQuery(action="export_handoff")
        )
        (row,) = rows
        assert row.actor_id is None and row.org_id == bureau_world.bureau.org.id
        assert row.detail["applications"] == [case.id] and row.detail["via"] == "cli"
        page = login_as(bureau_world.admin).get("/admin/audit", query_string={"actor": "系统"}).text
        assert "导出报送数据" in page.split('id="audit-rows"')[1]


def test_the_system_s_own_events_and_attempts_by_nobody_logged_in_are_named_apart(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Both read "（未登录/系统）": a vote's tally and a failed login of an account
    nobody holds. The system's own is 系统; an attempt by a person with no session is 未登录, in the list
    (either language) and the export; the actor filter finds each by its own name."""
    application = make_application(session, world, clock.now)
    audit.record(
        session, SYSTEM, "tally", clock.now, object_type="application", object_id=application.id
    )  # fmt: skip
    nobody = Actor(0, "", ip="10.0.0.9", request_id="Nlogin00")  # as auth.login records an unknown account
    audit.record(
        session, nobody, "login", clock.now + timedelta(seconds=1), object_type="user", outcome="denied",
        detail={"code": "unknown_login"},
    )  # fmt: skip
    session.flush()
    browser = login_as(world.admin)

    def actors(**query: Any) -> list[tuple[str, str]]:
        """(the actor cell, the action's code) of each row the filter shows."""
        page = browser.get("/admin/audit", query_string=query, headers=HX).text
        return re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>.*?<code>(\w+)</code>", page, re.S)

    assert ("（未登录）", "login") in actors() and ("（系统）", "tally") in actors()
    assert {code for cell, code in actors(actor="系统") if cell == "（系统）"} >= {"tally"}
    assert all(cell == "（系统）" for cell, _ in actors(actor="系统"))
    assert actors(actor="未登录") == [("（未登录）", "login")]
    export = browser.post("/admin/audit.xlsx", query_string={"actor": "未登录"})
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(min_row=2, values_only=True))
    assert [(row[2], row[6]) for row in rows] == [("（未登录）", "login")]
    in_english(browser)
    assert ("(not logged in)", "login") in actors() and ("(system)", "tally") in actors()
    assert actors(actor="not logged in") == [("(not logged in)", "login")]
