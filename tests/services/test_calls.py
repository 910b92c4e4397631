"""Issue 22.8: a committee's call (评审通知, 004 一(三), WIN-07) is filed with the bureau and published only
once accepted; published less than a month before intake, it is published with a warning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.mail import NoticeKind
from portal.models import AuditEvent, CallStatus, Notification, StaffRole
from portal.services import calls, notifications
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


def _call_notices(session: Session, kind: NoticeKind) -> list[Notification]:
    stmt = select(Notification).where(
        Notification.kind == kind.value, Notification.link.startswith("/committees/calls/")
    )
    return list(session.scalars(stmt.order_by(Notification.id)))


def test_a_filed_call_is_new_work_for_the_bureau_and_its_decision_is_told_to_the_office(
    session: Session, clock: Clock
) -> None:
    """As a meeting's filing: the bureau's handlers and leaders (who decide it; not its admin, not the
    office) find a filed call among their new work, and the office's handlers and leaders (who draft and
    file calls) learn of the decision, a refusal with its reason, each notice linking to the call."""
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    co = make_committee(session, world, clock.now, place="东川区")
    leader = co.office.actor(StaffRole.LEADER)
    call = calls.draft_call(session, co.office.actor(StaffRole.HANDLER), _input(clock, 45), clock.now)
    assert _call_notices(session, NoticeKind.NEW_WORK) == []  # a draft is the office's own work
    calls.file_call(session, leader, call.id, clock.now)
    link = f"/committees/calls/{call.id}"
    filed = _call_notices(session, NoticeKind.NEW_WORK)
    assert {n.user_id for n in filed} == {world.bureau.handler.id, world.bureau.leader.id}
    assert world.admin.id not in {n.user_id for n in filed}
    assert {(n.text, n.link) for n in filed} == {
        (f"新的待办（备案）：{co.committee.name}报备评审通知《{call.title}》，请确认是否予以备案", link)
    }
    office = {co.office.handler.id, co.office.leader.id}
    bureau = world.bureau.actor(StaffRole.HANDLER)
    calls.decide_call(session, bureau, call.id, False, "未列明业绩材料范围", clock.now)
    refused = _call_notices(session, NoticeKind.FILING_DECIDED)
    assert {n.user_id for n in refused} == office
    assert {(n.text, n.link) for n in refused} == {
        (
            f"备案未通过：人社局对{co.committee.name}评审通知《{call.title}》不予备案，请修改后重新报备。"
            "原因：未列明业绩材料范围",
            link,
        )
    }
    calls.file_call(session, leader, call.id, clock.now)
    assert len(_call_notices(session, NoticeKind.NEW_WORK)) == 4  # filed again: new work again
    calls.decide_call(session, bureau, call.id, True, "", clock.now)
    accepted = _call_notices(session, NoticeKind.FILING_DECIDED)[len(refused) :]
    assert {(n.user_id, n.text) for n in accepted} == {
        (user_id, f"备案已通过：人社局确认了{co.committee.name}评审通知《{call.title}》的报备，可以发布")
        for user_id in office
    }
    with pytest.raises(DomainError):  # decided already: nobody is told again
        calls.decide_call(session, bureau, call.id, True, "", clock.now)
    assert len(_call_notices(session, NoticeKind.FILING_DECIDED)) == 4
    co.office.leader.email, co.office.leader.email_verified_at = "ban@example.cn", clock.now
    session.flush()
    mailed = {n.id for n, _user in notifications.pending_emails(session)}
    assert {n.id for n in accepted if n.user_id == co.office.leader.id} <= mailed
