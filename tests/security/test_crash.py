"""T-CRASH-01: SIGKILL the real server in the middle of concurrent approvals and uploads, restart it, and
find nothing impossible.

The server is the product's own `flask --app app run` (werkzeug, threaded; gunicorn is not a dependency)
in a subprocess on a loopback port, on a SQLite file — or on PostgreSQL when TEST_DATABASE_URL is set.
Threads act as the reviewers of three organisations (two enterprise handlers racing for the same rows)
and as an HR clerk uploading social-insurance rosters (a file in the store plus hundreds of rows in one
transaction). Once a share of the work has been done the server is killed with SIGKILL, without warning.

After a restart the database must hold no application in an impossible state: replaying each
application's audited transitions through portal.domain.workflow.decide from `draft` must be legal at
every step and end exactly at the stored status, handler signature, return stage, version, awaiting
role and holding organisation. No roster is half-written. After `flask sweep` (run an hour later, as
the cron job would) the store holds exactly the files the database refers to, each with intact bytes,
and the audit chain verifies. The restarted server then goes on approving.

PORTAL_TEST_PROFILE=full runs more applications and larger rosters. Detection of a stored file whose
bytes changed is tested in test_uploads.py (T-UP-06).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import create_app
from portal.domain import workflow
from portal.domain.workflow import Action, Role, Status
from portal.extensions import db
from portal.models import Application, AuditEvent, Roster, RosterEntry, StaffRole, StoredFile, User
from portal.services import audit
from portal.services.transitions import holder_org_id
from portal.storage.local import LocalStorage
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, make_application, make_staff, make_world, resident_id
from tests.factories import STORAGE as FACTORY_STORAGE
from tests.security.live import Person, Server

ROOT = Path(__file__).resolve().parents[2]
FULL = os.environ.get("PORTAL_TEST_PROFILE") == "full"
PER_LEVEL = 30 if FULL else 10  # applications waiting at each of the three organisations
ROSTER_ROWS = 3000 if FULL else 400
KILL_AT = 0.4  # share of the approvals done when the server is killed
NOW = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)
SECRET = "crash-test-secret-key-" + "k" * 32


def _files_in(store: Path) -> int:
    """Stored files and temporary ones (a write in progress)."""
    return sum(1 for path in store.rglob("*") if path.is_file()) if store.exists() else 0


def _roster_csv(number: int, unit: str) -> bytes:
    lines = ["姓名,公民身份号码,参保单位名称,缴费月数"]
    lines += [f"职工{number}-{n},{resident_id()},{unit},{12 + n % 48}" for n in range(ROSTER_ROWS)]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Work:
    """The shared tally of the load threads; `stop` ends them, `died` counts requests the kill cut off."""

    approvals: int = 0
    uploads: int = 0
    died: int = 0
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, name: str, body: Callable[[], None]) -> threading.Thread:
        def guarded() -> None:
            try:
                body()
            except requests.RequestException:
                with self.lock:
                    self.died += 1  # the server vanished under this request: expected
            except Exception as error:  # anything else is a failure of the test run itself
                self.errors.append(f"{name}: {error!r}")

        thread = threading.Thread(target=guarded, name=name, daemon=True)
        thread.start()
        return thread


def _review(work: Work, person: Person, items: list[tuple[int, Action]], *, first: bool) -> None:
    """Work through the rows like a reviewer: an accepted action (200) is done; a refused one (409 stale,
    422 not yet possible) is done for a handler who lost the race, and retried later by a leader waiting
    for the handler's signature."""
    pending = list(items)
    while pending and not work.stop.is_set():
        retry = []
        for application_id, action in pending:
            if work.stop.is_set():
                return
            status = person.act(application_id, action)
            if status == 200:
                with work.lock:
                    work.approvals += 1
            elif status in (409, 422) and not first:
                retry.append((application_id, action))
            elif status >= 500:
                raise AssertionError(f"{status} for {action.value} on {application_id}")
        pending = retry
        if retry:
            time.sleep(0.05)


Queues = dict[str, list[tuple[int, Action]]]
# Handlers race (a refused click means the other handler was first); leaders wait for a signature.
RACING = frozenset({"enterprise handler", "enterprise rival", "department handler", "bureau handler"})


@dataclass
class Setup:
    app: Flask
    env: dict[str, str]
    store: Path
    phones: dict[str, str]
    queues: Queues
    unit: str


# Where each reviewer's work lies: an action is still to do while its application sits there.
STAGES: dict[str, frozenset[Status]] = {
    "enterprise handler": frozenset({Status.SUBMITTED}),
    "enterprise leader": frozenset({Status.SUBMITTED, Status.UNIT_REVIEW}),
    "department handler": frozenset({Status.DEPT_REVIEW}),
    "department leader": frozenset({Status.DEPT_REVIEW}),
    "bureau handler": frozenset({Status.BUREAU_REVIEW}),
    "bureau leader": frozenset({Status.BUREAU_REVIEW}),
}


def _remaining(session: Session, queues: Queues) -> Queues:
    """What is left of each queue, read from the database: an action is left while its application still
    sits at the reviewer's stage and, for a handler's action, nobody has signed there yet."""
    left: Queues = {}
    for role, items in queues.items():
        if role not in STAGES:
            continue  # the rival handler's queue is the enterprise handler's
        for application_id, action in items:
            application = session.get(Application, application_id)
            assert application is not None
            signed = application.handler_signed_by_id is not None
            if application.state in STAGES[role] and not (action is Action.HANDLER_APPROVE and signed):
                left.setdefault(role, []).append((application_id, action))
    return left


@pytest.fixture
def setup(tmp_path: Path, worker_id: str) -> Iterator[Setup]:
    url = database_url(f"portal_crash_{worker_id}", tmp_path)
    store = tmp_path / "files"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": url, "PORTAL_STORAGE_DIR": str(store)}
    )
    with app.app_context():
        upgrade()
        session = db.session
        world = make_world(session)
        rival, _ = make_staff(session, world.enterprise.org, StaffRole.HANDLER, "第二经办人")
        levels = {Status.SUBMITTED: [], Status.DEPT_REVIEW: [], Status.BUREAU_REVIEW: []}
        for status, ids in levels.items():
            for _ in range(PER_LEVEL):
                ids.append(make_application(session, world, NOW, steps=STEPS_TO[status]).id)
        server_store = LocalStorage(store)
        for stored in session.scalars(select(StoredFile)):  # the factories' scans live in their own store
            server_store.put(FACTORY_STORAGE.get(stored.sha256))
        session.commit()
        queues = {
            "enterprise handler": [(i, Action.HANDLER_APPROVE) for i in levels[Status.SUBMITTED]],
            "enterprise rival": [(i, Action.HANDLER_APPROVE) for i in reversed(levels[Status.SUBMITTED])],
            "enterprise leader": [(i, Action.LEADER_APPROVE) for i in levels[Status.SUBMITTED]],
            "department handler": [(i, Action.HANDLER_APPROVE) for i in levels[Status.DEPT_REVIEW]],
            "department leader": [(i, Action.LEADER_APPROVE) for i in levels[Status.DEPT_REVIEW]],
            "bureau handler": [(i, Action.HANDLER_APPROVE) for i in levels[Status.BUREAU_REVIEW]],
            "bureau leader": [(i, Action.CERTIFY) for i in levels[Status.BUREAU_REVIEW]],
        }
        phones = {
            "enterprise handler": world.enterprise.handler.phone,
            "enterprise rival": rival.phone,
            "enterprise leader": world.enterprise.leader.phone,
            "department handler": world.department.handler.phone,
            "department leader": world.department.leader.phone,
            "bureau handler": world.bureau.handler.phone,
            "bureau leader": world.bureau.leader.phone,
        }
        unit = world.enterprise.org.name
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_STORAGE_DIR": str(store),
        "PORTAL_LOGIN_RATE_LIMIT": "100000 per minute",
        "PORTAL_PROFILE": "development",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("FLASK_DEBUG", None)
    yield Setup(app, env, store, phones, queues, unit)
    with app.app_context():
        db.engine.dispose()


ACTIONS = frozenset(action.value for action in Action)  # not e.g. start_application, which sets no status


def _transition_problems(session: Session) -> list[str]:
    """Every way an application contradicts the state machine or its own audited history."""
    problems: list[str] = []
    events: dict[int, list[AuditEvent]] = {}
    for event in session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "application", AuditEvent.outcome == "ok")
        .order_by(AuditEvent.id)
    ):
        if event.object_id is not None and event.action in ACTIONS:
            events.setdefault(event.object_id, []).append(event)
    for application in session.scalars(select(Application).order_by(Application.id)):
        name = f"application {application.id}"
        situation = workflow.Situation(Status.DRAFT, application.applicant_id)
        history = events.get(application.id, [])
        for event in history:
            if event.from_status != situation.status.value:
                problems.append(f"{name}: {event.action} from {event.from_status}, was {situation.status}")
                break
            actor = workflow.Actor(event.actor_id, Role(event.role), acts_for_holder=True)
            try:
                outcome = workflow.decide(situation, Action(event.action), actor)
            except workflow.TransitionNotAllowed as refused:
                problems.append(f"{name}: {event.action} from {situation.status} is impossible: {refused}")
                break
            if outcome.target.value != event.to_status:
                problems.append(f"{name}: {event.action} went to {event.to_status}, not {outcome.target}")
                break
            situation = workflow.Situation(
                outcome.target, application.applicant_id, outcome.handler_signed_by, outcome.returned_from
            )
        stored = (
            application.status,
            application.handler_signed_by_id,
            application.returned_from,
            application.version,
            application.awaiting,
            application.current_org_id,
        )
        awaiting = workflow.awaiting(situation.status, situation.handler_signed_by)
        replayed = (
            situation.status.value,
            situation.handler_signed_by,
            situation.returned_from.value if situation.returned_from else None,
            1 + len(history),  # every transition is one compare-and-set that adds one
            awaiting.value if awaiting else None,
            holder_org_id(application, situation.status),
        )
        if stored != replayed:
            problems.append(f"{name}: stored {stored}, its audited history says {replayed}")
        if application.status == Status.CERTIFIED.value and not application.certificate_no:
            problems.append(f"{name}: certified without a number")
    return problems


def _roster_problems(session: Session) -> list[str]:
    counts = dict(
        session.execute(select(RosterEntry.roster_id, func.count()).group_by(RosterEntry.roster_id)).all()
    )
    problems = []
    for roster in session.scalars(select(Roster)):
        if counts.get(roster.id, 0) != roster.row_count:
            problems.append(f"roster {roster.id}: {counts.get(roster.id, 0)} of {roster.row_count} rows")
        if session.get(StoredFile, roster.file_id) is None:
            problems.append(f"roster {roster.id}: its file row is missing")
    return problems


def _cli(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT, env=setup.env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_sigkill_during_approvals_and_uploads_leaves_nothing_impossible(
    setup: Setup, tmp_path: Path
) -> None:
    server = Server(setup.env, tmp_path / "server.log")
    server.start()
    try:
        work = Work()
        people = {role: Person(server, phone) for role, phone in setup.phones.items()}
        clerk = Person(server, setup.phones["enterprise handler"])  # a second browser of the same person
        total = sum(len(q) for role, q in setup.queues.items() if role != "enterprise rival")
        threads = [
            work.run(role, lambda p=people[role], q=queue, r=role: _review(work, p, q, first=r in RACING))
            for role, queue in setup.queues.items()
        ]

        def upload_forever() -> None:
            number = 0
            while not work.stop.is_set():
                number += 1
                status = clerk.upload_roster(_roster_csv(number, setup.unit), f"roster-{number}.csv")
                assert status == 303, status
                with work.lock:
                    work.uploads += 1

        threads.append(work.run("uploads", upload_forever))
        # Aim the kill at the worst moment: once enough approvals are done, as soon as the store holds a
        # file whose upload has not been answered yet (written, its transaction perhaps not committed).
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not work.errors:
            with work.lock:
                ready = work.approvals >= total * KILL_AT and work.uploads >= 1
                answered = work.uploads
            if ready and (_files_in(setup.store) > answered or time.monotonic() > deadline - 20):
                break
            time.sleep(0.001)
        server.kill()
        work.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert not work.errors, work.errors
        assert work.approvals >= total * KILL_AT and work.uploads >= 1, (work.approvals, work.uploads)
        assert work.approvals < total  # killed mid-way, not after the work was over

        server.start()  # the same database and store, as an operator would restart it
        with setup.app.app_context():
            db.session.remove()
            session = db.session
            assert _transition_problems(session) == []
            assert _roster_problems(session) == []
            checked, broken = audit.verify_chain(session)
            assert broken is None and checked > 0
            db.session.remove()

        # An hour later the cron job sweeps: what the kill left half-done (a temporary file, a file
        # whose row never committed) goes; every file a row refers to stays, bytes intact.
        hour_ago = time.time() - 2 * 3600
        for path in setup.store.rglob("*"):
            os.utime(path, (hour_ago, hour_ago))
        left_behind = sorted(p.name for p in setup.store.rglob("*") if p.is_file())  # reported on failure
        swept = _cli(setup, "sweep")
        assert swept.returncode == 0, swept.stderr
        with setup.app.app_context():
            referenced = set(db.session.scalars(select(StoredFile.sha256)))
            db.session.remove()
        on_disk = {p.name for p in setup.store.rglob("*") if p.is_file()}
        assert on_disk == referenced, (on_disk ^ referenced, left_behind, swept.stdout)
        verified = _cli(setup, "verify-files")
        assert verified.returncode == 0, verified.stdout + verified.stderr

        # The restarted server carries on: every row the kill interrupted can still be finished.
        with setup.app.app_context():
            left = _remaining(db.session, setup.queues)
            db.session.remove()
        work = Work()
        threads = []
        for role, queue in left.items():
            person = Person(server, setup.phones[role])
            threads.append(work.run(role, lambda p=person, q=queue: _review(work, p, q, first=False)))
        for thread in threads:
            thread.join(timeout=60)
        assert not work.errors and work.died == 0, (work.errors, work.died)
        with setup.app.app_context():
            session = db.session
            assert _transition_problems(session) == []
            # Every queue is through: the enterprise's cases approved, the department's sent to the
            # bureau, the bureau's certified.
            final = session.execute(select(Application.id, Application.status)).all()
            assert {status for _, status in final} == {
                Status.UNIT_APPROVED.value,
                Status.BUREAU_REVIEW.value,
                Status.CERTIFIED.value,
            }, (final, left)
            assert session.scalar(select(func.count()).select_from(User)) > 0
            db.session.remove()
    finally:
        server.stop()
