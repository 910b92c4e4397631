"""Migrations: an empty database migrates to head, agrees with the models, and downgrades cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from portal.models import Base
from tests.dbsetup import database_url


@pytest.fixture
def empty_app(tmp_path: Path, worker_id: str) -> Iterator[Flask]:
    url = database_url(f"portal_migrations_{worker_id}", tmp_path)
    fresh = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x" * 40})
    yield fresh
    with fresh.app_context():
        db.engine.dispose()


def test_an_empty_database_migrates_to_head_and_matches_the_models(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables


def test_every_migration_downgrades_and_upgrades_again(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "applications" in inspect(db.engine).get_table_names()
