"""Paper follow-up rules (MAT-15, 003 附件 备注3): the due day on working days, the overdue flag, the
countdown and what an item's record may say."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain import paper
from portal.domain.materials import DossierFacts, slots_for
from portal.domain.workdays import UnknownYear, WorkCalendar

CAL = WorkCalendar.default()
MISSING = paper.ItemState(received=False, originals_checked=False)
DONE = paper.ItemState(received=True, originals_checked=True)


def test_the_due_day_skips_the_national_day_holiday_and_counts_the_adjusted_saturday() -> None:
    # Approved Monday 28 September 2026: 29, 30 Sep, then 1-7 Oct are the holiday, 8, 9, Saturday 10 Oct
    # (调休上班), 12, 13, 14, 15, 16 Oct: the tenth working day after the approval day.
    assert paper.due_date(CAL, date(2026, 9, 28), 10) == date(2026, 10, 16)
    # Counting weekdays only would have said Monday 12 October.
    weekdays_only = WorkCalendar([2026])
    assert paper.due_date(weekdays_only, date(2026, 9, 28), 10) == date(2026, 10, 12)


def test_an_approval_on_a_rest_day_counts_from_the_next_working_day() -> None:
    # Saturday 3 October 2026 (holiday): day 1 is Thursday 8 October.
    assert paper.due_date(CAL, date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert paper.due_date(CAL, date(2026, 10, 3), 10) == date(2026, 10, 20)


def test_a_due_day_in_a_year_the_calendar_does_not_know_is_refused() -> None:
    with pytest.raises(UnknownYear):
        paper.due_date(WorkCalendar([2026]), date(2026, 12, 28), 10)


def test_overdue_only_after_the_due_day_and_only_while_something_is_missing() -> None:
    due = date(2026, 10, 16)
    assert not paper.is_overdue(due, date(2026, 10, 16), [MISSING])  # the due day itself is in time
    assert paper.is_overdue(due, date(2026, 10, 17), [DONE, MISSING])
    assert not paper.is_overdue(due, date(2026, 10, 19), [DONE, DONE])
    # received without the originals checked yet is still "sent in time"
    assert not paper.is_overdue(due, date(2026, 10, 19), [paper.ItemState(True, False)])
    assert not paper.is_overdue(None, date(2027, 1, 1), [MISSING])


def test_working_days_left_count_after_today_up_to_the_due_day() -> None:
    due = date(2026, 10, 16)
    assert paper.workdays_left(CAL, date(2026, 9, 28), due) == 10
    assert paper.workdays_left(CAL, date(2026, 10, 2), due) == 8  # the holiday does not count down
    assert paper.workdays_left(CAL, date(2026, 10, 15), due) == 1
    assert paper.workdays_left(CAL, due, due) == 0
    assert paper.workdays_left(CAL, date(2026, 10, 20), due) == 0


def test_the_checklist_starts_with_the_printed_form_then_the_materials() -> None:
    slots = slots_for(DossierFacts(notice_closed=True))
    titles = paper.checklist_titles(slots)
    assert titles[0] == paper.APPLICATION_FORM
    assert [key for key, _ in titles[1:]] == [slot.key for slot in slots]


def test_an_item_record_is_checked() -> None:
    assert paper.check_item(True, True, "原件已退回") == {}
    assert "originals_checked" in paper.check_item(False, True, "")
    too_long = paper.check_item(True, False, "长" * (paper.REMARK_MAX + 1))
    assert "500" in too_long["remark"]
