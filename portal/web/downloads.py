"""Sending generated or stored bytes as a download: sniffed type, nosniff, RFC 5987 file names."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response


def send_bytes(data: bytes, filename: str, media_type: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype=media_type)
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Whatever the bytes are, a browser that renders them runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response
