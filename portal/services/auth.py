"""Login, lockout, revocable sessions and password changes.

Rules: phone or ID number + password; 5 failed attempts lock the account for 15 minutes (configurable),
each further lock in a row twice as long (at most a day), reset by a successful login;
idle sessions end after 30 minutes and every session after 12 hours; a session is a database row, so
logout, a password change or disabling the account ends every copy of the cookie. A new password follows
the configured PasswordPolicy (portal/domain/passwords.py: length, classes, no personal data, none of the
last N, a change forced once it is older than the maximum age).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from portal.domain import passwords
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.identity import IdentityError, normalize_mobile, normalize_resident_id
from portal.domain.passwords import PasswordPolicy
from portal.models import AuthSession, PasswordHistory, User
from portal.services import audit
from portal.services.actors import Actor

_hasher = PasswordHasher()
# First passwords are random (about 92 bits, see initial_password) and must be changed at first login,
# so a light argon2 setting keeps them out of reach of guessing while a 1,000-row bulk import hashes
# in about two seconds instead of two minutes. Chosen passwords always get the full setting.
_initial_hasher = PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Verifying against a throwaway hash when the login is unknown keeps timing the same (no enumeration).
_DUMMY_HASH = _hasher.hash("not-a-real-password-Aa1!")
MAX_LOCKOUT = timedelta(hours=24)


@dataclass(frozen=True)
class LoginPolicy:
    attempts: int = 5
    lockout: timedelta = timedelta(minutes=15)
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)

    @classmethod
    def from_config(cls, config: Any) -> LoginPolicy:
        """From the PORTAL_LOCKOUT_* / _IDLE_MINUTES / _ABSOLUTE_HOURS settings."""
        return cls(
            attempts=int(config["PORTAL_LOCKOUT_ATTEMPTS"]),
            lockout=timedelta(minutes=int(config["PORTAL_LOCKOUT_MINUTES"])),
            idle=timedelta(minutes=int(config["PORTAL_IDLE_MINUTES"])),
            absolute=timedelta(hours=int(config["PORTAL_ABSOLUTE_HOURS"])),
        )


class LoginFailed(DomainError):
    code = "login_failed"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def hash_initial_password(password: str) -> str:
    """The hash of a generated first password (never of one a person chose)."""
    return _initial_hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _login_key(login: str) -> tuple[str, str] | None:
    """Normalise what was typed into the ID-number or phone form it is stored in."""
    for normalise, column in ((normalize_mobile, "phone"), (normalize_resident_id, "id_number")):
        try:
            return column, normalise(login)
        except IdentityError:
            continue
    return None


def find_user_by_login(session: Session, login: str) -> User | None:
    key = _login_key(login)
    if key is None:
        # Other documents (permits, passports) are stored as typed, upper-cased.
        value = login.strip().upper()
        return session.scalars(select(User).where(or_(User.id_number == value, User.phone == value))).first()
    column, value = key
    return session.scalars(select(User).where(getattr(User, column) == value)).first()


def authenticate(
    session: Session,
    login: str,
    password: str,
    now: datetime,
    policy: LoginPolicy,
    *,
    ip: str = "",
    request_id: str = "",
) -> User:
    generic = "账号或密码不正确"
    user = find_user_by_login(session, login)
    if user is None:
        _verify(_DUMMY_HASH, password)
        audit.record(
            session,
            Actor(0, "", ip=ip, request_id=request_id),
            "login",
            now,
            object_type="user",
            outcome="denied",
            detail={"code": "unknown_login"},
        )
        raise LoginFailed(generic)
    actor = Actor(user.id, user.name, ip=ip, request_id=request_id)

    def refuse(code: str, message: str) -> LoginFailed:
        audit.record(
            session,
            actor,
            "login",
            now,
            object_type="user",
            object_id=user.id,
            outcome="denied",
            detail={"code": code},
        )
        return LoginFailed(message, code=code)

    def locked_message() -> str:
        assert user.locked_until is not None
        until = user.locked_until.astimezone(SHANGHAI).strftime("%H:%M")
        return f"连续{policy.attempts}次密码错误，账号已锁定至{until}，请稍后再试"

    if user.locked_until and user.locked_until > now:
        raise refuse("locked", locked_message())
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= policy.attempts:
            # Temporary and growing (15, 30, 60 … minutes, at most a day): guessing stays slow, and an
            # attacker cannot lock a reviewer out for good (ASVS 5.0 V6.1.1).
            user.lockouts += 1
            user.locked_until = now + min(policy.lockout * 2 ** (user.lockouts - 1), MAX_LOCKOUT)
            user.failed_logins = 0
            raise refuse("locked", locked_message())
        raise refuse("bad_password", generic)
    if not user.is_active:
        raise refuse("disabled", "账号已停用，请联系所在单位管理员")
    user.failed_logins = 0
    user.lockouts = 0
    user.locked_until = None
    audit.record(session, actor, "login", now, object_type="user", object_id=user.id)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, now: datetime, *, ip: str = "") -> str:
    """A new session row; returns the token for the cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(token_hash=_digest(token), user_id=user.id, created_at=now, last_seen_at=now, ip=ip)
    )
    session.flush()
    return token


def load_session(
    session: Session, token: str, now: datetime, policy: LoginPolicy, *, seen: datetime | None = None
) -> AuthSession | None:
    """The live session for a token, or None when it is unknown (logged out, revoked), past the absolute
    limit, idle too long since `seen` (the last request, carried in the signed cookie; the row's start
    when the cookie has none) or its user is disabled.

    Reads only: a request never writes to check its login (no GET writes, issue 19), so the idle clock
    lives in the signed cookie and the row stays the revocation record; expired rows are removed by
    the periodic sweep (sweep_sessions)."""
    row = session.scalars(select(AuthSession).where(AuthSession.token_hash == _digest(token))).first()
    if row is None:
        return None
    last = max(seen, row.last_seen_at) if seen is not None else row.last_seen_at
    if now - last > policy.idle or now - row.created_at > policy.absolute or not row.user.is_active:
        return None
    return row


def sweep_sessions(session: Session, now: datetime, policy: LoginPolicy) -> int:
    """Removes session rows past the absolute limit (no cookie can open them any more); returns how many.
    Idle rows younger than that stay until then: their idle clock is in the browser's cookie."""
    result = session.execute(delete(AuthSession).where(AuthSession.created_at < now - policy.absolute))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def end_session(session: Session, token: str, now: datetime, actor: Actor) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == _digest(token)))
    audit.record(session, actor, "logout", now, object_type="user", object_id=actor.user_id)


def password_changed_at(user: User) -> datetime:
    """When the current password was set: the last change, else the account's creation."""
    return user.password_changed_at or user.created_at


def must_change_password(user: User, now: datetime, policy: PasswordPolicy) -> str | None:
    """Why this user must set a new password before anything else: "first" (set by someone else),
    "expired" (older than the policy's maximum age), or None."""
    if user.must_change_password:
        return "first"
    if passwords.is_expired(password_changed_at(user), now, policy):
        return "expired"
    return None


def _remembered_hashes(session: Session, user: User, policy: PasswordPolicy) -> list[str]:
    """The current hash and the newest `history - 1` earlier ones: the passwords a change may not reuse."""
    older = session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.replaced_at.desc(), PasswordHistory.id.desc())
        .limit(max(policy.history - 1, 0))
    ).all()
    return [user.password_hash, *older]


def _remember(session: Session, user: User, old_hash: str, now: datetime, policy: PasswordPolicy) -> None:
    """Keep the replaced hash, and only as many as the policy compares against (less to steal)."""
    if policy.history <= 1:
        session.execute(delete(PasswordHistory).where(PasswordHistory.user_id == user.id))
        return
    session.add(PasswordHistory(user_id=user.id, password_hash=old_hash, replaced_at=now))
    session.flush()
    keep = (
        select(PasswordHistory.id)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.replaced_at.desc(), PasswordHistory.id.desc())
        .limit(policy.history - 1)
    )
    session.execute(
        delete(PasswordHistory).where(
            PasswordHistory.user_id == user.id, PasswordHistory.id.not_in(keep.scalar_subquery())
        )
    )


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    confirm: str,
    now: datetime,
    actor: Actor,
    policy: PasswordPolicy | None = None,
) -> None:
    """Checks the current password and the policy (every broken rule listed at once), refuses the current
    password and the last `policy.history` ones, keeps the replaced hash, ends every session of the user.
    Used for a voluntary change, the forced first change and the change forced by the maximum age."""
    policy = policy or passwords.PROFILES[passwords.DEFAULT_PROFILE]
    errors: dict[str, str] = {}
    if not _verify(user.password_hash, current):
        errors["current"] = "当前密码不正确"
    problems = passwords.check_password(
        new, policy, personal=passwords.personal_values(user.id_number, user.phone)
    )
    # Comparing against old hashes costs one argon2 verification each: only for an otherwise valid
    # password, and never when the current password was wrong (no oracle for old passwords).
    if (
        not problems
        and "current" not in errors
        and any(_verify(old, new) for old in _remembered_hashes(session, user, policy))
    ):
        problems.append(passwords.reuse_problem(policy))
    if problems:
        errors["new"] = passwords.summary(problems)
    if new != confirm:
        errors["confirm"] = "两次输入的新密码不一致"
    if errors:
        raise ValidationFailed(errors)
    _remember(session, user, user.password_hash, now, policy)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.password_changed_at = now
    session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    audit.record(session, actor, "change_password", now, object_type="user", object_id=user.id)
    session.flush()


def initial_password() -> str:
    """A random first password: 16 characters with all four classes (about 92 bits), so it passes any
    policy up to that length; the user must change it at first login."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(15)) + secrets.choice("!@#%*+=?")
        if len(passwords.classes_in(candidate)) == len(passwords.ORDER):
            return candidate
