"""Working-day calendar: statutory holidays and 调休 as data, and the notice periods counted on it.

This module owns the answer to "is this date a working day in mainland China?" and every
computation built on it: adding working days, counting them, and the 公示 (public notice) period
of policy-spec §7 ("at least 5 working days").

Rules:

- A day is a working day when it is Monday to Friday and not a statutory holiday rest day, or when
  it is an adjusted working day (调休上班, usually a Saturday or Sunday next to a holiday).
- The calendar knows a fixed set of years. Any computation that needs a day of a year it does not
  know raises :class:`UnknownYear`; there is deliberately no weekends-only fallback, because the
  State Council's plan for the next year moves working days around and a guess would publish
  wrong deadlines.
- :meth:`WorkCalendar.default` loads the ``chinese-calendar`` package's tables (2004-2026 in
  1.11.0) and lays the administrator's own entries on top: an entry makes its year known and
  overrides the package for its day.

Pure Python: imports neither Flask nor SQLAlchemy. The database layer turns its calendar rows into
:class:`CalendarEntry` values (or the plain sets the constructor takes) and builds a calendar here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

__all__ = [
    "CalendarEntry",
    "UnknownYear",
    "WorkCalendar",
    "format_period_cn",
]


class UnknownYear(Exception):
    """A computation needed a year whose holidays and 调休 have not been entered.

    ``year`` is the first unknown year the computation reached; ``message`` is the Chinese text
    to show (it tells the administrator which year to enter), and ``str(exc) == exc.message``.
    """

    def __init__(self, year: int) -> None:
        self.year = year
        self.message = (
            f"尚未录入{year}年的法定节假日和调休安排，无法按工作日计算日期。"
            f"请管理员在「工作日历」中录入{year}年的安排后再试。"
        )
        super().__init__(self.message)

    def __reduce__(self) -> tuple[type[UnknownYear], tuple[int]]:
        # Exception pickles its args (the message); rebuild from the year instead.
        return (UnknownYear, (self.year,))


@dataclass(frozen=True)
class CalendarEntry:
    """One administrator-entered day: a holiday rest day or an adjusted working day (调休上班).

    ``kind`` is ``"holiday"`` (the day is a rest day even if it is Monday to Friday) or
    ``"workday"`` (the day is a working day even if it is a weekend). ``name`` is the holiday's
    Chinese name (e.g. "元旦"), for display only.
    """

    day: date
    kind: Literal["holiday", "workday"]
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ("holiday", "workday"):
            raise ValueError(f"CalendarEntry.kind must be 'holiday' or 'workday', not {self.kind!r}")


@lru_cache(maxsize=1)
def _package_data() -> tuple[frozenset[int], frozenset[date], frozenset[date]]:
    """Known years, holiday rest days and adjusted working days from ``chinese-calendar``."""
    from chinese_calendar import constants

    holidays = frozenset(constants.holidays)
    workdays = frozenset(constants.workdays)
    years = frozenset(d.year for d in holidays | workdays)
    return years, holidays, workdays


class WorkCalendar:
    """The working days of a set of known years.

    Built from pure data: the known years, the holiday rest days and the adjusted working days
    (调休上班). Every other day of a known year is a working day exactly when it is Monday to
    Friday. A day listed as an adjusted working day is a working day whatever its weekday; a day
    must not be listed as both.

    All the working days of each known year are computed once, at construction, into a sorted
    tuple of ordinals, so :meth:`add_workdays`, :meth:`notice_period` and
    :meth:`workdays_between` are bisections and index arithmetic, not day-by-day loops (a
    computation spanning k years does O(k) work).

    Every method raises :class:`UnknownYear` naming the first year it would need but does not know.
    """

    def __init__(
        self,
        known_years: Iterable[int],
        holidays: Iterable[date] = (),
        adjusted_workdays: Iterable[date] = (),
    ) -> None:
        self._known_years = frozenset(known_years)
        self._holidays = frozenset(holidays)
        self._adjusted = frozenset(adjusted_workdays)
        both = self._holidays & self._adjusted
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"days listed both as holiday and as adjusted working day: {listed}")
        for year in self._known_years:
            if not date.min.year <= year <= date.max.year:
                raise ValueError(f"year out of range: {year}")
        # year -> ordinals of its working days, ascending.
        self._days: dict[int, tuple[int, ...]] = {
            year: self._compute_year(year) for year in self._known_years
        }
        # ordinal -> position in its year's tuple, for every working day of every known year.
        self._index: dict[int, int] = {
            ordinal: i for days in self._days.values() for i, ordinal in enumerate(days)
        }

    def _compute_year(self, year: int) -> tuple[int, ...]:
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        days = []
        for ordinal in range(first, last + 1):
            d = date.fromordinal(ordinal)
            if d in self._adjusted or (d.weekday() < 5 and d not in self._holidays):
                days.append(ordinal)
        return tuple(days)

    @classmethod
    def default(cls, extra: Iterable[CalendarEntry] = (), *, extra_years: Iterable[int] = ()) -> WorkCalendar:
        """The ``chinese-calendar`` package's years (2004-2026 in 1.11.0) plus the admin's entries.

        Each entry makes its year known (the rest of that year follows the Monday-to-Friday
        rule) and overrides the package for its day. When several entries name the same day,
        the last one wins. `extra_years` are years an admin confirmed, even with no entries.
        """
        years, package_holidays, package_workdays = _package_data()
        known = set(years) | set(extra_years)
        holidays = set(package_holidays)
        adjusted = set(package_workdays)
        for entry in extra:
            known.add(entry.day.year)
            if entry.kind == "holiday":
                holidays.add(entry.day)
                adjusted.discard(entry.day)
            else:
                adjusted.add(entry.day)
                holidays.discard(entry.day)
        return cls(known, holidays, adjusted)

    @property
    def known_years(self) -> frozenset[int]:
        """The years this calendar can answer for."""
        return self._known_years

    def knows(self, year: int) -> bool:
        """Whether ``year``'s holidays and adjusted working days are known."""
        return year in self._known_years

    def _year_days(self, year: int) -> tuple[int, ...]:
        try:
            return self._days[year]
        except KeyError:
            raise UnknownYear(year) from None

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day: Monday to Friday and not a holiday, or 调休上班.

        Raises :class:`UnknownYear` if ``d``'s year is not known.
        """
        self._year_days(d.year)
        return d.toordinal() in self._index

    def add_workdays(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself is never counted).

        ``start`` need not be a working day: ``add_workdays(saturday, 1)`` is the next working
        day (usually Monday). ``add_workdays(start, 0)`` returns ``start`` unchanged, working
        day or not. ``n`` must be ``>= 0``.

        Raises :class:`UnknownYear` if ``start``'s year is unknown, or if the count runs into an
        unknown year (naming that year).
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, not {n}")
        year = start.year
        days = self._year_days(year)
        if n == 0:
            return start
        # days[pos] is the first working day after start within its year.
        idx = bisect_right(days, start.toordinal()) + n - 1
        while idx >= len(days):
            idx -= len(days)
            year += 1
            days = self._year_days(year)
        return date.fromordinal(days[idx])

    def workdays_between(self, a: date, b: date) -> int:
        """The number of working days in ``[a, b]``, both ends included; 0 when ``a > b``.

        Raises :class:`UnknownYear` if any year from ``a``'s to ``b``'s is unknown.
        """
        if a > b:
            return 0
        days_a = self._year_days(a.year)
        days_b = self._year_days(b.year)
        lo = bisect_left(days_a, a.toordinal())
        hi = bisect_right(days_b, b.toordinal())
        if a.year == b.year:
            return hi - lo
        middle = sum(len(self._year_days(y)) for y in range(a.year + 1, b.year))
        return (len(days_a) - lo) + middle + hi

    def notice_period(self, start: date, days: int = 5, *, start_counts: bool = True) -> tuple[date, date]:
        """The first and last day of a notice lasting ``days`` working days from ``start``.

        With ``start_counts=True`` (the default, policy-spec §7.2: how notices are written, posting
        day included) the first day is ``start`` if it is a working day, else the next working day.
        With ``start_counts=False`` (the Civil Code's way of counting periods: the start day is not
        counted) the first day is always the next working day after ``start``; for a ``start`` that
        is a rest day both conventions agree.

        ``last`` is the ``days``-th working day counting ``first`` as day 1, so
        ``workdays_between(first, last) == days``. ``days`` must be ``>= 1``.

        Raises :class:`UnknownYear` if the period needs a year the calendar does not know.
        """
        if days < 1:
            raise ValueError(f"days must be >= 1, not {days}")
        first = start if start_counts and self.is_workday(start) else self.add_workdays(start, 1)
        return first, self.add_workdays(first, days - 1)


def format_period_cn(first: date, last: date, days: int) -> str:
    """The period as written in a notice, e.g. "2026年9月29日至10月10日，共5个工作日".

    The year of ``last`` is omitted when both days are in the same year; otherwise both are
    written in full ("2026年12月28日至2027年1月5日，共5个工作日").
    """
    if last < first:
        raise ValueError(f"last ({last}) is before first ({first})")
    head = f"{first.year}年{first.month}月{first.day}日"
    if last.year == first.year:
        tail = f"{last.month}月{last.day}日"
    else:
        tail = f"{last.year}年{last.month}月{last.day}日"
    return f"{head}至{tail}，共{days}个工作日"
