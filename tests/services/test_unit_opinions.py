"""The unit's opinion on the 申报表 (PUB-05): its 公示情况 is the unit's own notice."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.services import unit_opinions
from tests.conftest import Clock
from tests.factories import (
    make_committee,
    make_committee_world,
    make_review_application,
    to_meeting,
)


def test_the_forms_notice_outcome_is_the_units_not_the_committee_offices(
    session: Session, clock: Clock
) -> None:
    # On the 评审 road the committee office publishes its 评前公示 (and later its result notice) after the
    # unit's; the form's 公示情况 showed the office's latest notice as the unit's.
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    before = unit_opinions.notice_outcome(session, application.id)
    clock.now = to_meeting(session, world, made, application, clock.now)
    assert unit_opinions.notice_outcome(session, application.id) == before
    assert before.endswith("公示期满无异议") and "评委会办事机构网站" not in before
