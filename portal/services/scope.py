"""The one scoping helper: every query for applications starts here, limited to what the actor may see.

Never load an application by id alone (DESIGN.md §5): a wrong id and a forbidden id both read as
"not found", so ids cannot be probed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session, defer

from portal.domain import workflow
from portal.domain.errors import NotFound
from portal.domain.i18n import N_
from portal.domain.workflow import Level
from portal.models import Application, Committee, OrgKind
from portal.services import audit
from portal.services.actors import Actor

# reached_level values: how far up the route an application has travelled.
REACHED_DEPARTMENT = workflow.REACHED[Level.DEPARTMENT]
REACHED_BUREAU = workflow.REACHED[Level.BUREAU]
REACHED_COMMITTEE = workflow.REACHED[Level.COMMITTEE]

# The 申报表's two long texts (up to 4,000 characters each; 1–3 thousand as applicants write them): lists
# show neither and the rulebook's offers never read them, so a query for many rows (the queue, its streamed
# lists, the hand-off page) passes these options and leaves them unread; a row that asks after all loads
# them then. With texts of the lengths people write they were ~0.6 ms of a 50-row queue page's statement
# on SQLite (bench/README.md, issue 20).
WITHOUT_LONG_TEXTS = (defer(Application.work_summary), defer(Application.achievements))


def visible_applications(actor: Actor) -> Select[tuple[Application]]:
    """The query of every application the actor may see: their own, their enterprise's, or what reached their
    department, bureau or committee office. Every query for applications starts here."""
    stmt = select(Application)
    if actor.is_staff:
        if actor.org_kind is OrgKind.ENTERPRISE:
            return stmt.where(Application.enterprise_id == actor.org_id)
        if actor.org_kind is OrgKind.DEPARTMENT:
            return stmt.where(
                Application.department_id == actor.org_id, Application.reached_level >= REACHED_DEPARTMENT
            )
        if actor.org_kind is OrgKind.BUREAU:
            return stmt.where(
                Application.bureau_id == actor.org_id, Application.reached_level >= REACHED_BUREAU
            )
        if actor.org_kind is OrgKind.COMMITTEE:
            # What was sent to the committee this office serves (and, once sent back, what it had: a case
            # returned to the bureau holds no committee, so it leaves the office's sight).
            served = select(Committee.id).where(Committee.office_id == actor.org_id)
            return stmt.where(
                Application.committee_id.in_(served), Application.reached_level >= REACHED_COMMITTEE
            )
        return stmt.where(false())
    if actor.is_applicant:
        return stmt.where(Application.applicant_id == actor.user_id)
    return stmt.where(false())


def get_application(session: Session, actor: Actor, application_id: int) -> Application:
    """One application the actor may see; NotFound for one that does not exist or is not theirs to see (the
    same answer)."""
    application = session.scalars(
        visible_applications(actor).where(Application.id == application_id)
    ).one_or_none()
    if application is None:
        raise NotFound(N_("找不到该申报，或您无权查看"))
    return application


def sees_full_identity(actor: Actor, application: Application) -> bool:
    """Full ID numbers only for the applicant's own enterprise staff (DESIGN.md §5, PII)."""
    return actor.is_staff and actor.org_id == application.enterprise_id


def note_identity_view(session: Session, actor: Actor, application: Application, now: datetime) -> None:
    """Every view of a full ID number is audited (security-plan §3.2.8, T-PRIV-01)."""
    if sees_full_identity(actor, application):
        audit.record(
            session, actor, "view_identity", now, object_type="user", object_id=application.applicant_id,
            detail={"application_id": application.id},
        )  # fmt: skip
