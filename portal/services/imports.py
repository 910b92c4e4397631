"""Bulk applicant accounts from a spreadsheet: check every row first, write nothing; then, on HR's
confirmation, open the accounts of the good rows in one transaction (nothing is half-imported).

The uploaded file is kept in the content-addressed store with an ImportBatch row; the confirm step
re-reads and re-checks that file, so nothing the client sends back is trusted, and a row that went bad
in between (someone opened that account meanwhile) is skipped and reported. Rules as for one account
(portal.services.accounts): SCOPE-03, SCOPE-04, SI-04, one account per person.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.documents.spreadsheets import read_rows
from portal.domain.accounts import PASSPORT_FIELDS, ImportCheck, check_import_rows
from portal.domain.errors import DomainError, NotFound, StaleObject, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.identity import DocumentType, mask_id_number
from portal.domain.tables import TableError
from portal.models import (
    ImportBatch,
    ImportStatus,
    IntegrityRecord,
    Job,
    JobKind,
    JobStatus,
    Organisation,
    User,
)
from portal.services import audit, certificates, jobs
from portal.services.accounts import (
    clauses_for,
    listed_message,
    local_date,
    require_enterprise_staff,
    reuses_registered_accounts,
)
from portal.services.actors import Actor
from portal.services.atomic import atomic
from portal.services.auth import hash_initial_password, initial_password
from portal.services.organisations import NewAccount
from portal.services.uploads import UploadRefused, accept_table, keep_table
from portal.storage import Storage

_CHUNK = 500
ALREADY_IMPORTED = N_("该文件已经导入过了，请勿重复导入；如需补充，请重新上传新文件")


def _check_against_accounts(session: Session, actor: Actor, check: ImportCheck, on: date) -> ImportCheck:
    """Adds the problems only the database knows: identity numbers and phones already registered, and
    whether their holder is on the integrity record on day `on`."""
    rows = [
        row for row in check.rows if row.checked.values.get("id_number") or row.checked.values.get("phone")
    ]
    numbers = [row.checked.values["id_number"] for row in rows if "id_number" in row.checked.values]
    phones = [row.checked.values["phone"] for row in rows if "phone" in row.checked.values]
    holders: dict[str, tuple[int, int | None, str]] = {}
    registered: set[str] = set()  # numbers whose holder registered themselves and no unit holds (ACC-04)
    listed: dict[int, IntegrityRecord] = {}
    for start in range(0, len(numbers), _CHUNK):
        stmt = (
            select(User.id_number, User.id, User.employer_id, Organisation.name, User.registered_with_id)
            .outerjoin(Organisation, Organisation.id == User.employer_id)
            .where(User.id_number.in_(numbers[start : start + _CHUNK]))
        )
        found = {}
        for number, user_id, employer_id, name, registered_with in session.execute(stmt):
            found[number] = (user_id, employer_id, name or "")
            if registered_with is not None and employer_id is None:
                registered.add(number)
        holders.update(found)
        listed.update(certificates.listed_holders(session, [h[0] for h in found.values()], on))
    phone_owners: dict[str, int] = {}
    for start in range(0, len(phones), _CHUNK):
        stmt_phones = select(User.phone, User.id).where(User.phone.in_(phones[start : start + _CHUNK]))
        phone_owners.update({phone: user_id for phone, user_id in session.execute(stmt_phones)})
    for row in rows:
        values, problems = row.checked.values, row.checked.problems
        number = values.get("id_number")
        if number in holders:
            user_id, employer_id, employer_name = holders[number]
            masked = mask_id_number(number)
            if employer_id == actor.org_id:
                problems["id_number"] = T_(
                    "证件号码%(number)s已是本单位的申报人，无需重复导入", number=masked
                )
            elif employer_id is not None:
                problems["id_number"] = T_(
                    "证件号码%(number)s已在“%(org)s”开设账号，一人只能有一个账号；"
                    "如本人已调入本单位，请在“申报人账号”页逐个申请转入",
                    number=masked,
                    org=employer_name,
                )
            elif number in registered and reuses_registered_accounts(session, actor):
                # Attaching checks the name against the registered one, one person at a time (ACC-04).
                problems["id_number"] = T_(
                    "证件号码%(number)s的持有人已自行注册账号，请在“申报人账号”页为其单独开设账号，"
                    "系统将关联其已注册的账号（姓名须与注册时一致）",
                    number=masked,
                )
            elif number in registered:
                problems["id_number"] = T_(
                    "证件号码%(number)s的持有人已自行注册账号；本地区的申报账号由用人单位开设，"
                    "不能关联自行注册的账号，请联系人社局系统管理员办理",
                    number=masked,
                )
            else:
                problems["id_number"] = T_(
                    "证件号码%(number)s已有工作人员账号，请联系人社局系统管理员办理", number=masked
                )
            if user_id in listed:
                problems["id_number"] = T_(
                    "%(listed)s%(problem)s",
                    listed=listed_message(listed[user_id], masked),
                    problem=problems["id_number"],
                )
        owner = phone_owners.get(values.get("phone") or "")
        # A row for someone who already has an account carries that account's own phone: its ID number's
        # problem says all there is (the phone is not "another account's").
        holder = holders.get(number or "")
        if owner is not None and (holder is None or holder[0] != owner):
            problems["phone"] = N_("该手机号已被其他账号使用")
    return check


def _check_file(session: Session, actor: Actor, data: bytes, now: datetime) -> ImportCheck:
    try:
        # The refusals cite the bureau's profile's clauses, as the single-account form's do.
        check = check_import_rows(read_rows(data), today=local_date(now), clauses=clauses_for(session, actor))
    except TableError as problem:
        raise ValidationFailed({"file": problem.message}) from None
    if not check.rows:
        raise ValidationFailed(
            {"file": N_("文件中没有申报人数据：请从第2行起每行填写一人（示例行不会导入）")}
        )
    return _check_against_accounts(session, actor, check, local_date(now))


def check_upload(
    session: Session, storage: Storage, actor: Actor, upload: bytes | IO[bytes], filename: str, now: datetime
) -> ImportBatch:
    """Check every row of an uploaded file and keep the file for the confirm step; no account is opened.
    The file takes the one acceptance path for tables (services.uploads.accept_table)."""
    require_enterprise_staff(actor)
    try:
        accepted = accept_table(upload, filename)
    except UploadRefused as refused:
        raise ValidationFailed({"file": refused.message}) from None
    check = _check_file(session, actor, accepted.data, now)
    stored = keep_table(session, storage, actor, accepted, now)
    batch = ImportBatch(
        enterprise_id=actor.org_id,
        file_id=stored.id,
        status=ImportStatus.CHECKED.value,
        total_rows=len(check.rows),
        bad_rows=check.bad_lines,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    audit.record(
        session,
        actor,
        "check_import",
        now,
        object_type="import_batch",
        object_id=batch.id,
        detail={"rows": batch.total_rows, "bad_rows": batch.bad_rows, "file_id": stored.id},
    )
    return batch


def get_batch(session: Session, actor: Actor, batch_id: int) -> ImportBatch:
    """An import batch of the actor's own enterprise; NotFound for anyone else's."""
    require_enterprise_staff(actor)
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.enterprise_id != actor.org_id:
        raise NotFound(N_("找不到该导入记录"))
    return batch


@dataclass(frozen=True)
class ImportReport:
    batch: ImportBatch
    check: ImportCheck | None  # None once imported: the rows are accounts now

    @property
    def can_import(self) -> bool:
        return self.check is not None and bool(self.check.good)


def import_report(
    session: Session, storage: Storage, actor: Actor, batch_id: int, now: datetime
) -> ImportReport:
    """Every bad row with its line, column and message, re-derived from the kept file."""
    batch = get_batch(session, actor, batch_id)
    if batch.state is ImportStatus.IMPORTED:
        return ImportReport(batch, None)
    return ImportReport(batch, _check_file(session, actor, storage.get(batch.file.sha256), now))


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch
    accounts: list[NewAccount]
    check: ImportCheck


def start_import(
    session: Session,
    storage: Storage,
    actor: Actor,
    batch_id: int,
    now: datetime,
    *,
    public_key: str,
    membership_id: int | None = None,
) -> Job:
    """HR's confirmation: a background job imports the batch (confirm_import, run by the worker). Its first
    passwords are sealed to `public_key` (the browser that confirmed holds the only private key), so
    neither the database, the file store nor a backup ever holds them readable."""
    batch = get_batch(session, actor, batch_id)
    if batch.state is ImportStatus.IMPORTED:
        raise StaleObject(ALREADY_IMPORTED)
    check = _check_file(session, actor, storage.get(batch.file.sha256), now)
    if not check.good:
        raise ValidationFailed({"file": N_("没有可导入的行：请修改文件后重新上传")})
    return jobs.create_job(
        session,
        actor,
        JobKind.ACCOUNT_IMPORT,
        {"batch_id": batch.id, "public_key": public_key},
        now,
        membership_id=membership_id,
        total=len(check.good),
    )


def running_import(session: Session, actor: Actor, batch_id: int) -> Job | None:
    """The import job of this batch that has not failed, if one was started."""
    return session.scalars(
        select(Job)
        .where(
            Job.kind == JobKind.ACCOUNT_IMPORT.value,
            Job.owner_id == actor.user_id,
            Job.status != JobStatus.FAILED.value,
            Job.params["batch_id"].as_integer() == batch_id,
        )
        .order_by(Job.id.desc())
    ).first()


@atomic
def confirm_import(
    session: Session, storage: Storage, actor: Actor, batch_id: int, now: datetime
) -> ImportResult:
    """Open the accounts of every row that is still good, all in this transaction, each with its own
    first password (returned once, to be printed or downloaded); a batch imports at most once."""
    batch = get_batch(session, actor, batch_id)
    if batch.state is ImportStatus.IMPORTED:
        raise StaleObject(ALREADY_IMPORTED)
    check = _check_file(session, actor, storage.get(batch.file.sha256), now)
    good = check.good
    if not good:
        raise ValidationFailed({"file": N_("没有可导入的行：请修改文件后重新上传")})
    claimed = session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == ImportStatus.CHECKED.value)
        .values(
            status=ImportStatus.IMPORTED.value,
            imported_by_id=actor.user_id,
            imported_at=now,
            imported_rows=len(good),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise StaleObject(ALREADY_IMPORTED)
    passwords = [initial_password() for _ in good]
    with ThreadPoolExecutor(max_workers=4) as pool:  # argon2 releases the GIL
        hashes = list(pool.map(hash_initial_password, passwords))
    users: list[User] = []
    for row, password_hash in zip(good, hashes, strict=True):
        values = row.checked.values
        identity = {"document_type": values["document_type"], "employment_type": values["employment_type"]}
        if values["document_type"] == DocumentType.PASSPORT.value:
            identity.update({key: values[key] for key in PASSPORT_FIELDS})
        users.append(
            User(
                name=values["name"],
                id_number=values["id_number"],
                phone=values["phone"],
                password_hash=password_hash,
                must_change_password=True,
                employer_id=actor.org_id,
                created_by_id=actor.user_id or None,
                created_at=now,
                **identity,
            )
        )
    session.add_all(users)
    try:
        session.flush()
    except IntegrityError:
        raise DomainError(
            N_("导入时发现有账号刚被他人开设（证件号码或手机号重复），本次未导入任何账号，请重新检查文件"),
            code="import_conflict",
        ) from None
    audit.record(
        session,
        actor,
        "import_applicants",
        now,
        object_type="import_batch",
        object_id=batch.id,
        detail={
            "user_ids": [u.id for u in users],
            "skipped_lines": [r.line for r in check.rows if not r.checked.ok],
        },
    )
    session.refresh(batch)
    return ImportResult(batch, [NewAccount(u, p) for u, p in zip(users, passwords, strict=True)], check)
