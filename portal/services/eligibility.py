"""Eligibility in use (issue #5): the facts an application (or HR's dry run) holds, checked against its
bureau's policy profile, and the windows it may be submitted in.

Rules (guards of services.rulebook, on the facts computed here): a submission is refused outside the
open window of the chosen authority (WIN-01..04, with the next window's dates), refused on any ``block``
finding (listing each with its clause), and needs an acknowledged reason for ``warn`` findings; the batch
and its cutoff (CUT-02) are fixed at submission. Education must be held by the cutoff (001 三(七)). What the
form does not hold is unknown, so the engine reports it for manual review; nothing here crashes on a
half-filled form. Transitions: none (the caller,
services.applications.act, submits through services.transitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.domain.dates import read_day
from portal.domain.eligibility import (
    CountedYears,
    Education,
    Employer,
    Exam,
    Facts,
    Finding,
    Qualification,
    SocialInsurance,
    Title,
    WorkPeriod,
    check,
)
from portal.domain.eligibility import counted_years as count_years
from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.form import CATEGORY_FLAGS, SectionKey
from portal.domain.glossary import series_as_stored
from portal.domain.i18n import N_, T_, joined, worded
from portal.domain.policy import EDUCATION_LEVELS, LEVELS, PATHWAYS, PolicyProfile, Window
from portal.domain.roster import RosterBadge
from portal.domain.workflow import Status
from portal.models import Application, Organisation, OrgKind, Ownership
from portal.models.applications import BATCH_NAME_LENGTH
from portal.services import audit, forms, materials, rosters, unit_opinions
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.policies import (
    batch_title,
    bureau_of,
    effective_profile,
    format_period,
    window_title,
    windows_on,
)
from portal.services.transitions import SubmissionTerms

OWNERSHIP_FACT = {Ownership.STATE.value: "国有", Ownership.NON_STATE.value: "非国有"}


@dataclass(frozen=True)
class Evaluation:
    """The findings for one application (or dry run) and where it stands with the windows."""

    profile: PolicyProfile | None
    applies: bool  # the profile covers this pathway: windows and findings are enforced
    findings: list[Finding] = field(default_factory=list)
    window: Window | None = None  # open today for this application
    next_window: Window | None = None
    cutoff: date | None = None
    awaiting_filing: Window | None = None  # a self-review unit's window today, its filing not recorded
    # The authority whose windows and rules apply: the application's own, or for a draft of a self-review
    # unit's staff started under another authority, the unit it goes to at its first submission (SCOPE-13).
    authority: str | None = None

    @property
    def blocks(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warn"]

    @property
    def window_message(self) -> str:
        """ "" when a window is open (or none applies), else the refusal with the next window."""
        if not self.applies or self.window is not None:
            return ""
        if self.awaiting_filing is not None:
            return T_(
                "自主评审单位须在考核认定开展前向同级职称部门书面报备（%(clause)s）；本批次尚未录入报备，暂不受理",
                clause="001 一",
            )
        return outside_window_message(self.next_window)

    @property
    def can_submit(self) -> bool:
        return not self.blocks and not self.window_message


def outside_window_message(upcoming: Window | None) -> str:
    """The refusal outside every window (a message), naming the next window when one is published; its
    Chinese text writes the period as `format_period` does."""
    if upcoming is None or upcoming.opens is None or upcoming.closes is None:
        return N_("当前不在受理期内，下一受理期尚未公布，请留意人社局的通知")
    period = worded(
        format_period(upcoming.opens, upcoming.closes),
        T_("%(start)s至%(end)s", start=upcoming.opens, end=upcoming.closes),
    )
    return T_(
        "当前不在受理期内，下一受理期：%(period)s（%(batch)s）", period=period, batch=window_title(upcoming)
    )


def open_and_next(
    profile: PolicyProfile,
    authority: str | None,
    level: str,
    pathway: str | None,
    specialty: str | None,
    day: date,
) -> tuple[Window | None, Window | None, Window | None]:
    """The window open on ``day``, the first one opening after it and a self-review unit's window that
    would be open but awaits its filing: the policy service's answer (portal.services.policies.windows_on),
    so every page names the same batch."""
    if level not in LEVELS:
        return None, None, None
    found = windows_on(profile, day, level=level, authority=authority, pathway=pathway, specialty=specialty)
    return found.current, found.next, found.awaiting_filing


ACCOUNT_EMPLOYMENT = {"labour_contract": "劳动合同", "employment_contract": "聘用合同"}


def _social_insurance(session: Session, application: Application) -> SocialInsurance | None:
    """Months and the insuring unit from the enterprise's newest roster (SI-01/02/03); the affiliation
    proof counts once its slot holds a file."""
    match = rosters.matches_for(session, application.enterprise_id, [application.applicant])[
        application.applicant_id
    ]
    if match.badge in (
        RosterBadge.NO_ROSTER,
        RosterBadge.NOT_FOUND,
        RosterBadge.NAME_MISMATCH,
        RosterBadge.MANUAL,
    ):
        return None
    record = match.record
    proof = None
    if match.badge is RosterBadge.UNIT_MISMATCH:
        proof = any(m.slot == "affiliation" for m in materials.active_materials(session, application.id))
    return SocialInsurance(
        months=record.months if record is not None else None,
        unit_matches=match.badge is not RosterBadge.UNIT_MISMATCH,
        affiliation_proof=proof,
    )


def facts_for(
    session: Session, application: Application, cutoff: date | None, state: forms.FormState | None = None
) -> Facts:
    """The facts the application holds (issue 21.3): its start data, the enterprise, the applicant's
    account, the 申报表's rows (education with the major match of each, work periods, titles and
    qualifications, exams, continuing-education hours, categories), social insurance from the roster,
    the returns counted and the unit's attestation. ``state`` is the form as typed (the live pre-check)."""
    state = state or forms.state_of(session, application)
    flat = state.flat
    enterprise = application.enterprise
    educations = state.section(SectionKey.EDUCATION)
    education = tuple(
        Education(
            level=r.get("level"),
            degree=r.get("degree") if r.get("degree") not in (None, "无") else None,
            degree_type=r.get("degree_type"),
            major=r.get("major"),
            graduated_on=r.get("graduated_on"),
        )
        for r in educations
        if r.get("level")
    )
    best = forms.highest_education(educations)
    major_matches = {"相同或相近": True, "不同": False}.get(best.get("major_match")) if best else None
    work = tuple(
        WorkPeriod(
            start=r.get("started_on"),
            end=r.get("ended_on"),
            ongoing=r.get("ended_on") is None,
            professional={"是": True, "否": False}.get(r.get("professional")),
            internship=bool(r.get("internship")),
        )
        for r in state.section(SectionKey.WORK)
    )
    titles = [r for r in state.section(SectionKey.TITLE) if r.get("kind") == "职称"]
    top = max(
        titles, key=lambda r: LEVELS.index(r.get("level")) if r.get("level") in LEVELS else -1, default=None
    )
    has_title = True if titles else (False if flat.get("no_title") else None)
    current = (
        Title(
            level=top.get("level"),
            obtained_on=top.get("obtained_on"),
            province=top.get("province"),
            series=top.get("series"),
        )
        if top
        else None
    )
    qualifications = tuple(
        Qualification(name=r.get("name"), valid_until=r.get("valid_until"))
        for r in state.section(SectionKey.TITLE)
        if r.get("kind") == "职业资格" and r.get("name")
    )
    exams = tuple(
        Exam(
            name=r.get("name"),
            year=r.get("year"),
            passed=None
            if r.get("score") is None or r.get("pass_line") is None
            else float(r.get("score")) >= float(r.get("pass_line")),
            valid_until=r.get("valid_until"),
        )
        for r in state.section(SectionKey.EXAM)
        if r.get("name")
    )
    hours: dict[int, float] = {}
    for r in state.section(SectionKey.CE):
        if r.get("year"):
            hours[r.get("year")] = float(r.get("public_hours") or 0) + float(r.get("professional_hours") or 0)
    employment = (
        "自由职业"
        if flat.get("freelancer")
        else ACCOUNT_EMPLOYMENT.get(application.applicant.employment_type or "")
    )
    k12 = {"是": True, "否": False}.get(flat.get("teaching_in_k12") or "")
    opinion = unit_opinions.opinion_of(session, application.id)
    return Facts(
        pathway=application.pathway,
        series=application.series,
        specialty=application.specialty,
        level=application.level,
        cutoff=cutoff,
        employer=Employer(
            ownership=OWNERSHIP_FACT.get(enterprise.ownership or ""),
            region=enterprise.region or None,
            township=bool(flat.get("township")),
        ),
        employment_type=employment,
        education=education or (() if state.rows or educations else None),
        major_matches=major_matches,
        work=work if work else None,
        has_title=has_title,
        current_title=current,
        qualifications=qualifications,
        social_insurance=_social_insurance(session, application),
        continuing_education_hours=tuple(sorted(hours.items())),
        authority=application.authority_code,
        returns_after_unit_approval=application.counted_returns,
        exams=exams,
        categories=frozenset(name for flag, name in CATEGORY_FLAGS.items() if flat.get(flag)),
        teaching_in_k12=k12,
        consent_recorded=bool(flat.get("consent_reference") and flat.get("consent_on")),
        on_establishment=bool(flat.get("on_establishment")),
        assessment_passed=opinion.assessment_passed if opinion is not None else None,
    )


def _held_by_cutoff(profile: PolicyProfile, facts: Facts) -> list[Finding]:
    """001 三(七): education counts only if obtained by the batch's cutoff."""
    if facts.cutoff is None or not facts.education:
        return []
    late = [e for e in facts.education if e.graduated_on and e.graduated_on > facts.cutoff]
    if not late or len(late) < len(facts.education):
        return []
    e = late[0]
    clause = profile.counting.cutoff_citation or profile.counting.citation
    return [
        Finding(
            "CUT-02",
            "block",
            clause,
            T_(
                "%(level)s学历于%(day)s取得，晚于终算时间%(cutoff)s，本批次不能计入",
                level=e.level,
                day=e.graduated_on,
                cutoff=facts.cutoff,
            ),
        )
    ]


def run_check(profile: PolicyProfile, facts: Facts) -> list[Finding]:
    """Every finding of the profile on these facts, blocking ones first."""
    findings = _held_by_cutoff(profile, facts) + check(profile, facts)
    order = {"block": 0, "warn": 1, "manual": 2, "info": 3}
    return sorted(findings, key=lambda f: order[f.severity])


def _not_covered(profile: PolicyProfile, pathway: str | None) -> Finding:
    return Finding(
        "SCOPE",
        "manual",
        profile.document,
        T_(
            "%(profile)s不含「%(pathway)s」途径的政策数据：资格条件和受理期由审核人按相关通知人工审核",
            profile=profile.title,
            pathway=pathway,
        ),
    )


def routed_authority(profile: PolicyProfile, application: Application) -> str | None:
    """The authority an application is decided by at its first submission (SCOPE-13, 001 四(一)): a
    self-review unit certifies its own staff at its levels and series instead of the regional authority,
    so a draft started under another authority before the unit was configured goes to the unit (nothing
    was fixed yet: the batch and cutoff are fixed by the first submission). A submitted application keeps
    the authority and batch it was accepted in (a resubmission answers a return and keeps its batch)."""
    code = application.authority_code
    if application.status != Status.DRAFT.value or application.batch_id is not None:
        return code
    uscc = application.enterprise.uscc if application.enterprise is not None else None
    unit = profile.self_review_unit(uscc)
    if unit is None or unit.code == code:
        return code
    if not unit.certifies(application.level, enterprise=uscc, series=application.series):
        return code
    return unit.code


def _rerouted(profile: PolicyProfile, application: Application, code: str | None) -> list[Finding]:
    """The note that a draft goes to its self-review unit at submission, naming both authorities."""
    if code == application.authority_code or code is None:
        return []
    before = next((a.name for a in profile.authorities if a.code == application.authority_code), None)
    return [
        Finding(
            "SCOPE-13",
            "info",
            "001 四(一)",
            T_(
                "本单位人员的%(level)s由自主评审单位%(unit)s认定：本申报发起时为%(before)s，"
                "提交时改由%(unit)s受理，按其报备的受理期申报",
                level=application.level,
                unit=profile.authority(code).name,
                before=before or application.authority_code or N_("未指定认定机构"),
            ),
        )
    ]


def evaluate(
    session: Session, application: Application, now: datetime, state: forms.FormState | None = None
) -> Evaluation:
    """The findings for ``application`` as it stands (or with the typed ``state`` of its form) today."""
    profile = effective_profile(session, application.bureau)
    if profile is None:
        return Evaluation(profile=None, applies=False)
    if application.pathway and application.pathway not in profile.pathway_names:
        return Evaluation(
            profile=profile, applies=False, findings=[_not_covered(profile, application.pathway)]
        )
    day = today(now)
    authority = routed_authority(profile, application)
    current, upcoming, unfiled = open_and_next(
        profile,
        authority,
        application.level,
        application.pathway,
        application.specialty,
        day,
    )
    if application.cutoff is not None:
        cutoff: date | None = application.cutoff
    elif profile.counting.cutoff_source == "submission":
        cutoff = day
    else:
        chosen = current or upcoming
        cutoff = chosen.cutoff if chosen else None
    facts = replace(facts_for(session, application, cutoff, state), authority=authority)
    findings = run_check(profile, facts) + _rerouted(profile, application, authority)
    return Evaluation(profile, True, findings, current, upcoming, cutoff, unfiled, authority)


def counted_years(session: Session, application: Application) -> CountedYears | None:
    """The professional years the eligibility check counts for ``application`` (CUT-06) to the cutoff its
    submission fixed, as the check counts them; None where no profile covers it or nothing fixed a cutoff
    (the caller then says what it shows instead)."""
    profile = effective_profile(session, application.bureau)
    if profile is None or application.cutoff is None:
        return None
    if application.pathway and application.pathway not in profile.pathway_names:
        return None
    return count_years(profile, facts_for(session, application, application.cutoff))


def submission_terms(
    session: Session, application: Application, *, first: bool, acknowledgement: str, now: datetime
) -> SubmissionTerms | None:
    """What a submission fixes with its status change: the batch and cutoff (first submission only: a
    resubmission answers a return and keeps its batch) and the acknowledgement of the warnings. The
    refusals (window, blocks, missing acknowledgement) are guards of the rulebook (services.rulebook),
    checked before this is called; None when no profile applies."""
    evaluation = evaluate(session, application, now)
    if not evaluation.applies:
        return None
    batch_id, batch_name, cutoff, authority = None, None, None, None
    if first and evaluation.window is not None:
        batch_id, cutoff = evaluation.window.batch_id, evaluation.cutoff
        # The name every page shows for the batch, kept for when the profile no longer holds the id (next
        # year's file, an admin's window since deleted): those pages fall back to it.
        batch_name = batch_title(evaluation.profile, batch_id, evaluation.authority)[:BATCH_NAME_LENGTH]
        if evaluation.authority != application.authority_code:
            authority = evaluation.authority  # SCOPE-13: the draft goes to its self-review unit
    # The rulebook's warnings_acknowledged guard has refused an acknowledgement over its limit already.
    reason = acknowledgement.strip() if evaluation.warnings else None
    return SubmissionTerms(
        batch_id=batch_id,
        batch_name=batch_name,
        cutoff=cutoff,
        warnings_acknowledgement=reason or None,
        authority_code=authority,
    )


def record_acknowledgement(session: Session, actor: Actor, application: Application, now: datetime) -> None:
    """After the submission: the warnings shown and the reason given, for the reviewers."""
    if not application.warnings_acknowledgement:
        return
    evaluation = evaluate(session, application, now)
    audit.record(
        session,
        actor,
        "acknowledge_warnings",
        now,
        object_type="application",
        object_id=application.id,
        role="applicant",
        reason=application.warnings_acknowledgement,
        detail={"findings": [f.to_json() for f in evaluation.warnings]},
    )


# --- HR's dry run ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DryRunInput:
    pathway: str = ""
    series: str = ""
    specialty: str = ""
    level: str = ""
    education: str = ""
    graduated_on: str = ""
    major_matches: str = ""  # yes | no | ""
    work_started_on: str = ""
    title_level: str = ""
    title_obtained_on: str = ""


@dataclass(frozen=True)
class Attempt:
    window: Window
    title: str
    period: str
    findings: list[Finding]

    @property
    def blocks(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]


@dataclass(frozen=True)
class DryRun:
    profile: PolicyProfile
    enterprise: Organisation
    attempts: list[Attempt]
    earliest: Attempt | None
    series: str = ""  # as compared: a suggested series typed in English is its Chinese name

    @property
    def shown(self) -> Attempt | None:
        """The attempt whose findings the page lists: the earliest eligible one, else the last tried."""
        return self.earliest or (self.attempts[-1] if self.attempts else None)

    @property
    def verdict(self) -> str:
        if self.earliest is not None:
            window = self.earliest.window
            return T_(
                "最早可于%(batch)s申报（受理期%(period)s）",
                batch=self.earliest.title,
                period=T_("%(start)s至%(end)s", start=window.opens, end=window.closes),
            )
        if not self.attempts:
            return N_("尚无已公布的受理期，无法推算")
        return T_("在已公布的受理期内（至%(batch)s）尚不符合申报条件", batch=self.attempts[-1].title)


def dry_run(session: Session, actor: Actor, data: DryRunInput, now: datetime) -> DryRun:
    """Whether and when a candidate without an account could apply: the findings at each coming batch's
    cutoff, the earliest batch with no block. HR of an enterprise only; nothing is stored. A suggested
    series typed in English ("Engineering") is checked as the Chinese name profiles write (工程)."""
    data = replace(data, series=series_as_stored(data.series.strip()))
    if not (actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE):
        raise PermissionDenied(N_("只有用人单位的经办人或领导可以使用申报条件预测"))
    enterprise = session.get(Organisation, actor.org_id)
    assert enterprise is not None
    profile = effective_profile(session, bureau_of(enterprise))
    errors: dict[str, str] = {}
    if profile is None:
        raise ValidationFailed({"__all__": N_("本单位所属人社局尚未设置政策配置，无法预测")})
    if data.pathway not in PATHWAYS:
        errors["pathway"] = N_("请选择申报途径")
    elif data.pathway not in profile.pathway_names:
        errors["pathway"] = T_(
            "%(profile)s只适用于：%(pathways)s", profile=profile.title, pathways=joined(profile.pathway_names)
        )
    if not data.series.strip():
        errors["series"] = N_("请填写职称系列")
    if data.level not in LEVELS:
        errors["level"] = N_("请选择申报级别")
    if data.education and data.education not in EDUCATION_LEVELS:
        errors["education"] = N_("请选择学历")
    dates: dict[str, date | None] = {}
    for name in ("graduated_on", "work_started_on", "title_obtained_on"):
        raw = getattr(data, name).strip()
        dates[name], problem = (
            read_day(raw, N_("日期格式应为 年-月-日，例如 2020-07-01")) if raw else (None, "")
        )
        if problem:
            errors[name] = problem
    if data.title_level and data.title_level != "none" and data.title_level not in LEVELS:
        errors["title_level"] = N_("请选择现有职称级别")
    if errors:
        raise ValidationFailed(errors)
    region = enterprise.region or None
    authorities = profile.authorities_for(
        data.level, region, enterprise=enterprise.uscc, series=data.series.strip() or None
    )
    authority = authorities[0].code if authorities else None
    day = today(now)
    found = windows_on(
        profile,
        day,
        level=data.level,
        authority=authority,
        pathway=data.pathway,
        specialty=data.specialty or None,
    )
    attempts: list[Attempt] = []
    earliest = None
    for w in (*found.open, *found.upcoming):
        assert w.opens is not None and w.closes is not None
        cutoff = day if profile.counting.cutoff_source == "submission" else w.cutoff
        facts = Facts(
            pathway=data.pathway,
            series=data.series.strip(),
            specialty=data.specialty.strip() or None,
            level=data.level,
            cutoff=cutoff,
            employer=Employer(ownership=OWNERSHIP_FACT.get(enterprise.ownership or ""), region=region),
            education=(Education(level=data.education, graduated_on=dates["graduated_on"]),)
            if data.education
            else None,
            major_matches={"yes": True, "no": False}.get(data.major_matches),
            work=(WorkPeriod(start=dates["work_started_on"], ongoing=True, professional=True),)
            if dates["work_started_on"]
            else None,
            has_title={"": None, "none": False}.get(data.title_level, True),
            current_title=Title(level=data.title_level, obtained_on=dates["title_obtained_on"])
            if data.title_level in LEVELS
            else None,
            authority=authority,
        )
        attempt = Attempt(w, window_title(w), format_period(w.opens, w.closes), run_check(profile, facts))
        attempts.append(attempt)
        if not attempt.blocks:
            earliest = attempt
            break
    return DryRun(profile, enterprise, attempts, earliest, data.series)
