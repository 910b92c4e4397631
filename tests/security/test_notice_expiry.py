"""Issue 16.15 (T-PRIV-02): a notice's public page shows who is in it — names, masked ID numbers, work
summaries — for its period and the days after it that the bureau's policy profile gives
(`workflow.notice_public_days`, policy data with a citation or `confirmed = false`), then only that it has
ended: 410, no names, no ID digits, no summaries, no title (HR may write names into it), page and htmx
fragment alike, never indexed. Driven by the clock, with and without a profile."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.domain.policy import load_profiles
from portal.domain.workflow import Status
from portal.models import Notice, StaffRole
from portal.services import notices
from tests.conftest import Clock
from tests.factories import FILLED, STEPS_TO, World, make_application, make_world
from tests.services.test_notices import at_shanghai

TITLE = "关于拟推荐李四光等同志申报中级职称的公示"
ID_DIGITS = re.compile(r"\d{4}")


def _published(session: Session, world: World, clock: Clock) -> Notice:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    data = notices.NoticeInput(TITLE, "一楼公示栏", "人事部 0797-1234567", "2026-09-29")
    notice = notices.draft_notice(
        session, world.enterprise.actor(StaffRole.HANDLER), data, [application.id], clock.now
    )
    return notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, clock.now)


def _late_evening(day: date) -> datetime:
    return at_shanghai(day) + timedelta(hours=13, minutes=59)  # 23:59 in Shanghai


@pytest.mark.parametrize("profile", [None, "ganzhou-2026"])
def test_the_page_shows_who_was_in_it_for_the_period_and_the_days_after_then_only_that_it_ended(
    session: Session, clock: Clock, client: FlaskClient, profile: str | None
) -> None:
    world = make_world(session)
    notice = _published(session, world, clock)
    world.bureau.org.policy_profile = profile  # after the application went through: no window needed
    session.flush()
    applicant = notice.entries[0].application.applicant
    summary = FILLED["summary"]
    days = notices.public_days_after(session, notice)
    expected = load_profiles()[profile].workflow.notice_public_days if profile else None
    assert days == (expected.value if expected else notices.PUBLIC_DAYS_AFTER)
    url = f"/public/notices/{notice.public_token}"

    shown = [notice.first_day, notice.last_day, notice.last_day + timedelta(days=days)]
    for day in shown:
        clock.now = _late_evening(day)
        page = client.get(url)
        assert page.status_code == 200, day
        assert applicant.name in page.text and applicant.id_number[-4:] in page.text
        assert summary in page.text and TITLE in page.text

    clock.now = at_shanghai(notice.last_day + timedelta(days=days + 1))  # midnight: the next day
    for response in (client.get(url), client.get(url, headers={"HX-Request": "true"})):
        assert response.status_code == 410
        body = response.text
        assert "公示已结束" in body and world.enterprise.org.name in body
        assert applicant.name not in body and summary[:6] not in body and TITLE not in body
        assert "李四光" not in body and "土木工程" not in body and "南昌大学" not in body
        # What a reader sees (markup, scripts' data such as the page's escaped ui-words, and tokens aside),
        # without the unit's name (the factory's names carry digits): no ID digits, and no run of digits
        # before the period (which holds dates).
        # After the <body> tag itself: its hx-headers attribute carries the CSRF token, whose random
        # characters held four digits in a row once in a while (a flaky failure, not a leak).
        inside = body.split("<body", 1)[-1].split(">", 1)[-1]
        shown = re.sub(r"<script\b.*?</script>", " ", inside, flags=re.S)
        visible = re.sub(r"<[^>]*>", " ", shown).replace(world.enterprise.org.name, "")
        assert applicant.id_number[-4:] not in visible
        assert not ID_DIGITS.search(visible.split("公示期：")[0])
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    objection = client.post(f"{url}/objections", data={"name": "群众", "contact": "1", "text": "x"})
    assert applicant.name not in objection.text and summary[:6] not in objection.text


def test_every_profile_says_how_long_with_a_citation() -> None:
    for profile in load_profiles().values():
        rule = profile.workflow.notice_public_days
        assert rule is not None, profile.id
        assert re.match(r"^\d{3}", rule.citation) and (rule.confirmed or rule.note), profile.id
