"""The 申报表 as a use case (issue 21): saved as a draft at every step, never losing input, by the applicant
or by the enterprise's HR on their behalf (audited with its author); the repeating sections' rows added and
removed; a return's opening (only the named field, row or section may change); the optimistic version (a
save from a page that showed an older version is refused with what changed since); and the form's state
as the eligibility check, the materials checklist and the printed 申报表 read it.

Guarantees: every valid value of a save is stored even when others are refused (ValidationFailed after the
flush: the caller commits, as the unit of work's keep()); a stale save stores nothing and raises StaleForm
naming each change since; the summary columns on applications (education … achievements) always follow
the rows. Causes no transition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import form as schema
from portal.domain.corrections import LEGACY_COVERS
from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.form import FLAT_FIELDS, SECTIONS, FieldKind, ParsedForm, Row, SectionKey
from portal.domain.i18n import N_, T_, joined
from portal.domain.policy import EDUCATION_LEVELS, LEVELS
from portal.domain.roster import normalize_unit_name
from portal.domain.workflow import Status
from portal.models import Application, AuditEvent, FormRow, OrgKind
from portal.services import audit
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.policies import effective_profile
from portal.services.scope import get_application

EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


class StaleForm(ValidationFailed):
    """The page saved from showed an older version of the form: nothing was stored. ``changes`` lists
    what was saved since (who, when, which field from what to what)."""

    code = "stale_form"

    def __init__(self, changes: list[SavedChange], version: int) -> None:
        super().__init__(
            {"__all__": N_("申报表已在其他窗口或由他人修改并保存，本次保存未生效。请核对下列修改后再保存。")},
            N_("申报表已被修改，本次保存未生效"),
        )
        self.changes = changes
        self.version = version


class FormRefused(ValidationFailed):
    """Some values were refused; the valid ones were saved. ``parsed`` is the form as typed, with the ids
    the new rows got, so the page shows it again exactly."""

    def __init__(self, errors: dict[str, str], parsed: ParsedForm) -> None:
        super().__init__(errors)
        self.parsed = parsed


@dataclass(frozen=True)
class SavedChange:
    at: datetime
    author: str
    title: str
    before: str
    after: str


@dataclass(frozen=True)
class FormState:
    """The form as stored (or as typed over it, for the live pre-check): flat values and rows, typed."""

    flat: Mapping[str, Any]
    rows: tuple[Row, ...]

    def section(self, key: SectionKey) -> list[Row]:
        return [r for r in self.rows if r.section is key]


def may_fill(actor: Actor, application: Application) -> bool:
    """The applicant, or the enterprise's HR filling in on the applicant's behalf (audited as such)."""
    if actor.user_id == application.applicant_id and not actor.is_staff:
        return True
    return (
        actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE and actor.org_id == application.enterprise_id
    )


def stored_rows(session: Session, application_id: int) -> list[FormRow]:
    """The application's stored rows, by section, position and id."""
    return list(
        session.scalars(
            select(FormRow)
            .where(FormRow.application_id == application_id)
            .order_by(FormRow.section, FormRow.position, FormRow.id)
        )
    )


def _order(rows: list[Row]) -> tuple[Row, ...]:
    order = {s.key: i for i, s in enumerate(SECTIONS)}
    return tuple(sorted(rows, key=lambda r: order[r.section]))  # stable: positions kept within a section


def rows_of(session: Session, application_id: int) -> tuple[Row, ...]:
    """The application's rows, typed, in section and position order."""
    return _order([schema.row_of(r.id, r.section, r.data) for r in stored_rows(session, application_id)])


def rows_by_application(session: Session, application_ids: list[int]) -> dict[int, tuple[Row, ...]]:
    """`rows_of` for many applications in one statement (a list page weighing each row's dossier)."""
    found: dict[int, list[Row]] = {i: [] for i in application_ids}
    for r in session.scalars(
        select(FormRow)
        .where(FormRow.application_id.in_(application_ids))
        .order_by(FormRow.application_id, FormRow.section, FormRow.position, FormRow.id)
    ):
        found[r.application_id].append(schema.row_of(r.id, r.section, r.data))
    return {i: _order(rows) for i, rows in found.items()}


def flat_of(application: Application) -> dict[str, Any]:
    """The form's flat fields as stored, by name."""
    return {f.name: getattr(application, f.name) for f in FLAT_FIELDS}


def state_of(session: Session, application: Application) -> FormState:
    """The form as stored: flat fields and typed rows."""
    return FormState(flat_of(application), rows_of(session, application.id))


def overlay(state: FormState, parsed: ParsedForm) -> FormState:
    """The stored form with what a (partial) post carried laid over it: its valid values only (the live
    pre-check sends one section; an invalid value reads as not given)."""
    flat = dict(state.flat)
    for name in parsed.flat_names:
        if name not in parsed.errors:
            flat[name] = parsed.flat.get(name)
    rows = [r for r in state.rows if r.section not in parsed.sections]
    for key in parsed.sections:
        for i, p in enumerate(parsed.rows.get(key, [])):
            values = {n: (None if n in p.errors else v) for n, v in p.values.items()}
            rows.append(
                schema.Row(p.row_id or -(i + 1), key, {n: schema.stored(v) for n, v in values.items()})
            )
    return FormState(flat, _order([schema.row_of(r.id, r.section.value, r.values) for r in rows]))


# --- what a return leaves open -------------------------------------------------------------------------


def opening(session: Session, application: Application) -> schema.Opening | None:
    """None: everything may change (a draft); otherwise only what the open return names."""
    from portal.services import corrections  # corrections reads this module's snapshot

    if application.state is Status.DRAFT:
        return None
    correction = corrections.open_correction(session, application.id)
    if application.state is not Status.RETURNED or correction is None:
        return schema.Opening()
    return schema.opening([item.section for item in correction.items], LEGACY_COVERS)


# --- saving --------------------------------------------------------------------------------------------


def _as_input(spec: schema.FieldSpec, value: Any) -> str:
    if spec.kind is FieldKind.FLAG:
        return "1" if value else ""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _audit_text(spec: schema.FieldSpec, value: Any) -> str:
    text = schema.shown(spec, value)
    return text if len(text) <= 200 else text[:200] + "…"


def changes_since(session: Session, application_id: int, version: int) -> list[SavedChange]:
    """Every change saved after ``version`` of the form, oldest first (from the audit trail)."""
    found: list[SavedChange] = []
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id == application_id,
            AuditEvent.action == "save_form",
        )
        .order_by(AuditEvent.id)
    )
    for event in events:
        if int(event.detail.get("form_version") or 0) <= version:
            continue
        author = event.actor.name if event.actor else N_("系统")
        for title, before, after in event.detail.get("fields", []):
            found.append(SavedChange(event.at, author, title, before, after))
    return found


def save_form(
    session: Session,
    actor: Actor,
    application_id: int,
    raw: Mapping[str, str],
    now: datetime,
    *,
    remove: str = "",
) -> ParsedForm:
    """Save what the form carries (flat fields and the sections it lists), row by row.

    ``raw["form_version"]`` is the version the page showed: an older one stores nothing and raises
    StaleForm with what changed since. ``remove`` ("work:2") drops the section's row at that position
    first. After a return only what it names may change (a value elsewhere that differs is refused at its
    field). Valid values are stored and audited (who changed which field or row from what to what, HR
    marked as acting on the applicant's behalf); refused ones raise FormRefused after the flush."""
    application = get_application(session, actor, application_id)
    if not may_fill(actor, application):
        raise PermissionDenied(N_("只能填写本人的申报表（或由本单位经办人代为填写）"))
    if application.state not in EDITABLE:
        raise PermissionDenied(T_("申报当前为“%(state)s”，不能修改", state=application.state.title))
    shown_version = str(raw.get("form_version", "")).strip()
    stale = shown_version.isascii() and shown_version.isdigit() and len(shown_version) < 10
    if stale and int(shown_version) != application.form_version:
        raise StaleForm(changes_since(session, application.id, int(shown_version)), application.form_version)
    data = dict(raw)
    if remove:
        section, _, index = remove.partition(":")
        prefix = f"{section}-{index}-"
        data = {k: v for k, v in data.items() if not k.startswith(prefix)}
        data["_sections"] = ",".join({*str(data.get("_sections", "")).split(","), section} - {""})
    day = today(now)
    parsed = schema.parse_form(data, day, clauses_for(session, application))
    errors = dict(parsed.errors)
    allowed = opening(session, application)
    changed: list[tuple[str, str, str]] = []

    # flat fields
    for spec in FLAT_FIELDS:
        if spec.name not in parsed.flat_names or spec.name in errors:
            continue
        value = parsed.flat.get(spec.name)
        current = getattr(application, spec.name)
        stored_value = value if value is not None else ("" if spec.kind not in (FieldKind.DATE,) else None)
        if spec.kind is FieldKind.FLAG:
            stored_value = bool(value)
        if stored_value == current or (stored_value in ("", None) and current in ("", None)):
            continue
        if allowed is not None and not allowed.field_open(spec.name):
            errors[spec.name] = N_("这一项没有被退回，不能修改")
            continue
        changed.append((spec.title, _audit_text(spec, current), _audit_text(spec, stored_value)))
        setattr(application, spec.name, stored_value)

    # rows
    existing = {r.id: r for r in stored_rows(session, application.id)}
    for key in sorted(parsed.sections, key=lambda k: [s.key for s in SECTIONS].index(k)):
        spec = schema.SECTION_BY_KEY[key.value]
        posted = parsed.rows.get(key, [])
        kept_ids: set[int] = set()
        for position, row in enumerate(posted):
            stored = existing.get(row.row_id) if row.row_id is not None else None
            if stored is not None and (stored.section != key.value or stored.id in kept_ids):
                stored = None
            prefix = schema.input_name(key, position, "")
            if stored is None:
                if allowed is not None and not allowed.may_add(key.value):
                    errors[prefix + spec.fields[0].name] = T_(
                        "%(section)s没有被退回，不能新增", section=spec.title
                    )
                    row.row_id = None
                    continue
                values = {n: schema.stored(None if n in row.errors else v) for n, v in row.values.items()}
                new = FormRow(
                    application_id=application.id,
                    section=key.value,
                    position=position,
                    data=values,
                    created_at=now,
                    updated_at=now,
                )
                session.add(new)
                session.flush()
                row.row_id = new.id
                kept_ids.add(new.id)
                label = spec.label(row.values) or "新增"
                # What was kept: a refused field (a day that does not exist, 2026-02-30) is not stored, and
                # its typed text is no date to write out (it raised: a 500 instead of the form's 422).
                kept = {n: v for n, v in row.values.items() if n not in row.errors}
                changed.append((f"{spec.title}：{label}（新增）", "", _row_text(spec, kept)))
                continue
            kept_ids.add(stored.id)
            old = schema.row_of(stored.id, stored.section, stored.data)
            values = dict(stored.data)
            row_open = allowed is None or allowed.row_open(key.value, stored.id)
            for f in spec.fields:
                if f.name in row.errors:
                    continue
                new_value = schema.stored(row.values.get(f.name))
                old_value = schema.stored(old.values.get(f.name))
                if (
                    new_value in (None, "", False) and old_value in (None, "", False)
                ) or new_value == old_value:
                    continue
                if not row_open:
                    errors[prefix + f.name] = N_("这一条没有被退回，不能修改")
                    continue
                values[f.name] = new_value
                changed.append(
                    (
                        f"{spec.title}第{position + 1}条（{old.label}）· {f.title}",
                        _audit_text(f, old.values.get(f.name)),
                        _audit_text(f, row.values.get(f.name)),
                    )
                )
            if values != stored.data or stored.position != position:
                stored.data, stored.position, stored.updated_at = values, position, now
        for row_id, stored in existing.items():
            if stored.section != key.value or row_id in kept_ids:
                continue
            old = schema.row_of(stored.id, stored.section, stored.data)
            if allowed is not None and not allowed.row_open(key.value, row_id):
                errors[f"{key.value}-removed-{row_id}"] = T_("「%(row)s」没有被退回，不能删除", row=old.label)
                continue
            changed.append((f"{spec.title}：{old.label}（已删除）", _row_text(spec, old.values), ""))
            session.delete(stored)
    session.flush()
    if changed:
        application.form_version += 1
        application.updated_at = now
        summarise(session, application)
        on_behalf = actor.user_id != application.applicant_id
        audit.record(
            session,
            actor,
            "save_form",
            now,
            object_type="application",
            object_id=application.id,
            role=None if on_behalf else "applicant",
            detail={
                "fields": [list(c) for c in changed],
                "form_version": application.form_version,
                "on_behalf": on_behalf,
            },
        )
    session.flush()
    if errors:
        raise FormRefused(errors, parsed)
    return parsed


def _row_text(spec: schema.SectionSpec, values: Mapping[str, Any]) -> str:
    text = "；".join(
        f"{f.title}：{schema.shown(f, values.get(f.name))}"
        for f in spec.fields
        if values.get(f.name) not in (None, "", False)
    )
    return text if len(text) <= 200 else text[:200] + "…"


# --- the one-line summary the rest of the portal lists --------------------------------------------------


def highest_education(rows: tuple[Row, ...] | list[Row]) -> Row | None:
    """The highest education row (by level, then the latest graduation): what years are counted from."""
    educations = [r for r in rows if r.section is SectionKey.EDUCATION and r.get("level") in EDUCATION_LEVELS]
    return max(
        educations,
        key=lambda r: (EDUCATION_LEVELS.index(r.get("level")), r.get("graduated_on") or date.min),
        default=None,
    )


def same_unit(a: str | None, b: str | None) -> bool:
    """Whether two unit names are the same after normalising brackets, width and spaces (SI-02)."""
    return bool(a and b) and normalize_unit_name(a) == normalize_unit_name(b)


def summarise(session: Session, application: Application) -> None:
    """Fill the summary columns from the rows: the highest education, the first professional work, the
    highest title, the first practice qualification, hours per year, the outputs' titles."""
    rows = rows_of(session, application.id)
    best = highest_education(rows)
    application.education = (best.get("level") if best else "") or ""
    application.school = ((best.get("school") if best else "") or "")[:100]
    application.major = ((best.get("major") if best else "") or "")[:100]
    application.graduated_on = best.get("graduated_on") if best else None
    application.degree = ((best.get("degree") if best else "") or "")[:20]
    application.overseas_education = bool(best and best.get("overseas"))
    application.xuexin_code = ((best.get("xuexin_code") if best else "") or "")[:40]
    jobs = [r for r in rows if r.section is SectionKey.WORK and r.get("started_on")]
    professional = [r for r in jobs if r.get("professional") == "是" and not r.get("internship")]
    application.work_started_on = min((r.get("started_on") for r in professional), default=None)
    enterprise = application.enterprise.name
    application.has_prior_employer = any(not same_unit(r.get("employer"), enterprise) for r in professional)
    application.has_internship = any(r.get("internship") for r in jobs)
    titles = [r for r in rows if r.section is SectionKey.TITLE and r.get("kind") == "职称"]
    top = max(
        titles, key=lambda r: LEVELS.index(r.get("level")) if r.get("level") in LEVELS else -1, default=None
    )
    application.current_title = ((top.get("name") if top else "") or "")[:100]
    qualification = next(
        (r for r in rows if r.section is SectionKey.TITLE and r.get("kind") == "职业资格"), None
    )
    application.qualification_name = ((qualification.get("name") if qualification else "") or "")[:100]
    application.qualification_no = ((qualification.get("certificate_no") if qualification else "") or "")[:60]
    application.qualification_issued_on = qualification.get("obtained_on") if qualification else None
    application.qualification_expires_on = qualification.get("valid_until") if qualification else None
    hours = sorted(
        (r.get("year"), float(r.get("public_hours") or 0) + float(r.get("professional_hours") or 0))
        for r in rows
        if r.section is SectionKey.CE and r.get("year")
    )
    application.ce_hours = ", ".join(f"{y}:{h:g}" for y, h in hours)[:200]
    outputs = [r.label for r in rows if r.section in OUTPUT_SECTIONS]
    application.achievements = "；".join(outputs)[:4000]


OUTPUT_SECTIONS = frozenset({SectionKey.ACHIEVEMENT, SectionKey.PAPER, SectionKey.AWARD, SectionKey.PATENT})


# --- the page's view of the form ------------------------------------------------------------------------


@dataclass
class RowView:
    index: int
    row_id: int | None
    values: dict[str, str]
    errors: dict[str, str]
    open: bool
    label: str


@dataclass
class SectionView:
    spec: schema.SectionSpec
    rows: list[RowView]
    can_add: bool
    open: bool  # some row of it may change

    @property
    def key(self) -> str:
        return self.spec.key.value


@dataclass(frozen=True)
class Problem:
    """One place a refused save's summary names and links to (the page's input, or the row as a whole
    where its error belongs to no one input): the page writes its name from the specs."""

    anchor: str  # the id of the input (or of the row) on the page
    field: schema.FieldSpec | None  # None: the row itself
    section: schema.SectionSpec | None = None  # None: a field above the sections (or the work summary)
    row_number: int = 0  # counted from 1, as the row's heading numbers it


def _input_id(name: str) -> str:
    """The id the form partial gives an input: application_form.html's "f-" and the name, its own part
    with hyphens for underscores."""
    return "f-" + name.replace("_", "-")


@dataclass
class FormView:
    """What the 申报表's page renders: every input's text, its error, and whether it may change now."""

    flat: dict[str, str]
    flat_errors: dict[str, str]
    flat_open: dict[str, bool]
    sections: list[SectionView]
    version: int
    stale: list[SavedChange] = field(default_factory=list)
    removed_errors: list[str] = field(default_factory=list)
    hint_clauses: dict[str, str] = field(default_factory=dict)  # a flat field's hint's clause, if any

    @property
    def error_count(self) -> int:
        """The places the summary counts: the inputs it links to and the removed rows' messages."""
        return len(self.problems) + len(self.removed_errors)

    @property
    def problems(self) -> list[Problem]:
        """Every input a refused save marked, in the page's order (the flat fields, the sections' rows, the
        work summary last): what the summary above the form names, each a link to its input. A removed
        row's message (`removed_errors`) has no input left: the page shows it apart."""
        by_name = {spec.name: spec for spec in FLAT_FIELDS}
        flat = [n for n in by_name if n in self.flat_errors]
        found = [Problem(_input_id(n), by_name[n]) for n in flat if n != "work_summary"]
        for section in self.sections:
            fields = {f.name: f for f in section.spec.fields}
            for row in section.rows:
                base = f"{section.key}-{row.index}-"
                for name, spec in fields.items():
                    if name in row.errors:
                        found.append(
                            Problem("f-" + base + name.replace("_", "-"), spec, section.spec, row.index + 1)
                        )
                if any(name not in fields for name in row.errors):  # an error of the row as a whole
                    found.append(Problem(f"row-{section.key}-{row.index}", None, section.spec, row.index + 1))
        if "work_summary" in flat:
            found.append(Problem(_input_id("work_summary"), by_name["work_summary"]))
        return found


def clauses_for(session: Session, application: Application) -> schema.FormClauses:
    """The clauses the form's messages cite for this application: its bureau's profile's, none where the
    bureau follows no profile (never another city's notice)."""
    return schema.form_clauses(effective_profile(session, application.bureau))


def form_view(
    session: Session,
    application: Application,
    *,
    parsed: ParsedForm | None = None,
    raw: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    add: str = "",
    stale: list[SavedChange] | None = None,
) -> FormView:
    """The form as stored, or as typed (``parsed``/``raw``: a refused save shows every value again with
    its error), with one blank row more in ``add``'s section."""
    allowed = opening(session, application)
    errors = dict(errors or (parsed.errors if parsed else {}))
    flat: dict[str, str] = {}
    flat_open: dict[str, bool] = {}
    for spec in FLAT_FIELDS:
        if raw is not None and spec.name in raw and spec.name in errors:
            flat[spec.name] = str(raw.get(spec.name, ""))
        elif parsed is not None and spec.name in parsed.flat_names and spec.name not in errors:
            flat[spec.name] = _as_input(spec, parsed.flat.get(spec.name))
        else:
            flat[spec.name] = _as_input(spec, getattr(application, spec.name))
        flat_open[spec.name] = allowed is None or allowed.field_open(spec.name)
    stored = rows_of(session, application.id)
    sections = []
    for spec in SECTIONS:
        key = spec.key
        views: list[RowView] = []
        if parsed is not None and key in parsed.sections:
            for i, p in enumerate(parsed.rows.get(key, [])):
                prefix = schema.input_name(key, i, "")
                row_errors = {n[len(prefix) :]: m for n, m in errors.items() if n.startswith(prefix)}
                values = {
                    f.name: (
                        p.raw.get(f.name, "") if f.name in row_errors else _as_input(f, p.values.get(f.name))
                    )
                    for f in spec.fields
                }
                if (
                    spec.key is SectionKey.EDUCATION
                    and "xuexin_code" not in row_errors
                    and p.values.get("xuexin_code")
                ):
                    values["xuexin_code"] = str(p.values["xuexin_code"])
                views.append(
                    RowView(
                        i,
                        p.row_id,
                        values,
                        row_errors,
                        allowed is None or allowed.row_open(key.value, p.row_id),
                        spec.label(p.values),
                    )
                )
        else:
            for i, r in enumerate(x for x in stored if x.section is key):
                views.append(
                    RowView(
                        i,
                        r.id,
                        {f.name: _as_input(f, r.values.get(f.name)) for f in spec.fields},
                        {},
                        allowed is None or allowed.row_open(key.value, r.id),
                        r.label,
                    )
                )
        can_add = (allowed is None or allowed.may_add(key.value)) and len(views) < spec.max_rows
        if add == key.value and can_add:
            views.append(RowView(len(views), None, {f.name: "" for f in spec.fields}, {}, True, ""))
        sections.append(SectionView(spec, views, can_add, any(v.open for v in views) or can_add))
    removed = [m for n, m in errors.items() if "-removed-" in n]
    return FormView(
        flat,
        {n: m for n, m in errors.items() if n in flat},
        flat_open,
        sections,
        application.form_version,
        stale or [],
        removed,
        clauses_for(session, application).hints,
    )


# --- what a submission needs (MAT-12) -----------------------------------------------------------------


def missing_for_submit(session: Session, application: Application) -> list[str]:
    """What the 申报表 still lacks before it can be submitted (MAT-12, 002 四(一): basic data, education,
    work history, work summary), each as the applicant reads it."""
    rows = rows_of(session, application.id)
    missing = []
    sections = {r.section for r in rows}
    if SectionKey.EDUCATION not in sections:
        missing.append(N_("学历学位（至少一条）"))
    if SectionKey.WORK not in sections:
        missing.append(N_("工作经历（至少一条）"))
    if SectionKey.TITLE not in sections and not application.no_title:
        missing.append(N_("现有职称（或勾选“尚无职称”）"))
    if not application.work_summary:
        missing.append(N_("工作总结"))
    incomplete = _incomplete_rows(rows)
    if incomplete:
        missing.append(T_("未填完整的条目：%(rows)s", rows=joined(incomplete)))
    return missing


def _incomplete_rows(rows: tuple[Row, ...]) -> list[str]:
    """Rows saved with a required value still missing (a refused value is not stored)."""
    found = []
    for r in rows:
        lacking = [f.title for f in r.spec.fields if f.required and r.values.get(f.name) in (None, "")]
        if lacking:
            found.append(
                T_(
                    "%(section)s「%(row)s」缺%(fields)s",
                    section=r.spec.title,
                    row=r.label,
                    fields=joined(lacking),
                )
            )
    return found


def copy_rows(
    session: Session, source: Application, target: Application, now: datetime
) -> tuple[list[str], dict[int, int]]:
    """Copy every row of ``source``'s sections that ``target`` has none of yet (copy from the last
    application); returns the titles of the sections copied and each copied row's new id by its old."""
    have = {r.section for r in stored_rows(session, target.id)}
    copied: list[str] = []
    ids: dict[int, int] = {}
    for row in stored_rows(session, source.id):
        if row.section in have:
            continue
        new = FormRow(
            application_id=target.id,
            section=row.section,
            position=row.position,
            data=dict(row.data),
            created_at=now,
            updated_at=now,
        )
        session.add(new)
        session.flush()
        ids[row.id] = new.id
        title = schema.SECTION_BY_KEY[row.section].title
        if title not in copied:
            copied.append(title)
    return copied, ids


def form_data(flat: Mapping[str, Any] | None = None, **sections: list[Mapping[str, Any]]) -> dict[str, str]:
    """A form as a browser posts it (demo data, tests, scripts): flat fields by name, each section's rows
    as ``<section>-<n>-<field>``, and the list of sections carried."""
    data: dict[str, str] = {}
    for name, value in (flat or {}).items():
        spec = schema.FLAT_BY_NAME[name]
        data[name] = _as_input(spec, value) if not isinstance(value, str) else value
    for key, rows in sections.items():
        spec = schema.SECTION_BY_KEY[key]
        for i, row in enumerate(rows):
            for name, value in row.items():
                if name == "id":
                    data[schema.input_name(key, i, "id")] = str(value)
                    continue
                f = spec.field(name)
                data[schema.input_name(key, i, name)] = (
                    value if isinstance(value, str) else _as_input(f, value)
                )
    data["_sections"] = ",".join(sections)
    return data


def posted_form(session: Session, application: Application) -> dict[str, str]:
    """The form exactly as its page would post it now (row ids and the version included): what a save
    with no change sends, and the base a script or test changes one value of."""
    view = form_view(session, application)
    data = {name: value for name, value in view.flat.items()}
    for section in view.sections:
        for row in section.rows:
            if row.row_id is not None:
                data[schema.input_name(section.key, row.index, "id")] = str(row.row_id)
            for name, value in row.values.items():
                data[schema.input_name(section.key, row.index, name)] = value
    data["_sections"] = ",".join(s.key for s in view.sections)
    data["form_version"] = str(view.version)
    return data
