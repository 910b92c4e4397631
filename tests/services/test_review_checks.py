"""EXP-03 (Ganzhou 000 四(四), 001 四(五)): the employer and its competent department check the applicant's
work experience and achievements; their handler confirms it on each case at 初审 (services.review_checks).
Other profiles ask nothing, and nobody else is asked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, StaffRole
from portal.services import applications, rulebook
from portal.services.actors import Actor
from portal.services.policies import profiles
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_world

IN_OCTOBER = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # within the profile's fourth batch


def _approve_offer(session: Session, actor: Actor, application: Application, now: datetime) -> rulebook.Offer:
    offers = rulebook.offers(session, actor, application, now, as_reviewer=True)
    (offer,) = [o for o in offers if o.action is Action.HANDLER_APPROVE]
    return offer


def _events(session: Session, application: Application) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == application.id, AuditEvent.action == Action.HANDLER_APPROVE.value)
            .order_by(AuditEvent.id)
        )
    )


@pytest.mark.parametrize(
    ("profile", "clause", "now"),
    [
        ("ganzhou-2026", "001 四(五)", IN_OCTOBER),
        ("ganzhou-2022", "000 四(四)", datetime(2022, 11, 1, 2, 0, tzinfo=UTC)),  # its own year's batch
    ],
)
def test_the_employer_and_the_department_confirm_the_check_at_their_first_review(
    session: Session, profile: str, clause: str, now: datetime
) -> None:
    world = make_world(session, policy_profile=profile)
    for office, steps in (
        (world.enterprise, STEPS_TO[Status.SUBMITTED]),
        (world.department, STEPS_TO[Status.DEPT_REVIEW]),
    ):
        application = make_application(session, world, now, steps=steps)
        handler = office.actor(StaffRole.HANDLER)
        offer = _approve_offer(session, handler, application, now)
        assert offer.form is rulebook.Form.VERIFICATION and offer.available
        assert str(offer.check) == f"已核实工作经历和业绩成果符合申报条件（{clause}）"

        with pytest.raises(DomainError) as refused:
            applications.act(session, handler, application.id, Action.HANDLER_APPROVE, now)
        assert refused.value.message == (
            f"请先核实申报人的工作经历和业绩成果是否符合申报条件，勾选确认后再办理（{clause}）"
        )
        done = applications.act(session, handler, application.id, Action.HANDLER_APPROVE, now, verified=True)
        assert done.handler_signed_by_id == office.handler.id
        refusal, approval = _events(session, application)[-2:]
        assert (refusal.outcome, refusal.detail["code"]) == ("denied", "experience_unverified")
        assert approval.outcome == "ok"
        assert approval.detail == {"checked": {"rule": "EXP-03", "clause": clause}}


def test_the_bureau_and_other_profiles_are_not_asked(session: Session, clock: Clock) -> None:
    ganzhou = make_world(session, policy_profile="ganzhou-2026")
    at_bureau = make_application(session, ganzhou, IN_OCTOBER, steps=STEPS_TO[Status.BUREAU_REVIEW])
    bureau = ganzhou.bureau.actor(StaffRole.HANDLER)
    assert _approve_offer(session, bureau, at_bureau, IN_OCTOBER).form is rulebook.Form.BUTTON
    applications.act(session, bureau, at_bureau.id, Action.HANDLER_APPROVE, IN_OCTOBER)
    assert "checked" not in (_events(session, at_bureau)[-1].detail or {})  # nothing confirmed or kept

    world = make_world(session)  # a bureau following no profile
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    handler = world.enterprise.actor(StaffRole.HANDLER)
    offer = _approve_offer(session, handler, application, clock.now)
    assert offer.form is rulebook.Form.BUTTON and offer.check == ""
    applications.act(session, handler, application.id, Action.HANDLER_APPROVE, clock.now)
    # The other cities' notices have no such rule.
    known = profiles()
    assert [k for k in known if known[k].workflow.experience_check] == ["ganzhou-2022", "ganzhou-2026"]


def test_a_bulk_first_review_confirms_the_check_for_every_ticked_row(session: Session) -> None:
    world: World = make_world(session, policy_profile="ganzhou-2026")
    first, second = (
        make_application(session, world, IN_OCTOBER, steps=STEPS_TO[Status.SUBMITTED]) for _ in range(2)
    )
    handler = world.enterprise.actor(StaffRole.HANDLER)
    refused = applications.act_many(
        session, handler, [first.id, second.id], Action.HANDLER_APPROVE, IN_OCTOBER
    )
    assert refused.done == [] and len(refused.failed) == 2
    assert all("勾选确认后再办理（001 四(五)）" in reason for _, _, reason in refused.failed)
    done = applications.act_many(
        session, handler, [first.id, second.id], Action.HANDLER_APPROVE, IN_OCTOBER, verified=True
    )
    assert [i for i, _ in done.done] == [first.id, second.id]
    assert _events(session, second)[-1].detail == {"checked": {"rule": "EXP-03", "clause": "001 四(五)"}}
