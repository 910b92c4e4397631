"""What comes back from a provincial system (issue 23.6): its results spreadsheet (certificate numbers or
results, as Excel), matched to our applications by ID number, previewed row by row, applied once.

- ``check_results``: reads the file by the profile's header names (domain.handoffs.Results), gives each
  row a verdict — matched, not found, a wrong ID (its check character), a name other than the applicant's
  of that ID number, a certificate number already used (by another application, or twice in the file), a
  result already recorded — stores the file and
  a ResultImport (checked) with the digest of the verdicts. Nothing is recorded yet.
- ``apply_results``: re-reads the stored file; only if it still gives the same verdicts (``digest``)
  are the matched rows written, all in the caller's one transaction (a HandoffResult each), the import
  marked applied and audited; otherwise nothing is written. Never twice.

Applications are matched within the actor's scope (another tenant's ID number reads as not found) and
to the target the file comes from. Flushes, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.documents.spreadsheets import read_rows
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.handoffs import ROAD, HandoffProfile
from portal.domain.i18n import N_, T_, Joined
from portal.domain.identity import IdentityError, document_login, normalize_resident_id
from portal.domain.roster import why_names_differ
from portal.domain.tables import TableError, verdicts_digest
from portal.domain.workflow import COMMITTEE_ROAD, Status
from portal.models import Application, HandoffResult, ResultImport, ResultImportStatus, ResultOutcome, User
from portal.services import audit, handoff_profiles
from portal.services.actors import Actor
from portal.services.scope import visible_applications
from portal.services.uploads import UploadRefused, accept_table, keep_table
from portal.storage import Storage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VERDICT_TITLES = {
    "matched": N_("匹配"),
    "not_found": N_("未找到"),
    "bad_id": N_("身份证号码有误"),
    "name_differs": N_("姓名不一致"),
    "conflict": N_("证书编号冲突"),
    "recorded": N_("已登记"),
    "bad_result": N_("结果无法识别"),
    "undecided": N_("评审结果未公布"),
}
# On the 评审 road the committee decides: the province's result stands only once the title office has
# published the committee's (a "passed" row for a case still at the committee is early or a mistake).
_COMMITTEE_UNDECIDED = frozenset(COMMITTEE_ROAD[:-1])  # all but RESULT_PUBLISHED
# A row is the person of its ID number only if the names agree as the roster's do (the same name written
# with another width, spacing or middle dot, or one of a Chinese-and-Latin name's two forms).


@dataclass(frozen=True)
class Row:
    """One data row of the file and its verdict (``reason`` in Chinese for anything not matched)."""

    line: int
    id_number: str
    name: str
    certificate_no: str
    outcome: str  # passed | failed | ""
    certified_on: str  # ISO date or ""
    verdict: str
    reason: str = ""
    application_id: int | None = None

    @property
    def verdict_title(self) -> str:
        return VERDICT_TITLES[self.verdict]


def _profile(target: str) -> HandoffProfile:
    found = handoff_profiles.profiles().get(target)
    if found is None:
        raise NotFound(N_("没有这个报送目标"))
    return found


def _columns(profile: HandoffProfile, header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for column in profile.results.columns:
        for i, text in enumerate(header):
            if text.strip() in column.headers:
                found[column.key] = i
                break
        else:
            if column.required:
                raise TableError(
                    "missing_column",
                    T_(
                        "找不到%(column)s列（可用表头：%(headers)s）",
                        column=f"“{column.headers[0]}”",
                        headers=Joined(tuple(column.headers)),
                    ),
                )
    return found


def _day(text: str) -> str:
    text = text.strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else ""
    except ValueError:
        return ""


def _verdicts(
    session: Session, actor: Actor, profile: HandoffProfile, data: bytes, import_id: int | None = None
) -> list[Row]:
    """Every data row's verdict; ``import_id`` is the stored import being read again (its own rows, once
    applied, read as recorded by it)."""
    rows = [r for r in read_rows(data) if any(cell.strip() for cell in r)]
    if not rows:
        raise TableError("empty", N_("文件中没有数据"))
    header_at = next(
        (
            i
            for i, r in enumerate(rows[:10])
            if any(c.strip() in profile.results.columns[0].headers for c in r)
        ),
        None,
    )
    if header_at is None:
        raise TableError(
            "missing_column",
            T_("前10行中找不到表头（%(column)s列）", column=f"“{profile.results.columns[0].headers[0]}”"),
        )
    columns = _columns(profile, rows[header_at])
    passed, failed = set(profile.results.passed), set(profile.results.failed)
    # A person's application the target never took (a draft, one before its stage, one withdrawn) is not
    # the one its result is for, though it may be their newest (a new draft after the certificate).
    never_sent = [Status.DRAFT.value, Status.WITHDRAWN.value] + [
        s.value for s in ROAD if not profile.takes(s)
    ]
    seen_numbers: dict[str, int] = {}
    out: list[Row] = []
    for offset, values in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(key: str, values: list[str] = values) -> str:
            i = columns.get(key)
            return values[i].strip() if i is not None and i < len(values) else ""

        raw_id, number, result, name = cell("id_number"), cell("certificate_no"), cell("result"), cell("name")
        base = {"line": offset, "id_number": raw_id, "name": name, "certificate_no": number,
                "certified_on": _day(cell("certified_on"))}  # fmt: skip
        outcome = (
            "passed"
            if (result in passed or (not result and number))
            else "failed"
            if result in failed
            else ""
        )
        if not outcome:
            out.append(
                Row(
                    **base,
                    outcome="",
                    verdict="bad_result",
                    reason=T_("结果“%(result)s”无法识别", result=result),
                )
            )
            continue

        def sent_for(number: str) -> Application | None:
            return session.scalars(
                visible_applications(actor)
                .join(User, User.id == Application.applicant_id)
                .where(User.id_number == number, Application.status.not_in(never_sent))
                .order_by(Application.id.desc())
            ).first()

        # A Hong Kong, Macao, Taiwan or foreign applicant is listed by the permit or passport number their
        # account holds (in the form a login is read); anyone else by a resident ID, checked as before.
        id_number = document_login(raw_id)
        application = sent_for(id_number)
        if application is None:
            try:
                id_number = normalize_resident_id(raw_id)
            except IdentityError as wrong:
                out.append(Row(**base, outcome=outcome, verdict="bad_id", reason=str(wrong)))
                continue
            application = sent_for(id_number)
        target = handoff_profiles.target_for(application.bureau) if application else None
        if application is None or target is None or target.id != profile.id:
            out.append(
                Row(
                    **base,
                    outcome=outcome,
                    verdict="not_found",
                    reason=N_("没有该身份证号码的申报（或不属于本系统报送范围）"),
                )
            )
            continue
        base["id_number"] = id_number
        differs = why_names_differ(name, application.applicant.name)
        if differs:
            out.append(
                Row(
                    **base,
                    outcome=outcome,
                    verdict="name_differs",
                    reason=differs,
                    application_id=application.id,
                )
            )
            continue
        if application.state in _COMMITTEE_UNDECIDED:
            out.append(
                Row(
                    **base,
                    outcome=outcome,
                    verdict="undecided",
                    reason=T_(
                        "评委会的评审结果尚未公布（现为：%(status)s），请在评审结果公布后再导入",
                        status=application.state.title,
                    ),
                    application_id=application.id,
                )
            )
            continue
        recorded = session.scalars(
            select(HandoffResult).where(
                HandoffResult.application_id == application.id, HandoffResult.target == profile.id
            )
        ).first()
        if recorded is not None:
            out.append(
                Row(
                    **base,
                    outcome=outcome,
                    verdict="recorded",
                    reason=T_("本次导入已登记（证书编号 %(number)s）", number=recorded.certificate_no or "—")
                    if recorded.import_id == import_id
                    else T_("已于此前导入登记（证书编号 %(number)s）", number=recorded.certificate_no or "—"),
                    application_id=application.id,
                )
            )
            continue
        if number:
            used = session.scalars(
                select(HandoffResult).where(
                    HandoffResult.target == profile.id, HandoffResult.certificate_no == number
                )
            ).first()
            if used is not None or number in seen_numbers:
                where = (
                    T_("第%(line)s行", line=seen_numbers[number])
                    if number in seen_numbers
                    else N_("另一件申报")
                )
                out.append(
                    Row(
                        **base,
                        outcome=outcome,
                        verdict="conflict",
                        reason=T_("证书编号 %(number)s 已用于%(where)s", number=number, where=where),
                        application_id=application.id,
                    )
                )
                continue
            seen_numbers[number] = offset
        out.append(Row(**base, outcome=outcome, verdict="matched", application_id=application.id))
    return out


def _stored_verdicts(session: Session, storage: Storage, actor: Actor, found: ResultImport) -> list[Row]:
    try:
        return _verdicts(session, actor, _profile(found.target), storage.get(found.file.sha256), found.id)
    except TableError as bad:
        raise DomainError(
            T_("已保存的结果文件无法读取：%(why)s", why=bad.message), code="unreadable"
        ) from None


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied(N_("只有审核单位的工作人员可以导入结果"))


def check_results(
    session: Session,
    storage: Storage,
    actor: Actor,
    target: str,
    upload: bytes | IO[bytes],
    name: str,
    now: datetime,
) -> tuple[ResultImport, list[Row]]:
    """The preview: every row with its verdict; the file kept for the confirm step. Nothing recorded.
    The file takes the one acceptance path for tables (services.uploads.accept_table), as every upload."""
    _require_staff(actor)
    profile = _profile(target)
    try:
        accepted = accept_table(upload, name or "结果.xlsx")
    except UploadRefused as refused:
        raise ValidationFailed({"file": refused.message}) from None
    try:
        rows = _verdicts(session, actor, profile, accepted.data)
    except TableError as bad:
        raise ValidationFailed({"file": bad.message}) from None
    stored = keep_table(session, storage, actor, accepted, now)
    row = ResultImport(
        org_id=actor.org_id, target=profile.id, file_id=stored.id, status=ResultImportStatus.CHECKED.value,
        total_rows=len(rows), matched_rows=sum(r.verdict == "matched" for r in rows),
        digest=verdicts_digest(rows), created_by_id=actor.user_id, created_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row, rows


def get_import(session: Session, actor: Actor, import_id: int) -> ResultImport:
    """A results import of the caller's own organisation (another's is NotFound, as a missing one)."""
    found = session.get(ResultImport, import_id)
    if found is None or found.org_id != actor.org_id:
        raise NotFound(N_("找不到该导入记录"))
    return found


def preview(
    session: Session, storage: Storage, actor: Actor, import_id: int
) -> tuple[ResultImport, list[Row]]:
    """A checked import's rows as they stand now (re-read)."""
    found = get_import(session, actor, import_id)
    return found, _stored_verdicts(session, storage, actor, found)


def apply_results(session: Session, storage: Storage, actor: Actor, import_id: int, now: datetime) -> int:
    """Record every matched row in the caller's one transaction, if the file still gives the verdicts the
    preview showed; returns how many. Audited (import_handoff_results)."""
    _require_staff(actor)
    found = get_import(session, actor, import_id)
    if found.state is not ResultImportStatus.CHECKED:
        raise DomainError(N_("该文件已导入，不能重复导入"), code="already_applied")
    rows = _stored_verdicts(session, storage, actor, found)
    if verdicts_digest(rows) != found.digest:
        raise DomainError(
            N_("数据已有变化（其他导入或证书登记），预览结果已过时：请重新上传并核对预览"),
            code="stale_preview",
        )
    matched = [r for r in rows if r.verdict == "matched"]
    if not matched:  # nothing to record: the file stays unapplied (a corrected row may match later)
        raise DomainError(N_("没有可登记的结果：没有匹配的行"), code="nothing_matched")
    for r in matched:
        assert r.application_id is not None
        session.add(
            HandoffResult(
                application_id=r.application_id, target=found.target, outcome=ResultOutcome(r.outcome).value,
                certificate_no=r.certificate_no or None,
                certified_on=date.fromisoformat(r.certified_on) if r.certified_on else None,
                import_id=found.id, recorded_by_id=actor.user_id, recorded_at=now,
            )
        )  # fmt: skip
    found.status, found.applied_rows = ResultImportStatus.APPLIED.value, len(matched)
    found.applied_by_id, found.applied_at = actor.user_id, now
    session.flush()
    audit.record(
        session, actor, "import_handoff_results", now, object_type="handoff_import", object_id=found.id,
        detail={"target": found.target, "applied": [r.application_id for r in matched],
                "skipped": [{"line": r.line, "verdict": r.verdict} for r in rows if r.verdict != "matched"]},
    )  # fmt: skip
    return len(matched)
