"""The package an office sends onward (MAT-11, MAT-14, 001 四(七)): one PDF per application in binding order
(cover, 申报表, each level's opinions, the notice result sheet, every material — the stamped copy where
a copy was endorsed), a ZIP of the original files with a manifest that verifies (SHA-256, size, who
uploaded and endorsed), and batch ZIPs of many applications built step by step.

Access: the reviewing organisations on the application's route and the enterprise's staff — exactly the
staff scope of services.scope — never an applicant, never another tenant (404 like a missing id). Every
page of a package PDF, alone or in a batch ZIP, carries the watermark 仅供职称申报使用 · who · when; the
untouched originals leave only in the originals' ZIP, to the handler of the organisation holding the
application, for the hand-off to the provincial system (domain.packages.originals_refusal; anyone else in
scope is refused with the reason). Every package made is audited (export_package), with the stored files
it read.

Batches are background jobs (issue 19): the worker writes every application into one ZIP (a fresh file on
each attempt, so a run cut short is never half-delivered), stores it in the file store and audits the batch
once; the page polls the job's progress. Causes no transition.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, object_session

from portal.documents import packages as documents
from portal.documents.cells import csv_cell
from portal.documents.notice_sheet import notice_result_pdf
from portal.documents.stamps import image_data_uri, watermark_text
from portal.domain import packages as rules
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.handoffs import binding_parts
from portal.domain.i18n import N_, T_
from portal.domain.materials import slot_title as title_of_slot
from portal.domain.uploads import EXTENSIONS
from portal.models import (
    Application,
    Job,
    JobKind,
    Material,
    Notice,
    NoticeEntry,
    Organisation,
    StaffRole,
    StoredFile,
)
from portal.services import audit, endorsements, handoff_profiles, jobs, notices, policies, printing, queues
from portal.services.actors import Actor
from portal.services.applications import timeline
from portal.services.calendar import SHANGHAI, today
from portal.services.materials import active_materials
from portal.services.scope import get_application, visible_applications
from portal.storage import FileCorrupted, FileMissing, Storage

MAX_BATCH = 500  # applications in one batch ZIP: about what a bureau sends onward in one go
JOB_TTL = timedelta(hours=24)  # a file a cut-short run left in the package folder goes after a day
MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
CSV_HEADERS = (
    "文件",
    "原文件名",
    "材料类别",
    "原件/复印件",
    "用途",
    "文件类型",
    "大小（字节）",
    "SHA-256",
    "上传人",
    "上传时间",
    "核对签章人",
    "核对日期",
)
ROLE_TITLES = {"original": "原件", "stamped": "核对签章件", "package": "申报材料PDF"}


def downloadable(session: Session, actor: Actor, application_id: int) -> Application:
    """The application if the actor's organisation may have its package: staff of its enterprise or of a
    reviewing organisation it has reached (the staff scope); applicants and other tenants get NotFound."""
    if not actor.is_staff:
        raise NotFound(N_("找不到该申报，或您无权查看"))
    return get_application(session, actor, application_id)


def _result_sheet(session: Session, storage: Storage, notice: Notice) -> dict[str, Any]:
    # A notice can list hundreds of applicants: their names in one statement, not one each.
    session.scalars(
        select(NoticeEntry)
        .where(NoticeEntry.notice_id == notice.id)
        .options(joinedload(NoticeEntry.application).joinedload(Application.applicant))
    ).all()
    header, rows = notices.result(notice)
    assert notice.closed_at is not None
    seal = endorsements.current_seal(session, notice.org_id)
    return {
        "header": header,
        "rows": rows,
        "closed_on": today(notice.closed_at),
        "signer": notice.published_by.name if notice.published_by else "",
        "seal": storage.get(seal.file.sha256) if seal else None,
    }


def result_sheet_pdf(session: Session, storage: Storage, notice: Notice) -> bytes:
    """The notice result sheet (公示结果) of a closed notice, sealed with the unit's seal when it has one."""
    sheet = _result_sheet(session, storage, notice)
    return notice_result_pdf(
        sheet["header"],
        sheet["rows"],
        closed_on=sheet["closed_on"],
        signer=sheet["signer"],
        seal=sheet["seal"],
    )


def _shanghai(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _read(
    session: Session,
    storage: Storage,
    actor: Actor,
    application: Application,
    stored: StoredFile,
    now: datetime,
) -> bytes:
    try:
        return storage.get(stored.sha256)
    except (FileCorrupted, FileMissing) as problem:
        kind = "hash_mismatch" if isinstance(problem, FileCorrupted) else "missing"
        audit.record_attempt(
            session, actor, "export_package", now, object_type="application",
            object_id=application.id, outcome="failed", detail={"file_id": stored.id, "problem": kind},
        )  # fmt: skip
        what = "内容被改动" if kind == "hash_mismatch" else "文件缺失"
        raise DomainError(
            f"材料文件“{stored.display_name}”校验失败（{what}），不能打包；请联系系统管理员从备份恢复后再试",
            code="file_unreadable",
        ) from None


def _bound_file(material: Material) -> StoredFile:
    """What goes into the PDF: the stamped copy where a copy was endorsed, else the file as uploaded."""
    endorsement = material.endorsement
    return endorsement.stamped_file if endorsement is not None else material.file


def _display(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "—"
    if hasattr(value, "year") and hasattr(value, "day"):
        return f"{value.year}年{value.month}月{value.day}日"  # type: ignore[attr-defined]
    return str(value)


def _cover_facts(application: Application) -> list[tuple[str, str]]:
    profile = policies.effective_profile(_session_of(application), application.bureau)
    batch = application.batch_id
    named = (
        policies.batch_title(profile, batch, application.authority_code, application.batch_name)
        if batch
        else "—"
    )
    return [
        ("申报人", application.applicant.name),
        ("工作单位", application.enterprise.name),
        ("申报系列", application.series),
        ("专业", application.specialty),
        ("申报级别", application.level),
        ("申报途径", application.pathway or "—"),
        ("受理批次", named),
        ("审核路径", " → ".join(o.name for o in _route(application))),
        ("当前状态", application.state.title),
    ]


def _route(application: Application) -> list[Organisation]:
    """The organisations the application passes, in order: on the 评审 road the committee's office too
    (its steps were grouped with the applicant's and the system's)."""
    route = [application.enterprise, application.department, application.bureau]
    if application.committee is not None:
        route.append(application.committee.office)
    return route


def _session_of(application: Application) -> Session:
    found = object_session(application)
    assert found is not None
    return found


def _form_sections(actor: Actor, application: Application) -> list[tuple[str, list[tuple[str, str]]]]:
    """The printed 申报表 (services.printing: the province's order) as (title, rows) sections; a table part
    gives one row per entry, its cells joined."""
    printed = printing.printed_form(_session_of(application), actor, application)
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for part in printed.parts:
        if part.facts:
            sections.append((part.title, list(part.facts)))
        elif part.is_table:
            rows = [
                (f"第{i}条", "；".join(f"{h}：{c}" for h, c in zip(part.headers, row, strict=True) if c))
                for i, row in enumerate(part.rows, start=1)
            ]
            sections.append((part.title, rows))
        else:
            sections.append((part.title, [("", part.empty)]))
    return sections


@dataclass(frozen=True)
class OpinionGroup:
    org_name: str
    rows: list[tuple[str, str, str, str, str]]  # when, who, role, action, opinion


def _opinions(session: Session, actor: Actor, application: Application) -> list[OpinionGroup]:
    """Each level's steps in route order: who signed what, when, with the opinion written."""
    entries = timeline(session, actor, application.id)
    ids = {e.org_id for e in entries if e.org_id is not None}
    names = {
        org_id: name
        for org_id, name in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        )
    }
    order = [o.id for o in _route(application)]
    groups: dict[int | None, list[tuple[str, str, str, str, str]]] = {}
    for e in entries:
        key = e.org_id if e.org_id in order else None
        groups.setdefault(key, []).append(
            (_shanghai(e.at), e.actor_name, e.role_title or "申报人", e.action_title, e.reason or "同意")
        )
    result = [OpinionGroup(names.get(key, ""), groups[key]) for key in order if key in groups]
    if None in groups:
        result.insert(0, OpinionGroup("申报人及系统", groups[None]))
    return result


def _notice_context(session: Session, storage: Storage, application: Application) -> dict[str, Any] | None:
    """The package's notice result section (the same sheet as result_sheet_pdf): the unit's own notice,
    once it closed. On the 评审 road the committee office's 评前公示 comes later and is not the unit's (the
    package bound the office's sheet as the unit's result once the office had published one)."""
    entry = notices.unit_entry_for_application(session, application)
    notice = entry.notice if entry is not None else None
    if notice is None or notice.closed_at is None:
        return None
    sheet = _result_sheet(session, storage, notice)
    seal = sheet.pop("seal")
    return {**sheet, "seal_uri": image_data_uri(seal) if seal else None}


def _material_title(index: int, material: Material) -> str:
    name = _bound_file(material).display_name or title_of_slot(material.slot)
    kind = "复印件" if material.is_copy else "原件"
    return f"{index}. {name}（{kind}，{material.pages}页）"


@dataclass(frozen=True)
class BuiltPdf:
    data: bytes
    pages: int
    file_ids: list[int]


SECTION_ANCHORS = {
    rules.Part.COVER: "cover",
    rules.Part.FORM: "form",
    rules.Part.OPINIONS: "opinions",
    rules.Part.NOTICE_RESULT: "notice-result",
}


def build_pdf(
    session: Session, storage: Storage, actor: Actor, application: Application, now: datetime
) -> BuiltPdf:
    """The package PDF of an application the caller has already checked access to, every page under the
    actor's watermark (仅供职称申报使用 · who · when)."""
    present = _bound_materials(session, application)
    by_id = {m.id: m for m in present}
    numbered = {m.id: i for i, m in enumerate(present, start=1)}
    notice = _notice_context(session, storage, application)
    parts, slots = binding_parts(handoff_profiles.binding_for(application))
    order = rules.binding_order(
        [(m.slot, m.id, _material_title(numbered[m.id], m)) for m in present],
        has_notice_result=notice is not None,
        parts=parts,
        slots=slots,
    )
    sections: list[documents.Section] = []
    bound: list[documents.Material] = []
    file_ids: list[int] = []
    for entry in order:
        if entry.part is not rules.Part.MATERIALS:
            sections.append(documents.Section(entry.title, SECTION_ANCHORS[entry.part]))
            continue
        material = by_id[entry.material_id]
        stored = _bound_file(material)
        file_ids.append(stored.id)
        pdf = documents.material_pdf(
            _read(session, storage, actor, application, stored, now), stored.media_type
        )
        slot_title = title_of_slot(material.slot)
        bound.append(documents.Material((rules.Part.MATERIALS.title, slot_title, entry.title), pdf))
    # The PDF opens on the cover, which carries the 装订目录; the other parts follow in the binding's order
    # (a committee's may list the cover later: its paper copy, not this file's first page).
    cover = documents.Section(rules.Part.COVER.title, SECTION_ANCHORS[rules.Part.COVER])
    sections = [cover, *(s for s in sections if s.anchor != cover.anchor)]
    result = documents.bind(
        sections,
        bound,
        title=f"{application.applicant.name} 职称申报材料",
        label=f"{application.applicant.name} 申报材料",
        watermark=watermark_text(actor.name, now),
        context={
            "facts": _cover_facts(application),
            "generated": {"at": _shanghai(now), "by": actor.name},
            "sections": _form_sections(actor, application),
            "groups": _opinions(session, actor, application),
            "notice": notice,
        },
    )
    return BuiltPdf(data=result.data, pages=result.pages, file_ids=file_ids)


def package_pdf(
    session: Session, storage: Storage, actor: Actor, application_id: int, now: datetime
) -> tuple[str, bytes]:
    """The package PDF and its file name, audited."""
    application = downloadable(session, actor, application_id)
    built = build_pdf(session, storage, actor, application, now)
    audit.record(
        session, actor, "export_package", now, object_type="application", object_id=application.id,
        detail={"format": "pdf", "pages": built.pages, "files": built.file_ids,
                "sha256": hashlib.sha256(built.data).hexdigest()},
    )  # fmt: skip
    return f"申报材料-{application.applicant.name}-{application.id}.pdf", built.data


# --- the ZIP of originals and its manifest -------------------------------------------------------------


@dataclass(frozen=True)
class ManifestFile:
    path: str  # inside the application's folder of the ZIP
    name: str  # the name the uploader gave it
    role: str  # original | stamped | package
    slot: str
    slot_title: str
    kind: str  # original | copy (the material's)
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str
    endorsed_by: str = ""
    endorsed_on: str = ""


def _bound_materials(session: Session, application: Application) -> list[Material]:
    """The application's materials in binding order (the PDF, its table of contents and the ZIP agree):
    the committee's 装订目录 where its hand-off profile has one (MAT-14), else the checklist order."""
    present = active_materials(session, application.id)
    _parts, slots = binding_parts(handoff_profiles.binding_for(application))
    return sorted(present, key=lambda m: rules.material_rank(m.slot, m.id, slots))


def _material_files(present: list[Material]) -> Iterable[tuple[str, StoredFile, ManifestFile]]:
    """Each material's original (原件/) and, where endorsed, its stamped copy (核对签章件/), numbered in
    binding order, with their manifest rows."""
    for index, material in enumerate(present, start=1):
        slot_title = title_of_slot(material.slot)
        stem = rules.safe_name(f"{index:02d}-{slot_title}-{material.file.display_name.rsplit('.', 1)[0]}")
        endorsement = material.endorsement
        files = [
            (f"原件/{stem}.{EXTENSIONS.get(material.file.media_type, 'bin')}", material.file, "original")
        ]
        if endorsement is not None:
            files.append((f"核对签章件/{stem}（核对签章）.pdf", endorsement.stamped_file, "stamped"))
        for path, stored, role in files:
            yield path, stored, ManifestFile(
                path, stored.display_name, role, material.slot, slot_title, material.kind,
                stored.media_type, stored.size, stored.sha256, material.uploaded_by.name,
                _shanghai(material.uploaded_at),
                endorsement.handler_name if endorsement else "",
                endorsement.endorsed_on.isoformat() if endorsement else "",
            )  # fmt: skip


def _manifest_csv(files: list[ManifestFile]) -> bytes:
    """The manifest for people (Excel opens it); a name typed as "=…" stays text (documents/cells.py)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for f in files:
        writer.writerow(
            csv_cell(value)
            for value in (
                f.path,
                f.name,
                f.slot_title,
                "复印件" if f.kind == "copy" else "原件",
                ROLE_TITLES.get(f.role, f.role),
                f.media_type,
                f.size,
                f.sha256,
                f.uploaded_by,
                f.uploaded_at,
                f.endorsed_by,
                f.endorsed_on,
            )
        )
    return ("\ufeff" + out.getvalue()).encode()  # the BOM makes Excel read it as UTF-8


def _store(zf: zipfile.ZipFile, name: str, data: bytes, now: datetime, *, compress: bool) -> None:
    local = now.astimezone(SHANGHAI)
    info = zipfile.ZipInfo(name, date_time=(local.year, local.month, local.day, local.hour, local.minute, 0))
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


READING_PURPOSE = "申报材料PDF每页带水印（仅供职称申报使用 · 下载人 · 时间），供审核和传阅；原件不在此包中"
README = "用途说明.txt"


def write_application(
    session: Session,
    storage: Storage,
    actor: Actor,
    application: Application,
    zf: zipfile.ZipFile,
    folder: str,
    now: datetime,
    *,
    originals: bool,
) -> dict[str, Any]:
    """One application's files into an open ZIP under `folder`, with manifest.json and manifest.csv last:
    the untouched originals and stamped copies (`originals`, for the provincial hand-off), else the
    watermarked package PDF alone (for reading). One file in memory at a time. Returns what the audit
    event records."""
    files: list[ManifestFile] = []
    file_ids: list[int] = []
    pages = 0
    if originals:
        found = list(_material_files(_bound_materials(session, application)))
        for _path, stored, _row in found:
            # Every file is checked before the first byte is written, so a bad one leaves no half folder.
            _read(session, storage, actor, application, stored, now)
        for path, stored, row in found:
            data = _read(session, storage, actor, application, stored, now)
            _store(zf, folder + path, data, now, compress=False)  # PDFs and photos are compressed already
            files.append(row)
            file_ids.append(stored.id)
    else:
        built = build_pdf(session, storage, actor, application, now)
        name = rules.safe_name(f"申报材料-{application.applicant.name}.pdf")
        _store(zf, folder + name, built.data, now, compress=True)
        files.append(
            ManifestFile(
                name,
                name,
                "package",
                "",
                "申报材料PDF",
                "",
                "application/pdf",
                len(built.data),
                hashlib.sha256(built.data).hexdigest(),
                actor.name,
                _shanghai(now),
            )
        )
        file_ids.extend(built.file_ids)
        pages = built.pages
    manifest = {
        "application": {
            "id": application.id,
            "applicant": application.applicant.name,
            "unit": application.enterprise.name,
            "series": application.series,
            "specialty": application.specialty,
            "level": application.level,
            "batch": application.batch_id or "",
            "route": [o.name for o in _route(application)],
            "status": application.state.title,
        },
        "purpose": rules.ORIGINALS_PURPOSE if originals else READING_PURPOSE,
        "generated_at": _shanghai(now),
        "generated_by": actor.name,
        "algorithm": "sha256",
        "files": [asdict(f) for f in files],
    }
    _store(
        zf,
        folder + MANIFEST_JSON,
        json.dumps(manifest, ensure_ascii=False, indent=2).encode(),
        now,
        compress=True,
    )
    _store(zf, folder + MANIFEST_CSV, _manifest_csv(files), now, compress=True)
    return {"files": file_ids, "count": len(files), "pages": pages}


def originals_refusal(actor: Actor, application: Application) -> str | None:
    """Why the actor may not take this application's originals' ZIP (shown in place of its link), or None
    for the handler of the organisation holding it."""
    return rules.originals_refusal(
        actor_org_id=actor.org_id,
        actor_is_handler=actor.staff_role is StaffRole.HANDLER,
        holder_org_id=application.current_org_id,
        holder_name=application.current_org.name,
    )


def _readme(actor: Actor, application: Application, now: datetime) -> bytes:
    text = (
        f"{rules.ORIGINALS_PURPOSE}。\r\n"
        f"申报人：{application.applicant.name}；当前办理单位：{application.current_org.name}。\r\n"
        f"由 {actor.name}（经办人）于 {_shanghai(now)}（北京时间）下载，已记入审计日志。\r\n"
        "只有当前办理该申报的单位的经办人可以下载本ZIP；审核和传阅请使用带水印的申报材料PDF。\r\n"
        "manifest.json / manifest.csv 列出每个文件的 SHA-256，可用 flask --app app package verify 校验。\r\n"
    )
    return ("\ufeff" + text).encode()  # the BOM makes Notepad read it as UTF-8


def package_zip(
    session: Session, storage: Storage, actor: Actor, application_id: int, target: Path, now: datetime
) -> str:
    """The originals (and stamped copies) of one application with their manifest and a note of its purpose,
    written to `target`, for the handler of the organisation holding it (PermissionDenied with the reason
    for any other staff member in scope); returns the download's file name. Audited."""
    application = downloadable(session, actor, application_id)
    refusal = originals_refusal(actor, application)
    if refusal is not None:
        raise PermissionDenied(refusal)  # audited as access_denied by the web layer, like every refusal
    with zipfile.ZipFile(target, "w") as zf:
        detail = write_application(session, storage, actor, application, zf, "", now, originals=True)
        _store(zf, README, _readme(actor, application, now), now, compress=True)
    audit.record(
        session, actor, "export_package", now, object_type="application", object_id=application.id,
        detail={"format": "zip", **detail},
    )  # fmt: skip
    return f"申报材料原件-{application.applicant.name}-{application.id}.zip"


@dataclass
class Verification:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.checked > 0 and not self.problems


def verify_zip(path: Path | io.BytesIO) -> Verification:
    """Re-hash every file a manifest.json in the ZIP lists (a package or a batch of them): a changed,
    missing or unlisted file is a problem."""
    report = Verification()
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as broken:
        report.problems.append(f"不是有效的ZIP文件：{broken}")
        return report
    with zf:
        names = set(zf.namelist())
        manifests = sorted(n for n in names if PurePosixPath(n).name == MANIFEST_JSON)
        if not manifests:
            report.problems.append("ZIP中没有 manifest.json 清单")
        listed: set[str] = set()
        for manifest_name in manifests:
            folder = manifest_name[: -len(MANIFEST_JSON)]
            listed.update({manifest_name, folder + MANIFEST_CSV, folder + README})
            try:
                manifest = json.loads(zf.read(manifest_name))
                entries = list(manifest["files"])
            except (ValueError, KeyError, TypeError, zipfile.BadZipFile):
                report.problems.append(f"{manifest_name}：清单无法读取")
                continue
            for entry in entries:
                name = folder + str(entry.get("path", ""))
                listed.add(name)
                report.checked += 1
                if name not in names:
                    report.problems.append(f"{name}：清单中有，ZIP中缺失")
                    continue
                digest, size = hashlib.sha256(), 0
                try:
                    with zf.open(name) as handle:
                        while chunk := handle.read(1024 * 1024):
                            digest.update(chunk)
                            size += len(chunk)
                except (zipfile.BadZipFile, OSError):
                    report.problems.append(f"{name}：内容损坏（ZIP校验失败）")
                    continue
                if digest.hexdigest() != entry.get("sha256"):
                    report.problems.append(f"{name}：SHA-256 与清单不符，文件已被改动")
                elif size != entry.get("size"):
                    report.problems.append(f"{name}：大小与清单不符")
        for name in sorted(names - listed):
            if not name.endswith("/"):
                report.problems.append(f"{name}：不在清单中")
    return report


# --- batches -------------------------------------------------------------------------------------------
# A batch ZIP is a background job (portal/services/jobs.py, run by the worker in portal/jobs/runners.py):
# the page only watches its progress, so it is built with the tab closed, by whichever worker takes it.


@dataclass
class BatchOutcome:
    """What a batch ZIP holds: each application's audit detail, and those that could not be packaged."""

    included: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    # The applicant's name each folder was made with, as read (the worker checks it before storing).
    names: dict[int, str | None] = field(default_factory=dict)


def start_batch(
    session: Session,
    actor: Actor,
    application_ids: list[int],
    now: datetime,
    *,
    membership_id: int | None = None,
) -> Job:
    """A background job packaging the applications the actor may package, in the order chosen; ids they
    cannot see are dropped (they read as missing, as everywhere)."""
    if not actor.is_staff:
        raise NotFound(N_("找不到该申报，或您无权查看"))
    wanted = list(dict.fromkeys(application_ids))
    if not wanted:
        raise ValidationFailed({"ids": N_("请先勾选要打包的申报")})
    if len(wanted) > MAX_BATCH:
        raise ValidationFailed(
            {"ids": T_("一次最多打包%(limit)s件申报，请分批勾选或缩小筛选范围", limit=MAX_BATCH)}
        )
    visible = set(
        session.scalars(
            visible_applications(actor).with_only_columns(Application.id).where(Application.id.in_(wanted))
        )
    )
    ids = [i for i in wanted if i in visible]
    if not ids:
        raise NotFound(N_("找不到所选的申报，或您无权查看"))
    job = jobs.create_job(
        session, actor, JobKind.PACKAGE_BATCH, {"ids": ids}, now, membership_id=membership_id, total=len(ids)
    )
    audit.record(
        session, actor, "start_package_batch", now, object_type="package_batch", object_id=job.id,
        detail={"job": job.id, "applications": ids},
    )  # fmt: skip
    return job


def filtered_ids(
    session: Session, actor: Actor, tab: queues.Tab, filters: queues.Filters, now: datetime
) -> list[int]:
    """Every application the queue shows for this tab and these filters (the same query as the list),
    refused when there are more than one batch may hold."""
    ids: list[int] = []
    for application in queues.listed_applications(session, actor, tab, filters, now):
        ids.append(application.id)
        if len(ids) > MAX_BATCH:
            raise ValidationFailed(
                {
                    "ids": T_(
                        "筛选结果超过%(limit)s件，不能一次打包；请按批次、单位或级别缩小筛选范围",
                        limit=MAX_BATCH,
                    )
                }
            )
    if not ids:
        raise ValidationFailed({"ids": N_("当前筛选没有申报可以打包")})
    return ids


def write_batch(
    session: Session,
    storage: Storage,
    actor: Actor,
    ids: list[int],
    zf: zipfile.ZipFile,
    now: datetime,
    step: Callable[[int, str], None],
) -> BatchOutcome:
    """Every application of the batch into `zf`, a folder each (its PDF, originals and manifest), calling
    `step(done, name)` after each (the worker records progress there). Nothing is audited here: the
    worker audits the batch once its ZIP is stored (record_batch), so a run cut short leaves no trace
    of an export that never reached anyone."""
    outcome = BatchOutcome()
    for index, application_id in enumerate(ids):
        name = ""
        try:
            application = downloadable(session, actor, application_id)
            name = application.applicant.name
            folder = rules.safe_name(f"{index + 1:03d}-{name}-{application.id}")
            # A batch holds each application's watermarked PDF and its manifest, never the originals
            # (the originals' ZIP is the provincial hand-off's, for the holding handler only).
            detail = write_application(
                session, storage, actor, application, zf, folder + "/", now, originals=False
            )
            outcome.included.append((application.id, detail))
            outcome.names[application.id] = name
        except NotFound:
            outcome.failed.append((application_id, "找不到该申报，或您已无权查看"))
        except DomainError as refused:
            outcome.failed.append((application_id, refused.message))
        step(index + 1, name)
    return outcome


def record_batch(session: Session, actor: Actor, job: Job, outcome: BatchOutcome, now: datetime) -> None:
    """The batch's audit: each packaged application, then the batch itself (who, which, which failed)."""
    for application_id, detail in outcome.included:
        audit.record(
            session, actor, "export_package", now, object_type="application", object_id=application_id,
            detail={"format": "batch", "job": job.id, **detail},
        )  # fmt: skip
    audit.record(
        session, actor, "export_package_batch", now, object_type="package_batch", object_id=job.id,
        detail={"job": job.id, "applications": [i for i, _ in outcome.included],
                "failed": [i for i, _ in outcome.failed]},
    )  # fmt: skip


def sweep_batches(workdir: Path, now: datetime) -> int:
    """Removes files a worker left in the package folder (a run cut short) once older than a day."""
    removed = 0
    if not workdir.exists():
        return removed
    for path in workdir.iterdir():
        if path.is_file() and datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo) < now - JOB_TTL:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
