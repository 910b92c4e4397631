"""A committee's call (评审通知, issue 22.8; 004 一(三), WIN-07): where the profile has a call rule, the
committee office drafts its call with the materials and requirements, files it with the bureau, and
publishes it only once the bureau has accepted the filing; a call published less than the profile's months
before intake opens is published with a warning (WIN-07 warns, it does not block).

Guarantees: a call is drafted only with an intake that opens at least the profile's months after today (an
earlier day is refused on its field with the earliest day and the clause: published now, it could not give
the notice the rule asks); no call is published without an accepted filing (checked here and by the
table's CHECK); each step is a compare-and-set on the call's status and version (two clicks: one effect)
and is audited; a refusal of the filing needs a reason; a refused step is audited and changes nothing.
Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.dates import read_day
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, NT_, T_, Clause
from portal.domain.mail import NoticeKind
from portal.domain.materials import add_months
from portal.domain.policy import CallRule
from portal.models import CallStatus, Committee, CommitteeCall, Organisation, OrgKind, StaffRole
from portal.services import audit, committees, notifications
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.compare_and_set import compare_and_set


@dataclass(frozen=True)
class CallInput:
    title: str = ""
    intake_opens: str = ""
    intake_closes: str = ""
    requirements: str = ""


@dataclass(frozen=True)
class Published:
    call: CommitteeCall
    warning: str | None  # WIN-07: published later than the months before intake the profile asks


def _rule(session: Session, committee: Committee) -> CallRule:
    _profile, rules = committees.rules_for(session, committee.bureau)
    if rules is None or rules.call is None:
        raise DomainError(N_("本局政策配置未规定评委会评审通知的报备，无需在此发布"), code="no_call_rule")
    return rules.call


def _office(session: Session, actor: Actor) -> Committee:
    if not (actor.is_staff and actor.org_kind is OrgKind.COMMITTEE):
        raise PermissionDenied(N_("评审通知由评委会办事机构起草、报备和发布"))
    committee = committees.committee_of_office(session, actor.org_id)
    if committee is None:
        raise NotFound(N_("找不到本办事机构的评委会"))
    return committee


def _get(session: Session, actor: Actor, call_id: int) -> CommitteeCall:
    call = session.get(CommitteeCall, call_id)
    if (
        call is None
        or not actor.is_staff
        or actor.org_id not in (call.committee.office_id, call.committee.bureau_id)
    ):
        raise NotFound(N_("找不到该评审通知，或您无权查看"))
    return call


def link(call: CommitteeCall) -> str:
    """The call's page (the office's and the bureau's), where a notice about it leads."""
    return f"/committees/calls/{call.id}"


def _refuse(
    session: Session, actor: Actor, call: CommitteeCall, action: str, code: str, message: str, now: datetime
) -> None:
    audit.record_attempt(
        session, actor, action, now, object_type="committee_call", object_id=call.id, detail={"code": code}
    )
    raise DomainError(message, code=code)


def _day(raw: str, name: str, errors: dict[str, str]) -> date | None:
    day, problem = read_day(raw, N_("日期格式应为 年-月-日，例如 2026-03-15"))
    if problem:
        errors[name] = problem
    return day


def draft_call(session: Session, actor: Actor, data: CallInput, now: datetime) -> CommitteeCall:
    """The office drafts its call: title, intake dates, the materials and requirements it states."""
    committee = _office(session, actor)
    rule = _rule(session, committee)
    errors: dict[str, str] = {}
    title, requirements = data.title.strip(), data.requirements.strip()
    if not title or len(title) > 200:
        errors["title"] = N_("请填写通知标题（200字以内）")
    if not requirements or len(requirements) > 4000:
        errors["requirements"] = N_("请写明申报材料和要求（4000字以内）")
    opens = _day(data.intake_opens, "intake_opens", errors)
    closes = _day(data.intake_closes, "intake_closes", errors)
    if opens and closes and closes < opens:
        errors["intake_closes"] = N_("受理截止日不能早于开始日")
    earliest = earliest_intake(rule, now)
    if opens and opens < earliest:
        errors["intake_opens"] = NT_(
            "评审通知须至少提前%(num)d个月向社会发布：受理开始日应在%(day)s或以后（%(clause)s）",
            "评审通知须至少提前%(num)d个月向社会发布：受理开始日应在%(day)s或以后（%(clause)s）",
            rule.months_before, day=earliest, clause=Clause(rule.citation),
        )  # fmt: skip
    if errors:
        raise ValidationFailed(errors)
    assert opens is not None and closes is not None
    call = CommitteeCall(
        committee_id=committee.id, title=title, intake_opens=opens, intake_closes=closes,
        requirements=requirements, citation=rule.citation, created_by_id=actor.user_id, created_at=now,
        status=CallStatus.DRAFT.value,
    )  # fmt: skip
    session.add(call)
    session.flush()
    audit.record(session, actor, "draft_call", now, object_type="committee_call", object_id=call.id)
    return call


def file_call(session: Session, actor: Actor, call_id: int, now: datetime) -> CommitteeCall:
    """The office's leader files the call with the bureau (a refused filing is corrected and filed again)."""
    committee = _office(session, actor)
    call = _get(session, actor, call_id)
    if call.committee_id != committee.id or actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("评审通知由办事机构领导报人社局备案"))
    if call.state not in (CallStatus.DRAFT, CallStatus.REFUSED):
        _refuse(
            session,
            actor,
            call,
            "file_call",
            "not_draft",
            T_("该通知%(state)s，不能再次报备", state=call.state.title),
            now,
        )
    compare_and_set(
        session, call, {CallStatus.DRAFT, CallStatus.REFUSED}, status=CallStatus.FILED.value, filed_at=now
    )
    audit.record(session, actor, "file_call", now, object_type="committee_call", object_id=call.id)
    # As a meeting's filing: whoever decides it at the bureau finds it among their new work.
    message = T_(
        "新的待办（备案）：%(committee)s报备评审通知《%(title)s》，请确认是否予以备案",
        committee=call.committee.name,
        title=call.title,
    )
    notifications.notify(
        session, committees.filing_deciders(session, call.committee, now), NoticeKind.NEW_WORK, message,
        link(call), now,
    )  # fmt: skip
    return call


def decide_call(
    session: Session, actor: Actor, call_id: int, accept: bool, note: str, now: datetime
) -> CommitteeCall:
    """The bureau accepts the filing, or refuses it with the reason."""
    call = _get(session, actor, call_id)
    if actor.org_id != call.committee.bureau_id:
        raise PermissionDenied(N_("评审通知由人社局确认备案"))
    note = note.strip()
    if not accept and not note:
        raise ValidationFailed({"note": N_("不予备案须写明原因")})
    if len(note) > 500:
        raise ValidationFailed({"note": T_("意见不能超过500字（现有%(n)s字）", n=len(note))})
    if call.state is not CallStatus.FILED:
        _refuse(
            session,
            actor,
            call,
            "decide_call",
            "not_filed",
            T_("该通知%(state)s，没有待确认的报备", state=call.state.title),
            now,
        )
    target = CallStatus.ACCEPTED if accept else CallStatus.REFUSED
    compare_and_set(
        session, call, {CallStatus.FILED}, status=target.value, decided_by_id=actor.user_id, decided_at=now,
        decision_note=note,
    )  # fmt: skip
    audit.record(
        session, actor, "accept_call" if accept else "refuse_call", now, object_type="committee_call",
        object_id=call.id, reason=note,
    )  # fmt: skip
    # The office that filed learns the outcome: publish it now, or correct it (the reason) and file again.
    about = {"committee": call.committee.name, "title": call.title}
    told = (
        T_("备案已通过：人社局确认了%(committee)s评审通知《%(title)s》的报备，可以发布", **about)
        if accept
        else T_(
            "备案未通过：人社局对%(committee)s评审通知《%(title)s》不予备案，请修改后重新报备。原因：%(reason)s",
            reason=note,
            **about,
        )
    )
    notifications.notify(
        session, committees.filers(session, call.committee, now), NoticeKind.FILING_DECIDED, told, link(call),
        now,
    )  # fmt: skip
    return call


def publish_call(session: Session, actor: Actor, call_id: int, now: datetime) -> Published:
    """The office's leader publishes an accepted call; later than the profile's months before intake opens
    it is published with the warning (WIN-07)."""
    committee = _office(session, actor)
    call = _get(session, actor, call_id)
    if call.committee_id != committee.id or actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("评审通知由办事机构领导发布"))
    rule = _rule(session, committee)
    if call.state is not CallStatus.ACCEPTED:
        _refuse(
            session, actor, call, "publish_call", "not_accepted",
            T_("该通知%(state)s：评审通知须先报人社局备案，备案通过后才能发布（%(clause)s）",
               state=call.state.title, clause=Clause(rule.citation)), now,
        )  # fmt: skip
    compare_and_set(session, call, {CallStatus.ACCEPTED}, status=CallStatus.PUBLISHED.value, published_at=now)
    latest = add_months(call.intake_opens, -rule.months_before)
    warning = None
    if today(now) > latest:
        warning = NT_(
            "评审通知应至少提前%(num)d个月发布（%(day)s前），本通知发布较晚，请确保申报人有足够时间准备（%(clause)s）",
            "评审通知应至少提前%(num)d个月发布（%(day)s前），本通知发布较晚，请确保申报人有足够时间准备（%(clause)s）",
            rule.months_before, day=latest, clause=Clause(rule.citation),
        )  # fmt: skip
    audit.record(
        session, actor, "publish_call", now, object_type="committee_call", object_id=call.id,
        detail={"late": warning is not None},
    )  # fmt: skip
    return Published(call, warning)


# --- what the screens read ------------------------------------------------------------------------------

TABS = ("all", "draft", "filed", "refused", "accepted", "published")


@dataclass(frozen=True)
class CallList:
    """The calls an organisation keeps, in one tab, with the count of every tab."""

    tab: str
    calls: list[CommitteeCall]
    counts: dict[str, int]


def earliest_intake(rule: CallRule, now: datetime) -> date:
    """The first day an intake may open for a call published today: ``months_before`` months on (WIN-07)."""
    return add_months(today(now), rule.months_before)


def call_rule(session: Session, actor: Actor) -> CallRule | None:
    """The call rule of the actor's committee office's profile (None: not an office, or no rule)."""
    if not (actor.is_staff and actor.org_kind is OrgKind.COMMITTEE):
        return None
    committee = committees.committee_of_office(session, actor.org_id)
    if committee is None:
        return None
    _profile, rules = committees.rules_for(session, committee.bureau)
    return rules.call if rules is not None else None


def stated_rule(session: Session, actor: Actor) -> CallRule | None:
    """The call rule (WIN-07) of the profile of the actor's bureau, as the calls page states it to the
    bureau's staff and its committee offices' alike: Dongchuan's 004 一(三); None where the profile has
    none (the page then states no rule and cites no clause)."""
    org = session.get(Organisation, actor.org_id) if actor.org_id else None
    _profile, rules = committees.rules_for(session, org)
    return rules.call if rules is not None else None


def calls_of(session: Session, actor: Actor, tab: str) -> CallList:
    """The calls the actor's organisation keeps: an office its committee's (drafts too), a bureau those of
    its committees once filed (a draft is the office's own work). Newest first; an unknown tab is "all"."""
    if not actor.is_staff:
        raise PermissionDenied(N_("评审通知由评委会办事机构和人社局办理"))
    if actor.org_kind is OrgKind.COMMITTEE:
        mine = Committee.office_id == actor.org_id
    elif actor.org_kind is OrgKind.BUREAU:
        mine = (Committee.bureau_id == actor.org_id) & (CommitteeCall.status != CallStatus.DRAFT.value)
    else:
        raise PermissionDenied(N_("评审通知由评委会办事机构和人社局办理"))
    base = select(CommitteeCall).join(Committee, Committee.id == CommitteeCall.committee_id).where(mine)
    tab = tab if tab in TABS else "all"
    counted = dict(
        session.execute(
            select(CommitteeCall.status, func.count())
            .join(Committee, Committee.id == CommitteeCall.committee_id)
            .where(mine)
            .group_by(CommitteeCall.status)
        ).all()
    )
    counts = {t: counted.get(t, 0) for t in TABS[1:]}
    counts["all"] = sum(counts.values())
    if tab != "all":
        base = base.where(CommitteeCall.status == tab)
    found = list(session.scalars(base.order_by(CommitteeCall.id.desc()).limit(500)))
    return CallList(tab, found, counts)


def get_call(session: Session, actor: Actor, call_id: int) -> CommitteeCall:
    """A call of the actor's office or bureau (a bureau never sees a draft); anyone else's is NotFound."""
    call = _get(session, actor, call_id)
    if actor.org_id == call.committee.bureau_id and call.state is CallStatus.DRAFT:
        raise NotFound(N_("找不到该评审通知，或您无权查看"))
    return call


def published_calls(session: Session) -> list[CommitteeCall]:
    """Every published call, the newest first: the public page (no login) lists them."""
    return list(
        session.scalars(
            select(CommitteeCall)
            .where(CommitteeCall.status == CallStatus.PUBLISHED.value)
            .order_by(CommitteeCall.published_at.desc(), CommitteeCall.id.desc())
            .limit(200)
        )
    )


def published_call(session: Session, call_id: int) -> CommitteeCall:
    """One published call for the public; a draft, a filing or a missing id reads the same: NotFound."""
    call = session.get(CommitteeCall, call_id)
    if call is None or call.state is not CallStatus.PUBLISHED:
        raise NotFound(N_("找不到该评审通知"))
    return call
