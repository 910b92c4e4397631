"""README: a fresh demo today had no open batch. The demo data holds a window open on the day it is
loaded, whatever that day is, so every step of the tour (submitting included) can be done on it; on a day
the profile already has a window open it adds none, and loading it twice adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import BUREAU, seed_demo
from portal.models import Organisation, PolicyWindow
from portal.services import policies
from portal.services.calendar import today
from tests.factories import STORAGE


def _ganzhou_windows(session: Session) -> list[PolicyWindow]:
    """The Ganzhou bureau's windows (the hand-off demo bureaus have one each for their walk, issue 23)."""
    bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).one()
    return list(session.scalars(select(PolicyWindow).where(PolicyWindow.bureau_id == bureau.id)))


def _profile(session: Session) -> policies.PolicyProfile:  # type: ignore[name-defined]
    bureau = session.scalars(select(Organisation).where(Organisation.name == BUREAU)).one()
    profile = policies.effective_profile(session, bureau)
    assert profile is not None
    return profile


@pytest.mark.parametrize(
    "loaded",
    [
        datetime(2026, 11, 23, 2, 0, tzinfo=UTC),  # after Ganzhou's last 2026 window (the README's old gap)
        datetime(2027, 6, 15, 2, 0, tzinfo=UTC),  # a year the 2026 profile has no batches for
        datetime(2026, 9, 28, 2, 0, tzinfo=UTC),  # between two windows: closes before the next opens
    ],
)
def test_a_window_is_open_on_the_day_the_demo_is_loaded(session: Session, loaded: datetime) -> None:
    seed_demo(session, loaded, STORAGE)
    found = policies.windows_on(_profile(session), today(loaded), level="中级")
    assert found.current is not None and found.current.batch_id.startswith("demo-")
    if found.next is not None and found.next.opens is not None:
        assert found.current.closes is not None and found.current.closes < found.next.opens
    seed_demo(session, loaded, STORAGE)  # twice: nothing more
    assert len(_ganzhou_windows(session)) == 1


def test_inside_a_real_window_no_demo_window_is_added(session: Session) -> None:
    loaded = datetime(2026, 10, 21, 2, 0, tzinfo=UTC)  # Ganzhou's fourth 2026 window
    seed_demo(session, loaded, STORAGE)
    assert _ganzhou_windows(session) == []
    assert policies.windows_on(_profile(session), today(loaded), level="中级").current.batch_id == "2026-4"  # type: ignore[union-attr]
