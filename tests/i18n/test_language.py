"""Choosing the interface language (issue 24): Accept-Language as the first guess, the visitor's cookie, the
user's saved choice, the switcher on every page, <html lang>; and locale formatting of dates, numbers,
working-day counts and the domain's messages."""

from __future__ import annotations

import pickle
import re
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.orm import Session

from portal.domain.i18n import N_, NT_, T_, Language, joined, worded
from portal.models import User
from portal.web import i18n
from tests.conftest import Clock
from tests.factories import make_application, make_committee_world, make_user, make_world
from tests.i18n.reading import leaks

SWITCH = 'id="lang-switch"'


def lang_of(html: str) -> str:
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


def test_accept_language_is_the_first_guess(client: FlaskClient) -> None:
    cases = {
        "en-US,en;q=0.9": "en",
        "en-GB": "en",
        "zh-CN,zh;q=0.9,en;q=0.8": "zh-CN",
        "zh-TW,en;q=0.5": "zh-CN",  # any Chinese reads the Chinese interface before English
        "fr-FR,en;q=0.3": "en",  # the first language the portal speaks
        "fr-FR": "zh-CN",  # none: the default
        "": "zh-CN",
    }
    for header, expected in cases.items():
        page = client.get("/login", headers={"Accept-Language": header}).text
        assert lang_of(page) == expected, header
    english = client.get("/login", headers={"Accept-Language": "en"}).text
    assert "Log in" in english and "Professional Title Application Portal" in english
    assert "登录" in client.get("/login").text


def test_a_visitor_s_choice_is_a_cookie_that_beats_accept_language(client: FlaskClient) -> None:
    response = client.post("/language", data={"language": "en", "back": "/login?next=/me/applications"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login?next=/me/applications")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{i18n.COOKIE}=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/login", headers={"Accept-Language": "zh-CN"}).text
    assert lang_of(page) == "en" and "Log in" in page
    client.post("/language", data={"language": "zh_Hans_CN", "back": "/login"})
    assert lang_of(client.get("/login", headers={"Accept-Language": "en"}).text) == "zh-CN"


def test_a_user_s_choice_is_saved_on_the_account_and_follows_them(
    app: Flask, session: Session, login_as: Any
) -> None:
    user = make_user(session)
    browser = login_as(user)
    assert browser.post("/language", data={"language": "en", "back": "/password"}).status_code == 303
    session.expire_all()
    assert session.get(User, user.id).language == "en"
    # Another browser, whose cookie and Accept-Language say Chinese: the account's choice wins, and the
    # browser is told, so its login page after logout is English too.
    other = login_as(user)
    other.set_cookie(i18n.COOKIE, "zh_Hans_CN")
    page = other.get("/password", headers={"Accept-Language": "zh-CN"})
    assert lang_of(page.text) == "en" and "Change password" in page.text
    assert f"{i18n.COOKIE}=en;" in page.headers["Set-Cookie"]
    other.post("/logout")
    assert lang_of(other.get("/login", headers={"Accept-Language": "zh-CN"}).text) == "en"


def test_a_value_no_switcher_sends_changes_nothing(
    session: Session, login_as: Any, client: FlaskClient
) -> None:
    user = make_user(session)
    browser = login_as(user)
    for value in ("fr", "", "zh_Hans_CN'--", "EN"):
        response = browser.post("/language", data={"language": value, "back": "/me/applications"})
        assert response.status_code == 303 and not language_cookies(response)
    session.expire_all()
    assert session.get(User, user.id).language is None
    assert not language_cookies(client.post("/language", data={"language": "de"}))


def language_cookies(response: Any) -> list[str]:
    """The language cookies a response sets (the session cookie is renewed on every request: not ours)."""
    return [value for value in response.headers.getlist("Set-Cookie") if value.startswith(f"{i18n.COOKIE}=")]


def test_the_way_back_is_a_page_of_this_site(client: FlaskClient) -> None:
    for back in ("https://evil.example/", "//evil.example", "/\\evil.example", "/no-such-page"):
        response = client.post("/language", data={"language": "en", "back": back})
        assert response.status_code == 303
        assert response.headers["Location"] in ("/", "http://localhost/"), back


def test_switching_after_a_refused_form_goes_back_to_the_page_of_that_form(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # A return refused with 422 is shown at its POST-only URL; the switcher goes back to the review page
    # (the GET page of that URL), not to the home page.
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=1)
    browser = login_as(world.enterprise.handler)
    page = f"/review/applications/{application.id}"
    refused = browser.post(f"{page}/return", data={"sections": ["education"], "deadline": "2026-10-20"})
    assert refused.status_code == 422 and switcher_back(refused.text) == page
    switched = browser.post("/language", data={"language": "en", "back": page})
    assert switched.headers["Location"].endswith(page)
    # A POST to a page that also answers a GET (the notices list, its draft refused): back to it.
    drafted = browser.post("/notices", data={"title": "公示"})
    assert drafted.status_code == 422 and switcher_back(drafted.text) == "/notices"


def switcher_back(html: str) -> str | None:
    """The page the language switcher of this page goes back to (its hidden `back`), if it says one."""
    switcher = html[html.index(SWITCH) : html.index("</form>", html.index(SWITCH))]
    found = re.search(r'name="back" value="([^"]*)"', switcher)
    return found.group(1) if found else None


def test_the_switcher_is_on_every_kind_of_page(session: Session, login_as: Any, client: FlaskClient) -> None:
    user = make_user(session)
    pages = {
        "login": client.get("/login"),
        "missing page": client.get("/no-such-page"),
        "logged in": login_as(user).get("/password"),
    }
    for name, response in pages.items():
        html = response.text
        assert SWITCH in html, name
        # Each language is named in itself and says its own language; the one in use is pressed.
        chinese = 'name="language" value="zh_Hans_CN" lang="zh-CN" aria-pressed="true">中文</button>'
        assert chinese in html, name
        assert 'value="en" lang="en" aria-pressed="false">English</button>' in html, name


def test_switching_is_allowed_while_a_password_change_is_forced(session: Session, login_as: Any) -> None:
    user = make_user(session, must_change_password=True)
    browser = login_as(user)
    assert browser.get("/me/applications").headers["Location"].endswith("/password")
    response = browser.post("/language", data={"language": "en", "back": "/password"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/password")
    page = browser.get("/password").text
    assert lang_of(page) == "en" and "Change password" in page


def test_dates_numbers_and_working_days_in_each_language(app: Flask) -> None:
    moment = datetime(2026, 11, 23, 2, 5, tzinfo=UTC)  # 10:05 in Shanghai
    with app.test_request_context():
        with force_locale(Language.ZH.value):
            assert i18n.format_day(date(2026, 11, 23)) == "2026年11月23日"
            assert i18n.format_moment(moment) == "2026年11月23日 10:05"
            assert i18n.format_day(datetime(2026, 11, 22, 17, 0, tzinfo=UTC)) == "2026年11月23日"  # Shanghai
            assert i18n.workdays_left(3) == "还剩3个工作日"
            assert i18n.format_number(12345) == "12,345"
        with force_locale(Language.EN.value):
            assert i18n.format_day(date(2026, 11, 23)) == "23 Nov 2026"
            assert i18n.format_moment(moment) == "23 Nov 2026, 10:05"
            assert i18n.workdays_left(1) == "1 working day left"
            assert i18n.workdays_left(3) == "3 working days left"
            assert i18n.workdays_left(0) == "0 working days left"
            assert i18n.format_number(12345) == "12,345"
            assert i18n.format_day(None) == ""


def test_the_domain_s_messages_are_chinese_text_that_the_web_translates(app: Flask) -> None:
    message = T_("登录失败次数过多，已锁定至%(until)s，请稍后再试", until=date(2026, 11, 23))
    assert message == "登录失败次数过多，已锁定至2026年11月23日，请稍后再试"  # as logs and audit rows read it
    assert pickle.loads(pickle.dumps(message)).params == message.params
    named = T_("%(org)s · %(role)s", org="赣州市<职称>办", role=N_("经办人"))
    listed = T_("新密码不符合要求：%(problems)s", problems=joined([N_("数字"), N_("符号")], "；"))
    counted = NT_("还剩%(num)d个工作日", "还剩%(num)d个工作日", 1)
    with app.test_request_context():
        with force_locale(Language.EN.value):
            assert i18n.translate(message) == (
                "Too many failed logins: locked until 23 Nov 2026. Please try again later"
            )
            # Chinese data inside an English sentence says its language; it is escaped like any text.
            assert str(i18n.translate(named)) == '<span lang="zh-CN">赣州市&lt;职称&gt;办</span> · Handler'
            assert i18n.translate_plain(named) == "赣州市<职称>办 · Handler"
            assert i18n.translate(listed) == "The new password does not meet the rules: digits; symbols"
            assert i18n.translate(counted) == "1 working day left"
            assert i18n.translate("王子涵") == "王子涵"  # no msgid: data comes back as it is
            assert i18n.translate(None) is None
        with force_locale(Language.ZH.value):
            assert i18n.translate(named) == "赣州市&lt;职称&gt;办 · 经办人"
            assert i18n.translate(listed) == "新密码不符合要求：数字；符号"


def test_a_constant_in_a_template_is_rendered_in_each_reader_s_language(app: Flask) -> None:
    # Jinja folds a filter of a constant into the compiled template: the first reader's language must not
    # stay for the next one (a Chinese reader first, then an English one, on the same compiled template).
    template = app.jinja_env.from_string(
        '{{ "新加坡"|zh }}|{{ "草稿"|t }}|{{ "2026-11-23"|cn_date if false else "草稿"|t_plain }}'
        '|{{ "新加坡" is chinese_in_english }}'
    )
    with app.test_request_context():
        with force_locale(Language.ZH.value):
            assert template.render() == "新加坡|草稿|草稿|False"
        with force_locale(Language.EN.value):
            assert template.render() == '<span lang="zh-CN">新加坡</span>|Draft|Draft|True'


def test_joined_refuses_a_separator_the_catalogue_cannot_translate() -> None:
    import pytest

    with pytest.raises(ValueError, match="SEPARATORS"):
        joined(["a", "b"], " / ")


def test_the_policy_engine_s_findings_read_in_english_with_clauses_and_names_in_chinese(app: Flask) -> None:
    from portal.domain.eligibility import Facts, check
    from portal.domain.policy import load_profiles

    profile = load_profiles()["ganzhou-2026"]
    facts = Facts.from_json(
        {
            "pathway": "认定",
            "series": "工程技术",
            "specialty": "机械工程",
            "level": "中级",
            "cutoff": "2026-06-30",
            "employer": {"ownership": "国有", "region": "章贡区"},
            "education": [{"level": "本科", "major": "机械工程", "graduated_on": "2020-06-30"}],
            "work": [{"from": "2020-07-01", "to": None, "professional": True, "internship": False}],
        }
    )
    findings = check(profile, facts)
    years = next(f for f in findings if f.rule == "CUT-06" and "专业技术工作年限按周年计算" in f.message)
    assert years.message.startswith("专业技术工作年限按周年计算至2026年6月30日为6年")  # as stored and audited
    with app.test_request_context(), force_locale(Language.EN.value):
        shown = str(i18n.translate(years.message))
        assert shown.startswith("Professional years counted in full years to 30 Jun 2026: 6 years")
        authority = next(f for f in findings if "的认定机构：" in f.message)
        shown = str(i18n.translate(authority.message))
        # The region and the authority's name are data: kept in Chinese, marked as such.
        assert shown.startswith('The certifying authority for Intermediate level in <span lang="zh-CN">章贡')
        assert leaks(f'<html lang="en"><p>{shown}</p></html>')[1] == []


def test_the_request_s_catalogue_follows_a_forced_locale_in_and_out(app: Flask) -> None:
    # The catalogue is looked up once per request and locale (issue 20): a forced locale inside a request
    # (an e-mail in the reader's language, the English summary) and the way back out must each be seen.
    template = app.jinja_env.from_string('{{ _("草稿") }}|{{ "草稿"|t }}|{{ status_words("draft").title }}')
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert template.render() == "Draft|Draft|Draft"
        with force_locale(Language.ZH.value):
            assert template.render() == "草稿|草稿|草稿"
            assert i18n.current_language() is Language.ZH
        assert template.render() == "Draft|Draft|Draft"
        assert i18n.current_language() is Language.EN


def test_a_refusal_s_field_messages_on_the_error_page_read_in_english_with_chinese_data_marked(
    app: Flask,
) -> None:
    # A ValidationFailed that reaches the error handler (no form to show it beside a field) is one message:
    # each field's text in the reader's language, the data it names (here a unit's name) marked Chinese.
    from portal.domain.errors import ValidationFailed

    refusal = ValidationFailed(
        {
            "name": T_("%(org)s · %(role)s", org="赣州市职称办", role=N_("经办人")),
            "person": N_("请填写姓名（与证件和社保登记一致）"),
        }
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        page = app.handle_user_exception(refusal)
        html = page.get_data(as_text=True)
    assert page.status_code == 422
    lang, runs = leaks(html)
    assert lang == "en" and runs == [], runs
    assert '<span lang="zh-CN">赣州市职称办</span> · Handler; Enter the name (as on' in html
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        html = app.handle_user_exception(refusal).get_data(as_text=True)
    assert "赣州市职称办 · 经办人；请填写姓名（与证件和社保登记一致）" in html


def test_a_pending_flash_reads_in_the_language_chosen_after_it_was_made(
    session: Session, clock: Clock, login_as: Any, client: FlaskClient
) -> None:
    """Seen: a message flashed in Chinese, then the switcher pressed before the next page: that page showed
    the message in Chinese. A flash is kept as its msgid and parameters and translated when shown."""
    world = make_committee_world(session, clock.now)
    admin = login_as(world.admin, membership_id=world.admin_membership.id)
    loaded = admin.post("/committees/load")  # flashed in Chinese, not shown yet
    assert loaded.status_code == 303 and lang_of(admin.get("/password").text) == "zh-CN"
    again = admin.post("/committees/load")  # a message with a nested word of its own context
    assert again.status_code == 303
    admin.post("/language", data={"language": "en", "back": "/committees"})
    page = admin.get("/committees").text
    assert "Loaded 27 review committees and 48 scope rows" not in page  # shown already, in Chinese
    assert "The application plan was loaded before and was not loaded again" in page
    assert "已载入过" not in page
    # Each flash is shown once, in the language of the page that shows it.
    admin.post("/committees/load")
    admin.post("/language", data={"language": "zh_Hans_CN", "back": "/committees"})
    assert "申报计划安排表已载入过，未重复载入" in admin.get("/committees").text
    assert "已载入过" not in admin.get("/committees").text
    # Logged out: the login page, switched before it is shown, says it in English.
    admin.post("/logout")
    admin.post("/language", data={"language": "en", "back": "/login"})
    assert "You have logged out" in admin.get("/login").text


def test_a_flash_worded_apart_from_its_template_keeps_its_chinese(app: Flask) -> None:
    """A period within one year is written 2027年1月20日至2月20日 (the rule words it apart from its template):
    kept as a msgid and parameters, the flash still reads so in Chinese, and by its template in English."""
    period = worded(
        "2027年1月20日至2月20日", T_("%(start)s至%(end)s", start=date(2027, 1, 20), end=date(2027, 2, 20))
    )
    message = T_("当前不在受理期内，下一受理期：%(period)s（%(batch)s）", period=period, batch="2027年第一批")
    for header, expected in (
        ("zh-CN", "当前不在受理期内，下一受理期：2027年1月20日至2月20日（2027年第一批）"),
        ("en", "20 Jan 2027"),
    ):
        with app.test_request_context("/", headers={"Accept-Language": header}):
            i18n.notify(message, "error")
            [(category, shown)] = i18n.flashed_messages()
            assert category == "error" and expected in str(shown), header
