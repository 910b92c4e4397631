"""URL converters registered app-wide.

`<int:…>` is bounded to what every column it names can hold: ids are 32-bit signed integers on PostgreSQL
(`integer`), and SQLite's driver overflows past 64 bits. Werkzeug's own converter accepts any number of
digits, so `/review/applications/99999999999999999999` reached the database and failed there with a 500
(and `2147483648` on PostgreSQL). The bounded converter's pattern itself stops at the maximum, so an
out-of-range id matches no route at all: a 404 like a missing id, before any view or query runs (a check
only in `to_python` would turn into a 405 where a GET and a POST rule share the path).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL `integer` (what every primary key here is): the largest id a row can have.
MAX_ID = 2**31 - 1


def digits_up_to(limit: int) -> str:
    """A regular expression for the ASCII decimal numbers 0 … `limit` (leading zeros allowed)."""
    text = str(limit)
    options = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":  # same prefix, a smaller digit here, anything after it
            rest = len(text) - i - 1
            options.append(text[:i] + f"[0-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    options.append(text)
    return "0*(?:" + "|".join(options) + ")"


class BoundedIntConverter(IntegerConverter):
    """`<int:x>` with 0 ≤ x ≤ 2³¹−1 unless the route gives other bounds (`<int(min=2000, max=2100):year>`).
    ASCII digits only (werkzeug's `\\d+` also takes other scripts' digits)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
        if not self.signed and not self.fixed_digits:
            self.regex = digits_up_to(self.max)


def register_converters(app: Flask) -> None:
    """Replace the `int` converter before any blueprint adds a rule (rules resolve converters when added)."""
    app.url_map.converters["int"] = BoundedIntConverter
