"""Request-level context for views: the clock, the current actor and the role they act in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import current_app, g, request, session
from flask_login import UserMixin, current_user

from portal.extensions import db
from portal.models import Membership, StandIn, User
from portal.services import standins
from portal.services.actors import Actor, actor_for
from portal.services.calendar import today


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


def stand_ins() -> list[StandIn]:
    """The roles the user may act in today as a colleague's stand-in (cached per request)."""
    if "stand_ins" not in g:
        g.stand_ins = standins.active_for(db.session, current_account().id, today(now()))
    return g.stand_ins  # type: ignore[no-any-return]


def _chosen_stand_in() -> StandIn | None:
    chosen = session.get("membership_id")
    if isinstance(chosen, str) and chosen.startswith("standin:"):
        return next((s for s in stand_ins() if f"standin:{s.id}" == chosen), None)
    return None


def current_membership() -> Membership | None:
    """The staff role the user is working in: the one chosen in the session (their own, or a colleague's
    they stand in for today), else the first of their own."""
    stand_in = _chosen_stand_in()
    if stand_in is not None:
        return stand_in.membership
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
        stand_in = None if as_applicant else _chosen_stand_in()
        setattr(
            g,
            key,
            actor_for(
                current_account(),
                membership,
                ip=request.remote_addr or "",
                request_id=g.get("request_id", ""),
                stand_in_for=stand_in.membership.user_id if stand_in else None,
            ),
        )
    return getattr(g, key)  # type: ignore[no-any-return]
