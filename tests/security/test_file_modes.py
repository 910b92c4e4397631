"""Issue 16.14: the files that hold ID numbers, password hashes or the keys to the sessions are owner-only.

Under the usual umask (022) the SQLite database, its -wal and -shm, the instance secret key, every file
of a backup (and of a restore) and a batch package's ZIP are created 0600 in directories made 0700. At
start, a database or key file that gives anything to the group or to others is set back to 0600 outside
production, and stops the start in production, naming the file, its mode and the command to fix it.
The SQLite checks use a SQLite file on either run; the backup checks use the run's own engine."""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.orm import Session

from portal import UnsafeConfiguration, backup, config, create_app
from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import Job, StoredFile
from portal.services.submissions import new_token
from portal.storage.local import LocalStorage
from tests.conftest import Clock, run_queued
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, make_application, make_world, tiny_png


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most systems run services with: without explicit modes, files come out 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _app(url: str, tmp: Path, **extra: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": url,
            "PORTAL_STORAGE_DIR": str(tmp / "files"),
            **extra,
        }
    )


def _migrated_sqlite(tmp: Path) -> tuple[Flask, Path]:
    path = tmp / "data" / "portal.sqlite3"
    app = _app(f"sqlite:///{path}", tmp)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:  # a write, so the -wal and -shm files exist
            connection.execute(text("UPDATE users SET name = name"))
            connection.commit()
    return app, path


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_new_sqlite_database_and_its_wal_files_are_owner_only(tmp_path: Path) -> None:
    app, path = _migrated_sqlite(tmp_path)
    # The connection held open keeps the -wal and -shm on disk.
    with app.app_context(), db.engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM users"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}
    assert mode(path.parent) == 0o700  # the directory the app made for it
    _dispose(app)


class Remember(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_loose_database_files_are_set_back_to_0600_outside_production(tmp_path: Path) -> None:
    app, path = _migrated_sqlite(tmp_path)
    _dispose(app)
    wal = Path(f"{path}-wal")
    wal.touch()
    for loose in (path, wal):
        loose.chmod(0o644)  # as earlier versions made them
    # Alembic's logging set-up replaces the root handlers (pytest's caplog among them): listen on the app's.
    said = Remember()
    logging.getLogger("portal").addHandler(said)
    try:
        again = _app(f"sqlite:///{path}", tmp_path)
    finally:
        logging.getLogger("portal").removeHandler(said)
    assert mode(path) == 0o600 and mode(wal) == 0o600
    assert any(str(path) in line and "0644 → 0600" in line for line in said.lines), said.lines
    _dispose(again)


def test_production_refuses_to_start_on_a_loose_database_file_and_names_it(tmp_path: Path) -> None:
    app, path = _migrated_sqlite(tmp_path)
    _dispose(app)
    production = {
        "PORTAL_PROFILE": "production",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "__Host-portal_session",
        "TRUSTED_HOSTS": ["localhost"],
        "TESTING": False,
    }
    path.chmod(0o640)
    with pytest.raises(UnsafeConfiguration) as refused:
        _app(f"sqlite:///{path}", tmp_path, **production)
    assert str(path) in str(refused.value) and f"chmod 0600 {path}" in str(refused.value)
    assert mode(path) == 0o640  # production names it; the operator fixes it knowingly
    path.chmod(0o600)
    started = _app(f"sqlite:///{path}", tmp_path, **production)
    _dispose(started)


def test_the_instance_secret_key_is_created_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE_DIR", instance)
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_PROFILE", raising=False)
    key = config._secret_key()
    assert len(key) >= 48 and config._secret_key() == key  # kept across restarts
    assert mode(instance / "secret_key") == 0o600 and mode(instance) == 0o700
    assert sorted(p.name for p in instance.iterdir()) == ["secret_key"]  # nothing left aside


def _tree_modes(root: Path) -> dict[str, str]:
    """Every directory and file under root (root included) whose mode is not owner-only."""
    loose = {}
    for path in [root, *root.rglob("*")]:
        wanted = 0o700 if path.is_dir() else 0o600
        if mode(path) != wanted:
            loose[str(path.relative_to(root.parent))] = oct(mode(path))
    return loose


def test_every_file_and_directory_of_a_backup_and_a_restore_is_owner_only(
    tmp_path: Path, worker_id: str
) -> None:
    source = _app(database_url(f"portal_modes_src_{worker_id}", tmp_path), tmp_path / "src")
    with source.app_context():
        upgrade()
        store = LocalStorage(Path(source.config["PORTAL_STORAGE_DIR"]))
        for n in range(3):
            data = tiny_png((8 + n, 8))
            db.session.add(StoredFile(sha256=store.put(data), size=len(data), media_type="image/png"))
        db.session.commit()
        stored = Path(source.config["PORTAL_STORAGE_DIR"])
        report = backup.backup(db.engine, stored, tmp_path / "b" / "c", _now())
    _dispose(source)
    assert report.files == 3
    assert _tree_modes(tmp_path / "b") == {}  # the backup root it made, the backup, its files and manifest
    fresh = _app(database_url(f"portal_modes_dst_{worker_id}", tmp_path), tmp_path / "dst")
    result = fresh.test_cli_runner().invoke(args=["restore", str(report.path)])
    assert result.exit_code == 0, result.output
    restored = [p for p in (tmp_path / "dst" / "files").rglob("*") if p.is_file()]
    assert len(restored) == 3 and {mode(p) for p in restored} == {0o600}
    with fresh.app_context():
        target = db.engine.url.database
    if db_is_sqlite(fresh):
        assert mode(Path(str(target))) == 0o600
    _dispose(fresh)


def db_is_sqlite(app: Flask) -> bool:
    return str(app.config["DATABASE_URL"]).startswith("sqlite")


def _now() -> datetime:
    return datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


def test_a_batch_package_archive_is_owner_only(
    app: Flask, session: Session, clock: Clock, tmp_path: Path, queue: None, login_as: Any
) -> None:
    """The worker builds a batch ZIP in PORTAL_PACKAGE_DIR (0700, the archive 0600) and keeps the result in
    the file store, owner-only too."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_REVIEW])
    workdir = tmp_path / "packages"
    saved = app.config["PORTAL_PACKAGE_DIR"]
    app.config["PORTAL_PACKAGE_DIR"] = str(workdir)
    try:
        form = {"ids": [str(application.id)], "form_token": new_token()}
        created = login_as(world.enterprise.handler).post("/packages/batches", data=form)
        run_queued(app)
    finally:
        app.config["PORTAL_PACKAGE_DIR"] = saved
    job = session.get(Job, int(created.headers["Location"].rsplit("/", 1)[1]))
    assert job is not None and job.result_file is not None, created.headers["Location"]
    assert mode(workdir) == 0o700
    store = Path(app.config["PORTAL_STORAGE_DIR"])
    stored = store / job.result_file.sha256[:2] / job.result_file.sha256[2:4] / job.result_file.sha256
    assert mode(stored) == 0o600
