"""A title series (职称系列, stored in Chinese) named one way across the English interface: the statistics
chart said "Engineering" while the queue's filter and rows, the case pages and the committee pages said
工程. Every page now names it as the chart does — the catalogue's word where it has one, the stored name
inside lang="zh-CN" where it has none — with form values as stored; the Chinese pages as before."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import make_application, make_world, staff_login
from tests.i18n.reading import assert_english, in_english

# 船舶 (shipping) is a series people type, with no word in the catalogue: shown as stored.
UNKNOWN = ("船舶", "轮机工程", "中级")


def _queue_world(session: Session, clock: Clock) -> tuple[Any, Any, Any]:
    world = make_world(session)
    known = make_application(session, world, clock.now, steps=1)
    unknown = make_application(session, world, clock.now, steps=1, what=UNKNOWN)
    return world, known, unknown


def test_the_english_queue_names_the_series_in_its_filter_and_rows_as_the_statistics_do(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, known, unknown = _queue_world(session, clock)
    browser = in_english(staff_login(login_as, world.enterprise))
    page = browser.get("/review/queue").text
    # The option's value stays the stored name: the filter and its links keep working.
    assert '<option value="工程" >Engineering</option>' in page
    assert '<option lang="zh-CN" >船舶</option>' in page
    assert f'id="name-{known.id}"' in page
    assert '<td>Engineering / <span lang="zh-CN">土木工程</span></td>' in page
    assert '<td lang="zh-CN">船舶 / 轮机工程</td>' in page
    assert_english(page)
    chosen = browser.get("/review/queue", query_string={"series": "工程"}).text
    assert '<option value="工程" selected>Engineering</option>' in chosen
    assert f'id="name-{known.id}"' in chosen and f'id="name-{unknown.id}"' not in chosen
    # The 15-second poll's fragment writes the same rows.
    fragment = browser.get("/review/queue", headers={"HX-Request": "true"}).text
    assert '<td>Engineering / <span lang="zh-CN">土木工程</span></td>' in fragment
    assert ">Engineering<" in browser.get("/review/statistics").text  # the chart, as it was


def test_the_chinese_queue_shows_the_series_as_before(session: Session, clock: Clock, login_as: Any) -> None:
    world, _known, _unknown = _queue_world(session, clock)
    browser = staff_login(login_as, world.enterprise)
    page = browser.get("/review/queue").text
    assert '<option lang="zh-CN" >工程</option>' in page
    assert '<option lang="zh-CN" >船舶</option>' in page
    assert '<td lang="zh-CN">工程 / 土木工程</td>' in page
    assert '<td lang="zh-CN">船舶 / 轮机工程</td>' in page
    assert "Engineering" not in page
    chosen = browser.get("/review/queue", query_string={"series": "工程"}).text
    assert '<option lang="zh-CN" selected>工程</option>' in chosen


def _series_options(page: str) -> list[str]:
    select = re.search(r'<select id="series" name="series">(.*?)</select>', page, re.S)
    assert select is not None
    option = r"<option (?:value=\"([^\"]+)\" |lang=\"zh-CN\" )[^>]*>([^<]+)</option>"
    return re.findall(option, select.group(1))


def test_the_english_queue_lists_the_series_in_the_order_of_their_english_words(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # The English filter kept the Chinese names' order: Accounting, Agriculture, Health, Engineering,
    # Economics (会 农 卫 工 经). A series shown as stored comes after the words, the values stay Chinese.
    world = make_world(session)
    for series in ("经济", "卫生", "工程", "农业", "会计"):
        make_application(session, world, clock.now, steps=1, what=(series, "某专业", "中级"))
    make_application(session, world, clock.now, steps=1, what=UNKNOWN)
    english = in_english(staff_login(login_as, world.enterprise)).get("/review/queue").text
    assert _series_options(english) == [
        ("会计", "Accounting"),
        ("农业", "Agriculture"),
        ("经济", "Economics"),
        ("工程", "Engineering"),
        ("卫生", "Health"),
        ("", "船舶"),
    ]
    chinese = staff_login(login_as, world.enterprise).get("/review/queue").text
    labels = [label for _, label in _series_options(chinese)]
    assert labels == ["会计", "农业", "卫生", "工程", "经济", "船舶"]


def test_the_case_pages_name_the_series_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    world, known, unknown = _queue_world(session, clock)
    applicant = in_english(login_as(known.applicant))
    own = applicant.get(f"/me/applications/{known.id}").text
    assert '<h1>Engineering · <span lang="zh-CN">土木工程</span> · ' in own
    listed = applicant.get("/me/applications").text
    assert '">Engineering / <span lang="zh-CN">土木工程</span></td>' in listed
    assert_english(listed)
    reviewer = in_english(staff_login(login_as, world.enterprise))
    review = reviewer.get(f"/review/applications/{known.id}").text
    assert ' · Engineering / <span lang="zh-CN">土木工程</span> · ' in review
    other = reviewer.get(f"/review/applications/{unknown.id}").text
    assert ' · <span lang="zh-CN">船舶</span> / <span lang="zh-CN">轮机工程</span> · ' in other
    # In Chinese, as before.
    chinese = login_as(known.applicant)
    assert "<h1>工程 · 土木工程 · " in chinese.get(f"/me/applications/{known.id}").text
    assert 'lang="zh-CN">工程 / 土木工程</td>' in chinese.get("/me/applications").text


def test_the_committee_pages_name_the_series_of_experts_and_applications_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    from tests.web.test_committee_meetings import _voting_meeting

    meeting, _members, (_world, made) = _voting_meeting(session, clock, applicants=1, absent=0)
    office = in_english(staff_login(login_as, made.office))
    pool = office.get("/committees/experts").text
    assert '<td>Engineering / <span lang="zh-CN">建设工程</span>' in pool
    shown = office.get(f"/committees/meetings/{meeting.id}").text
    assert '<td lang="zh-CN">工程 / 建设工程</td>' not in shown
    assert '<td>Engineering / <span lang="zh-CN">建设工程</span></td>' in shown
    chinese = staff_login(login_as, made.office)
    assert '<span lang="zh-CN">工程 / 建设工程</span>' in chinese.get("/committees/experts").text


def test_the_certificates_name_the_series_in_english_and_the_check_as_well(
    session: Session, clock: Clock, login_as: Any, client: Any
) -> None:
    from portal.domain.workflow import Status
    from tests.factories import STEPS_TO

    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    bureau = in_english(login_as(world.bureau.leader))
    assert '<td>Engineering/<span lang="zh-CN">土木工程</span></td>' in bureau.get("/certificates").text
    chinese = login_as(world.bureau.leader).get("/certificates").text
    assert '<td><span lang="zh-CN">工程/土木工程</span></td>' in chinese
    number, code = application.certificate_no, application.certificate_code
    checked = in_english(client).get(f"/public/certificates/{number}/{code}").text
    assert '<dd>Engineering / <span lang="zh-CN">土木工程</span></dd>' in checked
    assert_english(checked)


def test_a_series_is_named_by_the_catalogue_or_shown_as_stored(app: Any) -> None:
    from flask_babel import force_locale

    from portal.domain.i18n import Language
    from portal.web.i18n import series, series_word, subject

    with app.test_request_context(), force_locale(Language.EN.value):
        assert series_word("工程") == "Engineering" and series_word("经济") == "Economics"
        assert series_word("船舶") is None and series_word("") is None and series_word(None) is None
        assert series("船舶") == '<span lang="zh-CN">船舶</span>' and series("") == ""
        assert subject("工程", "") == "Engineering"
        assert subject("<b>", "x") == '<span lang="zh-CN">&lt;b&gt; / x</span>'
    with app.test_request_context(), force_locale(Language.ZH.value):
        assert series_word("工程") is None and series("工程") == "工程"
        assert subject("工程", "机械", "/") == '<span lang="zh-CN">工程/机械</span>'


def test_the_queue_looks_each_series_up_once_a_page(
    session: Session, clock: Clock, login_as: Any, monkeypatch: Any
) -> None:
    # The rows are the 15-second poll's hot path: a word per distinct series, not per row.
    import importlib

    # The module, not the function of that name the package's namespace ends up holding.
    queue_rows = importlib.import_module("portal.web.queue_rows")
    world, _known, _unknown = _queue_world(session, clock)
    make_application(session, world, clock.now, steps=1)
    asked: list[str] = []
    real = queue_rows.series_word

    def counted(name: object) -> str | None:
        asked.append(str(name))
        return real(name)

    monkeypatch.setattr(queue_rows, "series_word", counted)
    browser = in_english(staff_login(login_as, world.enterprise))
    fragment = browser.get("/review/queue", headers={"HX-Request": "true"}).text
    assert fragment.count("<td>Engineering / ") == 2
    assert sorted(asked) == ["工程", "船舶"]
