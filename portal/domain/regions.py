"""GB/T 2260 address codes: every county-level code that has ever existed, as data.

GB 11643 makes the first six digits of a 公民身份号码 the GB/T 2260 code of the holder's registered
residence when the number was issued. Codes are retired and re-used as counties merge and split, and a
retired code stays on the cards of everyone registered under it, so the portal asks "has this code ever
existed", never "did it exist in the holder's birth year" (python-stdnum's rule, which refuses real people
whose number was issued after a reform or who moved).

The list is portal/domain/data/gbt2260.tsv (source and date in its header; regenerate it with
scripts/gbt2260_from_stdnum.py). Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("data") / "gbt2260.tsv"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    names: tuple[str, ...]  # every name the code has carried, oldest first
    since: int | None  # first year listed (None: in the first list, 1980)
    until: int | None  # last year listed (None: in use today)

    @property
    def name(self) -> str:
        return self.names[-1]


@functools.cache
def regions() -> dict[str, Region]:
    """Every code of the list, loaded once per process."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, since, until = line.split("\t")
        found.setdefault(code, []).append((name, since, until))
    out: dict[str, Region] = {}
    for code, rows in found.items():
        starts = [int(s) for _, s, _ in rows if s]
        ends = [int(u) for _, _, u in rows if u]
        open_ended = any(not u for _, _, u in rows)
        out[code] = Region(
            code=code,
            names=tuple(name for name, _, _ in rows),
            since=min(starts) if starts and all(s for _, s, _ in rows) else None,
            until=None if open_ended or not ends else max(ends),
        )
    return out


def region(code: str) -> Region | None:
    """The GB/T 2260 entry for a six-digit code, or None when no list has ever held it."""
    return regions().get(code)
