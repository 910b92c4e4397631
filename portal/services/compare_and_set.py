"""Compare-and-set: a step of a state machine written as one UPDATE that changes the row only while it
still holds a status the caller expects (and, for a versioned row, the version the caller read).

A repeated click, a second tab or a colleague's concurrent step then changes nothing, and the caller
raises `StaleObject` ("refresh and try again") instead of writing over what the other step decided. The
row is refreshed either way, so the caller reads what the database holds. Used by the committee's calls,
meetings and title confirmations and the account transfers; the application's own transition
(services.transitions) writes more around its update (its refusal record, the review step) and keeps its
own statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.domain.errors import StaleObject
from portal.models import Base


def compare_and_set(
    session: Session, row: Base, expected: Iterable[StrEnum], *, versioned: bool = True, **values: Any
) -> None:
    """Write `values` to `row` if its status is one of `expected` (and its version unchanged, the version
    going up by one); refresh it; raise StaleObject when another step got there first."""
    model: Any = type(row)
    where = [model.id == row.id, model.status.in_([status.value for status in expected])]  # type: ignore[attr-defined]
    if versioned:
        where.append(model.version == row.version)  # type: ignore[attr-defined]
        values = {"version": model.version + 1, **values}
    result = session.execute(
        update(model).where(*where).values(**values).execution_options(synchronize_session=False)
    )
    session.refresh(row)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise StaleObject()
