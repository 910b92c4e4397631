"""The design system over HTTP: /styleguide (admins only) and the pictures on the real pages — the
applicant's step diagram, the notice countdown, queue ageing in working days, the statistics charts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain import glossary
from portal.domain.workflow import Status
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_world

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_the_styleguide_shows_every_component_to_the_bureau_admin(world: World, login_as: Any) -> None:
    page = login_as(world.admin).get("/styleguide")
    assert page.status_code == 200
    html = page.text
    for status in Status:  # every workflow status, by the one macro, in its tone
        words = glossary.STATUSES[status.value]
        badge = f'<span class="badge badge-{words.tone.value} status-{status.value}">{words.title}</span>'
        assert badge in html
    for marker in (
        'class="btn btn-primary"',  # buttons
        'class="btn btn-danger"',
        'data-confirm="撤回后本次申报即终止，确定撤回吗？"',  # the destructive action asks
        'aria-describedby="e-sample-error"',  # a field's error is tied to it
        "11位手机号，用于登录和接收通知",  # a field's hint
        'class="flash flash-error"',
        'class="empty"',
        'class="htmx-indicator spinner"',
        'class="table-scroll"',  # the sticky-header table
        "等待过久",  # queue ageing words
        'class="steps"',  # the step diagram
        "notice-countdown-day passed",  # the countdown
        '<svg class="bars"',  # the chart
        "经办人初审",  # the glossary
    ):
        assert marker in html, marker
    assert "2026年9月29日" in html  # the timeline's dates in the one date format


def test_the_styleguide_lists_every_status_value_in_its_colour_on_either_road(
    world: World, login_as: Any
) -> None:
    """Each workflow status value has its row, badge and colour, the committee road's (评审, issue 22)
    included, and a certificate by each road's words: 评审通过，已发证 is coloured as its badge shows it."""
    html = login_as(world.admin).get("/styleguide").text
    for status in Status:
        row = re.search(rf'<tr id="status-{status.value}-bureau">.*?</tr>', html, re.S)
        assert row is not None, status
        words = glossary.status_words(status)
        assert f"<code>{status.value}</code>" in row.group(0)
        assert f'<span class="badge badge-{words.tone.value}">{words.tone.value}</span>' in row.group(0)
    review = re.search(r'<tr id="status-certified-committee">.*?</tr>', html, re.S)
    assert review is not None and "评审途径" in review.group(0)
    words = glossary.CERTIFIED_BY_REVIEW
    assert (
        f'<span class="badge badge-{words.tone.value} status-certified">{words.title}</span>'
        in review.group(0)
    )
    assert words.explanation in review.group(0)
    for status in (
        Status.AWAITING_MEETING,
        Status.RESULT_PUBLISHED,
        Status.NOT_PASSED,
    ):  # the 评审 road's own
        assert glossary.STATUSES[status.value].title in html
    # The sample chart colours a status's bar by the tones the real charts use (a 评审 certificate's too).
    assert set(glossary.status_tones()) >= {words.title, glossary.STATUSES["certified"].title}


def test_the_styleguide_lists_the_committee_road_s_own_states_in_their_colours(
    world: World, login_as: Any
) -> None:
    """Meetings, their agenda's results, calls and 职称确认 lines (issue 22): every value of each status
    enum has a colour (glossary.STATE_TONES) and a row of the styleguide showing it, as the pages do."""
    from portal.web.styleguide import COMMITTEE_STATES

    html = login_as(world.admin).get("/styleguide").text
    for kind, _title, states in COMMITTEE_STATES:
        assert (
            set(glossary.STATE_TONES[kind]) == {s.value for s in states} == set(glossary.STATE_TITLES[kind])
        )
        for state in states:
            row = re.search(rf'<tr id="state-{kind}-{state.value}">.*?</tr>', html, re.S)
            assert row is not None, (kind, state)
            tone = glossary.STATE_TONES[kind][state.value].value
            assert f'<span class="badge badge-{tone}">{state.title}</span>' in row.group(0)


def test_the_styleguide_is_403_for_everyone_but_the_admin(world: World, login_as: Any, client: Any) -> None:
    others = (world.bureau.leader, world.bureau.handler, world.enterprise.handler, world.department.leader)
    for user in others:
        browser = login_as(user)
        assert browser.get("/styleguide").status_code == 403
        assert browser.post("/styleguide").status_code == 403
    assert client.get("/styleguide").status_code == 302  # not logged in: to the login page


def test_the_styleguide_confirmation_demo_changes_nothing_and_says_so(world: World, login_as: Any) -> None:
    browser = login_as(world.admin)
    response = browser.post("/styleguide")
    assert response.status_code == 303
    assert "样式指南不做任何修改" in browser.get("/styleguide").text


def test_the_loading_demo_is_a_fragment_of_the_styleguide(world: World, login_as: Any) -> None:
    fragment = login_as(world.admin).get("/styleguide?demo=loading", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="loading-demo"' in fragment.text and "已加载" in fragment.text


def _steps(html: str) -> list[tuple[str, str]]:
    """(state, title) of each step of the diagram, in order."""
    return re.findall(r'<li class="step step-(\w+)".*?<span class="step-title">([^<]+)</span>', html, re.S)


def test_the_applicant_sees_where_the_application_is_and_who_holds_it(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    steps = _steps(page)
    assert [state for state, _ in steps] == ["done", "done", "current", "next"] + ["later"] * 5
    assert steps[2][1] == "领导签批"
    assert f"现在由：<strong>{world.enterprise.org.name} · 领导</strong>" in page
    assert f"下一步：{world.enterprise.org.name} · 经办人：起草公示，由领导发布" in page
    assert 'aria-current="step"' in page


def test_a_returned_application_shows_the_applicant_holds_it(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    handler = login_as(world.enterprise.handler)
    returned = handler.post(
        f"/review/applications/{application.id}/return",
        data={"sections": "education", "reason_education": "学历证书不清晰", "deadline": "2026-10-16"},
    )
    assert returned.status_code == 303, returned.text
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    # Issue 17.8: while returned the next move is the applicant's resubmission, then the handler who
    # returned it reviews again — not the step after the returned one (it said 领导签批).
    assert [state for state, _ in _steps(page)][:3] == ["done", "returned", "later"]
    assert "现在由：<strong>申报人本人</strong>" in page
    assert f"下一步：{world.enterprise.org.name} · 经办人：经办人初审" in page


def test_the_notice_countdown_draws_one_box_per_working_day(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.IN_NOTICE])
    page = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    boxes = re.findall(r'class="notice-countdown-day( passed)?"', page)
    assert len(boxes) >= 5  # at least 5 working days (policy-spec §7)
    assert "个工作日" in page and 'role="img"' in page


def test_the_queue_colours_and_words_cases_waiting_in_working_days(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    fresh = login_as(world.enterprise.handler).get("/review/queue").text
    assert 'class="age-fresh"' in fresh and "0个工作日" in fresh

    def queue_after(days: int) -> str:
        clock.advance(days=days)  # a new login each time: the old session has expired
        return str(login_as(world.enterprise.handler).get("/review/queue").text)

    holiday = queue_after(9)  # Monday 9-28 → Wednesday 10-7: the National Day holiday does not count
    assert 'class="age-fresh"' in holiday and ">2个工作日<" in holiday
    ageing = queue_after(1)  # Thursday 10-8: 3 working days
    assert 'class="age-ageing"' in ageing and '3个工作日<span class="age-words">（等待较久）' in ageing
    overdue = queue_after(2)  # Saturday 10-10 is a 调休 working day: 5
    assert 'class="age-overdue"' in overdue and '5个工作日<span class="age-words">（等待过久）' in overdue


def test_the_statistics_page_draws_server_rendered_charts_coloured_by_status(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    page = login_as(world.bureau.leader).get("/review/statistics").text
    assert page.count('<svg class="bars"') == 5
    assert 'class="bar bar-done"' in page  # the certified bar in the badge's green
    assert "<title>已认定发证：1件</title>" in page


def test_the_reviewer_sees_the_same_step_diagram_on_the_review_page(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    page = login_as(world.department.handler).get(f"/review/applications/{application.id}").text
    states = [state for state, _ in _steps(page)]
    assert states[:6] == ["done"] * 5 + ["current"] and states[6] == "next"
    assert f"现在由：<strong>{world.department.org.name} · 经办人</strong>" in page
