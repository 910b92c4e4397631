"""All or nothing for a use case that may refuse after it has started writing.

Most services check everything first and write last, so a refusal leaves nothing behind. The few that
cannot (publishing a notice moves each applicant in turn and the third may refuse; an import claims
its batch before the database can say an ID number was taken meanwhile) run inside a savepoint: a
refusal rolls back their writes, and only theirs, so the view can answer from the state before the
attempt while the request's unit of work goes on. A refusal audited inside (audit.record_attempt)
is written again before the next commit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


def atomic(service: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Run `service(session, ...)` in a savepoint: if it raises, none of its writes remain."""

    @wraps(service)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with session.begin_nested():
            return service(session, *args, **kwargs)

    return run
