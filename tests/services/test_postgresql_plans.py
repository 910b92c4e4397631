"""PostgreSQL plans every statement for its own values (issue 20): psycopg prepares a statement after five
runs, and PostgreSQL's generic plan for the queue's 待初审 tab read and sorted the whole tab (25.8 ms at
100,000 applications) where the plan for the actual values stops after 51 index rows (0.4 ms)."""

from __future__ import annotations

import os

import pytest
from flask import Flask
from sqlalchemy import text

from portal.extensions import db

pytestmark = pytest.mark.skipif(
    "TEST_DATABASE_URL" not in os.environ, reason="a PostgreSQL setting: SQLite plans every statement anew"
)


def test_every_pooled_connection_asks_for_custom_plans(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
                # A prepared statement run past psycopg's threshold is still planned per execution.
                for _ in range(8):
                    connection.execute(text("SELECT count(*) FROM applications WHERE id > :n"), {"n": 0})
                assert connection.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
