"""Tables people upload (bulk account files, social-insurance rosters, result and certificate-number
sheets): finding the header row and the columns by their Chinese titles, reporting a problem by line number
and column, and the digest of a checked sheet's verdicts.

Pure Python: the bytes are read into rows of text by portal.documents.spreadsheets.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from portal.domain.i18n import T_, Joined

HEADER_SEARCH_ROWS = 10


class TableError(ValueError):
    """The whole file cannot be used (no header, missing column, not a table): ``.message`` in Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Header:
    key: str
    title: str
    aliases: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class TableProblem:
    """One bad cell: the line as the spreadsheet numbers it, the column title and what is wrong."""

    line: int
    column: str
    message: str


def header_key(text: str) -> str:
    """A header cell without spaces, a leading or trailing "*", and any note in brackets."""
    value = unicodedata.normalize("NFKC", text or "")
    for opener in "(（":
        value = value.split(opener)[0]
    return "".join(value.split()).strip("*")


def find_header(
    rows: list[list[str]], headers: tuple[Header, ...], *, what: str
) -> tuple[int, dict[str, int]]:
    """The index of the header row (within the first rows) and the column index of each header found."""
    best: tuple[int, dict[str, int]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(value) for value in row]
        columns: dict[str, int] = {}
        for header in headers:
            for position, key in enumerate(keys):
                if key and key in header.aliases and header.key not in columns:
                    columns[header.key] = position
                    break
        if best is None or len(columns) > len(best[1]):
            best = (index, columns)
        if all(h.key in columns for h in headers if h.required):
            return index, columns
    found = best[1] if best else {}
    # The columns are named as the file must name them (Chinese), quoted; `what` is a msgid.
    missing = Joined(tuple(f"“{h.title}”" for h in headers if h.required and h.key not in found))
    raise TableError(
        "missing_columns",
        T_(
            "%(what)s缺少%(missing)s列（应在前%(rows)s行内有表头）",
            what=what,
            missing=missing,
            rows=HEADER_SEARCH_ROWS,
        ),
    )


def cell(row: list[str], columns: dict[str, int], key: str) -> str:
    position = columns.get(key)
    if position is None or position >= len(row):
        return ""
    return (row[position] or "").strip()


def verdicts_digest(rows: Sequence[Any]) -> str:
    """The SHA-256 of a checked sheet's rows (dataclasses of plain values: each row and its verdict), in
    their order. An import's apply re-reads its kept file and goes ahead only while this is still what
    its preview showed: any row, verdict or reason changed since changes it."""
    return hashlib.sha256(json.dumps([asdict(r) for r in rows], ensure_ascii=False).encode()).hexdigest()
