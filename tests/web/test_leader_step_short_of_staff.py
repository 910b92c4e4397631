"""A case waiting at its unit's leader where nobody may sign it (services.staffing): the only leader is its
applicant, or the only leader did its first review (standing in for the handler) and cannot sign it too.
The queue row of her own case, the case page and the applicant's progress say so, and what the unit must
do: its admin adds a leader, or a leader in post names a stand-in, on the 单位人员 page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import Application, StaffRole, User
from portal.services import applications, standins
from portal.services.actors import actor_for
from portal.web import i18n
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    World,
    make_application,
    make_staff,
    make_staff_application,
    make_world,
)

HX = {"HX-Request": "true", "HX-Target": "queue"}
NO_LEADER_ROW = (
    "本人申报，本单位没有其他领导可签批：请单位管理员在本单位人员页增设领导，或由在岗的领导在该页指定代理人"
)
NO_LEADER_REVIEWER = "本单位没有申报人以外的领导（或领导的代理人），无法签批"
NO_LEADER_APPLICANT = "本单位没有可为您签批的其他领导"
REVIEWED_REVIEWER = "本单位申报人以外唯一可签批的领导已办理本申报的初审，初审与签批不能由同一人办理"
REVIEWED_APPLICANT = "本单位唯一可为您签批的领导已办理您申报的初审"
# The admin adds a leader; a stand-in is named by a leader, for their own role (services.standins).
WHAT_TO_DO = "请单位管理员在本单位人员页增设领导，或由在岗的领导在该页指定代理人"
REVIEWED_WHAT_TO_DO = "请单位管理员在本单位人员页增设领导，或由该领导在该页指定代理人"


def _only_leader_applies(session: Session, clock: Clock, status: Status) -> tuple[World, User, Application]:
    """The unit's leader applies and her case is walked to `status`; she is now the unit's only leader."""
    world = make_world(session)
    applicant, application = make_staff_application(
        session, world, clock.now, StaffRole.LEADER, steps=STEPS_TO[status]
    )
    session.commit()
    return world, applicant, application


def test_the_only_leader_s_own_case_at_her_signature_says_nobody_may_sign_it(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, applicant, application = _only_leader_applies(session, clock, Status.UNIT_REVIEW)
    row = login_as(applicant).get("/review/queue?tab=leader", headers=HX).text
    assert NO_LEADER_ROW in row
    case_page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert NO_LEADER_REVIEWER in case_page and WHAT_TO_DO in case_page
    own = login_as(applicant, membership_id=0).get(f"/me/applications/{application.id}").text
    assert NO_LEADER_APPLICANT in own and "增设领导，或由在岗的领导在该页指定代理人" in own


def _reviewed_by_the_leader_standing_in(session: Session, world: World, clock: Clock) -> Application:
    """The handler is away and named the leader to stand in for him; the leader did the first review."""
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    handler = world.enterprise.actor(StaffRole.HANDLER)
    stand_in = standins.name_stand_in(
        session, handler, world.enterprise.leader.id, "2026-09-28", "2026-10-09", clock.now
    )
    as_handler = actor_for(world.enterprise.leader, stand_in.membership, stand_in_for=handler.user_id)
    applications.act(session, as_handler, application.id, Action.HANDLER_APPROVE, clock.now)
    session.commit()
    assert application.handler_signed_by_id == world.enterprise.leader.id
    return application


def test_the_only_leader_who_did_the_first_review_cannot_sign_and_the_pages_say_so(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    application = _reviewed_by_the_leader_standing_in(session, world, clock)
    case_page = login_as(world.enterprise.leader).get(f"/review/applications/{application.id}").text
    assert REVIEWED_REVIEWER in case_page and REVIEWED_WHAT_TO_DO in case_page
    applicant = login_as(application.applicant, membership_id=0)
    assert REVIEWED_APPLICANT in applicant.get(f"/me/applications/{application.id}").text
    applicant.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    english = applicant.get(f"/me/applications/{application.id}").text
    assert "the only leader who may sign your application did its first review" in english


def test_a_stand_in_for_the_leader_who_did_not_review_it_ends_it(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    application = _reviewed_by_the_leader_standing_in(session, world, clock)
    leader = world.enterprise.actor(StaffRole.LEADER)
    standins.name_stand_in(
        session, leader, world.enterprise.handler.id, "2026-09-28", "2026-10-09", clock.now
    )
    session.commit()
    case_page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert REVIEWED_REVIEWER not in case_page


def test_forwarding_after_the_notice_is_named_as_the_step_nobody_may_take(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """After the notice the leader forwards the case: nothing to sign, so no page says 签批 (the step is
    read from the workflow: 报送主管部门)."""
    world, applicant, application = _only_leader_applies(session, clock, Status.NOTICE_PASSED)
    row = login_as(applicant).get("/review/queue?tab=leader", headers=HX).text
    assert "本人申报，本单位没有其他领导可报送主管部门：请单位管理员在本单位人员页增设领导" in row
    case_page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert "本单位没有申报人以外的领导（或领导的代理人），无法报送主管部门" in case_page
    assert NO_LEADER_REVIEWER not in case_page
    own = login_as(applicant, membership_id=0)
    page = own.get(f"/me/applications/{application.id}").text
    assert "本单位没有可为您报送主管部门的其他领导" in page and NO_LEADER_APPLICANT not in page
    own.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    english = own.get(f"/me/applications/{application.id}").text
    assert "your organisation has no other leader to forward it to the supervising department" in english
    summary = own.get(f"/me/applications/{application.id}/summary").text
    assert "no other leader to forward it to the supervising department" in summary


def test_publishing_the_notice_is_named_where_the_handler_drafts_it_first(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _, applicant, application = _only_leader_applies(session, clock, Status.UNIT_APPROVED)
    own = login_as(applicant, membership_id=0).get(f"/me/applications/{application.id}").text
    assert "本单位没有可为您发布公示的其他领导" in own and NO_LEADER_APPLICANT not in own


def test_the_words_send_the_stand_in_to_whoever_can_name_one(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The pages said the unit admin should "增设领导或指定代理人" on the staff page, but the admin's staff
    page has no stand-in form: a stand-in is named by the leader or handler whose role it covers. The words
    now give the admin the leader to add and a leader in post the stand-in to name, as the staff page does."""
    world, applicant, application = _only_leader_applies(session, clock, Status.UNIT_REVIEW)
    admin, _ = make_staff(session, world.enterprise.org, StaffRole.ADMIN, "单位管理员")
    session.commit()
    admin_page = login_as(admin).get(f"/admin/orgs/{world.enterprise.org.id}").text
    leader_page = login_as(applicant).get(f"/admin/orgs/{world.enterprise.org.id}").text
    stand_in_form = f'action="/admin/orgs/{world.enterprise.org.id}/stand-ins"'
    assert stand_in_form not in admin_page and stand_in_form in leader_page
    case_page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert "增设领导或指定代理人" not in case_page and WHAT_TO_DO in case_page
    own = login_as(applicant, membership_id=0)
    own.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    english = own.get(f"/me/applications/{application.id}").text
    assert "add a leader or name a stand-in" not in english
    assert "or a leader in post to name a stand-in there" in english

    other = make_world(session)
    reviewed = _reviewed_by_the_leader_standing_in(session, other, clock)
    page = login_as(other.enterprise.leader).get(f"/review/applications/{reviewed.id}").text
    assert "增设领导或指定代理人" not in page and REVIEWED_WHAT_TO_DO in page


def test_a_unit_with_no_leader_in_post_is_told_to_add_one_only(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The unit's leader has left: nobody holds the role, so nobody could name a stand-in for it (one is
    named by the one whose role it covers). The pages say to add a leader, not to have one name a stand-in."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    world.enterprise.leader_membership.ended_at = clock.now
    session.commit()
    case_page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert "本单位没有在岗的领导，无法签批：请单位管理员在本单位人员页增设领导" in case_page
    assert "指定代理人" not in case_page
    own = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    assert "本单位没有在岗的领导可为您签批，申报无法继续：请联系单位管理员在本单位人员页增设领导" in own
    assert "指定代理人" not in own
    admin, _ = make_staff(session, world.enterprise.org, StaffRole.ADMIN, "单位管理员")
    session.commit()
    staff_page = login_as(admin).get(f"/admin/orgs/{world.enterprise.org.id}").text
    assert "本单位没有在岗的领导，1件申报等待领导办理：请增设领导（代理人须由在岗的领导指定）" in staff_page
