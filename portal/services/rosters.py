"""Social-insurance rosters: HR upload their unit's 参保人员名单 (every upload kept as history) and each
applicant account is matched against the newest one (SI-01, SI-02, SI-04).

The badge is computed when shown, never stored: uploading a new roster updates every badge at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.documents.spreadsheets import read_rows
from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.i18n import N_
from portal.domain.identity import DocumentType
from portal.domain.roster import (
    DEFAULT_MINIMUM_MONTHS,
    NOT_ON_ROSTER,
    RosterBadge,
    RosterMatch,
    RosterRecord,
    checked_by_hand,
    match,
    parse_roster,
)
from portal.domain.tables import TableError, TableProblem
from portal.models import Organisation, OrgKind, Roster, RosterEntry, Setting, User
from portal.services import audit
from portal.services.actors import Actor
from portal.services.uploads import UploadRefused, accept_table, keep_table
from portal.storage import Storage

SHANGHAI = ZoneInfo("Asia/Shanghai")
MINIMUM_MONTHS_SETTING = "si_minimum_months"


def roster_minimum_months(session: Session, enterprise: Organisation) -> int:
    """The months of pension contributions an applicant needs (SI-01, 赣市人社字〔2022〕56号 三(四):
    "more than half a year"): the setting ``si_minimum_months:<enterprise id>``, else the bureau-wide
    ``si_minimum_months``, else 6. The one place the value is read, so policy data can replace it."""
    for key in (f"{MINIMUM_MONTHS_SETTING}:{enterprise.id}", MINIMUM_MONTHS_SETTING):
        setting = session.get(Setting, key)
        if setting is not None and setting.value.strip().isdigit():
            return int(setting.value)
    return DEFAULT_MINIMUM_MONTHS


def latest_roster(session: Session, enterprise_id: int) -> Roster | None:
    """The enterprise's newest social-insurance roster, if any: the one badges are computed against."""
    return session.scalars(
        select(Roster).where(Roster.enterprise_id == enterprise_id).order_by(Roster.id.desc()).limit(1)
    ).first()


def roster_history(session: Session, actor: Actor) -> list[Roster]:
    """The actor's enterprise's roster uploads, newest first."""
    _require_enterprise_staff(actor)
    return list(
        session.scalars(select(Roster).where(Roster.enterprise_id == actor.org_id).order_by(Roster.id.desc()))
    )


def matches_for(session: Session, enterprise_id: int, users: Iterable[User]) -> dict[int, RosterMatch]:
    """The roster badge of each user against the enterprise's newest roster."""
    people = list(users)
    roster = latest_roster(session, enterprise_id)
    if roster is None:
        missing = RosterMatch(RosterBadge.NO_ROSTER, (N_("本单位尚未导入参保人员名单，暂不能核对社保信息"),))
        return {u.id: missing for u in people}
    enterprise = session.get(Organisation, enterprise_id)
    assert enterprise is not None
    minimum = roster_minimum_months(session, enterprise)
    records: dict[str, RosterRecord] = {}
    numbers = [u.id_number for u in people]
    for start in range(0, len(numbers), 500):
        for entry in session.scalars(
            select(RosterEntry).where(
                RosterEntry.roster_id == roster.id, RosterEntry.id_number.in_(numbers[start : start + 500])
            )
        ):
            records[entry.id_number] = RosterRecord(
                entry.line_no, entry.name, entry.id_number, entry.insuring_unit, entry.months
            )
    return {
        u.id: checked_by_hand(DocumentType(u.document_type))
        if DocumentType(u.document_type) in NOT_ON_ROSTER
        else match(
            name=u.name,
            id_number=u.id_number,
            unit_name=enterprise.name,
            record=records.get(u.id_number),
            minimum_months=minimum,
        )
        for u in people
    }


@dataclass(frozen=True)
class RosterUpload:
    roster: Roster
    skipped: list[TableProblem]


def _require_enterprise_staff(actor: Actor) -> None:
    if not (actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE):
        raise PermissionDenied(N_("只有用人单位的经办人或领导可以上传参保人员名单"))


def upload_roster(
    session: Session, storage: Storage, actor: Actor, upload: bytes | IO[bytes], filename: str, now: datetime
) -> RosterUpload:
    """Read and keep a roster export (.xlsx or .csv, through the one acceptance path for tables); rows
    without a valid ID number are skipped and reported. Audited; the file is kept in the store as
    uploaded."""
    _require_enterprise_staff(actor)
    try:
        accepted = accept_table(upload, filename)
    except UploadRefused as refused:
        raise ValidationFailed({"file": refused.message}) from None
    try:
        parsed = parse_roster(read_rows(accepted.data), as_of=now.astimezone(SHANGHAI).date())
    except TableError as problem:
        raise ValidationFailed({"file": problem.message}) from None
    if not parsed.records:
        raise ValidationFailed({"file": N_("名单中没有可用的数据行（须有姓名、身份证号码和参保单位）")})
    stored = keep_table(session, storage, actor, accepted, now)
    roster = Roster(
        enterprise_id=actor.org_id,
        file_id=stored.id,
        row_count=len(parsed.records),
        skipped_rows=len(parsed.skipped),
        uploaded_by_id=actor.user_id,
        uploaded_at=now,
    )
    session.add(roster)
    session.flush()
    session.execute(
        insert(RosterEntry),
        [
            {
                "roster_id": roster.id,
                "line_no": r.line_no,
                "name": r.name,
                "id_number": r.id_number,
                "insuring_unit": r.insuring_unit,
                "months": r.months,
            }
            for r in parsed.records
        ],
    )
    audit.record(
        session,
        actor,
        "upload_roster",
        now,
        object_type="roster",
        object_id=roster.id,
        detail={"rows": len(parsed.records), "skipped": len(parsed.skipped), "file_id": stored.id},
    )
    return RosterUpload(roster, parsed.skipped)
