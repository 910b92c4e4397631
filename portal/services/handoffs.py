"""Hand-offs to the provincial systems (issue 23): what the UI downloads and `flask handoff build` writes.

For one target (a hand-off profile: jx, js, km) and a list of applications the caller may export, every
application gets a folder of its own:

- one file per upload slot of theirs, in their slot order and naming pattern, each of an accepted type
  and within the cap (documents/fitting.py: kept byte for byte when it fits, else re-encoded down the
  profile's ladder, else split into numbered parts); the stamped copy where a copy was endorsed;
- the documents the profile prints for each application (the 个人承诺书 as signed online, the 申报表 in
  their field order with its copy-helper page, Kunming's 综合情况（公示）表 with the notice's period and
  result and the unit's seal);
- ``manifest.json`` + ``manifest.csv``: applicant, slot, file, bytes, SHA-256, page count, parts, and
  every problem (a page that needs a new scan, a corrupt or encrypted upload, a slot of ours with no
  place in theirs, a required slot missing, a check of the notice that fails).

Beside the folders, the export-wide files: the spreadsheets in the profile's column layout (the
certificate Excel for the city title office: Jiangxi's lists the 认定 road's certificates, as its 批复 does)
and the 批复 of those certified, then the export's own
manifest. A problem never stops the export: it is named and the rest is built. Nothing here commits;
the caller audits (``record_export``). Causes no transition.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from portal.documents import handoffs as documents
from portal.documents.cells import csv_cell
from portal.documents.fitting import Source, fit
from portal.domain.corrections import FIELD_TITLES
from portal.domain.errors import NotFound
from portal.domain.form import SECTION_BY_KEY, Row
from portal.domain.handoffs import (
    HandoffProfile,
    Sheet,
    form_sections,
    map_slots,
    unplaced_fields,
    unplaced_rows,
    valid_until,
    value_titles,
)
from portal.domain.i18n import T_, joined
from portal.domain.identity import DocumentType, resident_id_facts
from portal.domain.materials import PLEDGE_TEXT, SLOT_BY_KEY, slot_title
from portal.domain.packages import safe_name
from portal.domain.workflow import Status, recommended_by_unit
from portal.models import Application, EntryOutcome, Material, Organisation, OrgKind, StaffRole
from portal.services import audit, committees, endorsements, forms, handoff_profiles, notices
from portal.services.actors import SYSTEM, Actor
from portal.services.calendar import SHANGHAI, today
from portal.services.certificates import approval_of, certifying_authority, recognised
from portal.services.materials import active_materials
from portal.services.policies import batch_title, effective_profile
from portal.services.scope import WITHOUT_LONG_TEXTS, visible_applications
from portal.storage import FileCorrupted, FileMissing, Storage

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
CSV_HEADERS = ("申报人", "申报ID", "栏目", "文件", "文件类型", "大小（字节）", "SHA-256", "页数", "分卷")
PROBLEM_HEADERS = ("申报人", "申报ID", "栏目", "问题")
EXTENSIONS = {"image/jpeg": "jpg", "application/pdf": "pdf"}


class Sink(Protocol):
    """Where an export's files go: a folder on disk (the CLI) or a ZIP (the download)."""

    def put(self, path: str, data: bytes) -> None: ...


class FolderSink:
    """Writes each file under ``root`` (folders made as needed)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, path: str, data: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


class ZipSink:
    """Writes each file into an open ZIP (JPEGs and PDFs stored as they are: compressed already)."""

    def __init__(self, zf: zipfile.ZipFile, now: datetime) -> None:
        self.zf, self.now = zf, now.astimezone(SHANGHAI)

    def put(self, path: str, data: bytes) -> None:
        n = self.now
        info = zipfile.ZipInfo(path, date_time=(n.year, n.month, n.day, n.hour, n.minute, 0))
        compress = not path.endswith((".jpg", ".pdf"))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self.zf.writestr(info, data)


@dataclass(frozen=True)
class FileEntry:
    """One file of the export, as its manifest lists it (path relative to the export's root)."""

    applicant: str
    application_id: int | None
    slot: str  # their slot's title, or the document's
    file: str
    media_type: str
    bytes: int
    sha256: str
    pages: int
    part: int = 0  # 1-based when split into parts
    parts: int = 1


@dataclass(frozen=True)
class Problem:
    """Something the export could not do as the target wants, in Chinese (shown on screen and listed)."""

    applicant: str
    application_id: int | None
    slot: str
    what: str


@dataclass
class Export:
    """What an export built: the files, the problems, our slots with no place in the target's."""

    target: str
    applications: int = 0
    files: list[FileEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unmapped: set[str] = field(default_factory=set)

    @property
    def largest_bytes(self) -> int:
        return max((f.bytes for f in self.files if f.application_id is not None), default=0)

    def summary(self) -> dict[str, Any]:
        """The JSON summary `flask handoff build` prints (issue 23.7)."""
        return {
            "applications": self.applications,
            "files": len(self.files),
            "largest_bytes": self.largest_bytes,
            "unmapped_slots": sorted(self.unmapped),
        }

    def add(self, sink: Sink, entry: FileEntry, data: bytes) -> None:
        sink.put(entry.file, data)
        self.files.append(entry)


# --- the values documents and sheets show ---------------------------------------------------------------


EMPTY = "—"  # a field with nothing in it
NONE_ROW = "无"  # a repeating section without rows: one line saying so, not left out
# What the copy helper offers no 复制 button for: pasting either puts a placeholder into the system's field.
NOTHING_TO_COPY = frozenset({EMPTY, NONE_ROW})


def _display(value: object) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def _notice_values(session: Session, application: Application) -> dict[str, object]:
    entry = notices.unit_entry_for_application(session, application)
    if entry is None:
        return {}
    notice = entry.notice
    over = notices.overruled(notice, entry)  # as the 公示结果 says it
    if over is not None:
        result = "有异议，经核查不成立：" + over.handling
    elif entry.state is EntryOutcome.PASSED:
        result = "公示期满无异议"
    elif entry.state is EntryOutcome.REMOVED:
        result = f"异议成立，不予推荐（{entry.outcome_note}）"
    else:
        result = "公示中"
    return {
        "notice.unit": notice.org.name,
        "notice.period": notices.period_text(notice),
        "notice.years": notices.years_posted(session, entry),
        "notice.location": notice.location,
        "notice.contact": notice.contact,
        "notice.result": result,
    }


def _unit_recommended(application: Application) -> bool:
    return recommended_by_unit(application.state, application.reached_level)


def _committee(session: Session, application: Application) -> str:
    """A form's 评委会 row: the reviewing committee's name on the 评审 road (blank while the bureau has
    yet to choose among several); on the bureau's road no committee reviews it, and the row says so
    rather than naming the certifying authority (Kunming's 考核定职, 004 三)."""
    if committees.road(session, application) == "committee":
        found = committees.reviewing_committee(session, application, _now(application))
        return found.name if found is not None else ""
    profile = effective_profile(session, application.bureau)
    scope = profile.pathway(application.pathway) if profile is not None else None
    pathway = scope.label if scope is not None else application.pathway or ""
    return f"无（{pathway}，不经评委会评审）" if pathway else "无（不经评委会评审）"


def values_of(session: Session, application: Application) -> dict[str, object]:
    """Every value a profile may name (domain.handoffs.value_titles) for one application."""
    person = application.applicant
    sex: str = ""
    born: date | None = None
    try:
        facts = resident_id_facts(person.id_number)
        sex, born = facts.sex, facts.birth_date
    except ValueError:  # a passport or permit number: no birth date or sex in it
        pass
    certified = application.certified_at
    values: dict[str, object] = {
        "applicant.name": person.name,
        "applicant.sex": sex,
        "applicant.birth_date": born,
        # 出生年月 as the forms write it (1990年6月): a full date put the day into a year-and-month field.
        "applicant.birth_month": f"{born.year}年{born.month}月" if born else "",
        "applicant.id_number": person.id_number,
        "applicant.phone": person.phone,
        "enterprise.name": application.enterprise.name,
        "enterprise.uscc": application.enterprise.uscc or "",
        "department.name": application.department.name,
        "bureau.name": application.bureau.name,
        "series": application.series,
        "specialty": application.specialty,
        "level": application.level,
        "pathway": application.pathway or "",
        "authority": certifying_authority(session, application),
        "committee": _committee(session, application),
        "batch": batch_title(
            effective_profile(session, application.bureau),
            application.batch_id,
            application.authority_code,
            application.batch_name,
        )
        if application.batch_id
        else "",
        "submitted_on": today(application.submitted_at) if application.submitted_at else None,
        "opinion.enterprise": "经单位审核，同意推荐" if _unit_recommended(application) else "",
        "certificate.number": application.certificate_no or "",
        "certificate.date": today(certified) if certified else None,
        "certificate.authority": certifying_authority(session, application) if certified else "",
        "certificate.status": ("已撤销" if application.certificate_revoked_at else "有效")
        if certified
        else "",
        "pledge.text": PLEDGE_TEXT if application.pledge_signed_at else "",
        "pledge.signed_at": application.pledge_signed_at,
    }
    values.update(_notice_values(session, application))
    for name in FIELD_TITLES:
        values[f"form.{name}"] = getattr(application, name, None)
    rows = forms.rows_of(session, application.id)
    for key in SECTION_BY_KEY:
        values[f"rows.{key}"] = tuple(r for r in rows if r.section.value == key)
    return values


def _section_rows(key: str, values: dict[str, object]) -> list[tuple[str, str]]:
    """The rows of one repeating section as labelled pairs, each row's filled fields in form order
    ("工作经历（1）工作单位"); an empty section is one line saying 无: none, not left out."""
    spec = SECTION_BY_KEY[key]
    found = values.get(f"rows.{key}")
    rows: Sequence[Row] = found if isinstance(found, tuple) else ()
    if not rows:
        return [(spec.title, NONE_ROW)]
    return [
        (
            T_("%(section)s（%(num)s）%(field)s", section=spec.title, num=number, field=f.title),
            row.shown(f.name),
        )
        for number, row in enumerate(rows, start=1)
        for f in spec.fields
        if row.get(f.name) not in (None, "", False)  # only what the row says, as the printed form
    ]


def document_rows(
    profile_document: Any, values: dict[str, object], *, number_label: str | None = None
) -> tuple[list[tuple[str, list[tuple[str, str]]]], list[tuple[str, str]]]:
    """A document's sections as (title, [(label, shown value)]) in the target's order, and the fields and
    repeating sections' rows of our form the layout does not place yet (listed apart, never dropped).
    ``number_label`` (the printed documents: the applicant's ``number_label``, 护照号码…) names the row of
    the applicant's number; without it (the copy page) the row keeps the target system's field name, the
    field the number is pasted into."""
    titles = value_titles()
    sections = form_sections()
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for section in profile_document.sections:
        rows: list[tuple[str, str]] = []
        for f in section.fields:
            if f.rows:
                rows += _section_rows(f.rows, values)
                continue
            names = sections.get(f.section, ()) if f.section else (f.value,)
            for name in names:
                label = f.label if f.value else titles[name]
                if name == "applicant.id_number" and number_label is not None:
                    # A passport or permit number printed as 身份证号码 is no ID card number.
                    label = number_label
                rows.append((label, _display(values.get(name))))
        out.append((section.title, rows))
    unplaced = [(titles[n], _display(values.get(n))) for n in unplaced_fields(profile_document)]
    for key in unplaced_rows(profile_document):
        unplaced += _section_rows(key, values)
    return out, unplaced


# --- one application ------------------------------------------------------------------------------------


def _bound(material: Material) -> Any:
    """What goes to the target: the stamped copy where a copy was endorsed (004 二(十)), else the upload."""
    return material.endorsement.stamped_file if material.endorsement is not None else material.file


def _kind(slot: str) -> str:
    """A material's slot as the profiles name it: a 申报表 row's slot ("xuexin@12") is its kind's."""
    return slot.partition("@")[0]


def _checks(
    profile: HandoffProfile, application: Application, materials: list[Material]
) -> list[tuple[str, str]]:
    """The target notice's checks that fail, as (slot title, message)."""
    by_slot: dict[str, list[Material]] = {}
    for m in materials:
        by_slot.setdefault(_kind(m.slot), []).append(m)
    failed: list[tuple[str, str]] = []
    submitted = today(application.submitted_at) if application.submitted_at else None
    for check in profile.checks:
        title = SLOT_BY_KEY[check.slot].title if check.slot else "复印件"
        if check.kind == "slot_present" and not by_slot.get(check.slot):
            failed.append((title, check.message))
        elif check.kind == "valid_on_submission":
            for m in by_slot.get(check.slot, []):
                if m.document_date is None or submitted is None:
                    failed.append((title, f"{check.message}（未填写打印日期，无法核对）"))
                elif valid_until(m.document_date, check.months) < submitted:
                    day = valid_until(m.document_date, check.months)
                    failed.append(
                        (title, f"{check.message}（有效至{_display(day)}，提交于{_display(submitted)}）")
                    )
        elif check.kind == "copies_endorsed":
            for m in materials:
                if m.is_copy and m.endorsement is None:
                    failed.append((slot_title(m.slot), check.message))
    return failed


def build_application(
    session: Session,
    storage: Storage,
    profile: HandoffProfile,
    application: Application,
    folder: str,
    export: Export,
    sink: Sink,
    pause: Callable[[], None] = lambda: None,
) -> None:
    """One application's folder: its slots' files, its documents, its manifest; problems into ``export``.
    ``pause`` is called before each slot's files are fitted (seconds of CPU for a 30-page scan): the
    worker ends its read transaction there, so SQLite writers elsewhere are not held up."""
    who, app_id = application.applicant.name, application.id
    start = len(export.files), len(export.problems)
    materials = sorted(active_materials(session, application.id), key=lambda m: m.id)
    plan = map_slots(profile, {_kind(m.slot) for m in materials})
    rules = profile.files
    for order, slot, ours in plan.sent:
        sources: list[Source] = []
        for m in (m for key in ours for m in materials if _kind(m.slot) == key):
            stored = _bound(m)
            try:
                sources.append(Source(stored.display_name, storage.get(stored.sha256), stored.media_type))
            except (FileCorrupted, FileMissing):
                export.problems.append(
                    Problem(
                        who,
                        app_id,
                        slot.title,
                        f"“{stored.display_name}”在文件库中缺失或被改动，请联系管理员恢复",
                    )
                )
        if not sources:
            continue
        pause()
        fitted = fit(sources, cap=rules.max_bytes, types=rules.types, ladder=rules.ladder)
        for unfit in fitted.unfit:
            where = f"第{unfit.page}页" if unfit.page else ""
            export.problems.append(Problem(who, app_id, slot.title, f"“{unfit.label}”{where}：{unfit.why}"))
        count = len(fitted.outputs)
        for index, output in enumerate(fitted.outputs, start=1):
            ext = EXTENSIONS[output.media_type]
            name = rules.name(order=order, title=slot.title, key=slot.key, ext=ext, part=index, parts=count)
            data = output.data
            export.add(
                sink,
                FileEntry(
                    who, app_id, slot.title, folder + safe_name(name), output.media_type, len(data),
                    hashlib.sha256(data).hexdigest(), output.pages, index if count > 1 else 0, count,
                ),
                data,
            )  # fmt: skip
    for slot in plan.missing:
        export.problems.append(Problem(who, app_id, slot.title, "缺少必传材料，目标系统不予受理"))
    for key in plan.unmapped:
        export.unmapped.add(key)
        title = SLOT_BY_KEY[key].title
        export.problems.append(
            Problem(who, app_id, title, f"“{title}”在{profile.system}中没有对应栏目，未报送")
        )
    for title, message in _checks(profile, application, materials):
        export.problems.append(Problem(who, app_id, title, message))
    _documents(session, storage, profile, application, folder, export, sink)
    _manifest(
        sink,
        folder,
        profile,
        application,
        export.files[start[0] :],
        export.problems[start[1] :],
        plan.not_sent,
    )


def _documents(
    session: Session,
    storage: Storage,
    profile: HandoffProfile,
    application: Application,
    folder: str,
    export: Export,
    sink: Sink,
) -> None:
    values = values_of(session, application)
    who, app_id = application.applicant.name, application.id
    person = application.applicant
    # A resident ID card's number keeps the target's own label (身份证号码, 公民身份号码…); another
    # document's is named as the 申报表 and the certificate name it (护照号码…).
    resident = person.document_type == DocumentType.RESIDENT_ID.value
    own_label = None if resident else person.number_label
    for named in profile.documents:
        if named.kind == "approval":
            continue  # once for the export
        doc = handoff_profiles.document_for(named, application)
        sections, unplaced = document_rows(doc, values, number_label=own_label)
        signature = None
        pledge = ""
        if doc.kind == "pledge":
            if application.pledge_signed_at is None:
                export.problems.append(Problem(who, app_id, doc.title, "申报人尚未在线签署诚信承诺书"))
                continue
            pledge = PLEDGE_TEXT
            sections = [("", [("签署人", who), ("签署时间", _display(application.pledge_signed_at))])]
        if doc.seal:
            seal = endorsements.current_seal(session, application.enterprise_id)
            image = None
            if seal is not None:
                try:
                    image = storage.get(seal.file.sha256)
                except (FileCorrupted, FileMissing):
                    image = None
            if image is None:
                export.problems.append(
                    Problem(who, app_id, doc.title, "单位尚未上传公章图片：请打印后加盖公章")
                )
            signature = documents.Signature(
                unit=application.enterprise.name,
                seal=image,
                seal_box=image is None,
                day=today(_now(application)),
            )
        meta = f"{who} · {application.series}/{application.specialty} · {application.level}"
        data = documents.document_pdf(doc.title, sections, meta=meta, pledge=pledge, signature=signature)
        export.add(
            sink,
            FileEntry(who, app_id, doc.title, folder + doc.file, "application/pdf", len(data),
                      hashlib.sha256(data).hexdigest(), _pages(data)),
            data,
        )  # fmt: skip
        if doc.copy_page:
            # The copy page names each field as the system does: the number goes into its 身份证号码 field.
            fields, unplaced = document_rows(doc, values)
            html = documents.copy_page_html(
                doc.title, profile.system, f"{who}（{application.enterprise.name}）", fields, unplaced,
                _display(datetime.now(SHANGHAI)),
            )  # fmt: skip
            name = doc.file.removesuffix(".pdf") + "-填报助手.html"
            export.add(
                sink,
                FileEntry(who, app_id, f"{doc.title}（填报助手）", folder + name, "text/html", len(html),
                          hashlib.sha256(html).hexdigest(), 0),
                html,
            )  # fmt: skip


def _now(application: Application) -> datetime:
    """The day a sealed sheet is dated: the notice's close (when it was decided), else its last change."""
    return application.status_changed_at


def _pages(data: bytes) -> int:
    from portal.documents.fitting import page_count

    return page_count(data, "application/pdf")


def _manifest(
    sink: Sink,
    folder: str,
    profile: HandoffProfile,
    application: Application | None,
    files: Sequence[FileEntry],
    problems: Sequence[Problem],
    not_sent: Iterable[tuple[str, str]] = (),
) -> None:
    manifest = {
        "target": profile.id,
        "system": profile.system,
        "application": (
            {
                "id": application.id,
                "applicant": application.applicant.name,
                "unit": application.enterprise.name,
            }
            if application is not None
            else None
        ),
        "algorithm": "sha256",
        "max_bytes": profile.files.max_bytes,
        "files": [{**asdict(f), "file": f.file.removeprefix(folder)} for f in files],
        "not_sent": [{"slot": SLOT_BY_KEY[k].title, "reason": r} for k, r in not_sent],
        "problems": [asdict(p) for p in problems],
    }
    sink.put(folder + MANIFEST_JSON, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for f in files:
        part = f"{f.part}/{f.parts}" if f.parts > 1 else ""
        row = (f.applicant, f.application_id or "", f.slot, f.file.removeprefix(folder), f.media_type,
               f.bytes, f.sha256, f.pages, part)  # fmt: skip
        writer.writerow(csv_cell(v) for v in row)
    if problems:
        writer.writerow(())
        writer.writerow(PROBLEM_HEADERS)
        for p in problems:
            writer.writerow(csv_cell(v) for v in (p.applicant, p.application_id or "", p.slot, p.what))
    sink.put(folder + MANIFEST_CSV, ("\ufeff" + out.getvalue()).encode())


# --- the export -----------------------------------------------------------------------------------------


def folder_of(index: int, application: Application) -> str:
    """An application's folder in the export: its place, the applicant and the id (names repeat)."""
    return safe_name(f"{index:03d}-{application.applicant.name}-{application.id}") + "/"


def _sheet_rows(session: Session, sheet: Sheet, applications: list[Application]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    # 认定 only (Jiangxi's 考核认定通过人员证书信息): the 批复's own choice, so the sheet and the 批复 sent
    # beside it name the same people; a certificate reached by 评审 is in neither.
    taken = set(recognised(applications)) if sheet.rows == "recognised" else set()
    for application in applications:
        if sheet.rows == "certified" and application.state is not Status.CERTIFIED:
            continue
        if sheet.rows == "recognised" and application not in taken:
            continue
        rows.append({**values_of(session, application), "row.number": len(rows) + 1})
    return rows


def build_export(
    session: Session,
    storage: Storage,
    profile: HandoffProfile,
    applications: list[Application],
    sink: Sink,
) -> Export:
    """Every application's folder, then the export-wide sheets, 批复 and manifest. The caller chose the
    applications (and checked access to them)."""
    export = Export(profile.id, applications=len(applications))
    for index, application in enumerate(applications, start=1):
        build_application(session, storage, profile, application, folder_of(index, application), export, sink)
    finish_export(session, profile, applications, export, sink)
    return export


def finish_export(
    session: Session, profile: HandoffProfile, applications: list[Application], export: Export, sink: Sink
) -> None:
    """The export-wide files after the folders: sheets, the 批复, the export's manifest."""
    for sheet in profile.sheets:
        rows = _sheet_rows(session, sheet, applications)
        if not rows and sheet.rows != "all":
            continue  # nobody certified (认定'd) among them: no sheet to send on (as no 批复)
        data = documents.sheet_xlsx(sheet, rows)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        export.add(sink, FileEntry("", None, sheet.title, sheet.file, media, len(data),
                                   hashlib.sha256(data).hexdigest(), 0), data)  # fmt: skip
    approval = profile.document("approval")
    if approval is not None:
        data = approval_of(session, applications)
        if data is not None:
            export.add(sink, FileEntry("", None, approval.title, approval.file, "application/pdf", len(data),
                                       hashlib.sha256(data).hexdigest(), _pages(data)), data)  # fmt: skip
    _manifest(sink, "", profile, None, export.files, export.problems)


def profile_of(target: str) -> HandoffProfile:
    """The hand-off profile of a target (jx, js, km), or a Chinese NotFound naming the known ones."""
    found = handoff_profiles.profiles().get(target)
    if found is None:
        known = joined(sorted(handoff_profiles.profiles()))
        raise NotFound(T_("没有“%(target)s”报送配置，可用：%(known)s", target=target, known=known))
    return found


def targets_of(session: Session, actor: Actor) -> list[HandoffProfile]:
    """The targets the actor's unit hands off to: its bureau's (each of them when its bureau has none)."""
    org = session.get(Organisation, actor.org_id) if actor.org_id is not None else None
    own = handoff_profiles.target_for(org)
    return [own] if own is not None else list(handoff_profiles.profiles().values())


def _taken_by(session: Session, profile: HandoffProfile) -> ColumnElement[bool]:
    """The applications this target takes, as a condition: a status it takes (from its stage on), of a
    bureau that hands off to it (its policy profile's target: one read of the bureaus, a few dozen rows in a
    province), so a unit's list is one indexed statement, not every application loaded and sorted out in
    Python."""
    statuses = [s.value for s in Status if profile.takes(s)]
    bureaus = [
        org.id
        for org in session.scalars(select(Organisation).where(Organisation.kind == OrgKind.BUREAU.value))
        if (target := handoff_profiles.target_for(org)) is not None and target.id == profile.id
    ]
    return and_(Application.status.in_(statuses), Application.bureau_id.in_(bureaus))


def eligible(session: Session, profile: HandoffProfile, base: Any = None) -> list[Application]:
    """The applications this target takes (their bureau hands off to it; from its stage on), oldest first;
    ``base`` narrows the query (an actor's visible applications)."""
    query = base if base is not None else select(Application)
    return list(session.scalars(query.where(_taken_by(session, profile)).order_by(Application.id)))


def visible_eligible(session: Session, actor: Actor, profile: HandoffProfile) -> list[Application]:
    """What the actor may hand off to this target: eligible and within their scope."""
    return eligible(session, profile, visible_applications(actor))


def record_export(
    session: Session,
    actor: Actor | None,
    export: Export,
    application_ids: list[int],
    now: datetime,
    **extra: Any,
) -> None:
    """The export's audit: which target, which applications, how many files, which problems.

    Made for no organisation (`flask handoff build`: the system, no user), the row would name none, and
    its object (the export) is no organisation's: no bureau's audit viewer would list it. It is recorded
    as each bureau's whose applications it holds instead, one row per bureau naming that bureau's
    applications only (the files and problems counted are the whole export's)."""
    detail = {"target": export.target, **export.summary(), "problems": len(export.problems), **extra}
    rows: list[tuple[Actor | None, list[int]]] = [(actor, application_ids)]
    if actor is None or actor.org_id is None:
        by_bureau: dict[int, list[int]] = {}
        for application_id in application_ids:
            found = session.get(Application, application_id)  # the command's own rows: no statement
            if found is not None:
                by_bureau.setdefault(found.bureau_id, []).append(application_id)
        # The system acting for each bureau: its organisation on the row, still no user.
        for_bureau = [
            (replace(actor or SYSTEM, org_id=bureau, org_kind=OrgKind.BUREAU), ids)
            for bureau, ids in by_bureau.items()
        ]
        rows = for_bureau or rows
    for on_behalf, ids in rows:
        audit.record(
            session, on_behalf, "export_handoff", now, object_type="handoff", object_id=None,
            detail={**detail, "applications": ids},
        )  # fmt: skip


# --- the export as a background job (issue 23.5) ----------------------------------------------------------
# The worker builds each application's folder into a ZIP of its own, stores it and records it as a
# HandoffPart with its manifest in one short transaction: a run cut short resumes after the last part
# stored. Once every part is there, the parts are copied into one ZIP with the export-wide files, stored,
# audited once, and the parts removed.


def holds(actor: Actor, application: Application) -> bool:
    """The hand-off carries the originals (re-encoded, no watermark): like the originals' ZIP, only for
    the handler of the organisation holding the application (domain.packages.originals_refusal)."""
    return actor.staff_role is StaffRole.HANDLER and actor.org_id == application.current_org_id


# Rows of the hand-off page per target: a bureau holds every case it certified, thousands in a year (at
# 20,000 applications in a province, its page was 6,441 rows, 2.3 MB and 1–2.7 s; bench/README.md).
PAGE_SIZE = 100


@dataclass(frozen=True)
class ExportablePage:
    """One page of what the actor's unit may hand off to a target, oldest first, and how many there are in
    all (what 导出全部 exports)."""

    profile: HandoffProfile
    rows: list[Application]
    total: int
    after: int | None = None  # the last id of the page before (None on the first)
    next_after: int | None = None  # where the next page starts (None on the last)


def _exportable(session: Session, actor: Actor, profile: HandoffProfile) -> Select[tuple[Application]]:
    """In scope, taken by the target, held by the actor's unit (its handler exports them: ``holds``)."""
    return visible_applications(actor).where(
        _taken_by(session, profile), Application.current_org_id == actor.org_id
    )


def exportable(
    session: Session, actor: Actor, profile: HandoffProfile, *, after: int | None = None
) -> ExportablePage:
    """A page of what the actor's unit may hand off to the target (after the application `after`), with the
    count of all of them. The rows leave the form's long texts unread: the page names each case only."""
    if not actor.is_staff:
        return ExportablePage(profile, [], 0)
    query = _exportable(session, actor, profile)
    total = session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    page = query.where(Application.id > after) if after is not None else query
    found = list(
        session.scalars(page.order_by(Application.id).limit(PAGE_SIZE + 1).options(*WITHOUT_LONG_TEXTS))
    )
    more = len(found) > PAGE_SIZE
    rows = found[:PAGE_SIZE]
    return ExportablePage(profile, rows, total, after, rows[-1].id if more else None)


def exportable_ids(session: Session, actor: Actor, profile: HandoffProfile) -> list[int]:
    """The ids of everything the actor's unit may hand off to the target (every page), oldest first."""
    if not actor.is_staff:
        return []
    query = _exportable(session, actor, profile).with_only_columns(Application.id)
    return list(session.scalars(query.order_by(Application.id)))


def start_export(
    session: Session,
    actor: Actor,
    target: str,
    application_ids: list[int] | None,
    now: datetime,
    *,
    membership_id: int | None = None,
) -> Any:
    """A background job exporting the chosen applications (None: every one the actor may hand off) to the
    target; ids the actor may not hand off are dropped. Audited (start_handoff_export)."""
    from portal.domain.errors import ValidationFailed
    from portal.models import JobKind
    from portal.services import jobs

    profile = profile_of(target)
    # `holds`: the handler of the unit holding them, which every exportable one is.
    allowed = exportable_ids(session, actor, profile) if actor.staff_role is StaffRole.HANDLER else []
    if application_ids is not None:
        chosen = set(allowed)
        allowed = [i for i in dict.fromkeys(application_ids) if i in chosen]
    ids = allowed
    if not ids:
        raise ValidationFailed({"ids": f"没有可报送到{profile.system}的申报（须由当前办理单位的经办人导出）"})
    job = jobs.create_job(
        session, actor, JobKind.HANDOFF_EXPORT, {"target": profile.id, "ids": ids}, now,
        membership_id=membership_id, total=len(ids) + 1,
    )  # fmt: skip
    audit.record(
        session, actor, "start_handoff_export", now, object_type="handoff", object_id=job.id,
        detail={"job": job.id, "target": profile.id, "applications": ids},
    )  # fmt: skip
    return job


def recent_exports(session: Session, actor: Actor, now: datetime) -> list[Any]:
    """The actor's hand-off exports (in this unit) while their ZIP is kept, newest first: the page they
    were started from leads back to them once the job's page is closed."""
    from portal.models import Job, JobKind
    from portal.services.jobs import RESULT_TTL

    if actor.user_id is None:
        return []
    return list(
        session.scalars(
            select(Job)
            .where(
                Job.kind == JobKind.HANDOFF_EXPORT.value,
                Job.owner_id == actor.user_id,
                Job.org_id == actor.org_id,
                Job.slot.is_(None),
                Job.created_at >= now - RESULT_TTL,
            )
            .order_by(Job.id.desc())
        )
    )


# The key of a part's manifest holding the applicant's name its folder, files and problems were made with.
PART_NAME = "applicant_name"


def part_export(part_manifest: dict[str, Any], export: Export) -> None:
    """Add what a stored part's manifest says to ``export`` (files, problems, unmapped slots)."""
    export.files += [FileEntry(**f) for f in part_manifest["files"]]
    export.problems += [Problem(**p) for p in part_manifest["problems"]]
    export.unmapped |= set(part_manifest["unmapped"])


def build_part(
    session: Session,
    storage: Storage,
    profile: HandoffProfile,
    application: Application,
    index: int,
    now: datetime,
    pause: Callable[[], None] = lambda: None,
) -> tuple[bytes, dict[str, Any]]:
    """One application's folder as a ZIP of its own, and what its manifest says (for HandoffPart), with
    the applicant's name it was made with (`PART_NAME`: the worker checks it before keeping the ZIP)."""
    named = application.applicant.name
    export = Export(profile.id)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        build_application(
            session,
            storage,
            profile,
            application,
            folder_of(index, application),
            export,
            ZipSink(zf, now),
            pause,
        )
    manifest = {
        "files": [asdict(f) for f in export.files],
        "problems": [asdict(p) for p in export.problems],
        "unmapped": sorted(export.unmapped),
        PART_NAME: named,
    }
    return out.getvalue(), manifest
