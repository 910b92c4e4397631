"""The file store for this app and the upload limits, from its settings; uploaded files read in order."""

from __future__ import annotations

from flask import current_app, request

from portal.documents.scans import Part
from portal.services.materials import Limits
from portal.storage import Storage, from_config


def storage() -> Storage:
    """The backend the settings choose (PORTAL_STORAGE: local folder or S3-compatible bucket)."""
    return from_config(current_app.config)


def upload_limits() -> Limits:
    """The per-file limits from the settings (PORTAL_MAX_UPLOAD_MB, PORTAL_MATERIAL_FILE_LIMIT_KB)."""
    return Limits(
        max_upload=int(current_app.config.get("PORTAL_MAX_UPLOAD_MB", 20)) * 1024 * 1024,
        file_limit=int(current_app.config.get("PORTAL_MATERIAL_FILE_LIMIT_KB", 2048)) * 1024,
    )


def uploaded_parts(field: str = "files") -> list[Part]:
    """The files of a multipart field, in the order they were chosen; empty file inputs are skipped."""
    parts = []
    for upload in request.files.getlist(field):
        data = upload.read()
        if data or upload.filename:
            parts.append(Part(name=(upload.filename or "")[:200], data=data))
    return [p for p in parts if p.data]
