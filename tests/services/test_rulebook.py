"""The rulebook (services.rulebook): one registry of guards offers the actions and applies them, so for
every demo role and every status the demo holds, each action the UI offers applies (or refuses only on a
race), and each refusal of an applied action is audited with the guard's name."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import seed_demo
from portal.domain.errors import DomainError, StaleObject
from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, Material, Membership, StaffRole, User
from portal.services import applications, corrections, rulebook
from portal.services.actors import Actor, actor_for
from portal.services.scope import visible_applications
from tests.conftest import Clock
from tests.factories import STEPS_TO, STORAGE, make_application, make_world


def _actors(session: Session) -> list[Actor]:
    """Every demo person in every role they hold: each staff membership, and each applicant."""
    found: list[Actor] = []
    for membership in session.scalars(select(Membership).where(Membership.ended_at.is_(None))):
        found.append(actor_for(membership.user, membership))
    for user in session.scalars(select(User).where(User.employer_id.is_not(None))):
        found.append(actor_for(user, None))
    return found


def _apply(
    session: Session, actor: Actor, application: Application, offer: rulebook.Offer, clock: Clock
) -> None:
    """Apply an offered action through the entry point its page uses, with the input that page asks for."""
    if offer.form is rulebook.Form.MEETING_PAGE:  # the review page links to the meeting's page: done there
        from portal.services import meetings, results

        meeting_id = meetings.meeting_id_of(session, application.id)
        assert meeting_id is not None and offer.action is Action.PUBLISH_RESULT, offer
        results.publish_results(session, actor, meeting_id, "镇人社〔2026〕1号", clock.now)
        return
    if offer.form is rulebook.Form.CORRECTION_LIST:
        deadline = (clock.now + timedelta(days=20)).date().isoformat()
        data = corrections.ReturnInput({"education": "请补充学历证明"}, deadline)
        corrections.return_for_correction(
            session, actor, application.id, data, clock.now, expected_version=application.version
        )
        return
    # A resubmission page asks, for each returned item left as it is, why (issue 17.1).
    returned = corrections.open_correction(session, application.id)
    responses = {item.section: "已核对，原内容无误" for item in returned.items} if returned else {}
    applications.act(
        session,
        actor,
        application.id,
        offer.action,
        clock.now,
        expected_version=application.version,
        reason="核对后填写的意见",
        acknowledgement="已知悉，按要求补充",
        responses=responses,
        verified=offer.form is rulebook.Form.VERIFICATION,  # the page asks the tick with the button
    )


def test_every_offered_action_applies_for_every_demo_role_and_status(session: Session, clock: Clock) -> None:
    seed_demo(session, clock.now, STORAGE)
    session.flush()
    tried: set[tuple[Status, Action]] = set()
    refused: list[str] = []
    for actor in _actors(session):
        for application in session.scalars(visible_applications(actor)).unique():
            for offer in rulebook.offers(session, actor, application, clock.now, as_reviewer=actor.is_staff):
                if not offer.available:
                    continue
                status = application.state
                savepoint = session.begin_nested()
                try:
                    _apply(session, actor, application, offer, clock)
                except StaleObject:
                    pass  # a race is the one refusal an offered action may meet
                except DomainError as error:
                    refused.append(f"{actor.user_id} {status} {offer.action}: {error.message}")
                finally:
                    savepoint.rollback()
                    session.expire_all()
                tried.add((status, offer.action))
    assert refused == []
    # The demo holds cases at every review step: each role's main moves were offered and applied.
    assert {
        (Status.SUBMITTED, Action.HANDLER_APPROVE),
        (Status.DEPT_REVIEW, Action.HANDLER_APPROVE),
        (Status.DRAFT, Action.WITHDRAW),
        (Status.SUBMITTED, Action.RETURN),
    } <= tried, sorted(tried)


def test_an_action_a_guard_refuses_is_offered_disabled_with_the_reason(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)  # submitted
    handler = world.enterprise.actor(StaffRole.HANDLER)
    copy = session.scalars(select(Material).where(Material.application_id == application.id)).first()
    assert copy is not None  # the factory attaches stand-in scans to every required slot
    copy.kind = "copy"  # a copy nobody has checked against its original yet
    session.flush()
    offers = rulebook.offers(session, handler, application, clock.now, as_reviewer=True)
    (offer,) = [o for o in offers if o.action is Action.HANDLER_APPROVE]
    assert not offer.available and "尚未核对原件" in offer.why_not
    with pytest.raises(DomainError) as refused:
        applications.act(session, handler, application.id, Action.HANDLER_APPROVE, clock.now)
    assert refused.value.code == "copies_unendorsed"
    denied = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == application.id, AuditEvent.outcome == "denied")
    ).all()
    assert [e.detail["code"] for e in denied] == ["copies_unendorsed"]


def test_a_guard_is_one_function_added_to_the_registry() -> None:
    names = [g.name for g in rulebook.GUARDS]
    assert len(names) == len(set(names))
    assert {"workflow", "in_notice", "copies_unendorsed", "org_incomplete", "stale"} <= set(names)
    assert all(g.clause for g in rulebook.GUARDS)


def test_a_guard_registered_after_offers_were_worked_out_still_governs(
    session: Session, clock: Clock
) -> None:
    """Each action's guards are worked out once (a queue asks for every row): a guard registered after that
    (a module imported later, a plugin) must govern too, not be skipped by the kept list."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    handler = world.enterprise.actor(StaffRole.HANDLER)
    assert any(o.available for o in rulebook.offers(session, handler, application, clock.now))  # kept now

    def nobody_today(case: rulebook.Case, action: Action, attempt: rulebook.Attempt) -> str | None:
        return "今天不办理"

    rulebook.guard(clause="test")(nobody_today)
    try:
        offers = rulebook.offers(session, handler, application, clock.now)
        assert offers and all("今天不办理" in o.why_not for o in offers)
    finally:
        rulebook.GUARDS.pop()
        rulebook._governing.cache_clear()


def test_no_guard_names_one_city_s_clause() -> None:
    """A guard's own clause is the rule's id: "002 五(三)、003 七(三)" (integrity_record) or "004 一(四)"
    (return_limit) named Nantong's, Zhenjiang's or Kunming's notice for every bureau; the clause a refusal
    cites comes from the bureau's profile (or the record it refuses on)."""
    notice_clause = re.compile(r"\b\d{3} [一二三四五六七八九十]")
    assert [(g.name, g.clause) for g in rulebook.GUARDS if notice_clause.search(g.clause)] == []
