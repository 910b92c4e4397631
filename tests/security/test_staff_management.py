"""Issue 16, items 1-3 and 17: who may manage whom (portal.domain.staffing, portal.services.staff).

- every role × every staff and membership route (enumerated from the url_map: a new route under
  /admin/orgs, /admin/memberships, /admin/staff-changes or /admin/stand-ins fails the suite until it is in
  the table below), each against the organisations and memberships of one tree, the outcome checked in
  the database as well as in the response;
- the three attacks of the issue, the last-admin rule, the second person's confirmation, the cooling rule,
  identity checked as for applicants, what the leader is shown;
- the two-person rules in the database itself: direct SQL on review_steps and applications, on SQLite and
  PostgreSQL alike.

The expectations are written out here as a table (MANAGES, HOME), independently of the rulebook's code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Action, Status
from portal.models import (
    Application,
    AuditEvent,
    Expert,
    IntegrityRecord,
    Membership,
    Notification,
    Organisation,
    ReviewStep,
    StaffChange,
    StaffRole,
    StandIn,
    User,
)
from portal.services import applications, staff, transitions
from portal.services.actors import Actor, actor_for
from portal.services.organisations import PersonInput
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.factories import (
    STEPS_TO,
    World,
    make_application,
    make_committee,
    make_staff,
    make_user,
    make_world,
)

ORGS = ("bureau", "department", "enterprise", "other_enterprise")
# Each admin and the organisations they manage: their own and every one below it.
MANAGES: dict[str, set[str]] = {
    "bureau_admin": set(ORGS),
    "bureau_admin_2": set(ORGS),
    "department_admin": {"department", "enterprise", "other_enterprise"},
    "enterprise_admin": {"enterprise"},
    "other_enterprise_admin": {"other_enterprise"},
}
# Where each staff role sits (the organisation whose staff page it may read).
HOME: dict[str, str] = {
    "bureau_admin": "bureau",
    "bureau_admin_2": "bureau",
    "bureau_handler": "bureau",
    "bureau_leader": "bureau",
    "department_admin": "department",
    "department_handler": "department",
    "department_leader": "department",
    "enterprise_admin": "enterprise",
    "enterprise_handler": "enterprise",
    "enterprise_leader": "enterprise",
    "handler_applicant": "enterprise",  # an enterprise handler who has applied herself (the issue's item 2)
    "other_enterprise_admin": "other_enterprise",
}
ROLES = ("anonymous", "applicant", *HOME)
# Memberships a route may name: (organisation, who holds it). Admins per organisation: the bureau has two,
# the department and the enterprise one each (their last).
TARGETS = {
    "enterprise_handler": "enterprise",
    "enterprise_leader": "enterprise",
    "enterprise_admin": "enterprise",
    "department_admin": "department",
    "bureau_leader": "bureau",
    "bureau_admin_2": "bureau",
}
HX = {"HX-Request": "true"}
ADMINS_IN = {"bureau": 2, "department": 1, "enterprise": 1, "other_enterprise": 1}


@dataclass
class Tree:
    """One bureau's tree with an admin in every organisation (two at the bureau), a plain applicant and
    an enterprise handler who holds an applicant account too, plus a pending request to end the
    enterprise leader's role (asked by the enterprise admin) and a stand-in of the enterprise handler."""

    world: World
    people: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    change: StaffChange | None = None
    stand_in: StandIn | None = None

    def org(self, name: str) -> Organisation:
        return {
            "bureau": self.world.bureau.org,
            "department": self.world.department.org,
            "enterprise": self.world.enterprise.org,
            "other_enterprise": self.world.other_enterprise.org,
        }[name]

    def actor(self, who: str) -> Actor:
        return actor_for(self.people[who], self.memberships[who])


def make_tree(session: Session, clock: Clock) -> Tree:
    world = make_world(session)
    tree = Tree(world)
    offices = {
        "bureau": world.bureau,
        "department": world.department,
        "enterprise": world.enterprise,
    }
    for org, office in offices.items():
        tree.people[f"{org}_handler"], tree.memberships[f"{org}_handler"] = (
            office.handler,
            office.handler_membership,
        )
        tree.people[f"{org}_leader"], tree.memberships[f"{org}_leader"] = (
            office.leader,
            office.leader_membership,
        )
    tree.people["bureau_admin"], tree.memberships["bureau_admin"] = world.admin, world.admin_membership
    for who in ("bureau_admin_2", "department_admin", "enterprise_admin", "other_enterprise_admin"):
        org = HOME[who]
        tree.people[who], tree.memberships[who] = make_staff(session, tree.org(org), StaffRole.ADMIN, who)
    helper = make_user(session, "邱敏", employer=world.enterprise.org)
    tree.people["handler_applicant"], tree.memberships["handler_applicant"] = make_staff(
        session, world.enterprise.org, StaffRole.HANDLER, user=helper
    )
    tree.people["applicant"] = make_user(session, "申报人", employer=world.enterprise.org)
    tree.change = staff.end_membership(
        session, tree.actor("enterprise_admin"), tree.memberships["enterprise_leader"].id, clock.now
    ).change
    tree.stand_in = StandIn(
        membership_id=tree.memberships["enterprise_handler"].id,
        substitute_id=tree.people["handler_applicant"].id,
        starts_on=clock.now.date(),
        ends_on=clock.now.date() + timedelta(days=7),
        created_by_id=tree.people["enterprise_handler"].id,
        created_at=clock.now,
    )
    session.add(tree.stand_in)
    session.flush()
    return tree


@pytest.fixture
def tree(session: Session, clock: Clock) -> Tree:
    return make_tree(session, clock)


def client_for(app: Flask, tree: Tree, who: str, login_as: Callable[..., FlaskClient]) -> FlaskClient:
    if who == "anonymous":
        return app.test_client()
    if who == "applicant":
        return login_as(tree.people[who], membership_id=0)
    return login_as(tree.people[who], membership_id=tree.memberships[who].id)


def outcome(response: TestResponse) -> str | int:
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and "/login" in location:
        return "login"
    return response.status_code


_serial = itertools.count(1)


def new_person() -> dict[str, str]:
    n = next(_serial)
    return {
        "name": f"新人员{'甲乙丙丁戊己庚辛壬癸'[n % 10]}",
        "id_number": complete_resident_id(f"36070219800{n % 9 + 1}01{n:03d}"[:17]),
        "phone": f"137{n:08d}",
    }


# ---------------------------------------------------------------------------------------------------
# The matrix: every role × every staff and membership route
# ---------------------------------------------------------------------------------------------------

STAFF_PATHS = ("/admin/orgs", "/admin/memberships", "/admin/staff-changes", "/admin/stand-ins")
MATRIX_ENDPOINTS = {
    "admin.list_organisations",
    "admin.create_organisation",
    "admin.show_organisation",
    "admin.add_staff",
    "admin.end_membership",
    "admin.reset_staff_password",
    "admin.confirm_staff_change",
    "admin.cancel_staff_change",
    "admin.name_stand_in",
    "admin.revoke_stand_in",
}


def test_the_matrix_covers_every_staff_and_membership_route(app: Flask) -> None:
    found = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") and rule.rule.startswith(STAFF_PATHS)
    }
    assert found == MATRIX_ENDPOINTS, f"add {sorted(found - MATRIX_ENDPOINTS)} to the matrix below"


def _is_admin(who: str) -> bool:
    return who in MANAGES


def _sees(who: str, org: str) -> bool:
    """Whose staff page opens: an admin's managed organisations, a handler's or leader's own."""
    return org in MANAGES[who] if _is_admin(who) else HOME.get(who) == org


def _not_admin_answer(who: str, org: str) -> str | int:
    """A non-admin on a route that needs an admin: login, 403 (no staff role, or their own organisation:
    the rule says no), or 404 (another organisation reads like a missing one)."""
    if who == "anonymous":
        return "login"
    if who == "applicant":
        return 403
    return 403 if _sees(who, org) else 404


def expected_add(who: str, org: str, role: str) -> str | int:
    if not _is_admin(who):
        return _not_admin_answer(who, org)
    if org not in MANAGES[who]:
        return 404
    below = org != HOME[who]
    return "created" if below or role != "admin" else 422  # never a role at or above one's own


ADD_CASES = [(w, o, r) for w in ROLES for o in ("enterprise", "department", "bureau") for r in StaffRole]


@pytest.mark.parametrize(("who", "org", "role"), ADD_CASES, ids=[f"{w}-{o}-{r}" for w, o, r in ADD_CASES])
def test_add_staff(
    app: Flask, session: Session, tree: Tree, login_as: Any, who: str, org: str, role: StaffRole
) -> None:
    target = tree.org(org)
    before = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.org_id == target.id)
    )
    person = new_person()
    response = client_for(app, tree, who, login_as).post(
        f"/admin/orgs/{target.id}/staff", data={**person, "role": role.value}
    )
    expected = expected_add(who, org, role.value)
    session.expire_all()
    made = session.scalars(
        select(Membership).join(User, User.id == Membership.user_id).where(User.phone == person["phone"])
    ).all()
    if expected == "created":
        assert response.status_code == 200, response.text
        assert [(m.org_id, m.role, m.created_by_id) for m in made] == [
            (target.id, role.value, tree.people[who].id)
        ]
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "add_staff").order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and (event.object_type, event.object_id) == ("organisation", target.id)
    else:
        assert outcome(response) == expected
        assert made == []
        after = session.scalar(
            select(func.count()).select_from(Membership).where(Membership.org_id == target.id)
        )
        assert after == before
        if expected == 422:
            assert "不能授予与本人同级或更高的岗位" in response.text


def expected_end(who: str, target: str) -> str | int:
    org = TARGETS[target]
    if not _is_admin(who):
        return _not_admin_answer(who, org)
    if org not in MANAGES[who]:
        return 404
    if target == "enterprise_leader":
        return "already"  # the tree's pending request: a second one is refused with the reason
    if target.endswith("admin") and ADMINS_IN[org] == 1:
        return "kept"  # the organisation's last admin
    if target == who or target.endswith(("leader", "admin", "admin_2")):
        return "pending"
    return "ended"


END_CASES = [(w, t) for w in ROLES for t in TARGETS]


@pytest.mark.parametrize(("who", "target"), END_CASES, ids=[f"{w}-ends-{t}" for w, t in END_CASES])
def test_end_membership(
    app: Flask, session: Session, tree: Tree, login_as: Any, who: str, target: str
) -> None:
    membership = tree.memberships[target]
    changes_before = session.scalar(
        select(func.count()).select_from(StaffChange).where(StaffChange.membership_id == membership.id)
    )
    browser = client_for(app, tree, who, login_as)
    response = browser.post(f"/admin/memberships/{membership.id}/end")
    expected = expected_end(who, target)
    session.expire_all()
    changes = session.scalars(
        select(StaffChange).where(StaffChange.membership_id == membership.id).order_by(StaffChange.id)
    ).all()
    if expected == "ended":
        assert response.status_code == 303
        assert membership.ended_at is not None and membership.ended_by_id == tree.people[who].id
    elif expected == "pending":
        assert response.status_code == 303
        assert membership.ended_at is None
        assert len(changes) == changes_before + 1 and changes[-1].status == "pending"
        assert changes[-1].requested_by_id == tree.people[who].id
    else:
        assert membership.ended_at is None and len(changes) == changes_before
        if expected in ("kept", "already"):
            assert response.status_code == 303  # back to the staff page with the reason
            message = "最后一名管理员" if expected == "kept" else "已有待确认的撤销请求"
            assert message in browser.get(response.headers["Location"]).text
        else:
            assert outcome(response) == expected


def expected_reset(who: str, target: str) -> str | int:
    """A forgotten password: an admin over everything the account holds (each target here holds one
    role), never one's own, never an admin of one's own organisation (reset from above)."""
    org = TARGETS[target]
    if not _is_admin(who):
        return _not_admin_answer(who, org)
    if org not in MANAGES[who]:
        return 404
    if target == who:
        return "own"
    if target.endswith(("admin", "admin_2")) and org == HOME[who]:
        return "above"
    return "reset"


RESET_CASES = [(w, t) for w in ROLES for t in TARGETS]


@pytest.mark.parametrize(("who", "target"), RESET_CASES, ids=[f"{w}-resets-{t}" for w, t in RESET_CASES])
def test_reset_staff_password(
    app: Flask, session: Session, tree: Tree, login_as: Any, who: str, target: str
) -> None:
    """Who may give whom a new first password (a takeover of the account when wrong): the outcome read in
    the database, each refusal of an admin audited as a denied reset on the account."""
    person, membership = tree.people[target], tree.memberships[target]
    hashed = person.password_hash
    browser = client_for(app, tree, who, login_as)
    response = browser.post(f"/admin/memberships/{membership.id}/password", data={"form_token": new_token()})
    expected = expected_reset(who, target)
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reset_password", AuditEvent.object_id == person.id)
    ).all()
    if expected == "reset":
        assert response.status_code == 200 and 'id="account-slip"' in response.text
        assert person.password_hash != hashed and person.must_change_password
        assert [(e.outcome, e.actor_id) for e in events] == [("ok", tree.people[who].id)]
        return
    assert person.password_hash == hashed
    if expected in ("own", "above"):
        assert response.status_code == 303  # back to the staff page with the reason
        message = "不能重置本人的密码" if expected == "own" else "不能重置与本人同级或更高岗位"
        assert message in browser.get(response.headers["Location"]).text
        code = "own_account" if expected == "own" else "reset_at_or_above_own"
        assert [(e.outcome, e.detail["code"]) for e in events] == [("denied", code)]
    else:
        assert outcome(response) == expected
        assert events == []


HOLDINGS = ("expert", "former_expert", "registration")
HOLDING_CASES = [(w, h) for w in ("enterprise_admin", "department_admin", "bureau_admin") for h in HOLDINGS]


@pytest.mark.parametrize(("who", "holding"), HOLDING_CASES, ids=[f"{w}-{h}" for w, h in HOLDING_CASES])
def test_reset_of_an_account_that_also_holds_a_seat_or_a_registration(
    app: Flask, session: Session, tree: Tree, login_as: Any, clock: Clock, who: str, holding: str
) -> None:
    """The enterprise handler also holds an expert seat in a committee under the bureau (active, or
    deactivated since: the account still reaches its panels), or a self-registration no unit attached
    (nothing to take over). Only an admin over the committee's office too may reset the first two; the
    registration never stands in the way."""
    person, membership = tree.people["enterprise_handler"], tree.memberships["enterprise_handler"]
    if holding == "registration":
        person.registered_with_id = tree.world.bureau.org.id  # ACC-04, before the role was given
    else:
        tree.world.bureau.org.policy_profile = "zhenjiang-2024"  # a profile with a committee road
        seat = Expert(
            committee_id=make_committee(session, tree.world, clock.now).committee.id,
            user_id=person.id,
            series="工程",
            specialty="建设工程",
            title="高级工程师",
            title_level="副高级",
            appointed_on=clock.now.date(),
            term_ends=clock.now.date() + timedelta(days=365),
            employer_name=tree.world.enterprise.org.name,
            active=holding == "expert",
            created_by_id=tree.people["bureau_admin"].id,
            created_at=clock.now,
        )
        session.add(seat)
    session.flush()
    hashed = person.password_hash
    browser = client_for(app, tree, who, login_as)
    response = browser.post(f"/admin/memberships/{membership.id}/password", data={"form_token": new_token()})
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reset_password", AuditEvent.object_id == person.id)
    ).all()
    if holding == "registration" or who == "bureau_admin":  # the committee's office is the bureau's
        assert response.status_code == 200 and 'id="account-slip"' in response.text
        assert person.password_hash != hashed
        assert [e.outcome for e in events] == ["ok"]
        return
    assert person.password_hash == hashed
    assert response.status_code == 303 and "评审专家" in browser.get(response.headers["Location"]).text
    assert [(e.outcome, e.detail["code"]) for e in events] == [("denied", "held_elsewhere")]


def expected_decision(who: str, verb: str) -> str | int:
    if who == "anonymous":
        return "login"
    if not _is_admin(who):
        return 403  # confirm and cancel are admins' routes
    if "enterprise" not in MANAGES[who]:
        return 404
    if verb == "confirm" and who == "enterprise_admin":
        return "refused"  # the admin who asked never confirms
    return "confirmed" if verb == "confirm" else "cancelled"


DECISION_CASES = [(w, v) for w in ROLES for v in ("confirm", "cancel")]


@pytest.mark.parametrize(("who", "verb"), DECISION_CASES, ids=[f"{w}-{v}" for w, v in DECISION_CASES])
def test_confirm_and_cancel(
    app: Flask, session: Session, tree: Tree, login_as: Any, who: str, verb: str
) -> None:
    assert tree.change is not None
    leader = tree.memberships["enterprise_leader"]
    response = client_for(app, tree, who, login_as).post(f"/admin/staff-changes/{tree.change.id}/{verb}")
    expected = expected_decision(who, verb)
    session.expire_all()
    if expected == "confirmed":
        assert response.status_code == 303
        assert tree.change.status == "confirmed" and tree.change.decided_by_id == tree.people[who].id
        assert leader.ended_at is not None
    elif expected == "cancelled":
        assert response.status_code == 303
        assert tree.change.status == "cancelled" and leader.ended_at is None
    else:
        assert tree.change.status == "pending" and leader.ended_at is None
        assert (response.status_code if expected == "refused" else outcome(response)) == (
            303 if expected == "refused" else expected
        )


VIEW_CASES = [(w, o) for w in ROLES for o in ORGS]


@pytest.mark.parametrize(("who", "org"), VIEW_CASES, ids=[f"{w}-views-{o}" for w, o in VIEW_CASES])
def test_show_organisation_and_its_offers(app: Flask, tree: Tree, login_as: Any, who: str, org: str) -> None:
    """The page opens for whoever may see the staff, and offers management only where the rule allows."""
    response = client_for(app, tree, who, login_as).get(f"/admin/orgs/{tree.org(org).id}")
    if who in ("anonymous", "applicant"):
        assert outcome(response) == ("login" if who == "anonymous" else 403)
        return
    if not _sees(who, org):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    manages = _is_admin(who) and org in MANAGES[who]
    assert ('name="id_number"' in response.text) is manages
    assert ("/end" in response.text) is manages
    if manages:
        offered = '<option value="admin"' in response.text
        assert offered is (org != HOME[who])  # never the admin role in one's own organisation


LIST_CASES = list(ROLES)


@pytest.mark.parametrize("who", LIST_CASES)
def test_the_organisation_list_and_creating_organisations(
    app: Flask, session: Session, tree: Tree, login_as: Any, who: str
) -> None:
    browser = client_for(app, tree, who, login_as)
    listed = browser.get("/admin/orgs")
    created = browser.post(
        "/admin/orgs", data={"kind": "department", "name": f"新部门{who}", "parent_id": tree.org("bureau").id}
    )
    exists = session.scalar(select(Organisation.id).where(Organisation.name == f"新部门{who}"))
    if who == "anonymous":
        assert (outcome(listed), outcome(created), exists) == ("login", "login", None)
    elif _is_admin(who):
        assert listed.status_code == 200
        if HOME[who] == "bureau":
            assert created.status_code == 303 and exists is not None
        else:
            assert created.status_code == 403 and exists is None  # organisations: the bureau's admins
            assert "新增单位" not in listed.text
    else:
        assert (listed.status_code, created.status_code, exists) == (403, 403, None)


STAND_IN_CASES = list(ROLES)


@pytest.mark.parametrize("who", STAND_IN_CASES)
def test_stand_in_routes(
    app: Flask, session: Session, tree: Tree, login_as: Any, who: str, clock: Clock
) -> None:
    """A handler or leader names a stand-in for their own role only; only they revoke it; admins do not."""
    assert tree.stand_in is not None
    browser = client_for(app, tree, who, login_as)
    colleague = tree.people["enterprise_leader" if who != "enterprise_leader" else "enterprise_handler"]
    day = clock.now.date().isoformat()
    named = browser.post(
        f"/admin/orgs/{tree.org('enterprise').id}/stand-ins",
        data={"substitute_id": colleague.id, "starts_on": day, "ends_on": day},
    )
    revoked = browser.post(f"/admin/stand-ins/{tree.stand_in.id}/revoke")
    session.expire_all()
    own = who in ("enterprise_handler", "enterprise_leader", "handler_applicant")
    if who == "anonymous":
        assert (outcome(named), outcome(revoked)) == ("login", "login")
    elif who == "applicant" or _is_admin(who):
        assert (named.status_code, revoked.status_code) == (403, 403)
    elif own:
        assert named.status_code == 303
        principal = who == "enterprise_handler"
        assert revoked.status_code == (303 if principal else 404)
        assert (tree.stand_in.revoked_at is not None) is principal
    else:
        assert (named.status_code, revoked.status_code) == (404, 404)
    if not own:
        assert tree.stand_in.revoked_at is None


# ---------------------------------------------------------------------------------------------------
# The issue's three attacks
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["enterprise", "department", "bureau"])
def test_attack_1_a_handler_cannot_mint_a_leader_of_their_own_organisation(
    app: Flask, session: Session, tree: Tree, login_as: Any, level: str
) -> None:
    person = new_person()
    browser = client_for(app, tree, f"{level}_handler", login_as)
    response = browser.post(f"/admin/orgs/{tree.org(level).id}/staff", data={**person, "role": "leader"})
    assert response.status_code == 403 and "管理员" in response.text
    assert session.scalar(select(User.id).where(User.phone == person["phone"])) is None
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "access_denied").order_by(AuditEvent.id.desc())
    ).first()
    assert denied is not None and denied.actor_id == tree.people[f"{level}_handler"].id


def test_attack_2_a_handler_applicant_cannot_make_her_own_reviewer(
    app: Flask, session: Session, tree: Tree, login_as: Any, clock: Clock
) -> None:
    """She cannot open a second handler account; and an admin who applies cannot review through the
    account they open (the cooling rule)."""
    person = new_person()
    response = client_for(app, tree, "handler_applicant", login_as).post(
        f"/admin/orgs/{tree.org('enterprise').id}/staff", data={**person, "role": "handler"}
    )
    assert response.status_code == 403
    assert session.scalar(select(User.id).where(User.phone == person["phone"])) is None
    # The enterprise's admin applies too, then opens a handler account for an invented colleague.
    admin = tree.people["enterprise_admin"]
    admin.employer_id = tree.org("enterprise").id
    own = make_application(session, tree.world, clock.now, applicant=admin, steps=STEPS_TO[Status.SUBMITTED])
    other = make_application(session, tree.world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    added = staff.add_staff(
        session,
        tree.actor("enterprise_admin"),
        tree.org("enterprise").id,
        PersonInput(**new_person()),
        "handler",
        clock.now,
    )
    invented = actor_for(added.user, added.membership)
    assert transitions.available_actions(invented, own, as_reviewer=True) == []
    assert Action.HANDLER_APPROVE in transitions.available_actions(invented, other, as_reviewer=True)
    with pytest.raises(DomainError, match="不能办理本申报") as refused:
        applications.act(session, invented, own.id, Action.HANDLER_APPROVE, clock.now)
    assert refused.value.code == "cooling_off"
    assert own.status == Status.SUBMITTED.value
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == own.id, AuditEvent.outcome == "denied")
    ).all()
    assert [e.detail.get("code") for e in denied][-1:] == ["cooling_off"]


def test_attack_3_a_bureau_handler_cannot_end_the_system_admins_membership(
    app: Flask, session: Session, tree: Tree, login_as: Any
) -> None:
    admin = tree.memberships["bureau_admin"]
    leader = tree.memberships["enterprise_leader"]
    assert (
        client_for(app, tree, "bureau_handler", login_as)
        .post(f"/admin/memberships/{admin.id}/end")
        .status_code
        == 403
    )
    assert (
        client_for(app, tree, "enterprise_handler", login_as)
        .post(f"/admin/memberships/{leader.id}/end")
        .status_code
        == 403
    )
    # Even the other bureau admin only asks: the system admin's role stays until a second admin confirms.
    assert (
        client_for(app, tree, "bureau_admin_2", login_as)
        .post(f"/admin/memberships/{admin.id}/end")
        .status_code
        == 303
    )
    session.expire_all()
    assert admin.ended_at is None and leader.ended_at is None
    assert session.scalars(select(StaffChange.status).where(StaffChange.membership_id == admin.id)).all() == [
        "pending"
    ]


# ---------------------------------------------------------------------------------------------------
# The last admin, the second person
# ---------------------------------------------------------------------------------------------------


def test_the_last_admin_stays_even_when_two_requests_cross(
    tree: Tree, session: Session, clock: Clock
) -> None:
    one, two = tree.actor("bureau_admin"), tree.actor("bureau_admin_2")
    first = staff.end_membership(session, one, tree.memberships["bureau_admin_2"].id, clock.now).change
    second = staff.end_membership(session, two, tree.memberships["bureau_admin"].id, clock.now).change
    assert first is not None and second is not None
    staff.confirm_change(session, tree.actor("bureau_admin_2"), first.id, clock.now)  # admin 2 agrees to go
    assert tree.memberships["bureau_admin_2"].ended_at is not None
    with pytest.raises(DomainError, match="最后一名管理员"):
        staff.confirm_change(session, one, second.id, clock.now)
    assert tree.memberships["bureau_admin"].ended_at is None and second.status == "pending"
    with pytest.raises(DomainError, match="最后一名管理员"):
        staff.end_membership(session, one, tree.memberships["bureau_admin"].id, clock.now)


def test_a_successor_first_then_the_old_admin_goes_with_a_second_person(
    tree: Tree, session: Session, clock: Clock
) -> None:
    """Replacing the enterprise's only admin: the new one is appointed in the same step, the old one's end
    waits for another admin, and is then confirmed."""
    department = tree.actor("department_admin")
    added = staff.add_staff(
        session,
        department,
        tree.org("enterprise").id,
        PersonInput(**new_person()),
        "admin",
        clock.now,
        replace_membership_id=tree.memberships["enterprise_admin"].id,
    )
    assert added.account is not None and added.replaced is not None and added.replaced.pending
    change = added.replaced.change
    assert change is not None
    with pytest.raises(DomainError, match="另一名管理员"):
        staff.confirm_change(session, department, change.id, clock.now)
    staff.confirm_change(session, actor_for(added.user, added.membership), change.id, clock.now)
    assert tree.memberships["enterprise_admin"].ended_at is not None


def test_the_database_refuses_a_confirmation_by_the_admin_who_asked(tree: Tree, session: Session) -> None:
    assert tree.change is not None
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            text(
                "UPDATE staff_changes SET status = 'confirmed', decided_by_id = requested_by_id,"
                " decided_at = requested_at WHERE id = :id"
            ),
            {"id": tree.change.id},
        )
    with pytest.raises(IntegrityError), session.begin_nested():  # one open request per membership
        session.execute(
            text(
                "INSERT INTO staff_changes (org_id, membership_id, status, requested_by_id, requested_at)"
                " SELECT org_id, membership_id, 'pending', requested_by_id, requested_at FROM staff_changes"
                " WHERE id = :id"
            ),
            {"id": tree.change.id},
        )


def test_every_change_is_audited_and_shown_to_the_leader(
    app: Flask, session: Session, tree: Tree, login_as: Any, clock: Clock
) -> None:
    person = new_person()
    admin = client_for(app, tree, "enterprise_admin", login_as)
    assert (
        admin.post(
            f"/admin/orgs/{tree.org('enterprise').id}/staff", data={**person, "role": "handler"}
        ).status_code
        == 200
    )
    handler = tree.memberships["enterprise_handler"]
    assert admin.post(f"/admin/memberships/{handler.id}/end").status_code == 303
    page = (
        client_for(app, tree, "enterprise_leader", login_as)
        .get(f"/admin/orgs/{tree.org('enterprise').id}")
        .text
    )
    recent = page.split('id="recent-staff-changes"', 1)[1].split('id="stand-ins"', 1)[0]
    for words in ("开设账号并授予岗位", person["name"], "撤销岗位", tree.people["enterprise_handler"].name,
                  "提出撤销岗位（待另一名管理员确认）", "enterprise_admin"):  # fmt: skip
        assert words in recent
    inbox = session.scalars(
        select(Notification.text).where(Notification.user_id == tree.people["enterprise_leader"].id)
    ).all()
    assert any(person["name"] in t for t in inbox) and any("撤销岗位" in t for t in inbox)
    # A handler of the enterprise sees the list too, but no offers.
    assert (
        "开设账号并授予岗位"
        in client_for(app, tree, "handler_applicant", login_as)
        .get(f"/admin/orgs/{tree.org('enterprise').id}")
        .text
    )


def test_a_request_reaches_the_admins_who_may_confirm_it(tree: Tree, session: Session) -> None:
    assert tree.change is not None
    told = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.kind == "staff_change", Notification.text.contains("待您确认")
            )
        )
    )
    assert told == {tree.people[w].id for w in ("bureau_admin", "bureau_admin_2", "department_admin")}


# ---------------------------------------------------------------------------------------------------
# Identity, as for applicants
# ---------------------------------------------------------------------------------------------------


def test_identity_is_checked_as_for_applicants(tree: Tree, session: Session, clock: Clock) -> None:
    admin = tree.actor("department_admin")
    org = tree.org("enterprise").id
    raw = complete_resident_id("36070219850505123")
    spelled = " " + raw[:-1] + raw[-1].lower() if raw.endswith("X") else raw.replace("3", "３", 1)
    added = staff.add_staff(
        session, admin, org, PersonInput("周 文博", spelled, "１３９１２３４５６７８"), "handler", clock.now
    )
    assert (added.user.name, added.user.id_number, added.user.phone) == ("周文博", raw, "13912345678")
    with pytest.raises(ValidationFailed) as again:  # one ID number, one role in this organisation
        staff.add_staff(session, admin, org, PersonInput("周文博", raw, "13912345678"), "leader", clock.now)
    assert "同一单位只能担任一个岗位" in again.value.fields["id_number"]
    wrong_check = raw[:-1] + ("1" if raw[-1] != "1" else "2")
    with pytest.raises(ValidationFailed) as bad:
        staff.add_staff(
            session, admin, org, PersonInput("张三1", wrong_check, "1391234"), "handler", clock.now
        )
    assert set(bad.value.fields) == {"name", "id_number", "phone"}


def test_an_id_number_with_an_account_gets_the_role_on_that_account(
    tree: Tree, session: Session, clock: Clock
) -> None:
    """One account per person: an applicant made a department handler keeps her login (no second account);
    the name and phone must be hers; someone on the integrity record gets no role."""
    person = tree.people["applicant"]
    admin = tree.actor("department_admin")
    org = tree.org("department").id
    with pytest.raises(ValidationFailed) as wrong:
        staff.add_staff(
            session, admin, org, PersonInput("别人", person.id_number, person.phone), "handler", clock.now
        )
    assert "姓名不一致" in wrong.value.fields["name"]
    users = session.scalar(select(func.count()).select_from(User))
    added = staff.add_staff(
        session, admin, org, PersonInput(person.name, person.id_number, person.phone), "handler", clock.now
    )
    assert added.account is None and added.user.id == person.id
    assert session.scalar(select(func.count()).select_from(User)) == users
    listed = tree.people["enterprise_leader"]
    session.add(
        IntegrityRecord(
            user_id=listed.id,
            reason="提供虚假材料",
            clause="赣市人社字〔2026〕5号 四(四)",
            starts_on=clock.now.date(),
            ends_on=clock.now.date() + timedelta(days=3 * 365),
            created_by_id=tree.people["bureau_admin"].id,
        )
    )
    session.flush()
    with pytest.raises(ValidationFailed) as record:
        staff.add_staff(
            session, admin, org, PersonInput(listed.name, listed.id_number, listed.phone), "leader", clock.now
        )
    assert "诚信档案" in record.value.fields["id_number"]


def test_a_hong_kong_macao_or_taiwan_resident_is_made_staff_with_their_own_document(
    app: Flask, tree: Tree, session: Session, login_as: Any
) -> None:
    """walk5 #3: the 添加人员 form read only a mainland ID card, so a 港澳台居民居住证 was refused by
    pointing at a 证件类型 the form lacked, and an applicant holding a 港澳居民来往内地通行证 could not be
    given a role, his own mobile called another account's. The form takes HR's documents but a passport,
    each checked as HR's form checks it; an account is found by its number and gets the role."""
    browser = client_for(app, tree, "department_admin", login_as)
    url = f"/admin/orgs/{tree.org('enterprise').id}/staff"
    page = browser.get(f"/admin/orgs/{tree.org('enterprise').id}").text
    form = page.split('id="f-document-type"', 1)[1].split("</select>", 1)[0]
    for kind in ("resident_id", "hmt_residence_permit", "hk_macau_permit", "taiwan_permit"):
        assert f'value="{kind}"' in form
    assert 'value="passport"' not in form
    # A Hong Kong resident's 居住证 (810000…): a new account, opened with that document.
    permit = complete_resident_id("81000019850315002")
    added = browser.post(
        url,
        data={
            "role": "leader",
            "name": "何嘉欣",
            "document_type": "hmt_residence_permit",
            "id_number": permit,
            "phone": "13912340025",
        },
        headers=HX,
    )
    assert added.status_code == 200 and "人员账号已开设" in added.text
    opened = session.scalars(select(User).where(User.id_number == permit)).one()
    assert opened.document_type == "hmt_residence_permit" and opened.created_by_id is not None
    # An applicant who registered with his 回乡证: found by its number, typed in lower case; the role goes on
    # his own account.
    chan = make_user(session, "陈大文", employer=tree.org("enterprise"))
    chan.document_type, chan.id_number = "hk_macau_permit", "H60123456"
    session.flush()
    users = session.scalar(select(func.count()).select_from(User))
    typed = {"role": "handler", "name": "陈大文", "id_number": "h60123456", "phone": chan.phone}
    # Chosen as a resident ID card (the old form's only document): refused on the number's format, and his
    # own mobile is not called another person's account.
    wrong = browser.post(url, data=typed, headers=HX)
    assert wrong.status_code == 422 and "其他账号" not in wrong.text
    assert "该手机号已登记在一个账号上" in wrong.text and 'value="h60123456"' in wrong.text
    granted = browser.post(url, data={**typed, "document_type": "hk_macau_permit"}, headers=HX)
    assert granted.status_code == 200 and "已为现有账号" in granted.text
    assert session.scalar(select(func.count()).select_from(User)) == users
    assert (
        session.scalar(
            select(Membership.role).where(Membership.user_id == chan.id, Membership.ended_at.is_(None))
        )
        == "handler"
    )
    # A passport says who its holder is only with a permit, which only HR's applicant form checks.
    passport = browser.post(
        url, data={**new_person(), "role": "handler", "document_type": "passport"}, headers=HX
    )
    assert passport.status_code == 422 and "人员账号不能以护照开设" in passport.text
    selected = passport.text.split('id="f-document-type"', 1)[1].split("</select>", 1)[0]
    assert 'value="resident_id" selected' not in selected  # what was chosen is what is shown


# ---------------------------------------------------------------------------------------------------
# The cooling rule
# ---------------------------------------------------------------------------------------------------


def test_an_account_opened_by_a_reviewer_of_the_case_cannot_act_on_it(
    app: Flask, tree: Tree, session: Session, clock: Clock, login_as: Any
) -> None:
    """The enterprise handler who approved a case is also the department's admin (a role in another
    organisation): the department handler she opens can never act on that case; one opened by the bureau
    admin can."""
    case = make_application(session, tree.world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    untouched = make_application(
        session, tree.world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW], office=tree.world.other_enterprise
    )
    reviewer = tree.people["enterprise_handler"]
    assert session.scalar(
        select(ReviewStep.id).where(ReviewStep.application_id == case.id, ReviewStep.actor_id == reviewer.id)
    )
    _, second_role = make_staff(session, tree.org("department"), StaffRole.ADMIN, user=reviewer)
    opened = staff.add_staff(
        session,
        actor_for(reviewer, second_role),
        tree.org("department").id,
        PersonInput(**new_person()),
        "handler",
        clock.now,
    )
    fresh = staff.add_staff(
        session,
        tree.actor("bureau_admin"),
        tree.org("department").id,
        PersonInput(**new_person()),
        "handler",
        clock.now,
    )
    cooled, clean = actor_for(opened.user, opened.membership), actor_for(fresh.user, fresh.membership)
    assert transitions.available_actions(cooled, case, as_reviewer=True) == []
    assert Action.HANDLER_APPROVE in transitions.available_actions(cooled, untouched, as_reviewer=True)
    assert Action.HANDLER_APPROVE in transitions.available_actions(clean, case, as_reviewer=True)
    # The review page offers nothing it can take, and a forged POST is refused with the rule's words.
    opened.user.must_change_password = False  # (a first login would change it first)
    browser = login_as(opened.user, membership_id=opened.membership.id)
    page = browser.get(f"/review/applications/{case.id}")
    assert page.status_code == 200 and case.applicant.name in page.text
    assert 'value="handler_approve"' not in page.text
    _forged_step_is_refused(browser, session, case, Status.DEPT_REVIEW)
    assert case.handler_signed_by_id is None


def _forged_step_is_refused(
    browser: FlaskClient, session: Session, case: Application, status: Status
) -> None:
    """经办人初审通过 posted anyway: refused (422) with the cooling rule's words, the case where it was."""
    response = browser.post(
        f"/review/applications/{case.id}/act",
        data={"action": "handler_approve"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422 and "不能办理本申报" in response.text
    session.expire_all()
    assert case.status == status.value


def test_a_handler_held_back_by_the_cooling_rule_is_told_why_on_the_case_and_in_the_queue(
    tree: Tree, session: Session, clock: Clock, login_as: Any
) -> None:
    """walk5 #5: HR opened a colleague's applicant account and started the unit's cases; the unit's admin
    made her a handler. Every step of those cases is hers to take but for the cooling rule: the case page
    offers them disabled with the rule's words, said once, with the clause of the bureau's profile, and the
    queue row says the same instead of "待经办人办理"; a case nobody of hers handled is hers as before."""
    world = tree.world
    hr = tree.people["enterprise_handler"]
    case = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])  # started by HR
    world.bureau.org.policy_profile = "ganzhou-2026"  # its notice states the rule: 001 四(二)
    colleague = make_user(session, "孙嘉怡", employer=tree.org("enterprise"))
    colleague.created_by_id = hr.id  # HR opened her applicant account
    session.flush()
    added = staff.add_staff(
        session,
        tree.actor("enterprise_admin"),
        tree.org("enterprise").id,
        PersonInput(colleague.name, colleague.id_number, colleague.phone),
        "handler",
        clock.now,
    )
    assert added.account is None and added.user.id == colleague.id
    browser = login_as(colleague, membership_id=added.membership.id)
    page = browser.get(f"/review/applications/{case.id}")
    assert page.status_code == 200 and "当前无需您操作" not in page.text
    why = "您的账号或岗位由本申报的申报人或办理过本申报的人员开设，不能办理本申报（001 四(二)）"
    assert page.text.count(why) == 1
    assert 'id="handler_approve"' in page.text and 'value="handler_approve"' not in page.text
    assert page.text.count('aria-describedby="why-handler_approve"') >= 2  # every refused step names it
    queue = browser.get("/review/queue?tab=all")
    row = queue.text.split(f'id="application-{case.id}"', 1)[1].split("</tr>", 1)[0]
    assert row.count(why) == 1 and "经办人初审通过" in row and "待经办人办理" not in row
    # Nothing in the row to send (nor for the bulk bar), and a forged step is refused with the same words.
    assert 'name="action"' not in row
    _forged_step_is_refused(browser, session, case, Status.SUBMITTED)


# ---------------------------------------------------------------------------------------------------
# Item 17: the two-person rules in the database (direct SQL, both engines)
# ---------------------------------------------------------------------------------------------------


def _step_sql(**values: Any) -> tuple[str, dict[str, Any]]:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    return f"INSERT INTO review_steps ({columns}) VALUES ({marks})", values


def _refused(session: Session, statement: str, values: dict[str, Any] | None = None) -> str:
    with pytest.raises(DBAPIError) as info, session.begin_nested():
        session.execute(text(statement), values or {})
    assert isinstance(info.value, IntegrityError), info.value
    return str(info.value.orig)


@pytest.fixture
def signed(tree: Tree, session: Session, clock: Clock) -> Application:
    """At the department, the handler has given the first review: it waits for the leader's signature."""
    case = make_application(session, tree.world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW] + 1)
    assert case.handler_signed_by_id == tree.people["department_handler"].id
    return case


def test_the_database_refuses_a_leader_signature_by_the_stage_handler(
    tree: Tree, session: Session, signed: Application, clock: Clock
) -> None:
    handler, leader = tree.people["department_handler"], tree.people["department_leader"]
    base = {
        "application_id": signed.id,
        "org_id": tree.org("department").id,
        "role": "leader",
        "action": "leader_approve",
        "applicant_id": signed.applicant_id,
        "at": clock.now.replace(tzinfo=None),
    }
    # The handler signs their own first review (CHECK), or names someone else as its handler (trigger).
    _refused(session, *_step_sql(**base, actor_id=handler.id, handler_id=handler.id))
    message = _refused(session, *_step_sql(**base, actor_id=handler.id, handler_id=leader.id))
    assert "latest first review" in message
    _refused(session, *_step_sql(**{**base, "action": "certify"}, actor_id=handler.id, handler_id=handler.id))
    # The control: the leader signing the handler's review is accepted.
    with session.begin_nested():
        session.execute(
            text(_step_sql(**base, actor_id=leader.id, handler_id=handler.id)[0]),
            {**base, "actor_id": leader.id, "handler_id": handler.id},
        )
    # Rows are append-only: a "fix" that turns the leader's signature into the handler's is refused.
    _refused(
        session,
        "UPDATE review_steps SET actor_id = :h WHERE application_id = :a",
        {"h": handler.id, "a": signed.id},
    )
    _refused(session, "DELETE FROM review_steps WHERE application_id = :a", {"a": signed.id})


def test_the_database_refuses_a_review_by_the_applicant(
    tree: Tree, session: Session, signed: Application, clock: Clock
) -> None:
    applicant = signed.applicant_id
    base = {
        "application_id": signed.id,
        "org_id": tree.org("department").id,
        "at": clock.now.replace(tzinfo=None),
    }
    for role, action in (("handler", "handler_approve"), ("leader", "return"), ("leader", "reject")):
        _refused(
            session, *_step_sql(**base, role=role, action=action, actor_id=applicant, applicant_id=applicant)
        )
    # An applicant_id that is not the application's (to slip past the CHECK) is refused by the trigger.
    other = tree.people["applicant"].id
    message = _refused(
        session,
        *_step_sql(**base, role="handler", action="handler_approve", actor_id=applicant, applicant_id=other),
    )
    assert "applicant" in message
    # On the application row itself: the applicant's own handler signature.
    _refused(
        session, "UPDATE applications SET handler_signed_by_id = applicant_id WHERE id = :a", {"a": signed.id}
    )


def test_every_review_step_is_recorded_with_the_handler_it_signs(
    tree: Tree, session: Session, clock: Clock
) -> None:
    case = make_application(session, tree.world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    steps = session.execute(
        select(ReviewStep.org_id, ReviewStep.action, ReviewStep.actor_id, ReviewStep.handler_id)
        .where(ReviewStep.application_id == case.id)
        .order_by(ReviewStep.id)
    ).all()
    people = tree.people
    e, d, b = (tree.org(n).id for n in ("enterprise", "department", "bureau"))
    assert steps == [
        (e, "handler_approve", people["enterprise_handler"].id, None),
        (e, "leader_approve", people["enterprise_leader"].id, people["enterprise_handler"].id),
        (e, "start_notice", people["enterprise_leader"].id, None),
        (e, "forward", people["enterprise_leader"].id, None),
        (d, "handler_approve", people["department_handler"].id, None),
        (d, "leader_approve", people["department_leader"].id, people["department_handler"].id),
        (b, "handler_approve", people["bureau_handler"].id, None),
        (b, "certify", people["bureau_leader"].id, people["bureau_handler"].id),
    ]
    assert session.scalar(select(Application.status).where(Application.id == case.id)) == "certified"
