"""Who opens an expert's own page of a meeting (/committees/panels/<meeting_id>) and may post its steps
from it: the experts on that meeting's panel who are active in the pool, nobody else. Every role × the
page: a drawn expert 200; an expert of another committee's pool (another panel's), a drawn expert taken out
of the pool since (deactivated experts lose their panels), the office's staff (they have the meeting's own
page), the bureau's, the applicant on its agenda: 404, like a missing meeting; anonymous: the login.
A ballot posted from the page by any of them writes nothing (the deactivated expert is told why, on
我的评审会议: their meeting page no longer opens).
The page carries the agenda's names, never an identity number or a phone, and never a ballot's choice.
And only from the bureau's acceptance of the filing on: drawn, filed, refused or withdrawn, the meeting is
not on the drawn expert's list, its page is a 404 and no notice has gone out.

The expectations are written out here, independently of the guards' code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Ballot, BallotReceipt, Notification, StaffRole
from portal.services import meetings, votes
from portal.services.calendar import today
from tests.conftest import Clock
from tests.factories import (
    filed_meeting,
    make_committee,
    make_committee_world,
    make_experts,
    make_review_application,
    to_meeting,
)

ROLES = (
    "the_expert", "other_committee_expert", "deactivated_member", "office_handler", "office_leader",
    "bureau_handler", "applicant_on_agenda", "anonymous",
)  # fmt: skip
PAGE: dict[str, int] = {
    "the_expert": 200, "other_committee_expert": 404, "deactivated_member": 404, "office_handler": 404,
    "office_leader": 404, "bureau_handler": 404, "applicant_on_agenda": 404, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("who", ROLES)
def test_only_the_panel_s_active_experts_open_their_meeting_s_page(
    app: Flask, session: Session, clock: Clock, login_as: Any, who: str
) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    other = make_committee(session, world, clock.now, specialties="机械工程")
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, co, application, clock.now)
    meeting = filed_meeting(session, world, co, [application], clock.now, pool=6)
    members = votes.panel(session, meeting)
    (outsider,) = make_experts(session, other, clock.now, 1)
    gone = members[-1].expert
    votes.deactivate_expert(session, co.office.actor(StaffRole.HANDLER), gone.id, "调离本专业", clock.now)
    for user in (members[0].expert.user, outsider.user, gone.user, application.applicant):
        user.must_change_password = False
    session.flush()
    clients = {
        "the_expert": lambda: login_as(members[0].expert.user),
        "other_committee_expert": lambda: login_as(outsider.user),
        "deactivated_member": lambda: login_as(gone.user),
        "office_handler": lambda: login_as(co.office.handler, membership_id=co.office.handler_membership.id),
        "office_leader": lambda: login_as(co.office.leader, membership_id=co.office.leader_membership.id),
        "bureau_handler": lambda: login_as(
            world.bureau.handler, membership_id=world.bureau.handler_membership.id
        ),
        "applicant_on_agenda": lambda: login_as(application.applicant),
        "anonymous": app.test_client,
    }
    client = clients[who]()
    url = f"/committees/panels/{meeting.id}"
    page = client.get(url)
    assert page.status_code == PAGE[who]
    if who == "anonymous":
        assert "/login" in page.headers["Location"]
    if PAGE[who] == 200:
        applicant = application.applicant
        assert applicant.name in page.text
        assert applicant.id_number not in page.text and applicant.phone not in page.text
    assert client.get("/committees/panels/987654321").status_code in (404, 302)
    # The vote opened (the deactivated expert not present): a ballot posted from the page by anyone not on
    # the panel is refused and writes nothing; the expert's own goes through.
    clock.now = clock.now + timedelta(days=30)
    present = [m.id for m in members if m.expert.active]
    votes.open_voting(session, co.office.actor(StaffRole.LEADER), meeting.id, present, clock.now)
    session.flush()
    client = clients[who]()  # a month on: the login of before has expired
    entry = meeting.entries[0]
    cast = client.post(f"{url}/ballot", data={"from": "meeting", f"choice_{entry.id}": "yes"})
    if who == "the_expert":
        assert cast.status_code == 303 and cast.headers["Location"].endswith(f"{url}#vote")
    elif who == "deactivated_member":  # refused in words (expert_inactive) on 我的评审会议, not on a 404
        assert cast.status_code == 303 and cast.headers["Location"].endswith("/committees/panels")
    else:
        assert cast.status_code == (302 if who == "anonymous" else 404), (who, cast.status_code)
    receipts = session.scalar(select(func.count()).select_from(BallotReceipt))
    ballots = session.scalar(select(func.count()).select_from(Ballot))
    assert receipts == ballots == (1 if who == "the_expert" else 0)


# The meeting's road up to the bureau's decision, and whether the drawn experts see it at each stage.
STAGES = {"drawn": False, "filed": False, "refused": False, "withdrawn": False, "accepted": True}


@pytest.mark.parametrize("stage", STAGES)
def test_a_drawn_expert_sees_the_meeting_only_once_the_bureau_accepts_the_filing(
    session: Session, clock: Clock, login_as: Any, stage: str
) -> None:
    """A QA report: a drawn expert found the meeting on 我的评审会议 and opened its page (agenda and all)
    while the office was still preparing it, before anyone had told them: the draw can still be done again,
    the filing withdrawn or refused, the meeting cancelled. The experts are told at acceptance; until then
    the page is a 404 as for a missing meeting, the list does not show it, a step posted for it (even by a
    drawn expert since taken out of the pool, who would otherwise be refused in words) finds no meeting,
    and no notice has gone out."""
    world = make_committee_world(session, clock.now, profile="kunming-2022")  # its experts confirm study
    co = make_committee(session, world, clock.now, place="东川区")
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, co, application, clock.now)
    make_experts(session, co, clock.now, 6)
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)
    bureau = world.bureau.actor(StaffRole.HANDLER)
    held_on = (today(clock.now) + timedelta(days=30)).isoformat()
    meeting = meetings.plan_meeting(session, handler, meetings.MeetingInput(held_on, "会议室"), clock.now)
    meetings.add_to_agenda(session, handler, meeting.id, [application.id], clock.now)
    plan = meetings.PlanInput(plan="按专业分组评审", pass_rate_limit="80")
    meetings.save_plan(session, handler, meeting.id, plan, clock.now)
    votes.draw_panel(session, handler, meeting.id, 5, clock.now, seed="seed-for-tests")
    if stage != "drawn":
        meetings.file_meeting(session, leader, meeting.id, clock.now)
    if stage in ("refused", "accepted"):
        meetings.decide_filing(session, bureau, meeting.id, stage == "accepted", "材料不全", clock.now)
    if stage == "withdrawn":
        meetings.withdraw_filing(session, leader, meeting.id, "专家名单有误", clock.now)
    members = votes.panel(session, meeting)
    drawn, gone = members[0].expert, members[-1].expert
    votes.deactivate_expert(session, handler, gone.id, "调离本专业", clock.now)
    for user in (drawn.user, gone.user):
        user.must_change_password = False
    session.flush()
    seen = STAGES[stage]

    expert = login_as(drawn.user)
    url = f"/committees/panels/{meeting.id}"
    mine = expert.get("/committees/panels").text
    assert (f'id="seat-{meeting.id}"' in mine) is seen and (f'href="{url}"' in mine) is seen
    page = expert.get(url)
    assert page.status_code == (200 if seen else 404)
    assert (application.applicant.name in page.text) is seen
    told = session.scalars(select(Notification).where(Notification.user_id == drawn.user_id)).all()
    assert [n.link for n in told if n.kind == "panel"] == ([url] if seen else [])
    acknowledged = expert.post(f"{url}/acknowledge", data={"from": "meeting"})
    assert acknowledged.status_code == (303 if seen else 404)
    assert expert.post("/committees/panels/987654321/acknowledge").status_code == 404  # as a missing one
    # The deactivated member: refused in words on a meeting they were told of, else as a missing meeting.
    former = login_as(gone.user).post(f"{url}/acknowledge")
    assert former.status_code == (303 if seen else 404)
    audited = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "acknowledge_conditions", AuditEvent.outcome != "ok")
    ).all()
    assert [e.detail.get("code") for e in audited] == (["expert_inactive"] if seen else [])
