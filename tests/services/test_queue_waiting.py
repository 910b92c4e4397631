"""The queue's "waiting at least N working days" filter: its cutoff, counted back on the product's calendar
as the Waiting column counts forward (services.queues.waiting_cutoff)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from portal.services import queues


def test_the_cutoff_is_the_start_of_the_nth_working_day_back_holidays_skipped(session: Session) -> None:
    thursday = datetime(2026, 10, 8, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the first day after National Day
    # Back from 8 October: 8 October, 30 and 29 September; a case that arrived on the 28th has waited 3.
    assert queues.waiting_cutoff(session, 3, thursday) == datetime(2026, 9, 28, 16, 0, tzinfo=UTC)
    assert queues.waiting_cutoff(session, 1, thursday) == datetime(2026, 10, 7, 16, 0, tzinfo=UTC)
    sunday = datetime(2026, 10, 11, 2, 0, tzinfo=UTC)  # a rest day counts nothing: 10 October (调休) does
    assert queues.waiting_cutoff(session, 1, sunday) == datetime(2026, 10, 9, 16, 0, tzinfo=UTC)


def test_a_year_the_calendar_lacks_falls_back_to_calendar_days(session: Session) -> None:
    # No year is guessed as weekends only: the filter counts calendar days then (never fewer rows).
    later = datetime(2031, 3, 12, 2, 0, tzinfo=UTC)
    assert queues.waiting_cutoff(session, 3, later) == datetime(2031, 3, 9, 16, 0, tzinfo=UTC)
    assert queues.waiting_cutoff(session, 99_999_999, later).year > 1900  # no date overflow
