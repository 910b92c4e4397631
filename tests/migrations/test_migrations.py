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


def test_migration_0014_fills_review_steps_from_the_audit_trail(empty_app: Flask) -> None:
    """The steps taken before the upgrade (audited transitions) become the same review_steps rows the
    app writes now, the handler each signature signs included."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from portal.domain.workflow import Status
    from portal.models import ReviewStep
    from tests.factories import STEPS_TO, make_application, make_world

    columns = (
        ReviewStep.application_id,
        ReviewStep.org_id,
        ReviewStep.role,
        ReviewStep.action,
        ReviewStep.actor_id,
        ReviewStep.applicant_id,
        ReviewStep.handler_id,
    )
    with empty_app.app_context():
        upgrade()
        now = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
        world = make_world(db.session)
        make_application(db.session, world, now, steps=STEPS_TO[Status.CERTIFIED])
        make_application(db.session, world, now, steps=STEPS_TO[Status.BUREAU_REVIEW] + 1)
        db.session.commit()
        written = db.session.execute(select(*columns).order_by(ReviewStep.id)).all()
        assert len(written) == 8 + 7
        db.session.remove()  # the migration needs the database to itself (SQLite: BEGIN IMMEDIATE)
        downgrade(revision="0011")
        upgrade()
        assert db.session.execute(select(*columns).order_by(ReviewStep.id)).all() == written
        db.session.remove()
