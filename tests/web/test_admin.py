"""Organisations and staff: the bureau admin builds the tree; each organisation's admin (or one above it)
manages its staff (the rulebook's own tests: tests/security/test_staff_management.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id, complete_uscc
from portal.models import Membership, Organisation, StaffRole
from tests.conftest import Clock
from tests.factories import World, make_staff, make_world
from tests.i18n.reading import in_english

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture
def enterprise_admin(world: World, session: Session) -> Any:
    """The enterprise's own admin: the one who opens its staff accounts (besides the admins above it)."""
    user, _ = make_staff(session, world.enterprise.org, StaffRole.ADMIN, "城投人事管理员")
    return user


def test_the_admin_creates_an_enterprise_with_a_valid_uscc(
    world: World, session: Session, login_as: Any
) -> None:
    browser = login_as(world.admin)
    assert "单位管理" in browser.get("/admin/orgs").text
    code = complete_uscc("91360703MA35ABCD1")
    response = browser.post(
        "/admin/orgs",
        data={
            "kind": "enterprise",
            "name": "赣州测试科技有限公司",
            "parent_id": world.department.org.id,
            "uscc": code.lower(),
            "ownership": "non_state",
            "region": "赣州",
        },
    )
    assert response.status_code == 303
    org = session.scalars(select(Organisation).where(Organisation.name == "赣州测试科技有限公司")).one()
    assert (org.uscc, org.ownership, org.parent_id) == (code, "non_state", world.department.org.id)


def test_a_bad_uscc_and_a_missing_ownership_are_422_beside_their_fields(world: World, login_as: Any) -> None:
    code = complete_uscc("91360703MA35ABCD1")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = login_as(world.admin).post(
        "/admin/orgs",
        data={"kind": "enterprise", "name": "某公司", "parent_id": world.department.org.id, "uscc": wrong},
        headers=HX,
    )
    assert response.status_code == 422 and "<html" not in response.text
    assert "统一社会信用代码" in response.text and "请选择单位性质" in response.text
    assert 'value="某公司"' in response.text


def test_an_enterprise_must_hang_under_a_department(world: World, login_as: Any) -> None:
    response = login_as(world.admin).post(
        "/admin/orgs",
        data={
            "kind": "enterprise",
            "name": "某公司",
            "parent_id": world.bureau.org.id,
            "uscc": complete_uscc("91360703MA35ABCD2"),
            "ownership": "state",
        },
    )
    assert response.status_code == 422 and "请选择上级主管部门" in response.text


def test_organisation_admin_is_403_for_everyone_else(world: World, login_as: Any) -> None:
    for user in (world.bureau.leader, world.enterprise.handler):
        browser = login_as(user)
        assert browser.get("/admin/orgs").status_code == 403
        assert browser.post("/admin/orgs", data={"kind": "department", "name": "x"}).status_code == 403


def test_a_refused_admin_is_told_who_opens_the_page_not_to_ask_themselves(
    world: World, login_as: Any, enterprise_admin: Any
) -> None:
    """walk5 #13: the 403 page sent everyone to 所在单位的管理员 — an admin refused the audit log is that
    admin. The bureau admin's pages name who opens them; an admin refused any other page is not sent to
    themselves; a handler still asks their unit's admin."""
    for user in (enterprise_admin, world.enterprise.handler, world.bureau.leader):
        page = login_as(user).get("/admin/audit")
        assert page.status_code == 403
        assert "只有人社局系统管理员可以打开" in page.text and "所在单位的管理员" not in page.text
    queue = login_as(enterprise_admin).get("/review/queue")
    assert queue.status_code == 403
    assert "管理员身份无权打开此页面" in queue.text and "所在单位的管理员" not in queue.text
    handler = login_as(world.bureau.handler).get("/enterprise/applicants")
    assert handler.status_code == 403 and "所在单位的管理员" in handler.text
    english = in_english(login_as(enterprise_admin)).get("/admin/audit")
    assert english.status_code == 403 and "system administrator" in english.text


def test_the_enterprise_admin_adds_a_handler_to_their_own_organisation_with_a_one_time_password(
    world: World, session: Session, login_as: Any, enterprise_admin: Any
) -> None:
    browser = login_as(enterprise_admin)
    response = browser.post(
        f"/admin/orgs/{world.enterprise.org.id}/staff",
        data={
            "role": "handler",
            "name": "新经办人",
            "id_number": complete_resident_id("36070219850505123"),
            "phone": "13912345678",
        },
        headers=HX,
    )
    assert response.status_code == 200 and "人员账号已开设" in response.text
    assert "staff-changed" in response.headers["HX-Trigger"]
    # The list above the form comes with it, out of band: htmx swapped only the form, and the 人员与岗位
    # table and 近期人员变动 did not show the person until "刷新人员列表" was clicked (walk 5, finding 11).
    listed = response.text[response.text.index('<div id="staff-list" hx-swap-oob="true">') :]
    table, recent = listed.split('id="recent-staff-changes"', 1)
    assert "<td>新经办人</td><td>经办人</td>" in table
    assert "新经办人" in recent[: recent.index("</table>")] and "刷新人员列表" not in response.text
    memberships = session.scalars(
        select(Membership).where(Membership.org_id == world.enterprise.org.id)
    ).all()
    active = sorted(m.role for m in memberships if m.ended_at is None)
    assert active == ["admin", "handler", "handler", "leader"]


def test_staff_cannot_manage_another_organisation(world: World, login_as: Any, enterprise_admin: Any) -> None:
    for user in (world.enterprise.leader, enterprise_admin):
        browser = login_as(user)
        assert browser.get(f"/admin/orgs/{world.other_enterprise.org.id}").status_code == 404
        response = browser.post(
            f"/admin/orgs/{world.other_enterprise.org.id}/staff",
            data={"role": "handler", "name": "x", "id_number": "x", "phone": "x"},
        )
        assert response.status_code == 404


def test_replacing_a_handler_keeps_the_history(
    world: World, session: Session, clock: Clock, login_as: Any, enterprise_admin: Any
) -> None:
    browser = login_as(enterprise_admin)
    browser.post(
        f"/admin/orgs/{world.enterprise.org.id}/staff",
        data={
            "role": "handler",
            "name": "接替者",
            "id_number": complete_resident_id("36070219850505124"),
            "phone": "13912345679",
            "replaces": world.enterprise.handler_membership.id,
        },
    )
    session.refresh(world.enterprise.handler_membership)
    assert world.enterprise.handler_membership.ended_at is not None
    page = browser.get(f"/admin/orgs/{world.enterprise.org.id}").text
    assert world.enterprise.handler.name in page and "接替者" in page and 'class="ended"' in page


def test_one_person_never_holds_two_roles_in_one_organisation(
    world: World, session: Session, clock: Clock
) -> None:
    from portal.domain.errors import ValidationFailed
    from portal.services import staff
    from portal.services.actors import actor_for
    from portal.services.organisations import PersonInput

    admin = actor_for(world.admin, world.admin_membership)
    handler = world.enterprise.handler
    with pytest.raises(ValidationFailed) as info:
        staff.add_staff(
            session,
            admin,
            world.enterprise.org.id,
            PersonInput(handler.name, handler.id_number, handler.phone),
            StaffRole.LEADER.value,
            clock.now,
        )
    assert "不能兼任" in info.value.fields["id_number"]


def test_nobody_ends_their_own_role(
    world: World, session: Session, login_as: Any, enterprise_admin: Any
) -> None:
    browser = login_as(world.enterprise.leader)
    response = browser.post(f"/admin/memberships/{world.enterprise.leader_membership.id}/end")
    assert response.status_code == 403  # a leader manages no staff, not even their own role
    session.refresh(world.enterprise.leader_membership)
    assert world.enterprise.leader_membership.ended_at is None
    own = enterprise_admin.active_memberships[0]
    response = login_as(enterprise_admin).post(f"/admin/memberships/{own.id}/end")
    assert response.status_code == 303  # refused with the reason on the page: the last admin stays
    session.refresh(own)
    assert own.ended_at is None


def test_the_english_staff_page_asks_to_end_a_leader_s_role_in_good_english(
    world: World, login_as: Any
) -> None:
    # The confirmation read "Ending a Administrator role …" (the article written before any role's name).

    browser = login_as(world.admin)
    in_english(browser)
    page = browser.get(f"/admin/orgs/{world.enterprise.org.id}").text
    assert "Ending the Leader role needs another administrator" in page
    assert "Ending a " not in page
