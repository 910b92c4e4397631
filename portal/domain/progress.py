"""Where an application stands, as pictures read it: the route's steps, and how long a case has waited.

`progress()` lays the workflow's route (applicant → enterprise → department → bureau, each organisation's
handler first and its leader second, the public notice and the forwarding in between) out as steps and
marks which are done, which one holds the application now (and who: the organisation level and the role
from portal.domain.workflow), and what comes next. The applicant's page draws it as a step diagram.

`queue_age()` turns the working days a case has waited in a queue into the colour band and the words the
queue shows (colour is never the only signal).

Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.domain import glossary
from portal.domain.i18n import N_
from portal.domain.workflow import (
    AWAITING_OVERRIDE,
    SIDE_EXITS,
    TRANSITIONS,
    Action,
    Level,
    Role,
    Signature,
    Status,
    awaiting,
    holder,
)


class StepState(StrEnum):
    DONE = "done"
    CURRENT = "current"
    RETURNED = "returned"  # the step the application was returned from: the applicant corrects it now
    STOPPED = "stopped"  # the step where it ended without a certificate
    NEXT = "next"
    LATER = "later"
    SKIPPED = "skipped"  # after a stop: will not happen

    @property
    def title(self) -> str:
        return {
            "done": N_("已完成"),
            "current": N_("正在办理"),
            "returned": N_("退回补正中"),
            "stopped": N_("在此终止"),
            "next": N_("下一步"),
            "later": N_("未开始"),
            "skipped": N_("不再办理"),
        }[self.value]


@dataclass(frozen=True)
class RouteStep:
    key: str
    title: str
    level: Level | None  # None: the applicant's own step
    role: Role
    # Who holds the step when it is not the organisation's handler or leader, as a whole msgid: the
    # meeting's vote is the committee's experts' (its office only records it).
    holder: str = ""


T = glossary.TERMS
# The route every application takes (DESIGN.md §3); the workflow's TRANSITIONS walk it in this order.
ROUTE: tuple[RouteStep, ...] = (
    RouteStep("submit", glossary.ACTION_TITLES["submit"], None, Role.APPLICANT),
    RouteStep("unit_handler", T["handler_review"], Level.ENTERPRISE, Role.HANDLER),
    RouteStep("unit_leader", T["leader_sign"], Level.ENTERPRISE, Role.LEADER),
    RouteStep("notice", T["notice"], Level.ENTERPRISE, Role.HANDLER),
    RouteStep("forward", glossary.ACTION_TITLES["forward"], Level.ENTERPRISE, Role.LEADER),
    RouteStep("dept_handler", T["handler_review"], Level.DEPARTMENT, Role.HANDLER),
    RouteStep("dept_leader", T["leader_sign"], Level.DEPARTMENT, Role.LEADER),
    RouteStep("bureau_handler", T["handler_review"], Level.BUREAU, Role.HANDLER),
    RouteStep("bureau_leader", N_("领导签批、认定发证"), Level.BUREAU, Role.LEADER),
)
# The titles are whole msgids, written out (N_), never joined from the glossary's words: a title built
# with + is no msgid, and the English interface would show it in Chinese.
# The 评审 road (issue 22): after the bureau's handler, its leader sends the case to a committee, whose
# office reviews it, publishes its notice, holds the meeting and the result notice, confirms the results;
# the title office publishes them and records the province's certificate number.
COMMITTEE_ROUTE: tuple[RouteStep, ...] = (
    *ROUTE[:-1],
    RouteStep("bureau_leader", N_("领导签批、送评委会评审"), Level.BUREAU, Role.LEADER),
    RouteStep("committee_handler", T["handler_review"], Level.COMMITTEE, Role.HANDLER),
    RouteStep("committee_leader", N_("领导签批受理"), Level.COMMITTEE, Role.LEADER),
    RouteStep("committee_notice", N_("评前公示"), Level.COMMITTEE, Role.HANDLER),
    RouteStep(
        "meeting", N_("评审会议表决"), Level.COMMITTEE, Role.HANDLER, N_("评审专家（办事机构记录表决）")
    ),
    RouteStep("result_notice", N_("评审结果公示"), Level.COMMITTEE, Role.HANDLER),
    RouteStep("confirm", N_("确认评审结果"), Level.COMMITTEE, Role.LEADER),
    RouteStep("publish", glossary.ACTION_TITLES["publish_result"], Level.BUREAU, Role.LEADER),
    RouteStep("certificate", glossary.ACTION_TITLES["record_certificate"], Level.BUREAU, Role.HANDLER),
)
# Where each committee status sits on COMMITTEE_ROUTE (the review statuses are split by the signature).
_COMMITTEE_STEPS: dict[Status, int] = {
    Status.COMMITTEE_ACCEPTED: 11,
    Status.COMMITTEE_NOTICE: 11,
    Status.AWAITING_MEETING: 12,
    Status.VOTED: 13,
    Status.RESULT_NOTICE: 13,
    Status.RESULT_NOTICED: 14,
    Status.RESULT_CONFIRMED: 15,
    Status.RESULT_PUBLISHED: 16,
}


def route_of(committee: bool) -> tuple[RouteStep, ...]:
    """The steps of the road an application takes: the 考核认定 road, or the committee (评审) road."""
    return COMMITTEE_ROUTE if committee else ROUTE


def step_index(status: Status, handler_signed: bool) -> int:
    """The step of its road an application in this (non-final, non-returned) status is at (the committee
    statuses index COMMITTEE_ROUTE, which shares its first steps with ROUTE)."""
    if status in _COMMITTEE_STEPS:
        return _COMMITTEE_STEPS[status]
    if status is Status.COMMITTEE_REVIEW:
        return 10 if handler_signed else 9
    fixed = {
        Status.DRAFT: 0,
        Status.SUBMITTED: 1,
        Status.UNIT_REVIEW: 2,
        Status.UNIT_APPROVED: 3,
        Status.IN_NOTICE: 3,
        Status.NOTICE_PASSED: 4,
    }
    if status in fixed:
        return fixed[status]
    if status is Status.DEPT_REVIEW:
        return 6 if handler_signed else 5
    if status is Status.BUREAU_REVIEW:
        return 8 if handler_signed else 7
    raise ValueError(f"{status} is not a step of the route")


@dataclass(frozen=True)
class Step:
    index: int
    key: str
    title: str
    level: Level | None
    role: Role
    state: StepState
    holder: str = ""  # RouteStep.holder

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def who(self) -> str:
        """Who holds the step within its organisation, in words (a msgid): its role, or its own holder."""
        return self.holder or self.role.title


# What each forward move is called in "下一步" (the glossary's words for the step, not the button's).
NEXT_WORDS: dict[Action, str] = {
    Action.SUBMIT: glossary.ACTION_TITLES["submit"],
    Action.HANDLER_APPROVE: T["handler_review"],
    Action.LEADER_APPROVE: T["leader_sign"],
    Action.START_NOTICE: N_("起草公示，由领导发布"),
    Action.CLOSE_NOTICE: N_("公示期满，无异议即通过"),
    Action.FORWARD: glossary.ACTION_TITLES["forward"],
    Action.CERTIFY: N_("领导签批、认定发证"),
    Action.RESUBMIT: glossary.ACTION_TITLES["resubmit"],
    Action.SEND_TO_COMMITTEE: N_("领导签批、送评委会评审"),
    Action.TALLY: N_("评审会议表决"),
    Action.CONFIRM_PASS: N_("确认评审结果"),
    Action.PUBLISH_RESULT: glossary.ACTION_TITLES["publish_result"],
    Action.RECORD_CERTIFICATE: glossary.ACTION_TITLES["record_certificate"],
}
# Moves that are not "the next step" of a case: sending it back, ending it, or the applicant leaving.
_SIDE_EXITS = SIDE_EXITS


@dataclass(frozen=True)
class NextStep:
    """A move of an application's route, read from the workflow's transition table."""

    action: Action
    role: Role  # who moves: the applicant, a handler or leader, or the system (a notice's end)
    level: Level | None  # the organisation that moves (None: the applicant)

    @property
    def words(self) -> str:
        return NEXT_WORDS[self.action]


def _forward(
    status: Status, handler_signed: bool, committee: bool = False
) -> tuple[Action, Role, Status | None, bool] | None:
    """The forward row of the table from ``status`` (signature as it stands): action, role, target and
    whether the handler's signature stands after it."""
    # The enterprise's two steps are two statuses: its signature is implied by the status itself.
    handler_signed = {Status.SUBMITTED: False, Status.UNIT_REVIEW: True}.get(status, handler_signed)
    for row in TRANSITIONS:
        if row.source is not status or row.action in _SIDE_EXITS:
            continue
        # The bureau leader's move depends on the road: 认定发证, or sending it to a committee.
        if row.action is (Action.CERTIFY if committee else Action.SEND_TO_COMMITTEE):
            continue
        if row.signature is Signature.ABSENT and handler_signed:
            continue
        if row.signature is Signature.PRESENT and not handler_signed:
            continue
        return row.action, row.role, row.target, row.signature is Signature.ABSENT
    return None


def pending_move(
    status: Status,
    *,
    handler_signed: bool = False,
    returned_from: Status | None = None,
    committee: bool = False,
) -> NextStep | None:
    """The move the application waits for now: the forward move the table allows (the handler's first
    review before a signature, the leader's signing after it), the applicant's resubmission while it is
    returned, None once it has ended."""
    if status.is_final:
        return None
    if status is Status.RETURNED:
        return NextStep(Action.RESUBMIT, Role.APPLICANT, None)
    forward = _forward(status, handler_signed, committee)
    if forward is None:  # pragma: no cover - every open status has a forward row (tested)
        raise ValueError(f"the transition table has no forward move from {status}")
    action, role, _target, _signed = forward
    # An approved application waits for its notice to be drafted (the handler) before the leader
    # publishes it: the table's START_NOTICE is the leader's, the first move the handler's.
    role = AWAITING_OVERRIDE.get(status, role)
    return NextStep(action, role, None if role is Role.APPLICANT else holder(status))


def next_step(
    status: Status,
    *,
    handler_signed: bool = False,
    returned_from: Status | None = None,
    committee: bool = False,
) -> NextStep | None:
    """What 下一步 names: the move after the pending one, following the table's target. While returned,
    the review that resumes once the applicant resubmits (the stage that returned it, its handler or its
    leader as the return left it); None when the pending move ends the route (认定发证) or it has ended."""
    if status.is_final:
        return None
    if status is Status.RETURNED:
        resume = returned_from or Status.SUBMITTED
        return pending_move(
            resume, handler_signed=handler_signed and resume is not Status.SUBMITTED, committee=committee
        )
    forward = _forward(status, handler_signed, committee)
    if forward is None:  # pragma: no cover
        return None
    _action, _role, target, signed = forward
    if target is None or target.is_final:
        return None
    return pending_move(target, handler_signed=signed, committee=committee)


@dataclass(frozen=True)
class Progress:
    steps: tuple[Step, ...]
    status: Status
    holder_level: Level | None  # the organisation holding it now (None: the applicant, or nobody)
    holder_role: Role | None  # whose move it is (None: nobody's — a running notice, or a final status)
    note: str  # one sentence: where it is and what happens next
    pending: NextStep | None = None  # the move it waits for now, from the transition table (issue 17.8)
    next: NextStep | None = None  # the move after it: what 下一步 names

    @property
    def current(self) -> Step | None:
        return next(
            (s for s in self.steps if s.state in (StepState.CURRENT, StepState.RETURNED, StepState.STOPPED)),
            None,
        )

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.state is StepState.NEXT), None)

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.state is StepState.DONE)


def _laid_out(at: int | None, here: StepState, committee: bool = False) -> tuple[Step, ...]:
    """Steps before `at` done, `at` in state `here`, the one after it next, the rest later (or skipped)."""
    steps: list[Step] = []
    for index, route in enumerate(route_of(committee)):
        if at is None or index < at:  # certified: the whole route is done
            state = StepState.DONE
        elif index == at:
            state = here
        elif here is StepState.STOPPED:
            state = StepState.SKIPPED
        elif index == at + 1 and here is not StepState.RETURNED:
            state = StepState.NEXT
        else:
            state = StepState.LATER
        steps.append(Step(index, route.key, route.title, route.level, route.role, state, route.holder))
    return tuple(steps)


def progress(
    status: Status,
    *,
    handler_signed: bool = False,
    returned_from: Status | None = None,
    stopped_at: Status | None = None,
    committee: bool = False,
) -> Progress:
    """The route's steps for one application.

    `handler_signed`: the current stage's handler has signed (the leader's turn). `returned_from`: for a
    returned application, the status it resumes at. `stopped_at`: for a rejected, withdrawn or abandoned
    one, the status it was in when it stopped (None when unknown: the diagram then starts at the top).
    `committee`: it takes the 评审 road (COMMITTEE_ROUTE) rather than the 考核认定 one.
    """
    c = committee
    words = glossary.status_words(status, glossary.COMMITTEE_ROAD if c else glossary.BUREAU_ROAD)
    if status is Status.CERTIFIED:
        return Progress(_laid_out(None, StepState.DONE, c), status, None, None, words.explanation)
    if status is Status.RETURNED:
        resume = returned_from or Status.SUBMITTED
        signed_stage = resume in (Status.DEPT_REVIEW, Status.BUREAU_REVIEW, Status.COMMITTEE_REVIEW)
        at = step_index(resume, handler_signed and signed_stage)
        return Progress(
            _laid_out(at, StepState.RETURNED, c),
            status,
            None,
            Role.APPLICANT,
            words.explanation,
            pending_move(status),
            next_step(status, handler_signed=handler_signed, returned_from=resume, committee=c),
        )
    if status.is_final:
        if stopped_at is None or stopped_at.is_final:
            at = 0
        elif stopped_at is Status.RETURNED:
            at = step_index(returned_from or Status.SUBMITTED, False)
        else:
            at = step_index(stopped_at, handler_signed)
        return Progress(_laid_out(at, StepState.STOPPED, c), status, None, None, words.explanation)
    at = step_index(status, handler_signed)
    level = holder(status)
    role = awaiting(status, 1 if handler_signed else None)
    return Progress(
        _laid_out(at, StepState.CURRENT, c),
        status,
        level,
        role,
        words.explanation,
        pending_move(status, handler_signed=handler_signed, committee=c),
        next_step(status, handler_signed=handler_signed, committee=c),
    )


class Age(StrEnum):
    """How long a case has waited in a queue, in working days: the queue's colour band."""

    FRESH = "fresh"
    AGEING = "ageing"  # ≥ AGEING_DAYS
    OVERDUE = "overdue"  # ≥ OVERDUE_DAYS

    @property
    def title(self) -> str:
        return {"fresh": "", "ageing": N_("等待较久"), "overdue": N_("等待过久")}[self.value]


AGEING_DAYS = 3
OVERDUE_DAYS = 5


def queue_age(workdays_waiting: int) -> Age:
    if workdays_waiting >= OVERDUE_DAYS:
        return Age.OVERDUE
    if workdays_waiting >= AGEING_DAYS:
        return Age.AGEING
    return Age.FRESH
