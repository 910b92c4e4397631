"""The test fixtures themselves: what the savepoint-per-test session leaves on its one connection."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.factories import make_world

SAVEPOINT_STEP = re.compile(r"^(ROLLBACK TO SAVEPOINT|RELEASE SAVEPOINT) (\S+)$")


def test_a_refused_request_leaves_no_savepoint_open(session: Session, login_as: Any) -> None:
    """A request rolled back to its savepoint releases it as well: otherwise every refused request
    leaves one more savepoint open, nesting the later ones deeper, and PostgreSQL walks that stack for
    every row version it reads (the security crawls' thousands of refusals made every statement slower
    than the last)."""
    world = make_world(session)
    browser = login_as(world.other_enterprise.handler)
    steps: list[tuple[str, str]] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if found := SAVEPOINT_STEP.match(" ".join(statement.split())):
            steps.append((found.group(1), found.group(2)))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", note)
    try:
        for _ in range(3):
            assert browser.get(f"/enterprise/applicants/{world.enterprise.handler.id}").status_code == 404
    finally:
        event.remove(connection, "before_cursor_execute", note)
    rolled_back = [name for step, name in steps if step == "ROLLBACK TO SAVEPOINT"]
    released = [name for step, name in steps if step == "RELEASE SAVEPOINT"]
    assert len(rolled_back) >= 3 and set(rolled_back) <= set(released)
