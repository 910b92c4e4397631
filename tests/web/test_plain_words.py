"""Issue 17.9: applicants saw internal codes (MAT-01, SI-02, the spec's §8 #10) and "待人工审核" without
saying who reviews what. They now read plain words and the notice's own clause; the rule ids are for staff,
on hover (a title), on the review page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from sqlalchemy.orm import Session

from portal.domain.text import split_rule_ids
from tests.conftest import Clock
from tests.factories import make_application, make_world

RULE_ID = re.compile(r"\b[A-Z]{2,6}-[0-9]{2}\b|§")


class VisibleText(HTMLParser):
    """The text a reader sees (no attributes, no scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible(html: str) -> str:
    reader = VisibleText()
    reader.feed(html)
    return " ".join(reader.parts)


def test_split_keeps_the_clause_and_hands_back_the_ids() -> None:
    assert split_rule_ids("001 三(四)：单位名称不一致须上传隶属关系证明（SI-02, MAT-06）") == (
        "001 三(四)：单位名称不一致须上传隶属关系证明",
        ["SI-02", "MAT-06"],
    )
    assert split_rule_ids("001 四(三)（MAT-01）；002 五(二)（MAT-08）") == (
        "001 四(三)；002 五(二)",
        ["MAT-01", "MAT-08"],
    )


def test_the_applicant_reads_no_rule_ids_and_staff_get_them_on_hover(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session, policy_profile="ganzhou-2026")
    clock.now = datetime(2026, 10, 21, 2, 0, tzinfo=UTC)
    application = make_application(session, world, clock.now)
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    shown = visible(page)
    assert "依据：001 四(三)" in shown  # the notice's clause stays
    assert RULE_ID.findall(shown) == [], RULE_ID.findall(shown)
    assert "待人工审核" not in shown and "由用人单位经办人初审时核对" in shown
    review = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert re.search(r'title="规则编号：[A-Z]{2,6}-[0-9]{2}', review)
