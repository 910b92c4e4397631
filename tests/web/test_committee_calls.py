"""Issue 22.8 on the screens: a committee's call (评审通知, 004 一(三), WIN-07). The office drafts it (an
intake opening less than the profile's month away is refused on its field with the earliest day and the
clause), its leader files it with the bureau, the bureau refuses with a reason or accepts, the office's
leader publishes it, and then (only then) anyone reads it on the public page. Zhenjiang has no call rule:
the office is told so instead of a form."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, CallStatus, CommitteeCall
from portal.services.calendar import today
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world


def _form(clock: Clock, days: int) -> dict[str, str]:
    opens = today(clock.now) + timedelta(days=days)
    return {
        "title": "东川区2026年度工程系列中级职称评审通知",
        "intake_opens": opens.isoformat(),
        "intake_closes": (opens + timedelta(days=20)).isoformat(),
        "requirements": "申报材料：申报表、学历证书、业绩材料\n按省评价标准条件执行",
        "form_token": new_token(),
    }


def test_a_call_is_drafted_filed_accepted_published_and_then_public(
    session: Session, clock: Clock, login_as: Any, app: Any
) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    made = make_committee(session, world, clock.now, place="东川区")
    office = made.office
    handler = login_as(office.handler, membership_id=office.handler_membership.id)
    leader = login_as(office.leader, membership_id=office.leader_membership.id)
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    public = app.test_client()

    empty = handler.get("/committees/calls")
    assert empty.status_code == 200 and "这里还没有评审通知" in empty.text and 'id="draft-call"' in empty.text
    too_soon = handler.post("/committees/calls", data=_form(clock, 10))
    assert too_soon.status_code == 422 and "至少提前1个月" in too_soon.text and "004 一(三)" in too_soon.text
    assert "按省评价标准条件执行" in too_soon.text  # nothing typed is lost
    assert session.query(CommitteeCall).count() == 0
    drafted = handler.post("/committees/calls", data=_form(clock, 45))
    assert drafted.status_code == 303
    call = session.query(CommitteeCall).one()
    page = handler.get(drafted.headers["Location"])
    assert call.title in page.text and 'id="publish-why-not"' in page.text
    assert "报备须由办事机构领导签发" in page.text
    # Not the handler's step: refused like every other step of the committee pages, its reason flashed on
    # the call's page (303 back there), nothing filed, and the refusal of the person audited.
    not_leader = handler.post(f"/committees/calls/{call.id}/file")
    assert not_leader.status_code == 303 and not_leader.headers["Location"] == f"/committees/calls/{call.id}"
    session.refresh(call)
    assert call.state is CallStatus.DRAFT
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_denied").order_by(AuditEvent.id.desc())
    ).first()
    assert denied is not None and (denied.actor_id, denied.outcome) == (office.handler.id, "denied")
    assert denied.detail["endpoint"] == "committees.file_call"
    assert "评审通知由办事机构领导报人社局备案" in handler.get(not_leader.headers["Location"]).text
    # The bureau does not see the office's draft.
    assert bureau.get(f"/committees/calls/{call.id}").status_code == 404
    assert public.get("/public/calls").status_code == 200
    assert public.get(f"/public/calls/{call.id}").status_code == 404

    unfiled = leader.post(f"/committees/calls/{call.id}/publish", follow_redirects=True)
    assert "须先报人社局备案" in unfiled.text
    session.refresh(call)
    assert call.state is CallStatus.DRAFT
    assert leader.post(f"/committees/calls/{call.id}/file").status_code == 303
    session.refresh(call)
    assert call.state is CallStatus.FILED

    listed = bureau.get("/committees/calls?tab=filed")
    assert call.title in listed.text and 'id="count-filed">1<' in listed.text
    book = load_workbook(io.BytesIO(bureau.get("/committees/calls.xlsx?tab=filed").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("标题", "评委会") and rows[1][:2] == (call.title, made.committee.name)
    assert (
        len(
            list(
                load_workbook(io.BytesIO(bureau.get("/committees/calls.xlsx?tab=published").data)).active.rows
            )
        )
        == 1
    )
    no_reason = bureau.post(f"/committees/calls/{call.id}/decide", data={"decision": "refuse", "note": ""})
    assert no_reason.status_code == 422 and "不予备案须写明原因" in no_reason.text
    bureau.post(
        f"/committees/calls/{call.id}/decide", data={"decision": "refuse", "note": "未列明业绩材料范围"}
    )
    session.refresh(call)
    assert (
        call.state is CallStatus.REFUSED
        and "未列明业绩材料范围" in leader.get(f"/committees/calls/{call.id}").text
    )
    leader.post(f"/committees/calls/{call.id}/file")
    bureau.post(f"/committees/calls/{call.id}/decide", data={"decision": "accept", "note": ""})
    session.refresh(call)
    assert call.state is CallStatus.ACCEPTED
    assert public.get(f"/public/calls/{call.id}").status_code == 404

    published = leader.post(f"/committees/calls/{call.id}/publish", follow_redirects=True)
    assert "已发布评审通知" in published.text
    session.refresh(call)
    assert call.state is CallStatus.PUBLISHED
    board = public.get("/public/calls")
    assert call.title in board.text and made.committee.name in board.text
    shown = public.get(f"/public/calls/{call.id}")
    assert shown.status_code == 200 and "按省评价标准条件执行" in shown.text and "004 一(三)" in shown.text
    assert 'id="calls-link"' in public.get("/login").text


def test_a_zhenjiang_office_is_told_its_profile_has_no_call_rule(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    office = make_committee(session, world, clock.now).office
    handler = login_as(office.handler, membership_id=office.handler_membership.id)
    page = handler.get("/committees/calls")
    assert 'id="no-call-rule"' in page.text and 'id="f-title"' not in page.text
    refused = handler.post("/committees/calls", data=_form(clock, 45), follow_redirects=True)
    assert "未规定评委会评审通知的报备" in refused.text


def test_the_call_s_month_reads_as_english_singular(session: Session, clock: Clock, login_as: Any) -> None:
    # Kunming's month read "At least 1 month(s) after the call is published".
    from tests.i18n.reading import in_english

    world = make_committee_world(session, clock.now, profile="kunming-2022")
    office = make_committee(session, world, clock.now, place="东川区").office
    handler = in_english(login_as(office.handler, membership_id=office.handler_membership.id))
    page = handler.get("/committees/calls").text
    assert "At least 1 month after the call is published" in page and "month(s)" not in page
    too_soon = handler.post("/committees/calls", data=_form(clock, 10)).text
    assert "published at least 1 month before intake" in too_soon and "month(s)" not in too_soon


def test_the_call_s_refusals_and_warning_number_their_clause_in_english(
    session: Session, clock: Clock, login_as: Any, app: Any
) -> None:
    # Each passed Kunming's clause as plain text: "…may open on 11 Dec 2026 or later (004 一(三))", the
    # clause marked Chinese inside an English sentence; they read "(004 1(3))" now, as the page's rule does.
    from tests.i18n.reading import HAN, assert_english, in_english, sentence

    world = make_committee_world(session, clock.now, profile="kunming-2022")
    office = make_committee(session, world, clock.now, place="东川区").office
    handler = in_english(login_as(office.handler, membership_id=office.handler_membership.id))
    leader = in_english(login_as(office.leader, membership_id=office.leader_membership.id))
    too_soon = handler.post("/committees/calls", data=_form(clock, 10)).text
    said = sentence(too_soon, "A committee's call must be published")
    assert said.endswith("or later (004 1(3))") and not HAN.search(said), said
    assert handler.post("/committees/calls", data=_form(clock, 45)).status_code == 303
    call = session.query(CommitteeCall).one()
    unfiled = leader.post(f"/committees/calls/{call.id}/publish", follow_redirects=True).text
    said = sentence(unfiled, "This call is")
    assert said.endswith("once the filing is accepted (004 1(3))") and not HAN.search(said), said
    leader.post(f"/committees/calls/{call.id}/file")
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    bureau.post(f"/committees/calls/{call.id}/decide", data={"decision": "accept", "note": ""})
    clock.now += timedelta(days=20)  # less than a month before the intake opens: published late
    leader = in_english(login_as(office.leader, membership_id=office.leader_membership.id))
    late = leader.post(f"/committees/calls/{call.id}/publish", follow_redirects=True).text
    said = sentence(late, "A call should be published")
    assert said.endswith("enough time to prepare (004 1(3))") and not HAN.search(said), said
    public = in_english(app.test_client()).get(f"/public/calls/{call.id}").text
    assert "Filed with the HR bureau, accepted on" in public and "(004 1(3))" in public
    assert "004 一(三)" not in public
    assert_english(public)


def test_a_call_s_filing_and_the_bureau_s_decision_reach_each_side_s_inbox_in_both_languages(
    session: Session, clock: Clock, login_as: Any
) -> None:
    from portal.models import Notification
    from tests.i18n.reading import assert_english, in_english

    world = make_committee_world(session, clock.now, profile="kunming-2022")
    made = make_committee(session, world, clock.now, place="东川区")
    office = made.office
    handler = login_as(office.handler, membership_id=office.handler_membership.id)
    leader = login_as(office.leader, membership_id=office.leader_membership.id)
    bureau = login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id)
    handler.post("/committees/calls", data=_form(clock, 45))
    call = session.query(CommitteeCall).one()
    leader.post(f"/committees/calls/{call.id}/file")
    inbox = bureau.get("/inbox").text
    assert f"新的待办（备案）：{made.committee.name}报备评审通知《{call.title}》" in inbox
    [notice] = [
        n
        for n in session.scalars(select(Notification).where(Notification.user_id == world.bureau.handler.id))
        if n.link == f"/committees/calls/{call.id}"
    ]
    opened = bureau.post(f"/inbox/{notice.id}/open")
    assert opened.status_code == 303 and opened.headers["Location"].endswith(f"/committees/calls/{call.id}")
    assert "新的待办（备案）" not in leader.get("/inbox").text  # the office is not told of its own filing
    english = in_english(login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id))
    page = english.get("/inbox").text
    assert "New work (filing):" in page and "filed its call" in page
    assert_english(page)

    refusal = {"decision": "refuse", "note": "未列明业绩材料范围"}
    bureau.post(f"/committees/calls/{call.id}/decide", data=refusal)
    for reader in (handler, leader):
        shown = reader.get("/inbox").text
        assert f"备案未通过：人社局对{made.committee.name}评审通知" in shown
        assert "原因：未列明业绩材料范围" in shown
    leader.post(f"/committees/calls/{call.id}/file", follow_redirects=True)  # its flash read here
    bureau.post(f"/committees/calls/{call.id}/decide", data={"decision": "accept", "note": ""})
    assert "备案已通过" in handler.get("/inbox").text and "可以发布" in handler.get("/inbox").text
    told = in_english(leader).get("/inbox").text
    assert "Filing refused: the HR bureau refused the filing of" in told and "it may now be published" in told
    assert_english(told)
