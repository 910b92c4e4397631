"""What the portal says of a return for correction cites the clause of the bureau's own notice (REV-03):
Zhenjiang's 003 五(二), Dongchuan's 004 一(四), and nothing under Ganzhou's and Nantong's profiles, whose
notices do not state the rule (a bureau there was told Zhenjiang's clause). The history's abandonment note
is a message, kept with its msgid and parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, Notification, StaffRole
from portal.services import applications, corrections, forms, rulebook
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import World, make_world, returned_summary

CITED = {
    "zhenjiang-2024": "003 五(二)",
    "kunming-2022": "004 一(四)",
    "ganzhou-2022": "",
    "ganzhou-2026": "",
    "nantong-2023": "",
    None: "",
}


def _returned(session: Session, clock: Clock, profile: str | None) -> tuple[World, Application]:
    """An application returned by the unit's handler with a deadline of 2026-10-20, its bureau then
    following ``profile`` (the clause is read when the portal speaks, not when the return was made)."""
    world = make_world(session)
    application = returned_summary(session, world, clock.now)
    world.bureau.org.policy_profile = profile
    session.flush()
    return world, application


def _abandonment(session: Session, application: Application) -> AuditEvent:
    return session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id == application.id,
            AuditEvent.action == Action.ABANDON.value,
        )
    ).one()


@pytest.mark.parametrize("profile", list(CITED))
def test_the_abandonment_note_cites_the_bureau_s_own_clause(
    session: Session, clock: Clock, profile: str | None
) -> None:
    _world, application = _returned(session, clock, profile)
    corrections.abandon_overdue(session, datetime(2026, 10, 21, 2, tzinfo=UTC))
    event = _abandonment(session, application)
    clause = CITED[profile]
    said = "未在2026年10月20日前补正，视为放弃申报"
    assert event.reason == (f"{said}（{clause}）" if clause else said)
    assert "003" not in event.reason or profile == "zhenjiang-2024"
    record = event.detail["reason_record"]  # the message itself, to read in each reader's language
    assert record["template"].startswith("未在%(day)s前补正，视为放弃申报")
    assert record["params"]["day"] == {"date": "2026-10-20"}
    # the applicant's inbox keeps the message too (not its Chinese text alone)
    note = session.scalars(
        select(Notification).where(
            Notification.user_id == application.applicant_id, Notification.kind == Status.ABANDONED.value
        )
    ).one()
    assert event.reason in note.text
    assert note.message_record is not None
    assert note.message_record["params"]["reason"]["text"]["template"] == record["template"]


@pytest.mark.parametrize("profile", list(CITED))
def test_a_late_resubmission_is_refused_citing_the_bureau_s_own_clause(
    session: Session, clock: Clock, profile: str | None
) -> None:
    _world, application = _returned(session, clock, profile)
    late = datetime(2026, 10, 21, 2, tzinfo=UTC)
    case = rulebook.Case(session, actor_for(application.applicant, None), application, late)
    refused = rulebook.corrected_in_time(case, Action.RESUBMIT, rulebook.Attempt())
    assert refused is not None and refused.startswith("补正截止日期2026年10月20日已过")
    clause = CITED[profile]
    assert refused.endswith(f"（{clause}）" if clause else "不能再重新提交")


@pytest.mark.parametrize("profile", ["zhenjiang-2024", "ganzhou-2026"])
def test_the_belated_return_warning_cites_the_bureau_s_own_clause(
    session: Session, clock: Clock, profile: str
) -> None:
    world, application = _returned(session, clock, None)
    me = actor_for(application.applicant, None)
    forms.save_form(
        session, me, application.id,
        {**forms.posted_form(session, application), "work_summary": "详细的总结"}, clock.now,
    )  # fmt: skip
    applications.act(session, me, application.id, Action.RESUBMIT, clock.now)
    world.bureau.org.policy_profile = profile
    session.flush()
    belated = corrections.belated_items(
        session, world.enterprise.actor(StaffRole.HANDLER), application, ["education"]
    )
    assert belated is not None
    warning = belated.warning()
    assert "退回补正应一次性告知" in warning and "REV-03" not in warning
    if profile == "zhenjiang-2024":
        assert "退回补正应一次性告知（003 五(二)）" in warning
    else:
        assert "003" not in warning and "退回补正应一次性告知，再次退回" in warning


def test_the_profiles_state_the_corrections_clause_of_their_own_notice() -> None:
    from portal.services.policies import profiles

    for profile_id, clause in CITED.items():
        if profile_id is not None:
            assert corrections.clause_under(profiles()[profile_id]) == clause
