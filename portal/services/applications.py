"""Applicant accounts and applications: HR creates the account and starts the application, the
applicant fills the short form and moves it along; every move goes through services.transitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import committees as committee_rules
from portal.domain import glossary
from portal.domain.eligibility import Employer, Facts, refused_at_start
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.form import FLAT_FIELDS
from portal.domain.glossary import note_title, series_as_stored
from portal.domain.i18n import N_, NC_, T_, Clause, Text
from portal.domain.materials import moved_slot
from portal.domain.policy import LEVELS, PATHWAYS
from portal.domain.text import split_rule_ids
from portal.domain.workflow import FINAL_STATUSES, Action, Role, Status
from portal.models import Application, AuditEvent, Material, Organisation, OrgKind, StaffRole, User
from portal.services import (
    audit,
    certificates,
    committees,
    corrections,
    eligibility,
    forms,
    materials,
    notices,
    paper,
    rulebook,
    transitions,
    versions,
)
from portal.services.actors import Actor
from portal.services.policies import effective_profile
from portal.services.scope import get_application, visible_applications

EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


@dataclass(frozen=True)
class StartInput:
    applicant_id: int
    series: str
    specialty: str
    level: str
    pathway: str = "认定"
    authority_code: str = ""  # blank: the authority the profile names for the level and the region


def _require_enterprise_staff(actor: Actor) -> None:
    if not (actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE):
        raise PermissionDenied(N_("只有用人单位的经办人或领导可以办理"))


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
        errors["applicant_id"] = N_("请选择本单位的申报人")
    # A suggested series typed in English ("Engineering") is stored as the Chinese name (工程) every
    # profile, form and hand-off writes.
    series, specialty = series_as_stored(data.series.strip()), data.specialty.strip()
    if not series:
        errors["series"] = N_("请填写职称系列")
    if not specialty:
        errors["specialty"] = N_("请填写专业")
    if data.level not in LEVELS:
        errors["level"] = N_("请选择申报级别")
    if data.pathway not in PATHWAYS:
        errors["pathway"] = N_("请选择申报途径")
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
        raise ValidationFailed({"applicant_id": N_("本单位尚未归属主管部门和人社局，请联系管理员")})
    _refuse_what_cannot_be_submitted(session, department.parent, enterprise, data, series, specialty)
    authority_code = _authority_for(session, department.parent, data, enterprise.region, enterprise.uscc)
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


def _refuse_what_cannot_be_submitted(
    session: Session, bureau: Organisation | None, enterprise: Organisation, data: StartInput, series: str,
    specialty: str,
) -> None:  # fmt: skip
    """A start the check would block at every submission whatever the applicant fills in is refused here,
    with that finding and its clause: a 以考代评 title (EXAM-01/02/04) at 申报级别 (walk 3, item 3), a
    non-state enterprise's engineering 认定 (SCOPE-07, by the employer's recorded ownership) at 申报途径,
    where its alternative (评审) is chosen. Such a draft could never be submitted."""
    profile = effective_profile(session, bureau)
    if profile is None or data.pathway not in profile.pathway_names:
        return  # reviewed by hand: the check does not apply either
    employer = Employer(ownership=eligibility.OWNERSHIP_FACT.get(enterprise.ownership or ""))
    facts = Facts(
        pathway=data.pathway, series=series, specialty=specialty, level=data.level, employer=employer
    )
    if (found := refused_at_start(profile, facts)) is None:
        return
    excluded = any(ex.rule == found.rule for ex in profile.exclusions)
    clause = Clause(split_rule_ids(found.clause)[0])
    message = T_("%(message)s（%(clause)s）", message=found.message, clause=clause)
    raise ValidationFailed({"pathway" if excluded else "level": message})


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
    return T_(
        "该申报人已有一份进行中的%(series)s%(level)s申报（%(title)s），请勿重复发起；如需重新申报，请先撤回或办结原申报",
        series=application.series,
        level=application.level,
        title=application.state.title,
    )


def _authority_for(
    session: Session, bureau: Organisation | None, data: StartInput, region: str, uscc: str | None
) -> str | None:
    """The certifying authority of a new application: the one asked for, if it certifies the level there,
    else the one the profile names; for the staff of an enterprise with a self-review unit that unit
    (SCOPE-13), and a self-review unit for nobody else."""
    profile = effective_profile(session, bureau)
    if profile is None or data.pathway not in profile.pathway_names:
        return None
    code = data.authority_code.strip()
    if not code:
        found = profile.authorities_for(
            data.level, region or None, enterprise=uscc, series=data.series.strip()
        )
        return found[0].code if found else None
    authority = next((a for a in profile.authorities if a.code == code), None)
    if authority is None:
        raise ValidationFailed({"authority_code": N_("请选择认定机构")})
    if authority.self_review and not authority.certifies(
        data.level, enterprise=uscc or "", series=data.series.strip()
    ):
        raise ValidationFailed(
            {
                "authority_code": T_(
                    "%(name)s是自主评审单位，只认定本单位人员的%(area)s",
                    name=authority.name,
                    area=authority.area,
                )
            }
        )
    unit = profile.self_review_unit(uscc)
    series = data.series.strip()
    if (
        unit is not None
        and unit.code != code
        and unit.certifies(data.level, enterprise=uscc or "", series=series)
    ):
        # SCOPE-13: the unit certifies its own staff at this level and series; another authority (and its
        # shared windows, without WIN-02's written filing) is not theirs to choose.
        raise ValidationFailed(
            {
                "authority_code": T_(
                    "本单位人员的%(level)s由自主评审单位%(name)s认定，不能选择其他认定机构",
                    level=data.level,
                    name=unit.name,
                )
            }
        )
    if not authority.certifies(data.level, region or None):
        raise ValidationFailed(
            {
                "authority_code": T_(
                    "%(name)s的认定范围为%(area)s，不认定本单位的%(level)s",
                    name=authority.name,
                    area=authority.area,
                    level=data.level,
                )
            }
        )
    return code


def may_fill(actor: Actor, application: Application) -> bool:
    """The applicant, or the enterprise's HR filling in on the applicant's behalf (audited as such)."""
    return forms.may_fill(actor, application)


def is_editable(application: Application) -> bool:
    """Whether the 申报表 can be changed now: a draft, or returned for correction."""
    return application.state in EDITABLE


def previous_application(session: Session, application: Application) -> Application | None:
    """The applicant's application before this one, if any: what 从上次申报复制 copies from."""
    return session.scalars(
        select(Application)
        .where(Application.applicant_id == application.applicant_id, Application.id < application.id)
        .order_by(Application.id.desc())
    ).first()


# The flat part of the 申报表 copied from the last application (its rows are copied by section).
COPIED_FIELDS = tuple(f.name for f in FLAT_FIELDS)


def copy_from_previous(session: Session, actor: Actor, application_id: int, now: datetime) -> Application:
    """ "Copy from last application": a draft pre-filled from the applicant's previous application, the form
    and the uploaded materials (the same stored files; copies must be endorsed again, the pledge signed
    again). Fields already filled in the draft are kept."""
    application = get_application(session, actor, application_id)
    if not may_fill(actor, application):
        raise PermissionDenied(N_("只能填写本人的申报表（或由本单位经办人代为填写）"))
    if application.state is not Status.DRAFT:
        raise PermissionDenied(N_("只有草稿可以从上次申报复制"))
    previous = previous_application(session, application)
    if previous is None:
        raise DomainError(N_("没有找到上一次的申报"), code="no_previous")
    copied = []
    for name in COPIED_FIELDS:
        if getattr(application, name) in ("", None, False) and getattr(previous, name) not in (
            "",
            None,
            False,
        ):
            setattr(application, name, getattr(previous, name))
            copied.append(name)
    sections, row_ids = forms.copy_rows(session, previous, application, now)
    if copied or sections:
        application.form_version += 1
    forms.summarise(session, application)
    have = {m.slot for m in materials.active_materials(session, application.id)}
    taken = []
    for old in materials.active_materials(session, previous.id):
        if old.slot in have or old.slot == "notice_result":
            continue
        slot = moved_slot(old.slot, row_ids)
        if slot is None:
            continue  # its row was not copied (the draft had that section already)
        session.add(
            Material(
                application_id=application.id,
                slot=slot,
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
        detail={"from": previous.id, "fields": copied, "sections": sections, "materials": taken},
    )
    return application


def missing_for_submit(session: Session, application: Application) -> list[str]:
    """What the 申报表 still lacks before submission (services.forms: MAT-12)."""
    return forms.missing_for_submit(session, application)


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
    verified: bool = False,
) -> Application:
    """Run one workflow action on an application the actor can see (the views' single entry point).

    Every guard of the rulebook (services.rulebook: the same registry that offers the action) is applied
    first; the first refusal is audited and raised. Submitting fixes the batch, cutoff and acknowledgement
    with the status. A resubmission must answer every returned item: changed, or ``responses[section]``
    says why not (the rulebook's returned_items_answered guard). ``verified``: the handler ticked the
    profile's check (EXP-03, services.review_checks), kept on the audit row where it was asked. May cause
    every transition a person can take (services.transitions)."""
    application = get_application(session, actor, application_id)
    attempt = rulebook.Attempt(
        expected_version, reason, acknowledgement, responses or {}, committee_id, certificate_no, verified
    )
    rulebook.enforce(session, actor, application, action, now, attempt)
    confirmed = rulebook.checked(session, actor, application, action, now, attempt)
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
        checked=confirmed,
    )
    if terms is not None:
        eligibility.record_acknowledgement(session, actor, result, now)
    if action is Action.RESUBMIT:
        corrections.close_on_resubmit(session, result, now)
    if action is Action.HANDLER_APPROVE and source is Status.BUREAU_REVIEW:
        paper.open_followup(session, actor, result, now)  # the accepting body's online approval (MAT-15)
    if action is Action.RECORD_CERTIFICATE and result.committee is not None:
        # The meetings list says how far a published meeting's numbers are entered (meetings.numbers_
        # entered): the number is a Core write its counter's flush hook cannot see, so it is noted here.
        versions.note(session, [versions.meetings(result.committee.bureau_id)])
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
    # The road the step's status is on (glossary's BUREAU_ROAD or COMMITTEE_ROAD): recording the province's
    # number certifies on the committee road, and that step's badge says 评审通过, not 已认定发证.
    to_road: str = glossary.BUREAU_ROAD
    org_id: int | None = None  # the organisation the actor acted for (the package groups opinions by it)
    actor_is_system: bool = False  # no person acted (a notice's end, a missed deadline): "系统", translated
    reason_title: str = N_("理由")  # what `reason` is: a reason, an opinion, a vote, a document number
    # The unit's notice ended over objections found unfounded: its step and badge do not say 无异议.
    overruled: bool = False

    @property
    def reason_is_message(self) -> bool:
        """The reason is the system's own message (a vote's tally), shown in the reader's language; a
        typed reason is data, shown as written."""
        return isinstance(self.reason, Text)


def timeline(session: Session, actor: Actor, application_id: int) -> list[TimelineEntry]:
    """Every successful step on the application: who, in which role, when, and the reason given. The end
    of its unit's notice over objections found unfounded is named as such (services.notices.overruled,
    the decision its 公示结果 reads), not 公示期满无异议."""
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
    overruled: bool | None = None  # read once, at the unit notice's end (services.notices.overruled)
    for event in rows:
        try:
            action_title = Action(event.action).title
        except ValueError:
            action_title = (
                NC_("history event", "创建申报") if event.action == "start_application" else event.action
            )
        passed_notice = event.action == Action.CLOSE_NOTICE and event.to_status == Status.NOTICE_PASSED
        if passed_notice and overruled is None:
            overruled = notices.overruled_for(session, application) is not None
        over = passed_notice and bool(overruled)
        if over:
            action_title = glossary.CLOSE_NOTICE_OVER_OBJECTIONS
        role_title = ""
        if event.role in {r.value for r in Role}:
            role_title = Role(event.role).title
        elif event.role in {r.value for r in StaffRole}:
            role_title = StaffRole(event.role).title
        road = glossary.COMMITTEE_ROAD if event.action == Action.RECORD_CERTIFICATE else glossary.BUREAU_ROAD
        status_title = glossary.status_words(event.to_status, road, over).title if event.to_status else ""
        entries.append(
            TimelineEntry(
                at=event.at,
                actor_name=event.actor.name if event.actor else N_("系统"),
                role_title=role_title,
                action_title=action_title,
                to_status_title=status_title,
                reason=audit.reason_of(event),
                reason_title=note_title(event.action),
                from_status=event.from_status or "",
                to_status=event.to_status or "",
                to_road=road,
                org_id=event.org_id,
                actor_is_system=event.actor is None,
                overruled=over,
            )
        )
    return entries


@dataclass(frozen=True)
class BulkOutcome:
    done: list[tuple[int, str]]  # (application id, applicant name)
    failed: list[tuple[int, str, str]]  # (application id, applicant name or "", why)


def act_many(
    session: Session,
    actor: Actor,
    application_ids: list[int],
    action: Action,
    now: datetime,
    *,
    verified: bool = False,
) -> BulkOutcome:
    """One action on many applications, each through the same guards; a refusal leaves the others done.

    Returns and rejections are never bulk actions: each needs its own reason. ``verified``: the handler
    confirmed the profile's check (EXP-03) for every ticked row.
    """
    if action.needs_reason or action in transitions.APPLICANT_ACTIONS:
        raise DomainError(T_("“%(title)s”须逐件办理", title=action.title), code="not_bulk")
    if not application_ids:
        raise ValidationFailed({"ids": N_("请先勾选要办理的申报")})
    done: list[tuple[int, str]] = []
    failed: list[tuple[int, str, str]] = []
    for application_id in dict.fromkeys(application_ids):
        try:
            with session.begin_nested():
                application = act(session, actor, application_id, action, now, verified=verified)
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
