"""Voiding a self-registered account no unit attached (ACC-04, Kunming 004 一(二)). Anyone who knows a
person's name, ID number and a mobile can register in their name, and HR attaching the account resets
its credentials; but a registration nobody attaches — bogus, or abandoned with a typo'd name — would hold
the ID number (and the mobile) for good. The system admin of the bureau it registered with lists the
bureau's registrations waiting for a unit and voids one with a written reason (required, at most
LIMITS["void_reason"] characters), audited as ``void_registration``; refusals are audited as attempts.

What a void does: the account can no longer log in (disabled, every session ended) and gives its ID number
and mobile up, so the person can register again or their unit's HR open their account. The row is not
deleted: audit rows (its registration, its logins) name it as their actor and are never deleted. The
numbers are unique columns, so the account takes values no document or mobile can be
(:func:`released_numbers`); the numbers as registered stay on the void's row (``registration_voids``).

Who: the admin of the bureau the account registered with; an account a unit attached meanwhile, made
staff or an expert since, or already voided is refused with its reason; another bureau's reads as not
found. Transitions caused: none (an account, not an application).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.text import LIMITS
from portal.models import AuditEvent, AuthSession, Expert, Membership, RegistrationVoid, User
from portal.services import audit
from portal.services.accounts import unattached_registration
from portal.services.actors import Actor

PAGE_SIZE = 50
ACTION = "void_registration"
VOIDED = N_("该注册已被作废（可能是另一位管理员刚刚作废），请刷新页面")


def released_numbers(user_id: int) -> tuple[str, str]:
    """The ID number and mobile a voided account takes instead of its own: unique per account, within the
    columns' lengths, and never a value a person can type (lowercase and a hyphen in the number — every
    document number is stored upper-case letters and digits —, a letter in the mobile), so no login, no
    registration and no look-up by number finds the voided account again."""
    return f"void-{user_id}", f"v{user_id:010d}"


def _bureau_admin(actor: Actor) -> int:
    if not actor.is_admin or actor.org_id is None:
        raise PermissionDenied(N_("只有注册所在人社局的系统管理员可以作废自行注册的账号"))
    return actor.org_id


def _waiting(bureau_id: int) -> list[ColumnElement[bool]]:
    """Registered with the bureau, no unit holds it, not voided, and nobody made it staff or an expert
    since (the conditions of accounts.unattached_registration, as SQL)."""
    staff = exists().where(Membership.user_id == User.id, Membership.ended_at.is_(None))
    expert = exists().where(Expert.user_id == User.id)
    return [
        User.registered_with_id == bureau_id,
        User.employer_id.is_(None),
        User.is_active.is_(True),
        ~staff,
        ~expert,
    ]


def _search(q: str) -> ColumnElement[bool] | None:
    """A name (any part of it), a whole ID number, or the last digits of one (at most 6, as the queue
    takes them: a longer piece would spell out a listed number a few searches at a time)."""
    text = q.strip()
    if not text:
        return None
    term = text.upper()
    matches: list[ColumnElement[bool]] = [User.name.contains(text, autoescape=True)]
    if term.isascii() and term.isalnum():
        if len(term) <= 6:
            matches.append(User.id_number.endswith(term, autoescape=True))
        else:
            matches.append(User.id_number == term)
    return or_(*matches)


@dataclass(frozen=True)
class RegistrationRow:
    """One account waiting for a unit: when it registered and when it last logged in (None: never)."""

    user: User
    last_login: datetime | None


@dataclass(frozen=True)
class RegistrationPage:
    rows: list[RegistrationRow]
    next_before: int | None  # the next page's keyset (older registrations), None on the last page


def waiting_registrations(
    session: Session, actor: Actor, *, q: str = "", before: int | None = None
) -> RegistrationPage:
    """The admin's list: the bureau's self-registered accounts no unit attached, newest first, PAGE_SIZE at
    a time (keyset on the account's id), narrowed by `q` (name or ID number)."""
    bureau_id = _bureau_admin(actor)
    stmt = select(User).where(*_waiting(bureau_id))
    if (matching := _search(q)) is not None:
        stmt = stmt.where(matching)
    if before:
        stmt = stmt.where(User.id < before)
    users = list(session.scalars(stmt.order_by(User.id.desc()).limit(PAGE_SIZE + 1)))
    more = len(users) > PAGE_SIZE
    users = users[:PAGE_SIZE]
    # Logins are audited (services.auth): the last one per account of the page, in one statement.
    logins = dict(
        session.execute(
            select(AuditEvent.object_id, func.max(AuditEvent.at))
            .where(
                AuditEvent.object_type == "user",
                AuditEvent.object_id.in_([u.id for u in users]),
                AuditEvent.action == "login",
                AuditEvent.outcome == "ok",
            )
            .group_by(AuditEvent.object_id)
        ).all()
    )
    rows = [RegistrationRow(u, logins.get(u.id)) for u in users]
    return RegistrationPage(rows, users[-1].id if more and users else None)


def void_registration(
    session: Session, actor: Actor, user_id: int, reason: str, now: datetime
) -> RegistrationVoid:
    """The bureau admin voids one self-registered account no unit attached, with a written reason (audited
    with who and whom): the account is disabled, its sessions end, its ID number and mobile are free again.
    PermissionDenied for anyone but a bureau's admin; NotFound for an account that did not register with
    the admin's bureau; refused (audited) when a unit attached it, it was made staff or an expert, or it is
    voided already (another admin at once included); ValidationFailed on ``reason`` when empty or too
    long."""
    bureau_id = _bureau_admin(actor)
    user = session.get(User, user_id)
    if user is None or user.registered_with_id != bureau_id:
        raise NotFound(N_("找不到该注册账号，或其不是在本局注册的"))

    def refuse(code: str, message: str) -> DomainError:
        audit.record_attempt(
            session, actor, ACTION, now, object_type="user", object_id=user.id, detail={"code": code}
        )
        return DomainError(message, code=code)

    def check_state() -> None:
        if not user.is_active:
            raise refuse("voided", VOIDED)
        if user.employer_id is not None:
            raise refuse("attached", N_("该账号已由用人单位关联，不能作废；如有问题，请联系其所在单位"))
        if not unattached_registration(session, user):
            raise refuse("not_applicant", N_("该账号已是工作人员或评审专家的账号，不能作为自行注册作废"))

    check_state()
    words = reason.strip()
    if not words:
        raise ValidationFailed({"reason": N_("请写明作废的理由（例如：冒用他人身份注册、姓名填写错误）")})
    limit = LIMITS["void_reason"]
    if len(words) > limit:
        raise ValidationFailed(
            {"reason": T_("作废理由不能超过%(limit)s字（现有%(n)s字）", limit=limit, n=len(words))}
        )
    registered = (user.name, user.id_number, user.phone)
    number, phone = released_numbers(user.id)
    # A compare-and-set on "waiting, not voided" — every condition of the check above, staff and expert
    # included: of two admins at once the second changes nothing, an HR attaching at the same moment (their
    # own compare-and-set requires an active account) loses to one, and so does an account made staff or an
    # expert between the check and this statement.
    voided = session.execute(
        update(User)
        .where(User.id == user.id, *_waiting(bureau_id))
        .values(is_active=False, id_number=number, phone=phone)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(user)
    if voided != 1:
        check_state()  # what changed it: attached, made staff or an expert, or voided by another admin
        raise refuse("voided", VOIDED)
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    record = RegistrationVoid(
        user_id=user.id,
        bureau_id=bureau_id,
        name=registered[0],
        id_number=registered[1],
        phone=registered[2],
        reason=words,
        voided_by_id=actor.user_id,
        voided_at=now,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        ACTION,
        now,
        object_type="user",
        object_id=user.id,
        reason=words,
        # Whom, by name and by when it registered; no numbers (as the registration's own audit row).
        detail={"name": user.name, "bureau_id": bureau_id, "registered_at": user.created_at.isoformat()},
    )
    return record
