"""T-AUTH-03 at the door: the configured password policy is enforced at every change (voluntary, the
first forced one, the one forced by the maximum age), the form lists every broken rule in Chinese next
to the field, none of the last N passwords comes back, and a password past its maximum age blocks
everything but the change — pages, htmx calls and the login redirect alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings, password_policy
from portal.domain.passwords import PROFILES, PasswordPolicyError, make_policy
from portal.models import PasswordHistory
from portal.services import auth
from portal.services.actors import Actor
from tests.conftest import Clock
from tests.factories import PASSWORD, make_user


@pytest.fixture
def policy(app: Flask) -> Iterator[Any]:
    """use(policy): the app enforces `policy` for this test (the built one is cached on the app)."""
    before = app.extensions.get("portal_password_policy")

    def use(value: Any) -> None:
        app.extensions["portal_password_policy"] = value

    yield use
    app.extensions["portal_password_policy"] = before


def _change(client: Any, current: str, new: str) -> Any:
    return client.post("/password", data={"current": current, "new": new, "confirm": new})


def test_the_form_lists_every_broken_rule_next_to_the_field(session: Session, login_as: Any) -> None:
    user = make_user(session)
    client = login_as(user)
    page = client.get("/password")
    assert "至少12位，包含大写字母、小写字母、数字、符号中的至少3类" in page.text  # the hint: the policy
    weak = _change(client, PASSWORD, f"a{user.phone}")
    assert weak.status_code == 422
    assert 'id="e-new" role="alert">新密码不符合要求：' in weak.text
    assert "至少3类（现只有小写字母、数字）" in weak.text and "手机号" in weak.text
    assert "长度至少12位" not in weak.text  # 12 characters: only what is wrong is listed
    session.refresh(user)
    assert auth._verify(user.password_hash, PASSWORD)  # nothing changed


def test_none_of_the_last_five_passwords_comes_back(session: Session, login_as: Any, clock: Clock) -> None:
    user = make_user(session)
    first = "Mima-0-2026!x"
    user.password_hash = auth.hash_password(first)
    session.flush()
    chosen = [f"Mima-{n}-2026!x" for n in range(1, 6)]
    current = first
    for new in chosen:
        clock.advance(days=1)
        # A new session each time: a day's pause outlives the idle timeout.
        assert _change(login_as(user), current, new).status_code == 303
        current = new
    client = login_as(user)
    # Current is chosen[4]; the last five are chosen[0..4]: each is refused, naming the rule.
    for old in chosen:
        refused = _change(client, current, old)
        assert refused.status_code == 422 and "不能与最近5次使用过的密码相同" in refused.text, old
    # Only the four before the current one are kept, as hashes (the first, sixth back, was dropped)…
    kept = session.scalars(select(PasswordHistory).where(PasswordHistory.user_id == user.id)).all()
    assert len(kept) == 4 and all(row.password_hash.startswith("$argon2id$") for row in kept)
    assert not any(auth._verify(row.password_hash, first) for row in kept)
    # …so it may come back.
    assert _change(client, current, first).status_code == 303


def test_a_wrong_current_password_reveals_nothing_about_old_ones(session: Session, login_as: Any) -> None:
    user = make_user(session)
    assert _change(login_as(user), PASSWORD, "Mima-1-2026!x").status_code == 303
    assert _change(login_as(user), "Mima-1-2026!x", "Mima-2-2026!x").status_code == 303
    client = login_as(user)
    probe = _change(client, "not-the-password", "Mima-1-2026!x")
    assert probe.status_code == 422 and "当前密码不正确" in probe.text and "不能与最近" not in probe.text
    assert "不能与最近5次" in _change(client, "Mima-2-2026!x", "Mima-1-2026!x").text


def test_an_expired_password_blocks_everything_but_the_change(
    session: Session, client: Any, clock: Clock
) -> None:
    user = make_user(session)
    user.password_changed_at = clock.now - timedelta(days=89, hours=23)
    session.flush()
    fresh = client.post("/login", data={"login": user.phone, "password": PASSWORD})
    assert fresh.status_code == 303 and fresh.headers["Location"] != "/password"
    client.post("/logout")

    clock.advance(hours=1)  # 90 days now: 等保's periodic change is due
    login = client.post("/login", data={"login": user.phone, "password": PASSWORD})
    assert login.headers["Location"] == "/password"
    assert client.get("/me/applications").headers["Location"] == "/password"
    htmx = client.get("/me/applications", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/password"
    page = client.get("/password")
    assert page.status_code == 200 and "您的密码已使用超过90天" in page.text
    assert _change(client, PASSWORD, PASSWORD).status_code == 422  # the same one again is no change
    assert _change(client, PASSWORD, "Xin-Mima-2026!").status_code == 303
    assert client.get("/inbox").status_code == 200
    session.refresh(user)
    assert user.password_changed_at == clock.now and user.must_change_password is False


def test_an_account_that_never_changed_its_password_ages_from_its_creation(
    session: Session, client: Any, clock: Clock
) -> None:
    user = make_user(session)
    user.created_at = clock.now - timedelta(days=120)
    session.flush()
    assert auth.must_change_password(user, clock.now, PROFILES["dengbao"]) == "expired"
    assert (
        client.post("/login", data={"login": user.phone, "password": PASSWORD}).headers["Location"]
        == "/password"
    )


def test_the_asvs_profile_has_no_composition_rule_and_no_expiry(
    session: Session, client: Any, clock: Clock, policy: Any
) -> None:
    policy(PROFILES["asvs"])
    user = make_user(session)
    user.password_changed_at = clock.now - timedelta(days=3650)
    session.flush()
    login = client.post("/login", data={"login": user.phone, "password": PASSWORD})
    assert login.headers["Location"] != "/password"
    hint = client.get("/password").text
    assert "至少12位，不含手机号和证件号码，不与当前密码相同" in hint and "须更换" not in hint
    assert _change(client, PASSWORD, "correct horse battery staple").status_code == 303


def test_the_first_forced_change_follows_the_configured_policy(
    session: Session, client: Any, policy: Any
) -> None:
    policy(make_policy("dengbao", min_length=16, required_classes="symbol"))
    user = make_user(session, must_change_password=True)
    client.post("/login", data={"login": user.phone, "password": PASSWORD})
    page = client.get("/password")
    assert "第一次登录" in page.text and "至少16位" in page.text
    refused = _change(client, PASSWORD, "Abcdefgh12345")
    assert refused.status_code == 422
    assert "长度至少16位（现为13位）" in refused.text and "须包含符号" in refused.text
    assert _change(client, PASSWORD, "Abcdefgh12345-xyz").status_code == 303


def test_the_service_refuses_without_the_web_layer(session: Session, clock: Clock) -> None:
    user = make_user(session)
    actor = Actor(user.id, user.name)
    with pytest.raises(auth.ValidationFailed) as invalid:
        auth.change_password(session, user, PASSWORD, "short", "short", clock.now, actor)
    assert set(invalid.value.fields) == {"new"}
    assert "长度至少12位" in invalid.value.fields["new"]


def test_settings_reach_the_policy_and_a_bad_one_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTAL_PASSWORD_PROFILE", "asvs")
    monkeypatch.setenv("PORTAL_PASSWORD_MIN_LENGTH", "15")
    monkeypatch.setenv("PORTAL_PASSWORD_HISTORY", "3")
    monkeypatch.setenv("PORTAL_PASSWORD_FORBID_PERSONAL", "0")
    built = password_policy(Settings().flask_config())
    assert (built.min_length, built.min_classes, built.history, built.forbid_personal) == (15, 0, 3, False)
    assert password_policy({}) == PROFILES["dengbao"]
    monkeypatch.setenv("PORTAL_PASSWORD_MIN_CLASSES", "7")
    from portal import create_app

    with pytest.raises(PasswordPolicyError, match="PORTAL_PASSWORD_MIN_CLASSES"):
        create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://"})


def test_first_passwords_pass_the_default_policy() -> None:
    for _ in range(50):
        first = auth.initial_password()
        assert len(first) == 16 and auth.passwords.check_password(first) == []
