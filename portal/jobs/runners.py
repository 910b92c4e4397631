"""What each person-started job does, run by the worker (portal/jobs/tasks.py: run_job).

Each runner re-derives the actor the job was started for (its role re-checked), reports progress as it
goes (a heartbeat, committed in its own short transaction, so a page sees it and SQLite's writers are
not held), and ends with one transaction that stores the result, audits it and marks the job done.
A run cut short — the worker killed, an error — leaves no result and no audit of a delivery; the next
attempt starts from the beginning with a fresh file, so nothing is ever half-written.
The ZIPs that name applicants (package batches, hand-off exports) are stored only after checking, under
the lock a name correction takes, that the names they were made with are still the accounts' names
(`jobs.names_gone_stale`); a name corrected while the ZIP was made has it made again (its page says so),
and one corrected after it is stored withdraws it (`jobs.withdraw_results_naming`).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal import filemodes
from portal.documents.certificates import certificates_xlsx
from portal.domain.handoffs import HandoffProfile
from portal.domain.i18n import T_
from portal.domain.identity import mask_id_number
from portal.extensions import read_only
from portal.jobs import app_now
from portal.models import Application, HandoffPart, Job, JobKind, StoredFile
from portal.services import audit, certificates, handoffs, imports, jobs, packages, sealing
from portal.services.actors import Actor
from portal.services.jobs import JobLost
from portal.storage import Storage, from_config

__all__ = ["JobLost", "run"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEALED = "application/x-portal-sealed"


def run(app: Flask, session: Session, job: Job) -> None:
    RUNNERS[job.job_kind](app, session, job)


def _store_result(
    session: Session, storage: Storage, job: Job, path: Path, name: str, media_type: str, app: Flask
) -> StoredFile:
    with path.open("rb") as handle:
        key = storage.put_file(handle)
    row = StoredFile(
        sha256=key,
        size=path.stat().st_size,
        media_type=media_type,
        display_name=name,
        uploaded_by_id=job.owner_id,
        created_at=app_now(app),
    )
    session.add(row)
    session.flush()
    return row


def package_batch(app: Flask, session: Session, job: Job) -> None:
    """The batch ZIP, built again (at most `jobs.REBUILDS` times) when an applicant's name in it was
    corrected while it was being built: it is stored only with the names as they are."""
    actor = jobs.actor_of(session, job)
    ids = [int(i) for i in job.params["ids"]]
    storage = from_config(app.config)
    workdir = Path(app.config["PORTAL_PACKAGE_DIR"])
    filemodes.private_dir(workdir)  # every scan of up to 500 people passes through here: owner-only
    for build in range(jobs.REBUILDS + 1):
        if build:
            # A correction committed while the ZIP was built: start again, reading every name anew (the
            # session keeps what it read: expire_on_commit is off).
            session.expire_all()
            jobs.progress(session, job, app_now(app), done=0, message=jobs.REBUILDING)
            session.commit()
        if _package_batch_once(app, session, job, actor, ids, storage, workdir, rebuilt=build > 0):
            return
        session.rollback()  # nothing of this build is kept (its file in the store is swept as an orphan)
    raise jobs.names_kept_changing()


def _package_batch_once(
    app: Flask,
    session: Session,
    job: Job,
    actor: Actor,
    ids: list[int],
    storage: Storage,
    workdir: Path,
    *,
    rebuilt: bool,
) -> bool:
    """One build of the batch ZIP, stored and the job finished; False (nothing stored: the caller rolls
    back) when a name it holds was corrected meanwhile."""
    fd, name = tempfile.mkstemp(dir=workdir, prefix=f"job-{job.id}-", suffix=".zip")  # 0600
    os.close(fd)
    path = Path(name)
    try:

        def step(done: int, who: str) -> None:
            # Each application was read in a read-only transaction (it writes nothing): end it, record
            # the progress in a short write of its own, and read the next one the same way.
            session.commit()
            jobs.progress(
                session,
                job,
                app_now(app),
                done=done,
                message=T_("已打包 %(done)s/%(total)s 件", done=done, total=len(ids)),
            )
            session.commit()
            read_only(session)

        read_only(session)
        with zipfile.ZipFile(path, "w") as zf:
            outcome = packages.write_batch(session, storage, actor, ids, zf, app_now(app), step)
        session.commit()  # the last read ends: the result is stored in a writing transaction of its own
        now = app_now(app)
        stored = _store_result(
            session, storage, job, path, f"申报材料包-{len(outcome.included)}件.zip", "application/zip", app
        )
        if jobs.names_gone_stale(session, outcome.names):
            return False
        packages.record_batch(session, actor, job, outcome, now)
        message = (
            T_(
                "已打包 %(count)s 件；%(failed)s 件未能打包",
                count=len(outcome.included),
                failed=len(outcome.failed),
            )
            if outcome.failed
            else T_("已打包 %(count)s 件", count=len(outcome.included))
        )
        jobs.finish(
            session,
            job,
            now,
            message=jobs.rebuilt(message) if rebuilt else message,
            result_file_id=stored.id,
            result_name=stored.display_name,
            params={**job.params, "failed": outcome.failed},
        )
        return True
    finally:
        path.unlink(missing_ok=True)


def certificate_export(app: Flask, session: Session, job: Job) -> None:
    actor = jobs.actor_of(session, job)
    filters = certificates.export_filters(job)
    total = certificates.count_certificates(session, actor, filters)
    jobs.progress(
        session, job, app_now(app), done=0, total=total, message=T_("共 %(total)s 条，正在导出", total=total)
    )
    session.commit()
    written = 0

    def rows() -> Iterator[tuple[object, ...]]:
        nonlocal written
        after = None
        while True:
            page, after = certificates.export_page(session, actor, filters, after)
            written += len(page)
            jobs.progress(
                session,
                job,
                app_now(app),
                done=written,
                message=T_("已导出 %(done)s/%(total)s 条", done=written, total=total),
            )
            session.commit()  # one short transaction per page: writers are never held for the whole run
            yield from page
            if after is None:
                return

    path = certificates_xlsx(rows())
    try:
        storage = from_config(app.config)
        stored = _store_result(session, storage, job, path, certificates.export_name(filters), XLSX, app)
        now = app_now(app)
        audit.record(
            session, actor, "export_certificates", now, object_type="certificates", object_id=job.id,
            detail={"job": job.id, "rows": written, "full_id": True, "filters": job.params["filters"]},
        )  # fmt: skip
        jobs.finish(
            session,
            job,
            now,
            message=T_("已导出 %(count)s 条证书信息", count=written),
            result_file_id=stored.id,
            result_name=stored.display_name,
        )
    finally:
        path.unlink(missing_ok=True)


def account_import(app: Flask, session: Session, job: Job) -> None:
    actor = jobs.actor_of(session, job)
    storage = from_config(app.config)
    jobs.progress(session, job, app_now(app), done=0, message=T_("正在开设账号"))
    session.commit()
    now = app_now(app)
    # One transaction: every account, the audit event, the sealed passwords and the job's end together.
    result = imports.confirm_import(session, storage, actor, int(job.params["batch_id"]), now)
    slips = [
        [a.user.name, a.user.phone, mask_id_number(a.user.id_number), a.password, a.user.document_type]
        for a in result.accounts
    ]
    sealed = sealing.seal(job.params["public_key"], json.dumps(slips, ensure_ascii=False).encode())
    stored = StoredFile(
        sha256=storage.put(sealed),
        size=len(sealed),
        media_type=SEALED,
        display_name="初始密码（已加密）",
        uploaded_by_id=job.owner_id,
        created_at=now,
    )
    session.add(stored)
    session.flush()
    skipped = result.check.bad_lines
    jobs.finish(
        session,
        job,
        now,
        message=T_(
            "已开设 %(count)s 个申报人账号，有问题的 %(skipped)s 行未导入",
            count=len(result.accounts),
            skipped=skipped,
        )
        if skipped
        else T_("已开设 %(count)s 个申报人账号", count=len(result.accounts)),
        result_file_id=stored.id,
        result_name=stored.display_name,
    )


def _store_bytes(
    session: Session, storage: Storage, job: Job, data: bytes, name: str, app: Flask
) -> StoredFile:
    row = StoredFile(
        sha256=storage.put_file(io.BytesIO(data)), size=len(data), media_type="application/zip",
        display_name=name, uploaded_by_id=job.owner_id, created_at=app_now(app),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def handoff_export(app: Flask, session: Session, job: Job) -> None:
    """A hand-off export (issue 23.5): each application's folder built and stored as a part in a short
    transaction of its own (a run cut short resumes after the last part), then one ZIP with the sheets,
    the 批复 and the manifests, stored and audited once; the parts go. Parts whose applicant's name was
    corrected while the export ran are built again (at most `jobs.REBUILDS` times), so the ZIP is stored
    only with the names as they are."""
    actor = jobs.actor_of(session, job)
    profile = handoffs.profile_of(job.params["target"])
    ids = [int(i) for i in job.params["ids"]]
    storage = from_config(app.config)
    stale: set[int] = set()
    for build in range(jobs.REBUILDS + 1):
        if build:
            done = len(ids) - len(stale)
            jobs.progress(session, job, app_now(app), done=done, message=jobs.REBUILDING)
            session.commit()
        stale = _handoff_export_once(app, session, job, actor, profile, ids, storage, rebuilt=build > 0)
        if not stale:
            return
        # Nothing was stored: the parts naming someone whose name was corrected go, the others stand,
        # and the next build reads the names anew (the session keeps what it read: expire_on_commit off).
        session.rollback()
        session.expire_all()
        session.execute(
            delete(HandoffPart).where(HandoffPart.job_id == job.id, HandoffPart.application_id.in_(stale))
        )
        session.commit()
    raise jobs.names_kept_changing()


def _handoff_export_once(
    app: Flask,
    session: Session,
    job: Job,
    actor: Actor,
    profile: HandoffProfile,
    ids: list[int],
    storage: Storage,
    *,
    rebuilt: bool,
) -> set[int]:
    """The parts not built yet, then the export's ZIP, stored and the job finished: an empty set. Else
    (nothing stored: the caller rolls back) the applications whose applicant's name was corrected since
    their part or the export's sheets were made."""
    built = {
        p.application_id for p in session.scalars(select(HandoffPart).where(HandoffPart.job_id == job.id))
    }
    for index, application_id in enumerate(ids, start=1):
        if application_id in built:
            continue  # stored by an earlier attempt
        application = session.get(Application, application_id)
        file_id = None
        if application is None or not handoffs.holds(actor, application):
            who = application.applicant.name if application else ""
            problem = handoffs.Problem(who, application_id, "", "该申报已不由本单位办理，未导出")
            manifest: dict[str, Any] = {"files": [], "problems": [asdict(problem)], "unmapped": []}
            if application is not None:
                manifest[handoffs.PART_NAME] = who  # the problem names them: checked as a folder is
        else:
            # The read transaction ends before each slot is fitted (seconds of CPU): nothing is written
            # yet, and SQLite writers elsewhere (page requests) are not held up meanwhile.
            data, manifest = handoffs.build_part(
                session, storage, profile, application, index, app_now(app), pause=session.commit
            )
            file_id = _store_bytes(session, storage, job, data, f"handoff-part-{job.id}-{index}.zip", app).id
        session.add(
            HandoffPart(job_id=job.id, application_id=application_id, position=index, file_id=file_id,
                        manifest=manifest, created_at=app_now(app))
        )  # fmt: skip
        jobs.progress(
            session,
            job,
            app_now(app),
            done=index,
            message=T_("已完成 %(done)s/%(total)s 件", done=index, total=len(ids)),
        )
        session.commit()
    parts = list(
        session.scalars(
            select(HandoffPart).where(HandoffPart.job_id == job.id).order_by(HandoffPart.position)
        )
    )
    export = handoffs.Export(profile.id, applications=len(ids))
    now = app_now(app)
    workdir = Path(app.config["PORTAL_PACKAGE_DIR"])
    workdir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=workdir, prefix=f"job-{job.id}-", suffix=".zip")
    os.close(fd)
    path = Path(name)
    try:
        with zipfile.ZipFile(path, "w") as zf:
            sink = handoffs.ZipSink(zf, now)
            for part in parts:
                if part.file is not None:
                    with zipfile.ZipFile(io.BytesIO(storage.get(part.file.sha256))) as folder:
                        for entry in folder.namelist():
                            sink.put(entry, folder.read(entry))
                handoffs.part_export(part.manifest, export)
            chosen = [
                a for a in (session.get(Application, p.application_id) for p in parts if p.file_id) if a
            ]
            handoffs.finish_export(session, profile, chosen, export, sink)
        stored = _store_result(
            session, storage, job, path, f"{profile.system}报送包-{len(chosen)}件.zip", "application/zip", app
        )
        # A part built before this check existed (a run cut short across a deploy) has no name: rebuilt.
        written = {
            p.application_id: p.manifest.get(handoffs.PART_NAME)
            for p in parts
            if p.file_id or handoffs.PART_NAME in p.manifest
        }
        for application in chosen:  # the sheets and the 批复 name them as the session read them now
            if written.get(application.id) != application.applicant.name:
                written[application.id] = None  # the part and the sheets disagree: one of them is old
        if stale := jobs.names_gone_stale(session, written):
            return stale
        handoffs.record_export(session, actor, export, ids, now, job=job.id)
        for part in parts:
            session.delete(part)
        counts = {"count": len(chosen), "files": len(export.files), "problems": len(export.problems)}
        message = (
            T_("已导出 %(count)s 件，%(files)s 个文件；%(problems)s 个问题，见清单", **counts)
            if export.problems
            else T_("已导出 %(count)s 件，%(files)s 个文件", count=counts["count"], files=counts["files"])
        )
        jobs.finish(
            session, job, now, message=jobs.rebuilt(message) if rebuilt else message,
            result_file_id=stored.id, result_name=stored.display_name,
            params={**job.params, "summary": export.summary(),
                    "problems": [asdict(p) for p in export.problems]},
        )  # fmt: skip
        return set()
    finally:
        path.unlink(missing_ok=True)


RUNNERS: dict[JobKind, Callable[[Flask, Session, Job], None]] = {
    JobKind.HANDOFF_EXPORT: handoff_export,
    JobKind.PACKAGE_BATCH: package_batch,
    JobKind.CERTIFICATE_EXPORT: certificate_export,
    JobKind.ACCOUNT_IMPORT: account_import,
}
