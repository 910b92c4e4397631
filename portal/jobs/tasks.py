"""The queue's tasks: long jobs people start, the periodic jobs, the recovery sweep and the access
records of GET requests. Each task runs in the bound app's context and commits its own work (the worker
is the one place outside the web layer that commits, as the CLI does).

Periodic jobs run on every instance's worker (the same unit everywhere: no "main" instance to lose):
huey's lock keeps two runs from overlapping, and the run's row, one per (kind, minute), makes the second
instance to start the same minute's run do nothing, so each runs exactly once across instances.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from huey import crontab
from huey.exceptions import TaskLockedException
from huey.signals import SIGNAL_INTERRUPTED
from sqlalchemy.orm import Session

from portal.domain.i18n import N_, NT_, T_, joined
from portal.jobs import app_now, app_session, enqueue_jobs, huey
from portal.models import JobKind

log = logging.getLogger(__name__)

# Retries of a failed long job: after 10 s, 20 s, then 40 s; then it is shown as failed. (The worker's
# environment may shorten the first delay: the consumer tests use 1 s.)
RETRIES, BACKOFF = 3, 2
RETRY_DELAY = int(os.environ.get("PORTAL_JOB_RETRY_DELAY") or 10)


@huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, context=True)
def run_job(job_id: int, task: Any = None) -> None:
    """Run one person-started job (portal/jobs/runners.py) if this worker can claim it."""
    from portal.domain.errors import DomainError, ValidationFailed
    from portal.jobs.runners import JobLost, run
    from portal.services import jobs
    from portal.services.jobs import JobCancelled

    with app_session() as (app, session):
        job = jobs.claim(session, job_id, app_now(app), stale=stale_after(app))
        session.commit()
        if job is None:
            return  # finished, or another worker holds it: a duplicate delivery does nothing
        try:
            run(app, session, job)
            session.commit()
        except JobLost:
            session.rollback()  # another worker took it over (this one was too slow): its run counts
        except (JobCancelled, DomainError) as refused:
            # The job cannot succeed by trying again (the role ended, the file was imported meanwhile):
            # its owner reads why.
            session.rollback()
            if isinstance(refused, ValidationFailed):
                text = joined(refused.fields.values(), "；") if refused.fields else refused.message
            else:
                # The message itself (a msgid or a Text), not str() of the exception: it stays translatable.
                text = (
                    refused.message
                    if isinstance(refused, DomainError)
                    else (refused.args or [str(refused)])[0]
                )
            jobs.fail(session, job_id, text, app_now(app), final=True)
            session.commit()
        except Exception as error:
            session.rollback()
            final = task is None or task.retries <= 0
            log.exception("job %s failed (attempt %s%s)", job_id, job.attempts, ", final" if final else "")
            jobs.fail(session, job_id, f"{type(error).__name__}: {error}", app_now(app), final=final)
            session.commit()
            if not final:
                raise  # huey schedules the retry with its backoff


def stale_after(app: Any) -> Any:
    from datetime import timedelta

    from portal.services.jobs import STALE_AFTER

    seconds = app.config.get("PORTAL_JOB_STALE_SECONDS")
    return timedelta(seconds=int(seconds)) if seconds else STALE_AFTER


@huey.signal(SIGNAL_INTERRUPTED)
def _requeue_interrupted(signal: str, task: Any, *args: Any, **kwargs: Any) -> None:
    """A consumer stopped with SIGTERM interrupts its running jobs: put them back (huey's recipe), and
    mark their rows queued so the next worker can claim them at once."""
    if task.name != run_job.name:
        return
    from portal.services import jobs

    job_id = task.args[0]
    try:
        with app_session() as (app, session):
            jobs.fail(session, job_id, N_("后台服务重启，任务已重新排队"), app_now(app), final=False)
            session.commit()
        huey.enqueue(task)
    except Exception:  # pragma: no cover - the recovery sweep still finds the job
        log.exception("could not requeue interrupted job %s", job_id)


@huey.task(retries=5, retry_delay=5, retry_backoff=2)
def write_access_record(fields: dict[str, Any]) -> None:
    """The audit row (or certificate lookup) of a GET request, written by the worker."""
    from portal.services import access

    with app_session() as (_app, session):
        access.write(session, fields)
        session.commit()


# --- periodic jobs -----------------------------------------------------------------------------------


def _periodic(kind: JobKind, body: Callable[[Any, Session, datetime], str]) -> None:
    """Run `body` once for this minute across every instance, recording the run and any error."""
    from portal.services import jobs

    try:
        with huey.lock_task(f"periodic-{kind.value}"), app_session() as (app, session):
            now = app_now(app)
            run = jobs.start_periodic(session, kind, now.strftime("%Y-%m-%dT%H:%M"), now)
            session.commit()
            if run is None:
                return  # another instance's worker has this minute's run
            try:
                message = body(app, session, now)
                jobs.finish(session, run, app_now(app), message=message)
                session.commit()
            except Exception as error:
                session.rollback()
                log.exception("periodic job %s failed", kind.value)
                jobs.fail(session, run.id, f"{type(error).__name__}: {error}", app_now(app), final=True)
                session.commit()
    except TaskLockedException:
        return  # the same job is running elsewhere right now


def close_notices(_app: Any, session: Session, now: datetime) -> str:
    from portal.services import notices

    closed = notices.close_due_notices(session, now)
    return NT_("已结转 %(num)d 个到期公示", "已结转 %(num)d 个到期公示", len(closed))


def handle_corrections(_app: Any, session: Session, now: datetime) -> str:
    from portal.services import corrections

    abandoned = corrections.abandon_overdue(session, now)
    warned = corrections.warn_deadlines(session, now)
    return T_(
        "%(abandoned)d 件逾期未补正视为放弃申报；提醒 %(warned)d 件补正截止临近的申报",
        abandoned=len(abandoned),
        warned=len(warned),
    )


def sweep(app: Any, session: Session, now: datetime) -> str:
    from portal.services import maintenance

    return maintenance.sweep_all(session, app.config, now).summary()


def send_email(app: Any, session: Session, now: datetime) -> str:
    from portal.cli import smtp_mailer
    from portal.services import notifications
    from portal.web.mail import compose_notice

    mailer = smtp_mailer(app)
    if mailer is None:
        return T_("未配置邮件服务器（PORTAL_SMTP_HOST），不发送")  # a Text: the run keeps its record
    sent = notifications.send_pending_emails(session, mailer, now, compose_notice)
    return NT_("已发送 %(num)d 封通知邮件", "已发送 %(num)d 封通知邮件", sent)


@huey.task(retries=3, retry_delay=30)
def send_emails_soon() -> None:
    """The notices of a transaction that just committed, mailed now rather than at the next sweep. It
    shares the sweep's lock, so a notice never goes out twice; a locked or failed run is retried, and the
    five-minute sweep sends whatever is still pending after that."""
    with huey.lock_task(f"periodic-{JobKind.EMAIL.value}"), app_session() as (app, session):
        send_email(app, session, app_now(app))
        session.commit()


@huey.task(retries=3, retry_delay=30)
def send_verification_email(user_id: int, address: str, link: str) -> None:
    """The e-mail with the signed link that verifies `address` (portal/services/email_addresses.py), in
    its owner's language; nothing is sent when the address was changed or verified since it was asked.
    A server that cannot be reached raises, so huey tries again."""
    from portal.cli import smtp_mailer
    from portal.models import User
    from portal.web.mail import compose_verification

    with app_session() as (app, session):
        user = session.get(User, user_id)
        mailer = smtp_mailer(app)
        if mailer is None or user is None or user.email != address or user.email_verified_at is not None:
            return
        subject, body = compose_verification(user, link)
        mailer.send(address, subject, body)


PERIODIC_BODIES: dict[JobKind, Callable[[Any, Session, datetime], str]] = {
    JobKind.CLOSE_NOTICES: close_notices,
    JobKind.CORRECTIONS: handle_corrections,
    JobKind.SWEEP: sweep,
    JobKind.EMAIL: send_email,
}


def run_periodic(kind: JobKind) -> None:
    """One periodic job's run for this minute (what its schedule calls)."""
    _periodic(kind, PERIODIC_BODIES[kind])


@huey.periodic_task(crontab(minute="*"))
def close_notices_every_minute() -> None:
    """A notice whose period ended is passed within a minute (its pages say "closing" meanwhile)."""
    _periodic(JobKind.CLOSE_NOTICES, close_notices)


@huey.periodic_task(crontab(minute="*/5"))
def corrections_every_five_minutes() -> None:
    _periodic(JobKind.CORRECTIONS, handle_corrections)


@huey.periodic_task(crontab(minute="*/5"))
def email_every_five_minutes() -> None:
    _periodic(JobKind.EMAIL, send_email)


@huey.periodic_task(crontab(minute="17"))
def sweep_every_hour() -> None:
    _periodic(JobKind.SWEEP, sweep)


@huey.on_startup()
def _recover_at_start() -> None:
    """A worker that starts (after a crash, a restart, a deploy) looks for orphaned jobs at once."""
    try:
        recover_jobs.call_local()
    except Exception:  # pragma: no cover - the minute's sweep tries again
        log.exception("recovering jobs at start failed")


@huey.periodic_task(crontab(minute="*"))
def recover_jobs() -> None:
    """Hand lost or orphaned jobs to the queue again (claiming decides who runs them)."""
    from portal.services import jobs

    with app_session() as (app, session):
        ids = jobs.to_recover(session, app_now(app), stale=stale_after(app))
        session.rollback()
    if ids:
        log.info("recovering jobs %s", ids)
        enqueue_jobs(ids)
