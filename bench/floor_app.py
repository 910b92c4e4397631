"""The floor route for the load benchmark: a bare Flask app that answers the queue's first page with one
hand-written SQL statement and a bare Jinja template, the 304 poll's floor (a bare route answering 304 to
its own ETag), and the upload floor: the same multipart upload
received and written to disk, hashed while streaming. Served by gunicorn exactly like the portal.

    DATABASE_URL=... BENCH_BUREAU=1 gunicorn bench.floor_app:app
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from flask import Flask, Response, request
from sqlalchemy import create_engine

from bench.floors import queue_floor, queue_sql

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=False)
BUREAU = int(os.environ.get("BENCH_BUREAU", "1"))
SQL = queue_sql("all")


@app.get("/floor")
def floor() -> Response:
    with engine.connect() as connection:
        body = queue_floor(connection, SQL, {"bureau": BUREAU})
    return Response(body, mimetype="text/html")


POLL_TAG = "floor-unchanged"


@app.get("/poll")
def poll() -> Response:
    """The 304 poll's floor: a bare route that compares If-None-Match with a constant and answers 304."""
    if request.if_none_match.contains_weak(POLL_TAG):
        response = Response(status=304)
    else:
        response = Response("changed", mimetype="text/html")
    response.set_etag(POLL_TAG)
    return response


@app.post("/upload")
def upload() -> Response:
    """Werkzeug spools the part to a temporary file; copy it out in 64 KB chunks, hashing as it goes."""
    part = request.files["files"]
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=os.environ.get("BENCH_UPLOAD_DIR")) as out:
        for chunk in iter(lambda: part.stream.read(65536), b""):
            digest.update(chunk)
            out.write(chunk)
    return Response(digest.hexdigest(), mimetype="text/plain")
