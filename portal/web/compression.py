"""gzip for large pages and fragments (issue #10): a 50-row queue page is ~100 KB of HTML that gzip
turns into a few KB, which matters far more on an office's uplink than the millisecond it costs.

Done here rather than by a proxy so that `make run` and a bare gunicorn behave like production. Only
complete text bodies are compressed: streamed downloads (exports, files) pass through untouched.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

MIN_SIZE = 2048  # below this the gzip header and a round of CPU are not worth it
LEVEL = 5  # nearly level 9's ratio on HTML at a third of its cost
TEXT_TYPES = frozenset(
    {"text/html", "text/css", "application/javascript", "text/javascript", "application/json"}
)


def register_compression(app: Flask) -> None:
    @app.after_request
    def _gzip(response: Response) -> Response:
        if (
            response.status_code != 200
            or response.direct_passthrough
            or response.is_streamed
            or response.mimetype not in TEXT_TYPES
            or "Content-Encoding" in response.headers
            or "gzip" not in request.accept_encodings
        ):
            return response
        body = response.get_data()
        response.vary.add("Accept-Encoding")
        if len(body) < MIN_SIZE:
            return response
        response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        # The compressed bytes differ from the identity ones: a strong ETag becomes weak (as nginx does),
        # and the views compare If-None-Match weakly, so a gzip client still gets its 304.
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(etag, weak=True)
        return response
