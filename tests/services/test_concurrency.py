"""Two reviewers acting on one application at the same moment, in real parallel transactions on the real
engine (SQLite with BEGIN IMMEDIATE, PostgreSQL row locks): exactly one transition and one audit event,
the other gets "已被他人处理". A plain read-then-write double-approved in most trials when measured
(security-plan decision 3); compare-and-set never may."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from portal import create_app
from portal.domain.errors import StaleObject
from portal.domain.workflow import Action, Status
from portal.extensions import db
from portal.models import Application, AuditEvent, Membership, StaffRole, User
from portal.services import applications
from portal.services.actors import actor_for
from tests.dbsetup import database_url
from tests.factories import make_application, make_staff, make_world

TRIALS = 200 if os.environ.get("PORTAL_TEST_PROFILE") == "full" else 8
NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path, worker_id: str) -> Iterator[Engine]:
    """A database of its own: these transactions really commit."""
    app: Flask = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": database_url(f"portal_concurrency_{worker_id}", tmp_path),
        }
    )
    with app.app_context():
        upgrade()
        yield db.engine
        db.engine.dispose()


def _attempt(
    engine: Engine,
    user_id: int,
    membership_id: int,
    application_id: int,
    version: int,
    barrier: threading.Barrier,
    outcomes: list[str],
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user, membership = session.get(User, user_id), session.get(Membership, membership_id)
        assert user is not None and membership is not None
        actor = actor_for(user, membership)
        session.commit()  # end the read before the race: on SQLite it would hold the write lock
        barrier.wait(timeout=30)
        try:
            applications.act(
                session, actor, application_id, Action.HANDLER_APPROVE, NOW, expected_version=version
            )
            session.commit()
            outcomes.append("ok")
        except StaleObject:
            session.commit()  # the refusal's audit event
            outcomes.append("stale")


def test_two_handlers_approving_at_once_make_exactly_one_transition(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        world = make_world(session)
        second, second_membership = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "第二经办人")
        cases = [make_application(session, world, NOW, steps=1) for _ in range(TRIALS)]
        session.commit()
        racers = [
            (world.enterprise.handler.id, world.enterprise.handler_membership.id),
            (second.id, second_membership.id),
        ]
        cases_ids = [(case.id, case.version) for case in cases]

    for application_id, version in cases_ids:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        threads = [
            threading.Thread(
                target=_attempt, args=(engine, uid, mid, application_id, version, barrier, outcomes)
            )
            for uid, mid in racers
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["ok", "stale"], outcomes

    with Session(engine) as session:
        ids = [i for i, _ in cases_ids]
        statuses = set(session.scalars(select(Application.status).where(Application.id.in_(ids))))
        assert statuses == {Status.UNIT_REVIEW.value}
        approvals = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "handler_approve",
                AuditEvent.outcome == "ok",
                AuditEvent.object_id.in_(ids),
            )
        )
        assert approvals == TRIALS
        versions = set(session.scalars(select(Application.version).where(Application.id.in_(ids))))
        assert versions == {cases_ids[0][1] + 1}
