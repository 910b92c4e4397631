"""Applicant accounts and applications: HR creates the account and starts the application, the
applicant fills the short form and moves it along; every move goes through services.transitions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import committees as committee_rules
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_
from portal.domain.policy import EDUCATION_LEVELS, LEVELS, PATHWAYS
from portal.domain.workflow import FINAL_STATUSES, Action, Role, Status
from portal.models import Application, AuditEvent, Material, Organisation, OrgKind, StaffRole, User
from portal.services import (
    audit,
    certificates,
    committees,
    corrections,
    eligibility,
    materials,
    paper,
    rulebook,
    transitions,
)
from portal.services.actors import Actor
from portal.services.policies import effective_profile
from portal.services.scope import get_application, visible_applications

DEGREES = (N_("无"), N_("学士"), N_("硕士"), N_("博士"))
FLAGS = (
    "overseas_education",
    "has_prior_employer",
    "has_internship",
    "on_establishment",
    "insured_unit_differs",
)
_XUEXIN_CODE = re.compile(r"[0-9A-Z]{8,24}")
_CE_HOURS = re.compile(r"(20[0-9]{2})\s*[:：]\s*([0-9]{1,3})")
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


@dataclass(frozen=True)
class StartInput:
    applicant_id: int
    series: str
    specialty: str
    level: str
    pathway: str = "认定"
    authority_code: str = ""  # blank: the authority the profile names for the level and the region


@dataclass(frozen=True)
class FormInput:
    education: str = ""
    school: str = ""
    major: str = ""
    graduated_on: str = ""
    work_started_on: str = ""
    current_title: str = ""
    work_summary: str = ""
    # The dossier's part: facts that decide the materials checklist (portal.domain.materials).
    degree: str = ""
    overseas_education: str = ""
    xuexin_code: str = ""
    has_prior_employer: str = ""
    has_internship: str = ""
    on_establishment: str = ""
    insured_unit_differs: str = ""
    qualification_name: str = ""
    qualification_no: str = ""
    qualification_issued_on: str = ""
    qualification_expires_on: str = ""
    ce_hours: str = ""
    achievements: str = ""


def _require_enterprise_staff(actor: Actor) -> None:
    if not (actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE):
        raise PermissionDenied("只有用人单位的经办人或领导可以办理")


def applicants_of(session: Session, actor: Actor) -> list[User]:
    """The applicant accounts of the actor's own enterprise (enterprise staff only), oldest first."""
    _require_enterprise_staff(actor)
    return list(session.scalars(select(User).where(User.employer_id == actor.org_id).order_by(User.id)))


def start_application(session: Session, actor: Actor, data: StartInput, now: datetime) -> Application:
    """A draft on the applicant's behalf; the route is the enterprise's department and bureau. The
    pathway is required; the certifying authority must certify the level for the enterprise's region
    (SCOPE-06) and defaults to the one the bureau's policy profile names."""
    _require_enterprise_staff(actor)
    errors: dict[str, str] = {}
    applicant = session.get(User, data.applicant_id)
    if applicant is None or applicant.employer_id != actor.org_id:
        errors["applicant_id"] = "请选择本单位的申报人"
    series, specialty = data.series.strip(), data.specialty.strip()
    if not series:
        errors["series"] = "请填写职称系列"
    if not specialty:
        errors["specialty"] = "请填写专业"
    if data.level not in LEVELS:
        errors["level"] = "请选择申报级别"
    if data.pathway not in PATHWAYS:
        errors["pathway"] = "请选择申报途径"
    if errors:
        raise ValidationFailed(errors)
    assert applicant is not None and applicant.employer is not None
    certificates.refuse_if_on_record(session, applicant.id, now)
    if barred := corrections.barred_this_year(session, applicant.id, now):
        raise DomainError(barred, code="return_limit")
    if open_one := _open_application(session, applicant.id, series[:50], data.level):
        raise ValidationFailed({"applicant_id": _duplicate_message(open_one)})
    enterprise = applicant.employer
    department = enterprise.parent
    if department is None or department.parent_id is None:
        raise ValidationFailed({"applicant_id": "本单位尚未归属主管部门和人社局，请联系管理员"})
    authority_code = _authority_for(session, department.parent, data, enterprise.region)
    application = Application(
        applicant_id=applicant.id,
        enterprise_id=enterprise.id,
        department_id=department.id,
        bureau_id=department.parent_id,
        current_org_id=enterprise.id,
        series=series[:50],
        specialty=specialty[:100],
        level=data.level,
        pathway=data.pathway,
        authority_code=authority_code,
        status=Status.DRAFT.value,
        awaiting="applicant",
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    try:
        with session.begin_nested():  # a double click racing past the check meets the unique index
            session.add(application)
            session.flush()
    except IntegrityError:
        if open_one := _open_application(session, applicant.id, series[:50], data.level):
            raise ValidationFailed({"applicant_id": _duplicate_message(open_one)}) from None
        raise
    audit.record(
        session,
        actor,
        "start_application",
        now,
        object_type="application",
        object_id=application.id,
        to_status=Status.DRAFT.value,
    )
    return application


def _open_application(session: Session, applicant_id: int, series: str, level: str) -> Application | None:
    """The person's application in this series and level that is still under way, if any: one at a time
    (003 四: one application per level and year; a double click on 发起申报 must not make two)."""
    return session.scalars(
        select(Application).where(
            Application.applicant_id == applicant_id,
            Application.series == series,
            Application.level == level,
            Application.status.not_in([s.value for s in FINAL_STATUSES]),
        )
    ).first()


def _duplicate_message(application: Application) -> str:
    return (
        f"该申报人已有一份进行中的{application.series}{application.level}申报（{application.state.title}），"
        "请勿重复发起；如需重新申报，请先撤回或办结原申报"
    )


def _authority_for(
    session: Session, bureau: Organisation | None, data: StartInput, region: str
) -> str | None:
    profile = effective_profile(session, bureau)
    if profile is None or data.pathway not in profile.pathway_names:
        return None
    code = data.authority_code.strip()
    if not code:
        found = profile.authorities_for(data.level, region or None)
        return found[0].code if found else None
    authority = next((a for a in profile.authorities if a.code == code), None)
    if authority is None:
        raise ValidationFailed({"authority_code": "请选择认定机构"})
    if not authority.certifies(data.level, region or None):
        raise ValidationFailed(
            {"authority_code": f"{authority.name}的认定范围为{authority.area}，不认定本单位的{data.level}"}
        )
    return code


def _parse_date(raw: str, field: str, errors: dict[str, str], today: date) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        errors[field] = "日期格式应为 年-月-日，例如 2020-07-01"
        return None
    if value > today:
        errors[field] = "日期不能晚于今天"
    return value


def _flag(raw: str) -> bool:
    return raw.strip().lower() in {"1", "on", "true", "yes", "是"}


def _parse_any_date(raw: str, field: str, errors: dict[str, str]) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        errors[field] = "日期格式应为 年-月-日，例如 2027-12-31"
        return None


def _ce_hours(raw: str, errors: dict[str, str]) -> str:
    """ "2024:90, 2025：96" → "2024:90, 2025:96" (continuing-education hours per year, CE-01)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return ""
    pairs = _CE_HOURS.findall(text)
    rest = _CE_HOURS.sub("", text).replace(",", "").replace("，", "").replace(";", "").strip()
    if not pairs or rest:
        errors["ce_hours"] = "请按“年份:学时”填写，多年用逗号分隔，例如 2024:90, 2025:96"
        return raw.strip()
    return ", ".join(f"{year}:{int(hours)}" for year, hours in sorted(dict(pairs).items()))


def may_fill(actor: Actor, application: Application) -> bool:
    """The applicant, or the enterprise's HR filling in on the applicant's behalf (audited as such)."""
    if actor.user_id == application.applicant_id and not actor.is_staff:
        return True
    return (
        actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE and actor.org_id == application.enterprise_id
    )


def is_editable(application: Application) -> bool:
    """Whether the 申报表 can be changed now: a draft, or returned for correction."""
    return application.state in EDITABLE


def _audit_value(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def save_form(
    session: Session,
    actor: Actor,
    application_id: int,
    data: FormInput,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Application:
    """Saves every valid field, then reports the invalid ones (ValidationFailed after the save: the caller
    commits, so nothing typed correctly is lost). The applicant's own draft or returned application, or
    HR on the applicant's behalf; the audit event names who changed which field from what to what."""
    application = get_application(session, actor, application_id)
    if not may_fill(actor, application):
        raise PermissionDenied("只能填写本人的申报表（或由本单位经办人代为填写）")
    if application.state not in EDITABLE:
        raise PermissionDenied(f"申报当前为“{application.state.title}”，不能修改")
    errors: dict[str, str] = {}
    today = now.date()
    if data.education and data.education not in EDUCATION_LEVELS:
        errors["education"] = "请选择学历"
    if data.degree and data.degree not in DEGREES:
        errors["degree"] = "请选择学位"
    graduated_on = _parse_date(data.graduated_on, "graduated_on", errors, today)
    work_started_on = _parse_date(data.work_started_on, "work_started_on", errors, today)
    issued_on = _parse_date(data.qualification_issued_on, "qualification_issued_on", errors, today)
    expires_on = _parse_any_date(data.qualification_expires_on, "qualification_expires_on", errors)
    if issued_on and expires_on and expires_on < issued_on:
        errors["qualification_expires_on"] = "有效期不能早于发证日期"
    xuexin_code = unicodedata.normalize("NFKC", data.xuexin_code).replace(" ", "").upper()
    if xuexin_code and not _XUEXIN_CODE.fullmatch(xuexin_code):
        errors["xuexin_code"] = "在线验证码应为8至24位字母或数字（见备案表右下角）"
    limits = {
        "school": 100,
        "major": 100,
        "current_title": 100,
        "work_summary": 4000,
        "qualification_name": 100,
        "qualification_no": 60,
        "achievements": 4000,
    }
    for field, limit in limits.items():
        if len(getattr(data, field).strip()) > limit:
            errors[field] = f"不能超过{limit}字"
    values: dict[str, object] = {
        "education": data.education,
        "school": data.school.strip(),
        "major": data.major.strip(),
        "graduated_on": graduated_on,
        "work_started_on": work_started_on,
        "current_title": data.current_title.strip(),
        "work_summary": data.work_summary.strip(),
        "degree": data.degree,
        "xuexin_code": xuexin_code,
        "qualification_name": data.qualification_name.strip(),
        "qualification_no": data.qualification_no.strip(),
        "qualification_issued_on": issued_on,
        "qualification_expires_on": expires_on,
        "ce_hours": _ce_hours(data.ce_hours, errors),
        "achievements": data.achievements.strip(),
        **{flag: _flag(getattr(data, flag)) for flag in FLAGS},
    }
    allowed = corrections.editable_fields(session, application)
    if allowed is not None:
        # After a return only the listed parts may change (一次性告知); the rest stays as it was reviewed.
        for field, value in values.items():
            if field not in allowed and value != getattr(application, field) and field not in errors:
                errors[field] = "这一项没有被退回，不能修改"
    changed = {
        field: [_audit_value(getattr(application, field)), _audit_value(value)]
        for field, value in values.items()
        if field not in errors and value != getattr(application, field)
    }
    for field in changed:
        setattr(application, field, values[field])
    if changed:
        application.updated_at = now
        on_behalf = actor.user_id != application.applicant_id
        audit.record(
            session,
            actor,
            "save_form",
            now,
            object_type="application",
            object_id=application.id,
            role=None if on_behalf else "applicant",
            detail={"changed": changed, "on_behalf": on_behalf},
        )
    session.flush()
    if errors:
        raise ValidationFailed(errors)
    return application


def previous_application(session: Session, application: Application) -> Application | None:
    """The applicant's application before this one, if any: what 从上次申报复制 copies from."""
    return session.scalars(
        select(Application)
        .where(Application.applicant_id == application.applicant_id, Application.id < application.id)
        .order_by(Application.id.desc())
    ).first()


COPIED_FIELDS = (
    "education",
    "school",
    "major",
    "graduated_on",
    "work_started_on",
    "current_title",
    "work_summary",
    "degree",
    "xuexin_code",
    "qualification_name",
    "qualification_no",
    "qualification_issued_on",
    "qualification_expires_on",
    "ce_hours",
    "achievements",
    *FLAGS,
)


def copy_from_previous(session: Session, actor: Actor, application_id: int, now: datetime) -> Application:
    """ "Copy from last application": a draft pre-filled from the applicant's previous application, the form
    and the uploaded materials (the same stored files; copies must be endorsed again, the pledge signed
    again). Fields already filled in the draft are kept."""
    application = get_application(session, actor, application_id)
    if not may_fill(actor, application):
        raise PermissionDenied("只能填写本人的申报表（或由本单位经办人代为填写）")
    if application.state is not Status.DRAFT:
        raise PermissionDenied("只有草稿可以从上次申报复制")
    previous = previous_application(session, application)
    if previous is None:
        raise DomainError("没有找到上一次的申报", code="no_previous")
    copied = []
    for field in COPIED_FIELDS:
        if getattr(application, field) in ("", None, False) and getattr(previous, field) not in (
            "",
            None,
            False,
        ):
            setattr(application, field, getattr(previous, field))
            copied.append(field)
    have = {m.slot for m in materials.active_materials(session, application.id)}
    taken = []
    for old in materials.active_materials(session, previous.id):
        if old.slot in have or old.slot == "notice_result":
            continue
        session.add(
            Material(
                application_id=application.id,
                slot=old.slot,
                kind=old.kind,
                file_id=old.file_id,
                thumbnail_id=old.thumbnail_id,
                pages=old.pages,
                combined=old.combined,
                document_date=old.document_date,
                uploaded_by_id=actor.user_id,
                uploaded_at=now,
            )
        )
        taken.append(old.id)
    application.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "copy_from_previous",
        now,
        object_type="application",
        object_id=application.id,
        role=None if actor.is_staff else "applicant",
        detail={"from": previous.id, "fields": copied, "materials": taken},
    )
    return application


REQUIRED_FOR_SUBMIT = {
    "education": "学历",
    "school": "毕业院校",
    "major": "所学专业",
    "graduated_on": "毕业时间",
    "work_started_on": "参加工作时间",
    "work_summary": "工作总结",
}


def missing_for_submit(application: Application) -> list[str]:
    """The titles of the 申报表 fields a submission needs that are still empty."""
    return [title for field, title in REQUIRED_FOR_SUBMIT.items() if not getattr(application, field)]


def act(
    session: Session,
    actor: Actor,
    application_id: int,
    action: Action,
    now: datetime,
    *,
    expected_version: int | None = None,
    reason: str = "",
    acknowledgement: str = "",
    responses: dict[str, str] | None = None,
    committee_id: int | None = None,
    certificate_no: str = "",
) -> Application:
    """Run one workflow action on an application the actor can see (the views' single entry point).

    Every guard of the rulebook (services.rulebook: the same registry that offers the action) is applied
    first; the first refusal is audited and raised. Submitting fixes the batch, cutoff and acknowledgement
    with the status. A resubmission must answer every returned item: changed, or ``responses[section]``
    says why not (the rulebook's returned_items_answered guard). May cause every transition a person can
    take (services.transitions)."""
    application = get_application(session, actor, application_id)
    attempt = rulebook.Attempt(
        expected_version, reason, acknowledgement, responses or {}, committee_id, certificate_no
    )
    rulebook.enforce(session, actor, application, action, now, attempt)
    committee = None
    if action is Action.SEND_TO_COMMITTEE:  # the rulebook checked the choice (or that one is implied)
        routing = committees.routing(session, application, now)
        committee = next((c for c in routing.candidates if c.id == committee_id), None) or routing.implied
    source = application.state
    terms = None
    if action in (Action.SUBMIT, Action.RESUBMIT):
        terms = eligibility.submission_terms(
            session, application, first=action is Action.SUBMIT, acknowledgement=acknowledgement, now=now
        )
    result = transitions.apply(
        session,
        actor,
        application,
        action,
        now,
        expected_version=expected_version,
        reason=reason,
        submission=terms,
        committee=committee,
        certificate_no=committee_rules.certificate_no(certificate_no) if certificate_no else None,
    )
    if terms is not None:
        eligibility.record_acknowledgement(session, actor, result, now)
    if action is Action.RESUBMIT:
        corrections.close_on_resubmit(session, result, now)
    if action is Action.HANDLER_APPROVE and source is Status.BUREAU_REVIEW:
        paper.open_followup(session, actor, result, now)  # the accepting body's online approval (MAT-15)
    return result


def applications_of_applicant(session: Session, actor: Actor) -> list[Application]:
    """The actor's own applications, newest first, through the application scope."""
    stmt = visible_applications(actor).where(Application.applicant_id == actor.user_id)
    return list(session.scalars(stmt.order_by(Application.id.desc())))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor_name: str
    role_title: str
    action_title: str
    to_status_title: str
    reason: str
    from_status: str = ""  # the status values, for the step diagram and the status badge
    to_status: str = ""
    org_id: int | None = None  # the organisation the actor acted for (the package groups opinions by it)
    actor_is_system: bool = False  # no person acted (a notice's end, a missed deadline): "系统", translated


def timeline(session: Session, actor: Actor, application_id: int) -> list[TimelineEntry]:
    """Every successful step on the application: who, in which role, when, and the reason given."""
    application = get_application(session, actor, application_id)
    entries: list[TimelineEntry] = []
    rows = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id == application.id,
            AuditEvent.outcome == "ok",
            AuditEvent.to_status.is_not(None),
        )
        .order_by(AuditEvent.id)
    )
    for event in rows:
        try:
            action_title = Action(event.action).title
        except ValueError:
            action_title = N_("创建申报") if event.action == "start_application" else event.action
        role_title = ""
        if event.role in {r.value for r in Role}:
            role_title = Role(event.role).title
        elif event.role in {r.value for r in StaffRole}:
            role_title = StaffRole(event.role).title
        entries.append(
            TimelineEntry(
                at=event.at,
                actor_name=event.actor.name if event.actor else N_("系统"),
                role_title=role_title,
                action_title=action_title,
                to_status_title=Status(event.to_status).title if event.to_status else "",
                reason=event.reason,
                from_status=event.from_status or "",
                to_status=event.to_status or "",
                org_id=event.org_id,
                actor_is_system=event.actor is None,
            )
        )
    return entries


@dataclass(frozen=True)
class BulkOutcome:
    done: list[tuple[int, str]]  # (application id, applicant name)
    failed: list[tuple[int, str, str]]  # (application id, applicant name or "", why)


def act_many(
    session: Session, actor: Actor, application_ids: list[int], action: Action, now: datetime
) -> BulkOutcome:
    """One action on many applications, each through the same guards; a refusal leaves the others done.

    Returns and rejections are never bulk actions: each needs its own reason.
    """
    if action.needs_reason or action in transitions.APPLICANT_ACTIONS:
        raise DomainError(f"“{action.title}”须逐件办理", code="not_bulk")
    if not application_ids:
        raise ValidationFailed({"ids": "请先勾选要办理的申报"})
    done: list[tuple[int, str]] = []
    failed: list[tuple[int, str, str]] = []
    for application_id in dict.fromkeys(application_ids):
        try:
            with session.begin_nested():
                application = act(session, actor, application_id, action, now)
            done.append((application_id, application.applicant.name))
        except (DomainError, NotFound) as refused:
            visible = session.scalars(
                visible_applications(actor).where(Application.id == application_id)
            ).first()
            failed.append((application_id, visible.applicant.name if visible else "", refused.message))
    audit.record(
        session,
        actor,
        f"bulk_{action.value}",
        now,
        object_type="application",
        detail={"done": [i for i, _ in done], "failed": [i for i, _, _ in failed]},
    )
    return BulkOutcome(done, failed)
