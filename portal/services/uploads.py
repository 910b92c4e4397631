"""Accepting and storing uploads: the ONE path every upload in the portal takes — the applicant's
materials (portal.services.materials, through documents.scans), objection attachments
(services.notices), the unit's seal (services.endorsements), bulk-import and roster spreadsheets
(services.imports, services.rosters) and the admin's holiday CSV (web.admin.calendar).
tests/security/test_upload_policy.py finds every upload form from the url_map and sends each the same
hostile corpus.

Guarantees (security-plan §3.10, issue 16 items 4, 5, 10; issue 20 "uploads on files, not bytes"):
- the bytes decide, never the name or the declared type; the name is display metadata, cleaned first
  (portal.domain.uploads.clean_name: NUL and bidi characters removed, paths and device names refused);
- the upload is read from its (spooled) file in chunks and never held whole in memory: size from the
  file, type from its first bytes, the PDF check on qpdf's lazily parsed objects, the thumbnail from the
  first page's JPEG at reduced scale, the store fed chunk by chunk (Storage.put_file) while hashing;
- active PDF content is neutralised by re-writing or refused, images are re-encoded without metadata
  (portal.documents.inspection); page and pixel caps; polyglots refused;
- nothing is written before the file is accepted; the key is the stored content's SHA-256; an
  applicant's files count against their quota.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.documents import inspection
from portal.documents.inspection import Inspected as AcceptedFile
from portal.documents.spreadsheets import MAX_BYTES as TABLE_MAX_BYTES
from portal.domain.uploads import MB, UploadKind, UploadLimits, UploadRefused, Usage
from portal.models import StoredFile
from portal.services.actors import Actor
from portal.storage import Storage

__all__ = [
    "AcceptedFile",
    "UploadKind",
    "UploadLimits",
    "UploadRefused",
    "Usage",
    "accept_table",
    "accept_upload",
    "store",
    "usage_of",
]

# The public objection form: anyone, no account, so no quota (the per-IP limit applies instead).
OBJECTION_LIMITS = UploadLimits(max_bytes=10 * MB)
# An applicant's materials (T-UP-04): 40 files / 100 MB each.
APPLICANT_LIMITS = UploadLimits(max_bytes=10 * MB, quota_files=40, quota_bytes=100 * MB)
SEAL_LIMITS = UploadLimits(max_bytes=1 * MB, max_pixels=4_000_000)
TABLE_LIMITS = UploadLimits(max_bytes=TABLE_MAX_BYTES)
CALENDAR_LIMITS = UploadLimits(max_bytes=200_000)


def accept_upload(
    upload: bytes | IO[bytes],
    filename: str,
    declared_type: str | None,
    limits: UploadLimits,
    usage: Usage = Usage(),  # noqa: B008 - frozen dataclass, never mutated
    *,
    kind: UploadKind = UploadKind.DOCUMENT,
) -> AcceptedFile:
    """The accepted file (a PDF, JPEG or PNG; a seal: PNG) as it will be stored, or UploadRefused with a
    Chinese message naming what is wrong. `declared_type` (the browser's Content-Type) is deliberately
    ignored: it is whatever the client says."""
    del declared_type
    return inspection.accept(upload, filename, limits, usage, kind=kind)


def accept_table(
    upload: bytes | IO[bytes], filename: str, kind: UploadKind = UploadKind.TABLE
) -> AcceptedFile:
    """A spreadsheet for bulk import or the roster (.xlsx / .csv), or the admin's holiday list (.csv),
    accepted as uploaded (see documents.inspection.accept_table), or UploadRefused."""
    limits = CALENDAR_LIMITS if kind is UploadKind.CALENDAR else TABLE_LIMITS
    return inspection.accept_table(upload, filename, limits, kind)


def usage_of(session: Session, user_id: int) -> Usage:
    """How many files and bytes the person has uploaded (their quota)."""
    files, size = session.execute(
        select(func.count(StoredFile.id), func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.uploaded_by_id == user_id
        )
    ).one()
    return Usage(int(files), int(size))


def store(
    session: Session,
    storage: Storage,
    accepted: AcceptedFile,
    uploader_id: int | None,
    now: datetime,
    *,
    display_name: str | None = None,
) -> StoredFile:
    """Bytes first (streamed into the store, atomic, content-addressed), then the row in the caller's
    transaction; a file whose row never commits is an orphan the sweeper removes after an hour. The
    row's size is the stored content's (a re-encoded image is not the upload's size)."""
    row = StoredFile(
        sha256=storage.put_file(accepted.file),
        size=accepted.size,
        media_type=accepted.media_type,
        display_name=(display_name or accepted.display_name)[:200],
        uploaded_by_id=uploader_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def keep_table(
    session: Session, storage: Storage, actor: Actor, accepted: AcceptedFile, now: datetime
) -> StoredFile:
    """Store an accepted spreadsheet (bulk import, roster) as uploaded."""
    return store(session, storage, accepted, actor.user_id or None, now)
