"""dates.typed_day: a typed date read, or told apart as badly written or not in the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.dates import BadlyWritten, NoSuchDay, read_day, typed_day


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2026-03-15", date(2026, 3, 15)),
        (" 2026-03-15 ", date(2026, 3, 15)),
        ("2026-3-5", date(2026, 3, 5)),  # 年-月-日 without leading zeros, as 取得时间 always took it
        ("20260315", date(2026, 3, 15)),  # as date.fromisoformat took it before
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_a_date_is_read(raw: str, day: date) -> None:
    assert typed_day(raw) == day
    assert read_day(raw, "格式") == (day, "")


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "2026-04-31", "2027-02-29", "2026-00-10"])
def test_a_well_written_day_not_in_the_calendar_does_not_exist(raw: str) -> None:
    with pytest.raises(NoSuchDay):
        typed_day(raw)
    assert read_day(raw, "格式") == (None, f"日期“{raw}”不存在，请核对月份和日")


@pytest.mark.parametrize("raw", ["", "2026/03/15", "2026年3月15日", "15-03-2026", "2026-03", "明天"])
def test_anything_else_is_badly_written_and_keeps_the_field_s_words(raw: str) -> None:
    with pytest.raises(BadlyWritten):
        typed_day(raw)
    assert read_day(raw, "格式") == (None, "格式")
