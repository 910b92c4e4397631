"""User text in spreadsheets and CSV files stays text (issue 16 item 6, T-PRIV-03, OWASP "CSV Injection").

Every workbook the product writes is made by `workbook()`: xlsxwriter's guessing is off
(`strings_to_formulas`, `strings_to_urls`, `strings_to_numbers`), and `Cells.write` writes each value by its
Python type — text always as a string cell, which no spreadsheet program evaluates on opening.

Text that starts like a formula (= + - @, a tab or a carriage return) is written with the cell's quote
prefix (xlsxwriter's `quote_prefix` format: the `quotePrefix` of the cell style), which is what Excel itself
stores when a user types a leading apostrophe: the cell shows and keeps exactly what was typed, and stays
text when someone edits it (F2, Enter) — without the prefix an edited "=HYPERLINK(…)" becomes a live formula.
We do not write a literal apostrophe into the text, because the text itself must stay as typed: a 公示表
is posted on a board (主要业绩 often starts with "- "), and the certificate Excel goes to the city title
office's own systems, where an added "'" would be a wrong name or unit.

CSV has no cell types or styles, so there (the packages' manifest.csv) the OWASP rule applies as written:
such a value is prefixed with an apostrophe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NO_GUESSING = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """A value for a CSV row: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def workbook(
    target: str | Path | IO[bytes], *, constant_memory: bool = False, tmpdir: str | None = None
) -> xlsxwriter.Workbook:
    """A workbook that writes strings as strings (never as formulas, links or numbers). In constant-memory
    mode xlsxwriter keeps each sheet's rows in a file of its own under ``tmpdir`` until it closes."""
    mode: dict[str, object] = {"constant_memory": True} if constant_memory else {"in_memory": True}
    if tmpdir is not None:
        mode["tmpdir"] = tmpdir
    return xlsxwriter.Workbook(target, {**mode, **_NO_GUESSING})


@dataclass(frozen=True)
class Style:
    """A cell format and its quote-prefixed twin (for text that starts like a formula)."""

    plain: Format
    quoted: Format


class Cells:
    """Writes the values of one worksheet by their type, text always as text."""

    def __init__(self, book: xlsxwriter.Workbook, sheet: Worksheet) -> None:
        self.book = book
        self.sheet = sheet
        self.default = self.style()

    def style(self, properties: dict[str, Any] | None = None) -> Style:
        properties = dict(properties or {})
        quoted = self.book.add_format({**properties, "quote_prefix": True})
        return Style(self.book.add_format(properties), quoted)

    def write(self, row: int, col: int, value: object, style: Style | None = None) -> None:
        style = style or self.default
        if value is None or value == "":
            self.sheet.write_blank(row, col, None, style.plain)
        elif isinstance(value, bool):
            self.sheet.write_boolean(row, col, value, style.plain)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, value, style.plain)
        elif isinstance(value, datetime):
            self.sheet.write_datetime(row, col, value.replace(tzinfo=None), style.plain)
        elif isinstance(value, date):
            self.sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), style.plain)
        else:
            text = str(value)
            chosen = style.quoted if starts_like_formula(text) else style.plain
            self.sheet.write_string(row, col, text, chosen)

    def write_row(self, row: int, values: Sequence[object], style: Style | None = None) -> None:
        for col, value in enumerate(values):
            self.write(row, col, value, style)
