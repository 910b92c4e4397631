"""T-BAK-01 restore drill and T-BAK-02 backup under concurrent writes; the sweeper (T-CRASH-01's
clean-up half): temp and orphan files go, referenced and young files stay."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import backup, create_app
from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import Notification, StoredFile
from portal.services import audit, files
from portal.storage.local import LocalStorage
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, make_application, make_user, make_world, tiny_png
from tests.factories import STORAGE as FACTORY_STORAGE

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


def _instance(tmp: Path, name: str, *, migrate: bool = True) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": database_url(name, tmp),
            "PORTAL_STORAGE_DIR": str(tmp / f"{name}-files"),
        }
    )
    if migrate:
        with app.app_context():
            upgrade()
    return app


@pytest.fixture
def source(tmp_path: Path, worker_id: str) -> Iterator[Flask]:
    app = _instance(tmp_path, f"portal_bak_src_{worker_id}")
    with app.app_context():
        session = db.session
        world = make_world(session)
        store = LocalStorage(Path(app.config["PORTAL_STORAGE_DIR"]))
        for step in (0, STEPS_TO[Status.SUBMITTED], STEPS_TO[Status.BUREAU_REVIEW]):
            make_application(session, world, NOW, steps=step)
        for stored in session.scalars(select(StoredFile)):  # the factories' scans live in their own store
            store.put(FACTORY_STORAGE.get(stored.sha256))
        owner = make_user(session)
        for n in range(12):
            data = tiny_png((8 + n, 8))
            session.add(StoredFile(sha256=store.put(data), size=len(data), media_type="image/png",
                                   uploaded_by_id=owner.id, created_at=NOW))  # fmt: skip
        session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_backup_restores_into_a_fresh_instance_with_every_count_and_hash_equal(
    source: Flask, tmp_path: Path, worker_id: str
) -> None:
    with source.app_context():
        report = backup.backup(
            db.engine, Path(source.config["PORTAL_STORAGE_DIR"]), tmp_path / "backups", NOW
        )
        original = backup.row_counts(db.engine)
    assert report.files >= 12 and report.row_counts == original and original["audit_events"] > 0
    fresh = _instance(tmp_path, f"portal_bak_dst_{worker_id}", migrate=False)
    result = fresh.test_cli_runner().invoke(args=["restore", str(report.path)])
    assert result.exit_code == 0, result.output
    with fresh.app_context():
        assert backup.row_counts(db.engine) == original
        checked, broken = audit.verify_chain(db.session)
        assert broken is None and checked == original["audit_events"]
        verified = files.verify_store(db.session, LocalStorage(Path(fresh.config["PORTAL_STORAGE_DIR"])))
        assert verified.checked >= report.files and not verified.missing and not verified.corrupted
        db.session.remove()
        db.engine.dispose()
    assert fresh.test_cli_runner().invoke(args=["restore", str(report.path)]).exit_code == 1  # not empty
    with fresh.app_context():
        db.engine.dispose()


def test_a_damaged_backup_is_refused_before_anything_is_written(source: Flask, tmp_path: Path) -> None:
    with source.app_context():
        report = backup.backup(db.engine, Path(source.config["PORTAL_STORAGE_DIR"]), tmp_path / "b", NOW)
    victim = next((report.path / "files").rglob("*"))
    while victim.is_dir():
        victim = next(victim.iterdir())
    victim.write_bytes(victim.read_bytes() + b"x")
    with pytest.raises(backup.BackupError, match="校验值不符"):
        backup.check(report.path)


def test_a_backup_taken_during_concurrent_writes_restores_consistent(
    source: Flask, tmp_path: Path, worker_id: str
) -> None:
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        with source.app_context():
            user_id = db.session.scalar(select(func.min(Notification.user_id))) or 1
            while not stop.is_set():
                db.session.add(Notification(user_id=user_id, kind="load", text="x", link="/"))
                audit.record(db.session, None, "load", NOW, object_type="test")
                db.session.commit()
                written[0] += 1
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while written[0] < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        with source.app_context():
            report = backup.backup(db.engine, Path(source.config["PORTAL_STORAGE_DIR"]), tmp_path / "c", NOW)
            db.session.remove()
    finally:
        stop.set()
        thread.join()
    assert written[0] >= 20
    fresh = _instance(tmp_path, f"portal_bak_live_{worker_id}", migrate=False)
    with fresh.app_context():
        restored = backup.restore(report.path, db.engine, Path(fresh.config["PORTAL_STORAGE_DIR"]))
        assert restored.row_counts == report.row_counts
        assert restored.row_counts["notifications"] == restored.row_counts["audit_events"] - (
            report.row_counts["audit_events"] - report.row_counts["notifications"]
        )
        checked, broken = audit.verify_chain(db.session)
        assert broken is None and checked == report.row_counts["audit_events"]
        db.session.remove()  # its transaction holds SQLite's write lock
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        db.session.remove()
        db.engine.dispose()


def test_the_sweeper_removes_old_temp_and_orphan_files_only(session: Session, tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "files")
    kept = tiny_png((9, 9))
    key = store.put(kept)
    session.add(StoredFile(sha256=key, size=len(kept), media_type="image/png", created_at=NOW))
    session.flush()
    orphan_old, orphan_young = store.put(tiny_png((10, 10))), store.put(tiny_png((11, 11)))
    temp = store._path(key).parent / ".incoming-crashed"
    temp.write_bytes(b"half")
    old = (NOW - timedelta(hours=2)).timestamp()
    for path in (store._path(key), store._path(orphan_old), temp):
        os.utime(path, (old, old))
    young = (NOW - timedelta(minutes=5)).timestamp()
    os.utime(store._path(orphan_young), (young, young))
    report = files.sweep(session, store, NOW)
    assert (report.temporary, report.orphans, report.kept_young) == (1, 1, 1)
    assert store.exists(key) and store.exists(orphan_young) and not store.exists(orphan_old)
    assert not temp.exists()
