"""Hand-off profiles (issue 23): what each provincial system accepts, as data (portal/handoffs/*.toml).

The provincial systems stay the official record (DESIGN §1): 江西省职称申报评审系统 (``jx``, 000/001),
江苏省人社厅网上办事服务大厅 (``js``, 002/003) and 昆明市专业技术人员职称申报系统 (``km``, 004). A
:class:`HandoffProfile` says, for one of them, which applications it takes (``selection``), the file rules
(accepted types, the byte cap, how files are named, the quality/resolution ladder that keeps text legible),
the mapping from our material slots to theirs (slots of ours it does not take are either listed under
``not_sent`` with the reason, or reported as unmapped: never dropped silently), the documents to print
(the 申报表 in their field order, the 综合情况（公示）表, the 个人承诺书, the 批复), the spreadsheets in their
column layout, the binding order of the paper copy per committee (装订目录), the checks the target's
notice imposes (a slot present, a document still valid on the submission day, copies endorsed), the
e-certificate lookup, and the layout of the results spreadsheet the system exports back.

House rules kept here, as for policy profiles (portal.domain.policy):

- Every table carries its ``source`` (a seed clause such as "001 四(七)", or where else the value comes
  from) and ``confirmed``: ``false`` marks a value we inferred (the systems' upload limits and slot names
  are not in the seeds). The admin's page lists every unconfirmed value.
- The loader is strict and is derived from the dataclasses below (field names, types, defaults; the
  same declarative loader as policy profiles, portal.domain.schema): an
  unknown key, a wrong type, a missing value, an unknown slot of ours, an unknown value name or a naming
  pattern with an unknown placeholder is a :class:`HandoffError` naming the file and the TOML path of
  the key (``slots[3].ours[1]``); it reads on after a problem, so one run lists them all.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from portal.domain import schema
from portal.domain.corrections import FIELD_TITLES, FORM_SECTIONS
from portal.domain.form import SectionKey
from portal.domain.i18n import N_, T_
from portal.domain.materials import SLOT_BY_KEY, SLOTS, Source, add_months
from portal.domain.packages import BINDING_ORDER, BINDING_SLOTS, Part
from portal.domain.policy import PATHWAYS
from portal.domain.workflow import COMMITTEE_ROAD, Status

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "handoffs"
MEDIA_TYPES = {"jpg": "image/jpeg", "pdf": "application/pdf"}
FORMATS = ("text", "date", "number")
DOCUMENT_KINDS = ("pledge", "form", "summary_sheet", "approval")
CHECK_KINDS = ("slot_present", "valid_on_submission", "copies_endorsed")
# A sheet's rows: every certificate ("certified", either road), the 认定 road's only ("recognised": those
# the 批复 names), or every application exported ("all").
SHEET_ROWS = ("certified", "recognised", "all")
RESULT_COLUMNS = ("id_number", "name", "certificate_no", "result", "certified_on")
NAMING_FIELDS = frozenset({"order", "title", "key", "part", "ext"})
PART_FIELDS = frozenset({"n", "of"})
PAPERS = {"A4": (8.27, 11.69), "A3": (11.69, 16.54)}  # inches, short side first
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_FILE_NAME = re.compile(r'^[^\\/:*?"<>|\x00-\x1f]+$')

# Statuses in road order (portal.domain.workflow's): a profile takes applications from its
# ``selection.from_status`` on. The 评审 road's statuses lie between the bureau's review and the
# certificate: an application with the committee is as far past the unit's notice as one certified.
ROAD: tuple[Status, ...] = (
    Status.SUBMITTED,
    Status.UNIT_REVIEW,
    Status.UNIT_APPROVED,
    Status.IN_NOTICE,
    Status.NOTICE_PASSED,
    Status.DEPT_REVIEW,
    Status.BUREAU_REVIEW,
    *COMMITTEE_ROAD,
    Status.CERTIFIED,
)

# --- the values a document, a sheet or the copy page can show ------------------------------------------
# Their names are what a profile writes in ``value = "..."``; services resolve them for an application.
# Every field of our 申报表 is one too (``form.<field>``), so a field a new form section adds is known at
# once, and shows as unmapped in a target's layout until its profile places it.

BASE_VALUES: Mapping[str, str] = {
    "applicant.name": "姓名",
    "applicant.sex": "性别",
    "applicant.birth_date": "出生日期",
    "applicant.birth_month": "出生年月",
    "applicant.id_number": "身份证号码",
    "applicant.phone": "手机号码",
    "enterprise.name": "工作单位",
    "enterprise.uscc": "统一社会信用代码",
    "department.name": "主管部门",
    "bureau.name": "人社部门",
    "series": "申报系列",
    "specialty": "申报专业",
    "level": "申报级别",
    "pathway": "申报途径",
    "authority": "认定机构（评委会）",
    "committee": "评审委员会",
    "batch": "受理批次",
    "submitted_on": "申报日期",
    "notice.unit": "公示单位",
    "notice.period": "公示期",
    "notice.years": "专业工作年限",
    "notice.location": "公示地点",
    "notice.contact": "异议受理",
    "notice.result": "公示结果",
    "opinion.enterprise": "单位推荐意见",
    "certificate.number": "证书编号",
    "certificate.date": "认定日期",
    "certificate.authority": "认定机构",
    "certificate.status": "证书状态",
    "pledge.text": "个人承诺书",
    "pledge.signed_at": "承诺书签署时间",
    "row.number": "序号",
}


def value_titles() -> dict[str, str]:
    """Every value name a profile may use, with its Chinese title (our form's fields as ``form.<f>``)."""
    return {**BASE_VALUES, **{f"form.{name}": title for name, title in FIELD_TITLES.items()}}


def form_sections() -> dict[str, tuple[str, ...]]:
    """Our 申报表's sections by key, with the value names of their fields, in form order."""
    return {s.key: tuple(f"form.{name}" for name in s.fields) for s in FORM_SECTIONS}


def repeating_sections() -> tuple[str, ...]:
    """Our 申报表's repeating sections (学历学位, 工作经历 …) by key, in form order: a layout places
    one's rows with ``rows = "<key>"``."""
    return tuple(key.value for key in SectionKey)


# --- the data model -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Sourced:
    """Where a table's values come from (``source``) and whether a notice states them (``confirmed``)."""

    source: str
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Selection(Sourced):
    """Which applications the target takes: from this stage of our road on (rejected, withdrawn and
    abandoned ones never)."""

    from_status: str


@dataclass(frozen=True, kw_only=True)
class Ladder(Sourced):
    """How a file too large is brought under the cap: JPEG qualities best first, then resolutions best
    first; the last resolution is the legibility floor (text must stay readable at it). An image has no
    paper size of its own: it stands for ``paper``."""

    qualities: tuple[int, ...]
    dpi: tuple[int, ...]
    paper: str = "A4"

    @property
    def floor_dpi(self) -> int:
        return self.dpi[-1]


@dataclass(frozen=True, kw_only=True)
class FileRules(Sourced):
    """The target's upload rules: accepted types, the cap per file, and how files are named.

    ``naming`` takes {order} (the slot's place), {title} (its name), {key}, {part} and {ext}; ``part`` is
    what {part} becomes in a file split into numbered parts ({n} of {of}); empty when not split."""

    types: tuple[str, ...]
    max_bytes: int
    naming: str
    part: str
    ladder: Ladder

    def accepts(self, media_type: str) -> bool:
        return any(MEDIA_TYPES[t] == media_type for t in self.types)

    def name(self, *, order: int, title: str, key: str, ext: str, part: int = 0, parts: int = 1) -> str:
        suffix = self.part.format(n=part, of=parts) if parts > 1 else ""
        return self.naming.format(order=order, title=title, key=key, part=suffix, ext=ext)


@dataclass(frozen=True, kw_only=True)
class SlotMap(Sourced):
    """One upload slot of theirs: which of our slots fill it (in this order), unless one of ``unless``
    holds a material (004 二(八): with the 备案表, no diploma). ``combine``: several pages go into one
    file (a PDF, split into parts only when it cannot fit); otherwise one image per page."""

    key: str
    title: str
    ours: tuple[str, ...]
    unless: tuple[str, ...] = ()
    combine: bool = True
    required: bool = False


@dataclass(frozen=True, kw_only=True)
class NotSent(Sourced):
    """A slot of ours the target does not take as a file, and why (it is then not "unmapped")."""

    ours: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Field:
    """One line of a document or of the copy page: a value of ours under their label, or every field of
    one of our form sections (``section``: a field a new form section adds slots in with it), or every
    row of one of our repeating sections (``rows``: each row's fields in form order)."""

    label: str = ""
    value: str = ""
    section: str = ""
    rows: str = ""


@dataclass(frozen=True, kw_only=True)
class FormSection:
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, kw_only=True)
class Titled(Sourced):
    """A document's own name for applications on one of ``pathways`` (under one of ``policy_profiles``;
    none = any): the same layout, another form (Nantong's 初定 prints the 初定申报表, 002 四(五), not
    Zhenjiang's 《专业技术资格评审申报表》)."""

    pathways: tuple[str, ...]
    policy_profiles: tuple[str, ...] = ()
    title: str
    file: str


@dataclass(frozen=True, kw_only=True)
class Document(Sourced):
    """A document made for each application (``pledge``, ``form``, ``summary_sheet``) or once for the
    export (``approval``: the 批复 of those certified), with the file it is written to; ``titled``: its
    name and file for the pathways whose form is called otherwise (the first that matches)."""

    kind: str
    title: str
    file: str
    sections: tuple[FormSection, ...] = ()
    seal: bool = False  # the unit's seal stamped on it (004 二(七))
    copy_page: bool = False  # also a copy-helper page with every field in this order
    titled: tuple[Titled, ...] = ()

    def named_for(self, pathway: str | None, policy_profile: str | None) -> Document:
        """This document under the name it has for an application on ``pathway`` under ``policy_profile``."""
        for t in self.titled:
            if pathway in t.pathways and (not t.policy_profiles or policy_profile in t.policy_profiles):
                return replace(self, title=t.title, file=t.file)
        return self


@dataclass(frozen=True, kw_only=True)
class Column:
    header: str
    value: str
    format: str = "text"
    width: int = 12


@dataclass(frozen=True, kw_only=True)
class Sheet(Sourced):
    """A spreadsheet in the target's column layout: ID numbers written as text, dates as dates."""

    key: str
    title: str
    file: str
    sheet: str
    rows: str = "certified"
    columns: tuple[Column, ...]


@dataclass(frozen=True, kw_only=True)
class Binding(Sourced):
    """The binding order (装订目录) of the paper copy and of the package PDF: our parts, then our upload
    slots (those not listed follow in checklist order). ``committees``: the authority codes (of the
    policy profile) it is for; none = the profile's default."""

    committees: tuple[str, ...] = ()
    title: str = ""
    parts: tuple[str, ...]
    slots: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Check(Sourced):
    """A rule of the target's notice checked per application: ``slot_present``; ``valid_on_submission``
    (the slot's document, dated, still within ``months`` of its date on the submission day);
    ``copies_endorsed`` (every copy carries the unit's endorsement)."""

    kind: str
    slot: str = ""
    months: int = 0
    message: str


@dataclass(frozen=True, kw_only=True)
class Lookup(Sourced):
    """Where the holder finds the e-certificate (shown with the certificate)."""

    title: str
    url: str
    path: str


@dataclass(frozen=True, kw_only=True)
class ResultColumn:
    key: str
    headers: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True, kw_only=True)
class Results(Sourced):
    """The spreadsheet the system exports back (certificate numbers, results): its columns by header
    (any of ``headers``), and the result words that mean passed."""

    columns: tuple[ResultColumn, ...]
    passed: tuple[str, ...]
    failed: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class HandoffProfile:
    id: str
    title: str
    system: str
    url: str
    source: str
    policy_profiles: tuple[str, ...] = ()
    selection: Selection
    files: FileRules
    slots: tuple[SlotMap, ...]
    not_sent: tuple[NotSent, ...] = ()
    documents: tuple[Document, ...] = ()
    sheets: tuple[Sheet, ...] = ()
    bindings: tuple[Binding, ...] = ()
    checks: tuple[Check, ...] = ()
    lookup: Lookup | None = None
    results: Results

    def takes(self, status: Status) -> bool:
        """Whether an application in ``status`` is handed off to this target."""
        return status in ROAD and ROAD.index(status) >= ROAD.index(Status(self.selection.from_status))

    def document(self, kind: str) -> Document | None:
        return next((d for d in self.documents if d.kind == kind), None)

    def binding_for(self, committee: str | None) -> Binding | None:
        """The committee's binding order, else the profile's default one, else None."""
        found = next((b for b in self.bindings if committee and committee in b.committees), None)
        return found or next((b for b in self.bindings if not b.committees), None)

    def unconfirmed(self) -> list[tuple[str, Sourced]]:
        """Every table whose values we inferred, with its TOML path (the admin's page lists them)."""
        return [(path, t) for path, t in schema.walk(self) if isinstance(t, Sourced) and not t.confirmed]

    def unconfirmed_named(self) -> list[tuple[str, Sourced]]:
        """Every table whose values we inferred, named as its reader knows it (上传栏目“学历证书”, 文件压缩),
        not by its TOML path ("slots[1]", "files.ladder"): what the admin's page lists. Names every table
        `unconfirmed` finds (tests/domain/test_handoffs.py holds the two to the same count)."""
        named: list[tuple[str, Sourced]] = [
            (N_("报送范围（哪些申报可以报送）"), self.selection),
            (N_("文件格式与大小"), self.files),
            (N_("文件压缩（质量与分辨率）"), self.files.ladder),
        ]
        named += [(T_("上传栏目“%(title)s”", title=slot.title), slot) for slot in self.slots]
        for item in self.not_sent:
            ours = SLOT_BY_KEY[item.ours].title if item.ours in SLOT_BY_KEY else item.ours
            named.append((T_("不报送的材料“%(title)s”", title=ours), item))
        for document in self.documents:
            named.append((T_("打印文书“%(title)s”", title=document.title), document))
            named += [
                (
                    T_(
                        "打印文书“%(document)s”的标题：%(title)s", document=document.title, title=titled.title
                    ),
                    titled,
                )
                for titled in document.titled
            ]
        named += [(T_("报送表格“%(title)s”", title=sheet.title), sheet) for sheet in self.sheets]
        named += [
            (T_("装订目录“%(title)s”", title=binding.title) if binding.title else N_("装订目录"), binding)
            for binding in self.bindings
        ]
        named += [(T_("报送前检查：%(message)s", message=check.message), check) for check in self.checks]
        if self.lookup is not None:
            named.append((T_("证书查询“%(title)s”", title=self.lookup.title), self.lookup))
        named.append((N_("结果导入（系统导出的结果表）"), self.results))
        return [(name, item) for name, item in named if not item.confirmed]


# --- what a profile says about one application ------------------------------------------------------


@dataclass(frozen=True)
class SlotPlan:
    """Which of an application's slots go where: per slot of theirs the slots of ours that fill it
    (those holding a material), the slots of ours not sent (with why), and those with no place."""

    sent: list[tuple[int, SlotMap, list[str]]]  # (order, their slot, our slots with materials)
    not_sent: list[tuple[str, str]]  # (our slot, reason)
    unmapped: list[str]  # our slots holding a material that the profile does not place
    missing: list[SlotMap]  # their required slots nothing of ours fills


def map_slots(profile: HandoffProfile, filled: Iterable[str]) -> SlotPlan:
    """Our slots holding a material (``filled``), placed in the target's slots, in their order."""
    have = set(filled)
    sent: list[tuple[int, SlotMap, list[str]]] = []
    placed: set[str] = set()
    missing: list[SlotMap] = []
    for order, slot in enumerate(profile.slots, start=1):
        placed.update(slot.ours)
        skip = any(u in have for u in slot.unless)
        ours = [] if skip else [o for o in slot.ours if o in have]
        if ours:
            sent.append((order, slot, ours))
        elif slot.required and not skip:
            missing.append(slot)
    reasons = {n.ours: n.reason for n in profile.not_sent}
    not_sent = [(key, reasons[key]) for key in sorted(have) if key in reasons and key not in placed]
    unmapped = sorted(key for key in have if key not in placed and key not in reasons)
    return SlotPlan(sent, not_sent, unmapped, missing)


def unplaced_fields(document: Document) -> list[str]:
    """The fields of our 申报表 a document's layout does not place (new form sections land here until the
    profile is updated), as value names in form order."""
    used: set[str] = set()
    sections = form_sections()
    for section in document.sections:
        for f in section.fields:
            used.update(sections.get(f.section, ()) if f.section else (f.value,))
    return [f"form.{name}" for name in FIELD_TITLES if f"form.{name}" not in used]


def unplaced_rows(document: Document) -> list[str]:
    """Our repeating sections a document's layout does not place, in form order: their rows are listed
    with the unplaced fields, never dropped."""
    placed = {f.rows for section in document.sections for f in section.fields if f.rows}
    return [key for key in repeating_sections() if key not in placed]


def valid_until(document_date: date, months: int) -> date:
    """The last day a document dated ``document_date`` is valid, ``months`` later (004 二(八))."""
    return add_months(document_date, months)


def binding_parts(binding: Binding | None) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    """The parts and upload slots in binding order (our checklist order without a binding)."""
    if binding is None:
        return BINDING_ORDER, BINDING_SLOTS
    parts = tuple(Part(p) for p in binding.parts)
    listed = tuple(binding.slots)
    return parts, listed + tuple(s for s in BINDING_SLOTS if s not in listed)


# --- the loader ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem(schema.Problem):
    """One thing wrong in a hand-off file: the TOML path of the key and what, in English and Chinese."""

    def line(self, file: str) -> str:
        return f"报送配置 {file} 的 {self.key} 有误：{self.problem_zh}（{file}: {self.key}: {self.problem}）"


class HandoffError(Exception):
    """A hand-off file is unreadable or breaks the schema; ``problems`` lists every problem found."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.line(file) for p in problems))


def _placeholders(pattern: str) -> set[str] | None:
    try:
        return {
            name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(pattern) if name
        }
    except ValueError:
        return None


def _check(profile: HandoffProfile, stem: str, known_policies: set[str] | None, r: schema.Reader) -> None:
    """The checks the types cannot make: ids, slots and values that exist, patterns that format."""
    if profile.id != stem or not _ID.match(profile.id):
        r.report(
            "id", f"id {profile.id!r} must equal the file name {stem!r}", f"id「{profile.id}」须与文件名一致"
        )
    if known_policies is not None:
        for i, name in enumerate(profile.policy_profiles):
            if name not in known_policies:
                r.report(
                    f"policy_profiles[{i}]", f"unknown policy profile {name!r}", f"未知的政策配置「{name}」"
                )
    try:
        Status(profile.selection.from_status)
        if Status(profile.selection.from_status) not in ROAD:
            raise ValueError
    except ValueError:
        r.report(
            "selection.from_status",
            "not a stage of the road",
            f"「{profile.selection.from_status}」不是办理环节",
        )
    files = profile.files
    for i, kind in enumerate(files.types):
        if kind not in MEDIA_TYPES:
            r.report(
                f"files.types[{i}]", f"unknown type {kind!r}", f"未知的文件类型「{kind}」，可用：jpg、pdf"
            )
    if files.max_bytes <= 0:
        r.report("files.max_bytes", "must be positive", "须为正数")
    for key, pattern, allowed in (("naming", files.naming, NAMING_FIELDS), ("part", files.part, PART_FIELDS)):
        used = _placeholders(pattern)
        if used is None or not used <= allowed:
            r.report(
                f"files.{key}",
                f"placeholders must be among {sorted(allowed)}",
                f"只能使用占位符 {{{'}、{'.join(sorted(allowed))}}}",
            )
    try:
        files.name(order=1, title="x", key="x", ext="pdf", part=1, parts=2)
    except (KeyError, IndexError, ValueError):
        r.report("files.naming", "does not format", "无法按此格式命名")
    ladder = files.ladder
    for key, steps, low, high in (("qualities", ladder.qualities, 20, 95), ("dpi", ladder.dpi, 72, 600)):
        if (
            not steps
            or list(steps) != sorted(steps, reverse=True)
            or not all(low <= s <= high for s in steps)
        ):
            r.report(
                f"files.ladder.{key}",
                f"a non-empty list, best first, each within {low}..{high}",
                f"须为非空列表，从高到低，每项在{low}至{high}之间",
            )
    if ladder.paper not in PAPERS:
        r.report(
            "files.ladder.paper", "unknown paper", f"未知的纸张「{ladder.paper}」，可用：{'、'.join(PAPERS)}"
        )
    seen: set[str] = set()
    for i, slot in enumerate(profile.slots):
        if slot.key in seen:
            r.report(f"slots[{i}].key", "duplicate", f"重复的栏目「{slot.key}」")
        seen.add(slot.key)
        for j, ours in enumerate(slot.ours):
            _our_slot(r, f"slots[{i}].ours[{j}]", ours, upload_only=True)
        for j, ours in enumerate(slot.unless):
            _our_slot(r, f"slots[{i}].unless[{j}]", ours, upload_only=True)
    placed = {o for s in profile.slots for o in s.ours}
    for i, n in enumerate(profile.not_sent):
        _our_slot(r, f"not_sent[{i}].ours", n.ours, upload_only=False)
        if n.ours in placed:
            r.report(
                f"not_sent[{i}].ours",
                "also mapped to a slot",
                f"「{n.ours}」已对应某一栏目，不能同时列为不报送",
            )
    names = value_titles()
    sections = form_sections()
    for i, doc in enumerate(profile.documents):
        if doc.kind not in DOCUMENT_KINDS:
            r.report(f"documents[{i}].kind", f"unknown kind {doc.kind!r}", f"未知的文书类型「{doc.kind}」")
        files = [(f"documents[{i}].file", doc.file)]
        files += [(f"documents[{i}].titled[{j}].file", t.file) for j, t in enumerate(doc.titled)]
        for key, file in files:
            if not _FILE_NAME.match(file) or not file.endswith(".pdf"):
                r.report(key, "a PDF file name without path characters", "须为不含路径符号的 .pdf 文件名")
        for j, t in enumerate(doc.titled):
            for k, pathway in enumerate(t.pathways):
                if pathway not in PATHWAYS:
                    r.report(
                        f"documents[{i}].titled[{j}].pathways[{k}]",
                        f"unknown pathway {pathway!r}",
                        f"未知的申报途径「{pathway}」，可用：{'、'.join(PATHWAYS)}",
                    )
            for k, name in enumerate(t.policy_profiles):
                if name not in profile.policy_profiles:
                    r.report(
                        f"documents[{i}].titled[{j}].policy_profiles[{k}]",
                        f"not among this target's policy profiles: {name!r}",
                        f"「{name}」不在本报送配置的 policy_profiles 中",
                    )
        for j, section in enumerate(doc.sections):
            for k, f in enumerate(section.fields):
                key = f"documents[{i}].sections[{j}].fields[{k}]"
                if [bool(f.value), bool(f.section), bool(f.rows)].count(True) != 1:
                    r.report(
                        key,
                        "exactly one of value, section and rows",
                        "value、section 与 rows 须且只须填一项",
                    )
                elif f.value and f.value not in names:
                    r.report(f"{key}.value", f"unknown value {f.value!r}", f"未知的数据项「{f.value}」")
                elif f.section and f.section not in sections:
                    r.report(
                        f"{key}.section",
                        f"unknown form section {f.section!r}",
                        f"未知的申报表部分「{f.section}」",
                    )
                elif f.rows and f.rows not in repeating_sections():
                    r.report(
                        f"{key}.rows",
                        f"unknown repeating form section {f.rows!r}",
                        f"未知的申报表多行部分「{f.rows}」",
                    )
                elif f.value and not f.label:
                    r.report(f"{key}.label", "missing", "缺少栏目名称")
    for i, sheet in enumerate(profile.sheets):
        if sheet.rows not in SHEET_ROWS:
            r.report(f"sheets[{i}].rows", "certified, recognised or all", "须为 certified、recognised 或 all")
        if not _FILE_NAME.match(sheet.file) or not sheet.file.endswith(".xlsx"):
            r.report(
                f"sheets[{i}].file",
                "an .xlsx file name without path characters",
                "须为不含路径符号的 .xlsx 文件名",
            )
        if not sheet.sheet or len(sheet.sheet) > 31 or any(c in sheet.sheet for c in "[]:*?/\\"):
            r.report(f"sheets[{i}].sheet", "not a valid sheet name", "工作表名称无效（≤31字，不含 []:*?/\\）")
        for j, column in enumerate(sheet.columns):
            if column.value not in names:
                r.report(
                    f"sheets[{i}].columns[{j}].value",
                    f"unknown value {column.value!r}",
                    f"未知的数据项「{column.value}」",
                )
            if column.format not in FORMATS:
                r.report(
                    f"sheets[{i}].columns[{j}].format", "text, date or number", "须为 text、date 或 number"
                )
    for i, binding in enumerate(profile.bindings):
        for j, part in enumerate(binding.parts):
            if part not in {p.value for p in Part}:
                r.report(f"bindings[{i}].parts[{j}]", f"unknown part {part!r}", f"未知的装订部分「{part}」")
        if Part.MATERIALS.value not in binding.parts:
            r.report(f"bindings[{i}].parts", "must include materials", "须包含 materials（申报材料）")
        for j, slot in enumerate(binding.slots):
            _our_slot(r, f"bindings[{i}].slots[{j}]", slot, upload_only=True)
    if sum(1 for b in profile.bindings if not b.committees) > 1:
        r.report(
            "bindings", "more than one default (without committees)", "只能有一个不指定评委会的默认装订顺序"
        )
    for i, check in enumerate(profile.checks):
        if check.kind not in CHECK_KINDS:
            r.report(f"checks[{i}].kind", f"unknown kind {check.kind!r}", f"未知的检查「{check.kind}」")
        if check.kind in ("slot_present", "valid_on_submission"):
            _our_slot(r, f"checks[{i}].slot", check.slot, upload_only=True)
        if check.kind == "valid_on_submission" and check.months <= 0:
            r.report(f"checks[{i}].months", "must be positive", "须为正数")
    keys = [c.key for c in profile.results.columns]
    for i, column in enumerate(profile.results.columns):
        if column.key not in RESULT_COLUMNS:
            r.report(
                f"results.columns[{i}].key", f"unknown column {column.key!r}", f"未知的列「{column.key}」"
            )
        if not column.headers:
            r.report(f"results.columns[{i}].headers", "at least one header", "至少写一个表头")
    if "id_number" not in keys:
        r.report("results.columns", "an id_number column is required", "须有 id_number（身份证号码）列")


def _our_slot(r: schema.Reader, path: str, key: str, *, upload_only: bool) -> None:
    slot = SLOT_BY_KEY.get(key)
    if slot is None:
        known = "、".join(s.key for s in SLOTS)
        r.report(path, f"unknown slot of ours {key!r}", f"未知的材料类别「{key}」，可用：{known}")
    elif upload_only and slot.source is not Source.UPLOAD:
        r.report(path, f"{key!r} is not an upload slot", f"「{key}」不是上传材料，不能对应上传栏目")


def load_profile(path: Path, *, known_policies: set[str] | None = None) -> HandoffProfile:
    """Read and validate one hand-off file; HandoffError lists every problem with its TOML path."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise HandoffError(
            path.name, [Problem("(file)", f"cannot read: {exc.strerror}", "无法读取")]
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise HandoffError(
            path.name, [Problem("(syntax)", f"invalid TOML: {exc}", f"TOML 语法错误：{exc}")]
        ) from exc
    reader = schema.Reader()
    profile = reader.build(HandoffProfile, data)
    if profile is not None:
        _check(profile, path.stem, known_policies, reader)
    if reader.problems or profile is None:
        raise HandoffError(path.name, [Problem(p.key, p.problem, p.problem_zh) for p in reader.problems])
    return profile


def load_profiles(
    directory: Path | None = None, *, known_policies: set[str] | None = None
) -> dict[str, HandoffProfile]:
    """Every ``*.toml`` in ``directory`` (default portal/handoffs), keyed by id; a policy profile may be
    served by one hand-off profile only."""
    folder = DEFAULT_DIRECTORY if directory is None else Path(directory)
    profiles = {
        p.id: p
        for p in (load_profile(f, known_policies=known_policies) for f in sorted(folder.glob("*.toml")))
    }
    served: dict[str, str] = {}
    for profile in profiles.values():
        for i, name in enumerate(profile.policy_profiles):
            if name in served:
                raise HandoffError(
                    f"{profile.id}.toml",
                    [
                        Problem(
                            f"policy_profiles[{i}]",
                            f"already served by {served[name]}",
                            f"「{name}」已由 {served[name]} 报送",
                        )
                    ],
                )
            served[name] = profile.id
    return profiles
