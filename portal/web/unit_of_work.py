"""One unit of work per request: the only place in portal/web that commits or rolls back.

The request's life: load → check → call a service (which flushes, never commits) → respond → here.
When the answer is ready, the response says how the request went: below 400 it succeeded and its
writes are committed; 400 and above (a form sent back with errors, a refusal, an error page, a crash)
it failed and they are rolled back. Two answers say otherwise and are marked by the view:

- `discard(response)`: a refusal answered with a redirect and a flash (303), or a check that must
  leave nothing behind: rolled back although the status reads as a success.
- `keep(response)`: an answer with errors that still saved something on purpose (the 申报表 keeps every
  valid field; a failed login keeps its attempt count): committed although the status is 422.

A refused or failed attempt is audited through audit.record_attempt and outlives the rollback: the
audit service writes it again and it is committed here, in a short transaction of its own. Callbacks
queued with `after_commit` run only once the commit has succeeded (e.g. a message that must not leave
for work that was rolled back); a failed request drops them.

Why an after_request/teardown pair rather than a decorator on each view (indico's RH.process does it in
its one base class): every answer passes through after_request — the views', the error handlers'
(where an access refusal is audited), and those of before_request hooks (CSRF, forced password
change, rate limits) — so no view can forget it, and it runs after the other after_request hooks,
which may still read through the session (it is registered first, and Flask runs them in reverse).
A commit that fails raises from here into Flask's handling of unexpected errors: the client gets the
500 page, never a success page for work that was not saved. teardown_request rolls back whatever an
exception that escaped the handlers left open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import StrEnum

from flask import Flask, Response, g

from portal.extensions import db
from portal.services import audit

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What the unit of work does with the request's writes when the view has marked the answer."""

    COMMIT = "commit"
    ROLLBACK = "rollback"


_OUTCOME = "unit_of_work_outcome"
_AFTER_COMMIT = "unit_of_work_after_commit"


def discard(response: Response) -> Response:
    """Answer with `response`, but roll the request's writes back (its audited refusals are kept)."""
    setattr(g, _OUTCOME, Outcome.ROLLBACK)
    return response


def keep(response: Response) -> Response:
    """Answer with `response` (an error status), but commit what the request saved on purpose."""
    setattr(g, _OUTCOME, Outcome.COMMIT)
    return response


def abandon() -> None:
    """Roll the request's writes back now, before an error page is rendered (a database or another part
    that went away leaves the transaction unusable); never raises: the connection may be broken too."""
    setattr(g, _OUTCOME, Outcome.ROLLBACK)
    try:
        _roll_back()
    except Exception:  # pragma: no cover - the connection itself is broken
        log.warning("rollback after an unavailable part failed too", exc_info=True)


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once this request's writes are committed; never if they are rolled back."""
    g.setdefault(_AFTER_COMMIT, []).append(callback)


def outcome_of(response: Response) -> Outcome:
    """The view's mark if it set one, else the status: a success commits, an error rolls back."""
    marked: Outcome | None = g.get(_OUTCOME)
    if marked is not None:
        return marked
    return Outcome.COMMIT if response.status_code < 400 else Outcome.ROLLBACK


def _keep_attempts() -> None:
    """After a rollback: the refused attempts it took away, written again and committed on their own."""
    try:
        if audit.restore_attempts(db.session):
            db.session.commit()
    except Exception:  # the refusal itself must still be answered
        log.exception("could not audit a refused attempt")
        db.session.rollback()


def register_unit_of_work(app: Flask) -> None:
    """Install the pair; call before any other after_request hook is registered (it must run last)."""

    @app.after_request
    def _finish(response: Response) -> Response:
        if not db.session.registry.has():  # the request never opened a session: nothing to do
            return response
        if outcome_of(response) is Outcome.COMMIT:
            try:
                db.session.commit()
            except Exception:
                # Flask answers with the 500 page and runs this hook again for it: roll back then.
                setattr(g, _OUTCOME, Outcome.ROLLBACK)
                _roll_back()
                raise
            for callback in g.pop(_AFTER_COMMIT, []):
                try:
                    callback()
                except Exception:  # the work is saved; a follow-up that failed is reported, not undone
                    log.exception("an after-commit step failed")
        else:
            _roll_back()
        return response

    @app.teardown_request
    def _roll_back_on_error(error: BaseException | None) -> None:
        if error is not None and db.session.registry.has():
            _roll_back()


def _roll_back() -> None:
    db.session.rollback()
    g.pop(_AFTER_COMMIT, None)
    _keep_attempts()
