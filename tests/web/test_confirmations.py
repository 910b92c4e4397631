"""Issue 22.7 on the screens: 职称确认. Dongchuan (004 一(五)): the applicant asks from a 现有职称 row of the
申报表 (nothing typed twice); the committee office lists the lines and sends them to the bureau before its
notice, the list exported as the 《专业技术人员职称资格确认人员名单》; the bureau confirms or refuses (with a
reason), in bulk with per-row results, once; the office sees the outcome, and where it builds the agenda
an unconfirmed title says why it cannot go on. Zhenjiang (003 二(七)) asks nothing. Scoping: 403 for a
role without the step, 404 for another tenant's application."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import ConfirmationStatus, StaffRole
from portal.services import applications, confirmations, meetings
from portal.services.calendar import today
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    city_system_passed,
    committee_notice,
    make_application,
    make_committee,
    make_committee_world,
    pass_notice,
    reviewers,
    walk,
    with_title_elsewhere,
)

WHAT = ("工程", "建设工程", "中级")


def _staff(login_as: Any, office: Any, role: StaffRole = StaffRole.HANDLER) -> Any:
    if role is StaffRole.LEADER:
        return login_as(office.leader, membership_id=office.leader_membership.id)
    return login_as(office.handler, membership_id=office.handler_membership.id)


def _dongchuan(session: Session, now: Any) -> tuple[Any, Any, Any]:
    """A Dongchuan bureau, its committee for 东川区 and a 评审 draft of 建设工程 中级."""
    world = make_committee_world(session, now, profile="kunming-2022")
    co = make_committee(session, world, now, place="东川区")
    return world, co, make_application(session, world, now, pathway="评审", what=WHAT)


def test_dongchuan_confirmation_from_the_form_row_to_the_bureau_decision(
    session: Session, clock: Clock, login_as: Any
) -> None:
    now = clock.now
    world, co, application = _dongchuan(session, now)
    applicant = login_as(application.applicant)

    detail = applicant.get(f"/me/applications/{application.id}")
    assert 'id="confirmation-link"' in detail.text and "004 一(五)" in detail.text
    page = applicant.get(f"/committees/confirmations/applications/{application.id}")
    assert page.status_code == 200 and "助理工程师" in page.text  # the form's row (江西省: elsewhere)
    (row,) = [r for r in application_rows(session, application.id)]
    incomplete = applicant.post(
        f"/committees/confirmations/applications/{application.id}",
        data={"row_id": str(row), f"origin_{row}": "other_province"},
    )
    # The row lacks its 发证机关 and 证书编号: the page names what to complete in the form, nothing stored.
    assert incomplete.status_code == 422 and "请先在申报表" in incomplete.text
    assert confirmations.line_of(session, application.id) is None

    row_id = with_title_elsewhere(session, application, now)
    hr = _staff(login_as, world.enterprise)  # the unit's HR asks for the applicant
    asked = hr.post(
        f"/committees/confirmations/applications/{application.id}",
        data={"row_id": str(row_id), f"origin_{row_id}": "other_province"},
    )
    assert asked.status_code == 303
    line = confirmations.line_of(session, application.id)
    assert line is not None and (line.prior_title, line.issuer) == ("工程师", "四川省人力资源和社会保障厅")
    assert line.state is ConfirmationStatus.REQUESTED and line.citation == "004 一(五)"
    shown = applicant.get(f"/committees/confirmations/applications/{application.id}")
    assert "待报送人社局确认" in shown.text and "SC2019-000123" in shown.text

    # Another applicant's application is a 404; the lists are for the office and the bureau only (403).
    other = make_application(session, world, now, pathway="评审", what=WHAT)
    assert applicant.get(f"/committees/confirmations/applications/{other.id}").status_code == 404
    assert applicant.get("/committees/confirmations").status_code == 403

    walk(session, reviewers(world), application, STEPS_TO[Status.BUREAU_REVIEW] + 1, now)
    city_system_passed(session, world, application, now)  # Kunming's gate (004 一(二))
    submitted = applicant.get(f"/committees/confirmations/applications/{application.id}")
    assert "申请确认此职称" not in submitted.text  # sent with the application: no more changes
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, now
    )

    office = _staff(login_as, co.office)
    listed = office.get("/committees/confirmations")
    assert listed.status_code == 200 and application.applicant.name in listed.text
    assert 'id="count-requested">1<' in listed.text and "报送人社局确认" in listed.text
    bureau = _staff(login_as, world.bureau)
    assert application.applicant.name not in bureau.get("/committees/confirmations").text  # not sent yet
    assert bureau.post("/committees/confirmations/send").status_code == 403

    sent = office.post("/committees/confirmations/send")
    assert sent.status_code == 303 and "tab=sent" in sent.headers["Location"]
    session.refresh(line)
    assert line.state is ConfirmationStatus.SENT
    again = office.post("/committees/confirmations/send", follow_redirects=True)
    assert "没有待报送人社局确认的人员" in again.text
    sheet = load_workbook(BytesIO(office.post("/committees/confirmations.xlsx?tab=sent").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == confirmations.LIST_HEADERS and rows[1][1] == application.applicant.name
    assert application.applicant.id_number not in {str(c) for r in rows for c in r}

    queue = bureau.get("/committees/confirmations")
    assert f'id="pick-{line.id}"' in queue.text
    no_reason = bureau.post(
        "/committees/confirmations/decide",
        data={"line_ids": [str(line.id)], "decision": "refuse", "note": " ", "tab": "sent"},
    )
    session.refresh(line)
    assert no_reason.status_code == 422 and line.state is ConfirmationStatus.SENT
    assert "不予确认须写明原因" in no_reason.text and 'id="e-note"' in no_reason.text
    # The refusal came back with the ticked rows and the chosen decision cleared: both are kept.
    assert f'id="pick-{line.id}" checked>' in no_reason.text
    assert 'name="decision" value="refuse" checked>' in no_reason.text
    assert 'name="decision" value="confirm">' in no_reason.text
    nothing = bureau.post("/committees/confirmations/decide", data={"decision": "confirm", "tab": "sent"})
    assert nothing.status_code == 422 and 'id="e-line-ids"' in nothing.text
    assert f'id="pick-{line.id}">' in nothing.text  # none ticked, none ticked again
    decided = bureau.post(
        "/committees/confirmations/decide", data={"line_ids": [str(line.id), "999999"], "decision": "confirm"}
    )
    assert decided.status_code == 303
    session.refresh(line)
    assert line.state is ConfirmationStatus.CONFIRMED
    twice = bureau.post(
        "/committees/confirmations/decide",
        data={"line_ids": [str(line.id)], "decision": "refuse", "note": "重复办理"},
        follow_redirects=True,
    )
    assert "不能再次办理" in twice.text
    session.refresh(line)
    assert line.state is ConfirmationStatus.CONFIRMED  # concurrent or repeated: one effect
    outcome = office.get("/committees/confirmations?tab=confirmed")
    assert application.applicant.name in outcome.text and "人社局已确认" in outcome.text


def application_rows(session: Session, application_id: int) -> list[int]:
    from portal.domain.form import SectionKey
    from portal.services import forms

    return [r.id for r in forms.rows_of(session, application_id) if r.section is SectionKey.TITLE]


def _refused_title_at_the_meeting(session: Session, clock: Clock) -> tuple[Any, Any, Any]:
    """Dongchuan's committee office planning a meeting while its candidate's other-province title was
    refused by the bureau: (the committee, the application, the meeting); the clock after the notice."""
    now = clock.now
    world, co, application = _dongchuan(session, now)
    row_id = with_title_elsewhere(session, application, now)
    confirmations.request_from_row(
        session, world.enterprise.actor(StaffRole.HANDLER), application.id, row_id, "other_province", now
    )
    walk(session, reviewers(world), application, STEPS_TO[Status.BUREAU_REVIEW] + 1, now)
    city_system_passed(session, world, application, now)  # Kunming's gate (004 一(二))
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, now
    )
    handler = co.office.actor(StaffRole.HANDLER)
    (line,) = confirmations.send_list(session, handler, now)
    confirmations.decide(session, world.bureau.actor(StaffRole.HANDLER), line.id, False, "查无此证书", now)
    applications.act(session, handler, application.id, Action.HANDLER_APPROVE, now)
    applications.act(session, co.office.actor(StaffRole.LEADER), application.id, Action.LEADER_APPROVE, now)
    after = pass_notice(session, committee_notice(session, co.office, [application.id], now))
    clock.now = after
    meeting = meetings.plan_meeting(
        session,
        handler,
        meetings.MeetingInput((today(after) + timedelta(days=30)).isoformat(), "区人社局"),
        after,
    )
    return co, application, meeting


def test_the_agenda_says_why_a_refused_title_cannot_go_to_the_meeting(
    session: Session, clock: Clock, login_as: Any
) -> None:
    co, application, meeting = _refused_title_at_the_meeting(session, clock)
    page = _staff(login_as, co.office).get(f"/committees/meetings/{meeting.id}")
    assert f'id="blocked-{application.id}"' in page.text
    assert "未经确认的职称不作为申报依据" in page.text and "004 一(五)" in page.text
    refused = _staff(login_as, co.office).get("/committees/confirmations?tab=refused")
    assert "查无此证书" in refused.text


def test_zhenjiang_recognises_titles_as_they_are_and_asks_nothing(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    application = make_application(session, world, clock.now, pathway="评审", what=WHAT)
    row_id = with_title_elsewhere(session, application, clock.now)
    applicant = login_as(application.applicant)
    # No link to a page that says there is nothing to ask (the applicant's and HR's pages had one).
    assert 'id="confirmation-link"' not in applicant.get(f"/me/applications/{application.id}").text
    hr = login_as(world.enterprise.handler).get(f"/enterprise/applications/{application.id}/form")
    assert hr.status_code == 200 and 'id="confirmation-link"' not in hr.text
    page = applicant.get(f"/committees/confirmations/applications/{application.id}")
    assert page.status_code == 200 and "003 二(七)" in page.text and "无需确认" in page.text
    assert "申请确认此职称" not in page.text
    replay = applicant.post(
        f"/committees/confirmations/applications/{application.id}",
        data={"row_id": str(row_id), f"origin_{row_id}": "other_province"},
    )
    assert replay.status_code == 303 and confirmations.line_of(session, application.id) is None


def test_the_english_tab_of_refused_titles_reads_refused(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The tabs read "To send · Unconfirmed · Confirmed · Refuse": the action's word for the outcome's tab.
    from tests.i18n.reading import in_english

    _world, co, _application = _dongchuan(session, clock.now)
    page = in_english(_staff(login_as, co.office)).get("/committees/confirmations").text
    assert 'Refused <span class="count" id="count-refused">' in page


def test_the_agenda_s_refusal_numbers_its_clause_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The clause was passed as plain text: "…cannot go on the meeting's agenda (004 一(五))" in English.
    from tests.i18n.reading import HAN, in_english, sentence

    co, application, meeting = _refused_title_at_the_meeting(session, clock)
    page = in_english(_staff(login_as, co.office)).get(f"/committees/meetings/{meeting.id}").text
    said = sentence(page.split(f'id="blocked-{application.id}"', 1)[1], "Title confirmation")
    assert said.endswith("cannot go on the meeting's agenda (004 1(5))") and not HAN.search(said), said
