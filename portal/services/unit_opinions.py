"""The unit's opinion (基层单位意见, issue 21.8) as a use case: the enterprise's handler or leader records the
structured evaluation and recommendation while the application is under the unit's review; the leader's
approval (领导签批通过 at unit review) is refused until it is complete and recommends (the rulebook's
`unit_opinion` guard); the notice's outcome is read from the notice record (PUB-05).

Rules: EXP-04 (004 二(九): a truthful evaluation of the professional work and the recommendation
facts: method, who took part and how many, the opinion and how it was formed, the notice outcome),
REV-05 (004 一(四): a clear recommendation), PREQ-03 (002 三(一)1: the annual assessment, 考核合格,
attested by the unit). The opinion is asked under every profile; what the pages and refusals cite is the
bureau's own profile's clauses (`OpinionClauses`): Dongchuan's 004 二(九)、一(四) for the opinion, Nantong's
002 三(一)1 for the assessment, nothing where the notice does not state the rule. Causes no transition;
every save is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.glossary import cn_date
from portal.domain.i18n import N_, T_, Clause
from portal.domain.numbers import NotAWholeNumber, whole_number
from portal.domain.policy import PolicyProfile
from portal.domain.text import check_text
from portal.domain.workflow import Status
from portal.models import (
    Application,
    EntryOutcome,
    Notice,
    NoticeEntry,
    NoticeStatus,
    OrgKind,
    Recommendation,
    RecommendationMethod,
    UnitOpinion,
)
from portal.services import audit, notices, session_memo
from portal.services.actors import Actor
from portal.services.policies import effective_profile
from portal.services.scope import get_application

OPEN_TO_OPINION = frozenset({Status.SUBMITTED, Status.UNIT_REVIEW})
FIELDS = {
    "evaluation": (N_("对申报人专业技术工作的评价"), 1000),
    "participants": (N_("参加推荐的人员"), 200),
    "formation": (N_("推荐意见的形成过程"), 500),
    "assessment": (N_("近年年度考核结果"), 100),
}


@dataclass(frozen=True)
class OpinionClauses:
    """The clauses the unit's opinion is asked under, from the bureau's profile; "" where its notice
    states no such rule: a unit is never told another city's clause."""

    evaluation: str = ""  # EXP-04 (Dongchuan's 004 二(九)): the evaluation and the recommendation facts
    recommendation: str = ""  # REV-05 (Dongchuan's 004 一(四)): a clear recommendation
    assessment: str = ""  # PREQ-03 (Nantong's 002 三(一)1): the annual assessment passed

    @property
    def opinion(self) -> str:
        """The opinion's clauses as its refusals cite them ("004 二(九)、004 一(四)"), "" where none."""
        return "、".join(c for c in (self.evaluation, self.recommendation) if c)


def clauses_under(profile: PolicyProfile | None) -> OpinionClauses:
    """What ``profile`` cites for the unit's opinion: its EXP-04/REV-05 table and its PREQ-03 rule."""
    if profile is None:
        return OpinionClauses()
    rule = profile.unit_opinion
    return OpinionClauses(
        rule.citation if rule is not None else "",
        rule.recommendation if rule is not None else "",
        profile.assessment.citation if profile.assessment is not None else "",
    )


def clauses_for(session: Session, application: Application) -> OpinionClauses:
    """`clauses_under` the profile of the application's bureau."""
    return clauses_under(effective_profile(session, application.bureau))


@dataclass(frozen=True)
class OpinionInput:
    evaluation: str = ""
    method: str = ""
    participants: str = ""
    participants_count: str = ""
    votes_for: str = ""
    recommendation: str = ""
    formation: str = ""
    assessment: str = ""
    assessment_passed: str = ""


# Opinions read for a list page at once (`read_opinions`), by application id, forgotten at the next write.
_READ = session_memo.register("portal.unit_opinions.read")


def opinion_of(session: Session, application_id: int) -> UnitOpinion | None:
    """The unit's opinion on the application, if recorded."""
    read: dict[int, UnitOpinion | None] = session_memo.memo(session, _READ)
    if application_id in read:
        return read[application_id]
    return session.scalars(select(UnitOpinion).where(UnitOpinion.application_id == application_id)).first()


def read_opinions(session: Session, application_ids: list[int]) -> None:
    """Read the opinions of these applications in one statement, for `opinion_of` to answer from."""
    if not application_ids:
        return
    found = {
        o.application_id: o
        for o in session.scalars(select(UnitOpinion).where(UnitOpinion.application_id.in_(application_ids)))
    }
    session_memo.memo(session, _READ).update((i, found.get(i)) for i in application_ids)


def may_record(actor: Actor, application: Application) -> bool:
    """The enterprise's own staff (handler or leader), while the unit reviews it, never on their own."""
    return (
        actor.is_staff
        and actor.org_kind is OrgKind.ENTERPRISE
        and actor.org_id == application.enterprise_id
        and actor.user_id != application.applicant_id
        and application.state in OPEN_TO_OPINION
    )


def _count(
    raw: str, title: str, errors: dict[str, str], name: str, *, required: bool, unit: str
) -> int | None:
    # ９ as a Chinese IME in full-width mode types it is 9 (domain.numbers), and so is "9人" or "8票".
    try:
        count = whole_number(raw, max_digits=5, unit=unit)
    except NotAWholeNumber:
        errors[name] = T_("%(field)s应为整数", field=title)
        return None
    if count is None and required:
        errors[name] = T_("请填写%(field)s", field=title)
    return count


def record_opinion(
    session: Session, actor: Actor, application_id: int, data: OpinionInput, now: datetime
) -> UnitOpinion:
    """Record (or revise) the unit's opinion; every field is required but the vote count, each refused
    at its field in Chinese."""
    application = get_application(session, actor, application_id)
    if not may_record(actor, application):
        raise PermissionDenied(N_("只有用人单位经办人或领导在单位审核期间可以填写基层单位意见"))
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for name, (title, limit) in FIELDS.items():
        try:
            texts[name] = check_text(getattr(data, name), title, limit, required=True, printed=True)
        except ValueError as refused:
            errors[name] = str(refused)
    if data.method not in {m.value for m in RecommendationMethod}:
        errors["method"] = N_("请选择推荐方式")
    if data.recommendation not in {r.value for r in Recommendation}:
        errors["recommendation"] = N_("请选择推荐意见")
    count = _count(
        data.participants_count, N_("参加人数"), errors, "participants_count", required=True, unit="人"
    )
    if count is not None and count < 1:
        errors["participants_count"] = N_("参加人数至少为1人")
    votes = _count(data.votes_for, N_("同意票数"), errors, "votes_for", required=False, unit="票")
    if votes is not None and count is not None and votes > count:
        errors["votes_for"] = T_("同意票数不能多于参加人数（%(count)s人）", count=str(count))
    if data.assessment_passed not in ("yes", "no"):
        clause = clauses_for(session, application).assessment
        errors["assessment_passed"] = (
            T_("请确认年度考核是否合格（%(clause)s）", clause=Clause(clause))
            if clause
            else N_("请确认年度考核是否合格")
        )
    if errors:
        raise ValidationFailed(errors)
    assert count is not None
    opinion = opinion_of(session, application.id)
    if opinion is None:
        opinion = UnitOpinion(application_id=application.id)
        session.add(opinion)
    opinion.evaluation = texts["evaluation"]
    opinion.participants = texts["participants"]
    opinion.formation = texts["formation"]
    opinion.assessment = texts["assessment"]
    opinion.method = data.method
    opinion.participants_count = count
    opinion.votes_for = votes
    opinion.recommendation = data.recommendation
    opinion.assessment_passed = data.assessment_passed == "yes"
    opinion.author_id = actor.user_id
    opinion.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "record_unit_opinion",
        now,
        object_type="application",
        object_id=application.id,
        detail={
            "method": data.method,
            "participants_count": count,
            "votes_for": votes,
            "recommendation": data.recommendation,
            "assessment_passed": opinion.assessment_passed,
        },
    )
    return opinion


def refusal(session: Session, application: Application) -> str | None:
    """Why the unit cannot approve yet (the rulebook's guard): no opinion, or it does not recommend; citing
    the bureau's profile's clauses (Dongchuan's), none where its notice states none."""
    opinion = opinion_of(session, application.id)
    if opinion is not None and opinion.recommendation == Recommendation.RECOMMEND.value:
        return None
    clause = clauses_for(session, application).opinion
    if opinion is None:
        if not clause:
            return N_(
                "须先填写基层单位意见（对专业技术工作的评价、推荐方式、参加人员及人数、推荐意见及形成过程、"
                "年度考核结果），单位领导才能签批通过"
            )
        return T_(
            "须先填写基层单位意见（对专业技术工作的评价、推荐方式、参加人员及人数、推荐意见及形成过程、"
            "年度考核结果），单位领导才能签批通过（%(clause)s）",
            clause=Clause(clause),
        )
    if not clause:
        return N_("基层单位意见为“不同意推荐”，不能签批通过；如不推荐，请不予通过并写明理由")
    return T_(
        "基层单位意见为“不同意推荐”，不能签批通过；如不推荐，请不予通过并写明理由（%(clause)s）",
        clause=Clause(clause),
    )


def notice_outcome(session: Session, application_id: int) -> str:
    """The unit notice's outcome for the opinion (PUB-05), from the notice record: its period and place,
    and whether objections came and how they were handled; "" before the notice has closed. Only a notice
    of the applicant's own unit: on the 评审 road the committee office's 评前公示 and result notice come
    later and are not the unit's (the form's 公示情况 showed the office's result notice)."""
    application = session.get(Application, application_id)
    if application is None:
        return ""
    entry = session.scalars(
        select(NoticeEntry)
        .join(Notice, Notice.id == NoticeEntry.notice_id)
        .where(NoticeEntry.application_id == application_id, Notice.org_id == application.enterprise_id)
        .order_by(NoticeEntry.id.desc())
    ).first()
    if entry is None:
        return ""
    notice = entry.notice
    period = f"{cn_date(notice.first_day)}至{cn_date(notice.last_day)}在{notice.location}公示"
    if notice.status != NoticeStatus.CLOSED.value or notice.closed_at is None:
        return f"{period}（公示中，期满后自动填写结果）"
    if entry.state is EntryOutcome.REMOVED:
        return f"{period}；异议成立，已撤出公示：{entry.outcome_note}"
    over = notices.overruled(notice, entry)  # as the 公示结果 says it
    if over is not None:
        return f"{period}；收到异议{over.count}件，经核查不成立：{over.handling}"
    return f"{period}；公示期满无异议"
