"""Counting full years (周年) of work to a cutoff, per a profile's counting rule (policy-spec CUT-06).

Periods are clipped to the cutoff, overlapping (and touching) periods merged, each merged period counted
in whole months by the rule's boundary convention ("inclusive": the start day is day 1; "anniversary":
the anniversary itself must be reached), and the months summed and floored to whole years.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta

from portal.domain.policy import CountingRule

_ONE_DAY = timedelta(days=1)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _full_months(start: date, last: date, method: str) -> int:
    """Whole months in the period ``start``..``last`` (both days worked).

    ``inclusive``: the start day is day 1, so a month is complete the day before its monthly anniversary
    (2025-07-01..2026-06-30 is 12 months). ``anniversary``: the anniversary itself must be reached
    (2025-07-01..2026-07-01 is 12 months). A start on the 31st reaches its anniversary on the last day of
    a shorter month.
    """
    limit = last + _ONE_DAY if method == "inclusive" else last
    months = (limit.year - start.year) * 12 + limit.month - start.month
    if months > 0 and _add_months(start, months) > limit:
        months -= 1
    return max(months, 0)


def merge_periods(
    periods: Iterable[tuple[date, date | None]], cutoff: date, *, merge: bool = True
) -> list[tuple[date, date]]:
    """Periods clipped to ``cutoff`` (an open end runs to it; periods starting after it are dropped),
    sorted, and with overlapping or touching periods merged into one. ValueError if a period ends before
    it starts."""
    clipped = []
    for start, end in periods:
        if end is not None and end < start:
            raise ValueError(f"period ends ({end}) before it starts ({start})")
        if start > cutoff:
            continue
        clipped.append((start, cutoff if end is None or end > cutoff else end))
    clipped.sort()
    if not merge:
        return clipped
    merged: list[tuple[date, date]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1] + _ONE_DAY:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def full_years(
    periods: Iterable[tuple[date, date | None]], cutoff: date, rule: CountingRule | str = "inclusive"
) -> int:
    """Full years (周年) of the periods up to ``cutoff`` under ``rule`` ("inclusive" or "anniversary", or
    a profile's CountingRule).

    Overlapping periods are merged first, so two jobs held at once count once. Several separate periods
    are counted in whole months each and the months summed (policy-spec §8 #5 leaves the combination
    open; summing whole months never credits a partial month twice).
    """
    method = rule if isinstance(rule, str) else rule.method
    merge = True if isinstance(rule, str) else rule.merge_overlaps
    if method not in ("inclusive", "anniversary"):
        raise ValueError(f"unknown counting method {method!r}")
    months = sum(_full_months(s, e, method) for s, e in merge_periods(periods, cutoff, merge=merge))
    return months // 12
