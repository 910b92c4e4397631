"""Issue 22 (the queue conventions on the meetings list): the list exported to Excel as shown (the same
tab), and live: its poll is a 304 while the meetings counter of the reader's bureau (services.versions)
stays the same, and a fresh list after any change — a new meeting (an ORM write) or a changed plan (the
meeting's compare-and-set, a Core write) — for the office and the bureau alike."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.models import Meeting, StaffRole
from portal.services import results
from portal.services.calendar import today
from portal.services.submissions import new_token
from tests.conftest import Clock, db_engine
from tests.factories import (
    committee_road,
    make_committee,
    make_committee_world,
    make_review_application,
    staff_login,
    to_meeting,
    to_published,
)
from tests.i18n.reading import in_english
from tests.statements import read_page, recorded


def _poll(client: Any, etag: str, tab: str = "all") -> Any:
    return client.get(
        f"/committees/meetings?tab={tab}", headers={"HX-Request": "true", "If-None-Match": f'"{etag}"'}
    )


def test_the_meetings_list_polls_by_its_counter_and_exports_what_it_shows(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    office = made.office
    handler = login_as(office.handler, membership_id=office.handler_membership.id)
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    first = handler.get("/committees/meetings")
    etag, bureau_etag = first.get_etag()[0], bureau.get("/committees/meetings").get_etag()[0]
    assert 'hx-trigger="every 15s"' in first.text and etag in first.text
    assert _poll(handler, etag).status_code == 304 and _poll(bureau, bureau_etag).status_code == 304

    day = today(clock.now) + timedelta(days=30)
    planned = handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
    )
    assert planned.status_code == 303
    fresh = _poll(handler, etag)
    assert fresh.status_code == 200 and "市人社局会议室" in fresh.text and 'id="meetings"' in fresh.text
    assert "<html" not in fresh.text  # the list's block alone
    assert _poll(bureau, bureau_etag).status_code == 200  # the bureau's list moved too
    etag = fresh.get_etag()[0]
    assert _poll(handler, etag).status_code == 304

    meeting = session.query(Meeting).one()
    handler.post(
        f"/committees/meetings/{meeting.id}/plan",
        data={"held_on": day.isoformat(), "place": "市民中心二楼", "plan": "", "pass_rate_limit": ""},
    )
    moved = _poll(handler, etag)
    assert moved.status_code == 200 and "市民中心二楼" in moved.text

    # Excel of what the tab shows: the preparing tab holds it, the results tab does not.
    book = load_workbook(io.BytesIO(handler.get("/committees/meetings.xlsx?tab=preparing").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("会议日期", "会议地点", "评委会") and rows[1][1] == "市民中心二楼"
    assert rows[1][2] == made.committee.name and rows[1][5] == meeting.filing_clause
    empty = load_workbook(io.BytesIO(handler.get("/committees/meetings.xlsx?tab=results").data))
    assert len(list(empty.active.iter_rows(values_only=True))) == 1
    assert 'id="export-meetings"' in handler.get("/committees/meetings?tab=preparing").text


def test_the_list_counts_the_agenda_in_the_reader_s_words(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # English read "1 people" for a one-person agenda (and "person" where the column counts applicants).
    from tests.factories import filed_meeting

    world, made, application = committee_road(session, clock)
    filed_meeting(session, world, made, [application], clock.now, pool=5)
    handler = staff_login(login_as, made.office)
    assert "<td>1 人</td>" in handler.get("/committees/meetings").text
    in_english(handler)
    english = handler.get("/committees/meetings").text
    assert "<td>1 applicant</td>" in english and "1 applicants" not in english  # the agenda: applicants


def test_the_plan_form_says_the_office_s_own_filing_rule(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The hint named both cities' rules (Zhenjiang 15 days, Dongchuan 12 working days) to every office.
    for profile, rule, other in (
        ("zhenjiang-2024", "会议召开15天前报市职称办（003 六(一)）", "东川"),
        ("kunming-2022", "会议召开12个工作日前报东川区人力资源和社会保障局（004 一(六)）", "镇江"),
    ):
        world = make_committee_world(session, clock.now, profile=profile)
        office = make_committee(session, world, clock.now).office
        handler = login_as(office.handler, membership_id=office.handler_membership.id)
        page = handler.get("/committees/meetings").text
        assert f"报备截止日按本局政策配置自动算出：{rule}" in page and other not in page
        english = in_english(handler).get("/committees/meetings").text
        days = "15 days before the meeting" if other == "东川" else "12 working days before the meeting"
        assert f"computed from the bureau&#39;s policy profile: {days}, filed with" in english


def test_an_unchanged_meetings_poll_is_answered_before_flask_and_a_new_meeting_moves_list_and_counts(
    app: Any, session: Session, clock: Clock, login_as: Any
) -> None:
    # The meetings list's poll went through Flask every 15 s (the login, the actor, the counter) where the
    # queue's is answered by the poll shortcut; and its tab counts sat outside the polled part, so a new
    # meeting showed in the list while 筹备中 still counted 0.
    from tests.web.test_poll_shortcut import _shortcut

    world = make_committee_world(session, clock.now)
    office = make_committee(session, world, clock.now).office
    handler = login_as(office.handler, membership_id=office.handler_membership.id)
    hx = {"HX-Request": "true", "HX-Target": "meetings"}
    with recorded(db_engine(app)) as sent:
        tag = handler.get("/committees/meetings?tab=all", headers=hx).headers["ETag"].strip('"')
        assert _poll(handler, tag).status_code == 304  # Flask answers, and remembers
        sent.clear()
        quick = handler.get("/committees/meetings?tab=all", headers={**hx, "If-None-Match": f'"{tag}"'})
        assert quick.status_code == 304 and _shortcut(sent), sent

        day = today(clock.now) + timedelta(days=30)
        handler.post(
            "/committees/meetings",
            data={"held_on": day.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
        )
        session.commit()
        fresh = handler.get("/committees/meetings?tab=all", headers={**hx, "If-None-Match": f'"{tag}"'})
    assert fresh.status_code == 200 and "市人社局会议室" in fresh.text
    assert 'id="count-preparing">1</span>' in fresh.text and "<html" not in fresh.text


def _row(page: str, meeting_id: int) -> str:
    row = re.search(rf'<tr id="meeting-{meeting_id}">(.*?)</tr>', page, re.S)
    assert row is not None, page
    return row.group(1)


def _published_with_two_passed(session: Session, clock: Clock) -> tuple[Any, Any, Any, Any]:
    """A committee's published meeting that passed two applications, none with its number yet."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    first, second = (make_review_application(session, world, clock.now) for _ in range(2))
    for application in (first, second):
        clock.now = to_meeting(session, world, made, application, clock.now)
    clock.now = to_published(session, world, made, [first, second], clock.now)
    return world, made, first, second


def test_a_published_meeting_s_row_says_how_far_its_certificate_numbers_are_entered(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The list said 评审结果已公布 of a meeting whose every passed person had the province's number: the
    row now says 证书编号已录入 1/2 while some are missing and 证书编号已全部录入 once all are; the poll
    brings each number."""
    world, made, first, second = _published_with_two_passed(session, clock)
    meeting = session.query(Meeting).one()
    bureau = staff_login(login_as, world.bureau)
    shown = bureau.get("/committees/meetings")
    row = _row(shown.text, meeting.id)
    assert "评审结果已公布" in row and "证书编号已录入 0/2" in row and "全部录入" not in row
    handler = world.bureau.actor(StaffRole.HANDLER)
    results.record_certificate(session, handler, first.id, "JS2026-0000301", clock.now)
    session.commit()
    moved = _poll(bureau, shown.get_etag()[0])
    assert moved.status_code == 200 and "证书编号已录入 1/2" in _row(moved.text, meeting.id)
    results.record_certificate(session, handler, second.id, "JS2026-0000302", clock.now)
    session.commit()
    moved = _poll(bureau, moved.get_etag()[0])
    assert moved.status_code == 200
    row = _row(moved.text, meeting.id)
    assert f'id="numbers-{meeting.id}"' in row and "证书编号已全部录入" in row and "已录入 2/2" not in row
    assert "证书编号已全部录入" in _row(
        staff_login(login_as, made.office).get("/committees/meetings").text, meeting.id
    )
    english = in_english(bureau).get("/committees/meetings").text
    assert "All certificate numbers entered" in _row(english, meeting.id)


def _sheet(client: Any, tab: str = "all") -> list[tuple[Any, ...]]:
    response = client.get(f"/committees/meetings.xlsx?tab={tab}")
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))


def test_the_meetings_export_says_how_far_each_published_meeting_s_numbers_are_entered(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The list said 证书编号已录入 1/2 of a published meeting and its Excel only 评审结果已公布: the export
    now has the list's words in a column of their own, in Chinese whatever the reader's language (a
    document, as its other columns); a meeting not yet published leaves it empty."""
    world, made, first, second = _published_with_two_passed(session, clock)
    handler = world.bureau.actor(StaffRole.HANDLER)
    results.record_certificate(session, handler, first.id, "JS2026-0000401", clock.now)
    office = staff_login(login_as, made.office)
    planned = office.post(
        "/committees/meetings",
        data={
            "held_on": (today(clock.now) + timedelta(days=30)).isoformat(),
            "place": "市民中心二楼",
            "form_token": new_token(),
        },
    )
    assert planned.status_code == 303
    session.commit()

    bureau = staff_login(login_as, world.bureau)
    rows = _sheet(bureau)
    assert rows[0][-2:] == ("状态", "证书编号录入")
    by_place = {row[1]: row for row in rows[1:]}
    published = next(row for place, row in by_place.items() if place != "市民中心二楼")
    assert published[-2:] == ("评审结果已公布", "证书编号已录入 1/2")
    assert by_place["市民中心二楼"][-1] is None  # planned: nothing to enter yet
    assert _sheet(bureau, "results")[1][-1] == "证书编号已录入 1/2"  # the tab as shown

    results.record_certificate(session, handler, second.id, "JS2026-0000402", clock.now)
    session.commit()
    assert _sheet(office, "results")[1][-2:] == ("评审结果已公布", "证书编号已全部录入")
    in_english(bureau)
    assert _sheet(bureau, "results")[1][-1] == "证书编号已全部录入"  # a document: Chinese


def test_the_list_reads_as_many_statements_for_three_published_meetings_as_for_one(
    app: Any, session: Session, clock: Clock, login_as: Any
) -> None:
    """The numbers entered are counted for every published meeting listed in one grouped statement."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    # All three made and waiting for a meeting first; then three meetings side by side, each with its own
    # panel and vote, from the same day (one after the other would run into 2027, a year with no calendar).
    applications = [make_review_application(session, world, clock.now) for _ in range(3)]
    for application in applications:
        clock.now = to_meeting(session, world, made, application, clock.now)
    start = clock.now
    clock.now = to_published(session, world, made, applications[:1], start)
    bureau = staff_login(login_as, world.bureau)

    one, text = read_page(bureau, db_engine(app), "/committees/meetings")
    assert text.count('id="numbers-') == 1
    one_exported = _exported(bureau, app)
    for application in applications[1:]:
        to_published(session, world, made, [application], start)
    three, text = read_page(bureau, db_engine(app), "/committees/meetings")
    assert text.count('id="numbers-') == 3 and text.count("证书编号已录入 0/1") == 3
    assert len(three) == len(one), (one, three)
    grouped = [s for s in three if "GROUP BY" in s and "meeting_entries" in s]
    assert len(grouped) == 1, three
    # Its Excel counts them the same way: as many statements for three rows as for one, one of them grouped.
    three_exported = _exported(bureau, app)
    assert len(three_exported) == len(one_exported), (one_exported, three_exported)
    assert [s for s in three_exported if "GROUP BY" in s and "meeting_entries" in s] == grouped


def _exported(client: Any, app: Any) -> list[str]:
    """The statements the meetings' Excel sends (a first download goes before, unrecorded, as read_page's)."""
    client.get("/committees/meetings.xlsx")
    with recorded(db_engine(app)) as sent:
        response = client.get("/committees/meetings.xlsx")
    assert response.status_code == 200
    return sent
