"""Whether anyone may take a case's first review: a handler never acts on her own application, so where the
applicant is her unit's only handler (and nobody stands in for a handler there) her case waits at 待经办人初审
and nothing moves it until the unit has another handler. The queue row, the case page and the applicant's
progress say so (walk 4, F10) from what is decided here, read once for a page.

A stand-in counts: who stands in today for a handler of the unit acts in that handler's role under their
own name (services.standins), so may review the applicant's case if they are not the applicant. What the
words advise is the unit admin adding a handler (单位人员 page), not naming a stand-in: a stand-in must be a
handler or leader of the same unit, and in a unit whose only handler applies that is its leader, who after
doing the first review could not sign it as leader too (workflow: never the same person twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from portal.domain.workflow import Role
from portal.models import Application, Membership, StaffRole, StandIn
from portal.services.calendar import today


def waits_for_handler(application: Application) -> bool:
    """The case waits on its holder's handler (the only step the unit's own staff can be short for)."""
    return application.awaiting == Role.HANDLER.value and not application.state.is_final


def first_reviewers(session: Session, org_ids: Iterable[int], now: datetime) -> dict[int, set[int]]:
    """Per organisation, who may act as its handler today: active handlers and whoever stands in for one
    (one statement for all of them)."""
    wanted = sorted(set(org_ids))
    found: dict[int, set[int]] = {org_id: set() for org_id in wanted}
    if not wanted:
        return found
    day = today(now)
    rows = session.execute(
        select(Membership.org_id, Membership.user_id, StandIn.substitute_id)
        .outerjoin(
            StandIn,
            and_(
                StandIn.membership_id == Membership.id,
                StandIn.revoked_at.is_(None),
                StandIn.starts_on <= day,
                StandIn.ends_on >= day,
            ),
        )
        .where(
            Membership.org_id.in_(wanted),
            Membership.role == StaffRole.HANDLER.value,
            Membership.ended_at.is_(None),
        )
    )
    for org_id, user_id, substitute_id in rows:
        found[org_id].add(user_id)
        if substitute_id is not None:
            found[org_id].add(substitute_id)
    return found


def without_first_reviewer(session: Session, applications: Iterable[Application], now: datetime) -> set[int]:
    """The ids of those applications that wait on their holder's handler where nobody but the applicant
    may act as one: they cannot move until the unit gets another handler. No statement when none waits
    on a handler."""
    waiting = [a for a in applications if waits_for_handler(a)]
    if not waiting:
        return set()
    pool = first_reviewers(session, (a.current_org_id for a in waiting), now)
    return {a.id for a in waiting if not pool[a.current_org_id] - {a.applicant_id}}
