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
_KEY_LENGTH = 64


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


def sweep(session: Session, root: Path, now: datetime, grace: timedelta = SWEEP_GRACE) -> SweepReport:
    """Remove temporary and unreferenced files older than `grace` from the store (never a file in flight);
    reports what went."""
    report = SweepReport()
    if not root.exists():
        return report
    referenced = set(session.scalars(select(StoredFile.sha256)))
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        age = now - datetime.fromtimestamp(path.stat().st_mtime, UTC)
        temporary = path.name.startswith(".incoming-")
        orphan = len(path.name) == _KEY_LENGTH and path.name not in referenced
        if not (temporary or orphan):
            continue
        if age < grace:
            report.kept_young += 1
            continue
        path.unlink(missing_ok=True)
        report.removed.append(path.relative_to(root).as_posix())
        if temporary:
            report.temporary += 1
        else:
            report.orphans += 1
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
