"""The committee road's refusals in English (issue 24): what the committees, meetings and votes services
refuse a POST with reads in English on the page it comes back to (a field error in a 422 page, a flashed
reason, an error page), with people's names, places and clause citations kept as written inside
lang="zh-CN". The GET crawl (tests/i18n/test_english.py) never sees these: only a bad POST shows them."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.models import Meeting, MeetingStatus, StaffRole
from portal.services import materials, votes
from portal.services.actors import actor_for
from portal.services.calendar import today
from portal.services.submissions import new_token
from tests import imaging
from tests.conftest import Clock
from tests.factories import (
    STORAGE,
    committee_road,
    make_application,
    make_committee,
    make_committee_world,
    make_experts,
    make_world,
    staff_login,
)
from tests.i18n.reading import assert_english, in_english
from tests.services.test_notices import at_shanghai


def test_a_committee_and_a_scope_row_are_refused_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    admin = in_english(login_as(world.admin, membership_id=world.admin_membership.id))

    committee = admin.post(
        "/committees",
        data={"name": "", "forming_unit": "", "kind": "provincial", "intake_opens": "2026-13-01"},
    )
    assert committee.status_code == 422
    assert "Enter the committee&#39;s name" in committee.text
    assert "Enter the unit that formed the committee" in committee.text
    assert "The date “2026-13-01” does not exist; check the month and the day" in committee.text
    assert_english(committee.text)

    scope = admin.post(
        f"/committees/{made.committee.id}/scopes",
        data={"specialties": "机械工程", "place": "", "opens": "2026-10-01", "citation": "003 附件 序号2"},
    )
    assert scope.status_code == 422
    assert "Enter the place accepted, e.g. Zhenjiang city proper or Danyang" in scope.text
    assert "Choose at least one level" in scope.text
    assert "Enter both the opening and the closing date of online applications" in scope.text
    assert_english(scope.text)

    row = made.committee.scopes[0]
    same = admin.post(
        f"/committees/{made.committee.id}/scopes",
        data={
            "specialties": row.specialties,
            "place": row.place,
            "levels": list(row.level_list),
            "citation": "003 附件 序号1",
        },
    )
    assert same.status_code == 422
    assert "This committee already has the same scope (row " in same.text
    assert_english(same.text)


def test_a_meeting_its_panel_its_filing_and_its_vote_are_refused_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, application = committee_road(session, clock)
    experts = make_experts(session, made, clock.now, 5)
    handler = in_english(staff_login(login_as, made.office))
    leader = in_english(staff_login(login_as, made.office, StaffRole.LEADER))

    # A meeting without a date, then one on a day too close for its filing.
    undated = handler.post(
        "/committees/meetings", data={"held_on": "", "place": "市人社局会议室", "form_token": new_token()}
    )
    assert undated.status_code == 422 and "Enter the meeting date, e.g. 2026-11-20" in undated.text
    assert_english(undated.text)
    tomorrow = today(clock.now) + timedelta(days=1)
    too_close = handler.post(
        "/committees/meetings",
        data={"held_on": tomorrow.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
    )
    assert too_close.status_code == 422
    assert "must receive the filing before the meeting (" in too_close.text
    assert "days before the meeting); for this date the filing deadline was " in too_close.text
    assert_english(too_close.text)

    day = today(clock.now) + timedelta(days=30)
    planned = handler.post(
        "/committees/meetings",
        data={"held_on": day.isoformat(), "place": "市人社局会议室", "form_token": new_token()},
    )
    assert planned.status_code == 303
    meeting = session.query(Meeting).order_by(Meeting.id.desc()).first()
    assert meeting is not None

    # Filing with nothing ready: every missing item named in English.
    incomplete = leader.post(f"/committees/meetings/{meeting.id}/file", follow_redirects=True)
    assert "The filing is incomplete: Eligibility review (No application on the agenda yet); " in (
        incomplete.text
    )
    assert "; Expert draw (No experts drawn yet); Pass-rate setting (Not set yet)" in incomplete.text
    assert_english(incomplete.text)

    empty = handler.post(f"/committees/meetings/{meeting.id}/agenda", follow_redirects=True)
    assert empty.status_code == 422 or "Tick the applications to add to the agenda first" in empty.text
    handler.post(f"/committees/meetings/{meeting.id}/agenda", data={"application_ids": [application.id]})
    again = handler.post(
        f"/committees/meetings/{meeting.id}/agenda",
        data={"application_ids": [application.id]},
        follow_redirects=True,
    )
    assert "This application is already on a review meeting&#39;s agenda" in again.text
    assert f'<span lang="zh-CN">{application.applicant.name}</span>: ' in again.text
    assert_english(again.text)

    def plan(limit: str) -> Any:
        form = {"held_on": day.isoformat(), "place": "市人社局会议室", "plan": "按专业分组评审"}
        return handler.post(
            f"/committees/meetings/{meeting.id}/plan", data={**form, "pass_rate_limit": limit}
        )

    rate = plan("200")
    assert rate.status_code == 422
    assert "The pass-rate ceiling must be a whole number from 1 to 100 (percent)" in rate.text
    assert_english(rate.text)
    assert plan("80").status_code == 303
    even = handler.post(
        f"/committees/meetings/{meeting.id}/draw", data={"size": "4", "form_token": new_token()}
    )
    assert even.status_code == 422 and "Draw an odd number of experts, at least " in even.text
    assert_english(even.text)
    handler.post(
        f"/committees/meetings/{meeting.id}/draw",
        data={"size": "5", "seed": "abc", "form_token": new_token()},
    )

    not_leader = handler.post(f"/committees/meetings/{meeting.id}/file", follow_redirects=True)
    assert "The filing is signed off by the office&#39;s leader" in not_leader.text
    leader.post(f"/committees/meetings/{meeting.id}/file")
    session.refresh(meeting)
    assert meeting.state is MeetingStatus.FILED

    bureau = in_english(login_as(world.bureau.handler, membership_id=world.bureau.handler_membership.id))
    too_long = bureau.post(
        f"/committees/meetings/{meeting.id}/filing", data={"decision": "refuse", "note": "不" * 501}
    )
    assert too_long.status_code == 422
    assert "(it has 501)" in too_long.text
    bureau.post(f"/committees/meetings/{meeting.id}/filing", data={"decision": "accept", "note": ""})

    # The vote: not before the meeting's day, not without a quorum, every applicant voted on, once.
    members = votes.panel(session, meeting)
    early = leader.post(
        f"/committees/meetings/{meeting.id}/open",
        data={"present": [m.id for m in members]},
        follow_redirects=True,
    )
    assert f"The meeting is set for {day.day} {day:%b} {day.year}: voting can open only on that day" in (
        early.text
    )
    assert_english(early.text)
    clock.now = clock.now + timedelta(days=30)
    # Zhenjiang's experts confirm no study of the standards (Kunming's CHAN-06): the English refusal of
    # an unconfirmed panel is read in tests/web/test_committee_meetings.py, on Kunming's committee.
    seated = {m.expert.user_id for m in members}
    panel_experts = [e for e in experts if e.user_id in seated]
    for expert in panel_experts:
        expert.user.must_change_password = False
    leader = in_english(staff_login(login_as, made.office, StaffRole.LEADER))
    few = leader.post(
        f"/committees/meetings/{meeting.id}/open", data={"present": [members[0].id]}, follow_redirects=True
    )
    assert "1 experts present: the panel of 5 needs a quorum of " in few.text
    assert_english(few.text)
    opened = leader.post(f"/committees/meetings/{meeting.id}/open", data={"present": [m.id for m in members]})
    assert opened.status_code == 303

    expert = in_english(login_as(panel_experts[0].user))
    blank = expert.post(f"/committees/panels/{meeting.id}/ballot", data={})
    assert blank.status_code == 422
    assert "Vote on every applicant (for, against or abstain)" in blank.text
    assert_english(blank.text)
    entry = meeting.entries[0]
    expert.post(f"/committees/panels/{meeting.id}/ballot", data={f"choice_{entry.id}": "yes"})
    twice = expert.post(
        f"/committees/panels/{meeting.id}/ballot", data={f"choice_{entry.id}": "no"}, follow_redirects=True
    )
    assert "You have already voted: each expert votes once" in twice.text
    assert_english(twice.text)

    leader = in_english(staff_login(login_as, made.office, StaffRole.LEADER))
    early_count = leader.post(f"/committees/meetings/{meeting.id}/close", follow_redirects=True)
    assert "5 experts present, 1 have voted: the count waits until everyone has voted" in early_count.text
    assert_english(early_count.text)


def test_the_calendars_refusals_read_in_english_each_bad_row_named(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    clock.now = at_shanghai(date(2026, 11, 23))
    admin = in_english(login_as(world.admin))
    weekend = admin.post("/admin/calendar/days?year=2027", data={"day": "2027-01-02", "kind": "holiday"})
    assert weekend.status_code == 422
    assert "2 Jan 2027 is a weekend day already: no need to enter it as a holiday" in weekend.text
    assert_english(weekend.text)
    rows = "日期,类型,名称\n2027/1/1,放假,元旦\n2027-01-04,加班,某日\n"
    imported = admin.post(
        "/admin/calendar/import?year=2027",
        data={"file": (io.BytesIO(rows.encode("gbk")), "2027.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 422
    assert (
        "Row 2: the date “2027/1/1” should be written as 2027-01-01; "
        "Row 3: the kind must be “holiday” or “workday”"
    ) in imported.text.replace("&#34;", '"')
    assert_english(imported.text)


def test_a_step_the_workflow_refuses_is_explained_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)
    leader = in_english(login_as(world.enterprise.leader))
    refused = leader.post(
        f"/review/applications/{application.id}/act", data={"action": "leader_approve"}, follow_redirects=True
    )
    assert "The application is now “" in refused.text and "” cannot be done" in refused.text
    assert_english(refused.text)
    handler = in_english(login_as(world.enterprise.handler))
    reasonless = handler.post(
        f"/review/applications/{application.id}/act",
        data={"action": "reject", "reason": "", "version": application.version},
        follow_redirects=True,
    )
    assert "Please give the reason" in reasonless.text
    assert_english(reasonless.text)


def test_a_copys_check_and_seal_is_refused_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now)
    copy = materials.upload_material(
        session,
        actor_for(application.applicant, None),
        STORAGE,
        application.id,
        materials.UploadInput(slot="other", kind="copy"),
        [materials.scans.Part("a.jpg", imaging.photo(1000, 1400))],
        clock.now,
    )
    handler = in_english(login_as(world.enterprise.handler))
    url = f"/review/applications/{application.id}/materials/{copy.id}/endorse"
    unsealed = handler.post(url, data={"checked": "1"}, follow_redirects=True)
    assert "This unit has not uploaded its seal image yet" in unsealed.text
    assert_english(unsealed.text)
    unticked = handler.post(url, data={}, follow_redirects=True)
    assert "Check against the original first, and tick Original checked" in unticked.text
    assert_english(unticked.text)


def test_a_meeting_in_a_year_without_holidays_is_refused_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The QA report: planning a meeting in 2027 (its holidays not entered) showed UnknownYear's own
    # Chinese message, passed through untranslated.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    handler = in_english(staff_login(login_as, made.office))
    unknown = handler.post(
        "/committees/meetings",
        data={"held_on": "2027-06-15", "place": "市人社局会议室", "form_token": new_token()},
    )
    assert unknown.status_code == 422
    assert "The public holidays and adjusted working days of 2027 have not been entered" in unknown.text
    assert_english(unknown.text)
