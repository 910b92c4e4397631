"""Review queues and actions over HTTP: full page vs fragment, 303 after a plain POST, 422/409 with a
message, 403 for other roles, and 404 for another organisation's applications."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import AuditEvent
from portal.services import unit_opinions
from tests.conftest import Clock
from tests.factories import STEPS_TO, World, make_application, make_office, make_world
from tests.i18n.reading import in_english

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_the_queue_is_a_full_page_without_htmx_and_a_fragment_with_it(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    page = browser.get("/review/queue")
    assert page.status_code == 200 and "<html" in page.text and "经办人初审通过" in page.text
    fragment = browser.get("/review/queue", headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="queue"' in fragment.text and "经办人初审通过" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    counts = browser.get("/review/queue", headers={**HX, "HX-Target": "queue-counts"})
    assert 'id="queue-counts"' in counts.text and 'id="queue"' not in counts.text
    assert 'id="count-handler">1<' in counts.text


@pytest.mark.parametrize("tab", ["handler", "leader", "returned", "passed", "all"])
def test_every_tab_renders_for_every_reviewing_organisation(
    world: World, session: Session, clock: Clock, login_as: Any, tab: str
) -> None:
    make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    for office in (world.enterprise, world.department, world.bureau):
        for user in (office.handler, office.leader):
            response = login_as(user).get(f"/review/queue?tab={tab}")
            assert response.status_code == 200, (office.org.name, tab)


def test_an_unknown_tab_is_not_found(world: World, login_as: Any) -> None:
    assert login_as(world.enterprise.handler).get("/review/queue?tab=nope").status_code == 404


def test_a_plain_post_acts_and_redirects_with_303(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    response = login_as(world.enterprise.handler).post(
        f"/review/applications/{application.id}/act",
        data={"action": "handler_approve", "version": application.version},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/review/queue"
    session.refresh(application)
    assert application.state is Status.UNIT_REVIEW


def test_an_htmx_post_returns_the_updated_row_and_a_change_event(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=2)
    response = login_as(world.enterprise.leader).post(
        f"/review/applications/{application.id}/act",
        data={"action": "leader_approve", "version": application.version},
        headers=HX,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="application-{application.id}"')
    assert "已领导签批通过" in response.text
    assert "application-changed" in response.headers["HX-Trigger"]


def test_a_rejection_without_a_reason_is_422_with_the_message_in_the_row(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=2)
    response = login_as(world.enterprise.leader).post(
        f"/review/applications/{application.id}/act",
        data={"action": "reject", "reason": "", "version": application.version},
        headers=HX,
    )
    assert response.status_code == 422
    assert "请填写理由" in response.text and f'id="application-{application.id}"' in response.text


def test_a_stale_version_is_409_and_says_it_was_acted_on_meanwhile(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    response = login_as(world.enterprise.handler).post(
        f"/review/applications/{application.id}/act",
        data={"action": "handler_approve", "version": application.version - 1},
        headers=HX,
    )
    assert response.status_code == 409 and "此项已被办理，请刷新后查看最新状态" in response.text
    # Not "someone else": the same reviewer acting twice (Back, then the same button) reads it too.
    assert "他人" not in response.text


def test_a_stale_click_reads_in_the_reader_s_language(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Two reviewers at once: the second click's row said 已被他人处理，请刷新 in English too (the
    # StaleObject default was not a msgid), in the queue row and in the flash after a plain POST.

    application = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    in_english(browser)
    url = f"/review/applications/{application.id}/act"
    stale = {"action": "handler_approve", "version": application.version - 1}
    row = browser.post(url, data=stale, headers=HX)
    assert row.status_code == 409 and "已被办理" not in row.text
    assert "This has already been acted on; refresh to see where it stands" in row.text
    browser.post(url, data=stale)
    page = browser.get("/review/queue").text
    assert "This has already been acted on; refresh to see where it stands" in page and "已被办理" not in page


def test_a_refused_plain_post_redirects_back_with_the_message(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.leader)
    response = browser.post(f"/review/applications/{application.id}/act", data={"action": "leader_approve"})
    assert response.status_code == 303
    assert "不能执行" in browser.get("/review/queue").text


def test_an_unknown_action_is_a_bad_request(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    response = login_as(world.enterprise.handler).post(
        f"/review/applications/{application.id}/act", data={"action": "approve_everything"}
    )
    assert response.status_code == 400


def test_applicants_and_admins_get_403_on_queues_and_actions(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    for user in (application.applicant, world.admin):
        browser = login_as(user)
        assert browser.get("/review/queue").status_code == 403
        assert browser.get("/review/queue", headers=HX).status_code == 403
        assert browser.get(f"/review/applications/{application.id}").status_code == 403
        posted = browser.post(
            f"/review/applications/{application.id}/act", data={"action": "handler_approve"}
        )
        assert posted.status_code == 403


def test_another_organisation_sees_404_for_an_application_id(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    stranger_department = make_office(
        session, type(world.department.org.org_kind).DEPARTMENT, world.bureau.org
    )
    strangers = [
        world.other_enterprise.handler,
        world.other_enterprise.leader,
        stranger_department.handler,
        world.department.handler,
        world.bureau.leader,
    ]  # the last two: not reached them yet
    for user in strangers:
        browser = login_as(user)
        assert browser.get(f"/review/applications/{application.id}").status_code == 404
        posted = browser.post(
            f"/review/applications/{application.id}/act", data={"action": "handler_approve"}, headers=HX
        )
        assert posted.status_code == 404
        assert f'id="application-{application.id}"' not in browser.get("/review/queue?tab=all").text
    session.refresh(application)
    assert application.state is Status.SUBMITTED


def test_the_review_page_shows_the_form_timeline_and_full_id_only_to_the_enterprise(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    number = application.applicant.id_number
    enterprise = login_as(world.enterprise.handler)
    own = enterprise.get(f"/review/applications/{application.id}")
    assert own.status_code == 200 and number not in own.text and "南昌大学" in own.text  # masked on a GET
    assert "查看完整号码" in own.text
    revealed = enterprise.post(f"/review/applications/{application.id}/identity")  # asked for: a POST
    assert revealed.status_code == 200 and number in revealed.text
    department = login_as(world.department.handler)
    page = department.get(f"/review/applications/{application.id}")
    assert number not in page.text and number[:4] + "**********" + number[-4:] in page.text
    assert "查看完整号码" not in page.text
    assert department.post(f"/review/applications/{application.id}/identity").status_code == 403
    department_text = page.text
    assert "报送主管部门" in department_text  # the timeline


def test_every_action_is_audited_with_actor_role_and_request_id(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=1)
    login_as(world.enterprise.handler).post(
        f"/review/applications/{application.id}/act",
        data={"action": "handler_approve"},
        headers={"X-Request-Id": "req-123"},
    )
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "handler_approve", AuditEvent.object_id == application.id
        )
    ).one()
    assert (event.actor_id, event.role, event.org_id, event.request_id) == (
        world.enterprise.handler.id,
        "handler",
        world.enterprise.org.id,
        "req-123",
    )
    assert (event.from_status, event.to_status, event.outcome) == ("submitted", "unit_review", "ok")
    session.refresh(application)
    assert application.status == "unit_review"


# A unit opinion (基层单位意见) as the form posts it, but its counts.
OPINION = {
    "evaluation": "工作扎实，能独立解决施工技术问题。",
    "method": "vote",
    "participants": "单位领导班子成员、部门负责人",
    "recommendation": "recommend",
    "formation": "经民主推荐，领导班子集体研究同意推荐。",
    "assessment": "2023—2025年度考核均为合格",
    "assessment_passed": "yes",
}


def test_the_unit_opinion_is_required_before_the_leader_signs_and_is_printed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Issue 21.8: the unit's opinion (基层单位意见) as structured data, required at unit approval (EXP-04,
    REV-05), each bad field refused in Chinese, then printed on the 申报表 with the attested assessment."""
    application = make_application(session, world, clock.now, steps=2, unit_opinion=False)
    url = f"/review/applications/{application.id}"
    leader = login_as(world.enterprise.leader)
    leader.post(f"{url}/act", data={"action": "leader_approve", "version": application.version})
    refused = leader.get(url).text
    assert "须先填写基层单位意见" in refused  # the refusal, with its clause, on the page
    # ... and where to fill it in: the card further down the page (the leader may record it too).
    assert '<a href="#unit-opinion" id="to-unit-opinion">' in refused and 'id="unit-opinion"' in refused
    session.refresh(application)
    assert application.state is Status.UNIT_REVIEW
    handler = login_as(world.enterprise.handler)
    form = {**OPINION, "participants_count": "9", "votes_for": "12"}
    bad = handler.post(f"{url}/opinion", data={**form, "method": ""})
    assert bad.status_code == 422
    assert "请选择推荐方式" in bad.text and "同意票数不能多于参加人数（9人）" in bad.text
    assert "工作扎实，能独立解决施工技术问题。" in bad.text  # what was typed is kept
    saved = handler.post(f"{url}/opinion", data={**form, "votes_for": "8"})
    assert saved.status_code == 303
    signed = leader.post(f"{url}/act", data={"action": "leader_approve", "version": application.version})
    assert signed.status_code == 303
    session.refresh(application)
    assert application.state is not Status.UNIT_REVIEW
    page = leader.get(url).text
    assert 'id="part-opinion"' in page or "基层单位意见" in page
    assert "2023—2025年度考核均为合格" in page and "民主推荐" in page


def test_the_unit_opinion_reads_counts_typed_in_full_width_and_says_when_one_is_not_a_number(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Walk 5, finding 9: ９ and ８ typed through a Chinese IME in full-width mode were refused as
    "参加人数应为整数"; they are the numbers 9 and 8 (domain.numbers), "9人" too; a word is still refused."""
    application = make_application(session, world, clock.now, steps=2, unit_opinion=False)
    url = f"/review/applications/{application.id}/opinion"
    handler = login_as(world.enterprise.handler)
    form = {**OPINION, "participants_count": "九", "votes_for": "八票"}
    refused = handler.post(url, data=form)
    assert refused.status_code == 422
    assert "参加人数应为整数" in refused.text and "同意票数应为整数" in refused.text
    assert handler.post(url, data={**form, "participants_count": "９", "votes_for": "８"}).status_code == 303
    opinion = unit_opinions.opinion_of(session, application.id)
    assert opinion is not None and (opinion.participants_count, opinion.votes_for) == (9, 8)
    again = handler.post(url, data={**form, "participants_count": " 9人 ", "votes_for": "７票"})
    assert again.status_code == 303
    session.refresh(opinion)
    assert (opinion.participants_count, opinion.votes_for) == (9, 7)


def test_queue_rows_escape_what_people_typed_and_read_in_the_reader_s_language(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The rows are written by portal/web/queue_rows.py, not Jinja (issue 20): every value escaped, every
    # word translated, the swapped row after an action the same markup as the list's.

    application = make_application(session, world, clock.now, steps=1)
    application.applicant.name = '<img src=x onerror="alert(1)">'
    application.specialty = "机械&电气"
    session.flush()
    browser = login_as(world.enterprise.handler)
    listing = browser.get("/review/queue", headers=HX).text
    row = listing[listing.index(f'<tr id="application-{application.id}"') :]
    row = row[: row.index("</tr>")]
    assert "<img" not in row and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in row
    assert "机械&amp;电气" in row
    assert 'name="action" value="handler_approve"' in row and 'name="csrf_token" value="' in row
    assert "0个工作日" in row and "经办人初审通过" in row

    in_english(browser)
    english = browser.get("/review/queue", headers=HX).text
    row = english[english.index(f'<tr id="application-{application.id}"') :]
    row = row[: row.index("</tr>")]
    assert "0 working days" in row and "个工作日" not in row and "经办人初审通过" not in row
    assert "At this step since" in row
    swapped = browser.post(
        f"/review/applications/{application.id}/act",
        data={"action": "handler_approve", "version": application.version},
        headers=HX,
    )
    assert swapped.status_code == 200 and swapped.text.startswith(f'<tr id="application-{application.id}"')
    assert 'role="status"' in swapped.text and "&lt;img" in swapped.text and "已" not in swapped.text


def test_a_queue_row_s_level_reads_in_english_as_the_level_filter_does(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The English queue's filter said "Intermediate level" and every row 中级 beside it.

    application = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    in_english(browser)
    listing = browser.get("/review/queue", headers=HX).text
    row = listing[listing.index(f'<tr id="application-{application.id}"') :]
    row = row[: row.index("</tr>")]
    assert application.level == "中级"
    assert "<td>Intermediate level</td>" in row and "中级" not in row


def test_a_refused_return_marks_the_page_so_it_opens_at_the_first_error(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The 退回补正 form sits far down the review page: refused, the page opened at its top with nothing
    # there saying so. A refused whole page carries data-refused (app.js goes to the first marked field).
    application = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    url = f"/review/applications/{application.id}"
    assert "data-refused" not in browser.get(url).text
    refused = browser.post(
        f"{url}/return", data={"sections": "education", "version": application.version, "deadline": ""}
    )
    assert refused.status_code == 422
    assert re.search(r"<body [^>]*data-refused>", refused.text)
    assert 'aria-invalid="true"' in refused.text


def test_certifying_asks_first_on_the_review_page_and_in_the_queue(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # 认定发证 issues the certificate number and ends the case: one click must not do it unasked,
    # as 不予通过 asks (the rulebook's CONFIRMATIONS decide; the page and the queue row show it).
    signed = STEPS_TO[Status.CERTIFIED] - 1  # the bureau's handler has approved: the leader certifies
    application = make_application(session, world, clock.now, steps=signed)
    browser = login_as(world.bureau.leader)
    page = browser.get(f"/review/applications/{application.id}").text
    form = re.search(r'<form [^>]*id="certify"[^>]*>', page)
    assert form and 'data-confirm="认定发证后即生成证书编号，本次申报办结，确定认定发证吗？"' in form.group(0)
    queue = browser.get("/review/queue?tab=all").text
    row = re.search(rf'<tr id="application-{application.id}".*?</tr>', queue, re.S)
    assert row and 'data-confirm="认定发证后即生成证书编号，本次申报办结，确定认定发证吗？"' in row.group(0)
