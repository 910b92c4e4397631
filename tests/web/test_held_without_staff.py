"""A case held past its applicant's unit by an organisation with nobody in post for the step it waits on
(services.staffing): the organisation's staff page (单位人员) counts the cases and says what to do, and the
applicant's progress and summary name the organisation and say she has nothing to do but wait or ask."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Application, StaffRole
from portal.web import i18n
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_staff, make_staff_application, make_world

HX = {"HX-Request": "true", "HX-Target": "queue"}
# Its only leader left: nobody is in post to name a stand-in, so the line says only to add a leader.
NO_LEADER_LINE = "本单位没有在岗的领导，1件申报等待领导办理：请增设领导（代理人须由在岗的领导指定）"


def _department_without_a_leader(session: Session, clock: Clock) -> tuple[World, Application]:
    """A case at the department's first review; the department's only leader has left."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    world.department.leader_membership.ended_at = clock.now
    session.commit()
    return world, application


def test_the_department_s_staff_page_says_a_case_waits_for_a_leader_it_has_not(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, _ = _department_without_a_leader(session, clock)
    admin, _ = make_staff(session, world.department.org, StaffRole.ADMIN, "部门管理员")
    session.commit()
    browser = login_as(admin)
    page = browser.get(f"/admin/orgs/{world.department.org.id}").text
    assert NO_LEADER_LINE in page and 'id="staff-stuck-1"' in page
    browser.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    english = browser.get(f"/admin/orgs/{world.department.org.id}").text
    assert "The organisation has no leader in post" in english
    assert (
        "1 application is waiting for one: add a leader (only a leader in post can name a stand-in)"
        in english
    )
    assert "have a leader in post name a stand-in" not in english
    # The bureau's admin, who manages the department's staff, reads it there too.
    assert NO_LEADER_LINE in login_as(world.admin).get(f"/admin/orgs/{world.department.org.id}").text
    make_staff(session, world.department.org, StaffRole.LEADER, "新领导")
    session.commit()
    assert "staff-stuck" not in login_as(admin).get(f"/admin/orgs/{world.department.org.id}").text


def test_her_progress_and_summary_name_the_department_and_say_she_can_only_wait(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, application = _department_without_a_leader(session, clock)
    browser = login_as(application.applicant)
    own = browser.get(f"/me/applications/{application.id}").text
    department = world.department.org.name
    assert (
        f"您的申报现由{department}办理，该单位目前没有可为您的申报签批的领导（含今日代理人），"
        "申报暂时无法继续：您无需操作，请等待该单位安排人员，或向该单位咨询"
    ) in own
    assert "本单位" not in own.split('id="route-blocked"')[1].split("</p>")[0]  # not her unit's words
    summary = browser.get(f"/me/applications/{application.id}/summary").text
    assert f'Your application is now with <span lang="zh-CN">{department}</span>' in summary
    assert "which at present has no leader who can sign it" in summary
    assert "There is nothing for you to do" in summary


def test_a_bureau_without_a_handler_says_its_first_review_has_nobody(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The bureau's handler leaves with a case at its first review; its leader is there, so the pages say
    the handler is missing, until the bureau has one again."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    world.bureau.handler_membership.ended_at = clock.now
    session.commit()
    own = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    assert "该单位目前没有可为您的申报办理初审的经办人（含今日代理人）" in own
    staff_page = login_as(world.admin).get(f"/admin/orgs/{world.bureau.org.id}").text
    assert (
        "本单位没有可办理的经办人（含今日代理人；申报人不能办理本人的申报），1件申报等待经办人办理"
        in staff_page
    )
    make_staff(session, world.bureau.org, StaffRole.HANDLER, "新经办人")
    session.commit()
    assert (
        "没有可为您的申报"
        not in login_as(application.applicant).get(f"/me/applications/{application.id}").text
    )


def test_her_own_row_in_her_unit_s_queue_keeps_to_what_her_unit_lacks(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """She is her unit's handler and her case is at the department, which has no leader: her row in her
    unit's queue says nothing of it. Its words are her unit's, and the queue's poll tag is read from her
    unit's counter, which the department's staff changes do not move."""
    world = make_world(session)
    applicant, application = make_staff_application(
        session, world, clock.now, StaffRole.HANDLER, steps=STEPS_TO[Status.DEPT_REVIEW]
    )
    world.department.leader_membership.ended_at = clock.now
    session.commit()
    row = login_as(applicant).get("/review/queue?tab=all", headers=HX).text
    assert f'id="application-{application.id}"' in row
    assert "没有其他领导" not in row and "本人申报，须由本单位其他人员办理" in row
