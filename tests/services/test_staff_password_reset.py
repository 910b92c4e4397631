"""A staff member's or an expert's forgotten password, reset by an admin (services.staff): the same
mechanics as HR's reset of an applicant's (a new first password, changed at the next login, every session
ended, audited without the password), allowed only to an admin who manages everything the account holds
(docs/staff-management.md, "Passwords"). Each refusal is audited on the account before it is raised."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied
from portal.domain.passwords import DEFAULT_PROFILE, PROFILES
from portal.models import AuditEvent, AuthSession, Membership, Notification, StaffRole, User
from portal.services import auth, staff
from portal.services.actors import Actor, actor_for
from tests.factories import (
    PASSWORD,
    CommitteeOffice,
    World,
    make_committee,
    make_committee_world,
    make_experts,
    make_staff,
)

POLICY = auth.LoginPolicy(key=b"test")
PASSWORDS = PROFILES[DEFAULT_PROFILE]


@pytest.fixture
def world(session: Session, clock: Any) -> World:
    return make_committee_world(session, clock.now)


def _admin(session: Session, org: Any, name: str | None = None) -> tuple[Actor, User, Membership]:
    user, membership = make_staff(session, org, StaffRole.ADMIN, name)
    return actor_for(user, membership), user, membership


def _sessions(session: Session, user: User) -> int:
    stmt = select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id)
    return session.scalar(stmt) or 0


def _events(session: Session, user: User) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.action == "reset_password",
        AuditEvent.object_type == "user",
        AuditEvent.object_id == user.id,
    )
    return list(session.scalars(stmt.order_by(AuditEvent.id)))


def _refused(
    session: Session, clock: Any, actor: Actor, reset: Any, target_id: int, user: User, code: str
) -> DomainError:
    """`reset(actor, target_id)` is refused with `code`, audited as denied on `user`'s account by `actor`;
    nothing changed (password, forced change, sessions)."""
    auth.start_session(session, user, clock.now)
    before = (user.password_hash, user.must_change_password, _sessions(session, user))
    with pytest.raises(DomainError) as refused:
        reset(session, actor, target_id, clock.now)
    assert refused.value.code == code
    assert not isinstance(refused.value, PermissionDenied)  # a rule weighed: the service audited it
    assert (user.password_hash, user.must_change_password, _sessions(session, user)) == before
    event = _events(session, user)[-1]
    assert (event.outcome, event.actor_id, event.detail["code"]) == ("denied", actor.user_id, code)
    return refused.value


def test_an_admin_resets_a_handlers_password_as_hr_resets_an_applicants(
    world: World, session: Session, clock: Any
) -> None:
    admin, admin_user, _ = _admin(session, world.enterprise.org)
    person = world.enterprise.handler
    auth.start_session(session, person, clock.now)
    auth.start_session(session, person, clock.now)
    reset = staff.reset_staff_password(session, admin, world.enterprise.handler_membership.id, clock.now)
    assert reset.user is person and reset.password and reset.password != PASSWORD
    assert person.must_change_password is True and _sessions(session, person) == 0
    assert auth.authenticate(session, person.phone, reset.password, clock.now, POLICY) is person
    assert auth.must_change_password(person, clock.now, PASSWORDS) == "first"
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(session, person.phone, PASSWORD, clock.now, POLICY)
    [event] = _events(session, person)
    assert (event.outcome, event.actor_id, event.org_id) == ("ok", admin_user.id, world.enterprise.org.id)
    assert event.detail["membership_id"] == world.enterprise.handler_membership.id
    every_column = json.dumps([str(getattr(event, c.key)) for c in AuditEvent.__table__.columns])
    assert reset.password not in every_column and reset.password not in person.password_hash


def test_leaders_and_the_admins_of_organisations_below_are_reset_from_above(
    world: World, session: Session, clock: Any
) -> None:
    admin, _, _ = _admin(session, world.enterprise.org)
    staff.reset_staff_password(session, admin, world.enterprise.leader_membership.id, clock.now)
    _, enterprise_admin, membership = _admin(session, world.enterprise.org, "第二管理员")
    department_admin, _, _ = _admin(session, world.department.org)
    staff.reset_staff_password(session, department_admin, membership.id, clock.now)
    assert enterprise_admin.must_change_password is True
    bureau_admin = actor_for(world.admin, world.admin_membership)
    staff.reset_staff_password(session, bureau_admin, world.department.handler_membership.id, clock.now)


def test_ones_own_account_and_an_admin_of_ones_own_organisation_are_refused(
    world: World, session: Session, clock: Any
) -> None:
    admin, me, mine = _admin(session, world.department.org)
    _, peer, theirs = _admin(session, world.department.org, "同级管理员")
    _refused(session, clock, admin, staff.reset_staff_password, mine.id, me, "own_account")
    refused = _refused(
        session, clock, admin, staff.reset_staff_password, theirs.id, peer, "reset_at_or_above_own"
    )
    assert "上级单位的管理员" in refused.message


def test_an_account_holding_anything_outside_the_admins_organisations_is_refused(
    world: World, session: Session, clock: Any
) -> None:
    """A reset takes over the whole account: a second role, an expert's seat or an applicant's account
    elsewhere leaves it to an admin over all of them (here the department's, above both enterprises)."""
    admin, _, _ = _admin(session, world.enterprise.org)
    department_admin, _, _ = _admin(session, world.department.org)
    co = make_committee(session, world, clock.now)
    two_roles = world.enterprise.handler
    make_staff(session, world.other_enterprise.org, StaffRole.HANDLER, user=two_roles)
    applicant_elsewhere, at_enterprise = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "乙")
    applicant_elsewhere.employer_id = world.other_enterprise.org.id
    expert = session.get(User, make_experts(session, co, clock.now, 1)[0].user_id)
    assert expert is not None
    _, as_expert = make_staff(session, world.enterprise.org, StaffRole.LEADER, user=expert)
    session.flush()
    cases = [
        (two_roles, world.enterprise.handler_membership, "另有岗位"),
        (applicant_elsewhere, at_enterprise, "申报人"),
        (expert, as_expert, "评审专家"),
    ]
    for person, membership, words in cases:
        refused = _refused(
            session, clock, admin, staff.reset_staff_password, membership.id, person, "held_elsewhere"
        )
        assert words in refused.message
    # The department's admin manages both enterprises; the expert's seat is the bureau's tree's office.
    staff.reset_staff_password(session, department_admin, world.enterprise.handler_membership.id, clock.now)
    staff.reset_staff_password(session, department_admin, at_enterprise.id, clock.now)
    with pytest.raises(DomainError, match="评审专家"):
        staff.reset_staff_password(session, department_admin, as_expert.id, clock.now)
    bureau_admin = actor_for(world.admin, world.admin_membership)
    staff.reset_staff_password(session, bureau_admin, as_expert.id, clock.now)
    # An applicant of the admin's own enterprise is the admin's too.
    own_applicant, membership = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "丙")
    own_applicant.employer_id = world.enterprise.org.id
    session.flush()
    staff.reset_staff_password(session, admin, membership.id, clock.now)


def test_who_is_not_an_admin_over_the_role_never_reaches_it(
    world: World, session: Session, clock: Any
) -> None:
    membership_id = world.enterprise.handler_membership.id
    with pytest.raises(PermissionDenied):
        staff.reset_staff_password(
            session, world.enterprise.actor(StaffRole.LEADER), membership_id, clock.now
        )
    other_admin, _, _ = _admin(session, world.other_enterprise.org)
    with pytest.raises(NotFound):
        staff.reset_staff_password(session, other_admin, membership_id, clock.now)
    assert _events(session, world.enterprise.handler) == []


def test_an_ended_role_and_a_voided_account_are_refused_with_their_reason(
    world: World, session: Session, clock: Any
) -> None:
    admin, _, _ = _admin(session, world.enterprise.org)
    ended = world.enterprise.handler_membership
    ended.ended_at = clock.now
    voided = world.enterprise.leader
    voided.is_active = False
    session.flush()
    refused = _refused(
        session,
        clock,
        admin,
        staff.reset_staff_password,
        ended.id,
        world.enterprise.handler,
        "ended_membership",
    )
    assert "已撤销" in refused.message
    refused = _refused(
        session,
        clock,
        admin,
        staff.reset_staff_password,
        world.enterprise.leader_membership.id,
        voided,
        "inactive_account",
    )
    assert "停用" in refused.message


def _expert(session: Session, world: World, clock: Any) -> tuple[CommitteeOffice, Any, User]:
    co = make_committee(session, world, clock.now)
    expert = make_experts(session, co, clock.now, 1)[0]
    return co, expert, expert.user


def test_the_committee_offices_admin_resets_an_experts_password(
    world: World, session: Session, clock: Any
) -> None:
    co, expert, person = _expert(session, world, clock)
    admin, admin_user, _ = _admin(session, co.office.org)
    auth.start_session(session, person, clock.now)
    reset = staff.reset_expert_password(session, admin, expert.id, clock.now)
    assert reset.user is person and person.must_change_password and _sessions(session, person) == 0
    assert auth.authenticate(session, person.phone, reset.password, clock.now, POLICY) is person
    [event] = _events(session, person)
    assert (event.outcome, event.actor_id, event.detail["expert_id"]) == ("ok", admin_user.id, expert.id)
    # The bureau's admin is above the office.
    staff.reset_expert_password(session, actor_for(world.admin, world.admin_membership), expert.id, clock.now)


def test_an_experts_reset_is_refused_like_a_staff_members(world: World, session: Session, clock: Any) -> None:
    co, expert, person = _expert(session, world, clock)
    admin, _, _ = _admin(session, co.office.org)
    with pytest.raises(PermissionDenied):  # the office's handlers keep the pool; logins are the admins'
        staff.reset_expert_password(session, co.office.actor(StaffRole.HANDLER), expert.id, clock.now)
    department_admin, _, _ = _admin(session, world.department.org)
    with pytest.raises(NotFound):
        staff.reset_expert_password(session, department_admin, expert.id, clock.now)
    make_staff(session, world.department.org, StaffRole.HANDLER, user=person)
    _refused(session, clock, admin, staff.reset_expert_password, expert.id, person, "held_elsewhere")
    expert.active = False
    session.flush()
    _refused(session, clock, admin, staff.reset_expert_password, expert.id, person, "expert_inactive")


def test_the_staff_page_offers_the_reset_only_where_the_service_allows_it(
    world: World, session: Session, clock: Any
) -> None:
    admin, _, mine = _admin(session, world.enterprise.org)
    make_staff(session, world.other_enterprise.org, StaffRole.HANDLER, user=world.enterprise.leader)
    page = staff.staff_page(session, admin, world.enterprise.org.id)
    offered = {row.membership.id: row.reset for row in page.rows}
    assert offered == {
        world.enterprise.handler_membership.id: True,
        world.enterprise.leader_membership.id: False,  # a role in the other enterprise too
        mine.id: False,  # one's own
    }
    assert page.experts == []
    leader_page = staff.staff_page(session, world.enterprise.actor(StaffRole.LEADER), world.enterprise.org.id)
    assert not any(row.reset for row in leader_page.rows)
    co, expert, _ = _expert(session, world, clock)
    office_admin, _, _ = _admin(session, co.office.org)
    office_page = staff.staff_page(session, office_admin, co.office.org.id)
    assert [(row.expert.id, row.reset) for row in office_page.experts] == [(expert.id, True)]


def _notices(session: Session, user: User) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id, Notification.kind == "staff_change")
    return list(session.scalars(stmt.order_by(Notification.id)))


def test_a_reset_is_a_staff_change_listed_on_the_page_and_told_to_the_leaders(
    world: World, session: Session, clock: Any
) -> None:
    """As any other staff change: audited on the organisation (without the password), listed in 近期人员
    变动, and told to the organisation's leaders (not to the admin who did it)."""
    admin, admin_user, _ = _admin(session, world.enterprise.org, "管理员甲")
    reset = staff.reset_staff_password(session, admin, world.enterprise.handler_membership.id, clock.now)
    [entry] = staff.staff_page(session, admin, world.enterprise.org.id).recent
    assert (entry.actor_name, entry.title, entry.person_name, entry.role_title) == (
        "管理员甲",
        "重置登录密码",
        world.enterprise.handler.name,
        "经办人",
    )
    [event] = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "organisation", AuditEvent.action == "reset_staff_password"
        )
    )
    assert event.object_id == world.enterprise.org.id
    assert event.detail["membership_id"] == world.enterprise.handler_membership.id
    assert reset.password not in json.dumps(event.detail)
    [notice] = _notices(session, world.enterprise.leader)
    assert notice.text == f"人员变动：管理员甲重置登录密码（{world.enterprise.handler.name}，经办人）"
    assert notice.link == f"/admin/orgs/{world.enterprise.org.id}#staff-changes"
    assert reset.password not in notice.text
    assert _notices(session, admin_user) == []


def test_an_experts_reset_is_listed_on_the_offices_page_and_told_to_its_leaders(
    world: World, session: Session, clock: Any
) -> None:
    co, expert, person = _expert(session, world, clock)
    admin, _, _ = _admin(session, co.office.org, "办事机构管理员")
    staff.reset_expert_password(session, admin, expert.id, clock.now)
    [entry] = staff.staff_page(session, admin, co.office.org.id).recent
    assert (entry.title, entry.person_name, entry.role_title) == (
        "重置评审专家的登录密码",
        person.name,
        "评审专家",
    )
    [notice] = _notices(session, co.office.leader)
    assert notice.text == f"人员变动：办事机构管理员重置评审专家的登录密码（{person.name}，评审专家）"


def test_a_refused_reset_is_no_staff_change(world: World, session: Session, clock: Any) -> None:
    admin, me, mine = _admin(session, world.enterprise.org)
    _refused(session, clock, admin, staff.reset_staff_password, mine.id, me, "own_account")
    assert staff.staff_page(session, admin, world.enterprise.org.id).recent == []
    assert _notices(session, world.enterprise.leader) == []
