"""What an uploaded file really is, decided from its first bytes (never its name or declared type)."""

from __future__ import annotations

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
TITLES = {PDF: "PDF", JPEG: "JPG 图片", PNG: "PNG 图片"}


def sniff(head: bytes) -> str | None:
    """The media type for a PDF, JPEG or PNG; None for anything else (HTML, executables, archives...)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None
