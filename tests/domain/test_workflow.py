"""The state machine of DESIGN.md §3: every transition of the table, and every guard."""

from __future__ import annotations

from itertools import pairwise

import pytest

from portal.domain import workflow as wf
from portal.domain.workflow import (
    COMMITTEE_ROAD,
    FINAL_STATUSES,
    TRANSITIONS,
    Action,
    Actor,
    Role,
    Situation,
    Status,
    TransitionNotAllowed,
)

APPLICANT = 1
HANDLER = 2
LEADER = 3
OTHER_HANDLER = 4


def staff(user_id: int, role: Role, *, here: bool = True) -> Actor:
    return Actor(user_id, role, acts_for_holder=here)


APPLICANT_ACTOR = Actor(APPLICANT, Role.APPLICANT)
SYSTEM = Actor(None, Role.SYSTEM)


def at(status: Status, *, signed_by: int | None = None, returned_from: Status | None = None) -> Situation:
    return Situation(status, APPLICANT, signed_by, returned_from)


# (situation, action, actor, expected target)
ALLOWED = [
    (at(Status.DRAFT), Action.SUBMIT, APPLICANT_ACTOR, Status.SUBMITTED),
    (at(Status.SUBMITTED), Action.HANDLER_APPROVE, staff(HANDLER, Role.HANDLER), Status.UNIT_REVIEW),
    (
        at(Status.UNIT_REVIEW, signed_by=HANDLER),
        Action.LEADER_APPROVE,
        staff(LEADER, Role.LEADER),
        Status.UNIT_APPROVED,
    ),
    (at(Status.UNIT_APPROVED), Action.START_NOTICE, staff(LEADER, Role.LEADER), Status.IN_NOTICE),
    (at(Status.IN_NOTICE), Action.CLOSE_NOTICE, SYSTEM, Status.NOTICE_PASSED),
    (at(Status.IN_NOTICE), Action.REJECT, staff(LEADER, Role.LEADER), Status.REJECTED),
    (at(Status.NOTICE_PASSED), Action.FORWARD, staff(LEADER, Role.LEADER), Status.DEPT_REVIEW),
    (at(Status.DEPT_REVIEW), Action.HANDLER_APPROVE, staff(HANDLER, Role.HANDLER), Status.DEPT_REVIEW),
    (
        at(Status.DEPT_REVIEW, signed_by=HANDLER),
        Action.LEADER_APPROVE,
        staff(LEADER, Role.LEADER),
        Status.BUREAU_REVIEW,
    ),
    (at(Status.BUREAU_REVIEW), Action.HANDLER_APPROVE, staff(HANDLER, Role.HANDLER), Status.BUREAU_REVIEW),
    (
        at(Status.BUREAU_REVIEW, signed_by=HANDLER),
        Action.CERTIFY,
        staff(LEADER, Role.LEADER),
        Status.CERTIFIED,
    ),
    (at(Status.RETURNED, returned_from=Status.SUBMITTED), Action.RESUBMIT, APPLICANT_ACTOR, Status.SUBMITTED),
    (
        at(Status.RETURNED, returned_from=Status.DEPT_REVIEW),
        Action.RESUBMIT,
        APPLICANT_ACTOR,
        Status.DEPT_REVIEW,
    ),
    (at(Status.RETURNED, returned_from=Status.SUBMITTED), Action.ABANDON, SYSTEM, Status.ABANDONED),
    (at(Status.RETURNED, returned_from=Status.DEPT_REVIEW), Action.REJECT, SYSTEM, Status.REJECTED),
    (at(Status.DRAFT), Action.WITHDRAW, APPLICANT_ACTOR, Status.WITHDRAWN),
    (at(Status.SUBMITTED), Action.WITHDRAW, APPLICANT_ACTOR, Status.WITHDRAWN),
    (at(Status.UNIT_REVIEW, signed_by=HANDLER), Action.WITHDRAW, APPLICANT_ACTOR, Status.WITHDRAWN),
    (at(Status.RETURNED, returned_from=Status.SUBMITTED), Action.WITHDRAW, APPLICANT_ACTOR, Status.WITHDRAWN),
]
ALLOWED += [
    (
        at(Status.UNIT_REVIEW, signed_by=HANDLER),
        Action.SEND_BACK,
        staff(LEADER, Role.LEADER),
        Status.SUBMITTED,
    ),
    (
        at(Status.DEPT_REVIEW, signed_by=HANDLER),
        Action.SEND_BACK,
        staff(LEADER, Role.LEADER),
        Status.DEPT_REVIEW,
    ),
    (
        at(Status.BUREAU_REVIEW, signed_by=HANDLER),
        Action.SEND_BACK,
        staff(LEADER, Role.LEADER),
        Status.BUREAU_REVIEW,
    ),
]
# The committee road (issue 22): the bureau leader sends it to a committee, whose office reviews it,
# publishes its notice; the meeting's tally, the result notice, the confirmation, the publication and the
# province's certificate number follow.
ALLOWED += [
    (
        at(Status.BUREAU_REVIEW, signed_by=HANDLER),
        Action.SEND_TO_COMMITTEE,
        staff(LEADER, Role.LEADER),
        Status.COMMITTEE_REVIEW,
    ),
    (
        at(Status.COMMITTEE_REVIEW),
        Action.HANDLER_APPROVE,
        staff(HANDLER, Role.HANDLER),
        Status.COMMITTEE_REVIEW,
    ),
    (
        at(Status.COMMITTEE_REVIEW, signed_by=HANDLER),
        Action.LEADER_APPROVE,
        staff(LEADER, Role.LEADER),
        Status.COMMITTEE_ACCEPTED,
    ),
    (
        at(Status.COMMITTEE_REVIEW, signed_by=HANDLER),
        Action.SEND_BACK,
        staff(LEADER, Role.LEADER),
        Status.COMMITTEE_REVIEW,
    ),
    (
        at(Status.COMMITTEE_REVIEW),
        Action.RETURN_TO_SENDER,
        staff(HANDLER, Role.HANDLER),
        Status.BUREAU_REVIEW,
    ),
    (at(Status.COMMITTEE_REVIEW), Action.RETURN_TO_SENDER, staff(LEADER, Role.LEADER), Status.BUREAU_REVIEW),
    (at(Status.COMMITTEE_ACCEPTED), Action.START_NOTICE, staff(LEADER, Role.LEADER), Status.COMMITTEE_NOTICE),
    (at(Status.COMMITTEE_NOTICE), Action.CLOSE_NOTICE, SYSTEM, Status.AWAITING_MEETING),
    (at(Status.COMMITTEE_NOTICE), Action.REJECT, staff(LEADER, Role.LEADER), Status.REJECTED),
    (at(Status.AWAITING_MEETING), Action.TALLY, SYSTEM, Status.VOTED),
    (at(Status.AWAITING_MEETING), Action.REJECT, staff(LEADER, Role.LEADER), Status.REJECTED),
    (at(Status.VOTED), Action.START_NOTICE, staff(LEADER, Role.LEADER), Status.RESULT_NOTICE),
    (at(Status.RESULT_NOTICE), Action.CLOSE_NOTICE, SYSTEM, Status.RESULT_NOTICED),
    (at(Status.RESULT_NOTICE), Action.REJECT, staff(LEADER, Role.LEADER), Status.REJECTED),
    (at(Status.RESULT_NOTICED), Action.CONFIRM_PASS, staff(LEADER, Role.LEADER), Status.RESULT_CONFIRMED),
    (at(Status.RESULT_NOTICED), Action.CONFIRM_FAIL, staff(LEADER, Role.LEADER), Status.NOT_PASSED),
    (at(Status.RESULT_CONFIRMED), Action.PUBLISH_RESULT, staff(LEADER, Role.LEADER), Status.RESULT_PUBLISHED),
    (at(Status.RESULT_PUBLISHED), Action.RECORD_CERTIFICATE, staff(HANDLER, Role.HANDLER), Status.CERTIFIED),
    (at(Status.RESULT_PUBLISHED), Action.RECORD_CERTIFICATE, staff(LEADER, Role.LEADER), Status.CERTIFIED),
]
for _status in sorted(wf.REVIEW_STATUSES):
    _signed = HANDLER if _status is Status.UNIT_REVIEW else None
    ALLOWED += [
        # The handler returns in their first review (before signing: see the test below).
        (at(_status), Action.RETURN, staff(OTHER_HANDLER, Role.HANDLER), Status.RETURNED),
        (at(_status, signed_by=_signed), Action.RETURN, staff(LEADER, Role.LEADER), Status.RETURNED),
        (at(_status, signed_by=_signed), Action.REJECT, staff(LEADER, Role.LEADER), Status.REJECTED),
    ]


@pytest.mark.parametrize(
    ("situation", "action", "actor", "target"),
    ALLOWED,
    ids=[f"{s.status}-{a}-{r.role}" for s, a, r, _ in ALLOWED],
)
def test_every_transition_of_the_table_is_allowed(
    situation: Situation, action: Action, actor: Actor, target: Status
) -> None:
    assert wf.decide(situation, action, actor).target is target


def test_the_table_has_no_row_left_untested() -> None:
    tested = {(s.status, a, r.role) for s, a, r, _ in ALLOWED}
    table = {(row.source, row.action, row.role) for row in wf.TRANSITIONS}
    assert table == tested


@pytest.mark.parametrize("status", sorted(wf.REVIEW_STATUSES))
def test_once_the_handler_has_signed_only_the_leader_returns_the_case(status: Status) -> None:
    # The handler's return stayed offered after their first review, while the leader held the case.
    signed = at(status, signed_by=HANDLER)
    for handler in (HANDLER, OTHER_HANDLER):
        assert refused(signed, Action.RETURN, staff(handler, Role.HANDLER)) == "already_signed"
    assert wf.decide(signed, Action.RETURN, staff(LEADER, Role.LEADER)).target is Status.RETURNED


def test_once_the_office_s_handler_has_signed_only_its_leader_returns_it_to_the_sender() -> None:
    signed = at(Status.COMMITTEE_REVIEW, signed_by=HANDLER)
    assert refused(signed, Action.RETURN_TO_SENDER, staff(HANDLER, Role.HANDLER)) == "already_signed"
    leader = staff(LEADER, Role.LEADER)
    assert wf.decide(signed, Action.RETURN_TO_SENDER, leader).target is Status.BUREAU_REVIEW


def test_handler_signature_is_recorded_then_cleared_by_the_leader() -> None:
    first = wf.decide(at(Status.DEPT_REVIEW), Action.HANDLER_APPROVE, staff(HANDLER, Role.HANDLER))
    assert first.handler_signed_by == HANDLER
    second = wf.decide(
        at(Status.DEPT_REVIEW, signed_by=HANDLER), Action.LEADER_APPROVE, staff(LEADER, Role.LEADER)
    )
    assert second.handler_signed_by is None


def refused(situation: Situation, action: Action, actor: Actor) -> str:
    with pytest.raises(TransitionNotAllowed) as info:
        wf.decide(situation, action, actor)
    assert info.value.message  # every refusal says why, in Chinese
    return info.value.code


def test_an_action_that_is_not_in_the_table_for_the_status_is_refused() -> None:
    assert refused(at(Status.DRAFT), Action.CERTIFY, staff(LEADER, Role.LEADER)) == "no_transition"
    assert refused(at(Status.CERTIFIED), Action.RETURN, staff(LEADER, Role.LEADER)) == "no_transition"
    assert refused(at(Status.UNIT_APPROVED), Action.WITHDRAW, APPLICANT_ACTOR) == "no_transition"


@pytest.mark.parametrize("stage", [Status.DEPT_REVIEW, Status.BUREAU_REVIEW, Status.COMMITTEE_REVIEW])
def test_a_case_returned_after_the_unit_approved_it_cannot_be_withdrawn(stage: Status) -> None:
    """DESIGN §3: withdrawn by the applicant only before unit approval. A return from the department, the
    bureau or a committee comes after it; withdrawing there and starting again would also wipe the returns
    counted since the unit's approval (004 一(四), REV-04: the third ends the year)."""
    returned = at(Status.RETURNED, returned_from=stage)
    assert refused(returned, Action.WITHDRAW, APPLICANT_ACTOR) == "after_unit_approval"
    assert Action.WITHDRAW not in wf.available_actions(returned, APPLICANT_ACTOR)
    assert Action.RESUBMIT in wf.available_actions(returned, APPLICANT_ACTOR)
    before = at(Status.RETURNED, returned_from=Status.UNIT_REVIEW)  # the unit's own return: still allowed
    assert wf.decide(before, Action.WITHDRAW, APPLICANT_ACTOR).target is Status.WITHDRAWN


def test_a_handler_cannot_sign_as_leader() -> None:
    code = refused(
        at(Status.UNIT_REVIEW, signed_by=HANDLER), Action.LEADER_APPROVE, staff(HANDLER, Role.HANDLER)
    )
    assert code == "wrong_role"


def test_the_leader_cannot_sign_before_the_handler() -> None:
    code = refused(at(Status.DEPT_REVIEW), Action.LEADER_APPROVE, staff(LEADER, Role.LEADER))
    assert code == "handler_first"


def test_the_same_person_never_signs_twice() -> None:
    code = refused(at(Status.BUREAU_REVIEW, signed_by=LEADER), Action.CERTIFY, staff(LEADER, Role.LEADER))
    assert code == "same_person"


def test_the_handler_cannot_give_a_second_first_review() -> None:
    code = refused(
        at(Status.DEPT_REVIEW, signed_by=HANDLER), Action.HANDLER_APPROVE, staff(OTHER_HANDLER, Role.HANDLER)
    )
    assert code == "already_signed"


def test_nobody_reviews_their_own_application() -> None:
    own = Actor(APPLICANT, Role.HANDLER, acts_for_holder=True)
    assert refused(at(Status.SUBMITTED), Action.HANDLER_APPROVE, own) == "own_application"
    assert refused(at(Status.SUBMITTED), Action.RETURN, own) == "own_application"


def test_only_the_holding_organisation_acts() -> None:
    code = refused(at(Status.DEPT_REVIEW), Action.HANDLER_APPROVE, staff(HANDLER, Role.HANDLER, here=False))
    assert code == "not_holder"


def test_only_the_applicant_moves_their_own_application() -> None:
    assert refused(at(Status.DRAFT), Action.SUBMIT, Actor(99, Role.APPLICANT)) == "not_applicant"
    assert refused(at(Status.DRAFT), Action.SUBMIT, staff(HANDLER, Role.HANDLER)) == "wrong_role"


def test_only_the_system_abandons() -> None:
    assert (
        refused(
            at(Status.RETURNED, returned_from=Status.SUBMITTED), Action.ABANDON, staff(LEADER, Role.LEADER)
        )
        == "wrong_role"
    )


def test_the_handler_cannot_reject() -> None:
    assert refused(at(Status.SUBMITTED), Action.REJECT, staff(HANDLER, Role.HANDLER)) == "wrong_role"


def test_returns_count_only_after_unit_approval() -> None:
    """004 一(四): before the unit approves, returns are free; from its approval on, each one counts."""
    unit = wf.decide(at(Status.UNIT_REVIEW, signed_by=HANDLER), Action.RETURN, staff(LEADER, Role.LEADER))
    assert (unit.returned_from, unit.counts_as_return) == (Status.UNIT_REVIEW, False)
    dept = wf.decide(at(Status.DEPT_REVIEW), Action.RETURN, staff(HANDLER, Role.HANDLER))
    assert (dept.returned_from, dept.counts_as_return) == (Status.DEPT_REVIEW, True)
    bureau = wf.decide(at(Status.BUREAU_REVIEW), Action.RETURN, staff(HANDLER, Role.HANDLER))
    assert (bureau.returned_from, bureau.counts_as_return) == (Status.BUREAU_REVIEW, True)
    first = wf.decide(at(Status.SUBMITTED), Action.RETURN, staff(HANDLER, Role.HANDLER))
    assert (first.returned_from, first.counts_as_return) == (Status.SUBMITTED, False)


def test_resubmission_without_a_known_stage_is_refused() -> None:
    assert refused(at(Status.RETURNED), Action.RESUBMIT, APPLICANT_ACTOR) == "no_return_stage"


@pytest.mark.parametrize(
    ("situation", "expected"),
    [
        (at(Status.DRAFT), Role.APPLICANT),
        (at(Status.RETURNED, returned_from=Status.SUBMITTED), Role.APPLICANT),
        (at(Status.SUBMITTED), Role.HANDLER),
        (at(Status.UNIT_REVIEW, signed_by=HANDLER), Role.LEADER),
        (at(Status.UNIT_APPROVED), Role.HANDLER),
        (at(Status.IN_NOTICE), None),  # the calendar's move: the period has to run out
        (at(Status.NOTICE_PASSED), Role.LEADER),
        (at(Status.DEPT_REVIEW), Role.HANDLER),
        (at(Status.DEPT_REVIEW, signed_by=HANDLER), Role.LEADER),
        (at(Status.BUREAU_REVIEW), Role.HANDLER),
        (at(Status.BUREAU_REVIEW, signed_by=HANDLER), Role.LEADER),
        (at(Status.CERTIFIED), None),
        (at(Status.REJECTED), None),
        (at(Status.WITHDRAWN), None),
        (at(Status.ABANDONED), None),
    ],
)
def test_awaiting_names_whose_move_it_is(situation: Situation, expected: Role | None) -> None:
    assert wf.awaiting(situation.status, situation.handler_signed_by) is expected


def test_available_actions_lists_only_what_passes_every_guard() -> None:
    handler_view = wf.available_actions(at(Status.SUBMITTED), staff(HANDLER, Role.HANDLER))
    assert handler_view == [Action.HANDLER_APPROVE, Action.RETURN]
    leader_view = wf.available_actions(at(Status.UNIT_REVIEW, signed_by=HANDLER), staff(HANDLER, Role.LEADER))
    assert leader_view == [Action.RETURN, Action.REJECT]  # signed as handler: cannot also approve
    assert wf.available_actions(at(Status.CERTIFIED), staff(LEADER, Role.LEADER)) == []


def test_every_status_and_action_has_a_chinese_title() -> None:
    assert all(s.title for s in Status)
    assert all(a.title for a in Action)
    assert {s for s in Status if s.is_final} == {
        Status.CERTIFIED,
        Status.ABANDONED,
        Status.REJECTED,
        Status.WITHDRAWN,
        Status.NOT_PASSED,
    }


def test_only_the_system_closes_a_notice_when_its_period_ends() -> None:
    assert refused(at(Status.IN_NOTICE), Action.CLOSE_NOTICE, staff(HANDLER, Role.HANDLER)) == "wrong_role"


def test_only_a_leader_publishes_a_notice() -> None:
    assert (
        refused(at(Status.UNIT_APPROVED), Action.START_NOTICE, staff(HANDLER, Role.HANDLER)) == "wrong_role"
    )


def test_an_approved_application_waits_for_the_handler_to_draft_its_notice() -> None:
    assert wf.awaiting(Status.UNIT_APPROVED, None) is Role.HANDLER


def test_a_leader_sends_a_case_back_to_their_handler_withdrawing_the_opinion() -> None:
    outcome = wf.decide(
        at(Status.DEPT_REVIEW, signed_by=HANDLER), Action.SEND_BACK, staff(LEADER, Role.LEADER)
    )
    assert (outcome.target, outcome.handler_signed_by) == (Status.DEPT_REVIEW, None)
    assert refused(at(Status.DEPT_REVIEW), Action.SEND_BACK, staff(LEADER, Role.LEADER)) == "handler_first"


def test_a_return_by_the_leader_comes_back_to_the_leader_with_the_handlers_opinion() -> None:
    """REV-03 / issue 7: resubmission goes back to the reviewer who returned it."""
    returned = wf.decide(at(Status.DEPT_REVIEW, signed_by=HANDLER), Action.RETURN, staff(LEADER, Role.LEADER))
    assert (returned.returned_from, returned.handler_signed_by) == (Status.DEPT_REVIEW, HANDLER)
    back = wf.decide(
        at(Status.RETURNED, signed_by=HANDLER, returned_from=Status.DEPT_REVIEW),
        Action.RESUBMIT,
        APPLICANT_ACTOR,
    )
    assert (back.target, back.handler_signed_by) == (Status.DEPT_REVIEW, HANDLER)
    assert wf.awaiting(back.target, back.handler_signed_by) is Role.LEADER


def test_a_return_by_the_handler_comes_back_to_the_handler() -> None:
    returned = wf.decide(at(Status.DEPT_REVIEW), Action.RETURN, staff(HANDLER, Role.HANDLER))
    back = wf.decide(
        at(Status.RETURNED, returned_from=returned.returned_from), Action.RESUBMIT, APPLICANT_ACTOR
    )
    assert (back.target, back.handler_signed_by) == (Status.DEPT_REVIEW, None)


def test_available_actions_are_exactly_what_decide_allows_in_every_situation() -> None:
    # available_actions checks the guards without building refusals (issue 20): it must agree with
    # decide, in table order, for every status, role, holder, signer and return stage.
    seen = 0
    for status in Status:
        for role in Role:
            for holder in (True, False):
                for user_id in (None, 1, 2):
                    for signed_by in (None, 1, 2):
                        for returned_from in (
                            None,
                            Status.SUBMITTED,
                            Status.DEPT_REVIEW,
                            Status.BUREAU_REVIEW,
                        ):
                            situation = Situation(status, 1, signed_by, returned_from)
                            actor = Actor(user_id, role, holder)
                            allowed = []
                            for row in wf.TRANSITIONS:
                                if row.source is not status or row.action in allowed:
                                    continue
                                try:
                                    wf.decide(situation, row.action, actor)
                                except TransitionNotAllowed:
                                    continue
                                allowed.append(row.action)
                            assert wf.available_actions(situation, actor) == allowed
                            seen += len(allowed)
    assert seen > 100  # the space above offers actions, not only refusals


def test_no_bulk_action_asks_a_reason_of_its_own() -> None:
    # Returns and rejections are written case by case: the bulk bar asks nothing per row.
    assert all(not action.needs_reason for action in wf.BULK_ACTIONS)


def test_the_committee_road_lists_its_statuses_in_the_order_the_transitions_take_them() -> None:
    # One list serves the hand-offs' road order, the office's 已通过 tab and the results import; it must
    # hold every status a case passes through from the office's intake to the publication, in that order.
    forward = {
        (t.source, t.target)
        for t in TRANSITIONS
        if t.source in COMMITTEE_ROAD and t.target in COMMITTEE_ROAD and t.target != t.source
    }
    reached, frontier = {Status.COMMITTEE_REVIEW}, [Status.COMMITTEE_REVIEW]
    while frontier:
        source = frontier.pop()
        for t in TRANSITIONS:
            if t.source == source and t.target is not None and t.target not in reached:
                if t.target in FINAL_STATUSES or t.target in (Status.RETURNED, Status.BUREAU_REVIEW):
                    continue
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(COMMITTEE_ROAD)
    assert all(COMMITTEE_ROAD.index(a) < COMMITTEE_ROAD.index(b) for a, b in forward)
    assert set(pairwise(COMMITTEE_ROAD)) == forward
