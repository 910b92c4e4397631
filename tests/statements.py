"""Record the SQL a block of code sends: the tests that hold a page's or a service's statement count constant
(issue 20's "a test, not a timing") and those that look for a table's reads share this one recorder."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, event

# Transaction control the savepoint-per-test fixture and the unit of work add around every request: not
# statements the code under test chose to send.
_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")


@contextlib.contextmanager
def recorded(bind: Engine | Connection | type[Engine]) -> Iterator[list[str]]:
    """The statements sent through ``bind`` while the block runs, whitespace collapsed, transaction control
    left out. The list is live: a test may clear it between requests."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith(_CONTROL):
            sent.append(" ".join(statement.split()))

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(bind, "before_cursor_execute", record)


def read_page(client: Any, bind: Engine | Connection | type[Engine], url: str) -> tuple[list[str], str]:
    """The statements a GET of ``url`` sends, and the page's text. A first GET goes before, unrecorded: the
    cookie's idle clock is re-signed once, which is no work of the page's."""
    client.get(url)
    with recorded(bind) as sent:
        text = client.get(url).text
    return sent, text
