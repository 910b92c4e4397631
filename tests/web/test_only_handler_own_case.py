"""A handler's own application where she is her unit's only handler (walk 4, F10): nobody may take its first
review (never one's own application), so the queue row, the case page and her progress say why it waits
and what the unit must do; a second handler ends it, and the queue's poll tag moves with the staff change,
so the polled row never keeps the old words. The leader standing in for her does not end it: after his
first review nobody would be left to sign it (services.staffing), and the words say that instead."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Application, StaffRole, User
from portal.services import versions
from portal.web import i18n
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_staff, make_staff_application, make_stand_in, make_world

STUCK_ROW = "本人申报，本单位没有其他经办人可办理初审：请单位管理员在本单位人员页增设经办人"
ONE_PERSON_ROW = (
    "本人申报，本单位除您以外只有一人可办理初审和签批，初审后将没有未办理初审的领导可签批："
    "请单位管理员在本单位人员页增设经办人或领导"
)
USUAL_ROW = "本人申报，须由本单位其他人员办理"
REVIEWER_WORDS = "本单位没有申报人以外的经办人，无法办理初审"
APPLICANT_WORDS = "本单位没有可为您办理初审的其他经办人"
ONE_PERSON_REVIEWER = "本单位申报人以外只有一人可办理初审和签批，初审后将没有未办理初审的领导可签批"
ONE_PERSON_APPLICANT = "本单位除您以外只有一人可办理初审和签批"
NO_LEADER_REVIEWER = "本单位没有申报人以外的领导（或领导的代理人），无法签批"
NO_LEADER_APPLICANT = "本单位没有可为您签批的其他领导"
HX = {"HX-Request": "true", "HX-Target": "queue"}


def _only_handler_applies(session: Session, clock: Clock) -> tuple[World, User, Application]:
    """The enterprise's only handler has submitted her own application (its first handler left)."""
    world = make_world(session)
    applicant, application = make_staff_application(
        session, world, clock.now, StaffRole.HANDLER, steps=STEPS_TO[Status.SUBMITTED]
    )
    return world, applicant, application


def _unit_counter(session: Session, world: World) -> int:
    """The enterprise's change counter: what the queue's poll tag is read from."""
    key = versions.org(world.enterprise.org.id)
    return versions.read(session, [key])[key]


def _handler_row(login_as: Any, applicant: User) -> str:
    """What the applicant's own row says in her 待初审, as the queue's poll fetches it."""
    row = login_as(applicant).get("/review/queue?tab=handler", headers=HX).text
    return next(note for note in (STUCK_ROW, ONE_PERSON_ROW, USUAL_ROW) if note in row)


def test_the_only_handler_s_own_case_says_why_it_waits_and_what_to_do(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, applicant, application = _only_handler_applies(session, clock)
    handler = login_as(applicant)
    assert _handler_row(login_as, applicant) == STUCK_ROW
    assert REVIEWER_WORDS in handler.get(f"/review/applications/{application.id}").text
    assert (
        REVIEWER_WORDS in login_as(world.enterprise.leader).get(f"/review/applications/{application.id}").text
    )
    own = login_as(applicant, membership_id=0).get(f"/me/applications/{application.id}").text
    assert APPLICANT_WORDS in own and "单位人员页" in own
    english = login_as(applicant, membership_id=0)
    english.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    page = english.get(f"/me/applications/{application.id}").text
    assert "your organisation has no other handler to do its first review" in page


def test_the_leader_standing_in_for_her_leaves_nobody_to_sign_and_the_words_say_so(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, applicant, application = _only_handler_applies(session, clock)
    session.commit()
    before = _unit_counter(session, world)
    make_stand_in(session, world.enterprise.org, applicant, world.enterprise.leader)
    session.commit()
    assert _unit_counter(session, world) == before + 1  # the polled row is rendered again
    assert _handler_row(login_as, applicant) == ONE_PERSON_ROW
    case_page = login_as(world.enterprise.leader).get(f"/review/applications/{application.id}").text
    assert ONE_PERSON_REVIEWER in case_page and REVIEWER_WORDS not in case_page
    own = login_as(applicant, membership_id=0).get(f"/me/applications/{application.id}").text
    assert ONE_PERSON_APPLICANT in own and APPLICANT_WORDS not in own
    english = login_as(applicant, membership_id=0)
    english.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    page = english.get(f"/me/applications/{application.id}").text
    assert "no leader who has not done the first review" in page


def test_the_only_leader_s_own_case_says_nobody_could_sign_it(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    applicant, application = make_staff_application(
        session, world, clock.now, StaffRole.LEADER, steps=STEPS_TO[Status.SUBMITTED]
    )
    session.commit()
    case_page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert NO_LEADER_REVIEWER in case_page and "增设领导，或由在岗的领导在该页指定代理人" in case_page
    own = login_as(applicant, membership_id=0).get(f"/me/applications/{application.id}").text
    assert NO_LEADER_APPLICANT in own
    deputy, _ = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "副手")
    # One handler reviews it, the other signs it for her.
    make_stand_in(session, world.enterprise.org, applicant, deputy)
    session.commit()
    case_page = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert NO_LEADER_REVIEWER not in case_page


def test_a_second_handler_ends_it_and_moves_the_poll_tag(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, applicant, application = _only_handler_applies(session, clock)
    session.commit()
    before = _unit_counter(session, world)
    make_staff(session, world.enterprise.org, StaffRole.HANDLER, "新经办人")
    session.commit()
    assert _unit_counter(session, world) == before + 1  # the polled row is rendered again
    assert _handler_row(login_as, applicant) == USUAL_ROW
    own = login_as(applicant, membership_id=0).get(f"/me/applications/{application.id}").text
    assert APPLICANT_WORDS not in own
    case_page = login_as(world.enterprise.leader).get(f"/review/applications/{application.id}").text
    assert REVIEWER_WORDS not in case_page
