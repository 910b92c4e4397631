"""Issue 22.8: a committee's call (评审通知, 004 一(三), WIN-07) is filed with the bureau and published only
once accepted; published less than a month before intake, it is published with a warning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.models import AuditEvent, CallStatus, StaffRole
from portal.services import calls
from portal.services.calendar import today
from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world


def _input(clock: Clock, days: int) -> calls.CallInput:
    opens = today(clock.now) + timedelta(days=days)
    return calls.CallInput(
        title="东川区2026年度工程系列中级职称评审通知",
        intake_opens=opens.isoformat(),
        intake_closes=(opens + timedelta(days=20)).isoformat(),
        requirements="申报材料：申报表、学历证书、业绩材料……按省评价标准条件执行",
    )


def test_a_call_is_filed_accepted_then_published_and_never_before(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    co = make_committee(session, world, clock.now, place="东川区")
    handler, leader = co.office.actor(StaffRole.HANDLER), co.office.actor(StaffRole.LEADER)
    with pytest.raises(ValidationFailed) as bad:
        calls.draft_call(session, handler, calls.CallInput(intake_opens="2026-13-01"), clock.now)
    assert set(bad.value.fields) == {"title", "requirements", "intake_opens", "intake_closes"}
    call = calls.draft_call(session, handler, _input(clock, 45), clock.now)
    assert (call.state, call.citation) == (CallStatus.DRAFT, "004 一(三)")
    with pytest.raises(DomainError) as unfiled:
        calls.publish_call(session, leader, call.id, clock.now)
    assert unfiled.value.code == "not_accepted" and "须先报人社局备案" in unfiled.value.message
    with pytest.raises(PermissionDenied):
        calls.file_call(session, handler, call.id, clock.now)
    calls.file_call(session, leader, call.id, clock.now)
    bureau = world.bureau.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed):
        calls.decide_call(session, bureau, call.id, False, "", clock.now)
    calls.decide_call(session, bureau, call.id, False, "申报材料要求未列明业绩材料的具体范围", clock.now)
    with pytest.raises(DomainError):
        calls.publish_call(session, leader, call.id, clock.now)
    calls.file_call(session, leader, call.id, clock.now)
    calls.decide_call(session, bureau, call.id, True, "", clock.now)
    published = calls.publish_call(session, leader, call.id, clock.now)
    assert published.call.state is CallStatus.PUBLISHED and published.warning is None
    with pytest.raises(DomainError):
        calls.publish_call(session, leader, call.id, clock.now)
    denied = session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.object_type == "committee_call", AuditEvent.outcome == "denied"
        )
    ).all()
    assert [d["code"] for d in denied] == ["not_accepted", "not_accepted", "not_accepted"]


def test_a_late_call_is_published_with_the_warning_and_zhenjiang_has_no_call_rule(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    co = make_committee(session, world, clock.now, place="东川区")
    leader = co.office.actor(StaffRole.LEADER)
    # Drafted with too little notice: the intake's opening is refused with the earliest day and the clause.
    with pytest.raises(ValidationFailed) as early:
        calls.draft_call(session, leader, _input(clock, 10), clock.now)
    assert set(early.value.fields) == {"intake_opens"}
    assert "至少提前1个月" in early.value.fields["intake_opens"]
    assert "004 一(三)" in early.value.fields["intake_opens"]
    call = calls.draft_call(session, leader, _input(clock, 45), clock.now)
    calls.file_call(session, leader, call.id, clock.now)
    calls.decide_call(session, world.bureau.actor(StaffRole.LEADER), call.id, True, "", clock.now)
    # The filing took three weeks: published now, less than a month before intake: published, warned.
    clock.now += timedelta(days=21)
    late = calls.publish_call(session, leader, call.id, clock.now)
    assert late.warning and "至少提前1个月" in late.warning and "004 一(三)" in late.warning
    zhenjiang = make_committee_world(session, clock.now)
    zco = make_committee(session, zhenjiang, clock.now)
    with pytest.raises(DomainError) as none:
        calls.draft_call(session, zco.office.actor(StaffRole.HANDLER), _input(clock, 45), clock.now)
    assert none.value.code == "no_call_rule"
