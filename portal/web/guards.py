"""Route guards: login, and the kind of role a route is for. The object check happens in the service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, url_for
from flask_login import current_user, login_required

from portal.domain.errors import PermissionDenied
from portal.domain.i18n import N_
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


# Who opens the bureau admin's pages, said to whoever is refused one: the 403 page's own words send them to
# 所在单位的管理员, which an enterprise's or a department's admin is (walk5 #13: refused the audit log, an
# admin was told to ask themselves).
BUREAU_ADMIN_PAGE = N_("此页面只有人社局系统管理员可以打开。如需查看或办理，请联系人社局系统管理员。")


def admin_required(view: F) -> F:
    """Logged in as an admin of a bureau (人社局系统管理员); anyone else is refused (403) with who may open
    the page."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        membership = current_membership()
        if (
            membership is None
            or StaffRole(membership.role) is not StaffRole.ADMIN
            or OrgKind(membership.org.kind) is not OrgKind.BUREAU
        ):
            raise PermissionDenied(BUREAU_ADMIN_PAGE)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def is_logged_in() -> bool:
    return bool(current_user.is_authenticated)
