"""Whether the staff of the organisation holding a case can complete the step it waits on: a handler
gives the first review, a leader signs it, never the same person twice and never the applicant (workflow).
Where nobody is left for one of the two, the case waits and nothing moves it until that organisation's
staff change; the pages say so, and what to do, from what is decided here, read once for a page.

At the applicant's own unit (the case held by her enterprise, whose staff she may be, and whose admin the
words send her to): the queue row of her own case, the case page and her progress and summary (walk 4,
F10). Decided per case:
- waiting on the handler: someone who is not the applicant must be able to act as handler, and, where the
  handler's step is the first review, a *different* someone who is not the applicant must be able to sign
  as leader after it; a leader must also be there for the leader's later steps (publishing the notice,
  forwarding). What is missing is named: no other handler, no leader but the applicant, or only one
  person for both (who, after the first review, could not sign it too).
- waiting on the leader: someone who is not the applicant, nor the one who did this case's first review
  (a leader who stood in for a handler), must be able to act as leader. What is missing is named: no
  leader but the applicant, or only the one who did the first review; the unit's admin adds a leader, or a
  leader in post names a stand-in (any other handler or leader of the unit may be one). The admin cannot
  name one: a stand-in is named by the one whose role it covers (services.standins), so the words say who.

Past the unit (a park office or competent department, the HR bureau, a committee office) the same rules
decide, on that organisation's staff: one with no handler or no leader in post, nor a stand-in for one
today, holds its cases with nobody to move them. Nobody there is the applicant's to call on, so the words go
where someone can act: the organisation's staff page (单位人员) counts the cases waiting on the role it
lacks and says to add one or name a stand-in (`held_without_staff`; its own unit's cases are counted there
too), and the applicant's progress and summary name the organisation and say there is nothing for her to
do but wait or ask it. Its reviewers' queue rows and case pages say nothing of it (their own staff page
does).

A stand-in counts: who stands in today for a handler or leader of the unit acts in that role under their
own name (services.standins), so may act on the applicant's case if they are not the applicant. A stand-in
must be a handler or leader of the same unit, so in a unit whose only handler applies the only stand-in
for her is the leader, who after the first review cannot sign it as leader too: the case would stick at
the leader's signature, which is why both steps are decided together.

The words name the step that lacks its person as the workflow's table has it (`step_of`): the handler's
first review or the drafting of the notice, the leader's signature of a first review, or the leader's move
with nothing to sign (publishing the notice, forwarding it after the notice).

What is read (active memberships, today's stand-ins, the case's status and first reviewer) bumps the
holding organisation's change counter when written (services.versions, for every kind of organisation), so
a polled queue row never keeps words its staff no longer bear out. A queue row says only what its own
organisation lacks (one's own case held by one's own unit, the queue's organisation): the counter its tag
is read from is that organisation's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from portal.domain.i18n import N_, NC_, NT_, T_, Text
from portal.domain.workflow import (
    AWAITING_OVERRIDE,
    FINAL_STATUSES,
    SIDE_EXITS,
    TRANSITIONS,
    Action,
    Role,
    Signature,
    Status,
    Transition,
)
from portal.models import Application, Membership, StaffRole, StandIn
from portal.services.calendar import today


class Shortage(StrEnum):
    """What the unit lacks for a case's unit step to be completed by people other than its applicant."""

    NO_HANDLER = "no_handler"  # nobody but the applicant may act as handler
    NO_LEADER = "no_leader"  # nobody but the applicant may act as leader
    # Nobody holds the leader's role at all: nobody either to name a stand-in for it (services.standins:
    # a stand-in is named by the one whose role it covers), so the only remedy is adding a leader.
    NO_LEADER_IN_POST = "no_leader_in_post"
    # The one person besides the applicant who may do the first review is also the only one who may sign.
    ONE_PERSON = "one_person"
    # Waiting on the leader: the only one besides the applicant who may sign did this case's first review.
    SIGNER_REVIEWED = "signer_reviewed"


@dataclass(frozen=True)
class Words:
    """One shortage in the words of each reader: the reviewer's own row in the queue (her own case), a
    reviewer on the case page, and the applicant on her progress and summary."""

    row: str
    reviewer: str
    applicant: str


# What one's step is, in a sentence ("没有其他领导可%(step)s"), by the move the workflow's table gives the
# role there: a leader's move that signs a first review (Signature.PRESENT) is signing, whichever it is.
_SIGNS = NC_("in a sentence", "签批")
_MOVES: dict[Action, Text] = {
    Action.HANDLER_APPROVE: NC_("in a sentence", "办理初审"),
    Action.START_NOTICE: NC_("in a sentence", "发布公示"),
    Action.FORWARD: NC_("in a sentence", "报送主管部门"),
    Action.CONFIRM_PASS: NC_("in a sentence", "确认评审结果"),
    Action.PUBLISH_RESULT: NC_("in a sentence", "发文公布评审结果"),
    Action.RECORD_CERTIFICATE: NC_("in a sentence", "录入证书编号"),
}
# Where the case waits on the handler to draft a notice (workflow.AWAITING_OVERRIDE) before the leader
# publishes it: that drafting is the handler's step, which is no move of the table.
_DRAFTS_NOTICE = NC_("in a sentence", "起草公示")


def _forward_rows(status: Status, role: Role) -> list[Transition]:
    """The table's moves onward (no return, rejection or other side exit) of `role` from `status`."""
    return [
        row
        for row in TRANSITIONS
        if row.source is status and row.role is role and row.action not in SIDE_EXITS
    ]


def step_of(status: Status, role: Role) -> Text:
    """The step of `role` that a case in `status` awaits or, for the leader where the handler acts first,
    the leader's step after it, in words (read from the workflow's table)."""
    if role is Role.HANDLER:
        if status in AWAITING_OVERRIDE:
            return _DRAFTS_NOTICE
        rows = _forward_rows(status, Role.HANDLER)
        return _MOVES[rows[0].action] if rows else _MOVES[Action.HANDLER_APPROVE]
    # The leader's step after the handler's first review is at the status that review leads to.
    after = next(
        (row.target for row in _forward_rows(status, Role.HANDLER) if row.signature is Signature.ABSENT), None
    )
    rows = _forward_rows(after or status, Role.LEADER)
    if not rows or rows[0].signature is Signature.PRESENT:
        return _SIGNS
    return _MOVES[rows[0].action]


def words_of(shortage: Shortage, status: Status) -> Words:
    """The shortage in each reader's words, naming the step that lacks its person (`step_of`)."""
    if shortage is Shortage.NO_HANDLER:
        step = step_of(status, Role.HANDLER)
        return Words(
            T_("本人申报，本单位没有其他经办人可%(step)s：请单位管理员在本单位人员页增设经办人", step=step),
            T_("本单位没有申报人以外的经办人，无法%(step)s：请单位管理员在本单位人员页增设经办人", step=step),
            T_(
                "本单位没有可为您%(step)s的其他经办人（本人的申报不能由本人办理），申报无法继续："
                "请联系单位管理员在本单位人员页增设经办人",
                step=step,
            ),
        )
    if shortage is Shortage.NO_LEADER:
        step = step_of(status, Role.LEADER)
        return Words(
            T_(
                "本人申报，本单位没有其他领导可%(step)s：请单位管理员在本单位人员页增设领导，"
                "或由在岗的领导在该页指定代理人",
                step=step,
            ),
            T_(
                "本单位没有申报人以外的领导（或领导的代理人），无法%(step)s：请单位管理员在本单位人员页增设领导，"
                "或由在岗的领导在该页指定代理人",
                step=step,
            ),
            T_(
                "本单位没有可为您%(step)s的其他领导（本人的申报不能由本人办理），申报无法继续："
                "请联系单位管理员在本单位人员页增设领导，或由在岗的领导在该页指定代理人",
                step=step,
            ),
        )
    if shortage is Shortage.NO_LEADER_IN_POST:
        step = step_of(status, Role.LEADER)
        return Words(
            T_("本人申报，本单位没有在岗的领导可%(step)s：请单位管理员在本单位人员页增设领导", step=step),
            T_("本单位没有在岗的领导，无法%(step)s：请单位管理员在本单位人员页增设领导", step=step),
            T_(
                "本单位没有在岗的领导可为您%(step)s，申报无法继续：请联系单位管理员在本单位人员页增设领导",
                step=step,
            ),
        )
    return WORDS[shortage]


# The two shortages that are always about a first review and its signature: their words never change.
WORDS: dict[Shortage, Words] = {
    Shortage.ONE_PERSON: Words(
        N_(
            "本人申报，本单位除您以外只有一人可办理初审和签批，初审后将没有未办理初审的领导可签批："
            "请单位管理员在本单位人员页增设经办人或领导"
        ),
        N_(
            "本单位申报人以外只有一人可办理初审和签批，初审后将没有未办理初审的领导可签批"
            "（初审与签批不能由同一人办理）：请单位管理员在本单位人员页增设经办人或领导"
        ),
        N_(
            "本单位除您以外只有一人可办理初审和签批，初审后将没有未办理初审的领导可签批"
            "（初审与签批不能由同一人办理），申报无法继续：请联系单位管理员在本单位人员页增设经办人或领导"
        ),
    ),
    Shortage.SIGNER_REVIEWED: Words(
        N_(
            "本人申报，本单位唯一可签批的领导已办理本申报的初审（初审与签批不能由同一人办理）："
            "请单位管理员在本单位人员页增设领导，或由该领导在该页指定代理人"
        ),
        N_(
            "本单位申报人以外唯一可签批的领导已办理本申报的初审，初审与签批不能由同一人办理："
            "请单位管理员在本单位人员页增设领导，或由该领导在该页指定代理人"
        ),
        N_(
            "本单位唯一可为您签批的领导已办理您申报的初审（初审与签批不能由同一人办理），申报无法继续："
            "请联系单位管理员在本单位人员页增设领导，或由该领导在该页指定代理人"
        ),
    ),
}


@dataclass(frozen=True)
class Staff:
    """Who may act today in each of an organisation's two roles: its active holders and their stand-ins."""

    handlers: set[int] = field(default_factory=set)
    leaders: set[int] = field(default_factory=set)


# The statuses whose handler's step is a first review that a leader then signs (never the same person).
_FIRST_REVIEWS = frozenset(row.source for row in TRANSITIONS if row.signature is Signature.ABSENT)


# The statuses where the handler's move onward is the leader's too (录入证书编号): either may take it.
_EITHER = frozenset(
    row.source
    for row in TRANSITIONS
    if row.role is Role.HANDLER
    and row.action not in SIDE_EXITS
    and any(
        other.role is Role.LEADER and (other.source, other.action) == (row.source, row.action)
        for other in TRANSITIONS
    )
)


def waits_on_staff(application: Application) -> bool:
    """The case waits on the handler or leader of the organisation holding it (any level)."""
    return (
        application.awaiting in (Role.HANDLER.value, Role.LEADER.value)
        and application.current_org_id is not None
        and not application.state.is_final
    )


def at_unit_step(application: Application) -> bool:
    """The case waits on its own unit's handler or leader (the step whose staff its applicant may be)."""
    return waits_on_staff(application) and application.current_org_id == application.enterprise_id


def staff_today(session: Session, org_ids: Iterable[int], now: datetime) -> dict[int, Staff]:
    """Per organisation, who may act as its handler and as its leader today: active handlers and leaders
    and whoever stands in for one (one statement for all of them)."""
    wanted = sorted(set(org_ids))
    found: dict[int, Staff] = {org_id: Staff() for org_id in wanted}
    if not wanted:
        return found
    day = today(now)
    rows = session.execute(
        select(Membership.org_id, Membership.role, Membership.user_id, StandIn.substitute_id)
        .outerjoin(
            StandIn,
            and_(
                StandIn.membership_id == Membership.id,
                StandIn.revoked_at.is_(None),
                StandIn.starts_on <= day,
                StandIn.ends_on >= day,
            ),
        )
        .where(
            Membership.org_id.in_(wanted),
            Membership.role.in_((StaffRole.HANDLER.value, StaffRole.LEADER.value)),
            Membership.ended_at.is_(None),
        )
    )
    for org_id, role, user_id, substitute_id in rows:
        staff = found[org_id]
        people = staff.handlers if role == StaffRole.HANDLER.value else staff.leaders
        people.add(user_id)
        if substitute_id is not None:
            people.add(substitute_id)
    return found


def shortage_of(
    staff: Staff, applicant_id: int, status: Status, awaiting: Role, first_reviewer_id: int | None = None
) -> Shortage | None:
    """What the unit lacks for this case's step (module docstring), or None when it can be completed.
    `first_reviewer_id` is who did the first review the leader is to sign (None when there is none)."""
    leaders = staff.leaders - {applicant_id}
    # Nobody but the applicant may sign: she holds the role (and may name a stand-in), or nobody does.
    no_leader = Shortage.NO_LEADER if staff.leaders else Shortage.NO_LEADER_IN_POST
    if awaiting is Role.LEADER:
        if not leaders:
            return no_leader
        if all(leader == first_reviewer_id for leader in leaders):
            return Shortage.SIGNER_REVIEWED
        return None
    handlers = staff.handlers - {applicant_id}
    if status in _EITHER:
        return None if handlers | leaders else Shortage.NO_HANDLER
    if not handlers:
        return Shortage.NO_HANDLER
    if not leaders:
        return no_leader
    if status in _FIRST_REVIEWS and not any(leaders - {handler} for handler in handlers):
        return Shortage.ONE_PERSON  # the only one who could review it is the only one who could sign it
    return None


@dataclass(frozen=True)
class _Held:
    """What the decision reads of one case (from an Application, or from a page's columns)."""

    id: int
    applicant_id: int
    status: Status
    awaiting: Role
    org_id: int
    first_reviewer_id: int | None


def _decide(session: Session, cases: list[_Held], now: datetime) -> dict[int, Shortage]:
    """By case id, what its holding organisation lacks; one statement for all of them (none for none)."""
    if not cases:
        return {}
    staff = staff_today(session, (c.org_id for c in cases), now)
    found: dict[int, Shortage] = {}
    for c in cases:
        shortage = shortage_of(staff[c.org_id], c.applicant_id, c.status, c.awaiting, c.first_reviewer_id)
        if shortage is not None:
            found[c.id] = shortage
    return found


def shortages(session: Session, applications: Iterable[Application], now: datetime) -> dict[int, Shortage]:
    """By application id, what the holding organisation lacks for those of these applications whose step
    its staff cannot complete (without their applicant, at her own unit): at any level, `at_unit_step`
    telling the unit's from the others. One statement for all of them, none when none waits on staff."""
    return _decide(
        session,
        [
            _Held(a.id, a.applicant_id, a.state, Role(a.awaiting), a.current_org_id, a.handler_signed_by_id)
            for a in applications
            if waits_on_staff(a)
        ],
        now,
    )


def reviewer_words(session: Session, application: Application, now: datetime) -> str:
    """What a reviewer's case page says where its unit step cannot be completed, else ""."""
    if not at_unit_step(application):
        return ""
    shortage = shortages(session, [application], now).get(application.id)
    return words_of(shortage, application.state).reviewer if shortage else ""


def applicant_words(session: Session, application: Application, now: datetime) -> str:
    """What the applicant's progress and summary say where the organisation holding her case cannot
    complete its step, else "": her unit's words, or, past it, which organisation holds it with nobody to
    move it, and that she has nothing to do but wait or ask it."""
    shortage = shortages(session, [application], now).get(application.id)
    if shortage is None:
        return ""
    if at_unit_step(application):
        return words_of(shortage, application.state).applicant
    org = application.current_org.name
    if shortage is Shortage.NO_HANDLER:
        return T_(
            "您的申报现由%(org)s办理，该单位目前没有可为您的申报%(step)s的经办人（含今日代理人），申报暂时"
            "无法继续：您无需操作，请等待该单位安排人员，或向该单位咨询",
            org=org,
            step=step_of(application.state, Role.HANDLER),
        )
    return T_(
        "您的申报现由%(org)s办理，该单位目前没有可为您的申报%(step)s的领导（含今日代理人），申报暂时"
        "无法继续：您无需操作，请等待该单位安排人员，或向该单位咨询",
        org=org,
        step=step_of(application.state, Role.LEADER),
    )


def _staff_page_words(shortage: Shortage, count: int) -> Text:
    """One line of the staff page: what the organisation lacks, how many of its cases wait on it, and what
    to do (a stand-in only where someone holds the role to name one)."""
    if shortage is Shortage.NO_HANDLER:
        return NT_(
            "本单位没有可办理的经办人（含今日代理人；申报人不能办理本人的申报），%(num)d件申报等待经办人"
            "办理：请增设经办人",
            "本单位没有可办理的经办人（含今日代理人；申报人不能办理本人的申报），%(num)d件申报等待经办人"
            "办理：请增设经办人",
            count,
        )
    if shortage is Shortage.NO_LEADER_IN_POST:
        return NT_(
            "本单位没有在岗的领导，%(num)d件申报等待领导办理：请增设领导（代理人须由在岗的领导指定）",
            "本单位没有在岗的领导，%(num)d件申报等待领导办理：请增设领导（代理人须由在岗的领导指定）",
            count,
        )
    if shortage is Shortage.NO_LEADER:
        return NT_(
            "本单位没有可办理的领导（含今日代理人；申报人不能办理本人的申报），%(num)d件申报等待领导办理："
            "请增设领导，或由在岗的领导指定代理人",
            "本单位没有可办理的领导（含今日代理人；申报人不能办理本人的申报），%(num)d件申报等待领导办理："
            "请增设领导，或由在岗的领导指定代理人",
            count,
        )
    if shortage is Shortage.ONE_PERSON:
        return NT_(
            "%(num)d件申报等待初审和签批，本单位申报人以外只有一人可办理，初审与签批不能由同一人办理："
            "请增设经办人或领导",
            "%(num)d件申报等待初审和签批，本单位申报人以外只有一人可办理，初审与签批不能由同一人办理："
            "请增设经办人或领导",
            count,
        )
    return NT_(
        "%(num)d件申报等待领导签批，本单位唯一可签批的领导已办理其初审，初审与签批不能由同一人办理："
        "请增设领导，或由该领导指定代理人",
        "%(num)d件申报等待领导签批，本单位唯一可签批的领导已办理其初审，初审与签批不能由同一人办理："
        "请增设领导，或由该领导指定代理人",
        count,
    )


def held_without_staff(session: Session, org_id: int, now: datetime) -> list[Text]:
    """What the organisation's staff page says of the cases it holds that its staff cannot complete: per
    thing lacking, how many wait on it and what to do (none when every case can move). Two statements: its
    cases waiting on staff, and its staff today."""
    rows = session.execute(
        select(
            Application.id,
            Application.applicant_id,
            Application.status,
            Application.awaiting,
            Application.handler_signed_by_id,
        ).where(
            Application.current_org_id == org_id,
            Application.awaiting.in_((Role.HANDLER.value, Role.LEADER.value)),
            Application.status.not_in(sorted(s.value for s in FINAL_STATUSES)),
        )
    )
    cases = [
        _Held(id_, applicant_id, Status(status), Role(awaiting), org_id, first)
        for id_, applicant_id, status, awaiting, first in rows
    ]
    counted = Counter(_decide(session, cases, now).values())
    return [_staff_page_words(shortage, counted[shortage]) for shortage in Shortage if counted[shortage]]
