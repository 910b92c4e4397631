"""services.compare_and_set: a step written over a stale read changes nothing and says so."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.domain.errors import StaleObject
from portal.models import CallStatus, CommitteeCall, StaffRole
from portal.services import calls
from portal.services.compare_and_set import compare_and_set
from tests.conftest import Clock
from tests.factories import make_committee, make_committee_world
from tests.services.test_calls import _input


def test_a_step_over_a_stale_version_or_status_is_refused_and_writes_nothing(
    session: Session, clock: Clock
) -> None:
    world = make_committee_world(session, clock.now, profile="kunming-2022")
    co = make_committee(session, world, clock.now, place="东川区")
    call = calls.draft_call(session, co.office.actor(StaffRole.HANDLER), _input(clock, 45), clock.now)
    read = call.version
    # Another step got there first: same status, the version moved on.
    session.execute(
        update(CommitteeCall)
        .where(CommitteeCall.id == call.id)
        .values(version=CommitteeCall.version + 1)
        .execution_options(synchronize_session=False)  # this request still holds what it read
    )
    assert call.version == read
    with pytest.raises(StaleObject):
        compare_and_set(session, call, [CallStatus.DRAFT], status=CallStatus.FILED.value)
    assert (call.state, call.version) == (CallStatus.DRAFT, read + 1)  # refreshed: the database's row
    # A status this step does not start from: refused, even with the current version.
    with pytest.raises(StaleObject):
        compare_and_set(session, call, [CallStatus.ACCEPTED], status=CallStatus.PUBLISHED.value)
    assert call.state is CallStatus.DRAFT
    compare_and_set(session, call, [CallStatus.DRAFT, CallStatus.REFUSED], status=CallStatus.FILED.value)
    assert (call.state, call.version) == (CallStatus.FILED, read + 2)
    # An unversioned row (a title confirmation's line, a transfer) checks the status alone.
    compare_and_set(session, call, [CallStatus.FILED], versioned=False, status=CallStatus.ACCEPTED.value)
    assert (call.state, call.version) == (CallStatus.ACCEPTED, read + 2)
