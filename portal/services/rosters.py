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

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.orm import Session, joinedload

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
    badge_of,
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
# Every account of an enterprise that has uploaded no roster yet.
_NO_ROSTER = RosterMatch(RosterBadge.NO_ROSTER, (N_("本单位尚未导入参保人员名单，暂不能核对社保信息"),))


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
    """The actor's enterprise's roster uploads, newest first, each with its file and uploader (the page names
    both: read in the same statement, not one statement per upload)."""
    _require_enterprise_staff(actor)
    return list(
        session.scalars(
            select(Roster)
            .where(Roster.enterprise_id == actor.org_id)
            .options(joinedload(Roster.file), joinedload(Roster.uploaded_by))
            .order_by(Roster.id.desc())
        )
    )


def matches_for(session: Session, enterprise_id: int, users: Iterable[User]) -> dict[int, RosterMatch]:
    """The roster badge of each user against the enterprise's newest roster."""
    people = list(users)
    roster = latest_roster(session, enterprise_id)
    if roster is None:
        missing = _NO_ROSTER
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


def matches_of(
    session: Session, pairs: Iterable[tuple[int, User]], unit_names: dict[int, str]
) -> dict[tuple[int, int], RosterMatch]:
    """`matches_for` for many (enterprise id, user) pairs at once, by (enterprise id, user id), given each
    enterprise's name: a list page's rows under several enterprises read their newest rosters, their entries
    and their minimum months in three statements whatever the number of rows or enterprises (a queue page
    weighs every row's dossier: services.materials.missing_of)."""
    wanted = list(pairs)
    if not wanted:
        return {}
    enterprise_ids = sorted({e for e, _ in wanted})
    newest: dict[int, int] = {
        e: r
        for e, r in session.execute(
            select(Roster.enterprise_id, func.max(Roster.id))
            .where(Roster.enterprise_id.in_(enterprise_ids))
            .group_by(Roster.enterprise_id)
        )
    }
    numbers = sorted({u.id_number for _, u in wanted})
    records: dict[tuple[int, str], RosterRecord] = {
        (entry.roster_id, entry.id_number): RosterRecord(
            entry.line_no, entry.name, entry.id_number, entry.insuring_unit, entry.months
        )
        for entry in session.scalars(
            select(RosterEntry).where(
                RosterEntry.roster_id.in_(sorted(newest.values())), RosterEntry.id_number.in_(numbers)
            )
        )
    }
    keys = [MINIMUM_MONTHS_SETTING, *(f"{MINIMUM_MONTHS_SETTING}:{e}" for e in enterprise_ids)]
    settings = {
        s.key: int(s.value)
        for s in session.scalars(select(Setting).where(Setting.key.in_(keys)))
        if s.value.strip().isdigit()
    }
    found: dict[tuple[int, int], RosterMatch] = {}
    for enterprise_id, user in wanted:
        roster_id = newest.get(enterprise_id)
        document = DocumentType(user.document_type)
        if roster_id is None:
            found[enterprise_id, user.id] = _NO_ROSTER
        elif document in NOT_ON_ROSTER:
            found[enterprise_id, user.id] = checked_by_hand(document)
        else:
            # As roster_minimum_months: the enterprise's own setting, else the bureau-wide one, else 6.
            minimum = settings.get(
                f"{MINIMUM_MONTHS_SETTING}:{enterprise_id}",
                settings.get(MINIMUM_MONTHS_SETTING, DEFAULT_MINIMUM_MONTHS),
            )
            found[enterprise_id, user.id] = match(
                name=user.name,
                id_number=user.id_number,
                unit_name=unit_names[enterprise_id],
                record=records.get((roster_id, user.id_number)),
                minimum_months=minimum,
            )
    return found


def badge_counts(session: Session, actor: Actor) -> list[tuple[RosterBadge, int]]:
    """How many of the enterprise's accounts show each badge (已关联, 单位不一致, 月数不足, 姓名不一致,
    未找到, 人工核对; 未导入参保名单 for all before the first roster), in the badges' order, those shown
    by none left out. Counted by the database in one statement of groups, not account by account: the
    accounts alike in what decides a badge — a passport or permit, a number the roster lacks, the insuring
    unit, the months short — are one row; only where the roster's name and the account's are not written
    alike are the two names read (to be judged as :func:`match` judges them), so a large enterprise's page
    reads as much as a small one's."""
    _require_enterprise_staff(actor)
    enterprise = session.get(Organisation, actor.org_id)
    assert enterprise is not None
    mine = User.employer_id == enterprise.id
    roster = latest_roster(session, enterprise.id)
    if roster is None:
        every = session.scalar(select(func.count()).select_from(User).where(mine)) or 0
        return [(RosterBadge.NO_ROSTER, every)] if every else []
    by_hand = User.document_type.in_([d.value for d in NOT_ON_ROSTER])
    found = RosterEntry.id.is_not(None)
    named = and_(found, RosterEntry.name != User.name)
    # Each account's deciding facts, then grouped: an outer GROUP BY on the inner columns (grouping by
    # the CASE expressions themselves is refused by PostgreSQL, their literals being separate parameters).
    facts = (
        select(
            case((by_hand, 1), else_=0).label("by_hand"),
            case((found, 1), else_=0).label("found"),
            case((named, User.name), else_="").label("name"),
            case((named, RosterEntry.name), else_="").label("roster_name"),
            func.coalesce(RosterEntry.insuring_unit, "").label("unit"),
            case(
                (
                    or_(
                        RosterEntry.months.is_(None),
                        RosterEntry.months < roster_minimum_months(session, enterprise),
                    ),
                    1,
                ),
                else_=0,
            ).label("short"),
        )
        .select_from(User)
        .outerjoin(
            RosterEntry,
            and_(RosterEntry.roster_id == roster.id, RosterEntry.id_number == User.id_number, ~by_hand),
        )
        .where(mine)
        .subquery()
    )
    columns = (facts.c.by_hand, facts.c.found, facts.c.name, facts.c.roster_name, facts.c.unit, facts.c.short)
    counts = dict.fromkeys(RosterBadge, 0)
    for manual, listed, name, roster_name, unit, short, n in session.execute(
        select(*columns, func.count()).group_by(*columns)
    ):
        if manual:
            badge = RosterBadge.MANUAL
        elif not listed:
            badge = RosterBadge.NOT_FOUND
        else:  # names written alike come as "" and "" (the same name, as names_agree finds two blanks)
            badge = badge_of(
                roster_name=roster_name,
                name=name,
                insuring_unit=unit,
                unit_name=enterprise.name,
                short=bool(short),
            )
        counts[badge] += n
    return [(badge, n) for badge, n in counts.items() if n]


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
