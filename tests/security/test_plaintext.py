"""T-AUTH-04: passwords at rest. After a run of logins (good and bad), first-password use and password
changes on a database of its own (committed, as in production), none of the passwords is found in a
dump of every table, in the SQLite database file and its WAL, in a backup, or in the logs; every stored
hash is argon2id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from portal import backup, create_app
from portal.extensions import db
from portal.models import Base, PasswordHistory, User
from portal.services import organisations
from portal.services.actors import actor_for
from tests.dbsetup import database_url, on_postgres
from tests.factories import PASSWORD, make_world, resident_id

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
WRONG = "Cuowu-Mima-7713!"
FIRST_CHANGE = "Shouci-Xiugai-2026#"
SECOND = "Dierci-Xiugai-2026$"
THIRD = "Disanci-Xiugai-2026%"


@pytest.fixture
def instance(tmp_path: Path, worker_id: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "WTF_CSRF_ENABLED": False,
            "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
            "DATABASE_URL": database_url(f"portal_plain_{worker_id}", tmp_path),
            "PORTAL_STORAGE_DIR": str(tmp_path / "files"),
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _change(client: object, current: str, new: str) -> None:
    response = client.post("/password", data={"current": current, "new": new, "confirm": new})  # type: ignore[attr-defined]
    assert response.status_code == 303, response.text[:300]


def _login(client: object, login: str, password: str) -> int:
    return client.post("/login", data={"login": login, "password": password}).status_code  # type: ignore[attr-defined]


def test_no_password_is_stored_or_logged_in_plaintext(
    instance: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    with instance.app_context():
        world = make_world(db.session)
        staff_phone = world.enterprise.handler.phone
        created = organisations.open_account(
            db.session,
            actor_for(world.admin, world.admin_membership),
            "新员工",
            resident_id(),
            "13700009999",
            NOW,
        )
        first = created.password
        db.session.commit()

    browser = instance.test_client()
    assert _login(browser, staff_phone, WRONG) == 422  # refused: the form again, with a message
    assert _login(browser, staff_phone, PASSWORD) == 303
    _change(browser, PASSWORD, SECOND)
    _change(browser, SECOND, THIRD)
    assert browser.post("/logout").status_code == 303
    assert _login(browser, staff_phone, THIRD) == 303
    newcomer = instance.test_client()
    assert _login(newcomer, "13700009999", first) == 303  # the first password, then the forced change
    _change(newcomer, first, FIRST_CHANGE)

    secrets = [PASSWORD, WRONG, FIRST_CHANGE, SECOND, THIRD, first]
    places: dict[str, bytes] = {}
    with instance.app_context():
        engine = db.engine
        with engine.connect() as connection:
            dump = [repr(connection.execute(select(table)).all()) for table in Base.metadata.sorted_tables]
        places["table dump"] = "\n".join(dump).encode()
        hashes = list(db.session.scalars(select(User.password_hash))) + list(
            db.session.scalars(select(PasswordHistory.password_hash))
        )
        report = backup.backup(engine, Path(instance.config["PORTAL_STORAGE_DIR"]), tmp_path / "bak", NOW)
        if not on_postgres():
            database = Path(engine.url.database or "")
            for suffix in ("", "-wal"):
                path = Path(f"{database}{suffix}")
                if path.exists():
                    places[path.name] = path.read_bytes()
    for path in report.path.rglob("*"):
        if path.is_file():
            places[f"backup {path.name}"] = path.read_bytes()
    out, err = capfd.readouterr()
    places["logs"] = (caplog.text + out + err).encode()

    found = [
        f"{secret!r} in {where}"
        for secret in secrets
        for where, content in places.items()
        if secret.encode() in content
    ]
    assert found == []
    assert len(hashes) >= 8 and all(h.startswith("$argon2id$") for h in hashes), hashes
    # The dump is not empty noise: the accounts are there, by name.
    assert "新员工".encode() in places["table dump"]
