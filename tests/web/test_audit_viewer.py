"""The bureau admin's audit viewer as a reader sees it: actions, roles and statuses by name in either
language, and the rows newest first by their time, page after page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.models import StaffRole
from portal.services import audit, audit_trail
from tests.conftest import Clock
from tests.factories import World, make_world
from tests.i18n.reading import in_english, leaks

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _times(fragment: str) -> list[str]:
    return re.findall(r"<tr><td>(.*?)</td>", fragment)


def test_actions_roles_and_statuses_read_as_names_not_codes(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """A reviewer read "applicant · resubmit（returned→unit_review）· application #7" and a filter of codes
    (acknowledge_warnings, add_staff, handler_approve …)."""
    applicant = world.enterprise.actor(StaffRole.HANDLER)
    audit.record(
        session, applicant, "resubmit", clock.now, object_type="probe", object_id=7, role="applicant",
        from_status="returned", to_status="unit_review",
    )  # fmt: skip
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
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', page.split('name="action"')[1])
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
