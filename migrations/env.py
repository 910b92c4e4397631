"""Alembic environment: migrates the app's database (DATABASE_URL or the SQLite default)."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from portal.models import Base

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def _engine():  # type: ignore[no-untyped-def]
    connection = config.attributes.get("connection")
    if connection is not None:
        return connection
    return current_app.extensions["db"].engine


def run_migrations_offline() -> None:
    context.configure(
        url=str(_engine().url), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    bind = _engine()
    if hasattr(bind, "connect"):
        with bind.connect() as connection:
            _run(connection)
    else:
        _run(bind)


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our column types as plain SQLAlchemy ones, so migrations never import app code."""
    from portal.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _sqlite_foreign_keys(connection, on: bool) -> None:  # type: ignore[no-untyped-def]
    # On the driver's connection, outside any transaction (inside one SQLite ignores this pragma).
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    # SQLite changes a table's constraints by copying it into a new table and dropping the old one. With
    # foreign keys on, that DROP deletes every row first, and ON DELETE CASCADE takes the rows that refer
    # to them along (sessions, password history …): a populated database lost data. So foreign keys are
    # off while migrating (SQLite's own procedure for schema changes) and checked before the commit.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:5]}")
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
