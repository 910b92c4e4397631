"""Route guards: login, and the kind of role a route is for. The object check happens in the service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, url_for
from flask_login import current_user, login_required

from portal.models import OrgKind, StaffRole
from portal.web.context import current_account, current_membership
from portal.web.htmx import redirect_to

F = TypeVar("F", bound=Callable[..., Any])


def staff_required(
    *kinds: OrgKind, roles: tuple[StaffRole, ...] = (StaffRole.HANDLER, StaffRole.LEADER)
) -> Callable[[F], F]:
    """Logged in, acting in a staff role of one of `roles` in an organisation of one of `kinds`."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            membership = current_membership()
            if membership is None or StaffRole(membership.role) not in roles:
                abort(403)
            if kinds and OrgKind(membership.org.kind) not in kinds:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def applicant_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        account = current_account()
        if account.awaits_employer:  # registered themselves (ACC-04): nothing to apply with until attached
            return redirect_to(url_for("auth.awaiting_employer"))
        if account.employer_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    return staff_required(OrgKind.BUREAU, roles=(StaffRole.ADMIN,))(view)


def is_logged_in() -> bool:
    return bool(current_user.is_authenticated)
