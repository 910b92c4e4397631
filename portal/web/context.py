"""Request-level context for views: the clock, the current actor and the role they act in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, g, request, session
from flask_login import UserMixin, current_user

from portal.models import Membership, User
from portal.services.actors import Actor, actor_for


class SessionUser(UserMixin):
    """Flask-Login's view of a login: the user plus the session token its cookie carries."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
        self.token = token

    def get_id(self) -> str:
        return self.token

    @property
    def is_active(self) -> bool:
        return self.user.is_active


def now() -> datetime:
    """The time for this request: real, or the clock a test set in config["PORTAL_CLOCK"]."""
    clock: Callable[[], datetime] | None = current_app.config.get("PORTAL_CLOCK")
    return clock() if clock else datetime.now(UTC)


def current_account() -> User:
    return current_user.user  # type: ignore[no-any-return]


def memberships() -> list[Membership]:
    return current_account().active_memberships


def current_membership() -> Membership | None:
    """The staff role the user is working in: the one chosen in the session, else the first."""
    options = memberships()
    chosen = session.get("membership_id")
    if not options or (chosen == 0 and current_account().employer_id is not None):
        return None
    return next((m for m in options if m.id == chosen), options[0])


def current_actor(*, as_applicant: bool = False) -> Actor:
    """The actor for this request (cached per request); as_applicant ignores staff roles."""
    key = "actor_applicant" if as_applicant else "actor"
    if key not in g:
        membership = None if as_applicant else current_membership()
        setattr(
            g,
            key,
            actor_for(
                current_account(),
                membership,
                ip=request.remote_addr or "",
                request_id=g.get("request_id", ""),
            ),
        )
    return getattr(g, key)  # type: ignore[no-any-return]
