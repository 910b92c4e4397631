"""The profiles' own sentences on English pages (walk of the demo): a category's message, a rule's note and
the committee's filing office are written in portal/policies/*.toml and put into the pages' sentences; English
pages showed them in Chinese ("The current title was awarded … in 江西省: 外地取得的职称继续有效…", "(this
policy data is unconfirmed: 赣州通知未列明…)", "市职称办 must receive the filing…"). Babel extracts them
from the files (portal/domain/profile_texts.py, babel.cfg) and the catalogue gives each its English."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.domain.eligibility import check
from portal.domain.i18n import T_, Language
from portal.domain.policy import DEFAULT_DIRECTORY, load_profiles
from portal.domain.profile_texts import shown_texts
from portal.web import i18n
from tests.domain.test_eligibility import facts
from tests.i18n.reading import leaks

FILES = sorted(Path(DEFAULT_DIRECTORY).glob("*.toml"))
PROFILES = load_profiles()
ZJ, GZ26 = PROFILES["zhenjiang-2024"], PROFILES["ganzhou-2026"]


def _chinese_left(html: str) -> list[str]:
    """What an English fragment still says in Chinese outside lang="zh-CN" (the page check of the crawl)."""
    return leaks(f'<html lang="en"><p>{html}</p></html>')[1]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_profile_text_a_page_shows_has_its_english(app: Flask, path: Path) -> None:
    texts = list(shown_texts(tomllib.loads(path.read_text(encoding="utf-8"))))
    assert texts
    with app.test_request_context(), force_locale(Language.EN.value):
        chinese = [(where, text) for where, text in texts if i18n._has_han(i18n.lookup(text))]
    assert chinese == []


def test_a_title_from_another_province_reads_in_english_but_for_the_province(app: Flask) -> None:
    review = {"level": "中级", "series": "工程", "specialty": "建筑工程"}
    found = check(ZJ, facts(**review, current_title={"level": "助理级", "province": "江西省"}))
    [finding] = [f for f in found if f.rule == ZJ.titles_elsewhere.rule]  # type: ignore[union-attr]
    with app.test_request_context(), force_locale(Language.EN.value):
        shown = str(i18n.translate_finding(finding.message))
    assert "remains valid and needs no new certificate (003 2(7))" in shown
    assert _chinese_left(shown) == []
    assert i18n._CHINESE_DATA.findall(shown) == ['<span lang="zh-CN">江西省</span>']


def test_an_unconfirmed_exam_note_reads_in_english(app: Flask) -> None:
    found = check(GZ26, facts(series="会计", specialty="会计"))
    notes = [f for f in found if "赣州通知未列明" in str(f.message)]
    assert notes
    with app.test_request_context(), force_locale(Language.EN.value):
        for finding in notes:
            shown = str(i18n.translate_finding(finding.message))
            assert "this policy data is unconfirmed: Ganzhou" in shown
            assert not i18n._has_han(shown)


def test_the_filing_office_is_named_in_english(app: Flask) -> None:
    assert ZJ.committee is not None
    hint = T_(
        "报备截止日按本局政策配置自动算出：%(rule)s报%(office)s（%(clause)s）",
        rule="",
        office=ZJ.committee.filing.office,
        clause="",
    )
    with app.test_request_context(), force_locale(Language.EN.value):
        shown = str(i18n.translate(hint))
    assert "filed with Zhenjiang Municipal Title Office" in shown
    assert not i18n._has_han(shown)
