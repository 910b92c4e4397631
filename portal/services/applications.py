"""Applicant accounts and applications: HR creates the account and starts the application, the
applicant fills the short form and moves it along; every move goes through services.transitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, NotFound, PermissionDenied, StaleObject, ValidationFailed
from portal.domain.policy import PATHWAYS
from portal.domain.workflow import Action, Role, Status
from portal.models import Application, AuditEvent, Organisation, OrgKind, StaffRole, User
from portal.services import audit, certificates, corrections, eligibility, notices, transitions
from portal.services.actors import Actor
from portal.services.policies import effective_profile
from portal.services.scope import get_application, visible_applications

LEVELS = ("员级", "助理级", "中级", "副高级", "正高级")
EDUCATION_LEVELS = ("中专", "大专", "本科", "硕士", "博士")
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


def _require_enterprise_staff(actor: Actor) -> None:
    if not (actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE):
        raise PermissionDenied("只有用人单位的经办人或领导可以办理")


def applicants_of(session: Session, actor: Actor) -> list[User]:
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
    session.add(application)
    session.flush()
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


def save_form(
    session: Session,
    actor: Actor,
    application_id: int,
    data: FormInput,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Application:
    """Saves what is valid and reports what is not; the applicant's own draft or returned application only."""
    application = get_application(session, actor, application_id)
    if application.applicant_id != actor.user_id:
        raise PermissionDenied("只能填写本人的申报表")
    if application.state not in EDITABLE:
        raise PermissionDenied(f"申报当前为“{application.state.title}”，不能修改")
    errors: dict[str, str] = {}
    today = now.date()
    if data.education and data.education not in EDUCATION_LEVELS:
        errors["education"] = "请选择学历"
    graduated_on = _parse_date(data.graduated_on, "graduated_on", errors, today)
    work_started_on = _parse_date(data.work_started_on, "work_started_on", errors, today)
    limits = {"school": 100, "major": 100, "current_title": 100, "work_summary": 4000}
    for field, limit in limits.items():
        if len(getattr(data, field).strip()) > limit:
            errors[field] = f"不能超过{limit}字"
    values = {
        "education": data.education,
        "school": data.school.strip(),
        "major": data.major.strip(),
        "graduated_on": graduated_on,
        "work_started_on": work_started_on,
        "current_title": data.current_title.strip(),
        "work_summary": data.work_summary.strip(),
    }
    allowed = corrections.editable_fields(session, application)
    if allowed is not None:
        # After a return only the listed parts may change (一次性告知); the rest stays as it was reviewed.
        for field, value in values.items():
            if field not in allowed and value != getattr(application, field) and field not in errors:
                errors[field] = "这一项没有被退回，不能修改"
    if errors:
        raise ValidationFailed(errors)
    changed = [f for f, v in values.items() if v != getattr(application, f)]
    for field, value in values.items():
        setattr(application, field, value)
    application.updated_at = now
    audit.record(
        session,
        actor,
        "save_form",
        now,
        object_type="application",
        object_id=application.id,
        role="applicant",
        detail={"changed": changed},
    )
    session.flush()
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
) -> Application:
    """Run one workflow action on an application the actor can see (the view's single entry point).

    Submitting is refused outside the window and on eligibility blocks, and needs ``acknowledgement``
    of the warnings (services.eligibility.guard_submission); the batch and cutoff are fixed then."""
    application = get_application(session, actor, application_id)
    if action in transitions.NOTICE_ACTIONS:
        raise DomainError("公示的发布和结束请在“公示”页面办理", code="use_notice")
    if action is Action.RETURN:
        raise DomainError(
            "退回补正须在审核页面逐项列明需补正的内容和截止日期（一次性告知）", code="use_correction_list"
        )
    if action in (Action.LEADER_APPROVE, Action.CERTIFY) and notices.blocks_signing(session, application):
        raise DomainError(
            "该申报正在本单位公示，或有未处理的异议；公示期满并处理完异议后才能签批", code="in_notice"
        )
    if action is Action.SUBMIT:
        certificates.refuse_if_on_record(session, application.applicant_id, now)
    if action in (Action.SUBMIT, Action.RESUBMIT) and (missing := missing_for_submit(application)):
        raise ValidationFailed({"__all__": "请先填写：" + "、".join(missing)}, "申报表尚未填写完整")
    extra = None
    allowed = action in transitions.available_actions(actor, application)
    if action in (Action.SUBMIT, Action.RESUBMIT) and allowed:
        if expected_version is not None and expected_version != application.version:
            raise StaleObject()
        extra = eligibility.guard_submission(
            session,
            actor,
            application,
            first=action is Action.SUBMIT,
            acknowledgement=acknowledgement,
            now=now,
        )
    result = transitions.apply(
        session,
        actor,
        application,
        action,
        now,
        expected_version=expected_version,
        reason=reason,
        extra=extra,
    )
    if extra:
        eligibility.record_acknowledgement(session, actor, result, now)
    if action is Action.RESUBMIT:
        corrections.close_on_resubmit(session, result, now)
    return result


def applications_of_applicant(session: Session, actor: Actor) -> list[Application]:
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
            action_title = "创建申报" if event.action == "start_application" else event.action
        role_title = ""
        if event.role in {r.value for r in Role}:
            role_title = Role(event.role).title
        elif event.role in {r.value for r in StaffRole}:
            role_title = StaffRole(event.role).title
        entries.append(
            TimelineEntry(
                at=event.at,
                actor_name=event.actor.name if event.actor else "系统",
                role_title=role_title,
                action_title=action_title,
                to_status_title=Status(event.to_status).title if event.to_status else "",
                reason=event.reason,
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
