"""One effect per rendered form for the forms no compare-and-set protects (issue 17.2).

Reviews and submissions carry the application's version (a second post of the same form is stale), new
records meet unique rules (one open application, one account per number). Uploads had nothing: a double
click on 上传 stored the file twice. Such a form carries a one-time token (``new_form_token()`` in a hidden
field, rendered fresh each time), and its view is wrapped in :func:`once_per_form`, which claims the token
in the request's transaction before the view runs (portal.services.submissions: a unique row). A refused
request is rolled back by the unit of work (portal.web.unit_of_work), which releases the token, so the
corrected form goes through; a second post of a form that took effect is answered with the page the first
one led to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, flash, request

from portal.domain.errors import DomainError
from portal.extensions import db
from portal.services import submissions
from portal.web.context import now
from portal.web.errors import error_response
from portal.web.htmx import see_other
from portal.web.unit_of_work import discard

F = TypeVar("F", bound=Callable[..., Response])


def once_per_form(then: Callable[..., str], *, load: Callable[..., object] | None = None) -> Callable[[F], F]:
    """Wrap a POST view (inside its access guard): ``then(**view_args)`` is where a repeated post goes;
    ``load(**view_args)`` first loads the object the URL names through its scope, so another tenant's id
    is a 404 before the token is even read."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            if load is not None:
                load(**kwargs)
            try:
                submissions.claim(
                    db.session, request.form.get("form_token", ""), request.endpoint or "", now()
                )
            except submissions.AlreadySubmitted:
                flash("该表单已经提交过，本次未重复办理", "info")
                return discard(see_other(then(**kwargs)))
            except DomainError as refused:
                return error_response(422, refused.message)  # a 422: the unit of work rolls back
            return view(**kwargs)

        return cast(F, wrapper)

    return decorate
