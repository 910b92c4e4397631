"""Stand-ins: a handler or leader names a colleague to act in their role while they are away, for
dated days only; every step the stand-in takes is audited as done on the principal's behalf. The usual
guards still apply to the stand-in as a person: never the other signer of an application, never on
one's own application.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.dates import read_day
from portal.domain.errors import NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.models import Membership, StandIn
from portal.services import audit, locks
from portal.services.actors import Actor
from portal.services.calendar import today

MAX_DAYS = 90


def name_stand_in(
    session: Session, actor: Actor, substitute_id: int, starts_on: str, ends_on: str, now: datetime
) -> StandIn:
    """Name a dated stand-in (another handler or leader of the same organisation, at most MAX_DAYS) for the
    actor's own role; audited."""
    if not actor.is_staff or actor.org_id is None:
        raise PermissionDenied(N_("只有经办人或领导可以指定代理人"))
    principal = session.scalars(
        select(Membership).where(
            Membership.user_id == actor.user_id,
            Membership.org_id == actor.org_id,
            Membership.ended_at.is_(None),
        )
    ).first()
    if principal is None:
        raise PermissionDenied(N_("只能为本人的岗位指定代理人"))
    errors: dict[str, str] = {}
    colleague = session.scalars(
        select(Membership).where(
            Membership.user_id == substitute_id,
            Membership.org_id == actor.org_id,
            Membership.ended_at.is_(None),
            Membership.role.in_(("handler", "leader")),
        )
    ).first()
    if colleague is None or substitute_id == actor.user_id:
        errors["substitute_id"] = N_("请选择本单位的另一名经办人或领导")
    first, first_problem = read_day(starts_on, N_("请填写代理的起止日期"))
    last, last_problem = read_day(ends_on, N_("请填写代理的起止日期"))
    if first_problem or last_problem:
        # One message under the dates, as before; a day that does not exist is named in it.
        errors["starts_on"] = first_problem or last_problem
    if first and last:
        if first < today(now):
            errors["starts_on"] = N_("开始日期不能早于今天")
        elif last < first:
            errors["ends_on"] = N_("结束日期不能早于开始日期")
        elif last - first > timedelta(days=MAX_DAYS):
            errors["ends_on"] = T_("一次代理不超过%(days)s天", days=MAX_DAYS)
    if not errors and first and last:
        # The same arrangement twice (a double click) or an overlapping one for the same colleague is one
        # arrangement: refused, naming the one in force.
        locks.hold(session, "stand-in", principal.id)
        clash = session.scalars(
            select(StandIn).where(
                StandIn.membership_id == principal.id,
                StandIn.substitute_id == substitute_id,
                StandIn.revoked_at.is_(None),
                StandIn.starts_on <= last,
                StandIn.ends_on >= first,
            )
        ).first()
        if clash is not None:
            errors["starts_on"] = T_(
                "已指定该同事在%(starts)s至%(ends)s代理，无需重复指定",
                starts=clash.starts_on,
                ends=clash.ends_on,
            )
    if errors:
        raise ValidationFailed(errors)
    assert first and last
    stand_in = StandIn(
        membership_id=principal.id,
        substitute_id=substitute_id,
        starts_on=first,
        ends_on=last,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(stand_in)
    session.flush()
    audit.record(
        session,
        actor,
        "name_stand_in",
        now,
        object_type="user",
        object_id=substitute_id,
        detail={
            "stand_in_id": stand_in.id,
            "role": principal.role,
            "from": first.isoformat(),
            "to": last.isoformat(),
        },
    )
    return stand_in


def revoke_stand_in(session: Session, actor: Actor, stand_in_id: int, now: datetime) -> StandIn:
    """Revoke one of the actor's own stand-ins (audited); anyone else's reads as missing."""
    stand_in = session.get(StandIn, stand_in_id)
    if stand_in is None or stand_in.revoked_at is not None or stand_in.membership.user_id != actor.user_id:
        raise NotFound(N_("找不到该代理安排"))
    stand_in.revoked_at = now
    audit.record(
        session,
        actor,
        "revoke_stand_in",
        now,
        object_type="user",
        object_id=stand_in.substitute_id,
        detail={"stand_in_id": stand_in.id},
    )
    session.flush()
    return stand_in


def active_for(session: Session, user_id: int, on: date) -> list[StandIn]:
    """The roles a person may act in today as someone's stand-in."""
    return list(
        session.scalars(
            select(StandIn)
            .where(
                StandIn.substitute_id == user_id,
                StandIn.revoked_at.is_(None),
                StandIn.starts_on <= on,
                StandIn.ends_on >= on,
            )
            .order_by(StandIn.id)
        )
    )


def of_organisation(session: Session, org_id: int) -> list[StandIn]:
    """The organisation's stand-ins, current and past."""
    return list(
        session.scalars(
            select(StandIn)
            .join(Membership, Membership.id == StandIn.membership_id)
            .where(Membership.org_id == org_id)
            .order_by(StandIn.id.desc())
        )
    )
