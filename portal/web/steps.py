"""One step of a page, answered the same way everywhere: a POST that calls one service (the step) and then
says how it went.

- Done: its message flashed and back to the page (303; 200 + HX-Redirect for htmx), the writes committed.
- Refused on fields (`ValidationFailed` with `.fields`) where the page has a form to mark: that page again
  with the messages next to the fields (422), the request's writes discarded.
- Refused otherwise (any other `DomainError`, `PermissionDenied` included, or field errors where no form
  shows them): the reason flashed on the page the step came from, the writes discarded (`discard`: the
  303 reads as a success, so the unit of work must be told) and back there (303). The service audited
  its refusal, which outlives the rollback; a `PermissionDenied` (raised before any rule is weighed:
  not this person's step) is audited here as the 403 page would have been (`access_denied`), so a
  refusal of the person is recorded whichever way it is shown.

One rule for the reason: a refusal's field messages, all of them joined with "；", else its message
(translated when the next page shows it, Chinese data marked: `i18n.notify`). A `PermissionDenied` from
the service is a refusal like the others, shown where the person pressed the button; the 403 page is for
routes the guards close (`staff_required`) and objects the actor may not see are a 404 (`NotFound` is no
`DomainError`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response

from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.i18n import joined
from portal.web.errors import audit_denied
from portal.web.htmx import see_other
from portal.web.i18n import notify
from portal.web.unit_of_work import discard

T = TypeVar("T")


def refusal_message(error: DomainError) -> str:
    """What a refusal says: its field messages joined with "；" when it has any, else its message."""
    fields = list(error.fields.values()) if isinstance(error, ValidationFailed) else []
    return joined(fields, "；") if fields else error.message


def refused(back: str, error: DomainError) -> Response:
    """A refused step: its reason flashed on the page it came from (303 to `back`), the writes discarded
    (a `PermissionDenied` audited as `access_denied`)."""
    if isinstance(error, PermissionDenied):
        audit_denied(403)  # the refusal a 403 page would have been; written after the rollback
    notify(refusal_message(error), "error")  # in the reader's language, Chinese data marked
    return discard(see_other(back))


def run_step(
    step: Callable[[], T],
    *,
    back: str,
    done: str | Callable[[T], str],
    page_with_errors: Callable[[dict[str, str]], Response] | None = None,
    then: str | None = None,
) -> Response:
    """Run `step` and answer for it (the module's rules).

    `back`: the page the step came from (where a refusal is shown); `then`: where a done step goes, when
    not back (e.g. back with an anchor). `done`: the success message (a msgid or a `Text`, never words
    already translated: flashed through `notify`, translated when shown), or a function of the step's
    result that returns it (it may flash more first). `page_with_errors`: the page again with the field
    errors, its status 422; without it, field errors are flashed like any other refusal.
    """
    try:
        result = step()
    except ValidationFailed as invalid:
        if invalid.fields and page_with_errors is not None:
            return discard(page_with_errors(invalid.fields))
        return refused(back, invalid)
    except DomainError as error:
        return refused(back, error)
    notify(done(result) if callable(done) else done, "success")
    return see_other(then or back)


def kept_preview(read: Callable[[], T], *, back: str, page: Callable[[T], Response]) -> Response:
    """The preview of an uploaded file kept for a later apply step, as a GET page (Post/Redirect/Get: the
    upload's POST keeps the file and answers 303 here, so Back after the apply and a reload re-read the
    kept file rather than asking to post it again). `read()` re-derives the verdicts from the kept file
    (NotFound, for a file not the reader's, is the 404 page); a kept file that no longer reads goes back
    to `back` with its reason. Whatever the reading looked up is discarded: a preview records nothing."""
    try:
        found = read()
    except DomainError as unreadable:
        return refused(back, unreadable)
    return discard(page(found))
