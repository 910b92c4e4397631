"""Who opens an expert's own page of a meeting (/committees/panels/<meeting_id>) and may post its steps
from it: the experts on that meeting's panel who are active in the pool, nobody else. Every role × the
page: a drawn expert 200; an expert of another committee's pool (another panel's), a drawn expert taken out
of the pool since (deactivated experts lose their panels), the office's staff (they have the meeting's own
page), the bureau's, the applicant on its agenda: 404, like a missing meeting; anonymous: the login.
A ballot posted from the page by any of them writes nothing (the deactivated expert is told why, on
我的评审会议: their meeting page no longer opens).
The page carries the agenda's names, never an identity number or a phone, and never a ballot's choice.

The expectations are written out here, independently of the guards' code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Ballot, BallotReceipt, StaffRole
from portal.services import votes
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
