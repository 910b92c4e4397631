"""Login, lockout, revocable sessions, idle expiry, forced password change, and the security headers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuthSession
from tests.conftest import Clock
from tests.factories import PASSWORD, make_user, make_world, with_document
from tests.i18n.reading import assert_english, in_english


def test_the_login_page_is_chinese_and_carries_security_headers(client: Any) -> None:
    response = client.get("/login")
    assert (
        response.status_code == 200
        and 'lang="zh-CN"' in response.text
        and "手机号或证件号码" in response.text
    )
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_login_by_phone_or_id_number_including_a_lowercase_x(session: Session, client: Any) -> None:
    user = make_user(session)
    for login in (user.phone, user.id_number, user.id_number.lower()):
        response = client.post("/login", data={"login": login, "password": PASSWORD})
        assert response.status_code == 303, login
        client.post("/logout")


def test_login_by_a_permit_or_passport_number_typed_with_spaces_or_full_width(
    session: Session, client: Any
) -> None:
    """Seen: a Macao resident who registered with “M1234567801” could not log in with “m 1234567801” (nor a
    full-width number from a Chinese keyboard), though HR's form and the registration accept both."""
    permit, passport = make_user(session), make_user(session)
    with_document(permit, "hk_macau_permit", "M1234567801")
    with_document(passport, "passport", "E12345678", nationality="GBR", permit_no="WP2026000123")
    session.flush()
    for login in ("m 1234567801", "Ｍ１２３４５６７８０１", " e1234-5678 "):
        response = client.post("/login", data={"login": login, "password": PASSWORD})
        assert response.status_code == 303, login
        client.post("/logout")


def test_the_login_field_says_a_passport_or_permit_number_works_in_both_languages(client: Any) -> None:
    """Seen in English: a passport holder read only “Mobile number or ID number” and did not know the
    passport number HR registered was the login."""
    chinese = client.get("/login").text
    assert 'aria-describedby="login-hint"' in chinese
    assert "证件号码：身份证号码，或开设账号时登记的护照、通行证等证件号码" in chinese
    english = in_english(client).get("/login").text
    assert "your ID card number, or the passport or permit number registered for your account" in english
    assert_english(english)


def test_a_wrong_password_says_nothing_about_which_part_was_wrong(session: Session, client: Any) -> None:
    user = make_user(session)
    wrong = client.post("/login", data={"login": user.phone, "password": "Wrong-pass1"})
    unknown = client.post("/login", data={"login": "13000000000", "password": "Wrong-pass1"})
    assert wrong.status_code == unknown.status_code == 422
    assert "账号或密码不正确" in wrong.text and "账号或密码不正确" in unknown.text


def test_five_failures_lock_the_account_for_fifteen_minutes_and_say_until_when(
    session: Session, client: Any, clock: Clock
) -> None:
    user = make_user(session)
    for _ in range(5):
        response = client.post("/login", data={"login": user.phone, "password": "Wrong-pass1"})
    assert "锁定至10:15" in response.text  # 10:00 Shanghai + 15 minutes
    locked = client.post("/login", data={"login": user.phone, "password": PASSWORD})
    assert locked.status_code == 422 and "锁定至10:15" in locked.text
    clock.advance(minutes=16)
    assert client.post("/login", data={"login": user.phone, "password": PASSWORD}).status_code == 303


def test_logout_ends_the_session_even_for_a_replayed_cookie(session: Session, app: Flask) -> None:
    user = make_user(session)
    browser = app.test_client()
    browser.post("/login", data={"login": user.phone, "password": PASSWORD})
    cookie = browser.get_cookie("portal_session")
    assert cookie is not None
    assert browser.get("/me/applications").status_code == 403  # logged in, but not an applicant
    browser.post("/logout")
    replay = app.test_client()
    replay.set_cookie("portal_session", cookie.value)
    response = replay.get("/me/applications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_idle_sessions_expire_after_thirty_minutes(session: Session, clock: Clock, login_as: Any) -> None:
    world = make_world(session)
    browser = login_as(world.enterprise.handler)
    assert browser.get("/review/queue").status_code == 200
    clock.advance(minutes=29)
    assert browser.get("/review/queue").status_code == 200
    clock.advance(minutes=31)
    assert browser.get("/review/queue").status_code == 302
    htmx = browser.get("/review/queue", headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"].startswith("/login")


def test_first_login_forces_a_password_change_that_follows_the_rules(session: Session, client: Any) -> None:
    user = make_user(session, must_change_password=True)
    response = client.post("/login", data={"login": user.phone, "password": PASSWORD})
    assert response.headers["Location"] == "/password"
    assert client.get("/me/applications").headers["Location"] == "/password"
    weak = client.post("/password", data={"current": PASSWORD, "new": "abcdefgh", "confirm": "abcdefgh"})
    assert weak.status_code == 422 and "至少3类" in weak.text and "长度至少12位（现为8位）" in weak.text
    mismatch = client.post("/password", data={"current": PASSWORD, "new": "Newpass#2026", "confirm": "x"})
    assert mismatch.status_code == 422 and "不一致" in mismatch.text
    done = client.post(
        "/password", data={"current": PASSWORD, "new": "Newpass#2026", "confirm": "Newpass#2026"}
    )
    assert done.status_code == 303
    session.refresh(user)
    assert user.must_change_password is False


def test_a_password_change_ends_every_other_session(session: Session, login_as: Any, app: Flask) -> None:
    user = make_user(session)
    other_browser = login_as(user)
    this_browser = login_as(user)
    this_browser.post(
        "/password", data={"current": PASSWORD, "new": "Newpass#2026", "confirm": "Newpass#2026"}
    )
    assert other_browser.get("/me/applications").status_code == 302
    assert len(session.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).all()) == 1


def test_authenticated_pages_are_not_cached(session: Session, login_as: Any) -> None:
    world = make_world(session)
    response = login_as(world.enterprise.handler).get("/review/queue")
    assert response.headers["Cache-Control"] == "no-store"


def test_csrf_is_required_on_posts_including_htmx(session: Session, app: Flask) -> None:
    user = make_user(session)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        browser = app.test_client()
        refused = browser.post("/login", data={"login": user.phone, "password": PASSWORD})
        assert refused.status_code == 400 and "CSRF" in refused.text
        page = browser.get("/login").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        assert f'"X-CSRFToken": "{token}"' in page  # htmx sends it from <body hx-headers>
        ok = browser.post(
            "/login", data={"login": user.phone, "password": PASSWORD}, headers={"X-CSRFToken": token}
        )
        assert ok.status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_error_pages_are_chinese_and_fragments_for_htmx(client: Any) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "页面不存在" in page.text and "<html" in page.text
    fragment = client.get("/no-such-page", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "页面不存在" in fragment.text and "<html" not in fragment.text
