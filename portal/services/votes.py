"""Experts and the vote (issue 22.5): the committee's expert pool per series and specialty, the draw of a
meeting's panel (seeded and recorded, so it can be drawn again to the same panel, with recusal of an
applicant's own employer and of applicants), the experts' recorded acknowledgement that they studied the
conditions where the bureau's profile asks it (CHAN-06, Kunming's 004 一(七); Zhenjiang's 003 does not),
the vote itself (secret ballots: only totals are ever shown), the quorum and the threshold from the
profile (marked unconfirmed where the seeds are silent), and the tally.

Guarantees:
- voting opens only on a meeting whose filing the bureau accepted (004 一(六): 未经备案的评审行为不予认可,
  CHAN-04), with a quorum of the panel present, each present expert having acknowledged the conditions
  where the profile asks it;
- only a present panel member votes, once (a receipt per expert and meeting, unique in the database: a
  second ballot, even sent at the same moment, takes no effect); a ballot row holds no voter and no time;
- closing the vote is a compare-and-set on the meeting: two closes at once count once; every application
  on the agenda then moves awaiting_meeting → voted (TALLY) with its totals;
- every step, and every refusal, is audited. Services flush, never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import NoReturn

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import committees as rules
from portal.domain.dates import read_day
from portal.domain.errors import DomainError, NotFound, PermissionDenied, StaleObject, ValidationFailed
from portal.domain.glossary import SERIES_SUGGESTIONS, series_as_stored
from portal.domain.i18n import N_, NT_, T_, Clause, Text, joined
from portal.domain.mail import NoticeKind
from portal.domain.policy import LEVELS, VoteRule, names_match
from portal.domain.text import LIMITS, check_text
from portal.domain.workflow import Action, Status
from portal.models import (
    Application,
    AuditEvent,
    Ballot,
    BallotChoice,
    BallotReceipt,
    Committee,
    EntryResult,
    Expert,
    Meeting,
    MeetingStatus,
    Organisation,
    OrgKind,
    PanelMember,
    StaffRole,
)
from portal.services import audit, committees, meetings, notifications, staff, transitions
from portal.services.actors import SYSTEM, Actor
from portal.services.calendar import today
from portal.services.organisations import NewAccount, PersonInput, open_account


def _refuse(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    action: str,
    code: str,
    message: str,
    now: datetime,
    field: str | None = None,
) -> None:
    """Audit the refused attempt and raise it; with `field`, as that form field's error (the page comes
    back with what was ticked, e.g. the experts present, instead of a reset form)."""
    audit.record_attempt(
        session, actor, action, now, object_type="meeting", object_id=meeting.id, detail={"code": code}
    )
    if field is None:
        raise DomainError(message, code=code)
    invalid = ValidationFailed({field: message}, message)
    invalid.code = code
    raise invalid


# --- the pool --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertInput:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    series: str = ""
    specialty: str = ""
    title: str = ""
    employer_name: str = ""
    title_level: str = ""  # one of the five levels; empty: read from the title's text where it says it
    appointed_on: str = ""  # empty: today
    term_ends: str = ""  # empty: the day before the appointment's third anniversary (rules.term_limit)


@dataclass(frozen=True)
class TermInput:
    appointed_on: str = ""
    term_ends: str = ""


@dataclass(frozen=True)
class AddedExpert:
    expert: Expert
    account: NewAccount | None  # a new login: its first password is shown once


def _office(session: Session, actor: Actor) -> Committee:
    if not (actor.is_staff and actor.org_kind is OrgKind.COMMITTEE):
        raise PermissionDenied(N_("只有评委会办事机构的经办人或领导可以维护专家库"))
    committee = committees.committee_of_office(session, actor.org_id)
    if committee is None:
        raise NotFound(N_("找不到本办事机构的评委会"))
    return committee


def _date(raw: str, field_name: str, errors: dict[str, str]) -> date | None:
    day, problem = read_day(raw, N_("日期格式应为 年-月-日，例如 2026-03-15"))
    if problem:
        errors[field_name] = problem
    return day


def _term(data: ExpertInput | TermInput, now: datetime, errors: dict[str, str]) -> tuple[date, date] | None:
    """The term the form gives (the appointment today, and the end 3 years on counting both days — the day
    before the third anniversary — where left empty), or None with the errors: it may not end before it
    starts, nor last more than 3 years (人社部令第40号), a renewal included."""
    appointed = _date(data.appointed_on, "appointed_on", errors) if data.appointed_on.strip() else today(now)
    if appointed is None:
        return None
    if data.term_ends.strip():
        ends = _date(data.term_ends, "term_ends", errors)
    else:
        ends = rules.term_limit(appointed)
    if ends is None:
        return None
    why = rules.term_refusal(appointed, ends)
    if why:
        errors["term_ends"] = why
        return None
    return appointed, ends


@dataclass(frozen=True)
class Standard:
    """What a committee asks of its experts' titles: its level (初级, 中级 or 高级, from its scope rows) and
    the lowest title level its experts hold (None when its scope names no level)."""

    level: str | None
    floor: str | None


def standard(committee: Committee) -> Standard:
    """The committee's level, read from its scope rows, and the lowest title level of its experts."""
    level = rules.committee_level([x for row in committee.scopes for x in row.level_list])
    return Standard(level, rules.required_level(level))


@dataclass(frozen=True)
class Subjects:
    """The series an expert's is checked against and the specialties the forms suggest, as the
    applications write them: the series of the start form's list, of the committee's scope and of its
    applications; the specialties of its scope and of its applications (the draw compares an expert's
    with the agenda's)."""

    series: tuple[str, ...]
    specialties: tuple[str, ...]

    def refusals(self, series: str) -> dict[str, str]:
        """Why ``series`` would never meet an application's (field -> words; the specialty's list is a
        suggestion: the draw compares it only besides the series)."""
        why = rules.series_refusal(series, self.series)
        return {"series": why} if why else {}


def subjects(session: Session, committee: Committee) -> Subjects:
    """The committee's known series and specialties (Subjects)."""
    applied = session.execute(
        select(Application.series, Application.specialty).where(Application.committee_id == committee.id)
    ).all()
    scope = [name for row in committee.scopes for name in row.specialty_list]
    return Subjects(
        tuple(dict.fromkeys([*SERIES_SUGGESTIONS, *scope, *(a.series for a in applied)])),
        tuple(dict.fromkeys([*scope, *(a.specialty for a in applied)])),
    )


def office_subjects(session: Session, actor: Actor) -> Subjects:
    """The known series and specialties of the office's committee (the expert forms' lists)."""
    return subjects(session, _office(session, actor))


def subject_flags(session: Session, actor: Actor) -> dict[int, dict[str, str]]:
    """The office's experts whose series no application writes so, with why (the pool page flags them:
    entered before the check, they were silently never drawn for those applications)."""
    committee = _office(session, actor)
    known = subjects(session, committee)
    flags: dict[int, dict[str, str]] = {}
    for expert in session.scalars(select(Expert).where(Expert.committee_id == committee.id)):
        found = known.refusals(expert.series)
        if found:
            flags[expert.id] = found
    return flags


def add_expert(session: Session, actor: Actor, data: ExpertInput, now: datetime) -> AddedExpert:
    """An expert joins the committee's pool: identity checked as for staff (an ID number with an account
    keeps it), series, specialty and employer (matched to an organisation of the bureau's tree by name,
    for the recusal), the level of their title (chosen, or read from the title's text) at the committee's
    level or above, and the term of their appointment (at most 3 years, 人社部令第40号). A suggested series
    typed in English ("Engineering") is taken back as the Chinese name the applications write (工程).
    Audited; a refusal too, as a denied ``add_expert`` with its code and the fields refused, as
    `deactivate_expert`'s are: ``already_in_pool``, ``applicant_account`` (an applicant's account is no
    expert), ``unknown_series``, ``below_committee_level``, else ``invalid_expert``."""
    committee = _office(session, actor)
    data = replace(data, series=series_as_stored(data.series.strip()))
    errors: dict[str, str] = {}
    level = data.title_level.strip() or rules.level_from_title(data.title)
    floor = standard(committee).floor
    if not level:
        errors["title_level"] = N_("请选择现有职称层级")
    elif level not in LEVELS:
        errors["title_level"] = N_("请从列表中选择职称层级")
    elif floor is not None and not rules.level_at_least(level, floor):
        errors["title_level"] = rules.disqualification_words(rules.Unqualified.LEVEL, floor)
    term = _term(data, now, errors)
    for field, title, limit in (
        ("series", N_("职称系列"), 50),
        ("specialty", N_("专业"), 100),
        ("employer_name", N_("工作单位"), 200),
        ("title", N_("现有职称"), 100),
    ):
        value = getattr(data, field).strip()
        if not value and field != "title":
            errors[field] = T_("请填写%(title)s", title=title)
        elif len(value) > limit:
            errors[field] = T_("%(title)s不能超过%(limit)s字", title=title, limit=limit)
    unknown = subjects(session, committee).refusals(data.series.strip())
    for field, why in unknown.items():
        errors.setdefault(field, why)
    try:
        checked = staff.check_person(
            session, committee.office_id, PersonInput(data.name, data.id_number, data.phone), now
        )
    except ValidationFailed as invalid:
        errors.update(invalid.fields)
        checked = None
    code = "invalid_expert"
    if checked is not None and checked.existing is not None:
        if session.scalar(
            select(Expert.id).where(
                Expert.committee_id == committee.id, Expert.user_id == checked.existing.id
            )
        ):
            errors["id_number"] = N_("此人已在本评委会专家库中")
            code = "already_in_pool"
        elif checked.existing.employer_id is not None or checked.existing.registered_with_id is not None:
            # An applicant's account (opened by HR, or registered by the person: ACC-04) is not an expert.
            errors["id_number"] = N_("此人是申报人账号，不能作为评审专家（回避）")
            code = "applicant_account"
    if errors:
        # The most telling cause names the refusal (the fields list says what else was wrong).
        if code == "invalid_expert" and unknown:
            code = "unknown_series"
        elif code == "invalid_expert" and "title_level" in errors and level in LEVELS:
            code = "below_committee_level"
        _refuse_pool_input(session, actor, (committee.id, None), "add_expert", code, errors, now)
    assert checked is not None and term is not None and level is not None
    account = None
    user = checked.existing
    if user is None:
        account = open_account(session, actor, checked.name, checked.id_number, checked.phone, now)
        user = account.user
    employer_name = data.employer_name.strip()
    employer = session.scalars(select(Organisation).where(Organisation.name == employer_name)).first()
    expert = Expert(
        committee_id=committee.id,
        user_id=user.id,
        series=data.series.strip(),
        specialty=data.specialty.strip(),
        title=data.title.strip(),
        title_level=level,
        appointed_on=term[0],
        term_ends=term[1],
        employer_name=employer_name,
        employer_id=employer.id if employer else None,
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(expert)
    session.flush()
    audit.record(
        session, actor, "add_expert", now, object_type="committee", object_id=committee.id,
        detail={
            "expert_id": expert.id, "user_id": user.id, "new_account": account is not None,
            "title_level": level, "appointed_on": term[0].isoformat(), "term_ends": term[1].isoformat(),
        },
    )  # fmt: skip
    return AddedExpert(expert, account)


def get_expert(session: Session, actor: Actor, expert_id: int) -> Expert:
    """An expert of the office's own pool (another committee's reads as not found)."""
    committee = _office(session, actor)
    expert = session.get(Expert, expert_id)
    if expert is None or expert.committee_id != committee.id:
        raise NotFound(N_("找不到该专家"))
    return expert


def renew_expert(session: Session, actor: Actor, expert_id: int, data: TermInput, now: datetime) -> Expert:
    """A new term for an expert (续聘): from its appointment day to its end, at most 3 years (人社部令第40号);
    it replaces the current term, which the audit row keeps. A refusal is audited as a denied
    ``renew_expert`` with its code (``term_ended``: a new term already over; ``invalid_term``: a date
    missing, malformed, or a term over 3 years) and the fields refused."""
    expert = get_expert(session, actor, expert_id)
    errors: dict[str, str] = {}
    if not data.appointed_on.strip():
        errors["appointed_on"] = N_("请填写聘任日期")
    if not data.term_ends.strip():
        errors["term_ends"] = N_("请填写任期届满日")
    term = None if errors else _term(data, now, errors)
    late = rules.renewal_refusal(term[1], today(now)) if term is not None else None
    if late:
        errors["term_ends"] = late
    if errors or term is None:
        code = "term_ended" if late else "invalid_term"
        _refuse_pool_input(
            session, actor, (expert.committee_id, expert.id), "renew_expert", code, errors, now
        )
    before = {"appointed_on": expert.appointed_on.isoformat(), "term_ends": expert.term_ends.isoformat()}
    expert.appointed_on, expert.term_ends = term
    session.flush()
    audit.record(
        session, actor, "renew_expert", now, object_type="committee", object_id=expert.committee_id,
        detail={
            "expert_id": expert.id, "before": before,
            "after": {"appointed_on": term[0].isoformat(), "term_ends": term[1].isoformat()},
        },
    )  # fmt: skip
    return expert


def set_title_level(session: Session, actor: Actor, expert_id: int, level: str, now: datetime) -> Expert:
    """The level of the title an expert holds, filled in (待补充) or corrected; audited with the level
    before. A level below the committee's is recorded (the expert is then not drawn) but said so. A value
    not in the list is refused, audited as a denied ``set_expert_level`` (``invalid_level``)."""
    expert = get_expert(session, actor, expert_id)
    level = level.strip()
    if level not in LEVELS:
        _refuse_pool_input(
            session, actor, (expert.committee_id, expert.id), "set_expert_level", "invalid_level",
            {"title_level": N_("请从列表中选择职称层级")}, now,
        )  # fmt: skip
    before = expert.title_level
    expert.title_level = level
    session.flush()
    audit.record(
        session, actor, "set_expert_level", now, object_type="committee", object_id=expert.committee_id,
        detail={"expert_id": expert.id, "before": before, "after": level},
    )  # fmt: skip
    return expert


def set_subject(
    session: Session, actor: Actor, expert_id: int, series: str, specialty: str, now: datetime
) -> Expert:
    """An expert's series and specialty corrected to how the applications write them (an expert entered
    before the check, flagged in the pool); refused as on entry, a series typed in English taken back as
    its Chinese name as on entry. Audited with the values before; a refusal is audited too, as a denied
    ``set_expert_subject`` with its code (``unknown_series``: a series no application writes, which the
    draw would never match; ``invalid_subject``: a field left empty or too long) and the fields refused."""
    expert = get_expert(session, actor, expert_id)
    series, specialty = series_as_stored(series.strip()), specialty.strip()
    errors: dict[str, str] = {}
    for field, title, value, limit in (
        ("series", N_("职称系列"), series, 50),
        ("specialty", N_("专业"), specialty, 100),
    ):
        if not value:
            errors[field] = T_("请填写%(title)s", title=title)
        elif len(value) > limit:
            errors[field] = T_("%(title)s不能超过%(limit)s字", title=title, limit=limit)
    unknown = subjects(session, expert.committee).refusals(series)
    for field, why in unknown.items():
        errors.setdefault(field, why)
    if errors:
        code = "unknown_series" if unknown else "invalid_subject"
        # Kept when the request rolls back (record_attempt), like the meetings' refused steps (_refuse).
        audit.record_attempt(
            session, actor, "set_expert_subject", now, object_type="committee", object_id=expert.committee_id,
            detail={"expert_id": expert.id, "code": code, "fields": sorted(errors)},
        )  # fmt: skip
        invalid = ValidationFailed(errors)
        invalid.code = code
        raise invalid
    before = {"series": expert.series, "specialty": expert.specialty}
    expert.series, expert.specialty = series, specialty
    session.flush()
    audit.record(
        session, actor, "set_expert_subject", now, object_type="committee", object_id=expert.committee_id,
        detail={
            "expert_id": expert.id, "before": before, "after": {"series": series, "specialty": specialty},
        },
    )  # fmt: skip
    return expert


# --- taking an expert out of the pool (停用) and back (恢复) ----------------------------------------------

# A meeting past its vote: a deactivated expert's seat there is history (their ballot, if any, counted).
VOTED = frozenset({MeetingStatus.TALLIED, MeetingStatus.CONFIRMED, MeetingStatus.PUBLISHED})


def open_seats(session: Session, expert: Expert, *, fresh: bool = False) -> list[PanelMember]:
    """The expert's seats on panels of meetings not yet voted (a cancelled meeting holds no panel), soonest
    meeting first: what a deactivation leaves for the office to replace (the expert page lists them).
    ``fresh``: read again over what the session holds (after a lock, a change committed meanwhile)."""
    query = (
        select(PanelMember)
        .join(Meeting, Meeting.id == PanelMember.meeting_id)
        .where(
            PanelMember.expert_id == expert.id,
            Meeting.status.not_in([s.value for s in (*VOTED, MeetingStatus.CANCELLED)]),
        )
        .order_by(Meeting.held_on, Meeting.id)
    )
    return list(session.scalars(query.execution_options(populate_existing=fresh)))


def _lock(session: Session, model: type[Meeting] | type[Expert], ids: list[int]) -> None:
    """Lock these rows until the transaction ends (PostgreSQL: FOR UPDATE, in id order) and read them
    again over what the session holds. A deactivation and the opening of a vote both lock the meeting
    first, then the experts, so one waits for the other and then sees its outcome, and no two lockers
    wait on each other crosswise. SQLite ignores it: every transaction there is BEGIN IMMEDIATE, so
    writers already take turns."""
    if ids:
        key = model.id
        session.execute(select(key).where(key.in_(sorted(set(ids)))).order_by(key).with_for_update())
        session.execute(select(model).where(key.in_(ids)).execution_options(populate_existing=True)).all()


# A pool step's object: the committee and the expert (None for one being added).
PoolStep = tuple[int, int | None]


def _refuse_pool_step(
    session: Session, actor: Actor, on: PoolStep, action: str, code: str, now: datetime, **detail: object
) -> None:
    """Audit a refused pool step on the committee (kept past the rollback, as `set_subject` does): the
    expert it concerns, the refusal's code and what else it names (the fields refused; never the values
    typed, which may hold an ID number)."""
    committee_id, expert_id = on
    audit.record_attempt(
        session, actor, action, now, object_type="committee", object_id=committee_id,
        detail={"expert_id": expert_id, "code": code, **detail},
    )  # fmt: skip


def _refuse_pool_input(
    session: Session,
    actor: Actor,
    on: PoolStep,
    action: str,
    code: str,
    errors: dict[str, str],
    now: datetime,
) -> NoReturn:
    """A pool form refused: audited as a denied ``action`` with its code and the fields refused, then
    raised as those fields' errors (the form comes back with what was typed)."""
    _refuse_pool_step(session, actor, on, action, code, now, fields=sorted(errors))
    invalid = ValidationFailed(errors)
    invalid.code = code
    raise invalid


def _pool_refusal(
    session: Session, actor: Actor, expert: Expert, action: str, code: str, message: str, now: datetime
) -> None:
    _refuse_pool_step(session, actor, (expert.committee_id, expert.id), action, code, now)
    raise DomainError(message, code=code)


# Each pool step's refusal when the expert already stands where the step would put them.
_ALREADY = {
    "deactivate_expert": ("already_inactive", N_("该专家已停用，不在专家库中")),
    "restore_expert": ("already_active", N_("该专家在专家库中，无需恢复")),
}


def _set_standing(
    session: Session, actor: Actor, expert: Expert, action: str, now: datetime, **values: object
) -> None:
    """Move the expert in or out of the pool (``values["active"]``) by one UPDATE guarded by the standing
    it leaves: two clicks (or two of the office's staff) at once, one takes effect, the other is refused
    (audited) as a step already taken. The row is refreshed either way."""
    code, message = _ALREADY[action]
    was = not values["active"]  # the standing the step leaves
    if expert.active is not was:
        _pool_refusal(session, actor, expert, action, code, message, now)
    changed = session.execute(
        update(Expert)
        .where(Expert.id == expert.id, Expert.active.is_(was))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(expert)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        _pool_refusal(session, actor, expert, action, code, message, now)


def deactivate_expert(session: Session, actor: Actor, expert_id: int, reason: str, now: datetime) -> Expert:
    """The office takes an expert out of its pool (停用), with the reason (required, at most 500
    characters): never drawn again, and their seats on panels not yet voted are flagged on those meetings'
    pages for the office to replace (a prepared meeting cannot be filed until it draws again); the expert
    no longer sees those panels, nor acknowledges or votes. A ballot already cast stays counted. Refused,
    audited as a denied ``deactivate_expert`` with its code: no reason (``invalid_reason``), already out of
    the pool (``already_inactive``, also when two offices' clicks cross: one guarded UPDATE), or present at
    a vote still open without having voted (``voting_open``: the count waits for that ballot)."""
    expert = get_expert(session, actor, expert_id)
    try:
        reason = check_text(reason, N_("停用原因"), LIMITS["deactivation_reason"], required=True)
    except ValueError as bad:
        _refuse_pool_step(
            session, actor, (expert.committee_id, expert.id), "deactivate_expert", "invalid_reason", now
        )
        invalid = ValidationFailed({"deactivation_reason": bad.args[0]})
        invalid.code = "invalid_reason"
        raise invalid from None
    if not expert.active:  # said so before anything else is weighed
        _set_standing(session, actor, expert, "deactivate_expert", now, active=False)
    # The opening of a vote registers the experts present under the same locks (the meeting, then its
    # experts): one waits for the other, so no expert leaves the pool once registered present without a
    # ballot, nor is registered present once out of it. (A ballot needs no lock: cast, it lets the
    # deactivation go ahead; in flight, uncommitted, the deactivation is refused as voting_open.)
    _lock(session, Meeting, [seat.meeting_id for seat in open_seats(session, expert)])
    _lock(session, Expert, [expert.id])
    if not expert.active:  # taken out meanwhile by another click, now committed
        _set_standing(session, actor, expert, "deactivate_expert", now, active=False)
    for seat in open_seats(session, expert, fresh=True):
        meeting = session.get(Meeting, seat.meeting_id)
        assert meeting is not None
        if meeting.state is MeetingStatus.VOTING and seat.present and not has_voted(session, seat):
            _pool_refusal(
                session, actor, expert, "deactivate_expert", "voting_open",
                T_(
                    "该专家已登记出席%(day)s的评审会议，表决正在进行且本人尚未投票：计票须等其投票，"
                    "请在表决结束后再停用",
                    day=meeting.held_on,
                ),
                now,
            )  # fmt: skip
    seats = [s.meeting_id for s in open_seats(session, expert)]
    _set_standing(
        session, actor, expert, "deactivate_expert", now,
        active=False, deactivated_by_id=actor.user_id, deactivated_at=now, deactivation_reason=reason,
    )  # fmt: skip
    audit.record(
        session, actor, "deactivate_expert", now, object_type="committee", object_id=expert.committee_id,
        reason=reason, detail={"expert_id": expert.id, "user_id": expert.user_id, "open_panels": seats},
    )  # fmt: skip
    _tell_the_expert(session, expert, T_(DEACTIVATED, reason=reason, **_pool_words(expert)), now)
    return expert


def restore_expert(session: Session, actor: Actor, expert_id: int, now: datetime) -> Expert:
    """The office puts a deactivated expert back in its pool (恢复: a deactivation made by mistake, or its
    cause gone): drawn again where term and title qualify, and their remaining seats are theirs again.
    Audited with the deactivation it ends (who, when, why: the row forgets them); refused, audited, for an
    expert in the pool (``already_active``)."""
    expert = get_expert(session, actor, expert_id)
    ended = {
        "by": expert.deactivated_by_id,
        "at": expert.deactivated_at.isoformat() if expert.deactivated_at else None,
        "reason": expert.deactivation_reason,
    }
    _set_standing(
        session, actor, expert, "restore_expert", now,
        active=True, deactivated_by_id=None, deactivated_at=None, deactivation_reason="",
    )  # fmt: skip
    audit.record(
        session, actor, "restore_expert", now, object_type="committee", object_id=expert.committee_id,
        detail={"expert_id": expert.id, "user_id": expert.user_id, "deactivation": ended},
    )  # fmt: skip
    _tell_the_expert(session, expert, T_(RESTORED, **_pool_words(expert)), now)
    return expert


# What the expert is told when the office takes them out of its pool or puts them back (`_tell_the_expert`).
DEACTIVATED = N_(
    "%(office)s已将您移出%(committee)s评审专家库（停用），原因：%(reason)s。今后不再抽选您为评审专家；"
    "您所在的尚未表决的评审会议不再在“我的评审会议”中显示，您也不能再为其确认或投票，已投的票仍然有效。"
    "如有疑问，请联系%(office)s。"
)
RESTORED = N_(
    "%(office)s已将您恢复到%(committee)s评审专家库：您可再被抽选为评审专家，"
    "您所在的尚未表决的评审会议重新在“我的评审会议”中显示。"
)


def _pool_words(expert: Expert) -> dict[str, str]:
    return {"office": expert.committee.office.name, "committee": expert.committee.name}


def _tell_the_expert(session: Session, expert: Expert, message: str, now: datetime) -> None:
    """The expert hears that the office took them out of its pool or put them back: which office, why (a
    deactivation's reason) and what it means for their panels; in the inbox and, as other notices of
    their work (the draw, the vote's opening), by e-mail where they receive that topic
    (`NoticeKind.POOL_STANDING`). Linked to their panels' page, which shows what is theirs now."""
    notifications.notify(
        session, [expert.user_id], NoticeKind.POOL_STANDING, message, meetings.PANELS_LINK, now
    )


def gone_members(panel_rows: list[PanelMember]) -> list[PanelMember]:
    """The panel members taken out of the pool since they were drawn (the meeting page flags them)."""
    return [m for m in panel_rows if not m.expert.active]


class Standing:
    """The pool page's filter of an expert's standing on a day."""

    IN_TERM = "in_term"
    ENDED = "ended"  # 任期已满
    LEVEL_PENDING = "level_pending"  # 职称层级待补充
    INACTIVE = "inactive"  # 已停用 (taken out of the pool)
    CHOICES = (IN_TERM, ENDED, LEVEL_PENDING, INACTIVE)


def term_ended(expert: Expert, day: date) -> bool:
    """Whether the expert's term had ended by ``day`` (任期已满)."""
    return expert.term_ends < day


def _standing_holds(expert: Expert, standing: str, day: date) -> bool:
    if standing == Standing.ENDED:
        return term_ended(expert, day)
    if standing == Standing.IN_TERM:
        return rules.in_term(expert.appointed_on, expert.term_ends, day)
    if standing == Standing.LEVEL_PENDING:
        return expert.title_level is None
    if standing == Standing.INACTIVE:
        return not expert.active
    return True


@dataclass(frozen=True)
class PoolHealth:
    """The pool against the regulation on a day: the committee's standard, how it is organised (read from
    its name), its active experts in term at its level, and the warnings (never a refusal)."""

    standard: Standard
    organised: rules.Organised
    qualified: int
    warnings: list[str] = dataclass_field(default_factory=list)


def pool_health(session: Session, actor: Actor, now: datetime) -> PoolHealth:
    """How the office's pool stands today: its active experts qualified to sit (in term, a title at the
    committee's level) and the warnings of 人社部令第40号 (odd in number; a senior committee's minimum)."""
    committee = _office(session, actor)
    wanted = standard(committee)
    day = today(now)
    qualified = sum(
        1
        for e in session.scalars(
            select(Expert).where(Expert.committee_id == committee.id, Expert.active.is_(True))
        )
        if rules.disqualification(e.title_level, e.appointed_on, e.term_ends, wanted.floor, day) is None
    )
    organised = rules.organised_by(committee.name)
    return PoolHealth(wanted, organised, qualified, rules.pool_warnings(qualified, wanted.level, organised))


def experts_of(
    session: Session,
    actor: Actor,
    *,
    series: str = "",
    specialty: str = "",
    q: str = "",
    standing: str = "",
    day: date | None = None,
) -> list[Expert]:
    """The committee's pool as filtered on its page (and in its export): the office's staff only (the
    pool is not shown to the bureau or the applicants). ``standing`` (Standing) filters on ``day``; a
    suggested series typed in English ("Engineering") filters on its stored Chinese name (工程)."""
    committee = _office(session, actor)
    stmt = select(Expert).where(Expert.committee_id == committee.id)
    if series:
        stmt = stmt.where(Expert.series == series_as_stored(series.strip()))
    if specialty:
        stmt = stmt.where(Expert.specialty.contains(specialty, autoescape=True))
    # Those in the pool first; the deactivated after them, still listed (with why and since when).
    found = list(
        session.scalars(stmt.order_by(Expert.active.desc(), Expert.series, Expert.specialty, Expert.id))
    )
    return [
        e
        for e in found
        if (not q or q in e.user.name or q in e.employer_name)
        and (not standing or day is None or _standing_holds(e, standing, day))
    ]


EXPERT_HEADERS = (
    "姓名", "职称系列", "专业", "现有职称", "职称层级", "聘任日期", "任期届满日", "任期", "工作单位",
    "停用日期", "停用原因",
)  # fmt: skip


def expert_rows(
    session: Session, actor: Actor, now: datetime, *, filters: dict[str, str]
) -> list[tuple[object, ...]]:
    """The pool as filtered on its page, one row per expert (no phone or ID number), for the office's
    Excel: the names of who may judge are the committee's confidential business (experts are drawn in
    secret), so the export is audited with its filters and count."""
    day = today(now)
    committee = _office(session, actor)
    listed = experts_of(session, actor, **filters, day=day)
    detail = {"filters": filters, "rows": len(listed)}
    audit.record(
        session, actor, "export_experts", now, object_type="committee", object_id=committee.id, detail=detail
    )
    return [
        (
            e.user.name,
            e.series,
            e.specialty,
            e.title,
            e.title_level or "待补充",
            e.appointed_on,
            e.term_ends,
            "任期已满" if term_ended(e, day) else "在任",
            e.employer_name,
            today(e.deactivated_at) if e.deactivated_at and not e.active else "",
            "" if e.active else e.deactivation_reason,
        )
        for e in listed
    ]


# --- the draw --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidates:
    """The meeting's pool after the rules: those who may be drawn, the recused with their reason, and the
    series' experts who do not qualify (term not covering the meeting's day, title level) with theirs."""

    pool: list[rules.Candidate]
    recused: dict[int, str]
    unqualified: dict[int, rules.Unqualified]
    floor: str | None


def _candidates(session: Session, meeting: Meeting) -> Candidates:
    """The pool for this meeting: active experts of the agenda's series or specialties, in term on the
    meeting's day, holding a title at the committee's level or above (人社部令第40号), less the recused."""
    agenda = [e.application for e in meeting.entries]
    series = {a.series for a in agenda}
    specialties = [a.specialty for a in agenda]
    reviewed = [rules.Reviewed(a.applicant_id, a.enterprise_id, a.enterprise.name) for a in agenda]
    floor = standard(meeting.committee).floor
    pool: list[rules.Candidate] = []
    recused: dict[int, str] = {}
    unqualified: dict[int, rules.Unqualified] = {}
    for expert in session.scalars(
        select(Expert).where(Expert.committee_id == meeting.committee_id, Expert.active.is_(True))
    ):
        if expert.series not in series and not names_match(expert.specialty, specialties):
            continue
        lacking = rules.disqualification(
            expert.title_level, expert.appointed_on, expert.term_ends, floor, meeting.held_on
        )
        if lacking is not None:
            unqualified[expert.id] = lacking
            continue
        candidate = rules.Candidate(expert.id, expert.user_id, expert.employer_id, expert.employer_name)
        why = rules.recusal(candidate, reviewed)
        if why:
            recused[expert.id] = why
        else:
            pool.append(candidate)
    return Candidates(pool, recused, unqualified, floor)


def panel(session: Session, meeting: Meeting) -> list[PanelMember]:
    """The meeting's drawn panel, in the order of the draw."""
    return list(
        session.scalars(
            select(PanelMember).where(PanelMember.meeting_id == meeting.id).order_by(PanelMember.id)
        )
    )


def panel_ready(session: Session, meeting: Meeting) -> tuple[bool, str]:
    """Whether the meeting's panel has been drawn, in words (an item of the filing, 003 六(一))."""
    members = panel(session, meeting)
    if not members:
        return False, N_("尚未抽取评审专家")
    gone = [m.expert.user.name for m in gone_members(members)]
    if gone:
        # Taken out of the pool after the draw: the office draws again (the pool no longer holds them).
        return False, T_("专家名单中有已停用的专家（%(names)s），请重新抽取", names=joined(gone))
    return (
        True,
        NT_(
            "已随机抽取专家%(num)d人（种子 %(draw_seed)s）",
            "已随机抽取专家%(num)d人（种子 %(draw_seed)s）",
            len(members),
            draw_seed=meeting.draw_seed,
        )
        if meeting.draw_seed
        else NT_("专家%(num)d人", "专家%(num)d人", len(members)),
    )


NO_AGENDA_TO_DRAW = N_("请先将申报列入议程，再按其系列（专业）抽取专家")


def cited_vote_rule(rule: VoteRule) -> Clause | Text:
    """The vote rule's clause as the meeting's sentences cite it (the panel's size, the quorum).

    The notices cite 人社部令第40号 without its numbers, so every profile marks the rule unconfirmed
    (``confirmed = false``): the clause then says so in the words the eligibility findings use for
    unconfirmed policy data ("该项政策数据未经确认"), not as a drafting note ("待核实") shown to users."""
    if rule.confirmed:
        return Clause(rule.citation)
    return T_("%(citation)s，该项政策数据未经确认", citation=Clause(rule.citation))


def why_not_draw(meeting: Meeting) -> str | None:
    """What stops the office drawing the panel of a meeting it prepares, or None.

    The experts are drawn by the agenda's series (specialty): with nothing on the agenda the meeting page
    says so instead of offering a draw that `draw_panel` refuses.
    """
    return None if meeting.entries else NO_AGENDA_TO_DRAW


def draw_panel(
    session: Session, actor: Actor, meeting_id: int, size: int, now: datetime, *, seed: str = ""
) -> Meeting:
    """Draw the panel at random from the meeting's pool after recusal, with a recorded seed (a new random
    one unless given): the pool, the recused experts and the seed go into the audit row, so the draw can
    be computed again. While the meeting is prepared; a new draw replaces the panel (both audited)."""
    meeting = meetings._mine(session, actor, meeting_id)
    rule = meetings.committee_rules(session, meeting.committee).vote
    if meeting.state not in meetings.EDITABLE:
        _refuse(
            session,
            actor,
            meeting,
            "draw_panel",
            "meeting_filed",
            T_("会议%(title)s，不能重新抽取专家", title=meeting.state.title),
            now,
        )
    if not meeting.entries:
        _refuse(session, actor, meeting, "draw_panel", "no_agenda", NO_AGENDA_TO_DRAW, now)
    vote_clause = cited_vote_rule(rule)
    if size < rule.panel_min or size % 2 == 0:
        raise ValidationFailed(
            {
                "size": T_(
                    "抽取人数应为不少于%(panel_min)s的奇数（%(vote_clause)s）",
                    panel_min=rule.panel_min,
                    vote_clause=vote_clause,
                )
            }
        )
    found = _candidates(session, meeting)
    pool, recused = found.pool, found.recused
    if size > len(pool):
        counts: dict[rules.Unqualified, int] = {}
        for why in found.unqualified.values():
            counts[why] = counts.get(why, 0) + 1
        raise ValidationFailed({"size": rules.shortfall(len(pool), size, counts, len(recused), found.floor)})
    seed = seed.strip() or secrets.token_hex(8)
    chosen = rules.draw([c.expert_id for c in pool], size, seed)
    for member in panel(session, meeting):
        session.delete(member)
    session.flush()
    for expert_id in chosen:
        session.add(PanelMember(meeting_id=meeting.id, expert_id=expert_id, drawn=True))
    meetings._advance(
        session,
        meeting,
        set(meetings.EDITABLE),
        panel_size=size,
        draw_seed=seed,
        drawn_by_id=actor.user_id,
        drawn_at=now,
    )
    audit.record(
        session, actor, "draw_panel", now, object_type="meeting", object_id=meeting.id,
        detail={
            "seed": seed, "size": size, "pool": sorted(c.expert_id for c in pool),
            "recused": {str(k): v for k, v in recused.items()}, "panel": chosen,
            "unqualified": {str(k): v.value for k, v in found.unqualified.items()},
        },
    )  # fmt: skip
    return meeting


@dataclass(frozen=True)
class DrawCheck:
    seed: str
    pool: list[int]
    recorded: list[int]
    again: list[int]

    @property
    def holds(self) -> bool:
        return self.recorded == self.again


def verify_draw(session: Session, meeting: Meeting) -> DrawCheck | None:
    """The latest draw computed again from its audit row (pool and seed): the same panel, or not."""
    row = session.scalars(audit_rows(meeting.id, "draw_panel")).first()
    if row is None:
        return None
    detail = row.detail
    again = rules.draw(detail["pool"], detail["size"], detail["seed"])
    return DrawCheck(detail["seed"], detail["pool"], detail["panel"], again)


def audit_rows(meeting_id: int, action: str) -> Select[tuple[AuditEvent]]:
    """The query of a meeting's successful audit rows of ``action``, newest first (the draw's record)."""
    return meetings.audit_rows(meeting_id, action)


# --- the experts' own pages ---------------------------------------------------------------------------


# When the panel's experts see their meeting: from the bureau's acceptance of the filing on. Until then
# the draw is the office's working list, not yet anyone's seat: the office may draw again (a member taken
# out of the pool, a refused filing corrected), withdraw the filing (撤回备案, back to 筹备中) or cancel the
# meeting and release the panel, and the bureau may refuse the filing (003 六(一): 专家抽取情况 is part of
# what it accepts). The experts are told at acceptance (`meetings.decide_filing`, NoticeKind.PANEL, linking
# to the meeting's page), and not before; so before it a drawn expert finds no such meeting — not on
# 我的评审会议, not at /committees/panels/<id> (404, as for a meeting they do not sit on), and a step posted
# for it is refused as for a missing meeting —, and nobody learns who was drawn while it can still change.
SEEN_BY_PANEL = frozenset(
    {
        MeetingStatus.ACCEPTED,
        MeetingStatus.VOTING,
        MeetingStatus.TALLIED,
        MeetingStatus.CONFIRMED,
        MeetingStatus.PUBLISHED,
    }
)
_SEEN = [state.value for state in SEEN_BY_PANEL]


def memberships_of(session: Session, actor: Actor) -> list[PanelMember]:
    """The panels the actor (an expert in a pool: not one taken out of it) sits on and may see — meetings
    whose filing the bureau has accepted (`SEEN_BY_PANEL`) —, newest meeting first."""
    return list(
        session.scalars(
            select(PanelMember)
            .join(Expert, Expert.id == PanelMember.expert_id)
            .join(Meeting, Meeting.id == PanelMember.meeting_id)
            # A seat of an expert taken out of the pool is not theirs to open any more (restored, it is).
            .where(Expert.user_id == actor.user_id, Expert.active.is_(True), Meeting.status.in_(_SEEN))
            .order_by(Meeting.held_on.desc(), PanelMember.id.desc())
        )
    )


def is_expert(session: Session, user_id: int) -> bool:
    """Whether the user is an active expert of some committee's pool."""
    return (
        session.scalar(select(Expert.id).where(Expert.user_id == user_id, Expert.active.is_(True)))
        is not None
    )


def _refuse_former_seat(session: Session, actor: Actor, meeting_id: int, action: str, now: datetime) -> None:
    """Refuse, audited with the code ``expert_inactive``, an acknowledgement or a ballot from an expert the
    office took out of the pool who still holds a seat on this meeting's panel: said in words rather than
    as a missing meeting (they were told of the panel, and may hold the page open). Only on a meeting they
    were told of (`SEEN_BY_PANEL`): before the bureau accepts the filing the seat is not theirs to know of,
    so the step finds no such meeting, as for anyone else."""
    seat = session.scalars(
        select(PanelMember)
        .join(Expert, Expert.id == PanelMember.expert_id)
        .where(
            PanelMember.meeting_id == meeting_id,
            Expert.user_id == actor.user_id,
            Expert.active.is_(False),
        )
    ).first()
    meeting = session.get(Meeting, meeting_id)
    if seat is None or meeting is None or meeting.state not in SEEN_BY_PANEL:
        return
    message = (
        N_("您已被移出本评委会专家库（已停用），不能再投票；如有疑问，请联系评委会办事机构")
        if action == "cast_ballot"
        else N_(
            "您已被移出本评委会专家库（已停用），不能再确认学习评价标准条件；如有疑问，请联系评委会办事机构"
        )
    )
    _refuse(session, actor, meeting, action, "expert_inactive", message, now)


def member_for(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, PanelMember]:
    """The actor's seat on a meeting's panel; NotFound for a meeting they do not sit on, or not yet see
    (its filing not accepted by the bureau: `SEEN_BY_PANEL`)."""
    member = next((m for m in memberships_of(session, actor) if m.meeting_id == meeting_id), None)
    meeting = session.get(Meeting, meeting_id)
    if member is None or meeting is None:
        raise NotFound(N_("找不到该评审会议，或您不在本次会议的专家名单中"))
    return meeting, member


def study_clause(session: Session, meeting: Meeting) -> str:
    """The clause of the bureau's profile that has the experts study the evaluation standards before they
    vote (CHAN-06: Kunming's 004 一(七)); "" where the profile does not ask it (Zhenjiang's 003): its
    experts confirm nothing and the vote does not wait for them to."""
    _profile, rule = committees.rules_for(session, meeting.committee.bureau)
    return (rule.expert_study if rule else "") or ""


def acknowledgement(session: Session, meeting: Meeting) -> str:
    """The words an expert of this meeting confirms, with the profile's clause ("" when it asks none):
    shown in the reader's language, recorded in the audit as the Chinese text."""
    clause = study_clause(session, meeting)
    if not clause:
        return ""
    return T_(
        "本人已集中学习本系列（专业）职称评价标准条件，将坚持“好中择优、注重质量”原则评审（%(citation)s）",
        citation=Clause(clause),
    )


def acknowledge(session: Session, actor: Actor, meeting_id: int, now: datetime) -> PanelMember:
    """The expert records that they studied the conditions where the bureau's profile asks it (CHAN-06,
    004 一(七)); once (a second time is a no-op). Under a profile that does not ask it the page offers
    nothing, and a request anyway is refused: no confirmation is recorded that no rule asked for. An expert
    taken out of the pool is refused (``expert_inactive``)."""
    _refuse_former_seat(session, actor, meeting_id, "acknowledge_conditions", now)
    meeting, member = member_for(session, actor, meeting_id)
    if member.acknowledged_at is not None:
        return member
    text = acknowledgement(session, meeting)
    if not text:
        _refuse(
            session, actor, meeting, "acknowledge_conditions", "not_asked",
            N_("本评委会所依据的政策未要求专家在会前确认学习评价标准条件，无需确认"), now,
        )  # fmt: skip
    if meeting.state in (MeetingStatus.TALLIED, MeetingStatus.CONFIRMED, MeetingStatus.PUBLISHED):
        _refuse(
            session, actor, meeting, "acknowledge_conditions", "meeting_over", N_("本次会议已结束表决"), now
        )
    member.acknowledged_at = now
    session.flush()
    audit.record(
        session, actor, "acknowledge_conditions", now, object_type="meeting", object_id=meeting.id,
        detail={"member_id": member.id, "text": str(text)},
    )  # fmt: skip
    return member


# --- the vote ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    """The quorum of a meeting's vote: of the panel as drawn and filed (the bureau accepted that list),
    deactivated members included, who are counted absent (they cannot be registered present).

    Why the denominator keeps them: the quorum is a share of the committee's members for the meeting
    (the profile's ``quorum``, 2/3, which its note reads from 人社部令第40号 as 出席专家不少于三分之二,
    unconfirmed), and that membership is the panel the bureau accepted with the filing (003 六(一):
    专家抽取情况, CHAN-04/05): the panel is fixed then, so taking a member out of the pool afterwards
    does not shrink it. Counting
    only those still in the pool would let a deactivation lower the number needed (an absent member taken
    out of the pool would then be as good as present), the opposite of what a quorum is for."""

    panel: int  # members of the panel as accepted
    needed: int  # present experts needed
    gone: int  # members taken out of the pool since: counted in ``panel``, absent
    citation: Text
    office: str  # who accepted the filing (the profile's filing office)
    fraction: str  # the profile's quorum, "2/3"

    @property
    def reachable(self) -> bool:
        """Whether the members still in the pool can make the quorum."""
        return self.panel - self.gone >= self.needed

    @property
    def words(self) -> Text:
        """The rule as the office reads it before opening the vote."""
        return T_(
            "法定人数：出席专家不少于专家名单%(members)s人的%(fraction)s，即%(quorum)s人（%(citation)s）。",
            members=self.panel,
            fraction=self.fraction,
            quorum=self.needed,
            citation=self.citation,
        )

    @property
    def gone_words(self) -> Text:
        """Why deactivated members still count, and what follows when the rest cannot make the quorum."""
        counted = NT_(
            "已停用的%(num)d名专家仍计入专家名单（人社局确认备案的名单不因停用而缩减），按缺席计。",
            "已停用的%(num)d名专家仍计入专家名单（人社局确认备案的名单不因停用而缩减），按缺席计。",
            self.gone,
        )
        if self.reachable:
            return counted
        # The way forward (meetings.cancel_meeting): the leader calls the meeting off, the bureau is told,
        # and the agenda waits for a meeting planned, drawn and filed again.
        return T_(
            "%(counted)s仍在专家库的专家%(left)s人，不足法定人数，本次会议无法开始表决。"
            "办事机构领导可在本页“取消会议”中取消本次会议（须写明原因，%(office)s和专家将收到通知），"
            "议程中的申报退回待列入评审会议，再另行安排会议、重新抽取专家并报备。",
            counted=counted,
            left=self.panel - self.gone,
            office=self.office,
        )


def quorum(session: Session, meeting: Meeting) -> Quorum:
    """The meeting's quorum against its panel as filed (see `Quorum`: deactivated members count, absent)."""
    rule = meetings.committee_rules(session, meeting.committee)
    members = panel(session, meeting)
    citation = cited_vote_rule(rule.vote)
    numerator, denominator = rule.vote.quorum
    return Quorum(
        panel=len(members),
        needed=rules.needed(len(members), rule.vote.quorum),
        gone=len(gone_members(members)),
        citation=citation,
        office=rule.filing.office,
        fraction=f"{numerator}/{denominator}",
    )


def why_not_open_yet(meeting: Meeting, now: datetime) -> Text | None:
    """Why the vote of an accepted meeting cannot open today (its day has not come), or None.

    The meeting page shows it beside a disabled 开始表决 rather than offering a button whose confirmation
    leads only to this refusal; `open_voting` refuses with the same words."""
    if today(now) < meeting.held_on:
        return T_("会议定于%(day)s召开，当天才能开始表决", day=meeting.held_on)
    return None


def open_voting(
    session: Session, actor: Actor, meeting_id: int, present_ids: list[int], now: datetime
) -> Meeting:
    """The office's leader opens the vote with the experts present (each of whom acknowledged the
    conditions, where the profile asks it: CHAN-06, 004 一(七)): only on an accepted filing, on or after the
    meeting's day, with a quorum of the panel as filed (`quorum`: a member taken out of the pool since
    cannot be registered present and still counts in the panel, as absent; the refusal says so)."""
    meeting = meetings._mine(session, actor, meeting_id)
    if actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("表决由办事机构领导主持开始"))
    # Locked, then read again: the meeting, then its panel's experts, as a deactivation locks them
    # (`deactivate_expert`): an expert taken out of the pool meanwhile is seen as such, and one being
    # taken out waits for this vote's registration of who is present.
    _lock(session, Meeting, [meeting.id])
    _lock(session, Expert, [m.expert_id for m in panel(session, meeting)])
    rule = meetings.committee_rules(session, meeting.committee)
    if meeting.state is not MeetingStatus.ACCEPTED:
        why = T_(
            "会议%(state)s：未经备案的评审行为不予认可，须先经%(office)s确认备案（%(citation)s）",
            state=meeting.state.title,
            office=rule.filing.office,
            citation=Clause(rule.filing.citation),
        )
        _refuse(session, actor, meeting, "open_voting", "not_filed", why, now)
    early = why_not_open_yet(meeting, now)
    if early is not None:
        _refuse(session, actor, meeting, "open_voting", "before_meeting", early, now)
    members = panel(session, meeting)
    present = [m for m in members if m.id in set(present_ids)]
    gone = [m.expert.user.name for m in gone_members(present)]
    if gone:
        # Out of the pool since the filing was accepted (the panel is fixed then): not a member who votes.
        _refuse(
            session, actor, meeting, "open_voting", "expert_inactive",
            T_("以下专家已被移出专家库（已停用），不能登记出席：%(names)s", names=joined(gone)),
            now, field="present",
        )  # fmt: skip
    clause = study_clause(session, meeting)
    unready = [m.expert.user.name for m in present if m.acknowledged_at is None] if clause else []
    if unready:
        _refuse(
            session, actor, meeting, "open_voting", "not_acknowledged",
            T_(
                "以下专家尚未确认已学习评价标准条件（%(citation)s）：%(names)s",
                citation=Clause(clause), names=joined(unready),
            ),
            now, field="present",
        )  # fmt: skip
    counted = quorum(session, meeting)
    if not rules.at_least(len(present), counted.panel, rule.vote.quorum) or not present:
        why = T_(
            "出席专家%(present)s人，不足专家名单%(members)s人的法定人数%(quorum)s人（%(citation)s）",
            present=len(present),
            members=counted.panel,
            quorum=counted.needed,
            citation=counted.citation,
        )
        if counted.gone:
            why = T_("%(why)s。%(counted)s", why=why, counted=counted.gone_words)
        else:  # experts who cannot come: the meeting is not held as filed (meetings.cancel_meeting)
            why = T_(
                "%(why)s。专家无法到齐、会议不能如期举行的，办事机构领导可取消本次会议后另行安排并重新报备",
                why=why,
            )
        _refuse(session, actor, meeting, "open_voting", "no_quorum", why, now, field="present")
    for member in members:
        member.present = member in present
    meetings._advance(
        session,
        meeting,
        {MeetingStatus.ACCEPTED},
        status=MeetingStatus.VOTING.value,
        voting_opened_at=now,
        present=len(present),
    )
    audit.record(
        session, actor, "open_voting", now, object_type="meeting", object_id=meeting.id,
        detail={"present": [m.id for m in present], "panel": len(members)},
    )  # fmt: skip
    message = T_(
        "%(committee)s%(day)s评审会议已开始表决，请登录投票（无记名）",
        committee=meeting.committee.name,
        day=meeting.held_on,
    )
    present_users = [m.expert.user_id for m in present]
    link = meetings.panel_link(meeting.id)  # the meeting's own page, where the ballot is
    notifications.notify(session, present_users, NoticeKind.VOTING, message, link, now)
    return meeting


def cast_ballot(
    session: Session, actor: Actor, meeting_id: int, choices: dict[int, str], now: datetime
) -> None:
    """A present expert's ballot on every entry of the agenda, once. The receipt (who voted, when) and the
    ballots (what, secret) are written together; a second ballot is refused, also when it races the first.
    An expert taken out of the pool is refused (``expert_inactive``); a ballot they cast before stays."""
    _refuse_former_seat(session, actor, meeting_id, "cast_ballot", now)
    try:
        meeting, member = member_for(session, actor, meeting_id)
    except NotFound:
        # Someone not on the panel: the answer is a missing meeting, the attempt is audited.
        if session.get(Meeting, meeting_id) is not None:
            audit.record_attempt(
                session, actor, "cast_ballot", now, object_type="meeting", object_id=meeting_id,
                detail={"code": "not_on_panel"},
            )  # fmt: skip
        raise
    if meeting.state is not MeetingStatus.VOTING:
        _refuse(
            session,
            actor,
            meeting,
            "cast_ballot",
            "not_voting",
            T_("会议%(title)s，现在不能投票", title=meeting.state.title),
            now,
        )
    if not member.present:
        _refuse(
            session,
            actor,
            meeting,
            "cast_ballot",
            "not_present",
            N_("您未登记为本次会议的出席专家，不能投票"),
            now,
        )
    if session.scalar(
        select(BallotReceipt.id).where(
            BallotReceipt.meeting_id == meeting.id, BallotReceipt.expert_id == member.expert_id
        )
    ):
        _refuse(
            session, actor, meeting, "cast_ballot", "already_voted", N_("您已投票，每位专家只能投票一次"), now
        )
    allowed = {c.value for c in BallotChoice}
    missing = {
        f"choice_{e.id}": T_("请对%(name)s表决", name=e.application.applicant.name)
        for e in meeting.entries
        if choices.get(e.id) not in allowed
    }
    if missing:
        raise ValidationFailed(missing, N_("请对每一位申报人表决（赞成、反对或弃权）"))
    try:
        with session.begin_nested():
            session.add(BallotReceipt(meeting_id=meeting.id, expert_id=member.expert_id, cast_at=now))
            session.flush()
            for entry in meeting.entries:
                session.add(Ballot(id=secrets.token_hex(16), entry_id=entry.id, choice=choices[entry.id]))
            session.flush()
    except IntegrityError:
        _refuse(
            session, actor, meeting, "cast_ballot", "already_voted", N_("您已投票，每位专家只能投票一次"), now
        )
    # The audit row says that they voted, never how.
    audit.record(session, actor, "cast_ballot", now, object_type="meeting", object_id=meeting.id)


def ballots_cast(session: Session, meeting: Meeting) -> int:
    """How many experts have voted at the meeting (receipts only: never how)."""
    return int(
        session.scalar(
            select(func.count()).select_from(BallotReceipt).where(BallotReceipt.meeting_id == meeting.id)
        )
        or 0
    )


def close_voting(session: Session, actor: Actor, meeting_id: int, now: datetime) -> Meeting:
    """The office's leader closes the vote once every present expert has voted: each entry's totals are
    counted against the profile's threshold and its application moves to voted (TALLY). Two closes at
    once: the compare-and-set lets one count."""
    meeting = meetings._mine(session, actor, meeting_id)
    if actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("表决由办事机构领导主持结束"))
    if meeting.state is not MeetingStatus.VOTING:
        _refuse(
            session,
            actor,
            meeting,
            "close_voting",
            "not_voting",
            T_("会议%(title)s，没有进行中的表决", title=meeting.state.title),
            now,
        )
    cast = ballots_cast(session, meeting)
    if cast < meeting.present:
        _refuse(
            session,
            actor,
            meeting,
            "close_voting",
            "ballots_missing",
            T_(
                "出席专家%(present)s人，已投票%(cast)s人；全部投票后才能计票",
                present=meeting.present,
                cast=cast,
            ),
            now,
        )
    rule = meetings.committee_rules(session, meeting.committee).vote
    try:
        meetings._advance(
            session, meeting, {MeetingStatus.VOTING}, status=MeetingStatus.TALLIED.value, tallied_at=now
        )
    except StaleObject:
        audit.record_attempt(
            session,
            actor,
            "close_voting",
            now,
            object_type="meeting",
            object_id=meeting.id,
            detail={"code": "stale"},
        )
        raise
    results = {}
    for entry in meeting.entries:
        choices = list(session.scalars(select(Ballot.choice).where(Ballot.entry_id == entry.id)))
        counted = rules.tally(choices, meeting.present, rule)
        entry.yes, entry.no, entry.abstain = counted.yes, counted.no, counted.abstain
        entry.result = (EntryResult.PASSED if counted.passed else EntryResult.FAILED).value
        results[entry.application_id] = entry.result
        if entry.application.state is Status.AWAITING_MEETING:
            transitions.apply(session, SYSTEM, entry.application, Action.TALLY, now, reason=counted.words)
    session.flush()
    audit.record(
        session, actor, "close_voting", now, object_type="meeting", object_id=meeting.id,
        detail={"results": {str(k): v for k, v in results.items()}, "ballots": cast},
    )  # fmt: skip
    return meeting


def entry_words(session: Session, meeting: Meeting, entry_id: int) -> str:
    """An entry's totals in words (after the tally)."""
    entry = next(e for e in meeting.entries if e.id == entry_id)
    rule = meetings.committee_rules(session, meeting.committee).vote
    return rules.Tally(
        entry.yes, entry.no, entry.abstain, meeting.present, rules.needed(meeting.present, rule.threshold),
        entry.result == EntryResult.PASSED.value,
    ).words  # fmt: skip


@dataclass(frozen=True)
class PassRate:
    passed: int
    total: int
    limit: int | None  # the meeting's setting (percent)
    clause: str

    @property
    def percent(self) -> int:
        return rules.pass_rate(self.passed, self.total)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.percent > self.limit


def pass_rate_clause(session: Session, meeting: Meeting) -> str:
    """The clause of the bureau's own notice that puts pass rates under proportional control (CHAN-06:
    Kunming's 004 一(七), Zhenjiang's 003 六(一)); "" when its profile names none (never another city's)."""
    _profile, rule = committees.rules_for(session, meeting.committee.bureau)
    return (rule.pass_rate if rule else "") or ""


def pass_rate(session: Session, meeting: Meeting) -> PassRate:
    """The meeting's pass rate against its setting (CHAN-06: 通过率实行适当的比例控制), shown before the
    results are confirmed."""
    counted = [e for e in meeting.entries if e.result != EntryResult.PENDING.value]
    passed = sum(1 for e in counted if e.result == EntryResult.PASSED.value)
    return PassRate(passed, len(counted), meeting.pass_rate_limit, pass_rate_clause(session, meeting))


def has_voted(session: Session, member: PanelMember) -> bool:
    """Whether this panel member has cast their ballot (the receipt only: never how)."""
    return (
        session.scalar(
            select(BallotReceipt.id).where(
                BallotReceipt.meeting_id == member.meeting_id, BallotReceipt.expert_id == member.expert_id
            )
        )
        is not None
    )
