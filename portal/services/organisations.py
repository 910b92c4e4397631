"""Organisations and staff: the bureau admin creates departments and enterprises with their first staff;
leaders and handlers manage their own organisation's staff. Ending a role keeps its row (history).

Rules: the tree bureau → department → enterprise; an enterprise carries a valid 统一社会信用代码 and its
ownership; one person never holds two roles (so never both handler and leader) in one organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain.errors import NotFound, PermissionDenied, ValidationFailed
from portal.domain.identity import (
    IdentityError,
    mask_id_number,
    normalize_mobile,
    normalize_resident_id,
    normalize_uscc,
)
from portal.models import Membership, Organisation, OrgKind, Ownership, StaffRole, User
from portal.models.organisations import PARENT_KIND
from portal.services import audit
from portal.services.actors import Actor
from portal.services.auth import hash_initial_password, initial_password


@dataclass(frozen=True)
class OrganisationInput:
    kind: str
    name: str
    parent_id: int | None
    uscc: str = ""
    ownership: str = ""
    region: str = ""


@dataclass(frozen=True)
class PersonInput:
    name: str
    id_number: str
    phone: str


@dataclass(frozen=True)
class NewAccount:
    user: User
    password: str  # shown once to whoever created the account


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("只有人社局系统管理员可以管理单位")


def organisations_under(session: Session, root_id: int) -> list[Organisation]:
    """The organisation and all its descendants, parents before children."""
    result: list[Organisation] = []
    frontier = [root_id]
    while frontier:
        rows = list(
            session.scalars(
                select(Organisation).where(Organisation.id.in_(frontier)).order_by(Organisation.id)
            )
        )
        result.extend(rows)
        frontier = list(session.scalars(select(Organisation.id).where(Organisation.parent_id.in_(frontier))))
    return result


def create_organisation(
    session: Session, actor: Actor, data: OrganisationInput, now: datetime
) -> Organisation:
    """Create a department or enterprise under a parent the admin's bureau holds (USCC validated for
    enterprises), audited; ValidationFailed names each bad field."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    try:
        kind = OrgKind(data.kind)
    except ValueError:
        raise ValidationFailed({"kind": "请选择单位类型"}) from None
    name = data.name.strip()
    if not name:
        errors["name"] = "请填写单位名称"
    elif len(name) > 200:
        errors["name"] = "单位名称不能超过200字"
    elif session.scalar(select(Organisation.id).where(Organisation.name == name)):
        errors["name"] = "已有同名单位"
    parent = session.get(Organisation, data.parent_id) if data.parent_id else None
    allowed = {o.id for o in organisations_under(session, actor.org_id or 0)}
    if PARENT_KIND[kind] is None:
        errors["parent_id"] = "认定机构由部署时创建"
    elif parent is None or parent.id not in allowed or parent.kind != PARENT_KIND[kind].value:
        errors["parent_id"] = f"请选择上级{PARENT_KIND[kind].title}"
    uscc: str | None = None
    ownership: str | None = None
    if kind is OrgKind.ENTERPRISE:
        try:
            uscc = normalize_uscc(data.uscc)
            if session.scalar(select(Organisation.id).where(Organisation.uscc == uscc)):
                errors["uscc"] = "该统一社会信用代码已登记"
        except IdentityError as problem:
            errors["uscc"] = problem.message
        if data.ownership not in {o.value for o in Ownership}:
            errors["ownership"] = "请选择单位性质（国有或非国有）"
        else:
            ownership = data.ownership
    if errors:
        raise ValidationFailed(errors)
    org = Organisation(
        kind=kind.value,
        name=name,
        parent_id=parent.id if parent else None,
        uscc=uscc,
        ownership=ownership,
        region=data.region.strip()[:100],
        created_at=now,
    )
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor,
        "create_organisation",
        now,
        object_type="organisation",
        object_id=org.id,
        detail={"kind": kind.value, "name": name},
    )
    return org


def normalise_person(session: Session, data: PersonInput, *, today: datetime) -> tuple[str, str, str]:
    """Name, ID number, phone in canonical form; ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    name = "".join(data.name.split())
    if not name:
        errors["name"] = "请填写姓名"
    elif len(name) > 50:
        errors["name"] = "姓名不能超过50字"
    id_number = phone = ""
    try:
        id_number = normalize_resident_id(data.id_number, today=today.date())
        holder = session.scalars(select(User).where(User.id_number == id_number)).first()
        if holder is not None:
            where = holder.employer.name if holder.employer else "本系统"
            errors["id_number"] = (
                f"证件号码{mask_id_number(id_number)}已在{where}开设账号，一人只能有一个账号"
            )
    except IdentityError as problem:
        errors["id_number"] = problem.message
    try:
        phone = normalize_mobile(data.phone)
        if session.scalar(select(User.id).where(User.phone == phone)):
            errors["phone"] = "该手机号已被其他账号使用"
    except IdentityError as problem:
        errors["phone"] = problem.message
    if errors:
        raise ValidationFailed(errors)
    return name, id_number, phone


def _can_manage_staff(session: Session, actor: Actor, org: Organisation) -> bool:
    if actor.is_admin:
        return org.id in {o.id for o in organisations_under(session, actor.org_id or 0)}
    return actor.is_staff and actor.org_id == org.id


def own_organisation(session: Session, actor: Actor) -> Organisation | None:
    """The organisation the actor works in now (None for an applicant)."""
    return session.get(Organisation, actor.org_id) if actor.org_id is not None else None


def get_manageable_org(session: Session, actor: Actor, org_id: int) -> Organisation:
    """An organisation whose staff the actor may manage; NotFound otherwise (another tenant's reads as
    missing)."""
    org = session.get(Organisation, org_id)
    if org is None or not _can_manage_staff(session, actor, org):
        raise NotFound("找不到该单位，或您无权管理")
    return org


def add_staff(
    session: Session,
    actor: Actor,
    org_id: int,
    person: PersonInput,
    role: str,
    now: datetime,
    *,
    replace_membership_id: int | None = None,
) -> NewAccount:
    """A new real-name staff account with one role; optionally ending the role it replaces."""
    org = get_manageable_org(session, actor, org_id)
    if role not in (StaffRole.HANDLER.value, StaffRole.LEADER.value):
        raise ValidationFailed({"role": "请选择岗位（经办人或领导）"})
    name, id_number, phone = normalise_person(session, person, today=now)
    if replace_membership_id is not None:
        end_membership(session, actor, replace_membership_id, now)
    account = open_account(session, actor, name, id_number, phone, now)
    _add_membership(session, actor, org.id, account.user, role, now)
    return account


def open_account(
    session: Session,
    actor: Actor,
    name: str,
    id_number: str,
    phone: str,
    now: datetime,
    *,
    employer_id: int | None = None,
    identity: dict[str, str] | None = None,
) -> NewAccount:
    """A new login with a random first password that must be changed at first login.
    `identity` sets the other document columns (document_type, nationality, permit_kind, permit_no,
    employment_type) already checked by the caller."""
    password = initial_password()
    user = User(
        name=name,
        id_number=id_number,
        phone=phone,
        password_hash=hash_initial_password(password),
        must_change_password=True,
        employer_id=employer_id,
        **(identity or {}),
        created_by_id=actor.user_id or None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return NewAccount(user, password)


def end_membership(session: Session, actor: Actor, membership_id: int, now: datetime) -> Membership:
    """End a staff role (history kept, audited); nobody ends their own, and only a manager of the organisation
    may."""
    membership = session.get(Membership, membership_id)
    if membership is None or membership.ended_at is not None:
        raise NotFound("找不到该岗位")
    get_manageable_org(session, actor, membership.org_id)
    if membership.user_id == actor.user_id:
        raise PermissionDenied("不能撤销本人的岗位，请由本单位其他人员或管理员办理")
    membership.ended_at = now
    membership.ended_by_id = actor.user_id or None
    audit.record(
        session,
        actor,
        "end_membership",
        now,
        object_type="user",
        object_id=membership.user_id,
        detail={"org_id": membership.org_id, "role": membership.role},
    )
    session.flush()
    return membership


def assign_existing_user(
    session: Session, actor: Actor, org_id: int, user: User, role: str, now: datetime
) -> Membership:
    """Give an existing account a role (used by seeding and by admins); one role per organisation."""
    get_manageable_org(session, actor, org_id)
    return _add_membership(session, actor, org_id, user, role, now)


def _add_membership(
    session: Session, actor: Actor, org_id: int, user: User, role: str, now: datetime
) -> Membership:
    membership = Membership(
        user_id=user.id, org_id=org_id, role=role, started_at=now, created_by_id=actor.user_id or None
    )
    try:
        with session.begin_nested():
            session.add(membership)
    except IntegrityError:
        raise ValidationFailed({"role": "同一人在同一单位只能担任一个岗位（经办人与领导不能兼任）"}) from None
    audit.record(
        session,
        actor,
        "add_staff",
        now,
        object_type="user",
        object_id=user.id,
        detail={"org_id": org_id, "role": role},
    )
    return membership


def has_both_signers(staff: list[Membership]) -> bool:
    """Whether these roles include an active handler and an active leader: an organisation sends work
    onward only then (the rulebook's org_incomplete guard)."""
    active = {m.role for m in staff if m.ended_at is None}
    return {StaffRole.HANDLER.value, StaffRole.LEADER.value} <= active


def staff_of(session: Session, org_id: int, *, include_ended: bool = False) -> list[Membership]:
    """The organisation's staff roles, active first, ended ones only with `include_ended`."""
    stmt = (
        select(Membership)
        .where(Membership.org_id == org_id)
        .order_by(Membership.ended_at.is_not(None), Membership.id)
    )
    if not include_ended:
        stmt = stmt.where(Membership.ended_at.is_(None))
    return list(session.scalars(stmt))
