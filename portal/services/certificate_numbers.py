"""The province's certificate numbers for a published result, from its spreadsheet (issue 22.6, PUB-04,
003 六(二)): the bureau's staff upload the provincial system's sheet of 姓名 / 身份证号 / 证书编号 for one
meeting, read a preview with each row's verdict, then apply it.

- ``check_numbers``: the file takes the one acceptance path for tables (services.uploads.accept_table) and
  is kept (keep_table) with a CertificateImport tying it to the meeting; every row gets a verdict —
  matched, a wrong ID (its check character), nobody of this meeting with that ID, a name that differs,
  not a published pass, a malformed number, a number or a person twice in the file, a number another
  application holds, already recorded. No number is recorded.
- ``preview``: the verdicts of a kept sheet as they stand now (its page is a GET the upload redirects to,
  so Back and reload re-read the file rather than post it again); reads only.
- ``apply_numbers``: re-reads the kept file (of this meeting's import, which the bureau's staff who see
  the meeting may apply), and only if it still gives the verdicts the preview showed (``digest``)
  records every matched row through the rulebook's 录入证书编号 (services.results.record_certificate: a
  compare-and-set on each application, audited), all in the caller's one transaction, and marks the
  import applied; otherwise nothing is written. An import applies once: a second apply is refused as
  such (and a stale preview of an unapplied one as stale).

Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.documents.spreadsheets import read_rows
from portal.domain import committees as committee_rules
from portal.domain.errors import DomainError, NotFound, PermissionDenied, StaleObject, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.identity import IdentityError, document_login, normalize_resident_id
from portal.domain.roster import why_names_differ
from portal.domain.tables import Header, TableError, cell, find_header, verdicts_digest
from portal.domain.workflow import Status
from portal.models import Application, CertificateImport, EntryResult, Meeting, MeetingStatus, OrgKind
from portal.services import audit, meetings, results
from portal.services.actors import Actor
from portal.services.uploads import UploadRefused, accept_table, keep_table
from portal.storage import Storage

HEADERS = (
    Header("name", "姓名", ("姓名",), required=True),
    Header("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "证件号码"), required=True),
    Header("certificate_no", "证书编号", ("证书编号", "证书号", "电子证书编号"), required=True),
)
TEMPLATE_HEADERS = tuple(h.title for h in HEADERS)
VERDICT_TITLES = {
    "matched": N_("可导入"),
    "bad_id": N_("身份证号码有误"),
    "not_found": N_("不在本次会议"),
    "name_differs": N_("姓名不一致"),
    "not_published": N_("不是已公布的通过人员"),
    "bad_number": N_("证书编号格式有误"),
    "repeated": N_("文件内重复"),
    "number_taken": N_("证书编号已被使用"),
    "recorded": N_("已登记"),
}
ALREADY_APPLIED = N_("这份文件的证书编号已经录入，不能重复录入；如需补录，请重新上传新文件")


@dataclass(frozen=True)
class Row:
    """One data row of the sheet and its verdict (``reason`` for anything not matched)."""

    line: int
    name: str
    id_number: str  # as typed; the preview shows it masked
    certificate_no: str
    verdict: str
    reason: str = ""
    application_id: int | None = None

    @property
    def verdict_title(self) -> str:
        return VERDICT_TITLES[self.verdict]


@dataclass(frozen=True)
class Preview:
    """The checked sheet: the kept file's id, the digest of its verdicts and the rows."""

    file_id: int
    digest: str
    rows: list[Row]

    @property
    def matched(self) -> int:
        return sum(r.verdict == "matched" for r in self.rows)


def _meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    meeting = meetings.get_meeting(session, actor, meeting_id)
    if not (actor.org_kind is OrgKind.BUREAU and actor.org_id == meeting.committee.bureau_id):
        raise PermissionDenied(N_("证书编号由人社局录入"))
    return meeting


def can_import(actor: Actor, meeting: Meeting) -> bool:
    """Whether the page offers the import: the bureau's staff, on a meeting whose results are published."""
    return (
        actor.org_kind is OrgKind.BUREAU
        and actor.org_id == meeting.committee.bureau_id
        and meeting.state is MeetingStatus.PUBLISHED
    )


@dataclass(frozen=True)
class MeetingNumbers(committee_rules.NumbersEntered):
    """A published meeting's numbers as entered so far, and the applications of its passed people still
    without one (their agenda rows say 待录入证书编号)."""

    awaiting: frozenset[int] = frozenset()


def numbers_entered(meeting: Meeting) -> MeetingNumbers | None:
    """How far a published meeting's certificate numbers are entered (None before it is published): its
    passed people, how many have the province's number, and which are still awaiting one; the meeting
    page shows these (the import card, the agenda rows), as votes.pass_rate hands it the tally. Read from
    the entries the page has loaded already: no statement. The meetings list counts the same way, all its
    meetings at once (services.meetings.meetings_of)."""
    if meeting.state is not MeetingStatus.PUBLISHED:
        return None
    passed = [e.application for e in meeting.entries if e.result == EntryResult.PASSED.value]
    awaiting = frozenset(a.id for a in passed if not a.certificate_no)
    return MeetingNumbers(passed=len(passed), entered=len(passed) - len(awaiting), awaiting=awaiting)


def _verdicts(session: Session, meeting: Meeting, data: bytes) -> list[Row]:
    rows = [r for r in read_rows(data) if any((c or "").strip() for c in r)]
    if not rows:
        raise TableError("empty", N_("文件中没有数据"))
    at, columns = find_header(rows, HEADERS, what=N_("证书编号表"))
    by_id = {e.application.applicant.id_number: e.application for e in meeting.entries}
    seen_numbers: dict[str, int] = {}
    seen_people: dict[str, int] = {}
    out: list[Row] = []
    for line, values in enumerate(rows[at + 1 :], start=at + 2):
        name, raw_id = cell(values, columns, "name"), cell(values, columns, "id_number")
        number = committee_rules.certificate_no(cell(values, columns, "certificate_no"))
        base = {"line": line, "name": name, "id_number": raw_id, "certificate_no": number}
        # A Hong Kong, Macao, Taiwan or foreign applicant is listed by the permit or passport number their
        # account holds (stored as typed at login); anyone else by a resident ID, checked as before.
        id_number = document_login(raw_id)
        if id_number not in by_id:
            try:
                id_number = normalize_resident_id(raw_id)
            except IdentityError as wrong:
                out.append(Row(**base, verdict="bad_id", reason=str(wrong)))
                continue
        application: Application | None = by_id.get(id_number)
        if application is None:
            reason = N_("本次评审会议没有该身份证号码的申报人")
            out.append(Row(**base, verdict="not_found", reason=reason))
            continue
        base["id_number"] = id_number
        found = {"application_id": application.id}
        # Compared as the roster and the provincial results import compare (JOHN SMITH JR for the John
        # Smith Jr. of the account, 买买提艾力 for 买买提·艾力); this sheet's name is required.
        if name.strip():
            why = why_names_differ(name, application.applicant.name)
        else:
            why = T_("表中姓名与申报人姓名（%(name)s）不一致", name=application.applicant.name)
        if why:
            out.append(Row(**base, verdict="name_differs", reason=why, **found))
            continue
        if application.state is Status.CERTIFIED:
            why = T_("已登记证书编号 %(number)s", number=application.certificate_no or "—")
            out.append(Row(**base, verdict="recorded", reason=why, **found))
            continue
        if application.state is not Status.RESULT_PUBLISHED:
            why = T_("该申报%(state)s，只有已公布的评审通过人员录入证书编号", state=application.state.title)
            out.append(Row(**base, verdict="not_published", reason=why, **found))
            continue
        if not committee_rules.CERTIFICATE_NO.fullmatch(number):
            why = N_("证书编号为6至40位字母、数字或连字符，请按省统一编号填写")
            out.append(Row(**base, verdict="bad_number", reason=why, **found))
            continue
        if number in seen_numbers or id_number in seen_people:
            first = seen_numbers.get(number) or seen_people[id_number]
            why = T_("与第%(line)s行重复", line=first)
            out.append(Row(**base, verdict="repeated", reason=why, **found))
            continue
        holder = session.scalar(select(Application.id).where(Application.certificate_no == number))
        if holder is not None:
            why = T_("证书编号%(number)s已登记在另一份申报上，请核对", number=number)
            out.append(Row(**base, verdict="number_taken", reason=why, **found))
            continue
        seen_numbers[number], seen_people[id_number] = line, line
        out.append(Row(**base, verdict="matched", **found))
    return out


def check_numbers(
    session: Session,
    storage: Storage,
    actor: Actor,
    meeting_id: int,
    upload: bytes | IO[bytes],
    name: str,
    now: datetime,
) -> Preview:
    """The preview of a published meeting's certificate sheet: every row's verdict; the file kept (its
    CertificateImport of this meeting) for the preview page and the apply step. No number is recorded.
    A file that cannot be read is refused on its field."""
    meeting = _meeting(session, actor, meeting_id)
    if meeting.state is not MeetingStatus.PUBLISHED:
        raise DomainError(N_("评审结果公布后才能导入证书编号"), code="not_published")
    try:
        accepted = accept_table(upload, name)  # no name and no bytes: nothing chosen, asked for one
    except UploadRefused as refused:
        raise ValidationFailed({"file": refused.message}) from None
    try:
        rows = _verdicts(session, meeting, accepted.data)
    except TableError as bad:
        raise ValidationFailed({"file": bad.message}) from None
    stored = keep_table(session, storage, actor, accepted, now)
    kept = CertificateImport(
        meeting_id=meeting.id, file_id=stored.id, created_by_id=actor.user_id, created_at=now
    )
    session.add(kept)
    session.flush()
    return Preview(stored.id, verdicts_digest(rows), rows)


def get_import(session: Session, actor: Actor, meeting_id: int, file_id: int) -> CertificateImport:
    """The certificate import of this meeting kept as `file_id`, for the bureau's staff who see the
    meeting; NotFound for another meeting's file, a file of no such import, or a meeting not theirs."""
    meeting = _meeting(session, actor, meeting_id)
    found = session.scalar(select(CertificateImport).where(CertificateImport.file_id == file_id))
    if found is None or found.meeting_id != meeting.id:
        raise NotFound(N_("找不到该文件"))
    return found


def _kept_verdicts(session: Session, storage: Storage, kept: CertificateImport) -> list[Row]:
    try:
        return _verdicts(session, kept.meeting, storage.get(kept.file.sha256))
    except TableError as bad:
        raise DomainError(T_("已保存的文件无法读取：%(why)s", why=bad.message), code="unreadable") from None


def preview(
    session: Session, storage: Storage, actor: Actor, meeting_id: int, file_id: int
) -> tuple[CertificateImport, Preview]:
    """A kept sheet's verdicts as they stand now (re-read; after the apply its rows read as recorded).
    Reads only; NotFound as get_import, DomainError (unreadable) for a kept file that no longer reads."""
    kept = get_import(session, actor, meeting_id, file_id)
    rows = _kept_verdicts(session, storage, kept)
    return kept, Preview(kept.file_id, verdicts_digest(rows), rows)


def apply_numbers(
    session: Session,
    storage: Storage,
    actor: Actor,
    meeting_id: int,
    file_id: int,
    digest: str,
    now: datetime,
) -> int:
    """Record every matched row of the kept sheet, if it still gives the verdicts the preview showed;
    returns how many. Each goes through the rulebook (audited); the import as a whole is audited too and
    marked applied: a second apply of it is refused (StaleObject), whatever page it was sent from."""
    kept = get_import(session, actor, meeting_id, file_id)
    if kept.applied_at is not None:
        raise StaleObject(ALREADY_APPLIED)
    rows = _kept_verdicts(session, storage, kept)
    if verdicts_digest(rows) != digest:
        raise DomainError(
            N_("数据已有变化（证书编号已登记或申报状态改变），预览结果已过时：请重新上传并核对预览"),
            code="stale_preview",
        )
    matched = [r for r in rows if r.verdict == "matched"]
    if not matched:
        raise DomainError(N_("没有可导入的行"), code="nothing_to_apply")
    # Claimed first (a compare-and-set): of two applies at once, one records and the other is refused.
    claimed = session.execute(
        update(CertificateImport)
        .where(CertificateImport.id == kept.id, CertificateImport.applied_at.is_(None))
        .values(applied_by_id=actor.user_id, applied_at=now, applied_rows=len(matched))
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise StaleObject(ALREADY_APPLIED)
    for row in matched:
        assert row.application_id is not None
        results.record_certificate(session, actor, row.application_id, row.certificate_no, now)
    audit.record(
        session, actor, "import_certificate_numbers", now, object_type="meeting", object_id=kept.meeting_id,
        detail={"file_id": file_id, "applied": [r.application_id for r in matched],
                "skipped": [{"line": r.line, "verdict": r.verdict} for r in rows if r.verdict != "matched"]},
    )  # fmt: skip
    session.refresh(kept)
    return len(matched)
