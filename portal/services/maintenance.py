"""The hourly sweep (a periodic job; `flask sweep` by hand): what expires, expires.

- files no row refers to, and temporary files a crash left, once older than an hour (services.files);
- job results older than a day (their stored_files rows go, then their bytes with the next file sweep);
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
from portal.models import Job, JobStatus, StoredFile
from portal.services import auth, files, jobs, packages
from portal.storage import from_config

PERIODIC_KEPT = timedelta(days=2)
FAILED_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class SweepSummary:
    files: files.SweepReport
    results: int
    batches: int
    sessions: int
    runs: int
    throttles: int

    def summary(self) -> str:
        return T_(
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


def sweep_all(session: Session, config: Any, now: datetime) -> SweepSummary:
    """`flask sweep` and the hourly job: expired job results, old periodic-run rows, expired sessions and
    login throttles, unreferenced and temporary files, batch leftovers; flushes, the caller commits."""
    released = jobs.expire_results(session, now)
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
    return SweepSummary(report, results, batches, sessions, int(runs or 0), throttles)
