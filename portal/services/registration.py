"""Applicants register their own account where the bureau's policy profile allows it (ACC-04, Kunming
004 一(二): "applicants register their own account in the Kunming system; existing accounts are reused").

Rules: the page exists only for a bureau whose profile has ``[accounts] self_registration`` (any other
bureau, or none, reads as not found); the name, document and mobile are checked exactly as HR's form
checks them (portal.domain.accounts.check_registration), the password by the configured policy; an
identity number or phone that already holds an account is refused with one message that names neither
(no telling which of the two, nor whose); every registration and every refusal of a taken number is
audited, without the numbers. The account has no employer: the unit's HR attach it
(portal.services.accounts.create_applicant), and until then it can start nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import passwords
from portal.domain.accounts import RegistrationDraft, check_registration
from portal.domain.errors import NotFound, ValidationFailed
from portal.domain.i18n import N_
from portal.domain.passwords import PasswordPolicy
from portal.models import Organisation, OrgKind, User
from portal.services import audit
from portal.services.accounts import local_date
from portal.services.actors import Actor
from portal.services.auth import hash_password
from portal.services.policies import profiles

# The one answer for a number or phone that is taken: it says no more than that one of them is, and
# sends the owner where a forgotten password is reset (the login page says the same).
TAKEN = N_(
    "该证件号码或手机号已注册过账号，不能重复注册。如是本人的账号，请直接登录；"
    "忘记密码请联系所在单位经办人重置"
)


def _allowing_profiles() -> list[str]:
    return [key for key, profile in profiles().items() if profile.allows_self_registration]


def registration_bureaus(session: Session) -> list[Organisation]:
    """The bureaus whose profile lets applicants register themselves (the login page links each)."""
    allowed = _allowing_profiles()
    if not allowed:
        return []
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrgKind.BUREAU.value, Organisation.policy_profile.in_(allowed))
            .order_by(Organisation.id)
        )
    )


def registration_bureau(session: Session, bureau_id: int) -> Organisation:
    """The bureau a registration page belongs to; NotFound unless its profile allows self-registration."""
    bureau = session.get(Organisation, bureau_id)
    if (
        bureau is None
        or bureau.kind != OrgKind.BUREAU.value
        or bureau.policy_profile not in _allowing_profiles()
    ):
        raise NotFound(N_("本地区不开放申报人自行注册，申报账号由所在单位经办人开设"))
    return bureau


@dataclass(frozen=True)
class Registration:
    """The registration form as typed."""

    person: RegistrationDraft
    password: str = ""
    confirm: str = ""


def register(
    session: Session,
    bureau_id: int,
    data: Registration,
    now: datetime,
    policy: PasswordPolicy,
    *,
    ip: str = "",
    request_id: str = "",
) -> User:
    """A new applicant account without an employer, its password the one chosen (no forced change).
    Refused (ValidationFailed, a message per field) on any bad field; a number or phone already holding
    an account is refused under ``registration`` with :data:`TAKEN` and audited as denied."""
    bureau = registration_bureau(session, bureau_id)
    checked = check_registration(data.person, today=local_date(now))
    errors = dict(checked.problems)
    values = checked.values
    problems = passwords.check_password(
        data.password,
        policy,
        personal=passwords.personal_values(values.get("id_number"), values.get("phone")),
    )
    if problems:
        errors["password"] = passwords.summary(problems, first=True)
    if data.password != data.confirm:
        errors["confirm"] = N_("两次输入的密码不一致")
    if errors:
        raise ValidationFailed(errors)
    # Hashed before the look-up: a refusal for a taken number costs as long as a registration.
    password_hash = hash_password(data.password)
    anonymous = Actor(user_id=0, name="", ip=ip, request_id=request_id)
    taken = session.scalar(
        select(User.id).where(or_(User.id_number == values["id_number"], User.phone == values["phone"]))
    )
    user = User(
        name=values["name"],
        document_type=values["document_type"],
        id_number=values["id_number"],
        phone=values["phone"],
        password_hash=password_hash,
        must_change_password=False,
        password_changed_at=now,
        registered_with_id=bureau.id,
        created_at=now,
    )
    if taken is None:
        try:
            with session.begin_nested():  # two registrations of one number at once meet the unique index
                session.add(user)
                session.flush()
        except IntegrityError:
            taken = -1
    if taken is not None:
        audit.record_attempt(
            session,
            anonymous,
            "register_applicant",
            now,
            object_type="user",
            detail={"bureau_id": bureau.id, "refused": "identity_or_phone_taken"},
        )
        raise ValidationFailed({"registration": TAKEN})
    audit.record(
        session,
        Actor(user_id=user.id, name=user.name, ip=ip, request_id=request_id),
        "register_applicant",
        now,
        object_type="user",
        object_id=user.id,
        detail={"bureau_id": bureau.id, "document_type": user.document_type},
    )
    return user


def registered_with(session: Session, user: User) -> Organisation | None:
    """The bureau a self-registered account registered with (None for accounts staff opened)."""
    return session.get(Organisation, user.registered_with_id) if user.registered_with_id else None
