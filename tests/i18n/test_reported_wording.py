"""What a QA tester found in the English interface (and a few in Chinese): each page as it reads now, the
words that were Chinese or wrong in English named. One test per page, the report's wording in comments."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id
from portal.services.submissions import new_token
from portal.web import i18n
from tests.conftest import Clock
from tests.factories import make_application, make_committee_world, make_review_application, make_world
from tests.i18n.test_english import leaks


def _english(client: FlaskClient) -> FlaskClient:
    client.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    return client


def _no_leaks(html: str) -> None:
    lang, runs = leaks(html)
    assert lang == "en" and runs == [], runs


def test_the_committee_roads_step_diagram_reads_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: three step titles stayed Chinese (领导签批、送评委会评审, 领导签批受理, 评审会议表决): they
    # were joined from the glossary's words with +, so no msgid matched them.
    world = make_committee_world(session, clock.now)
    application = make_review_application(session, world, clock.now)
    leader = _english(login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id))
    page = leader.get(f"/review/applications/{application.id}")
    assert page.status_code == 200
    for title in (
        "Leader&#39;s sign-off, sent to a review committee",
        "Leader&#39;s sign-off to accept",
        "Vote at the review meeting",
        "Pre-review notice",
        "Notice of review results",
        "Confirm results",
    ):
        assert title in page.text
    _no_leaks(page.text)


def test_every_step_title_is_a_msgid_the_code_marks() -> None:
    # The catalogue alone is no proof (a title joined with + may equal a msgid someone added by hand): each
    # title of both roads and each "next step" wording must be a literal that extraction finds.
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    from portal.domain import glossary, progress

    marked = {
        message
        for module in (progress, glossary)
        for _, message, _, _ in extract_from_file("python", str(module.__file__), keywords=DEFAULT_KEYWORDS)
    }
    titles = {step.title for step in (*progress.ROUTE, *progress.COMMITTEE_ROUTE)}
    titles |= set(progress.NEXT_WORDS.values()) | {state.title for state in progress.StepState}
    assert sorted(titles - marked) == []


def test_starting_an_application_and_its_history_event_each_read_right(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: HR's submit button read "Application started": the button and the history event shared
    # the msgid 创建申报. Now each has its message context ("button", "history event").
    world = make_world(session)
    application = make_application(session, world, clock.now)
    hr = _english(login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id))
    form = hr.get(f"/enterprise/applicants/{application.applicant_id}/applications/new")
    assert form.status_code == 200
    assert "Start the application</button>" in form.text and "Application started" not in form.text
    applicant = _english(login_as(application.applicant))
    history = applicant.get(f"/me/applications/{application.id}")
    assert history.status_code == 200
    assert "<strong>Application started</strong>" in history.text
    _no_leaks(history.text)


def test_the_bulk_import_asks_for_a_file_and_names_a_word_it_does_not_know(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Reported: "Upload and check" with no file chosen said "The file has no name"; a cell 用工类型=劳动合同制
    # said "Please choose the employment type" without the value or the accepted words.
    world = make_world(session)
    hr = _english(login_as(world.enterprise.handler, membership_id=world.enterprise.handler_membership.id))
    nothing = hr.post(
        "/enterprise/imports",
        data={"file": (io.BytesIO(b""), ""), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert nothing.status_code == 422
    assert "No file was chosen: please choose a file to upload" in nothing.text
    assert "has no name" not in nothing.text
    _no_leaks(nothing.text)

    number = complete_resident_id("36070219900301123")
    rows = f"姓名,证件号码,手机号码,用工类型\r\n陈某,{number},13970700201,劳动合同制\r\n"
    checked = hr.post(
        "/enterprise/imports",
        data={"file": (io.BytesIO(rows.encode("gbk")), "名单.csv"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert checked.status_code == 303
    report = hr.get(checked.headers["Location"]).text
    assert 'The employment type “<span lang="zh-CN">劳动合同制</span>” is not one the import knows' in report
    assert '<span lang="zh-CN">“签订劳动合同的职工”</span>, <span lang="zh-CN">“签订聘用合同' in report
    _no_leaks(report)
