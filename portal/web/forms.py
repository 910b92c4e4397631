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


def version_field() -> int | None:
    return request.form.get("version", type=int)
