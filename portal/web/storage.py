"""The file store for this app and the upload limits, from its settings; uploaded files handed on as the
request's own spooled files (never read into memory here), in the order they were chosen."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.datastructures import FileStorage

from portal.documents.scans import Part
from portal.domain.uploads import UploadLimits
from portal.services.materials import Limits
from portal.storage import Storage, from_config


def storage() -> Storage:
    """The backend the settings choose (PORTAL_STORAGE: local folder or S3-compatible bucket)."""
    return from_config(current_app.config)


def acceptance_limits(max_bytes: int) -> UploadLimits:
    """The acceptance path's caps from the settings (PORTAL_MAX_PDF_PAGES, PORTAL_MAX_IMAGE_PIXELS)."""
    return UploadLimits(
        max_bytes=max_bytes,
        max_pages=int(current_app.config.get("PORTAL_MAX_PDF_PAGES", 300)),
        max_pixels=int(current_app.config.get("PORTAL_MAX_IMAGE_PIXELS", 40_000_000)),
    )


def upload_limits() -> Limits:
    """The per-file limits from the settings (PORTAL_MAX_UPLOAD_MB, PORTAL_MATERIAL_FILE_LIMIT_KB)."""
    max_upload = int(current_app.config.get("PORTAL_MAX_UPLOAD_MB", 20)) * 1024 * 1024
    return Limits(
        max_upload=max_upload,
        file_limit=int(current_app.config.get("PORTAL_MATERIAL_FILE_LIMIT_KB", 2048)) * 1024,
        acceptance=acceptance_limits(max_upload),
    )


def _size(upload: FileStorage) -> int:
    stream = upload.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def uploaded_parts(field: str = "files") -> list[Part]:
    """The files of a multipart field, in the order they were chosen, as the request's spooled files.
    A nameless empty part is skipped (the camera input left unused sends one); an empty file that has a
    name was chosen, and is handed on for the acceptance path to refuse in words."""
    return [
        Part(name=upload.filename or "", data=upload.stream)
        for upload in request.files.getlist(field)
        if upload.filename or _size(upload)
    ]


def uploaded_file(field: str) -> Part | None:
    """The one file of a field, or None when nothing was chosen (an empty file that has a name is
    handed on, for the acceptance path to refuse in words)."""
    upload = request.files.get(field)
    if upload is None or not (upload.filename or _size(upload)):
        return None
    return Part(name=upload.filename or "", data=upload.stream)
