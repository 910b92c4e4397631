"""The package an office sends onward (MAT-11, MAT-14, 001 四(七)): one PDF per application in binding order
(cover, 申报表, each level's opinions, the notice result sheet, every material — the stamped copy where
a copy was endorsed), a ZIP of the original files with a manifest that verifies (SHA-256, size, who
uploaded and endorsed), and batch ZIPs of many applications built step by step.

Access: the reviewing organisations on the application's route and the enterprise's staff — exactly the
staff scope of services.scope — never an applicant, never another tenant (404 like a missing id). Every
package made is audited (export_package), with the stored files it read.

Batches are built one application per request (step_batch) into a ZIP file appended on disk, with the job's
state in a JSON file beside it: nothing is held in memory or in a process between steps, so any worker
(or instance sharing the directory) can take the next step and the page shows exact progress. Causes no
transition.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from portal import filemodes
from portal.documents import packages as documents
from portal.documents.notice_sheet import notice_result_pdf
from portal.domain import packages as rules
from portal.domain.errors import DomainError, NotFound, ValidationFailed
from portal.domain.materials import slot_title as title_of_slot
from portal.domain.uploads import EXTENSIONS
from portal.models import Application, Material, Notice, Organisation, StoredFile
from portal.services import audit, endorsements, notices, printing, queues
from portal.services.actors import Actor
from portal.services.applications import timeline
from portal.services.calendar import SHANGHAI, today
from portal.services.materials import active_materials
from portal.services.scope import get_application, visible_applications
from portal.storage import FileCorrupted, FileMissing, Storage

MAX_BATCH = 500  # applications in one batch ZIP: about what a bureau sends onward in one go
JOB_TTL = timedelta(hours=24)  # a finished or abandoned batch is removed a day after it started
LOCK_STALE = timedelta(minutes=10)  # a step lock older than this was left by a crashed worker
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
        raise NotFound("找不到该申报，或您无权查看")
    return get_application(session, actor, application_id)


def result_sheet_pdf(session: Session, storage: Storage, notice: Notice) -> bytes:
    """The notice result sheet (公示结果) of a closed notice, sealed with the unit's seal when it has one."""
    header, rows = notices.result(notice)
    assert notice.closed_at is not None
    signer = notice.published_by.name if notice.published_by else ""
    seal = endorsements.current_seal(session, notice.org_id)
    seal_png = storage.get(seal.file.sha256) if seal else None
    return notice_result_pdf(header, rows, closed_on=today(notice.closed_at), signer=signer, seal=seal_png)


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
    return [
        ("申报人", application.applicant.name),
        ("工作单位", application.enterprise.name),
        ("申报系列", application.series),
        ("专业", application.specialty),
        ("申报级别", application.level),
        ("申报途径", application.pathway or "—"),
        ("受理批次", application.batch_id or "—"),
        ("审核路径", " → ".join(o.name for o in _route(application))),
        ("当前状态", application.state.title),
    ]


def _route(application: Application) -> list[Organisation]:
    return [application.enterprise, application.department, application.bureau]


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


def _notice_pdf(session: Session, storage: Storage, actor: Actor, application: Application) -> bytes | None:
    notice = notices.notice_of_application(session, actor, application.id)
    if notice is None or notice.closed_at is None:
        return None
    return result_sheet_pdf(session, storage, notice)


def _material_title(index: int, material: Material) -> str:
    name = _bound_file(material).display_name or title_of_slot(material.slot)
    kind = "复印件" if material.is_copy else "原件"
    return f"{index}. {name}（{kind}，{material.pages}页）"


@dataclass(frozen=True)
class BuiltPdf:
    data: bytes
    pages: int
    file_ids: list[int]


def build_pdf(
    session: Session, storage: Storage, actor: Actor, application: Application, now: datetime
) -> BuiltPdf:
    """The package PDF of an application the caller has already checked access to."""
    present = _bound_materials(session, application)
    by_id = {m.id: m for m in present}
    numbered = {m.id: i for i, m in enumerate(present, start=1)}
    notice_pdf = _notice_pdf(session, storage, actor, application)
    order = rules.binding_order(
        [(m.slot, m.id, _material_title(numbered[m.id], m)) for m in present],
        has_notice_result=notice_pdf is not None,
    )
    label = f"{application.applicant.name} 申报材料"
    generated = {"at": _shanghai(now), "by": actor.name}
    parts: dict[rules.Part, bytes] = {
        rules.Part.FORM: documents.render_part(
            "package_form.html", application=application, sections=_form_sections(actor, application)
        ),
        rules.Part.OPINIONS: documents.render_part(
            "package_opinions.html", application=application, groups=_opinions(session, actor, application)
        ),
    }
    if notice_pdf is not None:
        parts[rules.Part.NOTICE_RESULT] = notice_pdf
    pieces: list[documents.Piece] = []
    file_ids: list[int] = []
    for entry in order:
        if entry.part is rules.Part.COVER:
            continue  # made last: its table of contents needs every part's page count
        if entry.part is rules.Part.MATERIALS:
            material = by_id[entry.material_id]
            stored = _bound_file(material)
            file_ids.append(stored.id)
            pdf = documents.material_pdf(
                _read(session, storage, actor, application, stored, now), stored.media_type
            )
            slot_title = title_of_slot(material.slot)
            pieces.append(documents.Piece((rules.Part.MATERIALS.title, slot_title, entry.title), pdf, True))
        else:
            pieces.append(documents.Piece((entry.title,), parts[entry.part]))
    counts = [documents.page_count(piece.pdf) for piece in pieces]
    cover_pages = 1
    for _ in range(2):  # a long table of contents may take a second cover page: then count again
        cover = documents.render_part(
            "package_cover.html",
            facts=_cover_facts(application),
            contents=_table_of_contents(pieces, counts, first_page=cover_pages + 1),
            generated=generated,
            application=application,
        )
        if documents.page_count(cover) == cover_pages:
            break
        cover_pages = documents.page_count(cover)
    pieces.insert(0, documents.Piece((rules.Part.COVER.title,), cover))
    data = documents.bind(pieces, title=f"{application.applicant.name} 职称申报材料", label=label)
    return BuiltPdf(data=data, pages=cover_pages + sum(counts), file_ids=file_ids)


def _table_of_contents(
    pieces: list[documents.Piece], counts: list[int], *, first_page: int
) -> list[tuple[int, str, int]]:
    """The cover's 装订目录: (depth, title, first page) of each section, slot heading and material."""
    lines: list[tuple[int, str, int]] = []
    seen: set[tuple[str, ...]] = set()
    page = first_page
    for piece, count in zip(pieces, counts, strict=True):
        for depth in range(1, len(piece.path) + 1):
            prefix = piece.path[:depth]
            if prefix not in seen:
                seen.add(prefix)
                lines.append((depth - 1, prefix[-1], page))
        page += count
    return lines


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
    """The application's materials in binding order (the PDF, its table of contents and the ZIP agree)."""
    present = active_materials(session, application.id)
    return sorted(present, key=lambda m: rules.material_rank(m.slot, m.id))


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
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for f in files:
        writer.writerow(
            (
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


def write_application(
    session: Session,
    storage: Storage,
    actor: Actor,
    application: Application,
    zf: zipfile.ZipFile,
    folder: str,
    now: datetime,
    *,
    with_pdf: bool,
) -> dict[str, Any]:
    """One application's files into an open ZIP under `folder`, file by file (one in memory at a time),
    with manifest.json and manifest.csv last. Returns what the audit event records."""
    files: list[ManifestFile] = []
    file_ids: list[int] = []
    pages = 0
    originals = list(_material_files(_bound_materials(session, application)))
    for _path, stored, _row in originals:
        # Every file is checked before the first byte is written, so a bad one leaves no half folder.
        _read(session, storage, actor, application, stored, now)
    if with_pdf:
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
    for path, stored, row in originals:
        data = _read(session, storage, actor, application, stored, now)
        _store(zf, folder + path, data, now, compress=False)  # PDFs and photos are compressed already
        files.append(row)
        file_ids.append(stored.id)
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


def package_zip(
    session: Session, storage: Storage, actor: Actor, application_id: int, target: Path, now: datetime
) -> str:
    """The originals (and stamped copies) of one application with their manifest, written to `target`;
    returns the download's file name. Audited."""
    application = downloadable(session, actor, application_id)
    with zipfile.ZipFile(target, "w") as zf:
        detail = write_application(session, storage, actor, application, zf, "", now, with_pdf=False)
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
            listed.update({manifest_name, folder + MANIFEST_CSV})
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


@dataclass
class BatchJob:
    token: str
    user_id: int
    org_id: int
    ids: list[int]
    created_at: str
    done: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""  # the archive itself broke (a worker killed mid-write): the batch cannot go on

    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


def _job_path(workdir: Path, token: str) -> Path:
    if not (len(token) == 32 and all(c in "0123456789abcdef" for c in token)):
        raise NotFound("找不到该打包任务，或已过期")
    return workdir / f"{token}.json"


def _save(workdir: Path, job: BatchJob) -> None:
    path = _job_path(workdir, job.token)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(asdict(job), ensure_ascii=False))
    os.replace(temporary, path)  # a reader never sees half a job


def zip_path(workdir: Path, token: str) -> Path:
    """Where the batch job's archive lives under the package directory."""
    return _job_path(workdir, token).with_suffix(".zip")


def load_batch(workdir: Path, actor: Actor, token: str) -> BatchJob:
    """The job, to the person (in the same organisation) who started it only; anyone else: NotFound."""
    path = _job_path(workdir, token)
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        raise NotFound("找不到该打包任务，或已过期") from None
    job = BatchJob(**{**raw, "failed": [tuple(f) for f in raw.get("failed", [])]})
    if job.user_id != actor.user_id or job.org_id != actor.org_id:
        raise NotFound("找不到该打包任务，或已过期")
    return job


def sweep_batches(workdir: Path, now: datetime) -> int:
    """Removes batch files older than JOB_TTL (finished, downloaded or abandoned alike)."""
    removed = 0
    if not workdir.exists():
        return removed
    for path in workdir.iterdir():
        if datetime.fromtimestamp(path.stat().st_mtime, now.tzinfo) < now - JOB_TTL:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def start_batch(
    session: Session, actor: Actor, application_ids: list[int], workdir: Path, now: datetime
) -> BatchJob:
    """A batch of the applications the actor may package, in the order chosen; ids they cannot see are
    dropped (they read as missing, as everywhere)."""
    if not actor.is_staff:
        raise NotFound("找不到该申报，或您无权查看")
    wanted = list(dict.fromkeys(application_ids))
    if not wanted:
        raise ValidationFailed({"ids": "请先勾选要打包的申报"})
    if len(wanted) > MAX_BATCH:
        raise ValidationFailed({"ids": f"一次最多打包{MAX_BATCH}件申报，请分批勾选或缩小筛选范围"})
    visible = set(
        session.scalars(
            visible_applications(actor).with_only_columns(Application.id).where(Application.id.in_(wanted))
        )
    )
    ids = [i for i in wanted if i in visible]
    if not ids:
        raise NotFound("找不到所选的申报，或您无权查看")
    assert actor.org_id is not None
    filemodes.private_dir(workdir)
    sweep_batches(workdir, now)
    job = BatchJob(secrets.token_hex(16), actor.user_id, actor.org_id, ids, now.isoformat())
    filemodes.create_private(zip_path(workdir, job.token))  # every scan of up to 500 people: owner-only
    with zipfile.ZipFile(zip_path(workdir, job.token), "w"):
        pass  # an empty archive each step appends to
    _save(workdir, job)
    audit.record(
        session, actor, "start_package_batch", now, object_type="package_batch", object_id=None,
        detail={"token": job.token, "applications": ids},
    )  # fmt: skip
    return job


def filtered_ids(
    session: Session, actor: Actor, tab: queues.Tab, filters: queues.Filters, now: datetime
) -> list[int]:
    """Every application the queue shows for this tab and these filters (the same query as the list),
    refused when there are more than one batch may hold."""
    ids: list[int] = []
    for application in queues.export_rows(session, actor, tab, filters, now):
        ids.append(application.id)
        if len(ids) > MAX_BATCH:
            raise ValidationFailed(
                {"ids": f"筛选结果超过{MAX_BATCH}件，不能一次打包；请按批次、单位或级别缩小筛选范围"}
            )
    if not ids:
        raise ValidationFailed({"ids": "当前筛选没有申报可以打包"})
    return ids


def step_batch(
    session: Session, storage: Storage, actor: Actor, workdir: Path, token: str, now: datetime
) -> BatchJob:
    """Adds the next application of the batch to its ZIP (one per call, so each request stays short).

    A second step running at the same time (a double click, two tabs) finds the lock and returns the job
    as it is, so no application is appended twice."""
    job = load_batch(workdir, actor, token)
    if job.finished or job.error:
        return job
    lock = _job_path(workdir, token).with_suffix(".lock")
    try:
        handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        age = now - datetime.fromtimestamp(lock.stat().st_mtime, now.tzinfo)
        if age < LOCK_STALE:
            return job
        lock.unlink(missing_ok=True)  # left by a worker that died mid-step: the step is retried
        return job
    try:
        os.close(handle)
        job = load_batch(workdir, actor, token)  # re-read under the lock
        if job.finished:
            return job
        application_id = job.ids[job.done]
        if job.error:
            return job
        try:
            application = downloadable(session, actor, application_id)
            folder = rules.safe_name(f"{job.done + 1:03d}-{application.applicant.name}-{application.id}")
            target = zip_path(workdir, token)
            # Mode "a" would quietly start a new archive after a broken one, losing what it held.
            if not zipfile.is_zipfile(target):
                job.error = "打包文件已损坏（可能是服务器中途重启），请返回审核队列重新勾选打包"
                _save(workdir, job)
                return job
            with zipfile.ZipFile(target, "a") as zf:
                detail = write_application(
                    session, storage, actor, application, zf, folder + "/", now, with_pdf=True
                )
            audit.record(
                session, actor, "export_package", now, object_type="application",
                object_id=application.id, detail={"format": "batch", "token": job.token, **detail},
            )  # fmt: skip
        except NotFound:
            job.failed.append((application_id, "找不到该申报，或您已无权查看"))
        except DomainError as refused:
            job.failed.append((application_id, refused.message))
        job.done += 1
        _save(workdir, job)
        return job
    finally:
        lock.unlink(missing_ok=True)


def finished_batch(
    session: Session, actor: Actor, workdir: Path, token: str, now: datetime
) -> tuple[BatchJob, Path]:
    """The finished batch's ZIP for download, audited."""
    job = load_batch(workdir, actor, token)
    if job.error:
        raise DomainError(job.error, code="batch_broken")
    if not job.finished:
        raise DomainError(f"打包尚未完成（{job.done}/{job.total}），请等待完成后再下载", code="not_finished")
    audit.record(
        session, actor, "export_package_batch", now, object_type="package_batch", object_id=None,
        detail={"token": job.token, "applications": job.ids, "failed": [i for i, _ in job.failed]},
    )  # fmt: skip
    return job, zip_path(workdir, token)
