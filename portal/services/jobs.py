"""Background jobs as rows: create, claim, report progress, finish, fail, recover, show.

Guarantees (issue 19): a job is claimed by one worker at a time with a compare-and-set on its status
(a job the queue delivers twice runs once); a claimed job that stops sending heartbeats (its worker was
killed) is claimed again by the recovery sweep and run from the start, so its result is never half
written; a job's owner, and nobody else, sees it and downloads its result (others get NotFound, as for
any object); every failed attempt keeps its error, and a job whose retries are spent shows it to its owner
and to the admin. A periodic run is one row per (kind, slot): exactly one instance runs each slot.

Services flush, never commit; ids of jobs created in a transaction are left in `session.info` and handed
to the queue only after the commit (portal/jobs.py listens for it), so a worker never looks for a row
that is not there yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.domain.errors import DomainError, NotFound
from portal.domain.i18n import N_, T_, Text, to_record
from portal.domain.mail import NoticeKind
from portal.models import (
    Application,
    Job,
    JobKind,
    JobStatus,
    Membership,
    OrgKind,
    StaffRole,
    StoredFile,
    User,
)
from portal.services import notifications
from portal.services.actors import Actor

# A running job writes a heartbeat at every step; one silent for this long lost its worker.
STALE_AFTER = timedelta(minutes=5)
# A queued job no worker has taken for this long is handed to the queue again (it may have been lost).
REQUEUE_AFTER = timedelta(minutes=2)
# Results (ZIPs, spreadsheets) are kept for a day, like the batch packages before them.
RESULT_TTL = timedelta(hours=24)
PENDING = "portal_jobs_to_enqueue"
WORKING = T_("正在处理")


@dataclass(frozen=True)
class ActorRecord:
    """The actor a job acts for, as stored with it (JSON)."""

    user_id: int
    name: str
    org_id: int | None
    org_kind: str | None
    staff_role: str | None
    employer_id: int | None
    ip: str
    request_id: str
    stand_in_for: int | None

    @classmethod
    def of(cls, actor: Actor) -> ActorRecord:
        return cls(
            actor.user_id,
            actor.name,
            actor.org_id,
            actor.org_kind.value if actor.org_kind else None,
            actor.staff_role.value if actor.staff_role else None,
            actor.employer_id,
            actor.ip,
            actor.request_id,
            actor.stand_in_for,
        )

    def actor(self) -> Actor:
        return Actor(
            self.user_id,
            self.name,
            org_id=self.org_id,
            org_kind=OrgKind(self.org_kind) if self.org_kind else None,
            staff_role=StaffRole(self.staff_role) if self.staff_role else None,
            employer_id=self.employer_id,
            ip=self.ip,
            request_id=self.request_id,
            stand_in_for=self.stand_in_for,
        )


class JobCancelled(Exception):
    """The job can no longer run for its owner (their role ended): it fails without retries."""


class JobLost(Exception):
    """Another worker claimed the job (this one went silent past the stale limit): stop, write nothing."""


def create_job(
    session: Session,
    actor: Actor,
    kind: JobKind,
    params: dict[str, Any],
    now: datetime,
    *,
    membership_id: int | None = None,
    total: int = 0,
    message: str = T_("排队等待后台处理"),
) -> Job:
    """A queued job for `actor`; handed to the queue when the caller's transaction commits."""
    job = Job(
        kind=kind.value,
        status=JobStatus.QUEUED.value,
        owner_id=actor.user_id or None,
        membership_id=membership_id,
        org_id=actor.org_id,
        params={**params, "actor": asdict(ActorRecord.of(actor))},
        total=total,
        message=message,
        created_at=now,
    )
    session.add(job)
    session.flush()
    session.info.setdefault(PENDING, []).append(job.id)
    return job


def actor_of(session: Session, job: Job) -> Actor:
    """The actor the job acts for; JobCancelled when the role it was started in has ended since."""
    record = ActorRecord(**job.params["actor"])
    if job.membership_id is not None:
        membership = session.get(Membership, job.membership_id)
        if membership is None or membership.ended_at is not None:
            raise JobCancelled(N_("发起任务的岗位已结束，任务已取消"))
    return record.actor()


def claim(session: Session, job_id: int, now: datetime, *, stale: timedelta = STALE_AFTER) -> Job | None:
    """Take the job for this worker: queued, or running with a heartbeat older than `stale` (its worker
    died). None when another worker holds it or it is finished (a duplicate delivery does nothing)."""
    taken = session.execute(
        update(Job)
        .where(
            Job.id == job_id,
            or_(
                Job.status == JobStatus.QUEUED.value,
                (Job.status == JobStatus.RUNNING.value) & (Job.heartbeat_at < now - stale),
            ),
        )
        .values(
            status=JobStatus.RUNNING.value,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            done=0,
            message=str(WORKING),
            message_record=to_record(WORKING),
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.scalars(
        select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
    ).one()


def _still_mine(session: Session, job: Job, now: datetime, **values: Any) -> None:
    """Update the job only while this run still holds it: its attempt number is the fencing token, so a
    worker that was presumed dead and replaced cannot overwrite the new run's state (JobLost)."""
    if "message" in values:  # the bulk UPDATE skips the model's validator: keep the message's record here
        message = values["message"]
        values["message"] = str(message)
        values["message_record"] = to_record(message) if isinstance(message, Text) else None
    changed = session.execute(
        update(Job)
        .where(Job.id == job.id, Job.attempts == job.attempts, Job.status == JobStatus.RUNNING.value)
        .values(heartbeat_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise JobLost(job.id)
    for name, value in {"heartbeat_at": now, **values}.items():
        set_committed_value(job, name, value)  # the row says so already: nothing left to flush


def progress(session: Session, job: Job, now: datetime, *, done: int, total: int | None = None,
             message: str | None = None) -> None:  # fmt: skip
    """Record how far the job is; doubles as its heartbeat (JobLost if another worker took it over)."""
    values: dict[str, Any] = {"done": done}
    if total is not None:
        values["total"] = total
    if message is not None:
        values["message"] = message
    _still_mine(session, job, now, **values)


def finish(
    session: Session,
    job: Job,
    now: datetime,
    *,
    message: str,
    result_file_id: int | None = None,
    result_name: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    """The job is done (JobLost if another worker took it over meanwhile: then its result stands)."""
    extra = {} if params is None else {"params": params}
    _still_mine(
        session,
        job,
        now,
        status=JobStatus.DONE.value,
        done=max(job.done, job.total),
        message=message,
        error="",
        result_file_id=result_file_id,
        result_name=result_name,
        finished_at=now,
        **extra,
    )
    _tell_owner(session, job, now, T_("后台任务“%(job)s”已完成，请打开查看结果", job=JobKind(job.kind).title))


def _tell_owner(session: Session, job: Job, now: datetime, text: Text) -> None:
    """The job page says "come back here (or through Messages)": the person who started the job gets a
    message linking its page when it ends (a periodic job has nobody to tell)."""
    if job.owner_id is not None and not JobKind(job.kind).periodic:
        notifications.notify(session, [job.owner_id], NoticeKind.JOB_DONE, text, f"/jobs/{job.id}", now)


def fail(session: Session, job_id: int, error: str, now: datetime, *, final: bool) -> None:
    """Record a failed attempt: back to the queue for a retry, or (final) failed for good."""
    job = session.get(Job, job_id)
    if job is None:
        return
    job.error = error[:2000]
    if final:
        job.status = JobStatus.FAILED.value
        job.message = T_("处理失败，已停止重试")
        job.finished_at = now
        _tell_owner(
            session, job, now, T_("后台任务“%(job)s”处理失败，已停止重试", job=JobKind(job.kind).title)
        )
    else:
        job.status = JobStatus.QUEUED.value
        job.message = T_("第%(attempt)s次处理失败，稍后自动重试", attempt=job.attempts)
    if isinstance(error, Text):
        # The error's msgid and parameters ride with the message's record (set just above), so its owner
        # and the admin read it in their own language; a plain error (a constant msgid, or a program's
        # exception text) is looked up as it is.
        job.message_record = {**(job.message_record or {}), "error": to_record(error)}
    job.heartbeat_at = now
    session.flush()


def start_periodic(session: Session, kind: JobKind, slot: str, now: datetime) -> Job | None:
    """The run of a periodic job for `slot` (e.g. the minute), or None when another instance has it."""
    try:
        with session.begin_nested():
            job = Job(
                kind=kind.value,
                status=JobStatus.RUNNING.value,
                slot=slot,
                params={},
                attempts=1,
                message=WORKING,
                created_at=now,
                started_at=now,
                heartbeat_at=now,
            )
            session.add(job)
            session.flush()
    except IntegrityError:
        return None
    return job


def to_recover(session: Session, now: datetime, *, stale: timedelta = STALE_AFTER) -> list[int]:
    """Person-started jobs to hand to the queue again: queued for long (the message may be lost) or
    running without a heartbeat (the worker died). Claiming decides who runs them."""
    rows = session.scalars(
        select(Job.id)
        .where(
            Job.slot.is_(None),
            or_(
                (Job.status == JobStatus.QUEUED.value)
                & (Job.created_at < now - REQUEUE_AFTER)
                & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < now - REQUEUE_AFTER),
                (Job.status == JobStatus.RUNNING.value) & (Job.heartbeat_at < now - stale),
            ),
        )
        .order_by(Job.id)
    )
    return list(rows)


def job_for(session: Session, actor: Actor, job_id: int) -> Job:
    """A job its owner started (in the same organisation); anyone else: NotFound, like a missing one."""
    job = session.get(Job, job_id)
    if job is None or job.slot is not None or job.owner_id != actor.user_id or job.org_id != actor.org_id:
        raise NotFound(N_("找不到该任务，或您无权查看"))
    return job


def result_of(session: Session, actor: Actor, job_id: int, now: datetime) -> Job:
    """A finished job's result for download by its owner; NotFound when it has none (or has expired)."""
    job = job_for(session, actor, job_id)
    if job.state is not JobStatus.DONE or job.result_file is None:
        raise NotFound(N_("该任务没有可下载的结果，或结果已过期（保留24小时）"))
    return job


def recent(session: Session, *, limit: int = 100) -> list[Job]:
    """For the admin: the newest jobs of every kind, failed ones first."""
    failed = list(
        session.scalars(
            select(Job).where(Job.status == JobStatus.FAILED.value).order_by(Job.id.desc()).limit(limit)
        )
    )
    others = list(
        session.scalars(
            select(Job).where(Job.status != JobStatus.FAILED.value).order_by(Job.id.desc()).limit(limit)
        )
    )
    return failed + others


def expire_results(session: Session, now: datetime, ttl: timedelta = RESULT_TTL) -> list[int]:
    """Drop results older than `ttl` from their jobs; returns the stored-file ids no job refers to now
    (the caller deletes those rows, and the file sweep then removes the bytes)."""
    old = list(
        session.scalars(select(Job).where(Job.result_file_id.is_not(None), Job.finished_at < now - ttl))
    )
    released = []
    for job in old:
        released.append(job.result_file_id)
        job.result_file_id = None
        job.message = T_("%(message)s（结果已超过24小时，已删除）", message=job.shown_message or job.message)
    session.flush()
    return [i for i in released if i is not None]


# The jobs whose kept ZIP carries applicants' names as the worker read them (params["ids"]: the applications).
NAMING_RESULTS = (JobKind.PACKAGE_BATCH.value, JobKind.HANDOFF_EXPORT.value)


def withdraw_results_naming(session: Session, application_ids: set[int], now: datetime) -> list[int]:
    """Package batches and hand-off exports still offered for download (a ZIP kept for a day) that hold one
    of these applications, withdrawn because its applicant's name was corrected since: the ZIP's PDFs,
    folder names and manifests carry the name as it was when the worker read it, and nothing else would
    tell the person downloading it (or uploading it to a provincial system). The job keeps its row and
    says why (its page then offers nothing); its owner is told to start it again, which reads the name as
    it is now; the stored ZIP goes, as an expired one does. What was exported stays in the audit
    (``export_package``, ``export_package_batch``, ``export_handoff``). Returns the withdrawn jobs' ids.
    A job still queued reads the names when it runs; one running checks the names it wrote before it
    stores its ZIP, under the lock this correction holds (`names_gone_stale`), and builds it again if
    they changed, so a ZIP stored after a correction never carries the old name."""
    if not application_ids:
        return []
    kept = session.scalars(
        select(Job).where(Job.kind.in_(NAMING_RESULTS), Job.result_file_id.is_not(None)).order_by(Job.id)
    )
    withdrawn: list[Job] = [job for job in kept if not application_ids.isdisjoint(job.params.get("ids", []))]
    for job in withdrawn:
        file_id = job.result_file_id
        job.result_file = None  # the relationship too: a page of this request reads it after the flush
        job.message = T_(
            "%(message)s（生成后申报人的姓名已更正，该压缩包已撤下，请重新发起）",
            message=job.shown_message or job.message,
        )
        session.flush()
        if session.scalar(select(Job.id).where(Job.result_file_id == file_id).limit(1)) is None:
            session.execute(delete(StoredFile).where(StoredFile.id == file_id))
        if job.owner_id is not None:
            notifications.notify(
                session,
                [job.owner_id],
                NoticeKind.JOB_DONE,
                T_(
                    "后台任务“%(job)s”的结果已撤下：其中申报人的姓名已更正，请重新发起以取得新姓名的文件",
                    job=JobKind(job.kind).title,
                ),
                f"/jobs/{job.id}",
                now,
            )
    return [job.id for job in withdrawn]


# How many times a job whose names were corrected while it ran builds its result again before giving up.
REBUILDS = 2
# What the job's page says meanwhile, and after (a Text wrapping the job's own message).
REBUILDING = T_("生成期间申报人的姓名已更正，正在按更正后的姓名重新生成")
NAMES_KEPT_CHANGING = N_("生成期间申报人的姓名多次更正，未保存结果，请重新发起任务以取得更正后姓名的文件")


def rebuilt(message: Text) -> Text:
    """A finished job's message, saying that its result was built again after a name correction."""
    return T_("%(message)s（生成期间申报人的姓名已更正，已按更正后的姓名重新生成）", message=message)


def names_gone_stale(session: Session, written: dict[int, str | None]) -> set[int]:
    """The applications whose applicant's name is no longer the one a job wrote into its result
    (`written`: application id → the name as the worker read it; None when it is not known).

    Called in the (writing, not `read_only`) transaction that stores the result, before it commits: it
    takes the lock a name
    correction takes (`accounts.account_editing(lock=True)`: the applications FOR UPDATE, in id order on
    both sides so the two never deadlock), held until that transaction ends, and then reads the names
    from the database (not from the session, whose objects keep what they read earlier). So a correction
    committed while the job was building is seen here (the result would carry the old name: the caller
    builds it again), and one that comes after waits for the stored result and withdraws it
    (`withdraw_results_naming`). SQLite ignores FOR UPDATE: there every writing transaction is BEGIN
    IMMEDIATE, so the correction comes wholly before or after this one. An application deleted since
    has no name to compare: not stale (its folder is the job's own business)."""
    if not written:
        return set()
    ids = sorted(written)
    session.execute(
        select(Application.id).where(Application.id.in_(ids)).order_by(Application.id).with_for_update()
    ).all()
    rows = session.execute(
        select(Application.id, User.name)
        .join(User, User.id == Application.applicant_id)
        .where(Application.id.in_(ids))
    )
    now = {application_id: name for application_id, name in rows}
    return {i for i in ids if i in now and now[i] != written[i]}


def names_kept_changing() -> DomainError:
    """The refusal a job ends with when the names changed under each of its builds (it fails for good,
    and its page tells its owner to start it again)."""
    return DomainError(NAMES_KEPT_CHANGING, code="names_changed")


def forget_pending(session: Session) -> list[int]:
    """The ids created in this transaction, taken (the queue hands them to workers after the commit)."""
    return list(session.info.pop(PENDING, []))


def tally(session: Session) -> dict[tuple[str, str], int]:
    """How many jobs there are of each kind in each status (the metrics page reads it at scrape time)."""
    rows = session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    return {(kind, status): int(number) for kind, status, number in rows}
