"""Tests for portal.domain.workdays: the working-day calendar and notice periods (policy-spec §7).

The oracle for "is this a working day" is the chinese-calendar package itself
(``chinese_calendar.is_workday``), used day by day; the 2026 dates below are the State Council
plan as listed in policy-spec §7.1 and are checked against the package before being relied on.
"""

from __future__ import annotations

import ast
import inspect
import pickle
from dataclasses import FrozenInstanceError
from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain import workdays
from portal.domain.workdays import CalendarEntry, UnknownYear, WorkCalendar, format_period_cn

CAL = WorkCalendar.default()
ONE = timedelta(days=1)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def naive_add(start: date, n: int) -> date:
    """Reference: step one day at a time, asking the package."""
    d = start
    for _ in range(n):
        d += ONE
        while not chinese_calendar.is_workday(d):
            d += ONE
    return d


PACKAGE_FIRST, PACKAGE_LAST = date(2004, 1, 1), date(2026, 12, 31)
# Every working day the package knows, asked of the package one day at a time.
PACKAGE_WORKDAYS = frozenset(d for d in _days(PACKAGE_FIRST, PACKAGE_LAST) if chinese_calendar.is_workday(d))


def naive_count(a: date, b: date) -> int:
    """Reference: count the package's working days in [a, b] one day at a time."""
    assert a > b or PACKAGE_FIRST <= a <= b <= PACKAGE_LAST
    return sum(1 for d in _days(a, b) if d in PACKAGE_WORKDAYS)


# --- the 2026 plan (policy-spec §7.1), checked against the package --------------------------------

PLAN_2026 = [
    # name, first rest day, last rest day, adjusted working days
    ("New Year's Day", date(2026, 1, 1), date(2026, 1, 3), [date(2026, 1, 4)]),
    ("Spring Festival", date(2026, 2, 15), date(2026, 2, 23), [date(2026, 2, 14), date(2026, 2, 28)]),
    ("Tomb-sweeping Day", date(2026, 4, 4), date(2026, 4, 6), []),
    ("Labour Day", date(2026, 5, 1), date(2026, 5, 5), [date(2026, 5, 9)]),
    ("Dragon Boat Festival", date(2026, 6, 19), date(2026, 6, 21), []),
    ("Mid-autumn Festival", date(2026, 9, 25), date(2026, 9, 27), []),
    ("National Day", date(2026, 10, 1), date(2026, 10, 7), [date(2026, 9, 20), date(2026, 10, 10)]),
]


def test_plan_2026_is_exactly_the_package_data() -> None:
    rest = {d for _, a, b, _ in PLAN_2026 for d in _days(a, b)}
    work = {d for *_, ws in PLAN_2026 for d in ws}
    assert {d for d in constants.holidays if d.year == 2026} == rest
    assert {d for d in constants.workdays if d.year == 2026} == work
    for name, a, b, ws in PLAN_2026:
        assert {constants.holidays[d] for d in _days(a, b)} == {name}
        assert {constants.workdays[d] for d in ws} <= {name}
    # The make-up days are all weekends (a Sunday for New Year and 09-20, Saturdays otherwise).
    assert [d.weekday() for d in sorted(work)] == [6, 5, 5, 5, 6, 5]


@pytest.mark.parametrize(("name", "first", "last", "adjusted"), PLAN_2026, ids=[p[0] for p in PLAN_2026])
def test_2026_holiday_blocks(name: str, first: date, last: date, adjusted: list[date]) -> None:
    for d in _days(first, last):
        assert not CAL.is_workday(d), d
    for d in adjusted:
        assert d.weekday() >= 5
        assert CAL.is_workday(d), d
    # The days just around the block that are Monday to Friday are ordinary working days.
    for d in (first - ONE, last + ONE):
        if d.weekday() < 5:
            assert CAL.is_workday(d), d


def test_is_workday_matches_package_for_every_known_day() -> None:
    for d in _days(PACKAGE_FIRST, PACKAGE_LAST):
        assert CAL.is_workday(d) is (d in PACKAGE_WORKDAYS), d


def test_plain_weekend_and_weekday() -> None:
    assert not CAL.is_workday(date(2026, 3, 7))  # plain Saturday
    assert not CAL.is_workday(date(2026, 3, 8))  # plain Sunday
    assert CAL.is_workday(date(2026, 3, 9))  # plain Monday


def test_known_years_are_the_package_years() -> None:
    assert CAL.known_years == frozenset(range(2004, 2027))
    assert CAL.knows(2004) and CAL.knows(2026)
    assert not CAL.knows(2003) and not CAL.knows(2027)


# --- UnknownYear ----------------------------------------------------------------------------------


def test_unknown_year_error() -> None:
    with pytest.raises(UnknownYear) as info:
        CAL.is_workday(date(2027, 1, 4))
    err = info.value
    assert err.year == 2027
    assert str(err) == err.message
    assert "2027年" in err.message and "调休" in err.message and "工作日历" in err.message
    assert "2026" not in err.message


def test_unknown_year_pickles_with_its_year() -> None:
    err = pickle.loads(pickle.dumps(UnknownYear(2031)))
    assert isinstance(err, UnknownYear)
    assert err.year == 2031 and str(err) == UnknownYear(2031).message


# --- notice periods -------------------------------------------------------------------------------

NOTICES = [
    # start, expected (first, last); 5 working days, start counts when it is a working day
    (date(2026, 9, 29), date(2026, 9, 29), date(2026, 10, 10)),  # Tue; Sat 10-10 is 调休上班
    (date(2026, 2, 12), date(2026, 2, 12), date(2026, 2, 25)),  # counts Sat 02-14
    (date(2026, 12, 25), date(2026, 12, 25), date(2026, 12, 31)),  # latest start staying in 2026
    (date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 13)),  # Saturday start -> Monday
    (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 13)),  # Sunday start -> Monday
    (date(2026, 10, 1), date(2026, 10, 8), date(2026, 10, 13)),  # holiday start
    (date(2026, 9, 20), date(2026, 9, 20), date(2026, 9, 24)),  # starts on a make-up Sunday
    (date(2026, 4, 30), date(2026, 4, 30), date(2026, 5, 9)),  # May Day, ends on make-up Sat
    (date(2026, 4, 2), date(2026, 4, 2), date(2026, 4, 9)),  # Qingming
    (date(2026, 6, 17), date(2026, 6, 17), date(2026, 6, 24)),  # Dragon Boat
    (date(2025, 12, 31), date(2025, 12, 31), date(2026, 1, 7)),  # New Year, across the year end
    (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 6)),  # "公示期：3月2日至3月6日"
]


@pytest.mark.parametrize(("start", "first", "last"), NOTICES, ids=[n[0].isoformat() for n in NOTICES])
def test_notice_period_examples(start: date, first: date, last: date) -> None:
    assert CAL.notice_period(start) == (first, last)
    assert CAL.notice_period(start, 5, start_counts=True) == (first, last)
    # Independent check against the package, day by day.
    assert naive_count(first, last) == 5
    assert chinese_calendar.is_workday(first) and chinese_calendar.is_workday(last)
    assert naive_count(start, first - ONE) == 0


def test_notice_period_start_not_counted() -> None:
    # Civil Code convention: the start day is not counted even when it is a working day.
    assert CAL.notice_period(date(2026, 9, 29), start_counts=False) == (date(2026, 9, 30), date(2026, 10, 12))
    # Starting on a rest day, both conventions agree.
    assert CAL.notice_period(date(2026, 3, 7), start_counts=False) == CAL.notice_period(date(2026, 3, 7))


def test_notice_period_other_lengths() -> None:
    assert CAL.notice_period(date(2026, 9, 29), 1) == (date(2026, 9, 29), date(2026, 9, 29))
    assert CAL.notice_period(date(2026, 10, 3), 1) == (date(2026, 10, 8), date(2026, 10, 8))
    assert CAL.notice_period(date(2026, 9, 29), 10) == (date(2026, 9, 29), date(2026, 10, 16))
    with pytest.raises(ValueError):
        CAL.notice_period(date(2026, 9, 29), 0)


def test_notice_running_into_unknown_year_raises() -> None:
    with pytest.raises(UnknownYear) as info:
        CAL.notice_period(date(2026, 12, 28))
    assert info.value.year == 2027
    assert "2027年" in str(info.value)
    # Starting on the last day of the year with the start not counted needs 2027 straight away.
    with pytest.raises(UnknownYear):
        CAL.notice_period(date(2026, 12, 31), 1, start_counts=False)
    # A rest-day start in 2027 cannot even find its first day.
    with pytest.raises(UnknownYear):
        CAL.notice_period(date(2027, 1, 2))


def test_admin_entries_make_next_year_known() -> None:
    cal = WorkCalendar.default(extra=[CalendarEntry(date(2027, 1, 1), "holiday", "元旦")])
    assert cal.knows(2027)
    # 12-28..12-31 are days 1-4; Fri 2027-01-01 is a holiday, then the weekend, so Mon 01-04.
    assert cal.notice_period(date(2026, 12, 28)) == (date(2026, 12, 28), date(2027, 1, 4))
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 5))  # the rest of the year follows Monday to Friday
    assert not cal.is_workday(date(2027, 1, 9))
    # The calendar built without them is unchanged.
    assert not CAL.knows(2027)
    with pytest.raises(UnknownYear):
        CAL.notice_period(date(2026, 12, 28))
    # A 调休 Saturday entered by the admin counts.
    cal = WorkCalendar.default(
        extra=[
            CalendarEntry(date(2027, 1, 1), "holiday", "元旦"),
            CalendarEntry(date(2027, 1, 2), "workday", "元旦"),
        ]
    )
    assert cal.notice_period(date(2026, 12, 28)) == (date(2026, 12, 28), date(2027, 1, 2))
    assert (
        format_period_cn(date(2026, 12, 28), date(2027, 1, 2), 5)
        == "2026年12月28日至2027年1月2日，共5个工作日"
    )


def test_admin_entry_overrides_package() -> None:
    cal = WorkCalendar.default(
        extra=[
            CalendarEntry(date(2026, 10, 10), "holiday", "国庆节"),  # package: 调休上班
            CalendarEntry(date(2026, 10, 7), "workday", "国庆节"),  # package: holiday
            CalendarEntry(date(2026, 3, 7), "workday"),  # plain Saturday
            CalendarEntry(date(2026, 3, 10), "holiday"),  # plain Tuesday
        ]
    )
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 10, 7))
    assert cal.is_workday(date(2026, 3, 7))
    assert not cal.is_workday(date(2026, 3, 10))
    # 09-29, 09-30, 10-07, 10-08, 10-09.
    assert cal.notice_period(date(2026, 9, 29)) == (date(2026, 9, 29), date(2026, 10, 9))
    assert cal.known_years == CAL.known_years


def test_later_admin_entry_for_the_same_day_wins() -> None:
    day = date(2026, 3, 7)
    cal = WorkCalendar.default(extra=[CalendarEntry(day, "workday"), CalendarEntry(day, "holiday")])
    assert not cal.is_workday(day)
    cal = WorkCalendar.default(extra=[CalendarEntry(day, "holiday"), CalendarEntry(day, "workday")])
    assert cal.is_workday(day)


# --- add_workdays and workdays_between ------------------------------------------------------------


def test_add_workdays_basics() -> None:
    sat = date(2026, 3, 7)
    assert CAL.add_workdays(sat, 0) == sat  # n=0 returns start unchanged, working day or not
    assert CAL.add_workdays(date(2026, 3, 9), 0) == date(2026, 3, 9)
    assert CAL.add_workdays(sat, 1) == date(2026, 3, 9)
    assert CAL.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert CAL.add_workdays(date(2026, 12, 30), 1) == date(2026, 12, 31)
    with pytest.raises(ValueError):
        CAL.add_workdays(sat, -1)


def test_add_workdays_many_years() -> None:
    start = date(2010, 5, 17)
    assert CAL.add_workdays(start, 2000) == naive_add(start, 2000)
    assert CAL.workdays_between(start + ONE, CAL.add_workdays(start, 2000)) == 2000


def test_add_workdays_unknown_years() -> None:
    with pytest.raises(UnknownYear) as info:
        CAL.add_workdays(date(2026, 12, 31), 1)
    assert info.value.year == 2027
    with pytest.raises(UnknownYear) as info:
        CAL.add_workdays(date(2026, 1, 5), 400)
    assert info.value.year == 2027
    with pytest.raises(UnknownYear) as info:
        CAL.add_workdays(date(2003, 12, 31), 0)
    assert info.value.year == 2003


def test_workdays_between() -> None:
    # Ganzhou 2026 Q1 window 01-20..02-20 holds 20 working days; its last one is Sat 02-14.
    assert CAL.workdays_between(date(2026, 1, 20), date(2026, 2, 20)) == 20
    assert CAL.workdays_between(date(2026, 2, 15), date(2026, 2, 20)) == 0
    assert CAL.is_workday(date(2026, 2, 14))
    # Q2-Q4 windows end on working days.
    for end in (date(2026, 5, 20), date(2026, 8, 20), date(2026, 11, 20)):
        assert CAL.is_workday(end)
    assert CAL.workdays_between(date(2026, 3, 9), date(2026, 3, 9)) == 1
    assert CAL.workdays_between(date(2026, 3, 7), date(2026, 3, 7)) == 0
    assert CAL.workdays_between(date(2026, 3, 10), date(2026, 3, 9)) == 0
    a, b = date(2023, 12, 20), date(2026, 1, 10)
    assert CAL.workdays_between(a, b) == naive_count(a, b)
    with pytest.raises(UnknownYear) as info:
        CAL.workdays_between(date(2026, 12, 1), date(2027, 1, 10))
    assert info.value.year == 2027
    gap = WorkCalendar({2030, 2032})
    with pytest.raises(UnknownYear) as info:
        gap.workdays_between(date(2030, 12, 1), date(2032, 1, 10))
    assert info.value.year == 2031


# --- construction from pure data ------------------------------------------------------------------


def test_constructor_with_pure_data() -> None:
    cal = WorkCalendar(
        range(2030, 2032),
        holidays={date(2030, 1, 1)},
        adjusted_workdays={date(2030, 1, 5)},
    )
    assert cal.known_years == frozenset({2030, 2031})
    assert not cal.is_workday(date(2030, 1, 1))  # Tuesday, holiday
    assert cal.is_workday(date(2030, 1, 5))  # Saturday, 调休上班
    # Wed 01-02, Thu, Fri, Sat 01-05 (调休上班), Mon 01-07.
    assert cal.notice_period(date(2030, 1, 1)) == (date(2030, 1, 2), date(2030, 1, 7))
    assert cal.add_workdays(date(2031, 12, 31), 0) == date(2031, 12, 31)
    with pytest.raises(UnknownYear) as info:
        cal.add_workdays(date(2031, 12, 31), 1)
    assert info.value.year == 2032


def test_constructor_skips_gaps_between_known_years() -> None:
    cal = WorkCalendar({2030, 2032})
    with pytest.raises(UnknownYear) as info:
        cal.add_workdays(date(2030, 12, 31), 1)
    assert info.value.year == 2031
    empty = WorkCalendar(())
    assert not empty.knows(2026)
    with pytest.raises(UnknownYear):
        empty.is_workday(date(2026, 3, 9))


def test_constructor_rejects_bad_data() -> None:
    with pytest.raises(ValueError, match="2030-01-05"):
        WorkCalendar({2030}, holidays={date(2030, 1, 5)}, adjusted_workdays={date(2030, 1, 5)})
    with pytest.raises(ValueError, match="year out of range"):
        WorkCalendar({10000})


def test_calendar_entry() -> None:
    entry = CalendarEntry(date(2027, 1, 1), "holiday", "元旦")
    assert entry.name == "元旦"
    assert CalendarEntry(date(2027, 1, 2), "workday").name == ""
    with pytest.raises(FrozenInstanceError):
        entry.kind = "workday"  # type: ignore[misc]
    with pytest.raises(ValueError):
        CalendarEntry(date(2027, 1, 1), "weekend")  # type: ignore[arg-type]


# --- formatting -----------------------------------------------------------------------------------


def test_format_period_cn() -> None:
    assert (
        format_period_cn(date(2026, 9, 29), date(2026, 10, 10), 5) == "2026年9月29日至10月10日，共5个工作日"
    )
    assert (
        format_period_cn(date(2026, 12, 28), date(2027, 1, 5), 5)
        == "2026年12月28日至2027年1月5日，共5个工作日"
    )
    assert format_period_cn(date(2026, 3, 9), date(2026, 3, 9), 1) == "2026年3月9日至3月9日，共1个工作日"
    with pytest.raises(ValueError):
        format_period_cn(date(2026, 10, 10), date(2026, 9, 29), 5)


# --- module hygiene -------------------------------------------------------------------------------


def test_module_imports_no_framework() -> None:
    tree = ast.parse(inspect.getsource(workdays))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert not roots & {"flask", "sqlalchemy", "portal"}
    assert set(workdays.__all__) == {"CalendarEntry", "UnknownYear", "WorkCalendar", "format_period_cn"}


# --- properties against the package, day by day ---------------------------------------------------

starts = st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=300, deadline=None, database=None)
@given(start=starts, n=st.integers(min_value=0, max_value=30))
def test_add_workdays_matches_naive_reference(start: date, n: int) -> None:
    try:
        expected = naive_add(start, n)
    except NotImplementedError:  # the package does not know 2027
        with pytest.raises(UnknownYear) as info:
            CAL.add_workdays(start, n)
        assert info.value.year == 2027
    else:
        assert CAL.add_workdays(start, n) == expected


@settings(max_examples=300, deadline=None, database=None)
@given(start=starts, days=st.integers(min_value=1, max_value=30), start_counts=st.booleans())
def test_notice_period_properties(start: date, days: int, start_counts: bool) -> None:
    try:
        first, last = CAL.notice_period(start, days, start_counts=start_counts)
    except UnknownYear as err:
        assert err.year == 2027
        counted_from = start if start_counts else start + ONE
        assert naive_count(counted_from, date(2026, 12, 31)) < days
        return
    assert chinese_calendar.is_workday(first) and chinese_calendar.is_workday(last)
    assert start <= first <= last
    assert naive_count(first, last) == days
    assert CAL.workdays_between(first, last) == days
    # No working day is skipped between the counting start and first.
    assert naive_count(start if start_counts else start + ONE, first - ONE) == 0
    if start_counts:
        assert (first == start) is chinese_calendar.is_workday(start)
    else:
        assert first > start


@settings(max_examples=200, deadline=None, database=None)
@given(a=starts, length=st.integers(min_value=-3, max_value=800))
def test_workdays_between_matches_naive_reference(a: date, length: int) -> None:
    b = min(a + timedelta(days=length), date(2026, 12, 31))
    assert CAL.workdays_between(a, b) == (naive_count(a, b) if a <= b else 0)
