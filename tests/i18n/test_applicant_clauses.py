"""The applicant's pages in English leave in Chinese only what has no English: names and data as written.
Walk 3, item 4: the materials' Basis lines read "001 四(三)：上传原件扫描件或照片" beside rows reading
"001 4(3)", and the eligibility check "001 三 引言": a clause carrying words was kept whole in Chinese."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask_babel import force_locale
from sqlalchemy.orm import Session

from portal.domain.i18n import Language
from portal.web import i18n
from tests.conftest import Clock
from tests.factories import make_world
from tests.i18n.reading import chinese_parts, in_english, leaks
from tests.web.test_policy_web import HX, IN_Q4, draft

# A notice's clause ("001 四(三)", "001 三 引言", "003 附件"): three digits, then Chinese numbers or words.
CLAUSE = re.compile(r"\d{3} ?[一二三四五六七八九十引附]")


def test_the_applicants_pages_cite_clauses_in_english(
    app: Flask, session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session, policy_profile="ganzhou-2026")
    clock.now = IN_Q4
    application, applicant = draft(session, world, clock.now)
    browser = in_english(login_as(applicant))
    pages = {
        url: browser.get(url).text
        for url in ("/me", "/me/applications", f"/me/applications/{application.id}")
    }
    pages["precheck"] = browser.post(
        f"/me/applications/{application.id}/precheck", data={"education": "硕士"}, headers=HX
    ).text
    case = pages[f"/me/applications/{application.id}"]
    assert "Basis: 001 4(3): upload a scan or photo of the original" in case
    assert "001 3, preamble" in case
    for url, page in pages.items():
        html = page if "<html" in page else f'<html lang="en"><body>{page}</body></html>'
        assert leaks(html)[1] == [], url
        chinese = chinese_parts(html)
        assert not [part for part in chinese if CLAUSE.search(part)], (url, chinese)
        # Nothing left in Chinese that the catalogue says in English (a name or typed data has no entry).
        with app.test_request_context(), force_locale(Language.EN.value):
            assert not [part for part in chinese if i18n.lookup(part) != part], (url, chinese)
