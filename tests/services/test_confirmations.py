"""Issue 22.7: 职称确认. Dongchuan (004 一(五)): asked with the application, the office's list to the bureau
(Excel in the shape of the 《专业技术人员职称资格确认人员名单》), the bureau confirms or refuses each line
once, an unconfirmed title keeps the application off the meeting's agenda. Zhenjiang (003 二(七)): the
title is recognised as it is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import ConfirmationStatus, StaffRole
from portal.services import applications, confirmations, meetings
from portal.services.actors import actor_for
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
)

LINE = confirmations.ConfirmationInput(
    prior_title="工程师",
    prior_level="中级",
    obtained_on="2019-12-20",
    issuer="四川省人力资源和社会保障厅",
    certificate_no="SC2019-000123",
    origin="other_province",
)


def _drafted_with_a_line(session, world, now):  # type: ignore[no-untyped-def]
    application = make_application(session, world, now, pathway="评审", what=("工程", "建设工程", "中级"))
    applicant = actor_for(application.applicant, None)
    line = confirmations.request_confirmation(session, applicant, application.id, LINE, now)
    walk(session, reviewers(world), application, STEPS_TO[Status.BUREAU_REVIEW] + 1, now)
    return application, line


def test_dongchuan_confirms_line_by_line_and_an_unconfirmed_title_stays_off_the_agenda(
    session: Session, clock: Clock
) -> None:
    now = clock.now
    world = make_committee_world(session, now, profile="kunming-2022")
    co = make_committee(session, world, now, place="东川区")
    with pytest.raises(ValidationFailed) as bad:
        draft = make_application(session, world, now, pathway="评审", what=("工程", "建设工程", "中级"))
        confirmations.request_confirmation(
            session, actor_for(draft.applicant, None), draft.id, confirmations.ConfirmationInput(), now
        )
    assert set(bad.value.fields) == {
        "prior_title",
        "issuer",
        "certificate_no",
        "prior_level",
        "origin",
        "obtained_on",
    }
    kept, kept_line = _drafted_with_a_line(session, world, now)
    dropped, dropped_line = _drafted_with_a_line(session, world, now)
    assert (kept_line.state, kept_line.citation) == (ConfirmationStatus.REQUESTED, "004 一(五)")
    with pytest.raises(DomainError) as late:  # submitted: the line is part of what was sent
        confirmations.request_confirmation(session, actor_for(kept.applicant, None), kept.id, LINE, now)
    assert late.value.code == "not_editable"

    bureau_leader = world.bureau.actor(StaffRole.LEADER)
    for application in (kept, dropped):
        city_system_passed(session, world, application, now)  # 004 一(二): the city system's review first
        applications.act(session, bureau_leader, application.id, Action.SEND_TO_COMMITTEE, now)
    office = co.office.actor(StaffRole.HANDLER)
    with pytest.raises(PermissionDenied):
        confirmations.send_list(session, world.bureau.actor(StaffRole.HANDLER), now)
    sent = confirmations.send_list(session, office, now)
    assert [line.id for line in sent] == [kept_line.id, dropped_line.id]
    with pytest.raises(ValidationFailed):
        confirmations.send_list(session, office, now)  # sent once
    sheet = load_workbook(confirmations.list_xlsx(sent)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == confirmations.LIST_HEADERS
    assert rows[1][1] == kept.applicant.name and rows[1][4:6] == ("工程师", "中级")
    assert kept.applicant.id_number not in {str(c) for row in rows for c in row}

    bureau = world.bureau.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed):
        confirmations.decide(session, bureau, dropped_line.id, False, " ", now)
    confirmations.decide(session, bureau, kept_line.id, True, "", now)
    confirmations.decide(session, bureau, dropped_line.id, False, "发证机关查无此证书", now)
    with pytest.raises(DomainError) as again:
        confirmations.decide(session, bureau, kept_line.id, False, "重复办理", now)
    assert again.value.code == "not_sent" and kept_line.state is ConfirmationStatus.CONFIRMED
    seen = {line.id: line.state for line in confirmations.office_lines(session, office)}
    assert seen == {kept_line.id: ConfirmationStatus.CONFIRMED, dropped_line.id: ConfirmationStatus.REFUSED}

    leader = co.office.actor(StaffRole.LEADER)
    for application in (kept, dropped):
        applications.act(session, office, application.id, Action.HANDLER_APPROVE, now)
        applications.act(session, leader, application.id, Action.LEADER_APPROVE, now)
    after = pass_notice(session, committee_notice(session, co.office, [kept.id, dropped.id], now))
    assert {kept.state, dropped.state} == {Status.AWAITING_MEETING}
    meeting = meetings.plan_meeting(
        session,
        office,
        meetings.MeetingInput((today(after) + timedelta(days=30)).isoformat(), "区人社局会议室"),
        after,
    )
    result = meetings.add_to_agenda(session, office, meeting.id, [kept.id, dropped.id], after)
    assert [r.application_id for r in result.done] == [kept.id]
    (refused,) = result.failed
    assert refused.application_id == dropped.id and "未经确认的职称不作为申报依据" in refused.why


def test_zhenjiang_recognises_a_title_from_elsewhere_as_it_is(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    application = make_application(
        session, world, clock.now, pathway="评审", what=("工程", "建设工程", "中级")
    )
    hr = world.enterprise.actor(StaffRole.HANDLER)  # the unit's HR may file it for the applicant
    line = confirmations.request_confirmation(session, hr, application.id, LINE, clock.now)
    assert (line.state, line.citation) == (ConfirmationStatus.RECOGNISED, "003 二(七)")
    assert confirmations.agenda_refusal(session, application) is None
    other = make_application(session, world, clock.now, pathway="初定", what=("工程", "建设工程", "中级"))
    with pytest.raises(DomainError) as no_rule:
        confirmations.request_confirmation(session, hr, other.id, LINE, clock.now)
    assert no_rule.value.code == "no_confirmation_rule"
