"""Keyset cursors for long lists (the queue, the certificates): a page continues after the last row of the
one before, named in the URL by that row's time and id, so page 1,000 is an index range like page 1 and a
row added meanwhile neither repeats nor hides one (an offset would shift)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, literal, tuple_

from portal.models.base import UTCDateTime


def encode(moment: datetime, row_id: int) -> str:
    """The cursor after the row (``moment``, ``row_id``): ``20261207033500123456.4711`` (UTC, to the
    microsecond)."""
    return f"{moment.astimezone(UTC).strftime('%Y%m%d%H%M%S%f')}.{row_id}"


def decode(cursor: str | None) -> tuple[datetime, int] | None:
    """The row a cursor names; None for none or a malformed one (the list then starts at the top)."""
    if not cursor:
        return None
    try:
        stamp, ident = cursor.split(".", 1)
        return datetime.strptime(stamp, "%Y%m%d%H%M%S%f").replace(tzinfo=UTC), int(ident)
    except ValueError:
        return None


def beyond(moment: Any, row_id: Any, after: tuple[datetime, int], *, descending: bool) -> ColumnElement[bool]:
    """The rows that come after ``after`` in the order (``moment``, ``row_id``), newest first when
    ``descending``. A row-value comparison, not "a > x OR (a = x AND b > y)": both engines turn it into an
    index range, so a deep page starts where it should instead of walking the pages before it."""
    position = tuple_(moment, row_id)
    boundary = tuple_(literal(after[0], UTCDateTime()), literal(after[1]))
    return position < boundary if descending else position > boundary
