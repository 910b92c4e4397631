"""The only writer of Application.status (DESIGN.md §5).

Every change is decided by portal.domain.workflow, written as a compare-and-set on (id, status, version)
so a stale request fails with "此项已被办理，请刷新后查看最新状态" instead of overwriting, and audited in
the same transaction. Refused attempts are audited too, with outcome "denied", and that record outlives the
rollback of the refused work (audit.record_attempt). A handler's or leader's step also writes its
ReviewStep row, which the database checks (no step by the applicant, no signature by the stage's
handler); and the staff rulebook's cooling rule (services.staff) refuses every staff action on a case
handled by whoever opened the actor's account or role (the rulebook offers them disabled with its reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from portal.domain import workflow
from portal.domain.errors import DomainError, StaleObject
from portal.domain.i18n import N_, Text
from portal.domain.workflow import Action, Role, Status, TransitionNotAllowed
from portal.models import Application, Committee, Membership, ReviewStep, StaffRole
from portal.models.reviews import REVIEW_ACTIONS, SIGNING_ACTIONS
from portal.services import audit, notifications, staff
from portal.services.actors import Actor
from portal.services.certificates import issue_certificate_number, new_verification_code


@dataclass(frozen=True)
class SubmissionTerms:
    """What a submission fixes on the application together with its status (typed for the
    compare-and-set): the batch and its cutoff (a first submission), the acknowledgement of warnings."""

    batch_id: str | None = None
    batch_name: str | None = None  # what the batch is called, kept for when the profile drops it
    cutoff: date | None = None
    warnings_acknowledgement: str | None = None
    # A draft of a self-review unit's staff started under another authority goes to the unit (SCOPE-13).
    authority_code: str | None = None

    def columns(self) -> dict[str, Any]:
        """The columns to write: a first submission sets batch (its id and name) and cutoff; the
        acknowledgement when given."""
        values: dict[str, Any] = {}
        if self.batch_id is not None:
            values.update(batch_id=self.batch_id, batch_name=self.batch_name, cutoff=self.cutoff)
        if self.warnings_acknowledgement is not None:
            values["warnings_acknowledgement"] = self.warnings_acknowledgement
        if self.authority_code is not None:
            values["authority_code"] = self.authority_code
        return values


SHANGHAI = ZoneInfo("Asia/Shanghai")
APPLICANT_ACTIONS = frozenset({Action.SUBMIT, Action.RESUBMIT, Action.WITHDRAW})
# Done through a notice (services.notices), never as a bare button on one application.
NOTICE_ACTIONS = frozenset({Action.START_NOTICE, Action.CLOSE_NOTICE})


def workflow_role(actor: Actor, action: Action) -> Role:
    """The role an actor plays for an action: their staff role, or applicant for the applicant's moves."""
    if actor.user_id == 0:
        return Role.SYSTEM
    if action in APPLICANT_ACTIONS or not actor.is_staff:
        return Role.APPLICANT
    return Role.LEADER if actor.staff_role is StaffRole.LEADER else Role.HANDLER


def situation_of(application: Application) -> workflow.Situation:
    """What the workflow rules need to know about the application."""
    return workflow.Situation(
        status=application.state,
        applicant_id=application.applicant_id,
        handler_signed_by=application.handler_signed_by_id,
        returned_from=Status(application.returned_from) if application.returned_from else None,
    )


def workflow_actor(actor: Actor, application: Application, role: Role) -> workflow.Actor:
    """The actor as the workflow rules see them, in the role they play for this application."""
    return workflow.Actor(
        user_id=actor.user_id or None,
        role=role,
        acts_for_holder=actor.is_staff and actor.org_id == application.current_org_id,
    )


def table_actions(actor: Actor, application: Application, *, as_reviewer: bool = False) -> list[Action]:
    """The moves the workflow table gives this actor now: staff actions for staff, applicant actions on
    one's own application (not on review screens, where the person acts as a reviewer). The rulebook
    offers these, each refused by another rule disabled with its reason (the cooling rule among them:
    a handler who could act on a case but for it is told why, not shown an empty page)."""
    return _moves(actor, application, as_reviewer=as_reviewer, cooled=False)


def available_actions(actor: Actor, application: Application, *, as_reviewer: bool = False) -> list[Action]:
    """What this actor may do now: `table_actions` less the staff actions the cooling rule refuses."""
    session = object_session(application)  # (checked on every row: one cached lookup per request)
    cooled = (
        actor.is_staff
        and session is not None
        and staff.cooling_refusal(session, actor, application) is not None
    )
    return _moves(actor, application, as_reviewer=as_reviewer, cooled=cooled)


def _moves(actor: Actor, application: Application, *, as_reviewer: bool, cooled: bool) -> list[Action]:
    situation = situation_of(application)
    actions: list[Action] = []
    if actor.is_staff and not cooled:
        role = Role.LEADER if actor.staff_role is StaffRole.LEADER else Role.HANDLER
        actions += workflow.available_actions(situation, workflow_actor(actor, application, role))
    if actor.user_id == application.applicant_id and not as_reviewer:
        own = workflow.available_actions(situation, workflow_actor(actor, application, Role.APPLICANT))
        actions += [a for a in own if a in APPLICANT_ACTIONS]
    return [a for a in actions if a not in NOTICE_ACTIONS]


def holder_org_id(application: Application, status: Status, committee: Committee | None = None) -> int:
    """The organisation holding the application in `status`; with no holder, it stays where it was. On the
    committee road the committee's office holds it (``committee``: the one it is being sent to now)."""
    committee = committee or application.committee
    route = workflow.Route(
        application.enterprise_id,
        application.department_id,
        application.bureau_id,
        committee.office_id if committee is not None else None,
    )
    return workflow.holder_on(route, status, application.current_org_id)


def _org_can_send_onward(session: Session, org_id: int) -> bool:
    """An organisation sends work onward only once it has both an active handler and leader."""
    roles = session.scalars(
        select(Membership.role)
        .where(Membership.org_id == org_id, Membership.ended_at.is_(None))
        .group_by(Membership.role)
    ).all()
    return {StaffRole.HANDLER.value, StaffRole.LEADER.value} <= set(roles)


def apply(
    session: Session,
    actor: Actor,
    application: Application,
    action: Action,
    now: datetime,
    *,
    expected_version: int | None = None,
    reason: str = "",
    submission: SubmissionTerms | None = None,
    committee: Committee | None = None,
    certificate_no: str | None = None,
    checked: Mapping[str, str] | None = None,
) -> Application:
    """Decide, compare-and-set, audit. Raises DomainError (TransitionNotAllowed wrapped) or StaleObject.
    `submission` carries what a submission fixes with the status (batch, cutoff, acknowledgement);
    `committee` the committee a SEND_TO_COMMITTEE sends it to (written with the status, with the day);
    `certificate_no` the province's number a RECORD_CERTIFICATE enters (the province numbers it);
    `checked` what the actor confirmed that the profile asked (EXP-03: rule, clause), kept on the audit row.

    May cause every transition of portal.domain.workflow.TRANSITIONS.
    """
    role = workflow_role(actor, action)
    source = application.state
    try:
        if expected_version is not None and expected_version != application.version:
            raise StaleObject()
        if action.needs_reason and not reason.strip():
            raise DomainError(N_("请填写理由"), code="reason_required")
        outcome = workflow.decide(situation_of(application), action, workflow_actor(actor, application, role))
        reviewing = role in (Role.HANDLER, Role.LEADER)
        if reviewing and (cooled := staff.cooling_refusal(session, actor, application)):
            raise DomainError(cooled.text, code=cooled.code)
        if action is Action.SEND_TO_COMMITTEE and committee is None:
            raise DomainError(N_("请选择受理的评审委员会"), code="no_committee")
        if action is Action.RECORD_CERTIFICATE and not certificate_no:
            raise DomainError(N_("请填写省统一编号的证书编号"), code="no_certificate_no")
        target_org = holder_org_id(application, outcome.target, committee)
        moves_up = target_org != application.current_org_id and actor.is_staff
        if moves_up and not _org_can_send_onward(session, application.current_org_id):
            raise DomainError(N_("本单位须同时配备经办人和领导，才能向上报送"), code="org_incomplete")
    except TransitionNotAllowed as refused:
        record_refusal(session, actor, application, action, role, now, refused.code)
        raise DomainError(refused.message, code=refused.code) from refused
    except DomainError as refused:
        record_refusal(session, actor, application, action, role, now, refused.code)
        raise

    values: dict[str, Any] = {
        "status": outcome.target.value,
        "awaiting": _awaiting(outcome.target, outcome.handler_signed_by),
        "version": Application.version + 1,
        "handler_signed_by_id": outcome.handler_signed_by,
        "returned_from": outcome.returned_from.value if outcome.returned_from else None,
        "current_org_id": target_org,
        "reached_level": max(application.reached_level, workflow.reached(outcome.target)),
        "status_changed_at": now,
        "updated_at": now,
    }
    if outcome.counts_as_return:
        values["counted_returns"] = Application.counted_returns + 1
    if action in (Action.SUBMIT, Action.RESUBMIT):
        values["submitted_at"] = now
    if action is Action.CERTIFY:
        values["certificate_no"] = issue_certificate_number(session, application.bureau_id, now)
        values["certificate_code"] = new_verification_code()
        values["certified_at"] = now
    if action is Action.RECORD_CERTIFICATE:
        values["certificate_no"] = certificate_no
        values["certificate_code"] = new_verification_code()
        values["certified_at"] = now
    if submission is not None:
        values.update(submission.columns())
    if action is Action.SEND_TO_COMMITTEE:
        assert committee is not None
        values.update(committee_id=committee.id, committee_routed_on=now.astimezone(SHANGHAI).date())
    elif action is Action.RETURN_TO_SENDER:
        # Back the way it came (003 五(三)): the bureau may send it elsewhere, so it holds no committee.
        values.update(committee_id=None, committee_routed_on=None)

    step = _review_step(actor, application, action, role, now)
    result = session.execute(
        update(Application)
        .where(
            Application.id == application.id,
            Application.status == source.value,
            Application.version == application.version,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(application)
        record_refusal(session, actor, application, action, role, now, "stale")
        raise StaleObject()
    if step is not None:
        session.add(step)
    audit.record(
        session,
        actor,
        action.value,
        now,
        object_type="application",
        object_id=application.id,
        from_status=source.value,
        to_status=outcome.target.value,
        reason=reason if isinstance(reason, Text) else reason.strip(),  # a message keeps its record
        role=role.value,
        detail=_detail(action, values, checked),
    )
    session.refresh(application)
    # A message (the system's own note: a missed correction deadline) stays one, so the applicant's inbox
    # reads it in their language too.
    notifications.after_transition(
        session, application, action, now, reason if isinstance(reason, Text) else reason.strip()
    )
    return application


def _detail(
    action: Action, values: dict[str, Any], checked: Mapping[str, str] | None = None
) -> dict[str, Any] | None:
    """What the audit row of a transition keeps besides the status: the number or the committee, and the
    profile's check the actor confirmed (EXP-03)."""
    if checked:
        return {**(_detail(action, values) or {}), "checked": dict(checked)}
    if action in (Action.CERTIFY, Action.RECORD_CERTIFICATE):
        return {"certificate_no": values["certificate_no"]}
    if action is Action.SEND_TO_COMMITTEE:
        return {"committee_id": values["committee_id"]}
    if action is Action.SUBMIT and "authority_code" in values:
        return {"authority_code": values["authority_code"]}  # re-routed to a self-review unit (SCOPE-13)
    return None


def _review_step(
    actor: Actor, application: Application, action: Action, role: Role, now: datetime
) -> ReviewStep | None:
    """The signature row of a handler's or leader's step, taken before the compare-and-set changes the
    application (a leader signs the first review of the handler who signed at this stage)."""
    if role not in (Role.HANDLER, Role.LEADER) or action.value not in REVIEW_ACTIONS:
        return None
    return ReviewStep(
        application_id=application.id,
        org_id=application.current_org_id,
        role=role.value,
        action=action.value,
        actor_id=actor.user_id,
        applicant_id=application.applicant_id,
        handler_id=application.handler_signed_by_id if action.value in SIGNING_ACTIONS else None,
        stand_in_for_id=actor.stand_in_for,
        at=now,
    )


def _awaiting(status: Status, handler_signed_by: int | None) -> str | None:
    role = workflow.awaiting(status, handler_signed_by)
    return role.value if role else None


def record_refusal(
    session: Session,
    actor: Actor,
    application: Application,
    action: Action,
    role: Role,
    now: datetime,
    code: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit a refused action on an application (outcome "denied", the refusal's code in the detail);
    the row outlives the rollback of the refused work (audit.record_attempt)."""
    audit.record_attempt(
        session,
        actor,
        action.value,
        now,
        object_type="application",
        object_id=application.id,
        from_status=application.status,
        role=role.value,
        detail={"code": code, **(detail or {})},
    )
