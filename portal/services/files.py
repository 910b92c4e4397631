"""Reading stored files for people, and keeping the file store honest.

Rules: a file is read only after the caller's object check, every read is audited (view_file), and a file
whose bytes no longer match their SHA-256 is never served: the read is refused, audited as failed and
reported (T-UP-06). The sweeper removes what a crash can leave behind — temporary files and files no row
refers to — once they are older than an hour, so an upload in flight (file written, row not yet
committed) is never taken (T-CRASH-01).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import StoredFile
from portal.services import audit
from portal.services.actors import Actor
from portal.storage import FileCorrupted, FileMissing, Storage

SWEEP_GRACE = timedelta(hours=1)


def read_verified(
    session: Session, storage: Storage, actor: Actor, stored: StoredFile, now: datetime
) -> bytes:
    """The file's bytes, verified; FileCorrupted/FileMissing after auditing the failed read."""
    try:
        data = storage.get(stored.sha256)
    except (FileCorrupted, FileMissing) as problem:
        kind = "hash_mismatch" if isinstance(problem, FileCorrupted) else "missing"
        audit.record_attempt(
            session, actor, "view_file", now, object_type="file", object_id=stored.id, outcome="failed",
            detail={"problem": kind},
        )  # fmt: skip
        raise
    audit.record(session, actor, "view_file", now, object_type="file", object_id=stored.id)
    return data


@dataclass
class SweepReport:
    temporary: int = 0
    orphans: int = 0
    kept_young: int = 0
    removed: list[str] = field(default_factory=list)


def sweep(session: Session, storage: Storage, now: datetime, grace: timedelta = SWEEP_GRACE) -> SweepReport:
    """Remove files no stored_files row refers to, and (local store) temporary files a crash left,
    once older than `grace`; the same for a local folder or an S3 bucket."""
    report = SweepReport()
    referenced = set(session.scalars(select(StoredFile.sha256)))
    for key, written in storage.listing():
        if key in referenced:
            continue
        if now - written < grace:
            report.kept_young += 1
            continue
        storage.delete(key)
        report.orphans += 1
        report.removed.append(key)
    root = getattr(storage, "root", None)
    if isinstance(root, Path) and root.exists():
        for path in sorted(p for p in root.rglob(".incoming-*") if p.is_file()):
            if now - datetime.fromtimestamp(path.stat().st_mtime, UTC) < grace:
                report.kept_young += 1
                continue
            path.unlink(missing_ok=True)
            report.temporary += 1
            report.removed.append(path.relative_to(root).as_posix())
        for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()
    return report


@dataclass
class VerifyReport:
    checked: int = 0
    missing: list[int] = field(default_factory=list)
    corrupted: list[int] = field(default_factory=list)


def verify_store(session: Session, storage: Storage) -> VerifyReport:
    """Every stored-file row: is its file there, and do its bytes still hash to its key?"""
    report = VerifyReport()
    for row_id, key in session.execute(select(StoredFile.id, StoredFile.sha256).order_by(StoredFile.id)):
        report.checked += 1
        try:
            storage.get(key)
        except FileMissing:
            report.missing.append(row_id)
        except FileCorrupted:
            report.corrupted.append(row_id)
    return report
