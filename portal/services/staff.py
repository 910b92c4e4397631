"""Staff management by the rulebook (portal.domain.staffing): who sees an organisation's staff, who opens
accounts and gives roles, who ends them and when a second admin must confirm, and the cooling rule that
keeps an account away from the cases of the person who opened it.

Guarantees:
- only an admin of the organisation or of one above it opens accounts and ends roles; an admin never
  gives a role equal to or above their own; one person holds one role per organisation;
- ending one's own membership, or a leader's or an admin's, is a pending request (StaffChange) that
  another admin confirms or anyone entitled cancels; an organisation keeps at least one admin;
- identity is checked as for applicants (name as on the document, the document — a resident ID card, a
  Hong Kong, Macao or Taiwan resident's permit, a foreigner's permanent residence card; not a passport —
  and its canonical number, mobile, the integrity record); a number that already holds an account gets
  the role on that account, so one person holds at most one staff account in each organisation;
- every change is audited on the organisation (object_type "organisation"), listed on its staff page
  and sent to its leaders' inboxes; requests go to the admins who may confirm them;
- a staff member's or an expert's forgotten password is reset only by an admin who manages everything
  the account holds (roles, expert seats — deactivated ones too —, an applicant's account; never their
  own, never a role at or above their own; a self-registration no unit attached is no obstacle), by the
  same mechanics as HR's reset of an applicant's (`organisations.reset_password`); each refusal is
  audited on the account before it is raised.
Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import staffing
from portal.domain.accounts import RegistrationDraft, check_identity
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, NC_, T_
from portal.domain.identity import DocumentType, mask_id_number
from portal.domain.staffing import Holding, HoldingKind, Refusal, StaffRole
from portal.models import (
    Application,
    AuditEvent,
    Committee,
    Expert,
    Membership,
    Organisation,
    ReviewStep,
    StaffChange,
    StaffChangeStatus,
    User,
)
from portal.services import audit, certificates, session_memo
from portal.services.actors import Actor
from portal.services.notifications import notify
from portal.services.organisations import NewAccount, PersonInput, open_account, refuse_reset, reset_password
from portal.services.policies import effective_profile

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECENT_CHANGES = 20

# The audit actions of staff changes and how the staff page words them.
CHANGE_TITLES = {
    "add_staff": N_("开设账号并授予岗位"),
    "grant_role": N_("为现有账号授予岗位"),
    "end_membership": N_("撤销岗位"),
    "request_end_membership": N_("提出撤销岗位（待另一名管理员确认）"),
    "cancel_end_membership": N_("取消撤销岗位的请求"),
    # A reset is audited on the account (`reset_password`, organisations.reset_password); these rows on the
    # organisation put it in the staff page's list and the leaders' inboxes like any other staff change.
    "reset_staff_password": N_("重置登录密码"),
    "reset_expert_password": N_("重置评审专家的登录密码"),
}


def _refuse(refusal: Refusal | None) -> None:
    """Not an admin here: 403 (PermissionDenied). Any other rule: a refusal the page explains."""
    if refusal is None:
        return
    if refusal.code == "not_staff_admin":
        raise PermissionDenied(refusal.text)
    raise DomainError(refusal.text, code=refusal.code)


def _require_admin_over(session: Session, actor: Actor, org: Organisation) -> None:
    """PermissionDenied (403) unless the actor is an admin of the organisation or of one above it."""
    _refuse(staffing.only_admins_manage(manager_of(actor), place_of(org), accounts_clause(session, org)))


def manager_of(actor: Actor) -> staffing.Manager:
    """The actor as the staff rulebook sees a manager: who, in which role, in which organisation."""
    return staffing.Manager(actor.user_id, actor.staff_role, actor.org_id)


def place_of(org: Organisation) -> staffing.Place:
    """The organisation as the staff rulebook sees it: itself and the organisations above it."""
    ancestors: list[int] = []
    parent = org.parent
    while parent is not None:
        ancestors.append(parent.id)
        parent = parent.parent
    return staffing.Place(org.id, tuple(ancestors))


def held_of(membership: Membership) -> staffing.Held:
    """A role as the staff rulebook sees it: whose, which, where."""
    return staffing.Held(membership.user_id, StaffRole(membership.role), membership.org_id)


def accounts_clause(session: Session, org: Organisation | None) -> str:
    """The clause of the profile of ``org``'s bureau stating ACC-01/ACC-02 (Ganzhou's 000 四(一),
    001 四(二)), "" where its notice states none: the staff refusals cite no other city's notice."""
    profile = effective_profile(session, org)
    rule = profile.staff_accounts if profile is not None else None
    return rule.citation if rule is not None else ""


def may_manage(actor: Actor, org: Organisation) -> bool:
    """The rule the pages read: the actor may open accounts and end roles in this organisation."""
    return staffing.only_admins_manage(manager_of(actor), place_of(org)) is None


def _may_view(actor: Actor, org: Organisation) -> bool:
    """Its own handlers and leaders see an organisation's staff (stand-ins, changes); admins see theirs and
    those below."""
    return may_manage(actor, org) or (actor.is_staff and actor.org_id == org.id)


def may_view_staff(actor: Actor, org: Organisation) -> bool:
    """Whether the actor may open the organisation's staff page (pages link to it only then: the bureau's
    handler followed 评委会's "…办事机构的人员" to a 404)."""
    return _may_view(actor, org)


def viewable_org(session: Session, actor: Actor, org_id: int) -> Organisation:
    """The organisation if the actor may see its staff; NotFound (404) otherwise, like a missing one."""
    org = session.get(Organisation, org_id)
    if org is None or not _may_view(actor, org):
        raise NotFound(N_("找不到该单位，或您无权查看"))
    return org


def active_staff(session: Session, org_id: int) -> list[Membership]:
    """The organisation's roles that have not ended."""
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.org_id == org_id, Membership.ended_at.is_(None))
            .order_by(Membership.id)
        )
    )


def staff_of(session: Session, org_id: int, *, include_ended: bool = False) -> list[Membership]:
    """The organisation's roles, active first; ended ones only with `include_ended`."""
    stmt = (
        select(Membership)
        .where(Membership.org_id == org_id)
        .order_by(Membership.ended_at.is_not(None), Membership.id)
    )
    if not include_ended:
        stmt = stmt.where(Membership.ended_at.is_(None))
    return list(session.scalars(stmt))


def _active_admins(session: Session, org_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.org_id == org_id,
                Membership.role == StaffRole.ADMIN.value,
                Membership.ended_at.is_(None),
            )
        )
        or 0
    )


# ---------------------------------------------------------------------------------------------------
# Identity: checked as for applicants
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedPerson:
    name: str
    id_number: str
    phone: str
    existing: User | None  # the account this ID number already holds: it gets the role
    document_type: str = DocumentType.RESIDENT_ID.value  # what `id_number` is the number of


# A staff account is opened with a document that says who the person is on its own: a passport holder's
# permit (SCOPE-03) is asked and checked only by HR's applicant form.
NO_PASSPORT = N_("人员账号不能以护照开设，请选择其他证件类型")
# The mobile typed is another account's login (one person, one account): whose is not said (anyone could be
# probed by mobile), but it may be this person's own, opened under another document or its number mistyped.
PHONE_OF_ANOTHER_ACCOUNT = N_(
    "该手机号已登记在一个账号上，该账号的证件号码与所填的不同。一人只有一个账号：如该账号是此人的，"
    "请选择该账号登记的证件类型并填写其证件号码；否则请填写此人的其他手机号"
)


def check_person(session: Session, org_id: int, person: PersonInput, now: datetime) -> CheckedPerson:
    """Name as on the document, the document's canonical number (any document but a passport, checked as
    HR's applicant form checks it: `accounts.check_identity`) and a mainland mobile, each refused with its
    own message; a number already holding an account (of that document) must match its name and phone,
    must not hold a role in this organisation already, and must not be on the integrity record."""
    today = now.astimezone(SHANGHAI).date()
    typed = RegistrationDraft(person.name, person.document_type, person.id_number, person.phone)
    checked = check_identity(typed, today=today, passport=NO_PASSPORT)
    errors: dict[str, str] = dict(checked.problems)
    name, id_number, phone = (checked.values.get(key, "") for key in ("name", "id_number", "phone"))
    kind = checked.values.get("document_type", DocumentType.RESIDENT_ID.value)
    existing = session.scalars(select(User).where(User.id_number == id_number)).first() if id_number else None
    if existing is not None:
        masked = mask_id_number(existing.id_number)
        held = session.scalar(
            select(Membership.role).where(
                Membership.user_id == existing.id, Membership.org_id == org_id, Membership.ended_at.is_(None)
            )
        )
        listed = certificates.listed_holders(session, [existing.id], today)
        clause = accounts_clause(session, session.get(Organisation, org_id))
        if existing.document_type != kind:  # one number, one person: the account says which document
            errors["document_type"] = T_(
                "证件号码%(masked)s的账号以“%(document)s”登记，请选择该证件类型",
                masked=masked,
                document=DocumentType(existing.document_type).title,
            )
        elif refusal := staffing.one_role_per_organisation(StaffRole(held) if held else None, clause):
            errors["id_number"] = T_("证件号码%(masked)s：%(why)s", masked=masked, why=refusal.text)
        elif existing.id in listed:
            errors["id_number"] = T_(
                "%(notice)s，在此之前不能为其开设账号或授予岗位。",
                notice=certificates.integrity_notice(
                    listed[existing.id], T_("证件号码%(number)s的持有人", number=masked)
                ),
            )
        elif name and name != existing.name:
            errors["name"] = T_("与证件号码%(masked)s已登记的姓名不一致，请与本人证件核对", masked=masked)
        elif phone and phone != existing.phone:
            errors["phone"] = T_(
                "证件号码%(masked)s已有账号，请填写该账号登记的手机号（一人只有一个账号）", masked=masked
            )
    if phone and "phone" not in errors:
        owner = session.scalar(select(User.id).where(User.phone == phone))
        if owner is not None and (existing is None or owner != existing.id):
            errors["phone"] = PHONE_OF_ANOTHER_ACCOUNT
    if errors:
        raise ValidationFailed(errors)
    return CheckedPerson(name, id_number, phone, existing, kind)


# ---------------------------------------------------------------------------------------------------
# Opening accounts and giving roles
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    """What add_staff did: a new account (its first password shown once) or a role on an existing one,
    and what became of the membership it replaces (ended, or a request waiting for a second admin)."""

    user: User
    membership: Membership
    account: NewAccount | None
    replaced: Ended | None = None


def add_staff(
    session: Session,
    actor: Actor,
    org_id: int,
    person: PersonInput,
    role: str,
    now: datetime,
    *,
    replace_membership_id: int | None = None,
) -> Added:
    """A real-name staff account with one role in the organisation (or the role on the account the ID number
    already holds); optionally ending (or asking to end) the membership it replaces. Raises NotFound,
    PermissionDenied (not an admin here), DomainError (a role at or above one's own) or ValidationFailed."""
    org = viewable_org(session, actor, org_id)
    manager, place = manager_of(actor), place_of(org)
    _refuse(staffing.only_admins_manage(manager, place, accounts_clause(session, org)))
    try:
        wanted = StaffRole(role)
    except ValueError:
        raise ValidationFailed({"role": N_("请选择岗位")}) from None
    if refusal := staffing.no_grant_at_or_above_own(manager, wanted, place):
        raise ValidationFailed({"role": refusal.text})
    replaced: Membership | None = None
    if replace_membership_id is not None:
        replaced = session.get(Membership, replace_membership_id)
        if replaced is None or replaced.org_id != org.id or replaced.ended_at is not None:
            raise ValidationFailed({"replaces": N_("请选择本单位在岗的人员")})
    checked = check_person(session, org.id, person, now)
    account: NewAccount | None = None
    if checked.existing is None:
        identity = {"document_type": checked.document_type}
        account = open_account(
            session, actor, checked.name, checked.id_number, checked.phone, now, identity=identity
        )
        user = account.user
    else:
        user = checked.existing
    membership = Membership(
        user_id=user.id, org_id=org.id, role=wanted.value, started_at=now, created_by_id=actor.user_id or None
    )
    try:
        with session.begin_nested():  # two admins adding the same person at once: the index decides
            session.add(membership)
    except IntegrityError:
        refusal = staffing.one_role_per_organisation(wanted, accounts_clause(session, org))
        assert refusal is not None
        raise ValidationFailed({"id_number": refusal.text}) from None
    _forget_cooling(session)
    _record(session, actor, org, "add_staff" if account else "grant_role", now, membership)
    ended = end_membership(session, actor, replaced.id, now) if replaced is not None else None
    return Added(user, membership, account, ended)


# ---------------------------------------------------------------------------------------------------
# Ending roles, with a second person where the rule asks for one
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ended:
    """A membership ended now, or a request (`change`) that waits for another admin's confirmation."""

    membership: Membership
    change: StaffChange | None = None

    @property
    def pending(self) -> bool:
        return self.change is not None


def _membership_to_manage(
    session: Session, actor: Actor, membership_id: int
) -> tuple[Membership, Organisation]:
    membership = session.get(Membership, membership_id)
    if membership is None or membership.ended_at is not None:
        raise NotFound(N_("找不到该岗位"))
    org = viewable_org(session, actor, membership.org_id)
    _require_admin_over(session, actor, org)
    return membership, org


def org_of_membership(session: Session, membership_id: int) -> int | None:
    """Where to send the admin back after a refusal (only called once they could see it)."""
    membership = session.get(Membership, membership_id)
    return membership.org_id if membership else None


def org_of_change(session: Session, change_id: int) -> int | None:
    """Where to send the admin back after a refusal of a request (only called once they could see it)."""
    change = session.get(StaffChange, change_id)
    return change.org_id if change else None


def _pending_change(session: Session, membership_id: int) -> StaffChange | None:
    return session.scalars(
        select(StaffChange).where(
            StaffChange.membership_id == membership_id,
            StaffChange.status == StaffChangeStatus.PENDING.value,
        )
    ).first()


def end_membership(session: Session, actor: Actor, membership_id: int, now: datetime) -> Ended:
    """An admin ends a handler's role at once; their own role, a leader's or an admin's becomes a request
    that another admin confirms. The last admin of an organisation is never removed."""
    membership, org = _membership_to_manage(session, actor, membership_id)
    held = held_of(membership)
    _refuse(staffing.keeps_an_admin(held, _active_admins(session, org.id)))
    if staffing.needs_second_person(manager_of(actor), held) is None:
        _end(session, actor, org, membership, now)
        return Ended(membership)
    if _pending_change(session, membership.id) is not None:
        raise DomainError(N_("已有待确认的撤销请求，请等待另一名管理员确认"), code="already_requested")
    change = StaffChange(
        org_id=org.id,
        membership_id=membership.id,
        status=StaffChangeStatus.PENDING.value,
        requested_by_id=actor.user_id,
        requested_at=now,
    )
    try:
        with session.begin_nested():
            session.add(change)
    except IntegrityError:
        raise DomainError(
            N_("已有待确认的撤销请求，请等待另一名管理员确认"), code="already_requested"
        ) from None
    _record(session, actor, org, "request_end_membership", now, membership, change_id=change.id)
    confirmers = [uid for uid in _admins_over(session, org) if uid != actor.user_id]
    notify(
        session,
        confirmers,
        "staff_change",
        T_(
            "待您确认：%(actor)s提出撤销%(person)s在%(org)s的%(role)s岗位",
            actor=actor.name,
            person=membership.user.name,
            org=org.name,
            role=held.role.title,
        ),
        f"/admin/orgs/{org.id}#staff-changes",
        now,
    )
    return Ended(membership, change)


def _end(
    session: Session, actor: Actor, org: Organisation, membership: Membership, now: datetime, **detail: Any
) -> None:
    membership.ended_at = now
    membership.ended_by_id = actor.user_id or None
    session.flush()
    _forget_cooling(session)
    _record(session, actor, org, "end_membership", now, membership, **detail)


def _change_to_decide(session: Session, actor: Actor, change_id: int) -> tuple[StaffChange, Organisation]:
    change = session.get(StaffChange, change_id)
    if change is None:
        raise NotFound(N_("找不到该请求"))
    org = viewable_org(session, actor, change.org_id)
    _require_admin_over(session, actor, org)
    if change.state is not StaffChangeStatus.PENDING:
        raise DomainError(T_("该请求%(title)s，无需再办理", title=change.state.title), code="decided")
    return change, org


def confirm_change(session: Session, actor: Actor, change_id: int, now: datetime) -> StaffChange:
    """Another admin (never the one who asked) confirms: the membership ends, if the organisation still
    keeps an admin. The database refuses a confirmation by the admin who asked as well."""
    change, org = _change_to_decide(session, actor, change_id)
    _refuse(staffing.second_person_confirms(change.requested_by_id, actor.user_id))
    membership = change.membership
    _refuse(staffing.keeps_an_admin(held_of(membership), _active_admins(session, org.id)))
    change.status = StaffChangeStatus.CONFIRMED.value
    change.decided_by_id = actor.user_id
    change.decided_at = now
    _end(session, actor, org, membership, now, change_id=change.id, requested_by=change.requested_by_id)
    return change


def cancel_change(session: Session, actor: Actor, change_id: int, now: datetime) -> StaffChange:
    """The admin who asked, or any admin who could confirm it, withdraws a request; nothing ends."""
    change, org = _change_to_decide(session, actor, change_id)
    change.status = StaffChangeStatus.CANCELLED.value
    change.decided_by_id = actor.user_id
    change.decided_at = now
    session.flush()
    _record(session, actor, org, "cancel_end_membership", now, change.membership, change_id=change.id)
    return change


def _admins_over(session: Session, org: Organisation) -> list[int]:
    """Every active admin of the organisation or of one above it (who may manage it)."""
    return list(
        session.scalars(
            select(Membership.user_id)
            .where(
                Membership.org_id.in_(place_of(org).chain),
                Membership.role == StaffRole.ADMIN.value,
                Membership.ended_at.is_(None),
            )
            .order_by(Membership.id)
        )
    )


def _leaders_of(session: Session, org_id: int) -> list[int]:
    return list(
        session.scalars(
            select(Membership.user_id).where(
                Membership.org_id == org_id,
                Membership.role == StaffRole.LEADER.value,
                Membership.ended_at.is_(None),
            )
        )
    )


def _record(
    session: Session,
    actor: Actor,
    org: Organisation,
    action: str,
    now: datetime,
    membership: Membership,
    **detail: Any,
) -> None:
    """Audit a staff change of a membership on the organisation, and tell its leaders."""
    _record_change(
        session,
        actor,
        org,
        action,
        now,
        membership.user_id,
        membership.role,
        membership_id=membership.id,
        **detail,
    )


def _record_change(
    session: Session,
    actor: Actor,
    org: Organisation,
    action: str,
    now: datetime,
    user_id: int,
    role: str | None,
    **detail: Any,
) -> None:
    """Audit a staff change on the organisation (`role` None: an expert's account, held by no role), and
    tell its leaders (not the one who made it)."""
    audit.record(
        session,
        actor,
        action,
        now,
        object_type="organisation",
        object_id=org.id,
        detail={"user_id": user_id, "role": role, **detail},
    )
    person = session.get(User, user_id)
    notify(
        session,
        [uid for uid in _leaders_of(session, org.id) if uid != actor.user_id],
        "staff_change",
        T_(
            "人员变动：%(actor)s%(change)s（%(person)s，%(role)s）",
            actor=actor.name,
            change=CHANGE_TITLES[action],
            person=person.name if person else "",
            role=_role_title(role),
        ),
        f"/admin/orgs/{org.id}#staff-changes",
        now,
    )


def _role_title(role: str | None) -> str:
    """What the staff page and the notice call the person's place: their role, or 评审专家 (an expert's
    account holds no role in the office; `role` None)."""
    if role is None:
        return NC_("a person's place", "评审专家")
    return StaffRole(role).title if role in set(StaffRole) else ""


# ---------------------------------------------------------------------------------------------------
# A forgotten password: reset by an admin over everything the account holds
# ---------------------------------------------------------------------------------------------------


def holdings_of(session: Session, user_ids: list[int]) -> dict[int, list[Holding]]:
    """What each account holds that a reset of its password would take over: its active roles, its seats
    in committees' expert pools (held by each committee's office; a deactivated seat as a former one: the
    office may restore it, which gives the account that seat's panels back), its applicant's account (held
    by its enterprise) and a self-registration no unit attached yet (by the bureau it registered with; the
    rulebook lets a reset take that over). Three queries whatever the number of accounts (the staff page
    asks for every row)."""
    held: dict[int, list[Holding]] = {uid: [] for uid in user_ids}
    if not user_ids:
        return held
    for m in session.scalars(
        select(Membership)
        .where(Membership.user_id.in_(user_ids), Membership.ended_at.is_(None))
        .order_by(Membership.id)
    ):
        held[m.user_id].append(Holding(HoldingKind.ROLE, place_of(m.org), StaffRole(m.role)))
    for expert, office in session.execute(
        select(Expert, Organisation)
        .join(Committee, Committee.id == Expert.committee_id)
        .join(Organisation, Organisation.id == Committee.office_id)
        .where(Expert.user_id.in_(user_ids))
        .order_by(Expert.id)
    ).all():
        kind = HoldingKind.EXPERT if expert.active else HoldingKind.FORMER_EXPERT
        held[expert.user_id].append(Holding(kind, place_of(office)))
    for user, org in session.execute(
        select(User, Organisation)
        .join(
            Organisation,
            or_(
                Organisation.id == User.employer_id,
                (Organisation.id == User.registered_with_id) & User.employer_id.is_(None),
            ),
        )
        .where(User.id.in_(user_ids))
    ).all():
        if user.employer_id is not None:
            held[user.id].append(Holding(HoldingKind.APPLICANT, place_of(org)))
        elif user.awaits_employer:
            held[user.id].append(Holding(HoldingKind.REGISTRATION, place_of(org)))
    return held


def _reset_refusal(session: Session, actor: Actor, user: User, org: Organisation) -> Refusal | None:
    return staffing.resets_password(
        manager_of(actor), user.id, holdings_of(session, [user.id])[user.id], accounts_clause(session, org)
    )


def _reset(
    session: Session,
    actor: Actor,
    user: User,
    org: Organisation,
    now: datetime,
    *,
    membership: Membership | None = None,
    expert: Expert | None = None,
) -> NewAccount:
    """The rulebook's answer for this account, audited and raised when it says no; else the reset, which
    is also a staff change of `org` (the row reset from: a role, or else a seat in its expert pool)."""
    if refusal := _reset_refusal(session, actor, user, org):
        refuse_reset(session, actor, user.id, now, refusal.code, refusal.text)
    if not user.is_active:
        refuse_reset(session, actor, user.id, now, "inactive_account", N_("该账号已停用，不能重置密码"))
    if membership is not None:
        account = reset_password(session, actor, user, now, org_id=org.id, membership_id=membership.id)
        # The staff page's 近期人员变动 and the leaders' inboxes, as any staff change (never the password).
        _record(session, actor, org, "reset_staff_password", now, membership)
    else:
        assert expert is not None
        account = reset_password(session, actor, user, now, org_id=org.id, expert_id=expert.id)
        _record_change(session, actor, org, "reset_expert_password", now, user.id, None, expert_id=expert.id)
    return account


def membership_to_reset(
    session: Session, actor: Actor, membership_id: int
) -> tuple[Membership, Organisation]:
    """A membership (ended ones too: refused with their reason) and its organisation, for an admin of it
    or of one above it: NotFound where the actor cannot see it, PermissionDenied (403) for its handlers
    and leaders."""
    membership = session.get(Membership, membership_id)
    if membership is None:
        raise NotFound(N_("找不到该岗位"))
    org = viewable_org(session, actor, membership.org_id)
    _require_admin_over(session, actor, org)
    return membership, org


def reset_staff_password(session: Session, actor: Actor, membership_id: int, now: datetime) -> NewAccount:
    """A staff member forgot their password: an admin of the membership's organisation or of one above it
    gives a new first password (shown once, changed at the next login, every session of the account
    ended, audited on the account without the password). NotFound where the actor cannot see the
    organisation, PermissionDenied (403) for its handlers and leaders; refused (DomainError, audited as a
    denied ``reset_password``) for an ended role, one's own account, a role at or above one's own in
    one's own organisation, an account that holds anything outside the admin's organisations (a reset
    takes over the whole account), and a voided account."""
    membership, org = membership_to_reset(session, actor, membership_id)
    if membership.ended_at is not None:
        refuse_reset(
            session,
            actor,
            membership.user_id,
            now,
            "ended_membership",
            N_("该岗位已撤销，不能在此重置密码；如此人在其他单位另有岗位，请由该单位的管理员办理"),
        )
    return _reset(session, actor, membership.user, org, now, membership=membership)


def expert_to_manage(session: Session, actor: Actor, expert_id: int) -> tuple[Expert, Organisation]:
    """An expert of a committee's pool and the committee's office, for an admin of the office or of an
    organisation above it: NotFound where the actor cannot see the office, PermissionDenied (403) for
    the office's own handlers and leaders (they keep the pool; its logins are the admins')."""
    expert = session.get(Expert, expert_id)
    committee = session.get(Committee, expert.committee_id) if expert is not None else None
    if expert is None or committee is None:
        raise NotFound(N_("找不到该专家"))
    office = viewable_org(session, actor, committee.office_id)
    _refuse(
        staffing.only_admins_manage(manager_of(actor), place_of(office), accounts_clause(session, office))
    )
    return expert, office


def reset_expert_password(session: Session, actor: Actor, expert_id: int, now: datetime) -> NewAccount:
    """An expert forgot their password: an admin of the committee's office (or of an organisation above
    it) gives a new first password, by the same rules and mechanics as `reset_staff_password`; refused
    too (audited) for an expert no longer in the pool."""
    expert, office = expert_to_manage(session, actor, expert_id)
    if not expert.active:
        refuse_reset(
            session,
            actor,
            expert.user_id,
            now,
            "expert_inactive",
            N_("该专家已不在专家库中，不能在此重置密码"),
        )
    return _reset(session, actor, expert.user, office, now, expert=expert)


# ---------------------------------------------------------------------------------------------------
# The staff page: what it shows and what it offers, decided here
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    membership: Membership
    end: str  # "end" (at once), "request" (needs a second admin) or "" (nothing offered)
    note: str  # why it needs a second admin, or why it cannot end
    reset: bool = False  # this admin may reset the person's password (the rulebook's resets_password)


@dataclass(frozen=True)
class ExpertRow:
    """An expert of the pool a committee office's staff page lists for its admins (their logins)."""

    expert: Expert
    reset: bool


@dataclass(frozen=True)
class PendingRow:
    change: StaffChange
    can_confirm: bool
    can_cancel: bool
    note: str


@dataclass(frozen=True)
class ChangeEntry:
    at: datetime
    actor_name: str
    title: str
    person_name: str
    role_title: str


@dataclass(frozen=True)
class StaffPage:
    org: Organisation
    rows: list[StaffRow]
    grantable: list[StaffRole]  # empty: the add form is not offered
    replaceable: list[Membership]
    pending: list[PendingRow]
    recent: list[ChangeEntry]
    below: list[Organisation]  # the organisations right under it (an admin manages their staff too)
    may_manage: bool
    experts: list[ExpertRow] = field(default_factory=list)  # a committee office's pool, for its admins


def staff_page(session: Session, actor: Actor, org_id: int) -> StaffPage:
    """Everything the staff page shows, with each offer decided by the rulebook."""
    org = viewable_org(session, actor, org_id)
    manager, place = manager_of(actor), place_of(org)
    managing = staffing.only_admins_manage(manager, place) is None
    memberships = staff_of(session, org.id, include_ended=True)
    admins = sum(1 for m in memberships if m.ended_at is None and m.role == StaffRole.ADMIN.value)
    changes = list(
        session.scalars(
            select(StaffChange)
            .where(StaffChange.org_id == org.id, StaffChange.status == StaffChangeStatus.PENDING.value)
            .order_by(StaffChange.id)
        )
    )
    waiting = {c.membership_id for c in changes}
    pool = _pool_of(session, org) if managing else []
    people = {m.user_id for m in memberships if m.ended_at is None} | {e.user_id for e in pool}
    holdings = holdings_of(session, sorted(people)) if managing else {}

    def resettable(user: User) -> bool:
        """The reset the row offers: the rule `reset_*_password` applies (all the account holds is the
        admin's), decided from one batch of holdings for the whole page."""
        return (
            user.id in holdings
            and user.is_active
            and staffing.resets_password(manager, user.id, holdings[user.id]) is None
        )

    rows: list[StaffRow] = []
    for m in memberships:
        end, note = "", ""
        if managing and m.ended_at is None and m.id not in waiting:
            held = held_of(m)
            if refusal := staffing.keeps_an_admin(held, admins):
                note = refusal.message
            elif refusal := staffing.needs_second_person(manager, held):
                end, note = "request", refusal.message
            else:
                end = "end"
        rows.append(StaffRow(m, end, note, reset=m.ended_at is None and resettable(m.user)))
    pending = []
    for c in changes:
        same = staffing.second_person_confirms(c.requested_by_id, actor.user_id)
        last = staffing.keeps_an_admin(held_of(c.membership), admins)
        pending.append(
            PendingRow(
                c,
                can_confirm=managing and same is None and last is None,
                can_cancel=managing,
                note=(same or last).message if managing and (same or last) else "",
            )
        )
    return StaffPage(
        org=org,
        rows=rows,
        grantable=staffing.grantable_roles(manager, place),
        replaceable=[r.membership for r in rows if r.end],
        pending=pending,
        recent=recent_changes(session, org.id),
        below=_below(session, org) if managing else [],
        may_manage=managing,
        experts=[ExpertRow(e, e.active and resettable(e.user)) for e in pool],
    )


def _pool_of(session: Session, org: Organisation) -> list[Expert]:
    """The expert pool of the committee this organisation is the office of (none for any other)."""
    stmt = (
        select(Expert)
        .join(Committee, Committee.id == Expert.committee_id)
        .where(Committee.office_id == org.id)
        .order_by(Expert.active.desc(), Expert.id)
    )
    return list(session.scalars(stmt))


def _below(session: Session, org: Organisation) -> list[Organisation]:
    stmt = select(Organisation).where(Organisation.parent_id == org.id).order_by(Organisation.id)
    return list(session.scalars(stmt))


def recent_changes(session: Session, org_id: int, limit: int = RECENT_CHANGES) -> list[ChangeEntry]:
    """The organisation's latest staff changes, newest first, from the audit trail (what was audited is
    what its leader reads)."""
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "organisation",
                AuditEvent.object_id == org_id,
                AuditEvent.outcome == "ok",
                AuditEvent.action.in_(CHANGE_TITLES),
            )
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
    ids = {e.detail.get("user_id") for e in events}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_([i for i in ids if i]))).all())
    return [
        ChangeEntry(
            at=e.at,
            actor_name=e.actor.name if e.actor else "系统",
            title=CHANGE_TITLES[e.action],
            person_name=names.get(e.detail.get("user_id"), ""),
            role_title=_role_title(e.detail.get("role")),
        )
        for e in events
    ]


# ---------------------------------------------------------------------------------------------------
# The cooling rule, where review actions are checked (services.transitions)
# ---------------------------------------------------------------------------------------------------

_COOLING = session_memo.register("staff_cooling")


def _forget_cooling(session: Session) -> None:
    session_memo.forget(session, _COOLING)


def _opened_by(session: Session, actor: Actor) -> tuple[frozenset[int], frozenset[int]]:
    """Who opened the actor's account or gave them their role in the organisation they act for, and the
    applications any of those people handled (applied for, started, or took a review step on). Two queries
    per request at most, whatever the number of rows a page checks; cached until the next write."""
    cache: dict[tuple[int, int | None], tuple[frozenset[int], frozenset[int]]] = session_memo.memo(
        session, _COOLING
    )
    key = (actor.user_id, actor.org_id)
    if key not in cache:
        creators = frozenset(
            i
            for i in session.scalars(
                union(
                    select(User.created_by_id).where(User.id == actor.user_id),
                    select(Membership.created_by_id).where(
                        Membership.user_id == actor.user_id,
                        Membership.org_id == actor.org_id,
                        Membership.ended_at.is_(None),
                    ),
                )
            )
            if i
        )
        handled: frozenset[int] = frozenset()
        if creators:
            handled = frozenset(
                session.scalars(
                    union(
                        select(Application.id).where(
                            or_(
                                Application.applicant_id.in_(creators),
                                Application.created_by_id.in_(creators),
                            )
                        ),
                        select(ReviewStep.application_id).where(ReviewStep.actor_id.in_(creators)),
                    )
                )
            )
        cache[key] = (creators, handled)
    return cache[key]


def cooling_refusal(session: Session, actor: Actor, application: Application) -> Refusal | None:
    """The cooling rule for a staff actor and one application: refused when whoever opened the actor's
    account or role is the applicant, started the application, or took any review step on it."""
    if not actor.is_staff or not actor.user_id:
        return None
    creators, handled = _opened_by(session, actor)
    refusal = staffing.cooling_off(creators, creators if application.id in handled else ())
    if refusal is None:
        return None
    # The clause is read only for a refusal (asked of every row of a queue): the application's bureau's.
    return replace(refusal, clause=accounts_clause(session, application.bureau))
