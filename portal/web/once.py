"""One effect per rendered form for the forms no compare-and-set protects (issue 17.2).

Reviews and submissions carry the application's version (a second post of the same form is stale), new
records meet unique rules (one open application, one account per number). Uploads had nothing: a double
click on 上传 stored the file twice. Such a form carries a one-time token (``new_form_token()`` in a hidden
field, rendered fresh each time), and its view is wrapped in :func:`once_per_form`, which claims the token
in the request's transaction before the view runs (portal.services.submissions: a unique row). A refused
request is rolled back by the unit of work (portal.web.unit_of_work), which releases the token, so the
corrected form goes through; a second post of a form that took effect is answered with the page the first
one led to. Where that page is the record the first post made (an upload's preview), the view names it with
:func:`created` and the decorator's ``again`` sends the second post there too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Response, g, request

from portal.domain.errors import DomainError
from portal.domain.i18n import N_
from portal.extensions import db
from portal.services import submissions
from portal.web.context import now
from portal.web.errors import error_response
from portal.web.htmx import see_other
from portal.web.i18n import notify
from portal.web.unit_of_work import discard

F = TypeVar("F", bound=Callable[..., Response])


def once_per_form(
    then: Callable[..., str],
    *,
    load: Callable[..., object] | None = None,
    again: Callable[..., str] | None = None,
) -> Callable[[F], F]:
    """Wrap a POST view (inside its access guard): ``then(**view_args)`` is where a repeated post goes;
    ``again(object_id, **view_args)`` instead, when given and the first post named what it made
    (:func:`created`): a double-clicked upload lands on the preview the first one opened, not on the form
    it came from. ``load(**view_args)`` first loads the object the URL names through its scope, so another
    tenant's id is a 404 before the token is even read."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            if load is not None:
                load(**kwargs)
            try:
                g.form_submission = submissions.claim(
                    db.session, request.form.get("form_token", ""), request.endpoint or "", now()
                )
            except submissions.AlreadySubmitted as repeated:
                notify(N_("该表单已经提交过，本次未重复办理"), "info")
                first = repeated.submission.object_id
                # The second post waited for the first one's commit (the token's unique row), so what the
                # first made is named by now; its page loads it through its scope as any GET does.
                where = again(first, **kwargs) if again is not None and first is not None else then(**kwargs)
                return discard(see_other(where))
            except DomainError as refused:
                return error_response(422, refused.message)  # a 422: the unit of work rolls back
            return view(**kwargs)

        return cast(F, wrapper)

    return decorate


def created(object_type: str, object_id: int) -> None:
    """Name what the form's post made (in the same transaction as the token's claim), so that a repeated
    post of the form goes where this one did (``once_per_form``'s ``again``)."""
    row = g.get("form_submission")
    if row is not None:
        submissions.settle(row, object_type, object_id)
