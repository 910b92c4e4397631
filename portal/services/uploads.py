"""Keeping an uploaded spreadsheet: bytes in the content-addressed store, a StoredFile row describing
them. The user's file name is display metadata only, cleaned of control and bidi characters."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy.orm import Session

from portal.documents.spreadsheets import sniff_table
from portal.models import StoredFile
from portal.services.actors import Actor
from portal.storage import Storage

_INVISIBLE = {*range(0x00, 0x20), 0x7F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F}


def display_name(filename: str) -> str:
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
