"""The rulebook of actions: one registry of guards for every workflow action, used both to offer actions
(the buttons a page shows) and to apply them (services.applications.act), so the UI never offers an action
that then refuses for a reason the registry knew.

A guard is a named function with the clause it enforces; it reads the `Case` (one actor before one
application at one moment) and returns None when it passes, or the Chinese message (or a `Refusal` with
field messages and audit detail) when it refuses. Guards run in the order they are registered, which is the
order a refusal is reported in. Each guard has a stage:

- `Stage.OFFER`: decided by the case alone. An action refused here is offered disabled, with the reasons
  (`Offer.refusals`), never as a button that would then refuse.
- `Stage.INPUT`: needs what the request brings (a reason, an acknowledgement, the version the page showed),
  so it is checked only when the action is applied. Given the input a page asks for, only a race (someone
  else acted first: StaleObject) can still refuse an offered action.

Adding a rule is adding one function here (or in a module imported at the end of this one):

    @guard(Action.LEADER_APPROVE, Action.CERTIFY, clause="XYZ-01 (the profile's clause)")
    def cooled_down(case: Case, attempt: Attempt) -> str | None:
        return "……" if <the rule says no> else None

A guard's ``clause`` is the rule's id for developers: a message citing a notice takes the clause from the
bureau's profile (or the record it refuses on), never one city's clause written here.

Every refusal of an applied action is audited (audit.record_attempt: it outlives the rollback), with the
guard's name as its code. The workflow table (portal.domain.workflow) stays the one table of who may move
what where; it is the `workflow` guard here, and services.transitions checks it again as it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache, cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import committees as committee_rules
from portal.domain import staffing, workflow
from portal.domain.errors import DomainError, StaleObject, ValidationFailed
from portal.domain.i18n import N_, T_, Clause, Text, joined
from portal.domain.materials import Gap, Source, slot_title
from portal.domain.policy import PolicyProfile, ReviewCheck
from portal.domain.text import LIMITS, split_rule_ids
from portal.domain.workflow import Action, Role, Status, TransitionNotAllowed
from portal.models import (
    Application,
    Committee,
    CommitteeException,
    CommitteeKind,
    HandoffResult,
    Material,
    Membership,
    Organisation,
    ResultOutcome,
    StaffRole,
)
from portal.services import (
    certificates,
    committee_exceptions,
    committees,
    corrections,
    eligibility,
    materials,
    notices,
    session_memo,
    staff,
    transitions,
)
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.policies import effective_profile


class Stage(StrEnum):
    """When a guard can decide: from the case alone (offer and apply), or only with the request's input."""

    OFFER = "offer"
    INPUT = "input"


class Form(StrEnum):
    """How a page offers an action (templates render the form; they do not decide whether to show it)."""

    BUTTON = "button"  # a button, with an optional opinion
    SUBMISSION = "submission"  # the applicant's 提交: the acknowledgement of warnings goes with it
    REASON = "reason"  # needs a written reason (不予通过, 退回经办人重审)
    CORRECTION_LIST = "correction_list"  # 退回补正: every item with its reason and a deadline (一次性告知)
    NOTICE_PAGE = "notice_page"  # done through a notice on the 公示 page, never on one application
    COMMITTEE_CHOICE = "committee_choice"  # 送评委会评审: the committee whose scope holds it is chosen
    MEETING_PAGE = "meeting_page"  # done for a whole meeting on its page (the tally, the confirmations)
    CERTIFICATE_NO = "certificate_no"  # the province's certificate number is typed or imported
    VERIFICATION = "verification"  # a button with the check the handler ticks first (EXP-03, by profile)


FORMS: dict[Action, Form] = {
    Action.SUBMIT: Form.SUBMISSION,
    Action.RESUBMIT: Form.SUBMISSION,
    Action.RETURN: Form.CORRECTION_LIST,
    Action.START_NOTICE: Form.NOTICE_PAGE,
    Action.CLOSE_NOTICE: Form.NOTICE_PAGE,
    Action.REJECT: Form.REASON,
    Action.SEND_BACK: Form.REASON,
    Action.SEND_TO_COMMITTEE: Form.COMMITTEE_CHOICE,
    Action.RETURN_TO_SENDER: Form.REASON,
    Action.TALLY: Form.MEETING_PAGE,
    Action.CONFIRM_PASS: Form.MEETING_PAGE,
    Action.CONFIRM_FAIL: Form.MEETING_PAGE,
    Action.PUBLISH_RESULT: Form.MEETING_PAGE,
    Action.RECORD_CERTIFICATE: Form.CERTIFICATE_NO,
}
# What a page asks before the action is sent: final or ending steps are confirmed first.
CONFIRMATIONS: dict[Action, str] = {
    Action.REJECT: N_("不予通过是最终结果，确定吗？"),
    Action.CERTIFY: N_("认定发证后即生成证书编号，本次申报办结，确定认定发证吗？"),
    # Only the 评审 road records a number (after the result's publication): it was passed, not 认定'd.
    Action.RECORD_CERTIFICATE: N_("录入证书编号后本次申报即办结（评审通过，已发证），确定录入吗？"),
    Action.WITHDRAW: N_("撤回后本次申报即终止，确定撤回吗？"),
    Action.RETURN_TO_SENDER: N_("退回后申报回到人社局，并通知申报人，确定退回吗？"),
}
DANGER = frozenset({Action.REJECT, Action.WITHDRAW})
# Refused at act(): these are applied by their own use case (the correction list, the notice page).
_ELSEWHERE: dict[Form, tuple[str, str]] = {
    Form.NOTICE_PAGE: ("use_notice", N_("公示的发布和结束请在“公示”页面办理")),
    Form.CORRECTION_LIST: (
        "use_correction_list",
        N_("退回补正须在审核页面逐项列明需补正的内容和截止日期（一次性告知）"),
    ),
    Form.MEETING_PAGE: ("use_meeting", N_("评审表决、结果确认和公布请在“评审会议”页面办理")),
}


@dataclass(frozen=True)
class Attempt:
    """What the request brings with an action: the version the page showed, a reason, an acknowledgement."""

    expected_version: int | None = None
    reason: str = ""
    acknowledgement: str = ""
    responses: Mapping[str, str] = field(default_factory=dict)  # per returned item: why it stays as it is
    committee_id: int | None = None  # 送评委会评审: the committee chosen (None: the one it must go to)
    certificate_no: str = ""  # 录入证书编号: the province's number as typed
    verified: bool = False  # the handler ticked the profile's check (EXP-03: experience and achievements)


@dataclass(frozen=True)
class Refusal:
    """A guard said no: its name (the audit code), the Chinese message, the clause, and for a form the
    message of each field; `stale` marks a race (someone else acted first)."""

    guard: str
    message: str
    clause: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    detail: Mapping[str, Any] = field(default_factory=dict)
    stale: bool = False

    def error(self) -> DomainError:
        """The exception the views already know how to answer (422 with fields, 409 for a race)."""
        if self.stale:
            return StaleObject(self.message)
        if self.fields:
            return ValidationFailed(dict(self.fields), self.message)
        return DomainError(self.message, code=self.guard)


class Case:
    """One actor before one application at one moment: what every guard reads, each fact computed once."""

    def __init__(self, session: Session, actor: Actor, application: Application, now: datetime) -> None:
        self.session = session
        self.actor = actor
        self.application = application
        self.now = now
        self._decided: dict[Action, workflow.Outcome | TransitionNotAllowed] = {}

    @property
    def status(self) -> Status:
        return self.application.state

    def role(self, action: Action) -> Role:
        """The role the actor plays for this action (applicant for the applicant's own moves)."""
        return transitions.workflow_role(self.actor, action)

    def decide(self, action: Action) -> workflow.Outcome:
        """The workflow table's outcome for the actor; raises TransitionNotAllowed. Decided once per action:
        the workflow guard and the org_incomplete guard both ask, for every row of a queue (issue 20)."""
        if action not in self._decided:
            try:
                self._decided[action] = workflow.decide(
                    self.situation,
                    action,
                    transitions.workflow_actor(self.actor, self.application, self.role(action)),
                )
            except TransitionNotAllowed as refused:
                self._decided[action] = refused
        decided = self._decided[action]
        if isinstance(decided, TransitionNotAllowed):
            raise decided.with_traceback(None)
        return decided

    @cached_property
    def situation(self) -> workflow.Situation:
        return transitions.situation_of(self.application)

    @cached_property
    def cooled(self) -> staffing.Refusal | None:
        """The cooling rule's refusal of the actor on this case (services.staff), None when it passes."""
        return staff.cooling_refusal(self.session, self.actor, self.application)

    @cached_property
    def in_own_notice(self) -> bool:
        return notices.blocks_signing(self.session, self.application)

    @cached_property
    def unendorsed_copies(self) -> list[Material]:
        return materials.unendorsed_copies(self.session, self.application.id)

    @cached_property
    def missing(self) -> list[Gap]:
        """The required materials the case lacks now (the materials card's 尚缺: `materials.gaps`), read for
        a list page's rows at once by `page_offers`."""
        return materials.gaps(self.session, self.application, self.now)

    @cached_property
    def holder_staffed(self) -> bool:
        """The organisation holding the application has an active handler and leader (read once per
        organisation until the session next writes: every row of a queue is held by the same one)."""
        read: dict[int, bool] = session_memo.memo(self.session, _STAFFED)
        org_id = self.application.current_org_id
        if org_id not in read:
            roles = self.session.scalars(
                select(Membership.role)
                .where(Membership.org_id == org_id, Membership.ended_at.is_(None))
                .group_by(Membership.role)
            ).all()
            read[org_id] = {StaffRole.HANDLER.value, StaffRole.LEADER.value} <= set(roles)
        return read[org_id]

    @cached_property
    def evaluation(self) -> eligibility.Evaluation:
        return eligibility.evaluate(self.session, self.application, self.now)

    @cached_property
    def profile(self) -> PolicyProfile | None:
        """The policy profile of the application's bureau (None when it follows none): read once per bureau
        until the session next writes, however many rows of a queue ask (`policies.effective_profile`)."""
        return effective_profile(self.session, self.application.bureau)

    @cached_property
    def experience_check(self) -> ReviewCheck | None:
        """EXP-03: the profile's check of work experience and achievements where this case is at the
        employer's or its department's 初审 (None elsewhere, or under a profile without it)."""
        if self.status not in _CHECKED_AT:
            return None
        profile = self.profile
        return profile.workflow.experience_check if profile is not None else None

    @cached_property
    def road(self) -> str:
        """Who decides it ("committee" or "bureau"): read without the committees (asked of every row)."""
        return committees.road_under(self.profile, self.application)

    @cached_property
    def routing(self) -> committees.Routing:
        """The committee road: the profile's road for the pathway, the committees that could receive it."""
        return committees.routing(self.session, self.application, self.now)

    @cached_property
    def committee_exception(self) -> CommitteeException | None:
        """The bureau admin's exception to one committee a year for this application (CHAN-01, 原则上)."""
        return committee_exceptions.exception_for(self.session, self.application.id)


# Whether an organisation has an active handler and leader (Case.holder_staffed), forgotten at the next write.
_STAFFED = session_memo.register("portal.rulebook.staffed")
# The statuses of the employer's and the competent department's 初审 (EXP-03: 用人单位及其主管部门负责审查).
_CHECKED_AT = frozenset({Status.SUBMITTED, Status.DEPT_REVIEW})


def check_words(check: ReviewCheck) -> Text:
    """What the handler ticks for a profile's check (EXP-03), with its clause."""
    return T_("已核实工作经历和业绩成果符合申报条件（%(clause)s）", clause=Clause(check.citation))


GuardCheck = Callable[[Case, Action, Attempt], "str | Refusal | None"]


@dataclass(frozen=True)
class Guard:
    """One rule: its name, the clause it enforces, the actions it governs, its stage, and the check."""

    name: str
    clause: str
    actions: frozenset[Action]
    stage: Stage
    check: GuardCheck

    def refuse(self, case: Case, action: Action, attempt: Attempt) -> Refusal | None:
        """This guard's refusal of the action in this case, or None when it passes."""
        said = self.check(case, action, attempt)
        if said is None:
            return None
        if isinstance(said, Refusal):
            return said
        return Refusal(self.name, said, self.clause)


GUARDS: list[Guard] = []


@cache
def _governing(action: Action, stages: tuple[Stage, ...]) -> tuple[Guard, ...]:
    """The guards of `stages` governing the action, in registry order: asked for every action of every
    row of a queue, so worked out once (and again after each registration: guard() clears it)."""
    return tuple(rule for rule in GUARDS if action in rule.actions and rule.stage in stages)


def guard(
    *actions: Action, clause: str, stage: Stage = Stage.OFFER, name: str | None = None
) -> Callable[[GuardCheck], GuardCheck]:
    """Register a guard for `actions` (every action when none is named), in order of registration."""

    def register(check: GuardCheck) -> GuardCheck:
        GUARDS.append(
            Guard(name or check.__name__, clause, frozenset(actions or tuple(Action)), stage, check)
        )
        _governing.cache_clear()  # a guard registered late (another module, a test) is never skipped
        return check

    return register


# What a guard module reads once for a list page instead of once per row (`page_offers` calls each with the
# page's rows and the actions each may be offered; a reader fills a session memo its guard then reads).
PageRead = Callable[[Session, list[tuple[Application, list[Action]]]], None]
PAGE_READS: list[PageRead] = []


def page_read(read: PageRead) -> PageRead:
    """Register a page reader (beside the guard that asks per row what it reads for the page)."""
    PAGE_READS.append(read)
    return read


# --- the guards, in the order a refusal is reported ------------------------------------------------------


@guard(clause="ACC-01、ACC-02 (the profile's staff_accounts)", name="cooling_off")
def not_opened_by_who_handled_it(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """The cooling rule (services.staff): a staff account opened, or given its role, by someone who handled
    this case (its applicant, whoever started it, any reviewer) takes no step on it. Reported first: the
    reader could take the step but for it, and is told so with the clause of the bureau's profile
    (Ganzhou's 000 四(一), 001 四(二)), rather than shown a page with nothing to do (walk5 #5)."""
    if transitions.workflow_role(case.actor, action) not in (Role.HANDLER, Role.LEADER):
        return None
    cooled = case.cooled
    return Refusal("cooling_off", cooled.text, cooled.clause) if cooled is not None else None


@guard(
    Action.LEADER_APPROVE,
    Action.CERTIFY,
    Action.SEND_TO_COMMITTEE,
    # The holding organisation's own notice at any level: the unit's (003 五(一), 人社部令第40号),
    # the committee office's (003 五(三)).
    clause="PUB-01、PUB-03、PUB-06",
    name="in_notice",
)
def not_during_own_notice(case: Case, action: Action, attempt: Attempt) -> str | None:
    """No signing while the holding organisation's own notice runs or an objection is unhandled (the bureau
    leader's signing on the committee road is 送评委会评审)."""
    if case.in_own_notice:
        return N_("该申报正在本单位公示，或有未处理的异议；公示期满并处理完异议后才能签批")
    return None


# 评审 titles are decided by a review committee (评审委员会): the committee votes, its office publishes the
# result notice and the title office publishes the result (PUB-04: Zhenjiang's 003 六(二)). The bureau's
# 认定发证 certifies only what it recognises itself; a 评审 application goes to a committee instead. The
# refusal cites the clause of the result notice in the bureau's own profile (a bureau elsewhere was told
# Zhenjiang's), none where the profile has no committee road.
@guard(Action.CERTIFY, clause="PUB-04 (the profile's result notice)", name="committee_decides")
def not_a_committee_title(case: Case, action: Action, attempt: Attempt) -> str | None:
    """A 评审 application (the profile's committee road) is never certified by the bureau's 认定发证."""
    if case.status is not Status.BUREAU_REVIEW or case.road != "committee":
        return None
    rules = case.profile.committee if case.profile is not None else None
    clause = rules.result_notice_workdays.citation if rules is not None else ""
    if not clause:
        return N_(
            "评审途径的申报须经职称评审委员会评审，评审结果经公示无异议后由职称办公布，人社局不能直接认定发证"
        )
    return T_(
        "评审途径的申报须经职称评审委员会评审，评审结果经公示无异议后由职称办公布，人社局不能直接认定发证（%(clause)s）",
        clause=Clause(clause),
    )


@guard(Action.SEND_TO_COMMITTEE, clause="DESIGN §3", name="bureau_road")
def on_the_committee_road(case: Case, action: Action, attempt: Attempt) -> str | None:
    """Only an application on the committee road goes to a committee; 考核认定 is certified by the bureau."""
    if case.road != "committee":
        return T_(
            "“%(pathway)s”途径由人社局认定发证，不送评委会评审", pathway=case.application.pathway or "认定"
        )
    return None


@guard(Action.SEND_TO_COMMITTEE, clause="EXAM-06 (the profile's committee scope)", name="out_of_scope")
def some_committee_holds_it(case: Case, action: Action, attempt: Attempt) -> str | None:
    """Some committee's scope holds its specialty, level and place: committees never widen their scope.
    The refusal cites the profile's clause for it (`[committee]`'s ``scope``: Zhenjiang's 003 七(一)), none
    where its notice does not state it (a Kunming bureau was told Zhenjiang's)."""
    if case.road == "committee" and not case.routing.candidates:
        a = case.application
        place = a.enterprise.region or N_("未填受理地")
        rules = case.profile.committee if case.profile is not None else None
        clause = rules.scope if rules is not None else ""
        words = {"specialty": a.specialty, "series": a.series, "level": a.level, "place": place}
        if not clause:
            return T_(
                "没有评委会的受理范围包含“%(specialty)s（%(series)s）%(level)s、%(place)s”，"
                "评委会不得擅自扩大评审范围，不能送评；"
                "请核对专业与级别，或由系统管理员维护评委会受理范围",
                **words,
            )
        return T_(
            "没有评委会的受理范围包含“%(specialty)s（%(series)s）%(level)s、%(place)s”，"
            "评委会不得擅自扩大评审范围，不能送评（%(clause)s）；"
            "请核对专业与级别，或由系统管理员维护评委会受理范围",
            clause=Clause(clause),
            **words,
        )
    return None


@guard(
    Action.SEND_TO_COMMITTEE,
    clause="CHAN-01 (the profile's one committee a year)",
    name="one_committee_a_year",
)
def one_committee_per_level_and_year(case: Case, action: Action, attempt: Attempt) -> str | None:
    """An applicant applies to one committee per level and year (where the profile says so). "原则上": the
    bureau admin may record an exception with a reason for one application (services.committee_exceptions);
    it lifts this guard only, never the unit's one committee (committee_choice)."""
    if case.road != "committee":
        return None
    other, rule = case.routing.elsewhere, case.routing.rules
    if other is None or rule is None or other.committee is None:
        return None
    if case.committee_exception is not None:
        return None  # read only when the rule would refuse: no query for the cases it never holds back
    return T_(
        "申报人今年已向“%(committee)s”申报%(level)s评审，同一年度同一职称层级原则上"
        "只能向一个评审委员会提出申请（%(clause)s）；确有特殊情况的，"
        "可由人社局系统管理员在“送评例外”中写明理由后登记例外",
        committee=other.committee.name,
        level=other.level,
        clause=Clause(rule.one_per_year),
    )


@guard(Action.SEND_TO_COMMITTEE, clause="REV-06 (the profile's city_system_gate)", name="city_system_gate")
def reviewed_in_the_city_system(case: Case, action: Action, attempt: Attempt) -> str | None:
    """Where the profile has the city system's gate (004 一(二), REV-06), an application goes to a committee
    only once the city system's review of it is recorded as passed: the result that system gives back,
    imported on the hand-off page (services.handoff_results). Read only when 送评委会评审 is weighed."""
    if case.road != "committee" or case.status is not Status.BUREAU_REVIEW:
        return None
    rule = case.routing.rules
    if rule is None or not rule.city_system_gate:
        return None
    if case.application.id in _city_system_passed(case.session, [case.application.id]):
        return None
    return T_(
        "凡未经市系统审核的申报材料，不予送评（%(clause)s）：市职称申报系统尚无该申报的审核通过记录，"
        "请先在“报送省级系统”页面导入市系统的审核结果",
        clause=Clause(rule.city_system_gate),
    )


# Which applications the city system's review passed (REV-06), by id, forgotten at the session's next write;
# a page's rows are read in one statement (`page_offers`).
_CITY_PASSED = session_memo.register("portal.rulebook.city_system_passed")


def _city_system_passed(session: Session, ids: list[int]) -> set[int]:
    """Of `ids`, those whose city system review is recorded as passed (each id read once per session)."""
    read: dict[int, bool] = session_memo.memo(session, _CITY_PASSED)
    unread = [i for i in ids if i not in read]
    if unread:
        passed = set(
            session.scalars(
                select(HandoffResult.application_id).where(
                    HandoffResult.application_id.in_(unread),
                    HandoffResult.outcome == ResultOutcome.PASSED.value,
                )
            )
        )
        read.update((i, i in passed) for i in unread)
    return {i for i in ids if read[i]}


@guard(Action.SEND_TO_COMMITTEE, clause="EXAM-06、CHAN-01", stage=Stage.INPUT, name="committee_choice")
def the_chosen_committee_holds_it(case: Case, action: Action, attempt: Attempt) -> str | None:
    """The chosen committee holds it, and is the one the enterprise sends this specialty and level to."""
    return committees.routing_refusal(case.routing, attempt.committee_id)


@guard(
    Action.SEND_TO_COMMITTEE,
    clause="WIN-05 (the profile's provincial_windows)",
    stage=Stage.INPUT,
    name="committee_channel",
)
def the_chosen_committee_is_open(case: Case, action: Action, attempt: Attempt) -> str | None:
    """A provincial committee is chosen only while its online channel is open: from 7 days before it starts
    receiving to 24:00 three days (the city submitting together) or one day before its deadline."""
    rule = case.routing.rules
    windows = rule.provincial_windows if rule is not None else None
    implied = case.routing.implied
    chosen = attempt.committee_id or (implied.id if implied is not None else None)
    committee = case.session.get(Committee, chosen) if windows is not None and chosen else None
    if committee is None or committee.kind != CommitteeKind.PROVINCIAL.value:
        return None
    if committee.intake_opens is None or committee.intake_closes is None:
        return None
    assert windows is not None
    channel = committee_rules.provincial_channel(
        windows, committee.intake_opens, committee.intake_closes, committee.uniform_submission
    )
    day = today(case.now)
    if day < channel.opens:
        return T_(
            "“%(name)s”的网上申报通道%(day)s开通，现在还不能报送（%(clause)s）",
            name=committee.name,
            day=channel.opens,
            clause=Clause(channel.clause),
        )
    if day > channel.closes:
        return T_(
            "“%(name)s”的网上申报通道已于%(day)s 24:00关闭，不能再选择该评委会（%(clause)s）",
            name=committee.name,
            day=channel.closes,
            clause=Clause(channel.clause),
        )
    return None


@guard(Action.RECORD_CERTIFICATE, clause="PUB-04", stage=Stage.INPUT, name="certificate_no")
def a_well_formed_number_nobody_holds(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """The province's number as printed (6-40 letters, digits, hyphens), and on no other application. The
    refusal's clause (audited) is PUB-04 with the profile's result-notice clause (Zhenjiang's 003 六(二)),
    not Zhenjiang's for every bureau."""
    number = committee_rules.certificate_no(attempt.certificate_no)
    rules = case.profile.committee if case.profile is not None else None
    notice = rules.result_notice_workdays.citation if rules is not None else ""
    clause = f"PUB-04、{notice}" if notice else "PUB-04"
    if not committee_rules.CERTIFICATE_NO.fullmatch(number):
        return Refusal(
            "bad_certificate_no", N_("证书编号为6至40位字母、数字或连字符，请按省统一编号填写"), clause
        )
    holder = case.session.scalar(select(Application.id).where(Application.certificate_no == number))
    if holder is not None and holder != case.application.id:
        return Refusal(
            "duplicate_certificate_no",
            T_("证书编号%(number)s已登记在另一份申报上，请核对", number=number),
            clause,
        )
    return None


@guard(Action.SUBMIT, clause="INT-01、INT-02 (the record's own clause)", name="integrity_record")
def not_on_integrity_record(case: Case, action: Action, attempt: Attempt) -> str | None:
    """Nobody on an integrity record (诚信档案) submits while it runs; the refusal cites the clause the
    record was entered under (its default: the profile's, `certificates.revocation_clause`)."""
    try:
        certificates.refuse_if_on_record(case.session, case.application.applicant_id, case.now)
    except DomainError as refused:
        return refused.message
    return None


@guard(Action.SUBMIT, clause="REV-04 (the profile's return limit)", name="return_limit")
def not_barred_this_year(case: Case, action: Action, attempt: Attempt) -> str | None:
    """After the return that reached the policy's limit the person is not accepted again that year (REV-04,
    policy-spec §8 #6): a draft started before the bar is not submitted either. The refusal cites the
    limit's clause in the profile of the bureau that ended the application (Dongchuan's 004 一(四))."""
    return corrections.barred_this_year(case.session, case.application.applicant_id, case.now)


@guard(Action.SUBMIT, Action.RESUBMIT, clause="MAT-01、MAT-02", name="dossier_incomplete")
def dossier_complete(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """The 申报表's required fields are filled and every required material is there."""
    fields: dict[str, str] = {}
    if missing := _missing_for_submit(case.session, case.application):
        fields["__all__"] = T_("请先填写：%(fields)s", fields=joined(missing))
    if gaps := materials.gaps(case.session, case.application, case.now):
        fields["materials"] = materials.gaps_message(gaps)
    if not fields:
        return None
    return Refusal("dossier_incomplete", N_("申报表或申报材料尚未完整"), "MAT-01、MAT-02", fields)


# The approving steps past the applicant's submission: each says what the dossier lacks next to its button
# (`Offer.caution`), and the final 认定发证 is refused while it lacks it (`dossier_gap`).
APPROVING = frozenset(
    {Action.HANDLER_APPROVE, Action.LEADER_APPROVE, Action.FORWARD, Action.SEND_TO_COMMITTEE, Action.CERTIFY}
)


def gap_words(found: list[Gap]) -> tuple[Text, Text]:
    """The missing items as the materials card names them, each with its clause where the bureau's notice
    states it, and the items a return would tick for them (退回补正's own titles: 材料：…)."""
    listed = []
    for gap in found:
        clause = split_rule_ids(gap.slot.clause)[0] if gap.slot.clause else ""
        listed.append(
            T_("%(slot)s（%(why)s；%(clause)s）", slot=gap.slot.title, why=gap.why, clause=Clause(clause))
            if clause
            else T_("%(slot)s（%(why)s）", slot=gap.slot.title, why=gap.why)
        )
    items = joined(
        T_("“%(title)s”", title=T_("材料：%(slot)s", slot=gap.slot.title))
        for gap in found
        if gap.slot.source is Source.UPLOAD
    )
    return joined(listed, "；"), items


@guard(Action.CERTIFY, clause="MAT-01、SI-02 (each slot's own clause)", name="dossier_gap")
def nothing_missing(case: Case, action: Action, attempt: Attempt) -> str | None:
    """A required material that became missing after the submission (the roster's 单位不一致 asking for
    the affiliation proof once the unit had approved) stops the final 认定发证: nothing is certified on an
    incomplete dossier. The way out is a return naming the item (the bureau's review may return it). The
    unit's 报送 is warned only (`_caution`): after its notice the table gives the unit no return, so a
    refusal there would hold the case for good; the department's review returns it."""
    if not case.missing:
        return None
    listed, items = gap_words(case.missing)
    return T_(
        "申报材料尚缺：%(gaps)s，不能认定发证。请先退回补正并勾选%(items)s，由申报人补传后重新提交",
        gaps=listed,
        items=items,
    )


def copies_clause(profile: PolicyProfile | None) -> str:
    """The clause of ``profile``'s notice on checking copies against their originals: Kunming's MAT-03
    (004 二(十)), Ganzhou 2026's MAT-02 (001 四(三)); "" where the notice does not state it."""
    if profile is None:
        return ""
    return "、".join(c for c in (profile.document_clause("MAT-03"), profile.document_clause("MAT-02")) if c)


@guard(Action.HANDLER_APPROVE, Action.RESUBMIT, clause="MAT-02、MAT-03", name="copies_unendorsed")
def copies_endorsed(case: Case, action: Action, attempt: Attempt) -> str | None:
    """The enterprise handler's first review waits until every copy is checked against its original. A case
    returned by the department, the bureau, a committee or the unit's leader (after its handler signed)
    resumes there, past that review: a copy uploaded in answer is checked and sealed by the unit's handler
    before the resubmission. The refusal cites the bureau's profile's clause (`copies_clause`), none where
    its notice does not state the rule (every bureau was told Kunming's and Ganzhou 2026's)."""
    clause = copies_clause(case.profile)
    if action is Action.HANDLER_APPROVE:
        if case.status is not Status.SUBMITTED or not case.unendorsed_copies:
            return None
        titles = joined(dict.fromkeys(slot_title(m.slot) for m in case.unendorsed_copies))
        if not clause:
            return T_("以下复印件尚未核对原件并加盖单位公章：%(titles)s", titles=titles)
        return T_(
            "以下复印件尚未核对原件并加盖单位公章：%(titles)s（%(clauses)s）",
            titles=titles,
            clauses=Clause(clause),
        )
    resumes = case.application.returned_from
    if case.status is not Status.RETURNED or resumes is None:
        return None
    if Status(resumes) is Status.SUBMITTED or not case.unendorsed_copies:
        return None  # resuming at the unit handler's first review, the step that checks the copies
    titles = joined(dict.fromkeys(slot_title(m.slot) for m in case.unendorsed_copies))
    if not clause:
        return T_(
            "以下复印件尚未由申报单位经办人核对原件并加盖单位公章：%(titles)s；请先由单位经办人核对签章，再重新提交",
            titles=titles,
        )
    return T_(
        "以下复印件尚未由申报单位经办人核对原件并加盖单位公章：%(titles)s（%(clauses)s）；请先由单位经办人核对签章，再重新提交",
        titles=titles,
        clauses=Clause(clause),
    )


@guard(clause="DESIGN §5 compare-and-set", stage=Stage.INPUT, name="stale")
def page_is_current(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """The page the action came from showed the application as it is now."""
    if attempt.expected_version is None or attempt.expected_version == case.application.version:
        return None
    return Refusal("stale", StaleObject().message, stale=True)


@guard(Action.RETURN, Action.REJECT, Action.SEND_BACK, clause="REV-02", stage=Stage.INPUT)
def reason_required(case: Case, action: Action, attempt: Attempt) -> str | None:
    """A return, a rejection and a send-back say why."""
    return None if attempt.reason.strip() else N_("请填写理由")


@guard(clause="DESIGN §3 (portal/domain/workflow.py)", name="workflow")
def allowed_by_the_table(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """The workflow table: the status allows the action, in this role, for the organisation holding it,
    handler first and leader second, never the same person, nobody on their own application."""
    try:
        case.decide(action)
    except TransitionNotAllowed as refused:
        return Refusal(refused.code, refused.message, "DESIGN §3")
    return None


@guard(clause="DESIGN §3", name="org_incomplete")
def holder_can_send_onward(case: Case, action: Action, attempt: Attempt) -> str | None:
    """An organisation sends work onward only once it has both a handler and a leader."""
    if not case.actor.is_staff:
        return None
    try:
        outcome = case.decide(action)
    except TransitionNotAllowed:
        return None  # the workflow guard reports it
    try:
        # Only 送评委会评审 picks a committee: the others never read the committees (asked of every row).
        sending = case.routing.implied if action is Action.SEND_TO_COMMITTEE else None
        target = transitions.holder_org_id(case.application, outcome.target, sending)
    except TransitionNotAllowed:
        target = -1  # going to a committee not chosen yet: it leaves this organisation either way
    moves_up = target != case.application.current_org_id
    if moves_up and not case.holder_staffed:
        return N_("本单位须同时配备经办人和领导，才能向上报送")
    return None


def _submission_refusal(case: Case, action: Action, code: str, message: str, **fields: str) -> Refusal:
    findings = [f.to_json() for f in case.evaluation.blocks]
    return Refusal(code, message, "", fields, {"findings": findings})


@guard(Action.SUBMIT, clause="WIN-01", name="outside_window")
def window_open(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """A first submission only while the authority's window is open (a resubmission keeps its batch)."""
    evaluation = case.evaluation
    if not evaluation.applies or evaluation.window is not None:
        return None
    return _submission_refusal(case, action, "outside_window", evaluation.window_message)


@guard(Action.SUBMIT, Action.RESUBMIT, clause="policy profile findings", name="ineligible")
def no_blocking_findings(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """No finding of the policy profile blocks the application (each cites its clause)."""
    evaluation = case.evaluation
    if not evaluation.applies or not evaluation.blocks:
        return None
    # Each clause as the reader's language cites clauses ("001 3(6)" in English), without its rule ids.
    listed = joined(
        (
            T_("%(message)s（%(clause)s）", message=f.message, clause=Clause(split_rule_ids(f.clause)[0]))
            for f in evaluation.blocks
        ),
        "；",
    )
    return _submission_refusal(
        case, action, "ineligible", T_("不符合申报条件，不能提交：%(findings)s", findings=listed)
    )


@guard(Action.SUBMIT, Action.RESUBMIT, clause="policy profile warnings", stage=Stage.INPUT)
def warnings_acknowledged(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """Warnings need the applicant's written acknowledgement."""
    evaluation = case.evaluation
    if not evaluation.applies or not evaluation.warnings:
        return None
    reason = attempt.acknowledgement.strip()
    if len(reason) > LIMITS["acknowledgement"]:
        return Refusal(
            "validation_failed",
            N_("确认说明过长"),
            "",
            {
                "acknowledgement": T_(
                    "确认说明不能超过%(limit)d字（现有%(count)d字），请精简后再提交",
                    limit=LIMITS["acknowledgement"],
                    count=len(reason),
                )
            },
        )
    if reason:
        return None
    return Refusal(
        "validation_failed",
        N_("请填写对提示事项的确认说明"),
        "",
        {"acknowledgement": N_("请阅读提示事项，并填写确认说明后再提交")},
        {"findings": [f.to_json() for f in evaluation.blocks]},
    )


@guard(Action.RESUBMIT, clause="REV-03 (the profile's corrections clause)", name="correction_overdue")
def corrected_in_time(case: Case, action: Action, attempt: Attempt) -> str | None:
    """REV-03: not corrected by the deadline is treated as giving up. The periodic job abandons the case;
    until it has run, the resubmission is refused here rather than let through late. The refusal cites the
    clause of the bureau's own profile (Zhenjiang's 003 五(二), Dongchuan's 004 一(四)), none elsewhere."""
    if case.status is not Status.RETURNED:
        return None
    correction = corrections.open_correction(case.session, case.application.id)
    if correction is None or correction.deadline >= today(case.now):
        return None
    clause = corrections.clause_under(case.profile)
    if not clause:
        return T_("补正截止日期%(day)s已过，逾期未补正视为放弃申报，不能再重新提交", day=correction.deadline)
    return T_(
        "补正截止日期%(day)s已过，逾期未补正视为放弃申报，不能再重新提交（%(clause)s）",
        day=correction.deadline,
        clause=Clause(clause),
    )


@guard(Action.RESUBMIT, clause="REV-02 一次性告知", stage=Stage.INPUT)
def returned_items_answered(case: Case, action: Action, attempt: Attempt) -> Refusal | None:
    """A resubmission answers every item of the return: each is changed, or carries the applicant's written
    reason why it stays as it is (issue 17.1); the reasons are kept on the items."""
    if case.status is not Status.RETURNED:
        return None
    try:
        corrections.check_resubmission(case.session, case.application, dict(attempt.responses))
    except ValidationFailed as unanswered:
        return Refusal("unanswered_returns", unanswered.message, "REV-02", unanswered.fields)
    return None


# --- offering and applying -------------------------------------------------------------------------------


def _missing_for_submit(session: Session, application: Application) -> list[str]:
    from portal.services.forms import missing_for_submit

    return missing_for_submit(session, application)


def refusals(
    case: Case, action: Action, attempt: Attempt | None = None, *, stages: tuple[Stage, ...] = (Stage.OFFER,)
) -> list[Refusal]:
    """Every refusal of the guards of `stages` for this action, in registry order (empty: it may be done)."""
    found = []
    for rule in _governing(action, stages):
        refusal = rule.refuse(case, action, attempt or Attempt())
        if refusal is not None:
            found.append(refusal)
    return found


@dataclass(frozen=True)
class Offer:
    """An action a page offers: how (its form), whether it can be done now, and if not, why not."""

    action: Action
    form: Form
    refusals: tuple[Refusal, ...] = ()
    check: Text | str = ""  # Form.VERIFICATION: the words of the check the handler ticks (check_words)
    # An approving step on a dossier that lacks a required material: what it lacks and what to do (said
    # next to the button; the unit's 报送 and 认定发证 are refused for it instead, `dossier_gap`).
    caution: Text | str = ""

    @property
    def available(self) -> bool:
        return not self.refusals

    @property
    def title(self) -> str:
        return self.action.title

    @property
    def value(self) -> str:
        return self.action.value

    @property
    def needs_reason(self) -> bool:
        return self.form is Form.REASON

    @property
    def confirm(self) -> str:
        return CONFIRMATIONS.get(self.action, "")

    @property
    def danger(self) -> bool:
        return self.action in DANGER

    @property
    def why_not(self) -> str:
        """The reasons it cannot be done now, as one line."""
        # Kept as messages (joined, not concatenated), so each reason reads in the reader's language.
        parts = [
            joined(r.fields.values(), "；") if r.fields and "__all__" in r.fields else r.message
            for r in self.refusals
        ]
        if len(parts) < 2:
            return parts[0] if parts else ""
        return joined(parts, "；")


def offers(
    session: Session, actor: Actor, application: Application, now: datetime, *, as_reviewer: bool = False
) -> list[Offer]:
    """What the actor is offered on this application, in table order: every action the workflow table
    gives their role, each with the refusals of the other guards (offered disabled when there are any).
    Staff see their staff actions; the applicant their own moves (not on review screens, where the person
    acts as a reviewer). Notice actions are done on the 公示 page and are not offered here."""
    return page_offers(session, actor, [application], now, as_reviewer=as_reviewer, cautions=True)[0]


def page_offers(
    session: Session,
    actor: Actor,
    applications: list[Application],
    now: datetime,
    *,
    as_reviewer: bool = False,
    cautions: bool = False,
) -> list[list[Offer]]:
    """`offers` for each application of a list page, reading once for the page what a guard would read
    for every row: for the rows that may go to a committee, their enterprises (the routing reads where each
    is) and the other applications CHAN-01 compares them with (`committees.read_peers`): a few statements
    instead of three per row (issue 20)."""
    candidates = [
        [
            action
            for action in transitions.table_actions(actor, application, as_reviewer=as_reviewer)
            if FORMS.get(action) is not Form.NOTICE_PAGE
        ]
        for application in applications
    ]
    pairs = list(zip(applications, candidates, strict=True))
    routed = {a.enterprise_id for a, actions in pairs if Action.SEND_TO_COMMITTEE in actions}
    # Into the session's identity map, where each row's `application.enterprise` is then found; kept alive
    # by this local until the offers are made (the identity map holds only weak references).
    enterprises = select(Organisation).where(Organisation.id.in_(routed))
    _enterprises = list(session.scalars(enterprises)) if routed else []
    sending = [a for a, actions in pairs if Action.SEND_TO_COMMITTEE in actions]
    committees.read_peers(session, sending, now)
    for read in PAGE_READS:
        read(session, pairs)
    # What each row that may be certified lacks (the dossier_gap guard), read for them at once; with
    # ``cautions`` (the case page, `offers`), every approving step's too. A list page's approving buttons
    # carry no caution, so a queue of first reviews reads no dossier — six statements more on every polled
    # page otherwise (tests/bench/test_bench_seed.py).
    asks = APPROVING if cautions else {Action.CERTIFY}
    materials.missing_of(session, [a for a, actions in pairs if asks & set(actions)], now)
    gated = [
        a.id
        for a in sending
        if (p := effective_profile(session, a.bureau)) and p.committee and p.committee.city_system_gate
    ]
    _city_system_passed(session, gated)
    found = []
    for application, actions in pairs:
        case = Case(session, actor, application, now)  # one per row: its facts are read once for every action
        found.append([_offer(case, action, caution=cautions) for action in actions])
    return found


def _offer(case: Case, action: Action, *, caution: bool = True) -> Offer:
    """The offer of ``action`` for the case; ``caution``: with an approving step's words on a dossier that
    lacks a required material (the case page's; a list page's rows leave them to it)."""
    found = tuple(refusals(case, action))
    words = _caution(case, action) if caution and not found else ""
    check = case.experience_check if action is Action.HANDLER_APPROVE else None
    if check is not None:  # EXP-03: the 初审 button comes with the check its handler ticks
        return Offer(action, Form.VERIFICATION, found, check_words(check), words)
    return Offer(action, FORMS.get(action, Form.BUTTON), found, caution=words)


def _caution(case: Case, action: Action) -> Text | str:
    """What an approving step's button says when the dossier lacks a required material (staff only)."""
    if action not in APPROVING or not case.actor.is_staff or not case.missing:
        return ""
    listed, items = gap_words(case.missing)
    if case.status not in workflow.REVIEW_STATUSES:
        # 报送 after the notice: the table gives the unit no return there; the department's review can.
        return T_(
            "申报材料尚缺：%(gaps)s。本单位在此环节不能退回；报送后请主管部门退回补正并勾选%(items)s，由申报人补传后重新提交",
            gaps=listed,
            items=items,
        )
    return T_(
        "申报材料尚缺：%(gaps)s。请退回补正并勾选%(items)s，由申报人补传后重新提交",
        gaps=listed,
        items=items,
    )


def enforce(
    session: Session, actor: Actor, application: Application, action: Action, now: datetime, attempt: Attempt
) -> None:
    """Apply every guard of the action (offer and input stages) for `act`; the first refusal is audited
    (outliving the rollback) and raised as the error the views answer (422, or 409 for a race)."""
    case = Case(session, actor, application, now)
    form = FORMS.get(action, Form.BUTTON)
    if form in _ELSEWHERE:
        code, message = _ELSEWHERE[form]
        found: list[Refusal] = [Refusal(code, message)]
    else:
        found = refusals(case, action, attempt, stages=(Stage.OFFER, Stage.INPUT))
    if not found:
        return
    first = found[0]
    transitions.record_refusal(
        session, actor, application, action, case.role(action), now, first.guard, dict(first.detail)
    )
    raise first.error()


def checked(
    session: Session, actor: Actor, application: Application, action: Action, now: datetime, attempt: Attempt
) -> dict[str, str] | None:
    """What the actor confirmed with the action that the profile asked (EXP-03's rule and clause), for the
    transition's audit row; None when nothing was asked. Call after `enforce` passed."""
    check = Case(session, actor, application, now).experience_check
    if check is None or action is not Action.HANDLER_APPROVE or not attempt.verified:
        return None
    return {"rule": check.rule, "clause": check.citation}


def offered(
    session: Session, actor: Actor, application: Application, now: datetime, *, as_reviewer: bool = False
) -> list[Action]:
    """The actions the actor can do now (offered and not refused): what a bulk action may be given."""
    found = offers(session, actor, application, now, as_reviewer=as_reviewer)
    return [offer.action for offer in found if offer.available]


# Guards kept in their own modules (registered on import, after the ones above).
from portal.services import form_guards, review_checks  # noqa: E402, F401
