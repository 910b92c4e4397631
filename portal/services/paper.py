"""Paper follow-up (纸质材料报送, policy-spec MAT-15) as the reviewing offices use it.

Rule: where the bureau's policy profile sets `workflow.paper_followup_workdays` (Zhenjiang: "网报审核通过后
原则上10个工作日内报送纸质材料", 003 附件 备注3), the online approval by the accepting body — the bureau's
first review passing (经办人初审通过 at 人社局审核) — opens a checklist of the paper dossier, kept by that
bureau, with a due day that many working days after the approval (the working-day calendar of
services.calendar, as notices use it). The bureau's handler or leader records, per item, whether the paper
arrived and whether the originals were checked, with a remark; every change is audited. An item still
missing after the due day flags the application 纸质材料逾期 in the queue ("原则上": a flag, never a block).
Profiles without the rule show nothing. Causes no status transition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.domain import paper as rules
from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.i18n import N_
from portal.domain.materials import slots_for
from portal.domain.policy import Threshold
from portal.domain.workdays import UnknownYear
from portal.domain.workflow import Status
from portal.models import Application, PaperFollowup, PaperItem
from portal.services import audit
from portal.services.actors import Actor
from portal.services.calendar import today, work_calendar
from portal.services.materials import facts_of
from portal.services.policies import effective_profile
from portal.services.scope import get_application

# While the paper still matters: at the bureau, on the committee road the bureau sent it on (the bureau
# still receives the paper; 马晓东's page at the committee read "0 working days left" weeks after the due
# day), and after certification (a missing original stays a gap). A returned application is back with the
# applicant; a rejected, withdrawn or failed one needs no paper.
COUNTED_STATUSES = (
    Status.BUREAU_REVIEW.value,
    Status.COMMITTEE_REVIEW.value,
    Status.COMMITTEE_ACCEPTED.value,
    Status.COMMITTEE_NOTICE.value,
    Status.AWAITING_MEETING.value,
    Status.VOTED.value,
    Status.RESULT_NOTICE.value,
    Status.RESULT_NOTICED.value,
    Status.RESULT_CONFIRMED.value,
    Status.RESULT_PUBLISHED.value,
    Status.CERTIFIED.value,
)


def requirement(session: Session, application: Application) -> Threshold | None:
    """The policy's paper deadline in working days for this application, or None when it asks for none."""
    profile = effective_profile(session, application.bureau)
    return profile.workflow.paper_followup_workdays if profile is not None else None


def followup_of(session: Session, application_id: int) -> PaperFollowup | None:
    """The application's paper follow-up checklist, once the bureau's online approval opened it."""
    return session.scalars(
        select(PaperFollowup).where(PaperFollowup.application_id == application_id)
    ).one_or_none()


def open_followup(session: Session, actor: Actor, application: Application, now: datetime) -> None:
    """Called after the bureau's online approval: opens the checklist once, when the policy asks for it.

    A later approval (after a leader sends the case back, or after a return) keeps the first one's date:
    the paper was due from the first online approval.
    """
    rule = requirement(session, application)
    if rule is None or followup_of(session, application.id) is not None:
        return
    approved_on = today(now)
    try:
        due_on: date | None = rules.due_date(work_calendar(session), approved_on, rule.value)
    except UnknownYear:
        due_on = None  # shown as "calendar missing"; never a weekends-only guess
    followup = PaperFollowup(
        application_id=application.id,
        org_id=application.bureau_id,
        approved_on=approved_on,
        workdays=rule.value,
        due_on=due_on,
        citation=rule.citation,
        created_at=now,
    )
    session.add(followup)
    session.flush()
    titles = rules.checklist_titles(slots_for(facts_of(session, application, notice_closed=True)))
    for position, (key, title) in enumerate(titles):
        session.add(PaperItem(followup_id=followup.id, position=position, key=key, title=title, remark=""))
    audit.record(
        session,
        actor,
        "open_paper_followup",
        now,
        object_type="application",
        object_id=application.id,
        detail={"due_on": due_on.isoformat() if due_on else None, "items": len(titles)},
    )
    session.flush()
    session.expire(followup, ["items"])


@dataclass(frozen=True)
class PaperView:
    """What the review page shows; None from paper_view when the policy asks for no paper."""

    rule: Threshold
    followup: PaperFollowup | None  # None until the online approval
    items: list[PaperItem]
    overdue: bool
    workdays_left: int | None  # None when there is no due day yet (or the calendar lacks its year)
    can_edit: bool
    received: int


def _states(items: Iterable[PaperItem]) -> list[rules.ItemState]:
    return [rules.ItemState(i.received, i.originals_checked) for i in items]


def _counted(application: Application) -> bool:
    return application.status in COUNTED_STATUSES


def paper_view(session: Session, actor: Actor, application: Application, now: datetime) -> PaperView | None:
    """The paper follow-up as the review page shows it, or None where the profile asks for no paper."""
    rule = requirement(session, application)
    if rule is None:
        return None
    followup = followup_of(session, application.id)
    if followup is None:
        return PaperView(rule, None, [], False, None, False, 0)
    day = today(now)
    items = list(followup.items)
    left: int | None = None
    if followup.due_on is not None:
        try:
            left = rules.workdays_left(work_calendar(session), day, followup.due_on)
        except UnknownYear:
            left = None
    return PaperView(
        rule=rule,
        followup=followup,
        items=items,
        overdue=_counted(application) and rules.is_overdue(followup.due_on, day, _states(items)),
        workdays_left=left,
        can_edit=actor.is_staff and actor.org_id == followup.org_id,
        received=sum(1 for i in items if i.received),
    )


@dataclass(frozen=True)
class ItemInput:
    item_id: str
    received: bool
    originals_checked: bool
    remark: str


def record_item(
    session: Session, actor: Actor, application_id: int, data: ItemInput, now: datetime
) -> PaperItem:
    """Record one paper item as received / originals checked, with a remark; audited with before/after.

    Only the handler or leader of the office that receives the paper may record it (PermissionDenied);
    another tenant's application or an item of another checklist reads as not found.
    """
    application = get_application(session, actor, application_id)
    followup = followup_of(session, application.id)
    if followup is None:
        raise PermissionDenied(N_("该申报没有纸质材料报送要求，或尚未网上审核通过"))
    if not (actor.is_staff and actor.org_id == followup.org_id):
        raise PermissionDenied(N_("纸质材料由网上审核通过的单位接收，只有该单位的经办人或领导可以登记"))
    item_id = data.item_id.strip()
    item = next(
        (i for i in followup.items if item_id.isascii() and item_id.isdigit() and i.id == int(item_id)), None
    )
    if item is None:
        raise ValidationFailed({"item": N_("找不到该纸质材料项，请刷新页面后重试")})
    remark = data.remark.strip()
    errors = rules.check_item(data.received, data.originals_checked, remark)
    if errors:
        raise ValidationFailed(errors)
    before = {"received": item.received, "originals_checked": item.originals_checked, "remark": item.remark}
    after = {"received": data.received, "originals_checked": data.originals_checked, "remark": remark}
    if before == after:
        return item
    item.received, item.originals_checked, item.remark = data.received, data.originals_checked, remark
    item.updated_by_id = actor.user_id
    item.updated_at = now
    session.flush()
    complete = rules.all_received(_states(followup.items))
    followup.completed_at = (followup.completed_at or now) if complete else None
    audit.record(
        session,
        actor,
        "record_paper_item",
        now,
        object_type="application",
        object_id=application.id,
        detail={"item": item.key, "title": item.title, "before": before, "after": after},
    )
    session.flush()
    return item


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Applications whose paper is overdue today (for the queue's 纸质材料逾期 filter)."""
    late = select(PaperFollowup.application_id).where(
        PaperFollowup.completed_at.is_(None), PaperFollowup.due_on < today(now)
    )
    return Application.id.in_(late) & Application.status.in_(COUNTED_STATUSES)


def overdue_ids(session: Session, applications: list[Application], now: datetime) -> set[int]:
    """Which of these applications (one page of a queue) have overdue paper: one query."""
    counted = [a.id for a in applications if _counted(a)]
    if not counted:
        return set()
    return set(
        session.scalars(
            select(PaperFollowup.application_id).where(
                PaperFollowup.application_id.in_(counted),
                PaperFollowup.completed_at.is_(None),
                PaperFollowup.due_on < today(now),
            )
        )
    )
