"""T-CONC-03: the same form posted twice at once — a double click, or a browser retrying — takes effect
once. Both requests carry the same session cookie and the same form (the same version field), race
through a barrier into the real app on a database of its own (these transactions really commit), and
the database afterwards holds one new draft, one submission, one approval, one certificate number; the
second request gets an answer, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import create_app
from portal.domain.workflow import Action, Status
from portal.extensions import db
from portal.models import Application, AuditEvent, User
from tests.dbsetup import database_url
from tests.factories import PASSWORD, STEPS_TO, World, make_application, make_user, make_world

NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


@pytest.fixture
def instance(tmp_path: Path, worker_id: str) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "WTF_CSRF_ENABLED": False,
            "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
            "DATABASE_URL": database_url(f"portal_double_{worker_id}", tmp_path),
            "PORTAL_STORAGE_DIR": str(tmp_path / "files"),
            "PORTAL_CLOCK": lambda: NOW,
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def twins(app: Flask, user: User) -> tuple[FlaskClient, FlaskClient]:
    """Two clients holding the same session cookie: one browser, clicked twice."""
    first = app.test_client()
    assert first.post("/login", data={"login": user.phone, "password": PASSWORD}).status_code == 303
    cookie = first.get_cookie("portal_session")
    assert cookie is not None
    second = app.test_client()
    second.set_cookie("portal_session", cookie.value)
    return first, second


def race(clients: tuple[FlaskClient, FlaskClient], url: str, form: dict[str, Any]) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post(client: FlaskClient) -> None:
        barrier.wait(timeout=30)
        try:
            statuses.append(client.post(url, data=form).status_code)
        except BaseException as error:  # a crash in the app must fail the test, not vanish in a thread
            errors.append(error)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(statuses) == 2, (errors, statuses)
    assert all(status < 500 for status in statuses), statuses
    return statuses


def ok_events(app: Flask, action: str, application_id: int | None = None) -> int:
    with app.app_context():
        stmt = (
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.outcome == "ok")
        )
        if application_id is not None:
            stmt = stmt.where(AuditEvent.object_id == application_id)
        return int(db.session.scalar(stmt) or 0)


def prepared(app: Flask, build: Callable[[Session, World], Any]) -> tuple[World, Any]:
    with app.app_context():
        world = make_world(db.session)
        made = build(db.session, world)
        db.session.commit()
        return world, made


def test_a_double_click_on_start_application_makes_one_draft(instance: Flask) -> None:
    world, applicant = prepared(instance, lambda s, w: make_user(s, employer=w.enterprise.org))
    form = {
        "applicant_id": applicant.id,
        "series": "工程",
        "specialty": "土木工程",
        "level": "中级",
        "pathway": "评审",
    }
    statuses = race(twins(instance, world.enterprise.handler), "/enterprise/applications", form)
    with instance.app_context():
        drafts = db.session.scalar(
            select(func.count()).select_from(Application).where(Application.applicant_id == applicant.id)
        )
    assert drafts == 1 and sorted(statuses) == [303, 422]
    # The refusal names the draft that exists, in Chinese, next to the field.
    again = twins(instance, world.enterprise.handler)[0].post("/enterprise/applications", data=form)
    assert again.status_code == 422 and "已有一份进行中的工程中级申报" in again.text


def test_a_double_submitted_submission_is_submitted_once(instance: Flask) -> None:
    _, application = prepared(instance, lambda s, w: make_application(s, w, NOW))
    form = {"action": Action.SUBMIT.value, "version": application.version}
    race(
        twins(instance, application.applicant),
        f"/me/applications/{application.id}/act",
        form,
    )
    assert ok_events(instance, "submit", application.id) == 1
    with instance.app_context():
        stored = db.session.get(Application, application.id)
        assert stored is not None and stored.state is Status.SUBMITTED
        assert stored.version == application.version + 1


def test_a_double_clicked_approval_approves_once(instance: Flask) -> None:
    world, application = prepared(
        instance, lambda s, w: make_application(s, w, NOW, steps=STEPS_TO[Status.SUBMITTED])
    )
    form = {"action": Action.HANDLER_APPROVE.value, "version": application.version}
    race(twins(instance, world.enterprise.handler), f"/review/applications/{application.id}/act", form)
    assert ok_events(instance, "handler_approve", application.id) == 1
    with instance.app_context():
        stored = db.session.get(Application, application.id)
        assert stored is not None and stored.state is Status.UNIT_REVIEW


def test_a_double_clicked_certification_issues_one_number(instance: Flask) -> None:
    world, application = prepared(
        instance, lambda s, w: make_application(s, w, NOW, steps=STEPS_TO[Status.CERTIFIED] - 1)
    )
    form = {"action": Action.CERTIFY.value, "version": application.version}
    race(twins(instance, world.bureau.leader), f"/review/applications/{application.id}/act", form)
    assert ok_events(instance, "certify", application.id) == 1
    with instance.app_context():
        stored = db.session.get(Application, application.id)
        assert stored is not None and stored.state is Status.CERTIFIED and stored.certificate_no
        numbers = db.session.scalar(
            select(func.count()).select_from(Application).where(Application.certificate_no.is_not(None))
        )
    assert numbers == 1
