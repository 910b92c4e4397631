"""The real worker: huey's consumer (`huey_consumer portal.worker.huey`, as make run and the systemd unit
start it) builds a batch ZIP nobody's page is watching; killed with SIGKILL in the middle, the job is
run again from the start by the next worker and delivered once, whole; and the consumer refuses to
start, naming the setting, when its database cannot be reached. On SQLite, or PostgreSQL with
TEST_DATABASE_URL.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from portal import create_app
from portal.domain.workflow import Status
from portal.extensions import db
from portal.models import AuditEvent, Job, JobStatus, StaffRole
from portal.services import packages
from tests.dbsetup import database_url
from tests.factories import STEPS_TO, STORAGE, STORAGE_DIR, make_application, make_world
from tests.jobs.processes import consumer, portal_env, wait_until

SECRET = "consumer-test-secret-key-" + "k" * 32
APPLICATIONS = 6


@dataclass
class Setup:
    app: Flask
    env: dict[str, str]
    tmp: Path
    ids: list[int]
    department_membership: int


@pytest.fixture
def setup(tmp_path: Path, worker_id: str) -> Iterator[Setup]:
    url = database_url(f"portal_consumer_{worker_id}", tmp_path)
    settings = {
        "DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_STORAGE_DIR": str(STORAGE_DIR),  # the factories' scans are there
        "PORTAL_PACKAGE_DIR": str(tmp_path / "packages"),
        "PORTAL_QUEUE_PATH": str(tmp_path / "queue.sqlite3"),
        "PORTAL_RATELIMIT_STORAGE_URL": f"portal+sqlite:///{tmp_path / 'ratelimits.sqlite3'}",
        "PORTAL_JOB_STALE_SECONDS": "2",  # a silent worker is replaced after 2 s (default 5 minutes)
        "PORTAL_JOB_RETRY_DELAY": "1",
    }
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": url,
            "PORTAL_STORAGE_DIR": str(STORAGE_DIR),
            "PORTAL_PACKAGE_DIR": settings["PORTAL_PACKAGE_DIR"],
            "PORTAL_QUEUE_PATH": settings["PORTAL_QUEUE_PATH"],
        }
    )
    with app.app_context():
        upgrade()
        world = make_world(db.session)
        now = datetime.now(UTC)
        ids = [
            make_application(db.session, world, now, steps=STEPS_TO[Status.DEPT_REVIEW]).id
            for _ in range(APPLICATIONS)
        ]
        assert STORAGE.root == STORAGE_DIR
        membership = world.department.handler_membership.id
        db.session.commit()
        db.session.remove()
    yield Setup(app, portal_env(**settings), tmp_path, ids, membership)
    with app.app_context():
        db.engine.dispose()


def _job(app: Flask, job_id: int) -> Job:
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None
        db.session.expunge(job)
        db.session.remove()
        return job


def test_a_batch_killed_mid_way_is_rebuilt_from_the_start_by_the_next_worker_and_delivered_once(
    setup: Setup,
) -> None:
    app = setup.app
    with app.app_context():
        actor = make_actor(setup)
        job = packages.start_batch(
            db.session, actor, setup.ids, datetime.now(UTC), membership_id=setup.department_membership
        )
        db.session.commit()  # handed to the queue: nobody has a page open on it
        job_id = job.id
        db.session.remove()
    first = consumer(setup.env, setup.tmp / "worker-1.log", workers=1)
    second = consumer(setup.env, setup.tmp / "worker-2.log", workers=1)
    try:
        first.start()
        wait_until(
            lambda: 0 < _job(app, job_id).done < APPLICATIONS,
            seconds=120,
            what=f"the first worker packaging part of the batch\n{first.output()[-3000:]}",
            interval=0.05,
        )
        first.kill()  # mid-way: a ZIP half written on disk, the job "running" with no heartbeat
        cut = _job(app, job_id)
        assert cut.state is JobStatus.RUNNING and cut.result_file_id is None and cut.attempts == 1
        second.start()  # at its start it finds the orphaned job (its heartbeat is older than 2 s)
        wait_until(
            lambda: _job(app, job_id).finished,
            seconds=180,
            what=f"the second worker finishing the batch\n{second.output()[-3000:]}",
        )
    finally:
        first.stop()
        second.stop()
    done = _job(app, job_id)
    assert done.state is JobStatus.DONE and done.attempts == 2 and done.done == APPLICATIONS
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job is not None and job.result_file is not None
        archive = setup.tmp / "batch.zip"
        archive.write_bytes(STORAGE.get(job.result_file.sha256))
        batches = db.session.scalar(
            select(func.count()).where(
                AuditEvent.action == "export_package_batch", AuditEvent.object_id == job_id
            )
        )
        exported = db.session.scalar(
            select(func.count()).where(
                AuditEvent.action == "export_package", AuditEvent.object_id.in_(setup.ids)
            )
        )
        db.session.remove()
    assert (batches, exported) == (1, APPLICATIONS)  # delivered once, whole
    with zipfile.ZipFile(archive) as zf:
        folders = {name.split("/", 1)[0] for name in zf.namelist()}
    assert len(folders) == APPLICATIONS and packages.verify_zip(archive).ok
    # The killed run's half-written ZIP was never delivered; it lies in the package folder until the
    # hourly sweep removes it (a day later). The second run's own file went once its ZIP was stored.
    leftovers = list((setup.tmp / "packages").glob(f"job-{job_id}-*"))
    assert (
        len(leftovers) == 1 and not packages.verify_zip(leftovers[0]).ok
        if zipfile.is_zipfile(leftovers[0])
        else len(leftovers) == 1
    )
    assert "Traceback" not in second.output()


def make_actor(setup: Setup):  # type: ignore[no-untyped-def]
    from portal.models import Membership
    from portal.services.actors import actor_for

    membership = db.session.get(Membership, setup.department_membership)
    assert membership is not None and membership.role == StaffRole.HANDLER.value
    return actor_for(membership.user, membership)


def test_the_worker_refuses_to_start_naming_the_setting_when_the_database_is_unreachable(
    tmp_path: Path,
) -> None:
    env = portal_env(
        DATABASE_URL="postgresql+psycopg://portal@127.0.0.1:9/nothing",  # port 9: nobody listens
        PORTAL_SECRET_KEY=SECRET,
        PORTAL_QUEUE_PATH=str(tmp_path / "queue.sqlite3"),
        PORTAL_STORAGE_DIR=str(tmp_path / "files"),
    )
    worker = consumer(env, tmp_path / "worker.log")
    worker.start()
    assert worker.process is not None
    assert worker.process.wait(timeout=120) == 1
    lines = [line for line in worker.output().splitlines() if "cannot start" in line]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], worker.output()[-2000:]
