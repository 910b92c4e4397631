"""The queues' change counters (services.versions, issue 20): every write to an application, or to what its
queue rows show, bumps the counter of each organisation that sees it, in the same transaction; an object
merely touched does not; a renamed user moves every queue's counter."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import Material
from portal.services import versions
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_world


def _seen(session: Session, *org_ids: int) -> dict[str, int]:
    return versions.read(session, [*(versions.org(i) for i in org_ids), versions.QUEUES])


def test_a_transition_bumps_every_organisation_that_sees_the_application_and_only_those(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    session.commit()
    ours = (world.enterprise.org.id, world.department.org.id, world.bureau.org.id)
    before = _seen(session, *ours, world.other_enterprise.org.id)
    application.counted_returns += 1
    session.commit()  # the counters move as the transaction commits (the test's savepoint here)
    after = _seen(session, *ours, world.other_enterprise.org.id)
    for org_id in ours:
        assert after[versions.org(org_id)] == before[versions.org(org_id)] + 1
    other = versions.org(world.other_enterprise.org.id)
    assert after[other] == before[other]
    assert after[versions.QUEUES] == before[versions.QUEUES]


def test_a_touched_but_unchanged_application_bumps_nothing_and_a_material_bumps_its_organisations(
    session: Session, clock: Clock
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    session.commit()
    before = _seen(session, world.enterprise.org.id)
    application.series = application.series  # set to the value it has: not a change
    session.commit()
    assert _seen(session, world.enterprise.org.id) == before
    material = session.scalars(select(Material).where(Material.application_id == application.id)).first()
    assert material is not None
    material.pages += 1
    session.commit()
    key = versions.org(world.enterprise.org.id)
    assert _seen(session, world.enterprise.org.id)[key] == before[key] + 1


def test_a_renamed_applicant_moves_every_queue(session: Session, clock: Clock) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    session.commit()
    before = versions.read(session, [versions.QUEUES])[versions.QUEUES]
    application.applicant.name = application.applicant.name + "新"
    session.commit()
    assert versions.read(session, [versions.QUEUES])[versions.QUEUES] == before + 1
