"""Issue 22.2: committees as organisations, their scope (Zhenjiang's 申报计划安排表 loaded from the profile,
kept by the admin), routing after the bureau's review, CHAN-01's two rules, and the out-of-scope
send-back (003 四, 五(三), 七(一))."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Action, Status
from portal.models import (
    AuditEvent,
    Committee,
    Notification,
    Organisation,
    OrgKind,
    ReviewStep,
    ScopeSource,
    StaffRole,
)
from portal.services import applications, committees, rulebook, staff
from portal.services.actors import actor_for
from portal.services.organisations import PersonInput
from portal.services.scope import visible_applications
from tests.conftest import Clock
from tests.factories import (
    make_committee,
    make_committee_world,
    make_review_application,
    make_user,
)


def _admin(world):  # type: ignore[no-untyped-def]
    return actor_for(world.admin, world.admin_membership)


def _denied(session: Session, application_id: int) -> list[str]:
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == application_id, AuditEvent.outcome == "denied")
    ).all()
    return [e.detail["code"] for e in rows]


def test_the_zhenjiang_table_loads_as_committees_with_their_scope_once(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    report = committees.load_from_profile(session, _admin(world), clock.now)
    names = {c.forming_unit for c in report.committees}
    # Every accepting body of a 评审 row of 003 附件 is a committee with an office under the bureau.
    assert {
        "镇江市职称与执业资格评价服务中心",
        "镇江市职工技术协会",
        "丹阳市人社局专技科",
        "镇江市卫健委",
    } <= names
    assert len(report.committees) == 27 and report.rows == 48
    center = next(c for c in report.committees if c.code == "zj-center")
    assert center.office.kind == OrgKind.COMMITTEE.value and center.office.parent_id == world.bureau.org.id
    built = {(r.row_no, r.place, r.specialties) for r in center.scopes}
    assert ("1", "镇江市区", "建设工程") in built and ("23", "镇江市", "建设工程") in built
    row_1 = next(r for r in center.scopes if r.row_no == "1" and r.opens is not None)
    assert row_1.citation == "003 附件 序号1" and row_1.source == ScopeSource.PROFILE.value
    assert not next(r for r in center.scopes if r.row_no == "23").opens  # 依据文件时间申报
    again = committees.load_from_profile(session, _admin(world), clock.now)
    assert again.committees == [] and again.rows == 0
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "load_committees")) is not None


def test_routing_follows_the_table_a_local_row_beats_the_city_wide_one(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    committees.load_from_profile(session, _admin(world), clock.now)
    in_city = make_review_application(session, world, clock.now, what=("农业", "农业技术", "中级"))
    found = committees.routing(session, in_city, clock.now)
    assert [c.code for c in found.candidates] == ["zj-center"]  # 序号3: 镇江市
    # 丹阳市's own row of 序号1 takes its 建设工程, not the city centre's row for 镇江市区.
    world.other_enterprise.org.region = "丹阳市"
    session.flush()
    danyang = make_review_application(session, world, clock.now, office=world.other_enterprise)
    assert [c.code for c in committees.routing(session, danyang, clock.now).candidates] == ["dy-hrss"]
    # ... and its 中级 agriculture goes to the city (序号3: 丹阳市 receives 初级 only).
    farmer = make_review_application(
        session, world, clock.now, office=world.other_enterprise, what=("农业", "农业技术", "中级")
    )
    assert [c.code for c in committees.routing(session, farmer, clock.now).candidates] == ["zj-center"]


def test_the_bureau_leader_sends_it_to_the_committee_whose_scope_holds_it(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    chosen = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    leader = world.bureau.actor(StaffRole.LEADER)
    offers = {o.action: o for o in rulebook.offers(session, leader, application, clock.now, as_reviewer=True)}
    assert offers[Action.SEND_TO_COMMITTEE].available and not offers[Action.CERTIFY].available
    applications.act(session, leader, application.id, Action.SEND_TO_COMMITTEE, clock.now)
    assert application.state is Status.COMMITTEE_REVIEW
    assert application.committee_id == chosen.committee.id
    assert application.current_org_id == chosen.office.org.id
    assert application.committee_routed_on == datetime(2026, 9, 28).date()
    step = session.scalars(
        select(ReviewStep).where(ReviewStep.application_id == application.id).order_by(ReviewStep.id.desc())
    ).first()
    assert step is not None
    assert (step.action, step.handler_id) == ("send_to_committee", world.bureau.handler.id)
    office_handler = chosen.office.actor(StaffRole.HANDLER)
    assert application in session.scalars(visible_applications(office_handler)).all()
    told = session.scalars(select(Notification.text).where(Notification.user_id == application.applicant_id))
    assert any(chosen.committee.name in text for text in told)


def test_an_application_no_committee_holds_is_refused_and_nothing_changes(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    make_committee(session, world, clock.now)  # 建设工程 only
    application = make_review_application(session, world, clock.now, what=("工程", "采矿工程", "中级"))
    leader = world.bureau.actor(StaffRole.LEADER)
    (offer,) = [
        o
        for o in rulebook.offers(session, leader, application, clock.now, as_reviewer=True)
        if o.action is Action.SEND_TO_COMMITTEE
    ]
    assert not offer.available and "003 七(一)" in offer.why_not
    version = application.version
    with pytest.raises(DomainError) as refused:
        applications.act(session, leader, application.id, Action.SEND_TO_COMMITTEE, clock.now)
    assert refused.value.code == "out_of_scope"
    session.refresh(application)
    assert (application.state, application.version, application.committee_id) == (
        Status.BUREAU_REVIEW,
        version,
        None,
    )
    assert _denied(session, application.id) == ["out_of_scope"]


def test_a_committee_whose_scope_does_not_hold_it_cannot_be_chosen(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    make_committee(session, world, clock.now)
    other = make_committee(session, world, clock.now, specialties="机械工程")
    application = make_review_application(session, world, clock.now)
    leader = world.bureau.actor(StaffRole.LEADER)
    with pytest.raises(DomainError) as refused:
        applications.act(
            session,
            leader,
            application.id,
            Action.SEND_TO_COMMITTEE,
            clock.now,
            committee_id=other.committee.id,
        )
    assert refused.value.code == "committee_choice" and "受理范围不含" in refused.value.message
    assert application.state is Status.BUREAU_REVIEW
    assert _denied(session, application.id) == ["committee_choice"]


def test_one_committee_per_person_level_and_year(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    make_committee(session, world, clock.now, specialties="建设工程、机械工程")
    first = make_review_application(session, world, clock.now)
    leader = world.bureau.actor(StaffRole.LEADER)
    applications.act(session, leader, first.id, Action.SEND_TO_COMMITTEE, clock.now)
    second = make_review_application(
        session, world, clock.now, applicant=first.applicant, what=("机械", "机械工程", "中级")
    )
    with pytest.raises(DomainError) as refused:
        applications.act(session, leader, second.id, Action.SEND_TO_COMMITTEE, clock.now)
    assert refused.value.code == "one_committee_a_year"
    assert "同一年度同一职称层级" in refused.value.message and "003 四" in refused.value.message
    assert second.state is Status.BUREAU_REVIEW


def test_one_unit_sends_a_specialty_and_level_to_one_committee(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    first_choice = make_committee(session, world, clock.now)
    second_choice = make_committee(session, world, clock.now)  # the same scope: the bureau chooses
    leader = world.bureau.actor(StaffRole.LEADER)
    colleague = make_review_application(session, world, clock.now)
    routing = committees.routing(session, colleague, clock.now)
    assert routing.implied is None and len(routing.candidates) == 2
    with pytest.raises(DomainError) as unchosen:
        applications.act(session, leader, colleague.id, Action.SEND_TO_COMMITTEE, clock.now)
    assert unchosen.value.code == "committee_choice"
    applications.act(
        session,
        leader,
        colleague.id,
        Action.SEND_TO_COMMITTEE,
        clock.now,
        committee_id=first_choice.committee.id,
    )
    application = make_review_application(session, world, clock.now)
    assert committees.routing(session, application, clock.now).implied == first_choice.committee
    with pytest.raises(DomainError) as refused:
        applications.act(
            session,
            leader,
            application.id,
            Action.SEND_TO_COMMITTEE,
            clock.now,
            committee_id=second_choice.committee.id,
        )
    assert "不得多头报送" in refused.value.message and first_choice.committee.name in refused.value.message
    applications.act(session, leader, application.id, Action.SEND_TO_COMMITTEE, clock.now)  # implied
    assert application.committee_id == first_choice.committee.id


def test_out_of_scope_goes_back_the_way_it_came_and_the_applicant_is_told(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    office = make_committee(session, world, clock.now).office
    application = make_review_application(session, world, clock.now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), application.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    handler = office.actor(StaffRole.HANDLER)
    with pytest.raises(DomainError):  # a reason is required
        applications.act(session, handler, application.id, Action.RETURN_TO_SENDER, clock.now)
    applications.act(
        session, handler, application.id, Action.RETURN_TO_SENDER, clock.now, reason="超出本评委会受理范围"
    )
    assert application.state is Status.BUREAU_REVIEW
    assert (application.current_org_id, application.committee_id, application.handler_signed_by_id) == (
        world.bureau.org.id,
        None,
        None,
    )
    assert application not in session.scalars(visible_applications(handler)).all()
    told = session.scalars(select(Notification.text).where(Notification.user_id == application.applicant_id))
    assert any("超出本评委会受理范围" in text for text in told)


def test_only_the_bureau_admin_keeps_committees_and_every_change_is_audited(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    with pytest.raises(PermissionDenied):
        committees.create_committee(
            session,
            world.bureau.actor(StaffRole.LEADER),
            committees.CommitteeInput("某评委会", "某单位"),
            clock.now,
        )
    admin = _admin(world)
    with pytest.raises(ValidationFailed) as invalid:
        committees.save_scope(
            session,
            admin,
            made.committee.id,
            committees.ScopeInput(specialties="", place="", levels=(), opens="2026-10-01", citation=""),
            clock.now,
        )
    assert set(invalid.value.fields) == {"specialties", "place", "levels", "closes", "citation"}
    with pytest.raises(ValidationFailed) as provincial:
        committees.create_committee(
            session, admin, committees.CommitteeInput("省评委会", "省厅", kind="provincial"), clock.now
        )
    # Zhenjiang's profile has no provincial channel rule: Dongchuan's 004 二(二) is not cited.
    assert provincial.value.fields["intake_opens"] == "省级评委会请填写收审材料的起止日期"
    row = made.committee.scopes[0]
    committees.save_scope(
        session,
        admin,
        made.committee.id,
        committees.ScopeInput("1", "建设工程、市政工程", "镇江市区", ("中级",), citation="003 附件 序号1"),
        clock.now,
        scope_id=row.id,
    )
    committees.delete_scope(session, admin, row.id, clock.now)
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "committee", AuditEvent.object_id == made.committee.id)
        .order_by(AuditEvent.id)  # in the order they happened: a heap scan's order is not that
    ).all()
    assert actions == [
        "create_committee",
        "save_committee_scope",
        "save_committee_scope",
        "delete_committee_scope",
    ]


def test_the_committee_office_has_staff_given_by_the_staff_rulebook(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    committee = committees.create_committee(
        session, _admin(world), committees.CommitteeInput("建设工程评委会", "市评价中心"), clock.now
    )
    office = session.get(Organisation, committee.office_id)
    assert office is not None and office.kind == OrgKind.COMMITTEE.value
    person = PersonInput("吴晓峰", complete_resident_id("32110219800101123"), "13951100001")
    added = staff.add_staff(session, _admin(world), office.id, person, StaffRole.HANDLER.value, clock.now)
    assert added.membership.org_id == office.id
    # The office's handler cannot give roles there (only an admin of the office or above it can).
    handler = actor_for(added.membership.user, added.membership)
    with pytest.raises(PermissionDenied):
        staff.add_staff(
            session,
            handler,
            office.id,
            PersonInput("钱进", complete_resident_id("32110219800101124"), "13951100002"),
            StaffRole.LEADER.value,
            clock.now,
        )
    assert session.scalar(select(Committee).where(Committee.office_id == office.id)) == committee
    assert make_user(session)  # the world keeps working
    assert datetime.now(UTC)
