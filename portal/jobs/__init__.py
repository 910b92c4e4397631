"""The task queue (huey, issue 19): one queue for the whole deployment, chosen by configuration.

Embedded default: huey's SQLite storage in its own file (`PORTAL_QUEUE_PATH`, default
instance/queue.sqlite3), next to the database of a single office. With `PORTAL_REDIS_URL` set, the queue
lives in Redis and every instance's worker takes from it. Messages are signed with the app's secret key
(huey's SignedSerializer), so nobody who can write to Redis can make a worker unpickle their bytes.

What goes through the queue:
- a job's id, after the transaction that created the job row commits (see `_after_commit`); the row
  holds the state (portal/services/jobs.py), the message is only a wake-up, so a lost message is found
  again by the recovery sweep;
- records of reads and refusals made by GET requests (`record_access`): a GET writes nothing to the
  database, so the audit row of a refused page or a certificate's QR check is written by the worker.

The worker is huey's own consumer: `huey_consumer portal.worker.huey` (make run starts it beside
gunicorn; deploy/ has its systemd unit).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.serializer import SignedSerializer
from huey.storage import BlackHoleStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.config import INSTANCE_DIR

log = logging.getLogger(__name__)

QUEUE_NAME = "portal"


class PortalHuey(Huey):
    """huey whose storage and signing key follow the Flask app in context: every app (one per process in
    production; several in a test run) talks to its own queue. Outside an app context (the consumer's
    scheduler and workers between tasks) it uses the one `configure` set last."""

    _default_storage: Any = None
    _default_serializer: Any = None

    @property  # type: ignore[override]
    def storage(self) -> Any:
        if has_app_context():
            chosen = current_app.extensions.get("portal_queue")
            if chosen is not None:
                return chosen[0]
        return self._default_storage

    @storage.setter
    def storage(self, value: Any) -> None:
        self._default_storage = value

    @property  # type: ignore[override]
    def serializer(self) -> Any:
        if has_app_context():
            chosen = current_app.extensions.get("portal_queue")
            if chosen is not None:
                return chosen[1]
        return self._default_serializer

    @serializer.setter
    def serializer(self, value: Any) -> None:
        self._default_serializer = value


# Created with the embedded default so `huey_consumer portal.worker.huey` and the tests can import it;
# create_app() gives each app its configured storage (configure below).
class _Unconfigured(BlackHoleStorage):
    """Until an app is configured nothing may be queued (rather than lost or put in a default file)."""

    def enqueue(self, data: bytes, priority: float | None = None) -> None:
        raise RuntimeError("the task queue is not configured: create_app() configures it")


huey = PortalHuey(QUEUE_NAME, results=False, utc=True, storage_class=_Unconfigured)
_bound: dict[str, Flask] = {}


def storage_for(config: dict[str, Any]) -> SqliteStorage | RedisStorage:
    """The queue's storage the settings name: Redis when PORTAL_REDIS_URL is set, else a SQLite file."""
    redis_url = str(config.get("PORTAL_REDIS_URL") or "")
    if redis_url:
        return RedisStorage(QUEUE_NAME, url=redis_url, blocking=True, read_timeout=1)
    path = Path(str(config.get("PORTAL_QUEUE_PATH") or INSTANCE_DIR / "queue.sqlite3"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStorage(QUEUE_NAME, filename=str(path), timeout=15)


def configure(app: Flask) -> None:
    """Give this app its queue (storage and signing key), make it the default outside app contexts, and
    run tasks in it (the worker's app, or the web app enqueueing; a test binds its own)."""
    if "portal_queue" not in app.extensions:
        signer = SignedSerializer(secret=str(app.config["SECRET_KEY"]), salt="portal-queue")
        app.extensions["portal_queue"] = (storage_for(app.config), signer)
    huey.storage, huey.serializer = app.extensions["portal_queue"]
    _bound["app"] = app


def bound_app() -> Flask:
    app = _bound.get("app")
    if app is None:  # pragma: no cover - create_app() binds one
        raise RuntimeError("the task queue has no app: call portal.jobs.configure(app)")
    return app


def app_now(app: Flask) -> datetime:
    """The app's clock (a test's PORTAL_CLOCK, else the real time)."""
    clock = app.config.get("PORTAL_CLOCK")
    return clock() if clock else datetime.now(UTC)


@contextmanager
def app_session() -> Iterator[tuple[Flask, Session]]:
    """The bound app's context and its database session, for a task."""
    from portal.extensions import db

    app = bound_app()
    with app.app_context():
        yield app, db.session


def enqueue_jobs(ids: list[int]) -> None:
    """Hand committed jobs to the queue. A queue that cannot take them is logged, not raised: the rows
    are committed and the recovery sweep hands them over again."""
    from portal.jobs.tasks import run_job

    for job_id in ids:
        try:
            run_job(job_id)
        except Exception:
            log.exception("could not enqueue job %s; the recovery sweep will", job_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    from portal.services.jobs import forget_pending
    from portal.services.notifications import take_mail_pending

    ids = forget_pending(session)
    if ids:
        enqueue_jobs(ids)
    if take_mail_pending(session):
        enqueue_emails()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    from portal.services.jobs import forget_pending
    from portal.services.notifications import take_mail_pending

    forget_pending(session)
    take_mail_pending(session)


def enqueue_emails() -> None:
    """Ask the worker to mail the notices just committed (only when SMTP is configured). A queue that
    cannot take it is logged, not raised: the five-minute sweep sends them."""
    from portal.jobs.tasks import send_emails_soon

    app = current_app if has_app_context() else _bound.get("app")
    if app is None or not app.config.get("PORTAL_SMTP_HOST"):
        return
    try:
        send_emails_soon()
    except Exception:
        log.exception("could not enqueue the notification e-mails; the sweep will send them")


def record_access(event_fields: dict[str, Any]) -> None:
    """Queue an audit row for a read or refusal made by a GET (written by the worker). Raises when the
    queue cannot take it: callers that disclose something refuse then (nothing unrecorded is shown)."""
    from portal.domain.errors import Unavailable
    from portal.jobs.tasks import write_access_record

    try:
        write_access_record(event_fields)
    except Exception as error:
        raise Unavailable("queue", queue_setting(bound_app().config), str(error)) from error


def queue_setting(config: Any) -> str:
    return "PORTAL_REDIS_URL" if config.get("PORTAL_REDIS_URL") else "PORTAL_QUEUE_PATH"


def queue_depth() -> int:
    """Messages waiting (for /metrics and /readyz); raises when the queue cannot be reached."""
    return int(huey.pending_count())
