"""The unit's opinion (基层单位意见) cites the bureau's own notice: Dongchuan's 004 二(九)、004 一(四)
(EXP-04, REV-05) on the review page's hint and the leader's refusal, Nantong's 002 三(一)1 (PREQ-03)
when the annual assessment is not answered, and nothing under a profile whose notice does not state the
rule (every bureau was told Dongchuan's and Nantong's clauses)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.demo import DEMO_OPINION
from portal.domain.errors import ValidationFailed
from portal.models import Application, Recommendation, StaffRole
from portal.services import unit_opinions
from tests.conftest import Clock
from tests.factories import World, make_application, make_world
from tests.i18n.reading import in_english

PROFILES = ["kunming-2022", "zhenjiang-2024", "nantong-2023", "ganzhou-2022", "ganzhou-2026"]
HINT_ZH = "对申报人专业技术工作的评价和推荐情况"


def _in_unit_review(session: Session, clock: Clock, profile: str) -> tuple[World, Application]:
    """An application under the unit's review with no opinion yet, its bureau following ``profile``."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=2, unit_opinion=False)
    world.bureau.org.policy_profile = profile
    session.flush()
    return world, application


@pytest.mark.parametrize("profile", PROFILES)
def test_the_review_page_s_hint_cites_dongchuan_s_clauses_only_under_its_profile(
    session: Session, clock: Clock, login_as: Any, profile: str
) -> None:
    world, application = _in_unit_review(session, clock, profile)
    browser = login_as(world.enterprise.handler)
    page = browser.get(f"/review/applications/{application.id}").text
    hint = page.split('id="unit-opinion-title"')[1].split("</p>")[0]
    if profile == "kunming-2022":
        assert f"{HINT_ZH}（004 二(九)）；单位领导签批通过前须填写并明确推荐意见（004 一(四)）。" in hint
        english = in_english(browser).get(f"/review/applications/{application.id}").text
        assert "how they were recommended (004 2(9)); to be recorded" in english
        assert "before the unit's leader approves (004 1(4))." in english
    else:
        assert f"{HINT_ZH}；单位领导签批通过前须填写并明确推荐意见。" in hint and "004" not in hint


@pytest.mark.parametrize("profile", PROFILES)
def test_the_leader_s_refusal_cites_dongchuan_s_clauses_only_under_its_profile(
    session: Session, clock: Clock, profile: str
) -> None:
    world, application = _in_unit_review(session, clock, profile)
    refused = unit_opinions.refusal(session, application)
    assert refused is not None and refused.startswith("须先填写基层单位意见")
    handler = world.enterprise.actor(StaffRole.HANDLER)
    against = replace(DEMO_OPINION, recommendation=Recommendation.NOT_RECOMMEND.value)
    unit_opinions.record_opinion(session, handler, application.id, against, clock.now)
    not_recommended = unit_opinions.refusal(session, application)
    assert not_recommended is not None and "不同意推荐" in not_recommended
    if profile == "kunming-2022":
        assert refused.endswith("单位领导才能签批通过（004 二(九)、004 一(四)）")
        assert not_recommended.endswith("请不予通过并写明理由（004 二(九)、004 一(四)）")
    else:
        assert refused.endswith("单位领导才能签批通过")
        assert not_recommended.endswith("请不予通过并写明理由")


@pytest.mark.parametrize("profile", PROFILES)
def test_an_unanswered_assessment_cites_nantong_s_clause_only_under_its_profile(
    session: Session, clock: Clock, profile: str
) -> None:
    world, application = _in_unit_review(session, clock, profile)
    with pytest.raises(ValidationFailed) as refused:
        unit_opinions.record_opinion(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            application.id,
            unit_opinions.OpinionInput(),
            clock.now,
        )
    said = refused.value.fields["assessment_passed"]
    assert said == (
        "请确认年度考核是否合格（002 三(一)1）" if profile == "nantong-2023" else "请确认年度考核是否合格"
    )
