"""The step diagram on the case page names who holds the meeting's vote: the committee's experts (its
office records it), in Chinese and in English, never the office's handler."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import committee_road
from tests.i18n.reading import in_english

STEP = re.compile(
    r'<span class="step-title">([^<]*)</span>\s*'
    r'<span class="step-org">(.*?)</span>\s*<span class="step-state">'
)


def _holder(html: str, title: str) -> str:
    found = {t: org for t, org in STEP.findall(html)}
    return found[title]


def test_the_meeting_step_is_held_by_the_committee_s_experts_in_both_languages(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, _made, application = committee_road(session, clock)
    browser = login_as(world.bureau.leader)
    chinese = browser.get(f"/review/applications/{application.id}").text
    assert _holder(chinese, "评审会议表决").endswith(" · 评审专家（办事机构记录表决）")
    english = in_english(browser).get(f"/review/applications/{application.id}").text
    assert _holder(english, "Vote at the review meeting").endswith(
        " · Review experts (the office records the vote)"
    )
