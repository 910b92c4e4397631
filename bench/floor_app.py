"""The floor route for the load benchmark: a bare Flask app that answers the queue's first page with one
hand-written SQL statement and a bare Jinja template. Served by gunicorn exactly like the portal.

    DATABASE_URL=... BENCH_BUREAU=1 gunicorn bench.floor_app:app
"""

from __future__ import annotations

import os

from flask import Flask, Response
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
