"""CHAN-01's exception (003 四, "原则上"): a second application by the same person, same year, same level,
stays blocked from 送评委会评审 until the bureau admin records an exception for it with a written reason;
the exception is audited, shown on the case, refused to anyone else, and never lifts the unit's one
committee (不得多头报送)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, StaffRole
from portal.services import applications, committee_exceptions, rulebook
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world, make_review_application
from tests.i18n.reading import in_english
from tests.statements import recorded


def _second_application(session: Session, clock: Clock) -> tuple[Any, Application]:
    """The person's first application sent to a committee this year, and a second one at the same level
    waiting at the bureau."""
    world = make_committee_world(session, clock.now)
    make_committee(session, world, clock.now, specialties="建设工程、机械工程")
    first = make_review_application(session, world, clock.now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), first.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    second = make_review_application(
        session, world, clock.now, applicant=first.applicant, what=("机械", "机械工程", "中级")
    )
    return world, second


def _send_offer(session: Session, world: Any, application: Application, clock: Clock) -> rulebook.Offer:
    leader = world.bureau.actor(StaffRole.LEADER)
    (offer,) = [
        o
        for o in rulebook.offers(session, leader, application, clock.now, as_reviewer=True)
        if o.action is Action.SEND_TO_COMMITTEE
    ]
    return offer


def test_the_block_holds_without_an_exception_and_says_who_may_lift_it(
    session: Session, clock: Clock
) -> None:
    world, second = _second_application(session, clock)
    offer = _send_offer(session, world, second, clock)
    assert not offer.available and "系统管理员" in offer.why_not and "原则上" in offer.why_not
    with pytest.raises(DomainError) as refused:
        applications.act(
            session, world.bureau.actor(StaffRole.LEADER), second.id, Action.SEND_TO_COMMITTEE, clock.now
        )
    assert refused.value.code == "one_committee_a_year"
    assert second.state is Status.BUREAU_REVIEW


def test_with_the_admins_exception_it_goes_and_the_audit_trail_keeps_who_and_why(
    session: Session, clock: Clock
) -> None:
    world, second = _second_application(session, clock)
    admin = actor_for(world.admin, world.admin_membership)
    committee_exceptions.record_exception(
        session, admin, second.id, "  原申报评委会本年度停评，经市职称办同意改报  ", clock.now
    )
    assert _send_offer(session, world, second, clock).available
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), second.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    assert second.state is Status.COMMITTEE_REVIEW
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "record_committee_exception", AuditEvent.object_id == second.id
        )
    ).one()
    assert (event.actor_id, event.reason) == (world.admin.id, "原申报评委会本年度停评，经市职称办同意改报")
    assert event.detail["clause"] and event.detail["other_application_id"] != second.id
    with pytest.raises(DomainError) as again:
        committee_exceptions.record_exception(session, admin, second.id, "再登记一次", clock.now)
    assert again.value.code == "exception_exists"


def test_no_reason_no_exception_and_only_the_bureau_admin_records_one(session: Session, clock: Clock) -> None:
    world, second = _second_application(session, clock)
    admin = actor_for(world.admin, world.admin_membership)
    with pytest.raises(ValidationFailed) as empty:
        committee_exceptions.record_exception(session, admin, second.id, "   ", clock.now)
    assert "请写明例外的理由" in empty.value.fields["reason"]
    with pytest.raises(ValidationFailed) as long:
        committee_exceptions.record_exception(session, admin, second.id, "理" * 501, clock.now)
    assert "不能超过500字" in long.value.fields["reason"]
    for role in (StaffRole.LEADER, StaffRole.HANDLER):
        with pytest.raises(PermissionDenied):
            committee_exceptions.record_exception(
                session, world.bureau.actor(role), second.id, "领导自己开例外", clock.now
            )
    assert committee_exceptions.exception_for(session, second.id) is None


def test_an_application_the_rule_does_not_hold_back_needs_no_exception(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now)
    make_committee(session, world, clock.now)
    alone = make_review_application(session, world, clock.now)
    admin = actor_for(world.admin, world.admin_membership)
    with pytest.raises(DomainError) as refused:
        committee_exceptions.record_exception(session, admin, alone.id, "无需例外", clock.now)
    assert refused.value.code == "no_exception_needed"


def test_the_exception_never_lifts_the_units_one_committee(session: Session, clock: Clock) -> None:
    world = make_committee_world(session, clock.now)
    both = "建设工程、机械工程"
    first_choice = make_committee(session, world, clock.now, specialties=both)
    second_choice = make_committee(session, world, clock.now, specialties=both)  # the same scope
    leader = world.bureau.actor(StaffRole.LEADER)
    colleague = make_review_application(session, world, clock.now)  # 建设工程, the same unit
    applications.act(
        session,
        leader,
        colleague.id,
        Action.SEND_TO_COMMITTEE,
        clock.now,
        committee_id=first_choice.committee.id,
    )
    first = make_review_application(session, world, clock.now, what=("机械", "机械工程", "中级"))
    applications.act(
        session, leader, first.id, Action.SEND_TO_COMMITTEE, clock.now, committee_id=first_choice.committee.id
    )
    second = make_review_application(session, world, clock.now, applicant=first.applicant)  # 建设工程
    admin = actor_for(world.admin, world.admin_membership)
    committee_exceptions.record_exception(session, admin, second.id, "特殊情况", clock.now)
    with pytest.raises(DomainError) as refused:
        applications.act(
            session,
            leader,
            second.id,
            Action.SEND_TO_COMMITTEE,
            clock.now,
            committee_id=second_choice.committee.id,
        )
    assert "不得多头报送" in refused.value.message
    assert second.state is Status.BUREAU_REVIEW


def test_the_admin_records_it_on_the_page_and_the_leader_sees_it_on_the_case(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, second = _second_application(session, clock)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    page = admin.get("/committees/exceptions")
    assert page.status_code == 200 and f'id="exception-{second.id}"' in page.text and "登记例外" in page.text
    empty = admin.post(f"/committees/exceptions/{second.id}", data={"reason": "  "})
    assert empty.status_code == 422
    assert f'id="e-reason-{second.id}"' in empty.text and "请写明例外的理由" in empty.text
    assert committee_exceptions.exception_for(session, second.id) is None
    done = admin.post(
        f"/committees/exceptions/{second.id}", data={"reason": "经市职称办同意改报"}, follow_redirects=True
    )
    assert "已登记例外" in done.text and f'id="exception-reason-{second.id}"' in done.text
    leader = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    case = leader.get(f"/review/applications/{second.id}")
    assert 'id="committee-exception"' in case.text and "经市职称办同意改报" in case.text
    assert world.admin.name in case.text


def test_a_bureau_leader_cannot_record_one_and_the_refusal_is_audited(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, second = _second_application(session, clock)
    leader = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id)
    assert leader.get("/committees/exceptions").status_code == 403
    answer = leader.post(f"/committees/exceptions/{second.id}", data={"reason": "自己开例外"})
    assert answer.status_code == 403
    assert committee_exceptions.exception_for(session, second.id) is None
    denied = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "access_denied", AuditEvent.actor_id == world.bureau.leader.id
        )
    ).all()
    assert any(e.detail.get("endpoint") == "committees.record_exception" for e in denied)


def test_refusals_are_audited_a_draft_gets_none_and_two_admins_at_once_do_not_crash(
    session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's refusals were raised unaudited (its neighbours audit theirs), an exception could be
    recorded on a draft ahead of any send, and the second of two admins recording at once met the unique
    row: a 500."""
    world, second = _second_application(session, clock)
    admin = actor_for(world.admin, world.admin_membership)
    second.status = Status.DRAFT.value  # the same case before it was submitted
    session.flush()
    with pytest.raises(DomainError) as early:
        committee_exceptions.record_exception(session, admin, second.id, "提前登记", clock.now)
    assert early.value.code == "not_at_bureau"
    second.status = Status.BUREAU_REVIEW.value
    session.flush()
    committee_exceptions.record_exception(session, admin, second.id, "原评委会停评", clock.now)
    # The other admin's page was read before the first one recorded it: the check above passes for them.
    monkeypatch.setattr(committee_exceptions, "exception_for", lambda *_: None)
    with pytest.raises(DomainError) as late:
        committee_exceptions.record_exception(session, admin, second.id, "同时登记", clock.now)
    assert late.value.code == "exception_exists"
    denied = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "record_committee_exception", AuditEvent.outcome == "denied"
        )
    ).all()
    assert [e.detail["code"] for e in denied] == ["not_at_bureau", "exception_exists"]


def test_another_bureaus_admin_finds_no_such_application(session: Session, clock: Clock) -> None:
    from portal.domain.errors import NotFound
    from tests.factories import make_world

    _world, second = _second_application(session, clock)
    elsewhere = make_world(session, policy_profile="zhenjiang-2024")
    stranger = actor_for(elsewhere.admin, elsewhere.admin_membership)
    with pytest.raises(NotFound):
        committee_exceptions.record_exception(session, stranger, second.id, "替别的局登记", clock.now)
    assert committee_exceptions.exception_for(session, second.id) is None
    assert second.id not in {
        r.application.id for r in committee_exceptions.exception_rows(session, stranger, clock.now)
    }


def test_the_list_reads_a_fixed_number_of_statements_however_many_wait_at_the_bureau(
    session: Session, clock: Clock
) -> None:
    """The page looks only at applications the rule can hold back: the others at the bureau's review are
    left out in SQL (each was routed, several statements apiece: thousands at a province's bureau)."""
    world, second = _second_application(session, clock)
    admin = actor_for(world.admin, world.admin_membership)

    def listed() -> tuple[list[int], int]:
        with recorded(session.get_bind()) as sent:
            rows = committee_exceptions.exception_rows(session, admin, clock.now)
        return [row.application.id for row in rows], len(sent)

    session.expire_all()
    ids, alone = listed()
    for _ in range(3):
        make_review_application(session, world, clock.now)  # other people: nothing holds them back
    session.expire_all()
    more_ids, with_more = listed()
    assert ids == more_ids == [second.id]
    assert with_more == alone


def test_a_listed_case_certified_by_review_reads_as_passed_not_recognised(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """A recorded exception's case stays on the list after it goes on to the committee, as does the other
    case it names (at a committee by definition): certified there, each reads 评审通过，已发证 / "Passed
    review, certificate issued", the 评审 road's words, not 考核认定's 已认定发证."""
    world, second = _second_application(session, clock)
    admin = actor_for(world.admin, world.admin_membership)
    committee_exceptions.record_exception(session, admin, second.id, "经市职称办同意改报", clock.now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), second.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    (first,) = [r.other for r in committee_exceptions.exception_rows(session, admin, clock.now)]
    assert first is not None and second.committee_id is not None and first.committee_id is not None
    # Both ended by the province's number after a published pass (the road's end, set here by hand).
    for number, case in enumerate((first, second), start=1):
        case.status = Status.CERTIFIED.value
        case.certificate_no, case.certificate_code = f"JS2026-000000{number}", f"CODE{number}"
    session.flush()

    browser = login_as(world.admin, membership_id=world.admin_membership.id)
    row = _row(browser.get("/committees/exceptions").text, second.id)
    assert row.count("评审通过，已发证") == 2 and "已认定发证" not in row
    english = _row(in_english(browser).get("/committees/exceptions").text, second.id)
    assert english.count("Passed review, certificate issued") == 2 and "Recognised" not in english


def _row(page: str, application_id: int) -> str:
    start = page.index(f'id="exception-{application_id}"')
    return page[start : page.index("</tr>", start)]
