"""REP-01 (Ganzhou 001 四(七), 000 四(六)): the year-end report's figures per authority and batch, its
deadline from the profile's [year_end], and recording an authority's report once, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied
from portal.domain.workflow import Status
from portal.models import AuditEvent, StaffRole
from portal.services import year_end
from portal.services.actors import actor_for
from portal.services.policies import profiles
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, in_batch, make_application, make_world

IN_OCTOBER = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
IN_DECEMBER = datetime(2026, 12, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session, policy_profile="ganzhou-2026")


def test_the_counties_and_parks_report_and_the_city_office_does_not() -> None:
    for profile_id in ("ganzhou-2026", "ganzhou-2022"):
        codes = [a.code for a in profiles()[profile_id].year_end_reporters()]
        assert "gz-city" not in codes and "gz-zhanggong" in codes
    zhenjiang = profiles()["zhenjiang-2024"]  # REP-02: finished within the year, nobody reports
    assert zhenjiang.year_end_reporters() == () and zhenjiang.year_end_authorities() == zhenjiang.authorities


def test_the_figures_count_each_authoritys_batches_of_the_year(
    session: Session, world: World, clock: Clock
) -> None:
    clock.now = IN_OCTOBER
    done = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    open_ = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    elsewhere = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    for application, code in ((done, "gz-zhanggong"), (open_, "gz-zhanggong"), (elsewhere, "gz-ganxian")):
        in_batch(session, application, "2026-4", authority=code)
    handler = world.bureau.actor(StaffRole.HANDLER)
    report = year_end.year_end_report(session, handler, 2026, IN_DECEMBER)
    assert report is not None and report.deadline == date(2026, 12, 31) and report.warns and not report.past
    lines = {a.code: a for a in report.authorities}
    assert "gz-city" not in lines
    zhanggong = lines["gz-zhanggong"]
    assert [(b.title, b.decided, b.undecided, b.certified) for b in zhanggong.batches] == [
        ("2026年第四批", 1, 1, 1)
    ]
    assert zhanggong.state is year_end.ReportState.DUE
    assert lines["gz-ganxian"].certified == 1 and lines["gz-xunwu"].batches == ()
    earlier = year_end.year_end_report(session, handler, 2026, IN_OCTOBER)
    assert earlier is not None and not earlier.warns  # the profile's warn_from is 12-01
    assert year_end.year_end_report(session, handler, 2025, IN_DECEMBER).authorities[0].batches == ()  # type: ignore[union-attr]


def test_a_report_is_recorded_once_and_late_after_the_deadline(session: Session, world: World) -> None:
    leader = world.bureau.actor(StaffRole.LEADER)
    after = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
    with pytest.raises(DomainError):
        year_end.record_report(session, leader, "gz-ganxian", 2027, IN_DECEMBER)  # a year not begun
    report = year_end.record_report(session, leader, "gz-ganxian", 2026, after)
    assert report.reported_by_id == world.bureau.leader.id
    with pytest.raises(DomainError):
        year_end.record_report(session, leader, "gz-ganxian", 2026, after)
    with pytest.raises(NotFound):
        year_end.record_report(session, leader, "gz-city", 2026, after)  # the office reported to
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "year_end_reported").order_by(AuditEvent.id)
    ).all()
    assert [(e.outcome, e.detail.get("late")) for e in events] == [("ok", True), ("denied", None)]
    assert events[1].detail["code"] == "already_reported" and events[1].object_id == report.id
    page = year_end.year_end_report(session, leader, 2026, after)
    assert page is not None and {a.code: a.state for a in page.authorities}["gz-ganxian"] == "reported_late"
    assert {a.code: a.state for a in page.authorities}["gz-xunwu"] == "late"


def test_only_the_bureau_sees_or_records_it(session: Session, world: World) -> None:
    enterprise = world.enterprise.actor(StaffRole.HANDLER)
    with pytest.raises(PermissionDenied):
        year_end.year_end_report(session, enterprise, 2026, IN_DECEMBER)
    with pytest.raises(PermissionDenied):
        year_end.record_report(session, enterprise, "gz-ganxian", 2026, IN_DECEMBER)
    admin = actor_for(world.admin, world.admin_membership)
    page = year_end.year_end_report(session, admin, 2026, IN_DECEMBER)
    assert page is not None and not page.may_download  # figures yes; documents naming people no
    with pytest.raises(PermissionDenied):
        year_end.approval_document(session, admin, "gz-ganxian", 2026, "", IN_DECEMBER)


def test_work_carried_over_from_an_earlier_year_counts_until_it_is_decided(
    session: Session, world: World, clock: Clock
) -> None:
    """An application submitted in 2025 and still undecided in December 2026 is the county's to finish by
    2026-12-31: it was counted nowhere (only 2026's submissions were). One decided in 2026 counts as
    decided; one decided in 2025 is 2025's."""
    clock.now = IN_OCTOBER  # made now (the profile's windows are 2026's), then dated back to 2025
    still_open = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    decided_now = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    decided_then = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    for application in (still_open, decided_now, decided_then):
        in_batch(session, application, "2025-4", name="2025年第四批", authority="gz-zhanggong")
        application.submitted_at = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)
    decided_now.status, decided_now.status_changed_at = Status.REJECTED.value, IN_OCTOBER
    decided_then.status = Status.REJECTED.value
    decided_then.status_changed_at = datetime(2025, 12, 1, 2, 0, tzinfo=UTC)
    session.flush()
    handler = world.bureau.actor(StaffRole.HANDLER)
    page = year_end.year_end_report(session, handler, 2026, IN_DECEMBER)
    assert page is not None
    zhanggong = {a.code: a for a in page.authorities}["gz-zhanggong"]
    lines = [(b.batch_id, b.decided, b.undecided, b.carried) for b in zhanggong.batches]
    assert lines == [("2025-4", 1, 1, 1)]
    assert (zhanggong.undecided, zhanggong.carried) == (1, 1)
    last_year = year_end.year_end_report(session, handler, 2025, IN_DECEMBER)
    assert last_year is not None
    last_zhanggong = {a.code: a for a in last_year.authorities}["gz-zhanggong"]
    assert last_zhanggong.carried == 0  # 2025's own submissions
    # As 2025 closed: decided_then was decided, decided_now (decided in 2026) and still_open were not.
    assert [(b.decided, b.undecided) for b in last_zhanggong.batches] == [(1, 2)]


def test_zhenjiang_calls_out_intermediate_reviews_still_undecided_from_december(
    session: Session, clock: Clock
) -> None:
    """WIN-04 (003 三(二)): 中级 reviews are finished by 11-30 in principle. From 1 December the page counts
    the undecided 中级 applications on the committee road (评审) against that day; a 中级 认定 (the bureau's
    road) and a 评审 at 助理级 are not the clause's, and Ganzhou has no such day."""
    world = make_world(session)
    clock.now = IN_OCTOBER
    made = [
        make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW]) for _ in range(4)
    ]
    world.bureau.org.policy_profile = "zhenjiang-2024"  # made on the plain road, then under Zhenjiang
    review, junior, recognised, decided = made
    for application, pathway, level in (
        (review, "评审", "中级"),
        (junior, "评审", "助理级"),
        (recognised, "初定", "中级"),
        (decided, "评审", "中级"),
    ):
        application.authority_code, application.pathway, application.level = "zj-center", pathway, level
    decided.status = Status.REJECTED.value
    session.flush()
    handler = world.bureau.actor(StaffRole.HANDLER)
    november = year_end.year_end_report(session, handler, 2026, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    assert november is not None and november.review_warning is None  # the day itself: not yet
    page = year_end.year_end_report(session, handler, 2026, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    assert page is not None and page.review_warning is not None and page.review_levels == ("中级",)
    assert "2026年11月30日前完成（003 三(二)）" in page.review_warning
    assert "尚有1件中级评审申报未办结" in page.review_warning
    center = {a.code: a for a in page.authorities}["zj-center"]
    assert (center.undecided, center.review) == (3, 1)
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.flush()
    ganzhou = year_end.year_end_report(session, handler, 2026, IN_DECEMBER)
    assert ganzhou is not None and ganzhou.review_warning is None


def test_a_batch_carried_over_from_last_year_is_named_as_it_was_submitted(
    session: Session, world: World, clock: Clock
) -> None:
    """The 2026 profile does not hold 2025's batches: the page showed the bare id "2025-4" for work
    carried over from them. The name kept at submission is shown; the id only for an application
    submitted before names were kept. A batch the profile holds keeps its current name."""
    clock.now = IN_OCTOBER
    named = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    unnamed = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    current = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    for application, batch, name in (
        (named, "2025-4", "2025年第四批"),
        (unnamed, "2025-3", None),
        (current, "2026-4", "旧的名称"),
    ):
        in_batch(session, application, batch, name=name, authority="gz-zhanggong")
        if batch.startswith("2025"):
            application.submitted_at = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)
    session.flush()
    page = year_end.year_end_report(session, world.bureau.actor(StaffRole.HANDLER), 2026, IN_DECEMBER)
    assert page is not None
    zhanggong = {a.code: a for a in page.authorities}["gz-zhanggong"]
    assert [(b.batch_id, b.title) for b in zhanggong.batches] == [
        ("2025-3", "2025-3"),
        ("2025-4", "2025年第四批"),
        ("2026-4", "2026年第四批"),
    ]


def test_the_certificates_counted_are_those_the_excel_lists_the_recognised_alone(
    session: Session, clock: Clock
) -> None:
    """The page's per-batch certificate figure counted a certificate reached by 评审 too, while the Excel
    sent beside it (考核认定通过人员证书信息, 001 四(七)) lists the 认定 road's alone: both count the same."""
    from portal.services import certificates
    from tests.services.test_approval_by_road import _both

    world, _made, reviewed, recognised = _both(session, clock)
    world.bureau.org.policy_profile = "ganzhou-2026"
    for application in (reviewed, recognised):
        in_batch(session, application, "2026-4", authority="gz-zhanggong")
    session.flush()
    assert recognised.certified_at is not None
    year = recognised.certified_at.year
    handler = world.bureau.actor(StaffRole.HANDLER)
    report = year_end.year_end_report(session, handler, year, clock.now)
    assert report is not None
    line = {a.code: a for a in report.authorities}["gz-zhanggong"]
    listed = certificates.certificates(
        session,
        handler,
        certificates.CertificateFilters(
            authority="gz-zhanggong", since=date(year, 1, 1), until=date(year, 12, 31), road=report.excel_road
        ),
    )
    assert [a.id for a in listed] == [recognised.id]
    assert [b.certified for b in line.batches] == [1] and line.certified == len(listed)
    # The reviewed one is not lost: counted apart, as the year-end PDF lists it apart after the 批复.
    assert [b.reviewed for b in line.batches] == [1] and line.reviewed == 1
