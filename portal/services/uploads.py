"""Accepting and storing uploads: one path for every upload in the portal (the public objection's
attachment now, the applicant's materials next).

Rule (security-plan §3.10): the bytes decide (portal.domain.uploads.accept), nothing is written before
the file is accepted, the key is the content's SHA-256, the user's file name is display metadata, and an
applicant's files count against their quota.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.documents.spreadsheets import sniff_table
from portal.domain.uploads import AcceptedFile, UploadLimits, UploadRefused, Usage, accept
from portal.models import StoredFile
from portal.services.actors import Actor
from portal.storage import Storage

__all__ = ["AcceptedFile", "UploadLimits", "UploadRefused", "Usage", "accept_upload", "store", "usage_of"]

# The public objection form: anyone, no account, so no quota (the per-IP limit applies instead).
OBJECTION_LIMITS = UploadLimits(max_bytes=10 * 1024 * 1024)
# An applicant's materials (T-UP-04): 40 files / 100 MB each.
APPLICANT_LIMITS = UploadLimits(max_bytes=10 * 1024 * 1024, quota_files=40, quota_bytes=100 * 1024 * 1024)


def accept_upload(
    data: bytes,
    filename: str,
    declared_type: str | None,
    limits: UploadLimits,
    usage: Usage = Usage(),  # noqa: B008 - frozen dataclass, never mutated
) -> AcceptedFile:
    """The accepted file, or UploadRefused with a Chinese message naming what is wrong."""
    return accept(data, filename, declared_type, limits, usage)


def usage_of(session: Session, user_id: int) -> Usage:
    """How many files and bytes the person has uploaded (their quota)."""
    files, size = session.execute(
        select(func.count(StoredFile.id), func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.uploaded_by_id == user_id
        )
    ).one()
    return Usage(int(files), int(size))


def store(
    session: Session, storage: Storage, accepted: AcceptedFile, uploader_id: int | None, now: datetime
) -> StoredFile:
    """Bytes first (atomic, content-addressed), then the row in the caller's transaction; a file whose
    row never commits is an orphan the sweeper removes after an hour."""
    row = StoredFile(
        sha256=storage.put(accepted.data),
        size=accepted.size,
        media_type=accepted.media_type,
        display_name=accepted.display_name,
        uploaded_by_id=uploader_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


# Spreadsheets kept for bulk import and rosters (issue 3).
_INVISIBLE = {*range(0x00, 0x20), 0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F}


def display_name(filename: str) -> str:
    """A file name fit to show: NFC, invisible and direction characters removed, at most 100 characters."""
    text = unicodedata.normalize("NFC", filename or "")
    return "".join(ch for ch in text if ord(ch) not in _INVISIBLE)[:100]


def keep_table(
    session: Session, storage: Storage, actor: Actor, data: bytes, filename: str, now: datetime
) -> StoredFile:
    """Store an uploaded table (its type sniffed from the content) and describe it."""
    stored = StoredFile(
        sha256=storage.put(data),
        size=len(data),
        media_type=sniff_table(data),
        display_name=display_name(filename),
        uploaded_by_id=actor.user_id or None,
        created_at=now,
    )
    session.add(stored)
    session.flush()
    return stored
