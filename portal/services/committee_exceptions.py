"""CHAN-01's exception (003 四): "同一年度同一职称层级原则上只能向一个评审委员会提出申请". "原则上" (in
principle) makes it a block the bureau may lift for one application: its system admin records an exception
with a written reason (required, at most LIMITS["exception_reason"] characters), audited as
``record_committee_exception``; the rulebook's ``one_committee_a_year`` guard then lets that application go
to a committee, and the review page shows who recorded it, when and why.

Who: the admin of the application's bureau, not the bureau leader who sends it, so that lifting the rule and
using the exception are two people's acts (the leader still signs 送评委会评审 as usual). What it lifts: the
person's one committee a year only; the unit's one committee per series, specialty and level (不得多头报送,
the second half of CHAN-01) and every other guard still apply. Transitions caused: none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.policy import PolicyProfile
from portal.domain.text import LIMITS
from portal.domain.workflow import Status
from portal.models import Application, CommitteeException, Organisation
from portal.services import audit, committees
from portal.services.actors import Actor
from portal.services.policies import effective_profile


def exception_for(session: Session, application_id: int) -> CommitteeException | None:
    """The exception recorded for the application, if any."""
    return session.scalar(
        select(CommitteeException).where(CommitteeException.application_id == application_id)
    )


def exception_clause(profile: PolicyProfile | None) -> str:
    """CHAN-01's one committee a year as the bureau's profile cites it ("CHAN-01、003 四": Zhenjiang's), ""
    where its notice states no such rule (Kunming's, Ganzhou's): the exception's lines on the review page
    and the admin's list cite no other city's notice."""
    rule = profile.committee if profile is not None else None
    return f"CHAN-01、{rule.one_per_year}" if rule is not None and rule.one_per_year else ""


def admins_clause(session: Session, actor: Actor) -> str:
    """`exception_clause` under the profile of the admin's own bureau (the 送评例外 page's rule)."""
    bureau = session.get(Organisation, _bureau_admin(actor))
    return exception_clause(effective_profile(session, bureau))


def _bureau_admin(actor: Actor) -> int:
    if not actor.is_admin or actor.org_id is None:
        raise PermissionDenied(N_("只有人社局系统管理员可以登记“一年一个评委会”的例外"))
    return actor.org_id


def _of_bureau(session: Session, bureau_id: int, application_id: int) -> Application:
    # The admin reviews no application (scope.visible_applications gives an admin none): what the admin
    # may act on here is an application of the admin's own bureau, and nothing else is found.
    application = session.scalar(
        select(Application).where(Application.id == application_id, Application.bureau_id == bureau_id)
    )
    if application is None:
        raise NotFound(N_("找不到该申报，或您无权查看"))
    return application


def record_exception(
    session: Session, actor: Actor, application_id: int, reason: str, now: datetime
) -> CommitteeException:
    """The bureau admin lifts CHAN-01's one committee a year for one application, with a written reason
    (audited). Refused (PermissionDenied) for anyone but the admin of its bureau; refused when the rule
    does not hold it back (nothing to lift) or an exception is already recorded; ValidationFailed on
    ``reason`` when it is empty or too long."""
    bureau_id = _bureau_admin(actor)
    application = _of_bureau(session, bureau_id, application_id)

    def refuse(code: str, message: str) -> DomainError:
        audit.record_attempt(
            session, actor, "record_committee_exception", now, object_type="application",
            object_id=application.id, detail={"code": code},
        )  # fmt: skip
        return DomainError(message, code=code)

    if exception_for(session, application.id) is not None:
        raise refuse("exception_exists", N_("该申报已登记例外"))
    if application.state is not Status.BUREAU_REVIEW:
        # Lifted for the send it is needed for, not ahead of it (the leader sends from the bureau's review).
        raise refuse("not_at_bureau", N_("只能为人社局审核中的申报登记例外"))
    routing = committees.routing(session, application, now)
    other = routing.elsewhere
    if routing.road != "committee" or routing.rules is None or other is None or other.committee is None:
        raise refuse(
            "no_exception_needed",
            N_("该申报不受“同一年度同一职称层级只向一个评委会申请”的限制，无需登记例外"),
        )
    words = reason.strip()
    if not words:
        raise ValidationFailed(
            {"reason": N_("请写明例外的理由（“原则上”一年一个评委会：为什么这一份申报可以例外）")}
        )
    limit = LIMITS["exception_reason"]
    if len(words) > limit:
        raise ValidationFailed(
            {"reason": T_("例外理由不能超过%(limit)s字（现有%(n)s字）", limit=limit, n=len(words))}
        )
    exception = CommitteeException(
        application_id=application.id,
        other_application_id=other.id,
        reason=words,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    try:
        with session.begin_nested():  # two admins at once: the second finds it recorded, not a 500
            session.add(exception)
            session.flush()
    except IntegrityError:
        raise refuse("exception_exists", N_("该申报已登记例外")) from None
    audit.record(
        session,
        actor,
        "record_committee_exception",
        now,
        object_type="application",
        object_id=application.id,
        reason=words,
        detail={
            "other_application_id": other.id,
            "other_committee_id": other.committee_id,
            "clause": routing.rules.one_per_year,
        },
    )
    return exception


@dataclass(frozen=True)
class ExceptionRow:
    """One application of the bureau the rule holds back (or held back): the person's other application
    this level and year, and the exception when one is recorded."""

    application: Application
    other: Application | None
    exception: CommitteeException | None


def exception_rows(session: Session, actor: Actor, now: datetime) -> list[ExceptionRow]:
    """The admin's list: the bureau's applications at the bureau's review that CHAN-01's one committee a
    year holds back (with no exception yet), then those with an exception recorded, newest first."""
    bureau_id = _bureau_admin(actor)
    recorded = select(CommitteeException.application_id)
    # Only the applications whose person has another one at a committee this year at that level can be held
    # back: the rest of the bureau's review (possibly thousands) is left out in SQL, not routed one by one.
    other = aliased(Application)
    held = exists().where(*committees.same_person_elsewhere(Application, other, now))
    candidates = session.scalars(
        select(Application)
        .where(
            Application.bureau_id == bureau_id,
            or_(and_(Application.status == Status.BUREAU_REVIEW.value, held), Application.id.in_(recorded)),
        )
        .order_by(Application.id)
    ).all()
    exceptions = {
        e.application_id: e
        for e in session.scalars(
            select(CommitteeException).where(
                CommitteeException.application_id.in_([a.id for a in candidates])
            )
        )
    }
    waiting: list[ExceptionRow] = []
    done: list[ExceptionRow] = []
    for application in candidates:
        exception = exceptions.get(application.id)
        if exception is not None:
            other_one = session.get(Application, exception.other_application_id or 0)
            done.append(ExceptionRow(application, other_one, exception))
            continue
        if committees.road(session, application) != "committee":
            continue
        elsewhere = committees.routing(session, application, now).elsewhere
        if elsewhere is not None and elsewhere.committee is not None:
            waiting.append(ExceptionRow(application, elsewhere, None))
    done.sort(key=lambda row: row.exception.recorded_at if row.exception else now, reverse=True)
    return waiting + done
