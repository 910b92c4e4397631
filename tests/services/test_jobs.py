"""Background jobs as rows (portal/services/jobs.py) and the tasks that run them (portal/jobs/tasks.py),
in this process with huey's own dequeue/execute and schedule: a job is claimed once, a worker presumed
dead cannot overwrite its successor's run, a failing job is retried with growing delays and then shown
failed to its owner and the admin with its error, a job of a role that ended is cancelled, and a periodic
run happens once per minute however many workers start it. The real consumer process is in tests/jobs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import jobs as queue_module
from portal.domain.workflow import Status
from portal.jobs import tasks
from portal.models import AuditEvent, Job, JobKind, JobStatus, Notice, Notification, StaffRole
from portal.services import certificates, jobs, notices
from tests.conftest import Clock, run_periodic, run_queued
from tests.factories import STEPS_TO, World, make_application, make_world
from tests.i18n.reading import in_english


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _export(session: Session, world: World, clock: Clock) -> Job:
    actor = world.bureau.actor(StaffRole.LEADER)
    job = certificates.start_export(
        session, actor, certificates.CertificateFilters(), clock.now,
        membership_id=world.bureau.leader_membership.id,
    )  # fmt: skip
    session.commit()
    return job


def test_a_job_is_claimed_once_and_a_replaced_worker_cannot_write_over_its_successor(
    session: Session, world: World, clock: Clock, queue: None
) -> None:
    job = _export(session, world, clock)
    first = jobs.claim(session, job.id, clock.now)
    assert first is not None and first.attempts == 1 and first.state is JobStatus.RUNNING
    assert jobs.claim(session, job.id, clock.now) is None  # a duplicate delivery: nothing to do
    later = clock.now + timedelta(minutes=6)  # the first worker went silent past the stale limit
    stale_run = Job(id=job.id, attempts=1, done=0, total=0)  # what the first worker still holds
    second = jobs.claim(session, job.id, later)
    assert second is not None and second.attempts == 2
    with pytest.raises(jobs.JobLost):
        jobs.progress(session, stale_run, later, done=5)
    with pytest.raises(jobs.JobLost):
        jobs.finish(session, stale_run, later, message="I was first")
    jobs.finish(session, second, later, message="done")
    session.expire_all()
    assert session.get(Job, job.id).message == "done"  # type: ignore[union-attr]


def test_a_failing_job_is_retried_with_growing_delays_then_shown_failed_to_owner_and_admin(
    app: Flask, session: Session, world: World, clock: Clock, login_as: Any, queue: None, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the file store's folder should be")
    previous = app.config["PORTAL_STORAGE_DIR"]
    app.config["PORTAL_STORAGE_DIR"] = str(blocked)  # every attempt fails to store its result
    try:
        make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
        job = _export(session, world, clock)
        delays = []
        for attempt in range(1, tasks.RETRIES + 2):
            assert run_queued(app) == 1
            session.expire_all()
            assert job.attempts == attempt and "FileExistsError" in job.error
            if attempt <= tasks.RETRIES:
                assert job.state is JobStatus.QUEUED and f"第{attempt}次处理失败" in job.message
                # huey keeps the retry in its schedule until its delay has passed; its scheduler then
                # queues it (here: read the schedule as of an hour later and queue what is due).
                due = queue_module.huey.read_schedule(datetime.now() + timedelta(hours=1))
                assert len(due) == 1
                delays.append(due[0].retry_delay)
                due[0].eta = None  # its time has come
                queue_module.huey.enqueue(due[0])
        assert delays == [tasks.RETRY_DELAY * tasks.BACKOFF**n for n in range(1, tasks.RETRIES + 1)]
        assert job.state is JobStatus.FAILED and job.finished_at is not None
        owner_page = login_as(world.bureau.leader, membership_id=world.bureau.leader_membership.id).get(
            f"/jobs/{job.id}"
        )
        assert "处理失败" in owner_page.text and "FileExistsError" in owner_page.text
        admin_page = login_as(world.admin, membership_id=world.admin_membership.id).get("/jobs")
        assert admin_page.status_code == 200 and "导出证书名册" in admin_page.text
        assert "row-failed" in admin_page.text and "FileExistsError" in admin_page.text
        (told,) = session.scalars(select(Notification).where(Notification.kind == "job_done"))
        assert (
            told.user_id == world.bureau.leader.id
            and told.link == f"/jobs/{job.id}"
            and "处理失败" in told.text
        )
    finally:
        app.config["PORTAL_STORAGE_DIR"] = previous


def test_a_job_whose_role_ended_is_cancelled_without_retries(
    app: Flask, session: Session, world: World, clock: Clock, queue: None
) -> None:
    job = _export(session, world, clock)
    world.bureau.leader_membership.ended_at = clock.now
    session.commit()
    assert run_queued(app) == 1
    session.expire_all()
    assert job.state is JobStatus.FAILED and job.attempts == 1 and "岗位已结束" in job.error
    assert queue_module.huey.scheduled() == []


def test_a_periodic_run_happens_once_per_minute_however_many_workers_start_it(
    app: Flask, session: Session, world: World, clock: Clock, queue: None
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.IN_NOTICE])
    notice = session.scalars(select(Notice).order_by(Notice.id.desc())).first()
    assert notice is not None and notice.status == "published"
    clock.now = datetime.combine(notice.last_day + timedelta(days=1), datetime.min.time(), clock.now.tzinfo)
    clock.advance(hours=2)
    assert notices.is_due(notice, clock.now)
    session.commit()
    for _ in range(3):  # three instances' workers, the same minute
        run_periodic(app, "close_notices")
    runs = session.scalars(select(Job).where(Job.kind == JobKind.CLOSE_NOTICES.value)).all()
    assert len(runs) == 1 and runs[0].state is JobStatus.DONE and runs[0].message == "已结转 1 个到期公示"
    closes = session.scalar(
        select(func.count()).where(
            AuditEvent.action == "close_notice",
            AuditEvent.object_type == "notice",
            AuditEvent.object_id == notice.id,
        )
    )
    assert closes == 1
    session.refresh(application)
    assert application.state is Status.NOTICE_PASSED
    clock.advance(minutes=1)  # the next minute runs again, finding nothing to do
    run_periodic(app, "close_notices")
    assert session.scalar(select(func.count()).where(Job.kind == JobKind.CLOSE_NOTICES.value)) == 2


def test_the_person_who_started_a_job_gets_a_message_linking_its_result_and_a_periodic_run_tells_nobody(
    app: Flask, session: Session, world: World, clock: Clock, login_as: Any, queue: None
) -> None:
    """The job page says one may close it and come back "here (or through Messages)": no job sent a
    message, so a closed page left no way back. The owner now gets one, in their language."""
    make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    job = _export(session, world, clock)
    assert run_queued(app) == 1
    session.expire_all()
    assert job.state is JobStatus.DONE
    leader = world.bureau.leader
    (told,) = session.scalars(select(Notification).where(Notification.kind == "job_done"))
    assert told.user_id == leader.id and told.link == f"/jobs/{job.id}" and "导出证书名册" in told.text
    browser = login_as(leader, membership_id=world.bureau.leader_membership.id)
    assert browser.get("/inbox").status_code == 200
    in_english(browser)
    assert "The background job “Export the certificate register” has finished" in browser.get("/inbox").text
    before = session.scalar(select(func.count()).select_from(Notification))
    run_periodic(app, JobKind.SWEEP.value)
    assert session.scalar(select(func.count()).select_from(Notification)) == before
