"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, DateTime, MetaData, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def one_of(
    column: str, values: Iterable[StrEnum], *, name: str | None = None, nullable: bool = False
) -> CheckConstraint:
    """A CHECK that `column` holds one of the enum's values (or NULL when `nullable`): the constraint is
    built from the StrEnum, so the database and the code cannot list different states."""
    listed = ", ".join(f"'{value.value}'" for value in values)
    condition = f"{column} IN ({listed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=name or column)


def bounded_text(name: str, limit: int, **options: Any) -> Any:
    """A free-text column of at most ``limit`` characters, enforced by the database on both engines
    (issue 17.5): VARCHAR(n) on PostgreSQL, and a CHECK on length() that SQLite (which ignores VARCHAR's
    length) enforces too. The same limit is the form's maxlength and the service's Chinese message
    (portal.domain.text.LIMITS)."""
    return mapped_column(
        String(limit), CheckConstraint(f"length({name}) <= {limit}", name=f"{name}_length"), **options
    )
