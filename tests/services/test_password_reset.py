"""A forgotten password: the holding enterprise's HR reset an applicant's password (a new first password,
shown once, to be changed at the next login; the old sessions ended; audited without the password). Not
for one's own account, nor for an account that is also a staff member's or a committee expert's, nor a
voided one: each refusal audited as a denied reset."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied
from portal.domain.passwords import DEFAULT_PROFILE, PROFILES
from portal.models import AuditEvent, AuthSession, StaffRole, User
from portal.services import accounts, auth
from tests.factories import (
    PASSWORD,
    World,
    make_committee_world,
    make_user,
    staff_and_expert_applicants,
)

POLICY = auth.LoginPolicy(key=b"test")
PASSWORDS = PROFILES[DEFAULT_PROFILE]


@pytest.fixture
def world(session: Session, clock: Any) -> World:
    return make_committee_world(session, clock.now)


def _sessions(session: Session, user: User) -> int:
    return (
        session.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id))
        or 0
    )


def test_hr_reset_gives_a_first_password_that_must_be_changed_and_ends_every_session(
    world: World, session: Session, clock: Any
) -> None:
    person = make_user(session, employer=world.enterprise.org)
    auth.start_session(session, person, clock.now)
    auth.start_session(session, person, clock.now)
    assert _sessions(session, person) == 2
    for role in (StaffRole.HANDLER, StaffRole.LEADER):  # whoever may open accounts may reset them
        reset = accounts.reset_applicant_password(session, world.enterprise.actor(role), person.id, clock.now)
        assert reset.user is person and reset.password and reset.password != PASSWORD
        assert person.must_change_password is True
        assert _sessions(session, person) == 0
        # The new password logs in; the forced first change follows.
        assert auth.authenticate(session, person.phone, reset.password, clock.now, POLICY) is person
        assert auth.must_change_password(person, clock.now, PASSWORDS) == "first"
        auth.start_session(session, person, clock.now)
    # The old password no longer does.
    with pytest.raises(auth.LoginFailed):
        auth.authenticate(session, person.phone, PASSWORD, clock.now, POLICY)


def test_the_reset_is_audited_with_who_and_whose_never_the_password(
    world: World, session: Session, clock: Any
) -> None:
    person = make_user(session, employer=world.enterprise.org)
    reset = accounts.reset_applicant_password(
        session, world.enterprise.actor(StaffRole.HANDLER), person.id, clock.now
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "reset_password")).one()
    assert (event.actor_id, event.org_id, event.object_type, event.object_id) == (
        world.enterprise.handler.id,
        world.enterprise.org.id,
        "user",
        person.id,
    )
    every_column = json.dumps([str(getattr(event, c.key)) for c in AuditEvent.__table__.columns])
    assert reset.password not in every_column
    assert reset.password not in person.password_hash  # a hash, never the password


def test_another_enterprises_applicant_reads_as_not_found_and_staff_of_other_kinds_are_refused(
    world: World, session: Session, clock: Any
) -> None:
    person = make_user(session, employer=world.enterprise.org)
    before = person.password_hash
    with pytest.raises(NotFound):
        accounts.reset_applicant_password(
            session, world.other_enterprise.actor(StaffRole.HANDLER), person.id, clock.now
        )
    with pytest.raises(PermissionDenied):
        accounts.reset_applicant_password(
            session, world.bureau.actor(StaffRole.HANDLER), person.id, clock.now
        )
    assert person.password_hash == before


def test_an_account_that_is_also_staff_or_an_expert_is_not_hrs_to_reset(
    world: World, session: Session, clock: Any
) -> None:
    hr = world.enterprise.actor(StaffRole.HANDLER)
    for person in staff_and_expert_applicants(session, world, clock.now):
        auth.start_session(session, person, clock.now)
        before = (person.password_hash, person.must_change_password)
        with pytest.raises(DomainError) as refused:
            accounts.reset_applicant_password(session, hr, person.id, clock.now)
        assert "不能由用人单位重置密码" in refused.value.message
        assert (person.password_hash, person.must_change_password) == before
        assert _sessions(session, person) == 1
        _assert_denied(session, person, "staff_or_expert")


def _assert_denied(session: Session, person: User, code: str) -> None:
    """The refusal was audited on the account as a denied reset (who asked, the rule's code), once."""
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reset_password", AuditEvent.object_id == person.id)
    ).all()
    assert (event.object_type, event.outcome, event.detail) == ("user", "denied", {"code": code})


def test_ones_own_account_is_refused(world: World, session: Session, clock: Any) -> None:
    """An HR clerk held as an applicant of their own enterprise (staff too, so refused either way): their
    own password is changed on the change-password page, knowing the current one."""
    hr_user = world.enterprise.handler
    hr_user.employer_id = world.enterprise.org.id
    session.flush()
    with pytest.raises(DomainError) as refused:
        accounts.reset_applicant_password(
            session, world.enterprise.actor(StaffRole.HANDLER), hr_user.id, clock.now
        )
    assert "本人" in refused.value.message
    _assert_denied(session, hr_user, "own_account")


def test_a_voided_account_is_refused(world: World, session: Session, clock: Any) -> None:
    person = make_user(session, employer=world.enterprise.org)
    person.is_active = False
    session.flush()
    with pytest.raises(DomainError, match="停用"):
        accounts.reset_applicant_password(
            session, world.enterprise.actor(StaffRole.HANDLER), person.id, clock.now
        )
    _assert_denied(session, person, "inactive_account")
