"""One unit of work per request (portal/web/unit_of_work.py): the only commit and rollback in the web
layer; a success commits, an error rolls back, a refusal's audit event outlives the rollback the same
way for a single and a bulk action, and after-commit steps run only once the work is saved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import Application, AuditEvent
from portal.services import audit
from portal.web.unit_of_work import after_commit, discard, keep, register_unit_of_work
from tests.conftest import Clock
from tests.factories import make_application, make_world

WEB = Path(__file__).resolve().parents[2] / "portal" / "web"
TRANSACTION_CALL = re.compile(r"session\.(commit|rollback)\(")


def test_no_view_commits_or_rolls_back_outside_the_unit_of_work() -> None:
    found = [
        f"{path.relative_to(WEB)}:{number}: {line.strip()}"
        for path in sorted(WEB.rglob("*.py"))
        if path.name != "unit_of_work.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if TRANSACTION_CALL.search(line)
    ]
    assert found == []


# A bare app with the unit of work and routes that write, refuse, fail: what each answer leaves behind.


def _write(action: str) -> None:
    audit.record(db.session, None, action, _clock_now(), object_type="uow_test")


def _clock_now() -> Any:
    from portal.web.context import now

    return now()


@pytest.fixture
def bare(app: Flask, session: Session) -> Iterator[FlaskClient]:
    bare_app = Flask("unit_of_work_test")
    bare_app.config.update(
        TESTING=True,
        PROPAGATE_EXCEPTIONS=False,  # a failed commit answers 500, as in production
        DATABASE_URL=app.config["DATABASE_URL"],
        PORTAL_CLOCK=app.config["PORTAL_CLOCK"],
    )
    db.init_app(bare_app)
    register_unit_of_work(bare_app)
    ran: list[str] = []

    @bare_app.post("/ok")
    def ok() -> Response:
        _write("uow_ok")
        after_commit(lambda: ran.append("ok"))
        return Response("saved", 200)

    @bare_app.post("/form-errors")
    def form_errors() -> Response:
        _write("uow_form_errors")
        after_commit(lambda: ran.append("form-errors"))
        return Response("bad input", 422)

    @bare_app.post("/refused")
    def refused() -> Response:
        _write("uow_refused_work")
        audit.record_attempt(db.session, None, "uow_refused", _clock_now(), object_type="uow_test")
        return discard(Response("", 303, {"Location": "/"}))

    @bare_app.post("/kept")
    def kept() -> Response:
        _write("uow_kept")
        return keep(Response("valid fields saved", 422))

    @bare_app.post("/crash")
    def crash() -> Response:
        _write("uow_crash_work")
        audit.record_attempt(db.session, None, "uow_crash_refused", _clock_now(), object_type="uow_test")
        raise RuntimeError("boom")

    @bare_app.post("/commit-fails")
    def commit_fails() -> Response:
        _write("uow_commit_fails_work")
        after_commit(lambda: ran.append("commit-fails"))
        db.session.add(AuditEvent(action="uow_incomplete"))  # NOT NULL columns missing: the commit fails
        return Response("looks fine", 200)

    with bare_app.app_context():
        db.bind_to(session.bind, join_transaction_mode="create_savepoint")
    client = bare_app.test_client()
    client.ran = ran  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        with bare_app.app_context():
            db.engine.dispose()


def _actions(session: Session) -> list[str]:
    session.expire_all()
    rows = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "uow_test"))
    return sorted(rows)


def test_a_success_commits_and_then_runs_the_after_commit_steps(bare: FlaskClient, session: Session) -> None:
    assert bare.post("/ok").status_code == 200
    assert _actions(session) == ["uow_ok"]
    assert bare.ran == ["ok"]  # type: ignore[attr-defined]


def test_an_error_answer_rolls_back_and_drops_the_after_commit_steps(
    bare: FlaskClient, session: Session
) -> None:
    assert bare.post("/form-errors").status_code == 422
    assert _actions(session) == []
    assert bare.ran == []  # type: ignore[attr-defined]


def test_a_refusal_answered_with_a_redirect_rolls_back_but_keeps_its_audit_event(
    bare: FlaskClient, session: Session
) -> None:
    assert bare.post("/refused").status_code == 303
    assert _actions(session) == ["uow_refused"]


def test_an_error_answer_marked_keep_commits(bare: FlaskClient, session: Session) -> None:
    assert bare.post("/kept").status_code == 422
    assert _actions(session) == ["uow_kept"]


def test_a_crash_rolls_back_and_keeps_the_refusals_it_audited(bare: FlaskClient, session: Session) -> None:
    assert bare.post("/crash").status_code == 500
    assert _actions(session) == ["uow_crash_refused"]


def test_a_commit_that_fails_answers_500_and_saves_nothing(bare: FlaskClient, session: Session) -> None:
    response = bare.post("/commit-fails")
    assert response.status_code == 500 and "looks fine" not in response.text
    assert _actions(session) == []
    assert bare.ran == []  # type: ignore[attr-defined]


# The real routes: a refused review action is audited the same way alone and in a bulk action.


def _denied(session: Session, application: Application) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id == application.id,
            AuditEvent.outcome == "denied",
        )
    )
    return [(row.action, row.detail.get("code", "")) for row in rows]


def test_a_refused_action_is_audited_alone_and_in_bulk_and_changes_nothing(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world = make_world(session)
    alone = make_application(session, world, clock.now, steps=1)
    in_bulk = make_application(session, world, clock.now, steps=1)
    leader = login_as(world.enterprise.leader)  # submitted: the handler reviews first, refused

    response = leader.post(f"/review/applications/{alone.id}/act", data={"action": "leader_approve"})
    assert response.status_code == 303
    response = leader.post("/review/bulk", data={"action": "leader_approve", "ids": str(in_bulk.id)})
    assert response.status_code == 303

    assert _denied(session, alone) == [("leader_approve", "no_transition")]
    assert _denied(session, in_bulk) == [("leader_approve", "no_transition")]
    for application in (alone, in_bulk):
        session.refresh(application)
        assert application.state is Status.SUBMITTED
