"""Reading submitted forms into the services' input dataclasses (fields by name, stripped)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from flask import request

T = TypeVar("T")


def form_input(cls: type[T], **overrides: Any) -> T:
    values: dict[str, Any] = {}
    for field in fields(cls):  # type: ignore[arg-type]
        if field.name in overrides:
            values[field.name] = overrides[field.name]
        elif field.type in ("str", str):
            values[field.name] = request.form.get(field.name, "")
    return cls(**values)


# The largest id or number a form may name: PostgreSQL's integer (SQLite's INTEGER holds it too). A longer
# number reached the driver and overflowed (a 500, found by the form fuzzing of T-VAL-03).
MAX_ID = 2**31 - 1


def as_id(raw: str | None) -> int | None:
    """A submitted id or count: ASCII digits that fit a database integer, else None (reads as "none
    chosen" / "not found"). ASCII only: str.isdigit() alone also accepts other scripts' digits."""
    value = (raw or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def id_field(name: str) -> int | None:
    return as_id(request.form.get(name))


def id_list(name: str) -> list[int]:
    """Every valid id a multi-value field (checkboxes) names, invalid ones dropped."""
    return [n for n in (as_id(v) for v in request.form.getlist(name)) if n is not None]


def version_field() -> int | None:
    return id_field("version")
