"""HR reset a forgotten password from the applicant's page: a button that asks first, the new first password
shown once (never again, not on a second post of the same form), the applicant's old login ended and the
next login sent to change it; refusals flashed on the page; the pages in English."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, StaffRole, User
from tests.factories import World, make_staff, make_user, make_world
from tests.i18n.reading import assert_english, in_english


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found, "the reset form carries a one-time token"
    return found.group(1)


def _slip_password(page: str) -> str:
    found = re.search(r'<code class="password">([^<]+)</code>', page)
    assert found, "the account slip shows the new first password"
    return found.group(1)


def test_hr_reset_asks_first_shows_the_password_once_and_the_next_login_must_change_it(
    world: World, session: Session, login_as: Any, app: Flask
) -> None:
    person = make_user(session, "钱某", employer=world.enterprise.org)
    logged_in = login_as(person)
    assert logged_in.get("/me/applications").status_code == 200
    hr = login_as(world.enterprise.handler)
    page = hr.get(f"/enterprise/applicants/{person.id}").text
    form = re.search(rf'<form[^>]*action="/enterprise/applicants/{person.id}/password"[^>]*>', page)
    assert form and "data-confirm=" in form.group(0) and "重置此人的密码" in form.group(0)
    token = _token(page)

    done = hr.post(f"/enterprise/applicants/{person.id}/password", data={"form_token": token})
    assert done.status_code == 200 and 'id="account-slip"' in done.text
    password = _slip_password(done.text)
    assert "新的初始密码" in done.text and "本人原有的登录已全部退出" in done.text
    assert done.headers["Cache-Control"] == "no-store"
    session.refresh(person)
    assert person.must_change_password and password not in person.password_hash

    # Shown once: the page again does not show it, nor does the same form posted again (a double click),
    # which resets nothing more.
    again = hr.get(f"/enterprise/applicants/{person.id}")
    assert password not in again.text and 'id="account-slip"' not in again.text
    hashed = person.password_hash
    twice = hr.post(f"/enterprise/applicants/{person.id}/password", data={"form_token": token})
    assert twice.status_code == 303
    shown = hr.get(twice.headers["Location"]).text
    assert "未重复办理" in shown and password not in shown
    session.refresh(person)
    assert person.password_hash == hashed
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "reset_password")).all()) == 1

    # The applicant's old login is over; the new password logs in and leads to the forced change.
    gone = logged_in.get("/me/applications")
    assert gone.status_code in (302, 303) and "/login" in gone.headers["Location"]
    fresh = app.test_client()
    login = fresh.post("/login", data={"login": person.phone, "password": password})
    assert login.status_code == 303 and "/password" in login.headers["Location"]


def test_a_staff_members_account_is_refused_with_the_reason_on_the_page(
    world: World, session: Session, login_as: Any
) -> None:
    person = make_user(session, employer=world.enterprise.org)
    make_staff(session, world.other_enterprise.org, StaffRole.HANDLER, user=person)
    hashed = person.password_hash
    hr = login_as(world.enterprise.leader)
    token = _token(hr.get(f"/enterprise/applicants/{person.id}").text)
    refused = hr.post(f"/enterprise/applicants/{person.id}/password", data={"form_token": token})
    assert refused.status_code == 303 and refused.headers["Location"].endswith(f"/applicants/{person.id}")
    shown = hr.get(refused.headers["Location"]).text
    assert "不能由用人单位重置密码" in shown and 'id="account-slip"' not in shown
    session.refresh(person)
    assert person.password_hash == hashed and not person.must_change_password


def test_another_enterprise_and_other_staff_cannot_reach_the_reset(
    world: World, session: Session, login_as: Any
) -> None:
    person = make_user(session, employer=world.enterprise.org)
    url = f"/enterprise/applicants/{person.id}/password"
    assert login_as(world.other_enterprise.handler).post(url, data={}).status_code == 404
    assert login_as(world.department.handler).post(url, data={}).status_code == 403
    assert login_as(person).post(url, data={}).status_code == 403
    assert session.get(User, person.id).password_hash == person.password_hash  # type: ignore[union-attr]


def test_the_reset_reads_in_english(world: World, session: Session, login_as: Any) -> None:
    person = make_user(session, "Anna Smith", employer=world.enterprise.org)
    hr = in_english(login_as(world.enterprise.handler))
    page = hr.get(f"/enterprise/applicants/{person.id}").text
    assert_english(page)
    assert "Reset password" in page
    done = hr.post(f"/enterprise/applicants/{person.id}/password", data={"form_token": _token(page)})
    assert done.status_code == 200
    assert_english(done.text)
