"""The rulebook's refusals cite the bureau's own notice: the unchecked copies' refusal (MAT-03, Kunming's
004 二(十); MAT-02, Ganzhou 2026's 001 四(三)) and the out-of-scope refusal (EXAM-06, Zhenjiang's
003 七(一)) name a clause only under the profile stating the rule. Every bureau was told
"（004 二(十)、001 四(三)）" and a Kunming bureau "（003 七(一)）"."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from portal.domain.policy import load_profiles
from portal.domain.workflow import Action, Status
from portal.models import StaffRole
from portal.services import rulebook
from portal.services.rulebook import Case, copies_clause
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_committee_world, make_world

PROFILES = load_profiles()
COPIES = {"kunming-2022": "004 二(十)", "ganzhou-2026": "001 四(三)"}


@pytest.mark.parametrize(
    "profile", ["kunming-2022", "ganzhou-2026", "ganzhou-2022", "nantong-2023", "zhenjiang-2024"]
)
def test_the_unchecked_copies_refusal_cites_the_bureau_s_own_clause(
    session: Session, clock: Clock, profile: str
) -> None:
    assert copies_clause(PROFILES[profile]) == COPIES.get(profile, "")
    world = make_world(session, policy_profile=profile)
    application = make_application(session, world, clock.now)
    application.status = Status.SUBMITTED.value  # as submitted: the guard reads the status and the copies
    session.flush()
    case = Case(session, world.enterprise.actor(StaffRole.HANDLER), application, clock.now)
    case.__dict__["unendorsed_copies"] = [SimpleNamespace(slot="other")]  # one copy not yet sealed
    (refusal,) = [
        r for r in rulebook.refusals(case, Action.HANDLER_APPROVE) if r.guard == "copies_unendorsed"
    ]
    assert refusal.message.startswith("以下复印件尚未核对原件并加盖单位公章：")
    if profile in COPIES:
        assert refusal.message.endswith(f"（{COPIES[profile]}）")
    else:
        assert "（" not in refusal.message.removeprefix("以下复印件尚未核对原件并加盖单位公章：")


@pytest.mark.parametrize(("profile", "clause"), [("zhenjiang-2024", "003 七(一)"), ("kunming-2022", "")])
def test_the_out_of_scope_refusal_cites_zhenjiang_s_clause_only_under_its_profile(
    session: Session, clock: Clock, profile: str, clause: str
) -> None:
    """No committee at all: nothing holds the application (the refusal is the same rule in both cities)."""
    assert (PROFILES[profile].committee.scope if PROFILES[profile].committee else "") == clause
    world = make_committee_world(session, clock.now, profile=profile)
    application = make_application(
        session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1, pathway="评审"
    )
    case = Case(session, world.bureau.actor(StaffRole.LEADER), application, clock.now)
    assert case.road == "committee"
    refusal = rulebook.some_committee_holds_it(case, Action.SEND_TO_COMMITTEE, rulebook.Attempt())
    assert refusal is not None and "评委会不得擅自扩大评审范围，不能送评" in refusal
    assert ("003 七(一)" in refusal) is bool(clause)
    if not clause:
        assert "不能送评；" in refusal
