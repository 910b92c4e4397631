"""Sending generated or stored bytes as a download: sniffed type, nosniff, and the file name as RFC 6266
asks: `filename=` a readable ASCII fallback, `filename*=UTF-8''…` the real name, both without control or
bidi characters (a stored name from before names were cleaned, with a NUL in it, still downloads)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import quote

from flask import Response

from portal.domain.uploads import ascii_fallback, strip_invisible


def disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition header value for `filename`."""
    name = strip_invisible(filename).strip() or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback(name, 'download')}\"; filename*=UTF-8''{quote(name, safe='')}"


T = TypeVar("T")


class Counted(Generic[T]):
    """Rows passed through to a writer, counted on the way (what an export's audit event records)."""

    def __init__(self, rows: Iterable[T]) -> None:
        self._rows = iter(rows)
        self.count = 0

    def __iter__(self) -> Iterator[T]:
        for row in self._rows:
            self.count += 1
            yield row


def _disposition(response: Response, filename: str, inline: bool) -> Response:
    response.headers["Content-Disposition"] = disposition(filename, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Whatever the bytes are, a browser that renders them runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response


def send_bytes(data: bytes, filename: str, media_type: str, *, inline: bool = False) -> Response:
    return _disposition(Response(data, mimetype=media_type), filename, inline)


def send_temporary_file(path: Path, filename: str, media_type: str, *, delete: bool = True) -> Response:
    """Stream a file written for this response in chunks, and delete it once sent (or abandoned) unless
    `delete` is False (a batch package stays for another try until its job expires)."""

    def chunks() -> Iterator[bytes]:
        # The file is opened for each chunk, so a client that stops reading leaves no open handle.
        offset = 0
        try:
            while True:
                with path.open("rb") as handle:
                    handle.seek(offset)
                    data = handle.read(64 * 1024)
                if not data:
                    return
                offset += len(data)
                yield data
        finally:
            if delete:
                path.unlink(missing_ok=True)

    stream = chunks()

    def close() -> None:
        # Closing a generator that never started runs none of its body, so the `finally` above cannot be
        # the only deletion: a HEAD request (the body is never read) or a client gone before the first
        # chunk would leave the file in the temporary directory for good.
        stream.close()
        if delete:
            path.unlink(missing_ok=True)

    response = Response(stream, mimetype=media_type)
    # The whole file exists before the first byte goes out: its length lets the browser show progress.
    response.content_length = path.stat().st_size
    response.call_on_close(close)  # a client that stops early still closes and deletes the file
    return _disposition(response, filename, False)
