"""Background jobs (issue 19): what the task queue was asked to do, kept in the database so a job outlives
the worker that runs it. The queue (huey) carries only a job's id; the row carries its state, its
progress, its result and its error, so a page can show it and the recovery sweep can run it again."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.domain.i18n import N_, from_record, to_record
from portal.domain.i18n import Text as I18nText
from portal.models.base import Base
from portal.models.files import StoredFile
from portal.models.users import User


class JobKind(StrEnum):
    """What a job does. The first four are long jobs a person starts and watches; the rest are the
    periodic jobs the scheduler runs on every instance's worker (one run per slot across instances)."""

    PACKAGE_BATCH = "package_batch"
    CERTIFICATE_EXPORT = "certificate_export"
    ACCOUNT_IMPORT = "account_import"
    HANDOFF_EXPORT = "handoff_export"
    CLOSE_NOTICES = "close_notices"
    CORRECTIONS = "corrections"
    SWEEP = "sweep"
    EMAIL = "email"

    @property
    def title(self) -> str:
        return {
            "package_batch": N_("批量打包申报材料"),
            "certificate_export": N_("导出证书名册"),
            "account_import": N_("批量导入申报人账号"),
            "handoff_export": N_("导出省级系统报送包"),
            "close_notices": N_("结转到期公示"),
            "corrections": N_("逾期补正处理与截止提醒"),
            "sweep": N_("清理过期文件与会话"),
            "email": N_("发送通知邮件"),
        }[self.value]

    @property
    def periodic(self) -> bool:
        return self in PERIODIC


PERIODIC = frozenset({JobKind.CLOSE_NOTICES, JobKind.CORRECTIONS, JobKind.SWEEP, JobKind.EMAIL})


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for a worker (also between retries)
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # every retry failed: shown to its owner and to the admin with the error

    @property
    def title(self) -> str:
        return {"queued": N_("排队中"), "running": N_("进行中"), "done": N_("已完成"), "failed": N_("失败")}[
            self.value
        ]


def _in(column: str, enum: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(member.value) for member in enum)})"


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_in("kind", JobKind), name="kind"),
        CheckConstraint(_in("status", JobStatus), name="status"),
        CheckConstraint("done >= 0 AND total >= 0", name="progress"),
        CheckConstraint("status != 'done' OR finished_at IS NOT NULL", name="done_has_time"),
        # A periodic run is one row per (kind, slot): the second instance to start the same minute's run
        # finds the row taken and does nothing (exactly once across instances).
        UniqueConstraint("kind", "slot", name="uq_jobs_kind_slot"),
        Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),
        Index("ix_jobs_owner_id_created_at", "owner_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED.value)
    slot: Mapped[str | None] = mapped_column(String(40))  # periodic runs only: the minute it is for
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    membership_id: Mapped[int | None]  # the role the owner acted in (re-checked when the job runs)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")  # what it is doing, or what it did (Chinese)
    # The message's msgid and parameters (set with it), so each reader sees it in their language.
    message_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")  # the last attempt's error, for people to read
    attempts: Mapped[int] = mapped_column(default=0)
    result_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    result_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship()
    result_file: Mapped[StoredFile | None] = relationship()

    @property
    def state(self) -> JobStatus:
        return JobStatus(self.status)

    @property
    def job_kind(self) -> JobKind:
        return JobKind(self.kind)

    @validates("message")
    def _keep_record(self, _key: str, message: str) -> str:
        self.message_record = to_record(message) if isinstance(message, I18nText) else None
        return str(message)

    @property
    def shown_message(self) -> I18nText | None:
        """The message to translate, or None for a row written before messages were kept (show `message`
        as Chinese)."""
        record = self.message_record
        return from_record(record) if record and "template" in record else None

    @property
    def shown_error(self) -> str:
        """The last error to translate: a message with parameters as recorded beside the job's message
        (services.jobs.fail), else the error as stored (a constant msgid, or a program's exception text)."""
        record = (self.message_record or {}).get("error")
        return from_record(record) if record and self.error else self.error

    @property
    def percent(self) -> int:
        if self.state is JobStatus.DONE:
            return 100
        return 0 if not self.total else min(100, self.done * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.state in (JobStatus.DONE, JobStatus.FAILED)
