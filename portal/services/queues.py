"""Review queues: what waits for the handler, what waits for the leader, and what this organisation
has already handed on. Rows carry the actions the actor may take (computed here, not in templates).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select, and_, func, not_
from sqlalchemy.orm import Session

from portal.domain.errors import PermissionDenied
from portal.domain.workflow import Action
from portal.models import Application
from portal.services.actors import Actor
from portal.services.scope import get_application, visible_applications
from portal.services.transitions import available_actions


class Tab(StrEnum):
    HANDLER = "handler"
    LEADER = "leader"
    DONE = "done"

    @property
    def title(self) -> str:
        return {"handler": "待经办人办理", "leader": "待领导签批", "done": "已办"}[self.value]


@dataclass(frozen=True)
class QueueRow:
    application: Application
    actions: list[Action]
    own: bool  # the reviewer's own application: someone else must act on it


def _row(actor: Actor, application: Application) -> QueueRow:
    return QueueRow(
        application,
        available_actions(actor, application, as_reviewer=True),
        application.applicant_id == actor.user_id,
    )


def _require_reviewer(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied("只有经办人或领导可以查看审核队列")


def _tab_filter(actor: Actor, tab: Tab) -> Select[tuple[Application]]:
    here = Application.current_org_id == actor.org_id
    stmt = visible_applications(actor)
    if tab is Tab.DONE:
        pending_here = and_(here, Application.awaiting.in_(("handler", "leader")))
        return stmt.where(not_(pending_here), Application.status != "draft")
    return stmt.where(here, Application.awaiting == tab.value)


def queue(session: Session, actor: Actor, tab: Tab, *, limit: int = 200) -> list[QueueRow]:
    _require_reviewer(actor)
    stmt = _tab_filter(actor, tab).order_by(Application.status_changed_at, Application.id).limit(limit)
    return [_row(actor, app) for app in session.scalars(stmt)]


def queue_counts(session: Session, actor: Actor) -> dict[Tab, int]:
    _require_reviewer(actor)
    return {
        tab: session.scalar(_tab_filter(actor, tab).with_only_columns(func.count()).order_by(None)) or 0
        for tab in Tab
    }


def queue_row(session: Session, actor: Actor, application_id: int) -> QueueRow:
    _require_reviewer(actor)
    application = get_application(session, actor, application_id)
    return _row(actor, application)
