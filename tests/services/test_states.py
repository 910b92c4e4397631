"""Every state is a StrEnum with its title in the glossary and a CHECK constraint built from it
(issue 18, item 4): the database refuses a state the code does not know, on SQLite and PostgreSQL."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlalchemy import CheckConstraint, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import glossary
from portal.domain.workflow import AWAITING_ROLES, REVIEW_STATUSES, Status
from portal.models import (
    AccountTransfer,
    Application,
    AuditEvent,
    AuditOutcome,
    Correction,
    CorrectionStatus,
    EntryOutcome,
    HandoffResult,
    ImportBatch,
    ImportStatus,
    Notice,
    NoticeEntry,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    ResultImport,
    ResultImportStatus,
    ResultOutcome,
    TransferStatus,
)
from portal.models.base import Base
from tests.conftest import Clock
from tests.factories import make_application, make_world

STATES: list[tuple[type[Base], str, tuple[StrEnum, ...]]] = [
    (Application, "status", tuple(Status)),
    (Application, "awaiting", AWAITING_ROLES),
    (Application, "returned_from", tuple(REVIEW_STATUSES)),
    (Correction, "status", tuple(CorrectionStatus)),
    (ImportBatch, "status", tuple(ImportStatus)),
    (Notice, "status", tuple(NoticeStatus)),
    (NoticeEntry, "outcome", tuple(EntryOutcome)),
    (Objection, "status", tuple(ObjectionStatus)),
    (AccountTransfer, "status", tuple(TransferStatus)),
    (AuditEvent, "outcome", tuple(AuditOutcome)),
    (ResultImport, "status", tuple(ResultImportStatus)),
    (HandoffResult, "outcome", tuple(ResultOutcome)),
]


@pytest.mark.parametrize(
    "enum",
    [
        CorrectionStatus,
        ImportStatus,
        NoticeStatus,
        EntryOutcome,
        ObjectionStatus,
        TransferStatus,
        AuditOutcome,
        ResultImportStatus,
        ResultOutcome,
    ],
)
def test_every_state_has_its_title_in_the_glossary(enum: type[StrEnum]) -> None:
    titles = [member.title for member in enum]  # type: ignore[attr-defined]
    assert all(titles) and len(set(titles)) == len(titles)
    assert any(set(table) == {m.value for m in enum} for table in glossary.STATE_TITLES.values())


@pytest.mark.parametrize(
    ("model", "column", "values"), STATES, ids=[f"{m.__tablename__}.{c}" for m, c, _ in STATES]
)
def test_each_state_column_has_a_check_listing_exactly_its_enum(
    model: type[Base], column: str, values: tuple[StrEnum, ...]
) -> None:
    checks = [
        str(c.sqltext)
        for c in model.__table__.constraints  # type: ignore[attr-defined]
        if isinstance(c, CheckConstraint)
        and str(c.sqltext).lstrip().startswith((f"{column} IN", f"{column} IS NULL"))
    ]
    assert len(checks) == 1, checks
    assert sorted(v.value for v in values) == sorted(
        part.split("'")[1] for part in checks[0].split(",")[0:]
    ), checks


@pytest.mark.parametrize(("column", "value"), [("awaiting", "system"), ("returned_from", "certified")])
def test_the_database_refuses_an_application_state_the_workflow_does_not_know(
    session: Session, clock: Clock, column: str, value: str
) -> None:
    application = make_application(session, make_world(session), clock.now, steps=1)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            update(Application)
            .where(Application.id == application.id)
            .values({column: value})
            .execution_options(synchronize_session=False)
        )
