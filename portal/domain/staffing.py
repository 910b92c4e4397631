"""Who may manage whom: the staff rulebook (issue 16), as pure guards.

Every organisation (bureau, department, enterprise) may have admins (管理员) besides its handlers and
leaders. The rules, each a named guard below with its Chinese message and, where a notice has one, its
clause:

- only an admin of the organisation, or of an organisation above it, opens staff accounts and ends roles
  (``only_admins_manage``);
- nobody grants a role equal to or above their own: an admin gives handlers and leaders in their own
  organisation, and any role, admins included, only in the organisations below it
  (``no_grant_at_or_above_own``);
- nobody ends their own membership, nor a leader's or an admin's, without a second person: the end is a
  request that another admin confirms (``needs_second_person``, ``second_person_confirms``);
- an organisation's last admin cannot be removed: appoint the next one first (``keeps_an_admin``);
- one person holds one role per organisation (``one_role_per_organisation``; the database index too);
- a forgotten password is reset only by an admin who manages everything the account holds: never one's
  own, never a role at or above one's own in one's own organisation, and never an account that also holds
  a role, a seat in an expert pool (a deactivated one too) or an applicant's account outside the admin's
  organisations — a reset takes the whole account over (``resets_password``; a self-registration no unit
  attached yet never stands in the way);
- a staff account cannot act on a case that the person who opened the account, or gave its role, has
  handled — as its applicant, by starting it, or by any review step (``cooling_off``): an account
  invented by a reviewer or an applicant never becomes the second pair of eyes on their own case.

A guard returns None when the rule allows, else a :class:`Refusal`; the services raise it and the pages
offer only what no guard refuses, so the screens and the rules cannot disagree.
Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from portal.domain import glossary
from portal.domain.i18n import N_, T_, Clause

# ACC-01/ACC-02 (Ganzhou's 000 四(一), 001 四(二)): real-name 领导审查 and 经办人审查 accounts, never the
# same person, updated when people change; applicants never review their own materials. The rules hold
# everywhere; the clause a refusal cites is the bureau's profile's `[staff_accounts]` (services.staff
# .accounts_clause), none where its notice does not state them: each function takes it as ``clause``.


class StaffRole(StrEnum):
    """A role held in one organisation (a membership). Ranked: handler < leader < admin."""

    HANDLER = "handler"
    LEADER = "leader"
    ADMIN = "admin"

    @property
    def title(self) -> str:
        return glossary.TERMS[self.value]

    @property
    def rank(self) -> int:
        return RANK[self]


RANK: dict[StaffRole, int] = {StaffRole.HANDLER: 1, StaffRole.LEADER: 2, StaffRole.ADMIN: 3}


@dataclass(frozen=True)
class Refusal:
    """Why a rule said no: a short code, the Chinese message, and the clause behind it (if any)."""

    code: str
    message: str
    clause: str = ""

    @property
    def text(self) -> str:
        # A message with its clause, numbered as the reader's language cites clauses (a Clause).
        return (
            T_("%(message)s（%(clause)s）", message=self.message, clause=Clause(self.clause))
            if self.clause
            else self.message
        )


@dataclass(frozen=True)
class Manager:
    """Who asks: a person acting in one role of one organisation (role None: no staff role)."""

    user_id: int
    role: StaffRole | None
    org_id: int | None


@dataclass(frozen=True)
class Place:
    """The organisation a change is about, with the ids of the organisations above it."""

    org_id: int
    ancestors: tuple[int, ...] = ()

    @property
    def chain(self) -> tuple[int, ...]:
        return (self.org_id, *self.ancestors)


@dataclass(frozen=True)
class Held:
    """A role someone holds: the membership a change would end."""

    user_id: int
    role: StaffRole
    org_id: int


def only_admins_manage(manager: Manager, place: Place, clause: str = "") -> Refusal | None:
    """An admin of the organisation or of one above it; nobody else opens accounts or ends roles."""
    if manager.role is StaffRole.ADMIN and manager.org_id in place.chain:
        return None
    return Refusal(
        "not_staff_admin",
        N_("只有本单位或上级单位的管理员可以开设人员账号、授予或撤销岗位"),
        clause,
    )


def grantable_roles(manager: Manager, place: Place) -> list[StaffRole]:
    """The roles this manager may give in this organisation (empty when they may not manage it)."""
    if only_admins_manage(manager, place) is not None:
        return []
    return [role for role in StaffRole if no_grant_at_or_above_own(manager, role, place) is None]


def no_grant_at_or_above_own(manager: Manager, role: StaffRole, place: Place) -> Refusal | None:
    """In their own organisation an admin gives only roles below their own; below it, any role."""
    if manager.role is None or (manager.org_id == place.org_id and role.rank >= manager.role.rank):
        return Refusal(
            "grant_at_or_above_own",
            T_(
                "不能授予与本人同级或更高的岗位（%(role)s）：本单位的管理员由上级单位的管理员开设",
                role=role.title,
            ),
        )
    return None


def needs_second_person(manager: Manager, held: Held) -> Refusal | None:
    """Ending one's own role, or a leader's or an admin's, waits for a second admin's confirmation."""
    if held.user_id == manager.user_id:
        return Refusal("own_membership", N_("撤销本人的岗位须由另一名管理员确认"))
    if held.role in (StaffRole.LEADER, StaffRole.ADMIN):
        return Refusal("second_person", T_("撤销%(role)s岗位须由另一名管理员确认", role=held.role.title))
    return None


def second_person_confirms(requested_by: int, confirmer: int) -> Refusal | None:
    """The admin who asked for a change never confirms it."""
    if requested_by == confirmer:
        return Refusal("same_person", N_("须由另一名管理员确认：提出撤销的人不能自己确认"))
    return None


def keeps_an_admin(held: Held, active_admins: int) -> Refusal | None:
    """An organisation's last admin stays until another is appointed."""
    if held.role is StaffRole.ADMIN and active_admins <= 1:
        return Refusal("last_admin", N_("这是本单位最后一名管理员，不能撤销：请先为本单位增设另一名管理员"))
    return None


def one_role_per_organisation(held_here: StaffRole | None, clause: str = "") -> Refusal | None:
    """One person, one role in an organisation: never both handler and leader there."""
    if held_here is not None:
        return Refusal(
            "one_role",
            T_(
                "此人在本单位已有岗位（%(role)s），同一人在同一单位只能担任一个岗位"
                "（经办人与领导不能兼任）；如需调整，请先撤销原岗位",
                role=held_here.title,
            ),
            clause,
        )
    return None


def cooling_off(opened_by: Iterable[int], handled_by: Iterable[int], clause: str = "") -> Refusal | None:
    """A staff account whose account or role was opened by someone who handled this case (its applicant,
    whoever started it, any reviewer of it) cannot act on it: no one makes their own second reviewer."""
    if set(opened_by) & set(handled_by):
        return Refusal(
            "cooling_off",
            N_("您的账号或岗位由本申报的申报人或办理过本申报的人员开设，不能办理本申报"),
            clause,
        )
    return None


class HoldingKind(StrEnum):
    """What an account holds at an organisation, which a reset of its password takes over with it."""

    ROLE = "role"  # a staff role (a membership)
    EXPERT = "expert"  # a seat in a committee's expert pool, held by the committee's office
    # A seat the office deactivated (removed from the pool, or the seat ended): the account still reaches
    # the panels it was drawn for (their agenda, its acknowledgements, a vote still open), so the office
    # still holds it.
    FORMER_EXPERT = "former_expert"
    APPLICANT = "applicant"  # an applicant's account, held by its enterprise
    # A self-registration no unit attached yet (ACC-04), "held" by the bureau it registered with. It never
    # stands in a reset's way: see `resets_password`.
    REGISTRATION = "registration"


@dataclass(frozen=True)
class Holding:
    """One thing an account holds, where (the organisation that holds it) and, for a role, which."""

    kind: HoldingKind
    place: Place
    role: StaffRole | None = None


# Why an account holding something outside the admin's organisations is not theirs to reset, per kind.
HELD_ELSEWHERE = {
    HoldingKind.ROLE: N_(
        "此人在您管理范围以外的单位另有岗位；重置密码会接管此人的整个账号，"
        "须由能管理其全部岗位的上级单位管理员办理"
    ),
    HoldingKind.EXPERT: N_(
        "此人还是您管理范围以外的评委会的评审专家；重置密码会接管此人的整个账号，"
        "须由能管理其全部岗位的上级单位管理员办理"
    ),
    HoldingKind.FORMER_EXPERT: N_(
        "此人曾是您管理范围以外的评委会的评审专家，其账号仍可查看所参加的评审会议；重置密码会接管此人的"
        "整个账号，须由能管理其全部岗位的上级单位管理员办理"
    ),
    HoldingKind.APPLICANT: N_(
        "此人还是您管理范围以外的用人单位的申报人；重置密码会接管此人的整个账号，"
        "须由能管理其全部岗位的上级单位管理员办理"
    ),
}

# Holdings a reset may take over wherever they are. A self-registration no unit attached gives its holder
# nothing to take: the account cannot apply or see a case until a unit attaches it (web.guards), nobody
# vouched for what it says (the registration proves no identity), and the unit that attaches it gives it
# a new first password, its login mobile and ends its sessions (`accounts.attach_registered`), so a
# password an admin set is gone by then. Refusing on it would only leave a staff member who once
# registered themselves locked out, with no admin entitled to help.
TAKEN_OVER_ANYWHERE = frozenset({HoldingKind.REGISTRATION})


def resets_password(
    manager: Manager, user_id: int, holdings: Iterable[Holding], clause: str = ""
) -> Refusal | None:
    """An admin gives a new first password (a forgotten one) only to an account whose every holding they
    manage: never their own (it is changed knowing the current one), never one holding a role at or above
    their own in their own organisation (an admin's password is reset from above), never one holding
    anything in an organisation they do not manage (a reset takes over every role of the account) — an
    expert seat the office has since deactivated included (the account still reaches its panels) — except
    a self-registration no unit attached yet (``TAKEN_OVER_ANYWHERE``: nothing to take over)."""
    if user_id == manager.user_id:
        return Refusal("own_account", N_("不能重置本人的密码，请在“修改密码”页修改"))
    held = [holding for holding in holdings if holding.kind not in TAKEN_OVER_ANYWHERE]
    for holding in held:
        if only_admins_manage(manager, holding.place) is not None:
            return Refusal("held_elsewhere", HELD_ELSEWHERE[holding.kind], clause)
    for holding in held:
        role = holding.role
        if (
            role is not None
            and manager.role is not None
            and manager.org_id == holding.place.org_id
            and role.rank >= manager.role.rank
        ):
            return Refusal(
                "reset_at_or_above_own",
                T_(
                    "不能重置与本人同级或更高岗位（%(role)s）人员的密码：须由上级单位的管理员办理",
                    role=role.title,
                ),
                clause,
            )
    return None


def first(*refusals: Refusal | None) -> Refusal | None:
    """The first rule that said no, in the order given."""
    return next((r for r in refusals if r is not None), None)
