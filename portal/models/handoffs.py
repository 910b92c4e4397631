"""Hand-offs to the provincial systems (issue 23): the parts a hand-off export has built so far (one per
application, so a job cut short resumes where it stopped), and what comes back — a results spreadsheet
checked, previewed and applied once, and the provincial certificate number or result it recorded for
each application."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.glossary import state_title
from portal.models.base import Base, one_of
from portal.models.files import StoredFile
from portal.models.organisations import Organisation
from portal.models.users import User


class HandoffPart(Base):
    """One application's folder of a hand-off export, built and stored (a ZIP of its own) with what its
    manifest says about it; `file_id` is empty when it could not be built (the reason is in `manifest`).
    Removed once the export's ZIP is stored."""

    __tablename__ = "handoff_parts"
    __table_args__ = (UniqueConstraint("job_id", "application_id", name="uq_handoff_parts_job_application"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    position: Mapped[int]
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]

    file: Mapped[StoredFile | None] = relationship()


class ResultImportStatus(StrEnum):
    """A results spreadsheet: checked on upload (the preview), applied once on confirmation."""

    CHECKED = "checked"
    APPLIED = "applied"

    @property
    def title(self) -> str:
        return state_title("handoff_import", self)


class ResultOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"

    @property
    def title(self) -> str:
        return state_title("handoff_result", self)


class ResultImport(Base):
    """One uploaded results spreadsheet of a target, kept for the confirm step (re-read then, and applied
    only if it still says what the preview showed: `digest`)."""

    __tablename__ = "handoff_imports"
    __table_args__ = (one_of("status", ResultImportStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    target: Mapped[str] = mapped_column(String(10))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    status: Mapped[str] = mapped_column(String(10), default=ResultImportStatus.CHECKED.value)
    total_rows: Mapped[int] = mapped_column(default=0)
    matched_rows: Mapped[int] = mapped_column(default=0)
    applied_rows: Mapped[int] = mapped_column(default=0)
    digest: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None]

    org: Mapped[Organisation] = relationship()
    file: Mapped[StoredFile] = relationship()

    @property
    def state(self) -> ResultImportStatus:
        return ResultImportStatus(self.status)


class HandoffResult(Base):
    """What the provincial system decided for one application: its certificate number (unique per target)
    and result, as imported. Written once per application and target; never edited."""

    __tablename__ = "handoff_results"
    __table_args__ = (
        one_of("outcome", ResultOutcome),
        UniqueConstraint("application_id", "target", name="uq_handoff_results_application_target"),
        Index(
            "uq_handoff_results_target_number",
            "target",
            "certificate_no",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    target: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(10))
    certificate_no: Mapped[str | None] = mapped_column(String(60))
    certified_on: Mapped[date | None]
    import_id: Mapped[int] = mapped_column(ForeignKey("handoff_imports.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime]

    recorded_by: Mapped[User] = relationship()

    @property
    def state(self) -> ResultOutcome:
        return ResultOutcome(self.outcome)
