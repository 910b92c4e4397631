"""Accepting and storing uploads: one path for every upload in the portal (the public objection's
attachment now, the applicant's materials next).

Rule (security-plan §3.10): the bytes decide (portal.domain.uploads.accept), nothing is written before
the file is accepted, the key is the content's SHA-256, the user's file name is display metadata, and an
applicant's files count against their quota.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.uploads import AcceptedFile, UploadLimits, UploadRefused, Usage, accept
from portal.models import StoredFile
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
