"""The applicant's own case as one typed view (issue 18.6): what they may see and do on their application
comes from one service (services.cases.applicant_case), with the rulebook's offers, so the page renders it
and derives no rule; another person's application is not found."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portal.domain.errors import NotFound
from portal.domain.workflow import Action, Status
from portal.models import StaffRole
from portal.services import cases, corrections, forms
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, filled_form, make_application, make_user, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _case(session: Session, application, clock: Clock) -> cases.ApplicantCase:  # type: ignore[no-untyped-def]
    return cases.applicant_case(session, actor_for(application.applicant, None), application.id, clock.now)


def test_a_draft_offers_its_submission_with_what_is_still_missing(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now)
    forms.save_form(
        session,
        actor_for(application.applicant, None),
        application.id,
        filled_form(application, flat={"work_summary": ""}),
        clock.now,
    )
    case = _case(session, application, clock)
    assert case.editable and case.application.id == application.id
    assert case.submission is not None and case.submission.action is Action.SUBMIT
    assert case.submission not in case.other_offers
    assert case.missing == ["工作总结"] and case.missing_before_submit == case.missing
    assert not case.asks_responses and case.correction is None
    assert not case.certificate and case.lookups == [] and case.notice is None
    assert case.route.progress.current is not None and case.timeline


def test_under_review_nothing_is_asked_before_a_submission(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    case = _case(session, application, clock)
    assert not case.editable and case.submission is None
    assert case.missing_before_submit == [] and case.gaps_before_submit == [] and case.window_message == ""
    assert {o.action for o in case.other_offers} <= {Action.WITHDRAW}


def test_a_returned_application_asks_a_reply_to_each_item(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"field:work_summary": "请补充近三年业绩"}, "2026-10-20"),
        clock.now,
    )
    case = _case(session, application, clock)
    assert case.correction is not None and case.deadline is not None
    assert case.submission is not None and case.submission.action is Action.RESUBMIT
    assert case.asks_responses and case.window_message == ""  # a resubmission needs no window
    assert case.editable and "工作总结" in case.section_titles["field:work_summary"]


def test_a_certified_application_offers_its_certificate(session: Session, world: World, clock: Clock) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    case = _case(session, application, clock)
    assert case.certificate and case.offers == [] and case.submission is None
    assert case.notice is not None and case.notice_clock is not None


def test_another_persons_application_is_not_found(session: Session, world: World, clock: Clock) -> None:
    application = make_application(session, world, clock.now)
    stranger = make_user(session, employer=world.enterprise.org)
    with pytest.raises(NotFound):
        cases.applicant_case(session, actor_for(stranger, None), application.id, clock.now)
