"""T-CFG-01: with the production profile the app refuses to start on each unsafe setting, naming it;
T-SESS-04: the production cookie is __Host-, Secure, HttpOnly, SameSite=Lax; HSTS is sent."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from portal import UnsafeConfiguration, create_app
from portal.config import Settings
from portal.demo import seed_demo
from portal.extensions import db
from portal.web.storage import storage
from tests.conftest import Clock
from tests.dbsetup import database_url


@pytest.fixture
def good(tmp_path: Path, worker_id: str) -> Iterator[dict[str, Any]]:
    config = {
        "PORTAL_PROFILE": "production",
        "DATABASE_URL": database_url(f"portal_cfg_{worker_id}", tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-portal_session",
        "TRUSTED_HOSTS": ["zc.rsj.example.gov.cn", "localhost"],
        "DEBUG": False,
        "TESTING": False,
    }
    yield config


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def test_a_safe_production_configuration_starts_with_secure_cookies_and_hsts(good: dict[str, Any]) -> None:
    app = create_app(good)
    with app.app_context():
        upgrade()
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]  # the CSRF token's session, before any login
    assert cookie.startswith("__Host-portal_session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie
    _dispose(app)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": ""}, "PORTAL_SECRET_KEY"),
        ({"SECRET_KEY": "short-key"}, "PORTAL_SECRET_KEY"),
        ({"SECRET_KEY": "a" * 64}, "PORTAL_SECRET_KEY"),
        ({"SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests"}, "PORTAL_SECRET_KEY"),
        ({"DEBUG": True}, "DEBUG"),
        ({"SESSION_COOKIE_SECURE": False}, "PORTAL_SECURE_COOKIES"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "SESSION_COOKIE_HTTPONLY"),
        ({"SESSION_COOKIE_SAMESITE": None}, "SESSION_COOKIE_SAMESITE"),
        ({"MAX_CONTENT_LENGTH": None}, "PORTAL_MAX_UPLOAD_MB"),
        ({"TRUSTED_HOSTS": None}, "PORTAL_TRUSTED_HOSTS"),
        ({"WTF_CSRF_ENABLED": False}, "WTF_CSRF_ENABLED"),
        ({"PORTAL_PASSWORD_MIN_LENGTH": 6}, "PORTAL_PASSWORD_MIN_LENGTH"),
    ],
)
def test_each_unsafe_setting_stops_the_start_and_is_named(
    good: dict[str, Any], change: dict[str, Any], named: str
) -> None:
    with pytest.raises(UnsafeConfiguration, match=named) as refused:
        create_app({**good, **change})
    assert "拒绝启动" in str(refused.value)


def test_the_demo_accounts_stop_a_production_start(good: dict[str, Any]) -> None:
    setup = create_app({**good, "PORTAL_PROFILE": "development"})
    with setup.app_context():
        upgrade()
        seed_demo(db.session, Clock().now, storage())
        db.session.commit()
    _dispose(setup)
    with pytest.raises(UnsafeConfiguration, match="演示账号"):
        create_app(good)


def test_production_never_generates_a_key_and_names_a_secure_cookie(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_PROFILE", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_SECURE_COOKIES", "1")
    settings = Settings()
    assert settings.secret_key == ""
    config = settings.flask_config()
    assert config["SESSION_COOKIE_NAME"] == "__Host-portal_session"
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax" and config["SESSION_COOKIE_HTTPONLY"] is True
