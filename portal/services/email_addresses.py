"""A person's e-mail address and which notices it gets (issue 21 point 6).

Guarantees:
- an address is mailed notices only once its owner opened the signed link sent to it
  (`users.email_verified_at`); until then it gets nothing but the verification e-mail;
- the link is an itsdangerous URLSafeTimedSerializer token signed with the app's secret and its own salt,
  naming the user and the address; it expires after `LINK_VALID` and verifies once: a used link, a link
  for an address that was changed since, an expired or altered link are each refused with their reason;
- every change of address (set, changed, removed) and every verification is audited;
- the choice of topics is stored as opt-outs (portal.domain.mail): every topic is on until switched off;
  security notices (EmailTopic.SECURITY) are never off, whatever the form posts.

Services flush, never commit; the web layer sends the verification e-mail once the change is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_
from portal.domain.mail import OPTIONAL_TOPICS, EmailTopic, address_problem, normalise_address
from portal.models import EmailOptOut, User
from portal.services import audit
from portal.services.actors import Actor

SALT = "portal-email-verification"  # tokens of this purpose only: no other signed value verifies an address
LINK_VALID = timedelta(days=3)


@dataclass(frozen=True)
class AddressState:
    """What the account's e-mail page shows."""

    address: str
    verified_at: datetime | None
    topics_on: frozenset[EmailTopic]

    @property
    def verified(self) -> bool:
        return bool(self.address) and self.verified_at is not None


def state_of(session: Session, user: User) -> AddressState:
    """The user's address, whether it is verified, and the topics it gets."""
    return AddressState(
        address=user.email or "",
        verified_at=user.email_verified_at if user.email else None,
        topics_on=frozenset(EmailTopic) - opted_out(session, user.id),
    )


def opted_out(session: Session, user_id: int) -> frozenset[EmailTopic]:
    """The topics the user switched off."""
    rows = session.scalars(select(EmailOptOut.topic).where(EmailOptOut.user_id == user_id))
    return frozenset(EmailTopic(topic) for topic in rows)


def set_address(session: Session, user: User, value: str, actor: Actor, now: datetime) -> bool:
    """Give the user a new address (unverified until its link is opened). Returns True when the address
    changed (a verification e-mail is due), False when it is the one already stored. Refuses a malformed
    address with ValidationFailed on the field `email`, changing nothing."""
    address = normalise_address(value)
    problem = address_problem(address)
    if problem:
        raise ValidationFailed({"email": problem})
    if address == (user.email or ""):
        return False
    previous = user.email or ""
    user.email, user.email_verified_at = address, None
    audit.record(
        session,
        actor,
        "change_email",
        now,
        object_type="user",
        object_id=user.id,
        detail={"from": previous, "to": address},
    )
    session.flush()
    return True


def remove_address(session: Session, user: User, actor: Actor, now: datetime) -> None:
    """Remove the user's address: no e-mail is sent any more (the inbox keeps every notice)."""
    if not user.email:
        return
    audit.record(
        session,
        actor,
        "remove_email",
        now,
        object_type="user",
        object_id=user.id,
        detail={"from": user.email},
    )
    user.email, user.email_verified_at = None, None
    session.flush()


def set_topics(session: Session, user: User, topics_on: set[EmailTopic]) -> None:
    """Keep the topics in `topics_on` on and switch every other optional one off (security notices stay on
    whatever is asked). Not audited: a preference about the user's own mail, which decides nothing and
    shows no one's data (as the interface language)."""
    off = frozenset(OPTIONAL_TOPICS) - topics_on
    had = opted_out(session, user.id)
    # Only what changed: the same choice saved again writes nothing.
    if had - off:
        session.execute(
            delete(EmailOptOut).where(
                EmailOptOut.user_id == user.id, EmailOptOut.topic.in_([t.value for t in had - off])
            )
        )
    for topic in sorted(off - had):
        session.add(EmailOptOut(user_id=user.id, topic=topic.value))
    session.flush()


def _serializer(secret: str, now: datetime) -> URLSafeTimedSerializer:
    """The serializer whose clock is the app's (`now`), so a token's age is measured as the app sees time."""

    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret, salt=SALT, signer=Signer)


def verification_token(secret: str, user: User, now: datetime) -> str:
    """The signed token of the user's current address (for the link in the verification e-mail)."""
    if not user.email:
        raise DomainError(N_("请先填写电子邮箱地址"), code="no_address")
    return _serializer(secret, now).dumps({"user": user.id, "email": user.email})


def check_token(session: Session, secret: str, token: str, now: datetime) -> User:
    """The user whose current, unverified address `token` verifies; raises DomainError saying why not
    (expired, altered, the address changed since, already verified). Reads only."""
    try:
        payload = _serializer(secret, now).loads(token, max_age=int(LINK_VALID.total_seconds()))
    except SignatureExpired:
        raise DomainError(
            N_("验证链接已过期（有效期3天）。请登录后在“电子邮箱”页面重新发送验证邮件。"), code="expired"
        ) from None
    except BadSignature:
        raise DomainError(
            N_("验证链接无效：链接不完整或已被改动。请打开邮件中的完整链接，或重新发送验证邮件。"),
            code="bad_link",
        ) from None
    user = session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or not user.is_active:
        raise DomainError(N_("验证链接无效：找不到对应的账号。"), code="bad_link")
    if user.email != payload.get("email"):
        raise DomainError(
            N_("此链接对应的邮箱地址已更改，不能再用于验证。请使用最新一封验证邮件中的链接。"), code="changed"
        )
    if user.email_verified_at is not None:
        raise DomainError(N_("此链接已使用过：该邮箱地址已验证，无需再次验证。"), code="used")
    return user


def verify(session: Session, secret: str, token: str, now: datetime, actor: Actor | None) -> User:
    """Mark the address the token names verified (once); refused as `check_token` says. Audited."""
    user = check_token(session, secret, token, now)
    user.email_verified_at = now
    audit.record(
        session,
        actor or Actor(user_id=user.id, name=user.name),  # the link works logged out: its owner acts
        "verify_email",
        now,
        object_type="user",
        object_id=user.id,
        detail={"email": user.email},
    )
    session.flush()
    return user
