"""Organisations: the bureau admin creates departments and enterprises; the one way a login is opened, and
the one way someone else gives an existing login a new first password (a reset).

Rules: the tree bureau → department → enterprise; an enterprise carries a valid 统一社会信用代码 and its
ownership. Who manages an organisation's staff is portal.services.staff (the staff rulebook).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.identity import (
    IdentityError,
    mask_id_number,
    normalize_mobile,
    normalize_resident_id,
    normalize_uscc,
)
from portal.models import AuthSession, Membership, Organisation, OrgKind, Ownership, StaffRole, User
from portal.models.organisations import PARENT_KIND
from portal.services import audit
from portal.services.actors import SYSTEM, Actor
from portal.services.auth import hash_initial_password, initial_password

# The parent's kind in a whole sentence (not "请选择上级" + the kind's label: English writes the kind
# differently mid-sentence than as a label).
CHOOSE_PARENT: dict[OrgKind | None, str] = {
    OrgKind.BUREAU: N_("请选择上级人社局"),
    OrgKind.DEPARTMENT: N_("请选择上级主管部门"),
}


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
    # The identity document `id_number` is the number of (portal.domain.identity.DocumentType's value);
    # empty: a resident ID card. The staff form asks it (domain.accounts.OWN_DOCUMENTS).
    document_type: str = ""


@dataclass(frozen=True)
class NewAccount:
    user: User
    password: str  # shown once to whoever created the account


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(N_("只有人社局系统管理员可以管理单位"))


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
        raise ValidationFailed({"kind": N_("请选择单位类型")}) from None
    name = data.name.strip()
    if not name:
        errors["name"] = N_("请填写单位名称")
    elif len(name) > 200:
        errors["name"] = N_("单位名称不能超过200字")
    elif session.scalar(select(Organisation.id).where(Organisation.name == name)):
        errors["name"] = N_("已有同名单位")
    parent = session.get(Organisation, data.parent_id) if data.parent_id else None
    allowed = {o.id for o in organisations_under(session, actor.org_id or 0)}
    if PARENT_KIND[kind] is None:
        errors["parent_id"] = N_("认定机构由部署时创建")
    elif parent is None or parent.id not in allowed or parent.kind != PARENT_KIND[kind].value:
        errors["parent_id"] = CHOOSE_PARENT[PARENT_KIND[kind]]
    uscc: str | None = None
    ownership: str | None = None
    if kind is OrgKind.ENTERPRISE:
        try:
            uscc = normalize_uscc(data.uscc)
            if session.scalar(select(Organisation.id).where(Organisation.uscc == uscc)):
                errors["uscc"] = N_("该统一社会信用代码已登记")
        except IdentityError as problem:
            errors["uscc"] = problem.message
        if data.ownership not in {o.value for o in Ownership}:
            errors["ownership"] = N_("请选择单位性质（国有或非国有）")
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
        errors["name"] = N_("请填写姓名")
    elif len(name) > 50:
        errors["name"] = N_("姓名不能超过50字")
    id_number = phone = ""
    try:
        id_number = normalize_resident_id(data.id_number, today=today.date())
        holder = session.scalars(select(User).where(User.id_number == id_number)).first()
        if holder is not None:
            where = holder.employer.name if holder.employer else N_("本系统")
            errors["id_number"] = T_(
                "证件号码%(masked)s已在%(where)s开设账号，一人只能有一个账号",
                masked=mask_id_number(id_number),
                where=where,
            )
    except IdentityError as problem:
        errors["id_number"] = problem.message
    try:
        phone = normalize_mobile(data.phone)
        if session.scalar(select(User.id).where(User.phone == phone)):
            errors["phone"] = N_("该手机号已被其他账号使用")
    except IdentityError as problem:
        errors["phone"] = problem.message
    if errors:
        raise ValidationFailed(errors)
    return name, id_number, phone


def own_organisation(session: Session, actor: Actor) -> Organisation | None:
    """The organisation the actor works in now (None for an applicant)."""
    return session.get(Organisation, actor.org_id) if actor.org_id is not None else None


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


def reset_password(session: Session, actor: Actor, user: User, now: datetime, **detail: Any) -> NewAccount:
    """A forgotten password, reset by someone entitled to (the caller decided who: HR for an applicant,
    an admin for staff and experts): a new generated first password, stored only as the hash of a first
    password, shown once by the page and never logged, to be changed at the next login. Every session of
    the account ends (whoever holds the old password is out) and the act is audited on the account (who,
    whose, `detail`; never the password)."""
    password = initial_password()
    user.password_hash = hash_initial_password(password)
    user.must_change_password = True
    session.flush()
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    audit.record(
        session, actor, "reset_password", now, object_type="user", object_id=user.id, detail=detail or None
    )
    return NewAccount(user, password)


def refuse_reset(
    session: Session, actor: Actor, user_id: int, now: datetime, code: str, message: str
) -> NoReturn:
    """Refuse a password reset (DomainError with `code`), audited first as a denied ``reset_password`` on
    the account: the attempt outlives the rollback of the refused request."""
    audit.record_attempt(
        session, actor, "reset_password", now, object_type="user", object_id=user_id, detail={"code": code}
    )
    raise DomainError(message, code=code)


def has_both_signers(staff: list[Membership]) -> bool:
    """Whether these roles include an active handler and an active leader: an organisation sends work
    onward only then (the rulebook's org_incomplete guard)."""
    active = {m.role for m in staff if m.ended_at is None}
    return {StaffRole.HANDLER.value, StaffRole.LEADER.value} <= active


def open_bureau(
    session: Session, name: str, now: datetime, *, code: str = "", region: str = ""
) -> Organisation:
    """A certifying bureau (人社局), the one kind of organisation no admin creates: the deployment opens it
    (``flask create-admin``, the demo loader), audited as the system's act. Refused (ValidationFailed) when
    the name is taken."""
    name = name.strip()
    if not name or session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise ValidationFailed({"name": N_("请填写认定机构名称") if not name else N_("已有同名单位")})
    org = Organisation(
        name=name, kind=OrgKind.BUREAU.value, code=code or None, region=region[:100], created_at=now
    )
    session.add(org)
    session.flush()
    audit.record(
        session,
        SYSTEM,
        "create_organisation",
        now,
        object_type="organisation",
        object_id=org.id,
        detail={"kind": OrgKind.BUREAU.value, "name": name},
    )
    return org


def open_bureau_admin(
    session: Session, bureau: Organisation, person: PersonInput, now: datetime
) -> NewAccount:
    """A system administrator of a bureau, opened by the deployment (a bureau's first admin has nobody above
    to open it): a new account whose first password must be changed, audited as the system's act. Refused
    (ValidationFailed) on a bad or already registered identity."""
    if bureau.kind != OrgKind.BUREAU.value:
        raise ValidationFailed(
            {"org": T_("“%(name)s”不是人社局（认定机构），管理员请在单位管理页面开设", name=bureau.name)}
        )
    name, id_number, phone = normalise_person(session, person, today=now)
    account = open_account(session, SYSTEM, name, id_number, phone, now)
    membership = Membership(
        user_id=account.user.id, org_id=bureau.id, role=StaffRole.ADMIN.value, started_at=now
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        SYSTEM,
        "add_staff",
        now,
        object_type="organisation",
        object_id=bureau.id,
        detail={"user_id": account.user.id, "role": StaffRole.ADMIN.value, "membership_id": membership.id},
    )
    return account
