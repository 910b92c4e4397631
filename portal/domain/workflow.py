"""The application state machine: statuses, actions, roles, the transition table and its guards.

This module owns the one table of DESIGN.md §3. Every status change in the product is decided here and
written by portal.services.transitions. Each reviewing organisation works in two steps: its handler
(经办人) gives the first opinion, then its leader (领导) signs. The handler's signature at the current
stage is part of the state (`handler_signed_by`), so "handler first, leader second, never the same person"
is a guard of the table rather than a convention of the screens.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.domain import glossary
from portal.domain.i18n import N_, T_


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNIT_REVIEW = "unit_review"
    UNIT_APPROVED = "unit_approved"
    IN_NOTICE = "in_notice"
    NOTICE_PASSED = "notice_passed"
    DEPT_REVIEW = "dept_review"
    BUREAU_REVIEW = "bureau_review"
    # The committee road (评审, DESIGN §3, issue 22): the committee office's intake review and its notice,
    # the meeting's vote, the result notice, the office's confirmation, the title office's publication and
    # the provincial certificate number.
    COMMITTEE_REVIEW = "committee_review"
    COMMITTEE_ACCEPTED = "committee_accepted"
    COMMITTEE_NOTICE = "committee_notice"
    AWAITING_MEETING = "awaiting_meeting"
    VOTED = "voted"
    RESULT_NOTICE = "result_notice"
    RESULT_NOTICED = "result_noticed"
    RESULT_CONFIRMED = "result_confirmed"
    RESULT_PUBLISHED = "result_published"
    CERTIFIED = "certified"
    RETURNED = "returned"
    ABANDONED = "abandoned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    NOT_PASSED = "not_passed"

    @property
    def title(self) -> str:
        return STATUS_TITLES[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


# The words live in the glossary (one place for every term the UI shows).
STATUS_TITLES: dict[Status, str] = {status: glossary.STATUSES[status.value].title for status in Status}

FINAL_STATUSES = frozenset(
    {Status.CERTIFIED, Status.ABANDONED, Status.REJECTED, Status.WITHDRAWN, Status.NOT_PASSED}
)


class Action(StrEnum):
    SUBMIT = "submit"
    HANDLER_APPROVE = "handler_approve"
    LEADER_APPROVE = "leader_approve"
    START_NOTICE = "start_notice"
    CLOSE_NOTICE = "close_notice"
    FORWARD = "forward"
    CERTIFY = "certify"
    RETURN = "return"
    SEND_BACK = "send_back"
    RESUBMIT = "resubmit"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    ABANDON = "abandon"
    # The committee road (issue 22).
    SEND_TO_COMMITTEE = (
        "send_to_committee"  # the bureau leader sends it to the committee whose scope holds it
    )
    RETURN_TO_SENDER = "return_to_sender"  # the committee office sends it back the way it came (003 五(三))
    TALLY = "tally"  # the meeting's ballots are counted (a meeting closes its vote)
    CONFIRM_PASS = "confirm_pass"  # after the result notice, the office confirms a pass ...
    CONFIRM_FAIL = "confirm_fail"  # ... or a failure, with the vote as its reason
    PUBLISH_RESULT = "publish_result"  # the title office publishes the results (003 六(二))
    RECORD_CERTIFICATE = "record_certificate"  # the province's e-certificate number is entered

    @property
    def title(self) -> str:
        return ACTION_TITLES[self]

    @property
    def done(self) -> str:
        """The confirmation once the step is done (已 and its name in Chinese; past tense in English)."""
        return glossary.ACTION_DONE[self.value]

    @property
    def needs_reason(self) -> bool:
        return self in {Action.RETURN, Action.REJECT, Action.SEND_BACK, Action.RETURN_TO_SENDER}


ACTION_TITLES: dict[Action, str] = {action: glossary.ACTION_TITLES[action.value] for action in Action}


class Role(StrEnum):
    APPLICANT = "applicant"
    HANDLER = "handler"
    LEADER = "leader"
    SYSTEM = "system"

    @property
    def title(self) -> str:
        return {
            "applicant": N_("申报人"),
            "handler": N_("经办人"),
            "leader": N_("领导"),
            "system": N_("系统"),
        }[self.value]


# The roles an application can wait for (its `awaiting` column); the system never waits for itself.
AWAITING_ROLES: tuple[Role, ...] = (Role.APPLICANT, Role.HANDLER, Role.LEADER)


class Level(StrEnum):
    """Which organisation of the route holds an application."""

    ENTERPRISE = "enterprise"
    DEPARTMENT = "department"
    BUREAU = "bureau"
    COMMITTEE = "committee"  # the office (办事机构) of the review committee the application was sent to

    @property
    def title(self) -> str:
        return {
            "enterprise": N_("用人单位"),
            "department": N_("主管部门"),
            "bureau": N_("人社局"),
            "committee": "评委会办事机构",
        }[self.value]


# Where an application sits, per status. Draft and returned sit with the applicant, but the enterprise
# still "holds" them for scoping; final statuses are held by nobody.
HOLDER: dict[Status, Level] = {
    Status.SUBMITTED: Level.ENTERPRISE,
    Status.UNIT_REVIEW: Level.ENTERPRISE,
    Status.UNIT_APPROVED: Level.ENTERPRISE,
    Status.IN_NOTICE: Level.ENTERPRISE,
    Status.NOTICE_PASSED: Level.ENTERPRISE,
    Status.DEPT_REVIEW: Level.DEPARTMENT,
    Status.BUREAU_REVIEW: Level.BUREAU,
    Status.COMMITTEE_REVIEW: Level.COMMITTEE,
    Status.COMMITTEE_ACCEPTED: Level.COMMITTEE,
    Status.COMMITTEE_NOTICE: Level.COMMITTEE,
    Status.AWAITING_MEETING: Level.COMMITTEE,
    Status.VOTED: Level.COMMITTEE,
    Status.RESULT_NOTICE: Level.COMMITTEE,
    Status.RESULT_NOTICED: Level.COMMITTEE,
    # The title office (the bureau) publishes the confirmed results and records the certificate numbers.
    Status.RESULT_CONFIRMED: Level.BUREAU,
    Status.RESULT_PUBLISHED: Level.BUREAU,
}

# The status a stage is entered at; a return from anywhere in a stage resumes there, handler first.
STAGE_ENTRY: dict[Level, Status] = {
    Level.ENTERPRISE: Status.SUBMITTED,
    Level.DEPARTMENT: Status.DEPT_REVIEW,
    Level.BUREAU: Status.BUREAU_REVIEW,
    Level.COMMITTEE: Status.COMMITTEE_REVIEW,
}

# The 评审 road's statuses in road order, from the committee office's intake to the title office's
# publication (the certificate number after it is CERTIFIED, as on the other road). One list: the hand-offs'
# road order, the office's 已通过 tab and the results import's "not decided yet" all read it.
COMMITTEE_ROAD: tuple[Status, ...] = (
    Status.COMMITTEE_REVIEW,
    Status.COMMITTEE_ACCEPTED,
    Status.COMMITTEE_NOTICE,
    Status.AWAITING_MEETING,
    Status.VOTED,
    Status.RESULT_NOTICE,
    Status.RESULT_NOTICED,
    Status.RESULT_CONFIRMED,
    Status.RESULT_PUBLISHED,
)

REVIEW_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.UNIT_REVIEW,
        Status.DEPT_REVIEW,
        Status.BUREAU_REVIEW,
        Status.COMMITTEE_REVIEW,
    }
)


class Signature(StrEnum):
    """What the handler's signature at the current stage must be for a transition to apply."""

    ANY = "any"
    ABSENT = "absent"  # handler's first review: nobody has signed at this stage yet
    PRESENT = "present"  # leader's signing: the handler has signed, and the leader is someone else


@dataclass(frozen=True)
class Transition:
    source: Status
    action: Action
    role: Role
    target: Status | None  # None: back to the stage the application was returned from
    signature: Signature = Signature.ANY


def _returns_and_rejects() -> list[Transition]:
    rows: list[Transition] = []
    for status in sorted(REVIEW_STATUSES):
        rows.append(Transition(status, Action.RETURN, Role.HANDLER, Status.RETURNED))
        rows.append(Transition(status, Action.RETURN, Role.LEADER, Status.RETURNED))
        rows.append(Transition(status, Action.REJECT, Role.LEADER, Status.REJECTED))
    # A leader may send a case back to their own handler: the handler's opinion is withdrawn.
    rows.append(
        Transition(Status.UNIT_REVIEW, Action.SEND_BACK, Role.LEADER, Status.SUBMITTED, Signature.PRESENT)
    )
    for status in (Status.DEPT_REVIEW, Status.BUREAU_REVIEW, Status.COMMITTEE_REVIEW):
        rows.append(Transition(status, Action.SEND_BACK, Role.LEADER, status, Signature.PRESENT))
    return rows


def _committee_road() -> list[Transition]:
    """The 评审 road after the bureau's review (issue 22, DESIGN §3): 003 五(三), 六(一)(二); 004 一(六)."""
    C = Status
    return [
        # The bureau's leader signs its handler's review by sending the case to the one committee whose
        # scope holds it (the 认定 road's CERTIFY is refused for 评审 by the rulebook).
        Transition(
            C.BUREAU_REVIEW, Action.SEND_TO_COMMITTEE, Role.LEADER, C.COMMITTEE_REVIEW, Signature.PRESENT
        ),
        # The committee office reviews like any level: its handler first, its leader accepts (受理).
        Transition(
            C.COMMITTEE_REVIEW, Action.HANDLER_APPROVE, Role.HANDLER, C.COMMITTEE_REVIEW, Signature.ABSENT
        ),
        Transition(
            C.COMMITTEE_REVIEW, Action.LEADER_APPROVE, Role.LEADER, C.COMMITTEE_ACCEPTED, Signature.PRESENT
        ),
        # Out of scope or out of procedure: back the way it came, to the bureau (003 五(三), REV-02).
        Transition(C.COMMITTEE_REVIEW, Action.RETURN_TO_SENDER, Role.HANDLER, C.BUREAU_REVIEW),
        Transition(C.COMMITTEE_REVIEW, Action.RETURN_TO_SENDER, Role.LEADER, C.BUREAU_REVIEW),
        # The office's own notice of those it accepted (≥ 5 working days, 003 五(三)); an upheld objection
        # ends the application.
        Transition(C.COMMITTEE_ACCEPTED, Action.START_NOTICE, Role.LEADER, C.COMMITTEE_NOTICE),
        Transition(C.COMMITTEE_NOTICE, Action.CLOSE_NOTICE, Role.SYSTEM, C.AWAITING_MEETING),
        Transition(C.COMMITTEE_NOTICE, Action.REJECT, Role.LEADER, C.REJECTED),
        # The meeting counts the ballots (a meeting closing its vote); before it the office may still end a
        # case it finds inadmissible (an unconfirmed title, 004 一(五)).
        Transition(C.AWAITING_MEETING, Action.TALLY, Role.SYSTEM, C.VOTED),
        Transition(C.AWAITING_MEETING, Action.REJECT, Role.LEADER, C.REJECTED),
        # The result notice (公示, objections handled), then the office confirms each result.
        Transition(C.VOTED, Action.START_NOTICE, Role.LEADER, C.RESULT_NOTICE),
        Transition(C.RESULT_NOTICE, Action.CLOSE_NOTICE, Role.SYSTEM, C.RESULT_NOTICED),
        Transition(C.RESULT_NOTICE, Action.REJECT, Role.LEADER, C.REJECTED),
        Transition(C.RESULT_NOTICED, Action.CONFIRM_PASS, Role.LEADER, C.RESULT_CONFIRMED),
        Transition(C.RESULT_NOTICED, Action.CONFIRM_FAIL, Role.LEADER, C.NOT_PASSED),
        # The title office publishes (003 六(二)); the province numbers the e-certificate.
        Transition(C.RESULT_CONFIRMED, Action.PUBLISH_RESULT, Role.LEADER, C.RESULT_PUBLISHED),
        Transition(C.RESULT_PUBLISHED, Action.RECORD_CERTIFICATE, Role.HANDLER, C.CERTIFIED),
        Transition(C.RESULT_PUBLISHED, Action.RECORD_CERTIFICATE, Role.LEADER, C.CERTIFIED),
    ]


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Action.SUBMIT, Role.APPLICANT, Status.SUBMITTED),
    Transition(Status.SUBMITTED, Action.HANDLER_APPROVE, Role.HANDLER, Status.UNIT_REVIEW, Signature.ABSENT),
    Transition(
        Status.UNIT_REVIEW, Action.LEADER_APPROVE, Role.LEADER, Status.UNIT_APPROVED, Signature.PRESENT
    ),
    # The handler drafts the public notice, the leader publishes it; the period's end closes it.
    Transition(Status.UNIT_APPROVED, Action.START_NOTICE, Role.LEADER, Status.IN_NOTICE),
    Transition(Status.IN_NOTICE, Action.CLOSE_NOTICE, Role.SYSTEM, Status.NOTICE_PASSED),
    # An objection upheld during the notice ends the application, with the handling as its reason.
    Transition(Status.IN_NOTICE, Action.REJECT, Role.LEADER, Status.REJECTED),
    Transition(Status.NOTICE_PASSED, Action.FORWARD, Role.LEADER, Status.DEPT_REVIEW),
    Transition(
        Status.DEPT_REVIEW, Action.HANDLER_APPROVE, Role.HANDLER, Status.DEPT_REVIEW, Signature.ABSENT
    ),
    Transition(
        Status.DEPT_REVIEW, Action.LEADER_APPROVE, Role.LEADER, Status.BUREAU_REVIEW, Signature.PRESENT
    ),
    Transition(
        Status.BUREAU_REVIEW, Action.HANDLER_APPROVE, Role.HANDLER, Status.BUREAU_REVIEW, Signature.ABSENT
    ),
    Transition(Status.BUREAU_REVIEW, Action.CERTIFY, Role.LEADER, Status.CERTIFIED, Signature.PRESENT),
    *_committee_road(),
    *_returns_and_rejects(),
    Transition(Status.RETURNED, Action.RESUBMIT, Role.APPLICANT, None),
    Transition(Status.RETURNED, Action.ABANDON, Role.SYSTEM, Status.ABANDONED),
    # The return that reaches the policy's limit makes the application inadmissible (004 一(四)).
    Transition(Status.RETURNED, Action.REJECT, Role.SYSTEM, Status.REJECTED),
    # Withdrawal is the applicant's own, and only before the unit has approved (DESIGN.md §3).
    Transition(Status.DRAFT, Action.WITHDRAW, Role.APPLICANT, Status.WITHDRAWN),
    Transition(Status.SUBMITTED, Action.WITHDRAW, Role.APPLICANT, Status.WITHDRAWN),
    Transition(Status.UNIT_REVIEW, Action.WITHDRAW, Role.APPLICANT, Status.WITHDRAWN),
    Transition(Status.RETURNED, Action.WITHDRAW, Role.APPLICANT, Status.WITHDRAWN),
)


class TransitionNotAllowed(Exception):
    """The table or a guard refused; `.code` is a slug, `.message` the Chinese text for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Situation:
    """What the rules need to know about one application."""

    status: Status
    applicant_id: int
    handler_signed_by: int | None = None
    returned_from: Status | None = None


@dataclass(frozen=True)
class Actor:
    """Who asks: a user acting in a role, and whether they act for the organisation holding the case."""

    user_id: int | None
    role: Role
    acts_for_holder: bool = False


@dataclass(frozen=True)
class Outcome:
    transition: Transition
    target: Status
    handler_signed_by: int | None
    returned_from: Status | None
    counts_as_return: bool  # a return after the enterprise approved it (004 一(四))


def holder(status: Status) -> Level | None:
    return HOLDER.get(status)


@dataclass(frozen=True)
class Route:
    """The organisations an application travels through: its enterprise, department and bureau (ids), and
    on the 评审 road the office of the committee it was sent to."""

    enterprise: int
    department: int
    bureau: int
    committee: int | None = None

    def at(self, level: Level) -> int:
        if level is Level.COMMITTEE:
            if self.committee is None:
                raise TransitionNotAllowed("no_committee", N_("尚未确定受理的评审委员会"))
            return self.committee
        return {Level.ENTERPRISE: self.enterprise, Level.DEPARTMENT: self.department}.get(level, self.bureau)


def holder_on(route: Route, status: Status, current: int) -> int:
    """The organisation of `route` holding an application in `status`; with no holder (a final status,
    draft or returned with the applicant) it stays at `current`."""
    level = holder(status)
    return current if level is None else route.at(level)


# How far up the route an application has come (applications.reached_level: the scope of who may see it).
REACHED: dict[Level, int] = {Level.ENTERPRISE: 0, Level.DEPARTMENT: 1, Level.BUREAU: 2, Level.COMMITTEE: 3}


def reached(status: Status) -> int:
    """The highest level `status` puts an application at (0 while its enterprise or applicant holds it)."""
    level = holder(status)
    return REACHED[level] if level is not None else 0


# The unit's leader approved (领导签批通过): from here the case is the unit's recommendation, its notice
# (公示, public) and the hand-off follow while the unit still holds it, then it travels up the route.
UNIT_RECOMMENDED = frozenset({Status.UNIT_APPROVED, Status.IN_NOTICE, Status.NOTICE_PASSED})


def recommended_by_unit(status: Status, reached_level: int) -> bool:
    """Whether the unit has put its name to the case (approved, noticed, or sent up: `reached_level` counts
    a case since returned or ended too): what it says about the applicant is then on record beyond HR."""
    return reached_level >= 1 or status in UNIT_RECOMMENDED


# Whose move it is where the table alone would say otherwise: an approved application waits for the
# handler to draft its notice (the leader's START_NOTICE publishes a draft that must exist first).
AWAITING_OVERRIDE: dict[Status, Role] = {
    Status.UNIT_APPROVED: Role.HANDLER,
    Status.COMMITTEE_ACCEPTED: Role.HANDLER,  # the office's handler drafts its notice
    Status.VOTED: Role.HANDLER,  # ... and the result notice
}


# Moves that send a case back or end it: never "whose move it is" nor "the next step".
SIDE_EXITS = frozenset(
    {
        Action.RETURN,
        Action.SEND_BACK,
        Action.REJECT,
        Action.WITHDRAW,
        Action.ABANDON,
        Action.RETURN_TO_SENDER,
        Action.CONFIRM_FAIL,
    }
)


def awaiting(status: Status, handler_signed_by: int | None) -> Role | None:
    """Whose move it is: the role that must act next, or None for a final status or a running notice."""
    if status in (Status.DRAFT, Status.RETURNED):
        return Role.APPLICANT
    if status in AWAITING_OVERRIDE:
        return AWAITING_OVERRIDE[status]
    for row in TRANSITIONS:
        if row.source != status or row.role not in (Role.HANDLER, Role.LEADER):
            continue
        if row.action in SIDE_EXITS:
            continue
        if row.signature is Signature.ABSENT and handler_signed_by is not None:
            continue
        if row.signature is Signature.PRESENT and handler_signed_by is None:
            continue
        return row.role
    return None


# The actions a queue may take on many ticked rows at once: forward moves that need no reason of their
# own (returns and rejections are written case by case; sending to a committee names the committee).
BULK_ACTIONS: tuple[Action, ...] = (
    Action.HANDLER_APPROVE,
    Action.LEADER_APPROVE,
    Action.FORWARD,
    Action.CERTIFY,
)


def _index() -> dict[Status, dict[Action, tuple[Transition, ...]]]:
    by_source: dict[Status, dict[Action, list[Transition]]] = {}
    for row in TRANSITIONS:
        by_source.setdefault(row.source, {}).setdefault(row.action, []).append(row)
    return {status: {a: tuple(rows) for a, rows in actions.items()} for status, actions in by_source.items()}


# The table by source status, then action (in table order): a queue asks for every row's actions, and
# scanning the whole table per row and action was a tenth of a queue page (issue 20).
_BY_SOURCE = _index()


def _candidates(status: Status, action: Action) -> tuple[Transition, ...]:
    return _BY_SOURCE.get(status, {}).get(action, ())


# The handler's moves that send a case back: theirs only until they sign their first review.
HANDLER_RETURNS = frozenset({Action.RETURN, Action.RETURN_TO_SENDER})

# The refusals of the guards below that need no parameters, by code.
_REFUSALS = {
    "not_holder": N_("该申报不在本单位办理环节，无权操作"),
    "own_application": N_("不能审核本人的申报"),
    "not_applicant": N_("只能操作本人的申报"),
    "already_signed": N_("经办人已初审，待领导签批"),
    "handler_first": N_("须先由经办人初审，再由领导签批"),
    "same_person": N_("初审与签批不能由同一人办理"),
    "after_unit_approval": N_("单位已审核推荐的申报不能撤回：请按退回意见修改后重新提交"),
}


def _refused(situation: Situation, row: Transition, actor: Actor) -> str | None:
    """The code of the first guard that refuses the actor this row, or None (checked in this order)."""
    if actor.role in (Role.HANDLER, Role.LEADER):
        if not actor.acts_for_holder:
            return "not_holder"
        if actor.user_id == situation.applicant_id:
            return "own_application"
    if actor.role is Role.APPLICANT and actor.user_id != situation.applicant_id:
        return "not_applicant"
    # Withdrawal is only before the unit's approval (DESIGN §3): a case returned from a later stage is past
    # it, and withdrawing it and starting again would reset the returns counted since (004 一(四)).
    returned_from = situation.returned_from if row.source is Status.RETURNED else None
    if row.action is Action.WITHDRAW and returned_from and holder(returned_from) is not Level.ENTERPRISE:
        return "after_unit_approval"
    if row.signature is Signature.ABSENT and situation.handler_signed_by is not None:
        return "already_signed"
    if row.role is Role.HANDLER and row.action in HANDLER_RETURNS and situation.handler_signed_by is not None:
        # The handler returns in their first review, not after it: once signed, the case is the leader's
        # to sign or return (handler first, leader second; DESIGN §3). A leader who wants the handler to
        # return it sends it back to them first (SEND_BACK withdraws the handler's opinion).
        return "already_signed"
    if row.signature is Signature.PRESENT:
        if situation.handler_signed_by is None:
            return "handler_first"
        if situation.handler_signed_by == actor.user_id:
            return "same_person"
    return None


def decide(situation: Situation, action: Action, actor: Actor) -> Outcome:
    """Apply the table and every guard; return the outcome or raise TransitionNotAllowed."""
    rows = _candidates(situation.status, action)
    if not rows:
        raise TransitionNotAllowed(
            "no_transition",
            T_(
                "申报当前为“%(state)s”，不能执行“%(action)s”",
                state=situation.status.title,
                action=action.title,
            ),
        )
    row = next((r for r in rows if r.role == actor.role), None)
    if row is None:
        roles: str = rows[0].role.title
        for other in rows[1:]:
            roles = T_("%(one)s或%(other)s", one=roles, other=other.role.title)
        raise TransitionNotAllowed(
            "wrong_role", T_("“%(action)s”须由%(roles)s办理", action=action.title, roles=roles)
        )
    code = _refused(situation, row, actor)
    if code is not None:
        raise TransitionNotAllowed(code, _REFUSALS[code])
    return _outcome(situation, row, actor)


def _outcome(situation: Situation, row: Transition, actor: Actor) -> Outcome:
    signed_by = actor.user_id if row.signature is Signature.ABSENT else None
    returned_from: Status | None = None
    counts = False
    target = row.target
    if row.action is Action.RETURN:
        level = holder(situation.status)
        assert level is not None  # every review status has a holder
        counts = level is not Level.ENTERPRISE
        if row.role is Role.LEADER and situation.handler_signed_by is not None:
            # Resubmission goes back to the reviewer who returned it: the leader, the handler's opinion kept.
            returned_from, signed_by = situation.status, situation.handler_signed_by
        else:
            returned_from = STAGE_ENTRY[level]
    elif target is None:  # resubmission resumes where it was returned from
        if situation.returned_from is None:
            raise TransitionNotAllowed("no_return_stage", "找不到退回环节，无法重新提交")
        target, signed_by = situation.returned_from, situation.handler_signed_by
    assert target is not None
    return Outcome(row, target, signed_by, returned_from, counts)


def available_actions(situation: Situation, actor: Actor) -> list[Action]:
    """The actions this actor may take now, in table order (buttons the screens show): those `decide`
    allows, checked without building the refusals' messages."""
    seen: list[Action] = []
    for action, rows in _BY_SOURCE.get(situation.status, {}).items():
        row = next((r for r in rows if r.role == actor.role), None)
        if row is None or _refused(situation, row, actor) is not None:
            continue
        if row.target is None and row.action is not Action.RETURN and situation.returned_from is None:
            continue  # a resubmission with no stage to resume (decide refuses it: no_return_stage)
        seen.append(action)
    return seen
