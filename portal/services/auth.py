"""Login, lockout, revocable sessions and password changes.

Rules: phone or ID number + password. Failed logins slow the guesser, not the owner (issue 16.11,
ASVS 5.0 V6.1.1): 5 failures of one account from one source (an IPv4 address or an IPv6 /64) delay that
source for 15 minutes, each further delay in a row twice as long (at most a day), until a success from
there; 10 failures of the account from all sources together delay every source except those the owner
has logged in from in the last 90 days (all configurable, LoginPolicy). A login that names no account is
counted and delayed exactly the same way, under a keyed hash of what was typed, and every refusal says
the same thing: nothing tells an unknown account from a locked or a real one (T-AUTH-02).
Idle sessions end after 30 minutes and every session after 12 hours; a session is a database row, so
logout, a password change or disabling the account ends every copy of the cookie. A new password follows
the configured PasswordPolicy (portal/domain/passwords.py: length, classes, no personal data, none of the
last N, a change forced once it is older than the maximum age).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Select, bindparam, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from portal.domain import passwords
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_, T_, Language
from portal.domain.identity import (
    IdentityError,
    document_login,
    normalize_hmt_residence_permit,
    normalize_mobile,
    normalize_resident_id,
)
from portal.domain.passwords import PasswordPolicy
from portal.models import AuthSession, LoginThrottle, PasswordHistory, User, Version
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
# "In a row" ends after a day without a failure: counts and growing delays start again from the first.
QUIET_RESET = timedelta(hours=24)
EVERY_SOURCE = "*"
GENERIC_REFUSAL = N_("账号或密码不正确")


@dataclass(frozen=True)
class LoginPolicy:
    attempts: int = 5  # failures of one account from one source before that source is delayed
    lockout: timedelta = timedelta(minutes=15)  # the first delay; each further one in a row doubles
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    account_attempts: int = 10  # failures of one account from all sources before unknown sources wait
    known_source: timedelta = timedelta(days=90)  # a source the owner logged in from stays theirs this long
    key: bytes = b""  # keys the hash of a login that names no account (the app's secret key)

    @classmethod
    def from_config(cls, config: Any) -> LoginPolicy:
        """From the PORTAL_LOCKOUT_* / _KNOWN_SOURCE_DAYS / _IDLE_MINUTES / _ABSOLUTE_HOURS settings and
        the secret key."""
        return cls(
            attempts=int(config["PORTAL_LOCKOUT_ATTEMPTS"]),
            lockout=timedelta(minutes=int(config["PORTAL_LOCKOUT_MINUTES"])),
            idle=timedelta(minutes=int(config["PORTAL_IDLE_MINUTES"])),
            absolute=timedelta(hours=int(config["PORTAL_ABSOLUTE_HOURS"])),
            account_attempts=int(config["PORTAL_LOCKOUT_ACCOUNT_ATTEMPTS"]),
            known_source=timedelta(days=int(config["PORTAL_KNOWN_SOURCE_DAYS"])),
            key=str(config["SECRET_KEY"]).encode(),
        )


class LoginFailed(DomainError):
    code = "login_failed"


def hash_password(password: str) -> str:
    """An argon2id hash of the password; the password itself is never stored."""
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
    """Normalise what was typed into the ID-number or phone form it is stored in. A login only finds an
    account, so the address-code list is not asked (a number HR confirmed must still log in), and a
    港澳台居民居住证 number is stored in the same column."""

    def resident(value: str) -> str:
        return normalize_resident_id(value, region_confirmed=True)

    for normalise, column in (
        (normalize_mobile, "phone"),
        (resident, "id_number"),
        (normalize_hmt_residence_permit, "id_number"),
    ):
        try:
            return column, normalise(login)
        except IdentityError:
            continue
    return None


def find_user_by_login(session: Session, login: str) -> User | None:
    """The account a login names (phone or canonical document number), or None; no timing or audit here."""
    key = _login_key(login)
    if key is None:
        # Other documents (permits, passports) are stored as their normalisers clean what was typed.
        value = document_login(login)
        return session.scalars(select(User).where(or_(User.id_number == value, User.phone == value))).first()
    column, value = key
    return session.scalars(select(User).where(getattr(User, column) == value)).first()


def login_source(ip: str) -> str:
    """Where a login comes from, as throttles count it: an IPv4 address, or the /64 of an IPv6 address
    (one subscriber's whole allocation; counting single IPv6 addresses would give an attacker 2⁶⁴ tries)."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _account_key(login: str, user: User | None, policy: LoginPolicy) -> str:
    if user is not None:
        return f"user:{user.id}"
    key = _login_key(login)
    typed = key[1] if key is not None else document_login(login)
    # Keyed: the table then holds no ID number or phone that someone merely typed, in reversible form.
    return "login:" + hmac.new(policy.key, typed.encode(), hashlib.sha256).hexdigest()


def _throttle(session: Session, account: str, source: str) -> LoginThrottle:
    """The row for (account, source), created if missing and locked for this transaction (PostgreSQL
    FOR UPDATE; SQLite's BEGIN IMMEDIATE already serialises), so concurrent guesses are counted one by one
    and none slips past a delay that another has just begun."""
    stmt = (
        select(LoginThrottle)
        .where(LoginThrottle.account == account, LoginThrottle.source == source)
        .with_for_update()
    )
    row = session.scalars(stmt).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(account=account, source=source, failures=0, lockouts=0))
        except IntegrityError:
            pass  # another login created it first
        row = session.scalars(stmt.execution_options(populate_existing=True)).one()
    return row


def _count_failure(row: LoginThrottle, now: datetime, threshold: int, policy: LoginPolicy) -> None:
    """One more failure; at `threshold` a delay begins, twice as long as the one before it in a row."""
    if row.last_failure_at is not None and now - row.last_failure_at > QUIET_RESET:
        row.failures, row.lockouts = 0, 0
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= threshold:
        row.lockouts += 1
        row.locked_until = now + min(policy.lockout * 2 ** (row.lockouts - 1), MAX_LOCKOUT)
        row.failures = 0


def _until_text(until: datetime, now: datetime) -> str:
    local, today_ = until.astimezone(SHANGHAI), now.astimezone(SHANGHAI).date()
    return (
        f"{local:%H:%M}"
        if local.date() == today_
        else T_("%(day)s %(time)s", day=local.date(), time=f"{local:%H:%M}")
    )


def delay_message(until: datetime, now: datetime) -> str:
    """The one refusal while a delay runs: the same words for an unknown, a real and a locked account."""
    return T_("登录失败次数过多，已锁定至%(until)s，请稍后再试", until=_until_text(until, now))


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
    """The account for this login and password, or LoginFailed with a message that is the same for an
    unknown account, a wrong password and (while it runs) a delay. Every attempt is audited."""
    user = find_user_by_login(session, login)
    account = _account_key(login, user, policy)
    here = _throttle(session, account, login_source(ip))
    everywhere = _throttle(session, account, EVERY_SOURCE)
    actor = Actor(user.id if user else 0, user.name if user else "", ip=ip, request_id=request_id)

    def refuse(code: str, message: str) -> LoginFailed:
        audit.record(
            session,
            actor,
            "login",
            now,
            object_type="user",
            object_id=user.id if user else None,
            outcome="denied",
            detail={"code": code},
        )
        return LoginFailed(message, code=code)

    # The owner's own source is spared the account-wide delay: a guesser elsewhere cannot lock them out.
    known = here.last_success_at is not None and now - here.last_success_at <= policy.known_source

    def delay() -> datetime | None:
        running = [
            until
            for until in (here.locked_until, None if known else everywhere.locked_until)
            if until is not None and until > now
        ]
        return max(running, default=None)

    if (until := delay()) is not None:
        raise refuse("throttled", delay_message(until, now))  # the password is not even checked
    if not _verify(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        _count_failure(here, now, policy.attempts, policy)
        _count_failure(everywhere, now, policy.account_attempts, policy)
        if (until := delay()) is not None:
            raise refuse("locked", delay_message(until, now))
        raise refuse("unknown_login" if user is None else "bad_password", GENERIC_REFUSAL)
    if not user.is_active:
        raise refuse("disabled", N_("账号已停用，请联系所在单位管理员"))
    here.failures, here.lockouts, here.locked_until = 0, 0, None
    here.last_success_at = now
    audit.record(session, actor, "login", now, object_type="user", object_id=user.id)
    return user


def sweep_throttles(session: Session, now: datetime, policy: LoginPolicy) -> int:
    """Forget throttles with nothing left to remember: no delay running, no failure for a day, and no
    success within the known-source period (run by `flask sweep`)."""
    quiet = now - QUIET_RESET
    result = session.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
            or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < quiet),
            or_(
                LoginThrottle.last_success_at.is_(None),
                LoginThrottle.last_success_at < now - policy.known_source,
            ),
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


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
    # The user's memberships (and their organisations) in the same statement: every request asks for
    # the role it works in, and a second round trip was a third of an unchanged poll's (issue 20).
    row = (
        session.scalars(
            select(AuthSession)
            .where(AuthSession.token_hash == _digest(token))
            .options(joinedload(AuthSession.user).joinedload(User.memberships))
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    last = max(seen, row.last_seen_at) if seen is not None else row.last_seen_at
    if now - last > policy.idle or now - row.created_at > policy.absolute or not row.user.is_active:
        return None
    return row


@dataclass(frozen=True)
class LiveLogin:
    """A login found live by `still_unchanged`: whose it is and until when its row holds by itself."""

    token_hash: str
    user_id: int
    ends_at: datetime  # the absolute limit: created + LoginPolicy.absolute


def still_unchanged(
    reader: Session | Connection,
    token: str,
    counters: tuple[tuple[str, int], ...],
    now: datetime,
    policy: LoginPolicy,
) -> LiveLogin | None:
    """The login behind `token` if it is still live by its row (not logged out or revoked, within the
    absolute limit, its user active) and every counter still holds the value seen, in one statement;
    else None.

    For an unchanged poll answered before the app (web/poll_shortcut.py, issue 20), which reads on a bare
    connection: the idle clock is the caller's (it is in the signed cookie), and what a full request
    would also check — the password's age, the role chosen — was checked by the request that remembered
    the answer, at most a minute before. What it returns is what services/change_feed.py needs to vouch
    for the same answer later without reading again."""
    token_hash = _digest(token)
    row = reader.execute(
        _still_unchanged_statement(len(counters)),
        {
            "token_hash": token_hash,
            "oldest": now - policy.absolute,
            **{f"name{i}": name for i, (name, _value) in enumerate(counters)},
        },
    ).first()
    if row is None or any(int(row[i + 2] or 0) != value for i, (_n, value) in enumerate(counters)):
        return None
    return LiveLogin(token_hash, int(row[0]), row[1] + policy.absolute)


@functools.cache
def _still_unchanged_statement(counters: int) -> Select[Any]:
    """Built once per number of counters: building it was a third of the shortcut's time."""
    values = [
        select(Version.value).where(Version.name == bindparam(f"name{i}")).scalar_subquery().label(f"v{i}")
        for i in range(counters)
    ]
    return (
        select(AuthSession.user_id, AuthSession.created_at, *values)
        .join(User, User.id == AuthSession.user_id)
        .where(
            AuthSession.token_hash == bindparam("token_hash"),
            AuthSession.created_at >= bindparam("oldest", type_=AuthSession.created_at.type),
            User.is_active.is_(True),
        )
    )


def sweep_sessions(session: Session, now: datetime, policy: LoginPolicy) -> int:
    """Removes session rows past the absolute limit (no cookie can open them any more); returns how many.
    Idle rows younger than that stay until then: their idle clock is in the browser's cookie."""
    result = session.execute(delete(AuthSession).where(AuthSession.created_at < now - policy.absolute))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def end_session(session: Session, token: str, now: datetime, actor: Actor) -> None:
    """Delete the login's server-side session row (every copy of the cookie stops working) and audit the
    logout."""
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
        errors["current"] = N_("当前密码不正确")
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
        errors["confirm"] = N_("两次输入的新密码不一致")
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


def set_language(session: Session, user: User, value: str) -> Language:
    """Remember the interface language `user` chose (issue 24). Guarantees: only a language the portal
    speaks is stored (anything else is refused with ValidationFailed and nothing changes); the change is
    flushed, not committed. Not audited: a display preference, like the order of a list, decides nothing
    and shows no one's data."""
    try:
        language = Language(value)
    except ValueError:
        raise ValidationFailed({"language": N_("不支持的界面语言")}) from None
    user.language = language.value
    session.flush()
    return language
