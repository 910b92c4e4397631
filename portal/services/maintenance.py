"""The hourly sweep (a periodic job; `flask sweep` by hand): what expires, expires.

- files no row refers to, and temporary files a crash left, once older than an hour (services.files);
- job results older than a day (their stored_files rows go, then their bytes with the next file sweep);
- the sheets an upload kept for its preview (certificate numbers, bulk accounts, hand-off results) and
  nobody applied, after the same day (their rows and stored_files rows go, their bytes with this run's file
  sweep); an applied one is the record of what it recorded, and stays;
- files a cut-short batch run left in the package folder, after a day;
- login sessions past the absolute limit (their idle clock was in the cookie, so rows are not touched
  by requests; this is where they go);
- finished periodic runs after two days (failed ones stay 30 days for the admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.domain.i18n import T_
from portal.models import (
    CertificateImport,
    ImportBatch,
    ImportStatus,
    Job,
    JobStatus,
    ResultImport,
    ResultImportStatus,
    StoredFile,
)
from portal.services import auth, files, jobs, packages
from portal.storage import from_config

PERIODIC_KEPT = timedelta(days=2)
FAILED_KEPT = timedelta(days=30)
# A checked sheet's preview is a working file (full ID numbers) like a job's result, kept as long.
PREVIEW_TTL = jobs.RESULT_TTL
# The kept sheets of the upload → preview → apply flows, each with what "never applied" is for its row.
_PREVIEWS = (
    (CertificateImport, CertificateImport.applied_at.is_(None)),
    (ImportBatch, ImportBatch.status == ImportStatus.CHECKED.value),
    (ResultImport, ResultImport.status == ResultImportStatus.CHECKED.value),
)


@dataclass(frozen=True)
class SweepSummary:
    files: files.SweepReport
    results: int
    batches: int
    sessions: int
    runs: int
    throttles: int
    previews: int = 0

    def summary(self) -> str:
        swept = T_(
            "已清理 %(temporary)d 个临时文件、%(orphans)d 个无主文件（%(young)d 个不足1小时的暂不处理）；"
            "过期任务结果 %(results)d 个；打包残留 %(batches)d 个；过期会话 %(sessions)d 个；"
            "定时任务记录 %(runs)d 条；过期的登录限制记录 %(throttles)d 条",
            temporary=self.files.temporary,
            orphans=self.files.orphans,
            young=self.files.kept_young,
            results=self.results,
            batches=self.batches,
            sessions=self.sessions,
            runs=self.runs,
            throttles=self.throttles,
        )
        # Nested, so the rows of runs before the previews were swept keep their message as written.
        return T_("%(swept)s；未导入的过期预览文件 %(previews)d 个", swept=swept, previews=self.previews)


def sweep_previews(session: Session, now: datetime, ttl: timedelta = PREVIEW_TTL) -> int:
    """Forget the kept sheets checked but never applied once older than ``ttl``: each import row and its
    stored_files row (the file sweep then removes the bytes, unless another row keeps the same content).
    An applied import and one younger than ``ttl`` stay. Returns how many went; flushes."""
    cutoff, swept = now - ttl, 0
    for model, unapplied in _PREVIEWS:
        # Deleted under the same condition that picks them: an apply committed meanwhile keeps its row
        # (and so its file, which the row still refers to).
        gone = list(
            session.scalars(
                delete(model)
                .where(unapplied, model.created_at < cutoff)
                .returning(model.file_id)
                .execution_options(synchronize_session=False)
            )
        )
        if gone:
            session.execute(delete(StoredFile).where(StoredFile.id.in_(gone)))
            swept += len(gone)
    session.flush()
    return swept


def sweep_all(session: Session, config: Any, now: datetime) -> SweepSummary:
    """`flask sweep` and the hourly job: expired job results, unapplied previews, old periodic-run rows,
    expired sessions and login throttles, unreferenced and temporary files, batch leftovers; flushes, the
    caller commits."""
    released = jobs.expire_results(session, now)
    previews = sweep_previews(session, now)
    results = 0
    for file_id in released:
        still_used = session.scalar(select(Job.id).where(Job.result_file_id == file_id).limit(1))
        if still_used is None:
            session.execute(delete(StoredFile).where(StoredFile.id == file_id))
            results += 1
    runs = session.execute(
        delete(Job).where(
            Job.slot.is_not(None),
            ((Job.status == JobStatus.DONE.value) & (Job.created_at < now - PERIODIC_KEPT))
            | (Job.created_at < now - FAILED_KEPT),
        )
    ).rowcount  # type: ignore[attr-defined]
    policy = auth.LoginPolicy.from_config(config)
    sessions = auth.sweep_sessions(session, now, policy)
    throttles = auth.sweep_throttles(session, now, policy)
    session.flush()
    report = files.sweep(session, from_config(config), now)
    batches = packages.sweep_batches(Path(str(config["PORTAL_PACKAGE_DIR"])), now)
    return SweepSummary(report, results, batches, sessions, int(runs or 0), throttles, previews)
