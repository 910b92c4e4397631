"""A well-written date that is not in the calendar (2026-02-30, 2026-13-01) is said not to exist on every
form where a date is typed, as the audit viewer and the calendar's import say it (dates.no_such_day), not
answered with the field's format message, which reads as if 年-月-日 were not what was typed. Checked on
the 申报表 (a work period), the committee office's meeting date and the bureau's new committee, in Chinese
and in English; a date written otherwise keeps each field's own format message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from portal.services.calendar import today
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.factories import committee_road, make_application, make_committee_world, make_world, staff_login
from tests.i18n.reading import assert_english, in_english

NO_SUCH_DAY = "日期“{}”不存在，请核对月份和日"
NO_SUCH_DAY_EN = "The date “{}” does not exist; check the month and the day"


def _work_period(started_on: str) -> dict[str, str]:
    return {
        "_sections": "work",
        "work-0-employer": "某某机械有限公司",
        "work-0-post": "设计员",
        "work-0-professional": "是",
        "work-0-started_on": started_on,
    }


def test_the_application_form_says_a_work_period_s_day_does_not_exist(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now)
    browser = login_as(application.applicant)
    url = f"/me/applications/{application.id}/form"

    refused = browser.post(url, data=_work_period("2026-02-30"))
    assert refused.status_code == 422
    assert NO_SUCH_DAY.format("2026-02-30") in refused.text
    assert 'value="2026-02-30"' in refused.text  # nothing typed is lost
    badly = browser.post(url, data=_work_period("2026/02/03"))
    assert badly.status_code == 422 and "日期格式应为 年-月-日，例如 2020-07-01" in badly.text

    english = in_english(browser).post(url, data=_work_period("2026-13-01"))
    assert english.status_code == 422
    assert NO_SUCH_DAY_EN.format("2026-13-01") in english.text


def test_the_office_s_meeting_date_that_does_not_exist_is_said_so(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _, made, _ = committee_road(session, clock)
    handler = staff_login(login_as, made.office)

    def plan(held_on: str) -> Any:
        data = {"held_on": held_on, "place": "市人社局会议室", "form_token": new_token()}
        return handler.post("/committees/meetings", data=data)

    year = today(clock.now).year + 1
    refused = plan(f"{year}-02-30")
    assert refused.status_code == 422
    assert NO_SUCH_DAY.format(f"{year}-02-30") in refused.text and "请填写会议日期" not in refused.text
    badly = plan("下个月")
    assert badly.status_code == 422 and "请填写会议日期，例如 2026-11-20" in badly.text

    in_english(handler)
    refused = plan(f"{year}-04-31")
    assert refused.status_code == 422
    assert NO_SUCH_DAY_EN.format(f"{year}-04-31") in refused.text
    assert_english(refused.text)
    # A valid date does what it did: the meeting is planned.
    assert plan((today(clock.now) + timedelta(days=30)).isoformat()).status_code == 303


def test_a_new_committee_s_intake_date_that_does_not_exist_is_said_so(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_committee_world(session, clock.now)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    data = {"name": "", "forming_unit": "", "kind": "provincial", "intake_opens": "2026-02-30"}

    refused = admin.post("/committees", data=data)
    assert refused.status_code == 422
    assert NO_SUCH_DAY.format("2026-02-30") in refused.text
    assert "日期格式应为 年-月-日，例如 2026-03-15" not in refused.text
    badly = admin.post("/committees", data={**data, "intake_opens": "2026年3月"})
    assert "日期格式应为 年-月-日，例如 2026-03-15" in badly.text

    english = in_english(admin).post("/committees", data=data)
    assert english.status_code == 422
    assert NO_SUCH_DAY_EN.format("2026-02-30") in english.text
    assert "e.g. 2026-03-15" not in english.text
    assert_english(english.text)
