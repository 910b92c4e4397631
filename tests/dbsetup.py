"""Test databases: a SQLite file per worker, or a database per worker on the PostgreSQL server named by
TEST_DATABASE_URL (the cluster `make test` starts). Shared by tests/ and e2e/."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def on_postgres() -> bool:
    return bool(os.environ.get("TEST_DATABASE_URL"))


def database_url(name: str, tmp_dir: Path) -> str:
    """A fresh, empty database called `name` for this run."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        path = tmp_dir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)
