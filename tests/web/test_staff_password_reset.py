"""An admin resets a staff member's or an expert's forgotten password from the staff page: a button that
asks first, the new first password shown once (not on a second post of the same form), the person's old
login ended and the next login sent to change it; refusals flashed on the staff page; in English too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, StaffRole, User
from tests.factories import (
    World,
    make_committee,
    make_committee_world,
    make_experts,
    make_staff,
    make_world,
)
from tests.i18n.reading import assert_english, in_english
from tests.web.test_password_reset import _slip_password


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _form(page: str, action: str) -> tuple[str, str]:
    """The reset form posting to `action`: its opening tag and its one-time token."""
    found = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert found, f"the page offers {action}"
    token = re.search(r'name="form_token" value="([^"]+)"', found.group(1))
    assert token, "the reset form carries a one-time token"
    return found.group(0), token.group(1)


def test_an_admin_resets_a_handlers_password_once_and_the_old_login_ends(
    world: World, session: Session, login_as: Any, app: Flask
) -> None:
    person, membership = world.enterprise.handler, world.enterprise.handler_membership
    logged_in = login_as(person, membership_id=membership.id)
    assert logged_in.get("/review/queue").status_code == 200
    admin_user, admin_membership = make_staff(session, world.enterprise.org, StaffRole.ADMIN, "管理员乙")
    admin = login_as(admin_user, membership_id=admin_membership.id)
    staff_page = f"/admin/orgs/{world.enterprise.org.id}"
    action = f"/admin/memberships/{membership.id}/password"
    page = admin.get(staff_page).text
    form, token = _form(page, action)
    assert "data-confirm=" in form and "重置此人的密码" in form
    # Not offered on the admin's own row.
    assert f"/admin/memberships/{admin_membership.id}/password" not in page

    done = admin.post(action, data={"form_token": token})
    assert done.status_code == 200 and 'id="account-slip"' in done.text
    password = _slip_password(done.text)
    assert "新的初始密码" in done.text and "本人原有的登录已全部退出" in done.text
    assert done.headers["Cache-Control"] == "no-store"
    session.refresh(person)
    assert person.must_change_password and password not in person.password_hash

    # Shown once: not on the page again, nor on a second post of the same form, which resets nothing more.
    assert password not in admin.get(staff_page).text
    hashed = person.password_hash
    twice = admin.post(action, data={"form_token": token})
    assert twice.status_code == 303
    shown = admin.get(twice.headers["Location"]).text
    assert "未重复办理" in shown and password not in shown
    session.refresh(person)
    assert person.password_hash == hashed
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reset_password", AuditEvent.object_id == person.id)
    ).all()
    assert [(e.outcome, e.actor_id) for e in events] == [("ok", admin_user.id)]

    # The handler's old login is over; the new password logs in and leads to the forced change.
    gone = logged_in.get("/review/queue")
    assert gone.status_code in (302, 303) and "/login" in gone.headers["Location"]
    login = app.test_client().post("/login", data={"login": person.phone, "password": password})
    assert login.status_code == 303 and "/password" in login.headers["Location"]


def test_a_refusal_is_flashed_on_the_staff_page_and_audited(
    world: World, session: Session, login_as: Any
) -> None:
    """The row offered the reset; meanwhile the handler got a role in another enterprise."""
    person, membership = world.enterprise.handler, world.enterprise.handler_membership
    admin_user, admin_membership = make_staff(session, world.enterprise.org, StaffRole.ADMIN, "管理员乙")
    admin = login_as(admin_user, membership_id=admin_membership.id)
    action = f"/admin/memberships/{membership.id}/password"
    _, token = _form(admin.get(f"/admin/orgs/{world.enterprise.org.id}").text, action)
    make_staff(session, world.other_enterprise.org, StaffRole.HANDLER, user=person)
    hashed = person.password_hash
    refused = admin.post(action, data={"form_token": token})
    assert (
        refused.status_code == 303 and f"/admin/orgs/{world.enterprise.org.id}" in refused.headers["Location"]
    )
    shown = admin.get(refused.headers["Location"]).text
    assert "另有岗位" in shown and 'id="account-slip"' not in shown
    assert f"/admin/memberships/{membership.id}/password" not in shown  # no longer offered
    session.refresh(person)
    assert person.password_hash == hashed and not person.must_change_password
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reset_password", AuditEvent.object_id == person.id)
    ).all()
    assert (event.outcome, event.detail["code"]) == ("denied", "held_elsewhere")


def test_handlers_leaders_and_other_organisations_cannot_reach_the_reset(
    world: World, session: Session, login_as: Any
) -> None:
    membership = world.enterprise.handler_membership
    url = f"/admin/memberships/{membership.id}/password"
    leader = login_as(world.enterprise.leader, membership_id=world.enterprise.leader_membership.id)
    assert leader.post(url, data={}).status_code == 403
    other_user, other_membership = make_staff(session, world.other_enterprise.org, StaffRole.ADMIN)
    assert login_as(other_user, membership_id=other_membership.id).post(url, data={}).status_code == 404
    assert session.get(User, membership.user_id).password_hash == membership.user.password_hash  # type: ignore[union-attr]


def test_the_committee_offices_admin_resets_an_experts_password(
    session: Session, login_as: Any, app: Flask, clock: Any
) -> None:
    world = make_committee_world(session, clock.now)
    co = make_committee(session, world, clock.now)
    expert = make_experts(session, co, clock.now, 1)[0]
    admin_user, admin_membership = make_staff(session, co.office.org, StaffRole.ADMIN, "办事机构管理员")
    admin = login_as(admin_user, membership_id=admin_membership.id)
    page = admin.get(f"/admin/orgs/{co.office.org.id}").text
    assert 'id="experts"' in page
    _, token = _form(page, f"/admin/experts/{expert.id}/password")
    done = admin.post(f"/admin/experts/{expert.id}/password", data={"form_token": token})
    assert done.status_code == 200
    password = _slip_password(done.text)
    login = app.test_client().post("/login", data={"login": expert.user.phone, "password": password})
    assert login.status_code == 303 and "/password" in login.headers["Location"]
    # The office's handlers keep the pool but reset no logins.
    handler = login_as(co.office.handler, membership_id=co.office.handler_membership.id)
    assert f"/admin/experts/{expert.id}/password" not in handler.get(f"/admin/orgs/{co.office.org.id}").text
    assert handler.post(f"/admin/experts/{expert.id}/password", data={}).status_code == 403


def test_the_reset_reads_in_english(world: World, session: Session, login_as: Any) -> None:
    admin = in_english(login_as(world.admin, membership_id=world.admin_membership.id))
    page = admin.get(f"/admin/orgs/{world.enterprise.org.id}").text
    assert_english(page)
    action = f"/admin/memberships/{world.enterprise.handler_membership.id}/password"
    _, token = _form(page, action)
    done = admin.post(action, data={"form_token": token})
    assert done.status_code == 200
    assert_english(done.text)


def test_a_reset_shows_in_the_staff_changes_and_the_leaders_inbox(
    world: World, session: Session, login_as: Any
) -> None:
    """The 人员 page's 近期人员变动 lists the reset (never its password) and the leader's inbox says it, in
    Chinese and in English."""
    person, membership = world.enterprise.handler, world.enterprise.handler_membership
    admin_user, admin_membership = make_staff(session, world.enterprise.org, StaffRole.ADMIN, "管理员乙")
    admin = login_as(admin_user, membership_id=admin_membership.id)
    staff_page = f"/admin/orgs/{world.enterprise.org.id}"
    action = f"/admin/memberships/{membership.id}/password"
    _, token = _form(admin.get(staff_page).text, action)
    password = _slip_password(admin.post(action, data={"form_token": token}).text)
    page = admin.get(staff_page).text
    recent = page[page.index('id="recent-staff-changes"') :]
    assert "重置登录密码" in recent and person.name in recent and password not in page
    english = in_english(login_as(admin_user, membership_id=admin_membership.id)).get(staff_page).text
    assert "Reset the login password" in english
    assert_english(english)

    leader = world.enterprise.leader
    inbox = login_as(leader, membership_id=world.enterprise.leader_membership.id).get("/inbox").text
    assert f"人员变动：管理员乙重置登录密码（{person.name}，经办人）" in inbox and password not in inbox
    english_inbox = in_english(login_as(leader, membership_id=world.enterprise.leader_membership.id))
    shown = english_inbox.get("/inbox").text
    assert "Reset the login password" in shown
    assert_english(shown)
