"""The step diagram's logic (where an application is on its route, who holds it) and the queue's age bands."""

from __future__ import annotations

from typing import Any

import pytest

from portal.domain import glossary
from portal.domain.progress import (
    ROUTE,
    Age,
    NextStep,
    StepState,
    next_step,
    pending_move,
    progress,
    queue_age,
    step_index,
)
from portal.domain.workflow import (
    TRANSITIONS,
    Action,
    Actor,
    Level,
    Role,
    Situation,
    Status,
    TransitionNotAllowed,
    decide,
    holder,
)


def states(status: Status, **kwargs: object) -> list[StepState]:
    return [s.state for s in progress(status, **kwargs).steps]  # type: ignore[arg-type]


def test_a_draft_is_at_the_first_step_and_the_applicant_holds_it() -> None:
    p = progress(Status.DRAFT)
    assert p.current is not None and p.current.key == "submit"
    assert p.holder_role is Role.APPLICANT and p.holder_level is None
    assert p.next_step is not None and p.next_step.key == "unit_handler"
    assert states(Status.DRAFT)[2:] == [StepState.LATER] * (len(ROUTE) - 2)


@pytest.mark.parametrize(
    ("status", "signed", "key", "level", "role"),
    [
        (Status.SUBMITTED, False, "unit_handler", Level.ENTERPRISE, Role.HANDLER),
        (Status.UNIT_REVIEW, True, "unit_leader", Level.ENTERPRISE, Role.LEADER),
        # the handler drafts the notice, the leader publishes it
        (Status.UNIT_APPROVED, False, "notice", Level.ENTERPRISE, Role.HANDLER),
        (Status.NOTICE_PASSED, False, "forward", Level.ENTERPRISE, Role.LEADER),
        (Status.DEPT_REVIEW, False, "dept_handler", Level.DEPARTMENT, Role.HANDLER),
        (Status.DEPT_REVIEW, True, "dept_leader", Level.DEPARTMENT, Role.LEADER),
        (Status.BUREAU_REVIEW, False, "bureau_handler", Level.BUREAU, Role.HANDLER),
        (Status.BUREAU_REVIEW, True, "bureau_leader", Level.BUREAU, Role.LEADER),
    ],
)
def test_each_review_status_names_its_step_and_who_holds_it(
    status: Status, signed: bool, key: str, level: Level, role: Role
) -> None:
    p = progress(status, handler_signed=signed)
    assert p.current is not None and p.current.key == key
    assert p.current.state is StepState.CURRENT
    assert (p.holder_level, p.holder_role) == (level, role)
    assert p.done_count == p.current.index
    assert p.note == glossary.STATUSES[status.value].explanation


def test_a_running_notice_is_held_by_the_enterprise_but_nobody_has_to_act() -> None:
    p = progress(Status.IN_NOTICE)
    assert p.current is not None and p.current.key == "notice"
    assert p.holder_level is Level.ENTERPRISE and p.holder_role is None
    assert p.next_step is not None and p.next_step.key == "forward"


def test_certified_means_every_step_done_and_nobody_holds_it() -> None:
    p = progress(Status.CERTIFIED)
    assert set(states(Status.CERTIFIED)) == {StepState.DONE}
    assert p.current is None and p.next_step is None and p.holder_role is None


def test_a_return_marks_the_step_it_resumes_at_and_the_applicant_holds_it() -> None:
    p = progress(Status.RETURNED, returned_from=Status.DEPT_REVIEW)
    assert p.current is not None and p.current.key == "dept_handler"
    assert p.current.state is StepState.RETURNED
    assert p.holder_role is Role.APPLICANT
    assert p.done_count == 5


def test_a_leaders_return_resumes_at_the_leaders_step() -> None:
    p = progress(Status.RETURNED, returned_from=Status.BUREAU_REVIEW, handler_signed=True)
    assert p.current is not None and p.current.key == "bureau_leader"


def test_a_stopped_application_shows_where_it_stopped_and_skips_the_rest() -> None:
    p = progress(Status.REJECTED, stopped_at=Status.DEPT_REVIEW)
    assert p.current is not None and p.current.key == "dept_handler"
    assert p.current.state is StepState.STOPPED
    assert [s.state for s in p.steps[6:]] == [StepState.SKIPPED] * 3
    assert p.next_step is None and p.holder_role is None
    withdrawn = progress(Status.WITHDRAWN, stopped_at=Status.DRAFT)
    assert withdrawn.current is not None and withdrawn.current.key == "submit"


def test_the_route_follows_the_workflow_table() -> None:
    # Every forward transition of the table moves the diagram on by one step (or stays on the notice).
    forward = {Action.SUBMIT, Action.HANDLER_APPROVE, Action.LEADER_APPROVE, Action.FORWARD}
    for row in TRANSITIONS:
        if row.action not in forward or row.target is None:
            continue
        signed_before = row.action is Action.LEADER_APPROVE
        before = step_index(row.source, signed_before)
        after_signed = row.action is Action.HANDLER_APPROVE and row.target == row.source
        after = step_index(row.target, after_signed)
        assert after == before + 1, row


def test_every_route_step_uses_glossary_words() -> None:
    words = set(glossary.TERMS.values()) | set(glossary.ACTION_TITLES.values())
    for step in ROUTE:
        assert any(w in step.title for w in words), step


@pytest.mark.parametrize(
    ("days", "age"), [(0, Age.FRESH), (2, Age.FRESH), (3, Age.AGEING), (4, Age.AGEING), (5, Age.OVERDUE)]
)
def test_queue_age_bands_in_working_days(days: int, age: Age) -> None:
    assert queue_age(days) is age
    assert bool(age.title) is (age is not Age.FRESH)  # the band also has words, not colour alone


# --- issue 17.8: the pending move and 下一步 come from the transition table, for every status -------------

# Every state an application can be in: (status, the stage handler has signed, where a return resumes).
SITUATIONS = [
    (status, signed, None)
    for status in Status
    if status is not Status.RETURNED
    for signed in (
        (True,) if status is Status.UNIT_REVIEW else (False,) if status is Status.SUBMITTED else (False, True)
    )
] + [
    (Status.RETURNED, False, Status.SUBMITTED),
    (Status.RETURNED, True, Status.UNIT_REVIEW),
    (Status.RETURNED, False, Status.DEPT_REVIEW),
    (Status.RETURNED, True, Status.DEPT_REVIEW),
    (Status.RETURNED, False, Status.BUREAU_REVIEW),
    (Status.RETURNED, True, Status.BUREAU_REVIEW),
]


def _allowed(status: Status, signed: bool, returned_from: Status | None, move: Any) -> bool:
    """The table, asked as the mover: applicant 1 (the owner), reviewer 2 (not the signer 3)."""
    situation = Situation(
        status, applicant_id=1, handler_signed_by=3 if signed else None, returned_from=returned_from
    )
    role = Role.LEADER if move.action is Action.START_NOTICE else move.role
    actor = Actor(1 if role is Role.APPLICANT else 2, role, acts_for_holder=True)
    try:
        decide(situation, move.action, actor)
    except TransitionNotAllowed:
        return False
    return True


@pytest.mark.parametrize(("status", "signed", "returned_from"), SITUATIONS)
def test_the_pending_move_is_one_the_table_allows_now(
    status: Status, signed: bool, returned_from: Status | None
) -> None:
    move = pending_move(status, handler_signed=signed, returned_from=returned_from)
    if status.is_final:
        assert move is None
        return
    assert move is not None and _allowed(status, signed, returned_from, move)
    assert move.level is (None if move.role is Role.APPLICANT else holder(status))


@pytest.mark.parametrize(("status", "signed", "returned_from"), SITUATIONS)
def test_next_names_the_move_the_table_leads_to(
    status: Status, signed: bool, returned_from: Status | None
) -> None:
    after = next_step(status, handler_signed=signed, returned_from=returned_from)
    p = progress(status, handler_signed=signed, returned_from=returned_from)
    assert p.next == after
    if status.is_final or (status is Status.BUREAU_REVIEW and signed) or status is Status.RESULT_PUBLISHED:
        assert after is None  # ended, or 认定发证 (the committee road: the certificate number) ends the route
        return
    assert after is not None
    if status is Status.RETURNED:
        # The applicant resubmits; next is the review that resumes where the return left it.
        assert p.pending is not None and p.pending.action is Action.RESUBMIT
        assert _allowed(returned_from, signed, None, after)  # type: ignore[arg-type]
        return
    pending = pending_move(status, handler_signed=signed)
    row = next(
        r
        for r in TRANSITIONS
        if r.source is status and r.action is pending.action  # type: ignore[union-attr]
    )
    assert row.target is not None
    assert _allowed(row.target, row.action is Action.HANDLER_APPROVE, None, after)


def test_while_returned_next_is_the_resubmission_then_who_returned_it_not_the_step_after() -> None:
    p = progress(Status.RETURNED, returned_from=Status.DEPT_REVIEW)
    assert p.pending == NextStep(Action.RESUBMIT, Role.APPLICANT, None)
    assert p.next == NextStep(Action.HANDLER_APPROVE, Role.HANDLER, Level.DEPARTMENT)
    assert all(s.state is not StepState.NEXT for s in p.steps)  # dept_leader is not "next" while returned
    leader = progress(Status.RETURNED, returned_from=Status.DEPT_REVIEW, handler_signed=True)
    assert leader.next == NextStep(Action.LEADER_APPROVE, Role.LEADER, Level.DEPARTMENT)


def test_the_meeting_s_vote_is_held_by_the_committee_s_experts_not_its_office_s_handler() -> None:
    # The step diagram showed 评审会议表决 as the office's handler's (· 经办人): the experts vote, the office
    # records it.
    steps = {s.key: s for s in progress(Status.AWAITING_MEETING, committee=True).steps}
    assert steps["meeting"].who == "评审专家（办事机构记录表决）"
    assert steps["committee_notice"].who == Role.HANDLER.title  # the others keep their role's word
