"""The portal's own words read in English even beside Chinese data: a unit's ownership after its name on
the review page, a prior title's level in 职称确认. They were written inside the name's lang="zh-CN"
element, so the English crawl (which accepts any Chinese marked as Chinese) let them through untranslated."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import StaffRole
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_world, with_title_elsewhere
from tests.i18n.reading import assert_english, in_english
from tests.web.test_confirmations import _dongchuan, _staff


def test_the_review_page_names_the_unit_s_ownership_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    reviewer = in_english(
        login_as(world.enterprise.leader, membership_id=world.enterprise.leader_membership.id)
    )
    page = reviewer.get(f"/review/applications/{application.id}").text
    unit = world.enterprise.org.name
    assert f'<span lang="zh-CN">{unit}</span> (State-owned)' in page and "（国有）" not in page


def test_a_prior_title_s_level_reads_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    world, _, application = _dongchuan(session, clock.now)
    row_id = with_title_elsewhere(session, application, clock.now)
    hr = in_english(_staff(login_as, world.enterprise, StaffRole.HANDLER))
    asked = hr.post(
        f"/committees/confirmations/applications/{application.id}",
        data={"row_id": str(row_id), f"origin_{row_id}": "other_province"},
    )
    assert asked.status_code == 303
    page = hr.get(f"/committees/confirmations/applications/{application.id}").text
    assert '<span lang="zh-CN">工程师</span> (Intermediate level)' in page and "（中级）" not in page
    assert_english(page)
