"""Rulebook guards of the full 申报表 (issue 21), registered in services.rulebook's registry on import.

- `unit_opinion`: the unit's leader approves (领导签批通过 at unit review) only once the unit's opinion
  (基层单位意见) is recorded and recommends: EXP-04 (004 二(九)), REV-05 (004 一(四)), with the annual
  assessment attested (PREQ-03, 002 三(一)1). The refusal cites the bureau's profile's clauses
  (`unit_opinions.OpinionClauses`: Dongchuan's), none where its notice states none.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import Application
from portal.services import unit_opinions
from portal.services.rulebook import Attempt, Case, guard, page_read


@guard(Action.LEADER_APPROVE, clause="EXP-04、REV-05 (the profile's opinion clauses)", name="unit_opinion")
def unit_opinion_recorded(case: Case, action: Action, attempt: Attempt) -> str | None:
    """The unit recommends in a complete, structured opinion before its leader signs."""
    if case.status is not Status.UNIT_REVIEW:
        return None
    return unit_opinions.refusal(case.session, case.application)


@page_read
def _opinions_of_the_page(session: Session, rows: list[tuple[Application, list[Action]]]) -> None:
    """The unit's opinions of a page's rows its leader may sign, in one statement (an enterprise leader's
    待签批 read one per row)."""
    signing = [a for a, actions in rows if Action.LEADER_APPROVE in actions]
    unit_opinions.read_opinions(session, [a.id for a in signing if a.state is Status.UNIT_REVIEW])
