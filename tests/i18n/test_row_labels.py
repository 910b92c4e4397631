"""Form rows named in English (demo walk, finding F4): DANIEL WEBER's English pages showed "Diploma
(江西理工大学 本科)" and "Title certificate (助理工程师 助理级)", the form's own choice words left in Chinese
inside each label. A label's choice parts are now in the reader's language, what the person typed as
written (inside lang="zh-CN"); the Chinese pages read as before."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from sqlalchemy.orm import Session

from portal.models import Application
from tests.conftest import Clock
from tests.factories import make_application, make_passport_holder, make_world
from tests.i18n.reading import in_english


def _words(html: str) -> str:
    """What a reader reads: tags left out, entities read."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def _draft(session: Session, clock: Clock) -> Application:
    """A foreign engineer's draft: one degree (南昌大学, 本科) and one title (助理工程师, 助理级)."""
    world = make_world(session)
    person = make_passport_holder(session, "DANIEL WEBER", employer=world.enterprise.org)
    return make_application(session, world, clock.now, applicant=person)


def test_the_english_pages_name_a_rows_choice_in_english_and_keep_what_was_typed(
    session: Session, clock: Clock, login_as: Any
) -> None:
    application = _draft(session, clock)
    page = in_english(login_as(application.applicant)).get(f"/me/applications/{application.id}").text
    words = _words(page)
    # The materials checklist and the upload's select.
    assert "Diploma (南昌大学 Bachelor's level)" in words
    assert "Title certificate (助理工程师 Assistant level)" in words
    option = re.search(r"<option value=\"diploma@\d+\"[^>]*>([^<]*)</option>", page)
    assert option is not None and unescape(option[1]) == "Diploma (南昌大学 Bachelor's level)"
    # The form's row headings.
    assert "Education and degrees, entry 1: 南昌大学 Bachelor's level" in words
    assert "Current titles / professional qualifications, entry 1: 助理工程师 Assistant level" in words
    # The typed name stays as written and is marked Chinese; the choice word is not.
    assert '<span lang="zh-CN">南昌大学</span> Bachelor&#39;s level' in page
    assert '<span lang="zh-CN">助理工程师</span> Assistant level' in page
    for chinese in ("南昌大学 本科", "助理工程师 助理级"):
        for shown in (f"Diploma ({chinese})", f"Title certificate ({chinese})", f"entry 1: {chinese}"):
            assert shown not in words


def test_the_chinese_pages_name_rows_as_before(session: Session, clock: Clock, login_as: Any) -> None:
    application = _draft(session, clock)
    words = _words(login_as(application.applicant).get(f"/me/applications/{application.id}").text)
    assert "学历证书（南昌大学 本科）" in words
    assert "职称证书（助理工程师 助理级）" in words
    assert "学历学位 第1条：南昌大学 本科" in words
    assert "Bachelor" not in words and "Assistant level" not in words
