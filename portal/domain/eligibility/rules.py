"""The eligibility check: facts about one applicant + a policy profile -> findings, each citing its clause.

:func:`check` applies every rule of policy-spec sections A-M that the profile's data switches on and
returns :class:`Finding` values ``(rule, severity, clause, message)``, blocks first. The message is
Chinese and names the facts it used ("工作年限按周年计算至2026-06-30为3年，申报中级需4年（所学专业与从事专业
不同，延长1年）"), so the applicant, HR and every reviewer read the same reasoning.

Severities (policy-spec §0.2, plus "manual"):

- ``block``: a stated rule says no; submitting is refused.
- ``warn``: shown and acknowledged, e.g. a default the spec chose to warn on (§8 #3).
- ``manual``: the portal cannot decide: a fact is missing (every :class:`Facts` field may be None =
  unknown), or the decision rests on a value the notices only cite or policy-spec chose as a default
  (``confirmed = false`` in the policy file). Never a silent pass.
- ``info``: what was computed and from what, for the reviewer.

The rules share one :class:`_Check` and run in the order of :meth:`_Check.run`, since later rules read
what earlier ones found (the cutoffs, the counted years, the adjustments, a qualification's equivalent
level). Years are counted by :mod:`portal.domain.eligibility.years`.

Pure Python: imports neither Flask nor SQLAlchemy. Policy values come from the profile, never from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from portal.domain.eligibility.facts import Education, Employer, Facts
from portal.domain.eligibility.years import full_years, merge_periods
from portal.domain.i18n import N_, NC_, NT_, T_, joined
from portal.domain.policy import (
    EDUCATION_LEVELS,
    LEVELS,
    SEVERITIES,
    CategoryRule,
    ExamRule,
    Exclusion,
    LevelByLevel,
    PolicyProfile,
    Requirement,
    names_match,
    normalize_name,
)

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # block, warn, manual, info


@dataclass(frozen=True)
class Finding:
    """One result of :func:`check`: the policy-spec rule id, its severity, the notice clause, the message."""

    rule: str
    severity: str
    clause: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITY_RANK:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {self.severity!r}")

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity, "clause": self.clause, "message": self.message}


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def _edu_rank(level: str | None) -> int:
    return EDUCATION_LEVELS.index(level) if level in EDUCATION_LEVELS else -1


def _names(facts: Facts) -> list[str]:
    """What a series/specialty list is compared with: the series, the specialty, and both joined ("新闻" +
    "记者" = 新闻记者, as 001 三(一) writes it)."""
    out = [x for x in (facts.series, facts.specialty) if x]
    if facts.series and facts.specialty:
        out.append(facts.series + facts.specialty)
    return out


def _matches(facts: Facts, names: Iterable[str]) -> bool | None:
    candidates = _names(facts)
    if not candidates:
        return None
    names = tuple(names)
    return any(names_match(c, names) for c in candidates)


def _segments(periods: list[tuple[date, date]]) -> str:
    if not periods:
        return NC_("in a sentence", "无")
    return joined(T_("%(start)s至%(end)s", start=s, end=e) for s, e in periods)


def _months_required(months: int, where: str, *, continuous: bool, recent: bool) -> str:
    """What SI-01/03 ask for: contributions for at least `months` (continuous ones, the latest ones when
    `recent`), in the region `where` names (a message, or "")."""
    if not continuous:
        return NT_(
            "%(where)s缴纳社会养老保险不少于%(num)d个月",
            "%(where)s缴纳社会养老保险不少于%(num)d个月",
            months,
            where=where,
        )
    if recent:
        return NT_(
            "最近%(where)s连续参保不少于%(num)d个月",
            "最近%(where)s连续参保不少于%(num)d个月",
            months,
            where=where,
        )
    return NT_(
        "%(where)s连续参保不少于%(num)d个月", "%(where)s连续参保不少于%(num)d个月", months, where=where
    )


def _unconfirmed(note: str) -> str:
    return T_("（该项政策数据未经确认：%(note)s）", note=note) if note else N_("（该项政策数据未经确认）")


@dataclass
class _Years:
    """The professional years counted for one check, with what went into them."""

    cutoff: date
    years: int
    other_years: int  # under the other boundary convention (CUT-06 ambiguity)
    segments: list[tuple[date, date]]
    ongoing: bool

    def describe(self) -> str:
        return NT_(
            "专业技术工作年限按周年计算至%(day)s为%(num)d年（计入期间：%(periods)s）",
            "专业技术工作年限按周年计算至%(day)s为%(num)d年（计入期间：%(periods)s）",
            self.years,
            day=self.cutoff,
            periods=_segments(self.segments),
        )


@dataclass
class _Check:
    profile: PolicyProfile
    facts: Facts
    findings: list[Finding] = field(default_factory=list)
    seniority_cutoff: date | None = None
    education_cutoff: date | None = None
    years: _Years | None = None
    adjustments: list[tuple[int, str]] = field(default_factory=list)  # (years, reason)
    equivalent_level: str | None = None  # the title level a held qualification counts as (EQUIV-01/02)

    def add(self, rule: str, severity: str, clause: str, message: str) -> None:
        self.findings.append(Finding(rule, severity, clause, message))

    def run(self) -> list[Finding]:
        self.pathway_and_level()
        self.exclusions_and_scope()
        self.authority()
        self.exams()
        self.cutoffs()
        self.education_minimum()
        self.major()
        self.count_years()
        self.initial_grading()
        self.adjust()
        self.equivalence()
        self.requirements()
        self.level_by_level()
        self.titles_elsewhere()
        self.practice_entry()
        self.categories()
        self.social_insurance()
        self.continuing_education()
        self.assessment()
        self.returns()
        return sorted(self.findings, key=lambda f: _SEVERITY_RANK[f.severity])

    # -- helpers -----------------------------------------------------------------------------------

    @property
    def highest_education(self) -> Education | None:
        """The highest education held at the education cutoff (an undated one counts as held)."""
        held = [
            e
            for e in self.facts.education or ()
            if e.graduated_on is None
            or self.education_cutoff is None
            or e.graduated_on <= self.education_cutoff
        ]
        return max(held, key=lambda e: (_edu_rank(e.level), e.graduated_on or date.min), default=None)

    def applies(self, pathways: tuple[str, ...]) -> bool:
        return not pathways or self.facts.pathway in pathways

    # -- A. scope ---------------------------------------------------------------------------------

    def pathway_and_level(self) -> None:
        """The profile's pathways and the levels each grants (SCOPE-06, LVL-01, SCOPE-08, ...)."""
        p, f = self.profile, self.facts
        first = p.pathways[0]
        offered = joined(p.pathway_names)
        if f.pathway is None:
            self.add(
                first.rule,
                "manual",
                first.citation,
                T_(
                    "未提供申报途径，无法确定适用规则；%(profile)s适用：%(pathways)s",
                    profile=p.title,
                    pathways=offered,
                ),
            )
            return
        scope = p.pathway(f.pathway)
        if scope is None:
            self.add(
                first.rule,
                "block",
                first.citation,
                T_(
                    "%(profile)s不适用于%(pathway)s；适用途径：%(pathways)s",
                    profile=p.title,
                    pathway=f.pathway,
                    pathways=offered,
                ),
            )
            return
        levels = joined(scope.levels)
        if f.level is None:
            self.add(
                scope.rule,
                "manual",
                scope.citation,
                T_(
                    "未提供申报级别；%(profile)s（%(pathway)s）适用级别：%(levels)s",
                    profile=p.title,
                    pathway=f.pathway,
                    levels=levels,
                ),
            )
        elif f.level not in scope.levels:
            severity = "block" if scope.confirmed else "manual"
            self.add(
                scope.rule,
                severity,
                scope.citation,
                T_(
                    "%(profile)s（%(pathway)s）仅适用于%(levels)s，申报%(level)s不在范围内",
                    profile=p.title,
                    pathway=f.pathway,
                    levels=levels,
                    level=f.level,
                ),
            )
        elif not scope.confirmed:
            self.add(
                scope.rule,
                "manual",
                scope.citation,
                T_(
                    "申报%(pathway)s%(level)s需人工确认%(unconfirmed)s",
                    pathway=f.pathway,
                    level=f.level,
                    unconfirmed=_unconfirmed(scope.note),
                ),
            )

    def exclusions_and_scope(self) -> None:
        """Who may not apply (SCOPE-04, SCOPE-07) and the employment relationship (SCOPE-01/02)."""
        f = self.facts
        for ex in self.profile.exclusions:
            if self.applies(ex.pathways):
                self.exclusion(ex)
        scope = self.profile.scope
        if scope is None:
            return
        excluded = {t for ex in self.profile.exclusions for t in ex.employment_types}
        if f.employment_type is None:
            kinds = joined(scope.employment_types)
            self.add(scope.rule, "manual", scope.citation, T_("未提供用工形式，须为：%(kinds)s", kinds=kinds))
        elif f.employment_type not in excluded and f.employment_type not in scope.employment_types:
            kinds = joined(scope.employment_types)
            self.add(
                scope.rule,
                "block" if scope.confirmed else "manual",
                scope.citation,
                T_("用工形式为「%(kind)s」，申报人须为：%(kinds)s", kind=f.employment_type, kinds=kinds),
            )

    def exclusion(self, ex: Exclusion) -> None:
        f = self.facts
        used: list[str] = []
        unknown: list[str] = []
        if ex.series:
            hit = _matches(f, ex.series)
            if hit is False:
                return
            (unknown if hit is None else used).append(
                T_("申报系列为%(series)s", series=f.series or f.specialty)
                if hit
                else NC_("in a sentence", "申报系列")
            )
        if ex.ownership:
            ownership = f.employer.ownership if f.employer else None
            if ownership is not None and ownership != ex.ownership:
                return
            (unknown if ownership is None else used).append(
                T_("申报单位所有制为%(ownership)s", ownership=ownership)
                if ownership
                else N_("申报单位所有制（国有/非国有）")
            )
        if ex.employment_types:
            if f.employment_type is not None and f.employment_type not in ex.employment_types:
                return
            (unknown if f.employment_type is None else used).append(
                T_("用工形式为%(kind)s", kind=f.employment_type) if f.employment_type else N_("用工形式")
            )
        alternative = T_("；%(alternative)s", alternative=ex.alternative) if ex.alternative else ""
        if unknown:
            self.add(
                ex.rule,
                "manual",
                ex.citation,
                T_(
                    "%(description)s；未提供%(missing)s，需人工核实",
                    description=ex.description,
                    missing=joined(unknown),
                ),
            )
        else:
            severity = "block" if ex.confirmed else "manual"
            self.add(
                ex.rule,
                severity,
                ex.citation,
                T_(
                    "%(description)s：%(facts)s%(alternative)s",
                    description=ex.description,
                    facts=joined(used, "，"),
                    alternative=alternative,
                ),
            )

    def authority(self) -> None:
        """SCOPE-06: which authority certifies the level for the employer's region."""
        p, f = self.profile, self.facts
        scope = p.pathway(f.pathway)
        if scope is None or f.level is None or f.level not in scope.levels or not p.authorities:
            return
        region = f.employer.region if f.employer else None
        if f.authority is not None:
            try:
                authority = p.authority(f.authority)
            except ValueError:
                self.add(
                    scope.rule,
                    "manual",
                    scope.citation,
                    T_("认定机构编码「%(code)s」不在%(profile)s中", code=f.authority, profile=p.title),
                )
                return
            if not authority.certifies(f.level, region):
                where = T_("（申报单位所在地：%(region)s）", region=region) if region else ""
                names = [a.name for a in p.authorities_for(f.level, region)]
                proper = joined(names) if names else NC_("in a sentence", "无")
                self.add(
                    scope.rule,
                    "block",
                    authority.citation,
                    T_(
                        "%(authority)s的认定范围为%(area)s，不认定%(level)s%(where)s；应由%(proper)s受理",
                        authority=authority.name,
                        area=authority.area,
                        level=f.level,
                        where=where,
                        proper=proper,
                    ),
                )
            return
        regional = any("*" not in s.regions for a in p.authorities for s in a.scopes)
        if not regional:
            return  # routing does not depend on the region (e.g. by specialty): nothing to say here
        if region is None:
            self.add(
                scope.rule,
                "manual",
                scope.citation,
                T_("未提供申报单位所在地，无法确定%(level)s的认定机构", level=f.level),
            )
            return
        found = p.authorities_for(f.level, region)
        if not found:
            self.add(
                scope.rule,
                "manual",
                scope.citation,
                T_("未找到认定%(region)s%(level)s的认定机构，需人工确定", region=region, level=f.level),
            )
        else:
            names = joined(
                T_("%(name)s（%(phone)s）", name=a.name, phone=a.phone) if a.phone else a.name for a in found
            )
            self.add(
                scope.rule,
                "info",
                found[0].citation,
                T_("%(region)s申报%(level)s的认定机构：%(names)s", region=region, level=f.level, names=names),
            )

    # -- F. exams ------------------------------------------------------------------------------------

    def exams(self) -> None:
        """以考代评 (EXAM-01/02/04) and exam-conditioned senior titles (EXAM-03)."""
        f = self.facts
        if f.level is None:
            return
        told_unknown: set[str] = set()
        assumed: list[str] = []
        for rule in self.profile.exam_rules:
            if f.level not in rule.levels:
                continue
            hit = _matches(f, rule.specialties)
            if hit is None:
                if rule.rule not in told_unknown:
                    told_unknown.add(rule.rule)
                    self.add(
                        rule.rule,
                        "manual",
                        rule.citation,
                        N_("未提供申报系列和专业，无法判断是否属以考代评专业"),
                    )
                continue
            name = f.specialty or f.series
            if rule.kind == "exam_required":
                if hit:
                    self.exam_required(rule, name)
                continue
            if hit:
                severity = "block" if rule.confirmed or rule.block_unconfirmed else "manual"
                extra = "" if rule.confirmed else _unconfirmed(rule.note)
                self.add(
                    rule.rule,
                    severity,
                    rule.citation,
                    T_(
                        "%(name)s属以考代评专业，%(level)s职称通过全国统一考试取得，不进行%(pathway)s%(extra)s",
                        name=name,
                        level=f.level,
                        pathway=f.pathway or N_("认定/初定/评审"),
                        extra=extra,
                    ),
                )
                return
            if not rule.confirmed:
                assumed.append(rule.citation)
        if assumed:
            rule = next(r for r in self.profile.exam_rules if not r.confirmed and f.level in r.levels)
            self.add(
                rule.rule,
                "info",
                rule.citation,
                T_(
                    "%(specialty)s不在以考代评名单中%(unconfirmed)s",
                    specialty=f.specialty or f.series,
                    unconfirmed=_unconfirmed(rule.note),
                ),
            )

    def exam_required(self, rule: ExamRule, name: str | None) -> None:
        """EXAM-03 (003 二(五)): a pass in the national exam, still valid; the form's exam rows say."""
        f = self.facts
        need = T_(
            "申报%(name)s%(level)s须参加全国统一考试，成绩达到国家或省合格线并在有效期内",
            name=name,
            level=f.level,
        )
        if f.exams is None:
            self.add(rule.rule, "manual", rule.citation, T_("%(need)s，请核验成绩证明", need=need))
            return
        day = f.cutoff or self.education_cutoff
        passed = [e for e in f.exams if e.passed is not False]
        valid = [e for e in passed if e.valid_until is None or day is None or e.valid_until >= day]
        if valid:
            listed = joined(
                T_(
                    "%(name)s（%(year)s年%(until)s）",
                    name=e.name,
                    year=e.year or N_("年度未填"),
                    until=T_("，有效期至%(day)s", day=e.valid_until) if e.valid_until else "",
                )
                for e in valid
            )
            self.add(
                rule.rule, "manual", rule.citation, T_("已填报考试：%(exams)s；请核验成绩证明", exams=listed)
            )
        elif passed:
            expired = joined(
                T_("%(name)s（有效期至%(day)s）", name=e.name, day=e.valid_until) for e in passed
            )
            self.add(
                rule.rule,
                "block",
                rule.citation,
                T_("%(need)s：已填报的考试成绩已过有效期：%(exams)s", need=need, exams=expired),
            )
        else:
            self.add(rule.rule, "block", rule.citation, T_("%(need)s，未填报合格的考试成绩", need=need))

    # -- C. cutoffs ---------------------------------------------------------------------------------

    def cutoffs(self) -> None:
        """Which date years and education are counted to (CUT-01..05)."""
        p, f = self.profile, self.facts
        c = p.counting
        clause = c.cutoff_citation or c.citation
        self.education_cutoff = f.cutoff
        fixed = c.seniority_cutoff_for(f.cutoff, p.year)
        if fixed is not None and self.applies(c.seniority_cutoff_pathways):
            self.seniority_cutoff = fixed
            self.education_cutoff = f.cutoff or fixed
            rest = T_("；学历等计算至申报之日%(day)s", day=f.cutoff) if f.cutoff else ""
            if fixed == c.seniority_cutoff:
                said = T_("资历（任职年限）计算截至%(day)s%(rest)s", day=fixed, rest=rest)
            else:  # a later year's application under this profile: the notice's day, carried to its year
                said = T_(
                    "资历（任职年限）计算截至%(day)s（%(profile)s规定计算截至%(stated)s，按申报年度顺延）%(rest)s",
                    day=fixed,
                    profile=p.title,
                    stated=c.seniority_cutoff,
                    rest=rest,
                )
            self.add(c.rule, "info", c.seniority_cutoff_citation, said)
            return
        if c.cutoff_source == "batch":
            cutoffs = p.batch_cutoffs()
            listed = joined(cutoffs)
            if f.cutoff is None:
                self.add(
                    c.rule,
                    "manual",
                    clause,
                    T_("未提供终算时间；%(profile)s各批次终算时间为%(days)s", profile=p.title, days=listed),
                )
                return
            self.seniority_cutoff = f.cutoff
            if f.cutoff not in cutoffs:
                self.add(
                    c.rule,
                    "warn",
                    clause,
                    T_(
                        "终算时间%(day)s不是%(profile)s任何批次的终算时间（%(days)s），按所填日期计算",
                        day=f.cutoff,
                        profile=p.title,
                        days=listed,
                    ),
                )
            else:
                batch = next(w for w in p.batches if w.cutoff == f.cutoff)
                self.add(
                    c.rule,
                    "info",
                    batch.cutoff_citation,
                    T_(
                        "学历、资历和工作年限按%(batch)s终算时间%(day)s计算，时间按周年计算",
                        batch=batch.name,
                        day=f.cutoff,
                    ),
                )
            return
        if f.cutoff is None:
            self.add(c.rule, "manual", clause, N_("未提供申报日期（终算时间），无法计算工作年限"))
            return
        self.seniority_cutoff = f.cutoff
        default = "" if c.cutoff_confirmed else N_("（通知未规定终算时间，默认计算至申报之日）")
        self.add(
            c.rule, "info", clause, T_("工作年限计算至%(day)s%(default)s", day=f.cutoff, default=default)
        )

    # -- D. education -------------------------------------------------------------------------------

    def education_minimum(self) -> None:
        """EDU-01: minimum education per series; other series per the cited method (EDU-02/03)."""
        rules = self.profile.series_rules
        if not rules:
            return
        f = self.facts
        if not _names(f):
            first = rules[0]
            self.add(first.rule, "manual", first.citation, N_("未提供申报系列，无法核对最低学历要求"))
            return
        specific = next((r for r in rules if "*" not in r.series and _matches(f, r.series)), None)
        rule = specific or next((r for r in rules if "*" in r.series), None)
        if rule is None:
            return
        best = self.highest_education
        have = (
            T_("最高学历为%(level)s", level=best.level)
            if best is not None and best.level
            else N_("未提供学历")
        )
        series = f.series or f.specialty
        if rule.min_education is None:
            self.add(
                rule.rule,
                "manual",
                rule.citation,
                T_(
                    "%(series)s的最低学历要求见%(source)s，尚未录入政策数据，需人工审核（%(have)s）",
                    series=series,
                    source=rule.source or N_("相关系列条件"),
                    have=have,
                ),
            )
            return
        if best is None or best.level is None:
            self.add(
                rule.rule,
                "manual",
                rule.citation,
                T_(
                    "未提供学历，申报%(series)s最低学历要求%(minimum)s以上",
                    series=series,
                    minimum=rule.min_education,
                ),
            )
        elif _edu_rank(best.level) < _edu_rank(rule.min_education):
            self.add(
                rule.rule,
                "block" if rule.confirmed else "manual",
                rule.citation,
                T_(
                    "%(have)s，申报%(series)s最低学历要求%(minimum)s以上",
                    have=have,
                    series=series,
                    minimum=rule.min_education,
                ),
            )
        else:
            self.add(
                rule.rule,
                "info",
                rule.citation,
                T_(
                    "%(have)s，符合%(series)s最低学历%(minimum)s以上的要求",
                    have=have,
                    series=series,
                    minimum=rule.min_education,
                ),
            )

    # -- E. major -----------------------------------------------------------------------------------

    def major(self) -> None:
        """MAJ-01 (must match), MAJ-02 (+1 year), MAJ-03 (not restricted), MAJ-04 (post of the specialty)."""
        rule = self.profile.major
        if rule is None:
            return
        f = self.facts
        studied = next((e.major for e in f.education or () if e.major), None)
        what = T_("所学专业（%(major)s）", major=studied) if studied else NC_("in a sentence", "所学专业")
        target = (
            T_("申报专业（%(specialty)s）", specialty=f.specialty)
            if f.specialty
            else NC_("in a sentence", "申报专业")
        )
        if rule.mode == "not_restricted":
            if f.major_matches is False:
                self.add(
                    rule.rule,
                    "info",
                    rule.citation,
                    T_("%(what)s与从事专业不一致，不再作为限制条件", what=what),
                )
            return
        if f.major_matches is None:
            extra = (
                NT_(
                    "；如不同，工作年限须延长%(num)d年",
                    "；如不同，工作年限须延长%(num)d年",
                    rule.extra_years,
                )
                if rule.mode == "extra_years"
                else ""
            )
            self.add(
                rule.rule,
                "manual",
                rule.citation,
                T_(
                    "未说明%(what)s与%(target)s是否相同或相近%(extra)s", what=what, target=target, extra=extra
                ),
            )
            return
        if f.major_matches:
            return
        if rule.mode == "extra_years":
            self.adjustments.append(
                (
                    rule.extra_years,
                    NT_(
                        "所学专业与从事专业不同，延长%(num)d年",
                        "所学专业与从事专业不同，延长%(num)d年",
                        rule.extra_years,
                    ),
                )
            )
            self.add(
                rule.rule,
                "info",
                rule.citation,
                NT_(
                    "%(what)s与从事专业不相同或不相近：专业技术工作年限延长%(num)d年，并按从事专业申报",
                    "%(what)s与从事专业不相同或不相近：专业技术工作年限延长%(num)d年，并按从事专业申报",
                    rule.extra_years,
                    what=what,
                ),
            )
        else:
            severity = "block" if rule.confirmed else "manual"
            extra = "" if rule.confirmed else _unconfirmed(rule.note)
            self.add(
                rule.rule,
                severity,
                rule.citation,
                T_("%(what)s与%(target)s不相同或不相近%(extra)s", what=what, target=target, extra=extra),
            )

    # -- I. work years (CUT-06, EXP-01) -------------------------------------------------------------------

    def count_years(self) -> None:
        f, c = self.facts, self.profile.counting
        cutoff = self.seniority_cutoff
        if cutoff is None:
            return
        if f.work is None:
            self.add("CUT-06", "manual", c.citation, N_("未提供工作经历，无法计算专业技术工作年限"))
            return
        best = self.highest_education
        since = best.graduated_on if best is not None else None
        periods: list[tuple[date, date | None]] = []
        internships: list[tuple[date, date | None]] = []
        incomplete = 0
        for w in f.work:
            if w.start is None or w.ongoing is None or w.professional is None:
                incomplete += 1
                continue
            if not w.professional:
                continue
            span = (w.start, None if w.ongoing else w.end)
            if w.internship:
                internships.append(span)
                continue
            # Professional years are counted from graduation of the education they rest on.
            if since is not None and (span[1] is not None and span[1] < since):
                continue
            periods.append((max(w.start, since) if since else w.start, span[1]))
        if incomplete:
            self.add(
                "CUT-06",
                "manual",
                c.citation,
                NT_(
                    "有%(num)d段工作经历缺少起止日期或是否专业技术工作，未计入年限",
                    "有%(num)d段工作经历缺少起止日期或是否专业技术工作，未计入年限",
                    incomplete,
                ),
            )
        self.internship(internships, periods)
        other = "anniversary" if c.method == "inclusive" else "inclusive"
        segments = merge_periods(periods, cutoff, merge=c.merge_overlaps)
        ongoing = any(end is None and start <= cutoff for start, end in periods)
        self.years = _Years(
            cutoff, full_years(periods, cutoff, c), full_years(periods, cutoff, other), segments, ongoing
        )
        self.add("CUT-06", "info", c.citation, self.years.describe())
        if c.assumes_employment_to_cutoff and ongoing:
            self.add(
                c.rule,
                "warn",
                c.cutoff_citation or c.citation,
                T_(
                    "在职经历按持续至终算时间%(day)s计算；如申报人在此之前离职，年限须重新核定",
                    day=cutoff,
                ),
            )

    def internship(
        self, internships: list[tuple[date, date | None]], periods: list[tuple[date, date | None]]
    ) -> None:
        """EXP-01: an internship counts only where the profile says so, with evidence and consent."""
        if not internships:
            return
        rule = self.profile.internship
        spans = _segments([(s, e or (self.seniority_cutoff or s)) for s, e in internships])
        if rule is None:
            self.add(
                "EXP-01",
                "info",
                self.profile.counting.citation,
                T_("在校实习经历（%(periods)s）未计入工作年限", periods=spans),
            )
        elif rule.counts:
            periods.extend(internships)
            self.add(
                rule.rule,
                "manual",
                rule.citation,
                T_(
                    "在校实习经历（%(periods)s）已计入工作年限：须为在%(region)s企事业单位专业技术岗位实习，"
                    "上传实习佐证材料，并经用人单位考核同意",
                    periods=spans,
                    region=self.profile.region,
                ),
            )
        elif not rule.confirmed:
            self.add(
                rule.rule,
                "manual",
                rule.citation,
                T_(
                    "在校实习经历（%(periods)s）未计入工作年限%(unconfirmed)s",
                    periods=spans,
                    unconfirmed=_unconfirmed(rule.note),
                ),
            )
        else:
            self.add(
                rule.rule,
                "info",
                rule.citation,
                T_("在校实习经历（%(periods)s）未计入工作年限", periods=spans),
            )

    # -- J. level: 初定 table (LVL-01/02, SCOPE-12) -----------------------------------------------------

    def initial_grading(self) -> None:
        g, f = self.profile.initial_grading, self.facts
        if g is None or f.pathway != "初定":
            return
        if g.excluded_series and _matches(f, g.excluded_series):
            self.add(
                g.excluded_series_rule,
                "block",
                g.excluded_series_citation,
                T_(
                    "%(series)s初定按省人社厅、省教育厅有关规定执行，不适用本初定条件",
                    series=f.series or f.specialty,
                ),
            )
            return
        if not f.education:
            self.add(g.rule, "manual", g.citation, N_("未提供学历学位，无法确定可初定的级别"))
            return
        cutoff = self.education_cutoff
        best = None  # (row, education)
        older: list[Education] = []
        undated = False
        for e in f.education:
            if e.graduated_on is None:
                undated = True
                continue
            if cutoff is not None and e.graduated_on > cutoff:
                continue
            if e.graduated_on.year < g.from_graduation_year:
                older.append(e)
                continue
            for row in g.rows:
                if row.matches(e.level, e.degree) and (
                    best is None or _rank(row.level) > _rank(best[0].level)
                ):
                    best = (row, e)
        if best is None:
            if older:
                years = joined(
                    T_("%(education)s（%(day)s）", education=e.level or e.degree, day=e.graduated_on)
                    for e in older
                )
                self.add(
                    g.transition_rule,
                    "manual",
                    g.transition_citation,
                    T_(
                        "学历%(education)s于%(year)s年及以前取得，按省有关规定过渡，过渡条件尚未录入政策数据，需人工审核",
                        education=years,
                        year=str(g.from_graduation_year - 1),
                    ),
                )
            elif undated:
                self.add(g.rule, "manual", g.citation, N_("学历缺少毕业日期，无法确定可初定的级别"))
            else:
                held = joined(e.level or e.degree or N_("未知") for e in f.education)
                self.add(
                    g.rule, "block", g.citation, T_("学历（%(education)s）不符合初定条件", education=held)
                )
            return
        row, edu = best
        got = T_("%(education)s（%(day)s毕业）", education=edu.level or edu.degree, day=edu.graduated_on)
        if f.level is None:
            self.add(
                g.rule,
                "info",
                row.citation,
                T_("按学历%(education)s可初定%(level)s", education=got, level=row.level),
            )
            return
        if _rank(f.level) > _rank(row.level):
            severity = "manual" if older else "block"
            extra = N_("；另有2021年及以前取得的学历，过渡条件需人工审核") if older else ""
            self.add(
                g.rule,
                severity,
                row.citation,
                T_(
                    "按学历%(education)s可初定%(level)s，不能初定%(applied)s%(extra)s",
                    education=got,
                    level=row.level,
                    applied=f.level,
                    extra=extra,
                ),
            )
            return
        if _rank(f.level) < _rank(row.level):
            self.add(
                g.rule,
                "info",
                row.citation,
                T_(
                    "按学历%(education)s可初定%(level)s，现申报%(applied)s",
                    education=got,
                    level=row.level,
                    applied=f.level,
                ),
            )
            return
        self.probation(row.probation_years, row.citation, row.confirmed, row.note, edu, row.level)

    def probation(
        self, years: int, clause: str, confirmed: bool, note: str, edu: Education, level: str
    ) -> None:
        """LVL-01: 见习1年期满 in a post of the specialty, counted from graduation; or current work."""
        f, c = self.facts, self.profile.counting
        cutoff = self.seniority_cutoff
        if cutoff is None or f.work is None:
            self.add("LVL-01", "manual", clause, N_("未提供申报日期或工作经历，无法核对见习期"))
            return
        since = edu.graduated_on or date.min
        spans = [
            (max(w.start, since), None if w.ongoing else w.end)
            for w in f.work
            if w.start
            and w.professional
            and not w.internship
            and w.ongoing is not None
            and (w.ongoing or (w.end is not None and w.end >= since))
        ]
        if years == 0:
            working = any(e is None or e >= cutoff for _s, e in spans if _s <= cutoff)
            if not confirmed:
                self.add(
                    "LVL-01",
                    "manual",
                    clause,
                    T_(
                        "按学历初定%(level)s，%(working)s本专业技术工作%(unconfirmed)s",
                        level=level,
                        working=N_("现从事") if working else N_("未见从事"),
                        unconfirmed=_unconfirmed(note),
                    ),
                )
            elif not working:
                self.add(
                    "LVL-01",
                    "block",
                    clause,
                    T_("初定%(level)s须从事本专业技术工作，截至%(day)s未见在岗经历", level=level, day=cutoff),
                )
            return
        done = full_years(spans, cutoff, c)
        segments = _segments(merge_periods(spans, cutoff))
        text = NT_(
            "毕业后在本专业技术岗位见习按周年计算至%(day)s为%(done)d年（%(periods)s），初定%(level)s须见习%(num)d年期满",
            "毕业后在本专业技术岗位见习按周年计算至%(day)s为%(done)d年（%(periods)s），初定%(level)s须见习%(num)d年期满",
            years,
            day=cutoff,
            done=done,
            periods=segments,
            level=level,
        )
        if done < years:
            self.add("LVL-01", "block" if confirmed else "manual", clause, text)
        else:
            self.add("LVL-01", "info", clause, text)

    # -- K. adjustments (EARLY-01/02) ------------------------------------------------------------------

    def adjust(self) -> None:
        f = self.facts
        for adj in self.profile.adjustments:
            if not self.applies(adj.pathways) or (adj.levels and f.level not in adj.levels):
                continue
            if adj.series and not _matches(f, adj.series):
                continue
            holds = self.condition(adj.condition)
            early = (
                NT_("提前%(num)d年", "提前%(num)d年", -adj.years)
                if adj.years < 0
                else NT_("延长%(num)d年", "延长%(num)d年", adj.years)
            )
            if holds is None:
                self.add(adj.rule, "info", adj.citation, self.condition_text(adj.condition, early))
            elif holds:
                self.adjustments.append((adj.years, T_("%(rule)s：%(change)s", rule=adj.rule, change=early)))
                self.add(adj.rule, "info", adj.citation, self.condition_text(adj.condition, early, True))

    def condition(self, name: str) -> bool | None:
        f = self.facts
        if name == "township_first_title":
            township = f.employer.township if f.employer else None
            best = self.highest_education
            if township is False or f.has_title is True:
                return False
            if township is None or f.has_title is None or best is None:
                return None
            return _edu_rank(best.level) >= _edu_rank("大专")
        # engineering_professional_degree: 工程类专业学位硕士, or first + second engineering bachelor's.
        edus = f.education or ()
        master = any(
            e.level == "硕士" and e.degree_type == "专业学位" and "工程" in f"{e.major or ''}{e.degree or ''}"
            for e in edus
        )
        degrees = {e.degree for e in edus if e.degree and "工程" in (e.major or "")}
        return master or {"学士", "第二学士"} <= degrees

    @staticmethod
    def condition_text(name: str, early: str, holds: bool = False) -> str:
        if name == "township_first_title":
            if holds:
                return T_("在乡镇（街道）工作的普通高校毕业生首次申报评审职称，可%(early)s", early=early)
            return T_(
                "如在乡镇（街道）工作且为首次申报评审职称，可%(early)s（未提供工作地是否乡镇（街道）或现有职称）",
                early=early,
            )
        return T_(
            "具有工程类专业学位硕士或工程专业第一、第二学士学位，申报高级工程师可%(early)s", early=early
        )

    # -- J. years per level (LVL-05, EDU-03, CHAN-08) ---------------------------------------------------

    def requirements(self) -> None:
        f = self.facts
        if f.level is None or (self.profile.initial_grading is not None and f.pathway == "初定"):
            return
        rows = [r for r in self.profile.requirements if f.level in r.levels]
        if not rows:
            return
        best = self.highest_education
        row = self.requirement_row(rows, best)
        if row is None:
            held = best.level if best is not None and best.level else N_("未知")
            rule = rows[0]
            needed = joined(e for r in rows for e in r.education)
            self.add(
                rule.rule,
                "block" if rule.confirmed else "manual",
                rule.citation,
                T_(
                    "最高学历为%(held)s，申报%(level)s须具备%(needed)s学历",
                    held=held,
                    level=f.level,
                    needed=needed,
                ),
            )
            return
        extra = sum(y for y, _ in self.adjustments)
        reasons = joined((reason for _, reason in self.adjustments), "；")
        because = T_("（%(reasons)s）", reasons=reasons) if self.adjustments else ""
        have = self.years.describe() if self.years is not None else N_("工作年限无法计算")
        if row.years is None:
            self.add(
                row.rule,
                "manual",
                row.citation,
                T_(
                    "%(have)s；申报%(level)s所需学历和年限见%(source)s，尚未录入政策数据，需人工审核%(because)s",
                    have=have,
                    level=f.level,
                    source=row.source or N_("相关系列条件"),
                    because=because,
                ),
            )
            return
        required = max(row.years + extra, 0)
        if self.years is None:
            self.add(
                row.rule,
                "manual",
                row.citation,
                NT_(
                    "申报%(level)s需专业技术工作满%(num)d年%(because)s；%(have)s",
                    "申报%(level)s需专业技术工作满%(num)d年%(because)s；%(have)s",
                    required,
                    level=f.level,
                    because=because,
                    have=have,
                ),
            )
            return
        got = self.years.years
        text = NT_(
            "工作年限按周年计算至%(day)s为%(got)d年，申报%(level)s需%(num)d年%(because)s",
            "工作年限按周年计算至%(day)s为%(got)d年，申报%(level)s需%(num)d年%(because)s",
            required,
            day=self.years.cutoff,
            got=got,
            level=f.level,
            because=because,
        )
        ok = got >= required
        if not row.confirmed:
            self.add(
                row.rule,
                "manual",
                row.citation,
                T_("%(text)s%(unconfirmed)s", text=text, unconfirmed=_unconfirmed(row.note)),
            )
        else:
            self.add(row.rule, "info" if ok else "block", row.citation, text)
        c = self.profile.counting
        if not c.confirmed and (self.years.other_years >= required) != ok:
            self.add(
                "CUT-06",
                "manual",
                c.citation,
                NT_(
                    "按另一种周年口径（%(method)s）为%(num)d年，结论不同，需人工确认%(unconfirmed)s",
                    "按另一种周年口径（%(method)s）为%(num)d年，结论不同，需人工确认%(unconfirmed)s",
                    self.years.other_years,
                    method=N_("周年须届满") if c.method == "inclusive" else N_("起始日计为第1天"),
                    unconfirmed=_unconfirmed(c.note),
                ),
            )
        if row.years_in_lower_level is not None:
            self.lower_level(row)

    def requirement_row(self, rows: list[Requirement], best: Education | None) -> Requirement | None:
        general = [r for r in rows if not r.education]
        if general:
            return general[0]
        if best is None or best.level is None:
            return None
        return next((r for r in rows if best.level in r.education), None)

    def lower_level(self, row: Requirement) -> None:
        f = self.facts
        needed = row.years_in_lower_level
        t = f.current_title
        cutoff = self.seniority_cutoff
        if f.has_title is not True or t is None or t.obtained_on is None or cutoff is None:
            self.add(
                row.rule,
                "manual",
                row.citation,
                NT_(
                    "未提供现有职称及取得时间，申报%(level)s须任下一级职称满%(num)d年",
                    "未提供现有职称及取得时间，申报%(level)s须任下一级职称满%(num)d年",
                    needed or 0,
                    level=f.level,
                ),
            )
            return
        held = full_years([(t.obtained_on, None)], cutoff, self.profile.counting)
        text = NT_(
            "现有%(title)s职称于%(obtained)s取得，按周年计算至%(day)s为%(held)d年，须满%(num)d年",
            "现有%(title)s职称于%(obtained)s取得，按周年计算至%(day)s为%(held)d年，须满%(num)d年",
            needed or 0,
            title=t.level,
            obtained=t.obtained_on,
            day=cutoff,
            held=held,
        )
        severity = "info" if held >= (needed or 0) else ("block" if row.confirmed else "manual")
        self.add(row.rule, severity, row.citation, text)

    def level_by_level(self) -> None:
        """LVL-04: apply for the next level up only."""
        rule, f = self.profile.level_by_level, self.facts
        if rule is None or f.level is None or not self.applies(rule.pathways) or f.pathway is None:
            return
        if f.has_title is not True and self.equivalent_level is not None:
            self._next_level_only(
                rule,
                self.equivalent_level,
                N_("所持职业资格对应%(current)s职称，应逐级申报%(next)s，不能申报%(level)s"),
            )
            return
        if f.has_title is None:
            self.add(
                rule.rule,
                "manual",
                rule.citation,
                T_("未提供现有职称，无法核对逐级申报（申报%(level)s）", level=f.level),
            )
        elif f.has_title is False:
            if f.level in rule.entry_levels:
                self.add(rule.rule, "info", rule.citation, T_("尚无职称，首次申报%(level)s", level=f.level))
            else:
                self.add(
                    rule.rule,
                    "block",
                    rule.citation,
                    T_(
                        "尚无职称，应逐级申报（可从%(starts)s起报），不能直接申报%(level)s；%(note)s",
                        starts=joined(rule.entry_levels),
                        level=f.level,
                        note=rule.note,
                    ),
                )
        else:
            current = f.current_title.level if f.current_title else None
            if current is None:
                self.add(
                    rule.rule,
                    "manual",
                    rule.citation,
                    T_("未提供现有职称级别，无法核对逐级申报（申报%(level)s）", level=f.level),
                )
            else:
                self._next_level_only(
                    rule, current, N_("现有职称为%(current)s，应逐级申报%(next)s，不能申报%(level)s")
                )

    def _next_level_only(self, rule: LevelByLevel, current: str, template: str) -> None:
        """LVL-04's refusal unless the level applied for is the one after `current` (a title held, or the
        one a practice qualification stands for): `template` names %(current)s, %(next)s — the level after
        it — and %(level)s; above the top, a sentence of its own."""
        level = self.facts.level
        up = _rank(current) + 1
        if _rank(level) == up:
            return
        if up >= len(LEVELS):  # "应逐级申报无" read as nonsense: above the top there is nothing to name
            message = T_("%(current)s已是最高级别，不能再申报%(level)s", current=current, level=level)
        else:
            message = T_(template, current=current, next=LEVELS[up], level=level)
        self.add(rule.rule, "block", rule.citation, message)

    # -- G. practice qualifications ---------------------------------------------------------------------

    def practice_entry(self) -> None:
        rule, f = self.profile.practice_entry, self.facts
        if rule is None:
            return
        held = [q.name for q in f.qualifications or ()]
        listed = joined(held) if held else NC_("in a sentence", "无")
        for req in rule.requirements:
            if not _matches(f, req.specialties):
                continue
            if f.qualifications is None:
                self.add(
                    rule.rule,
                    "manual",
                    req.citation,
                    T_("未提供执（从）业资格，申报须先取得：%(needed)s", needed=joined(req.qualifications)),
                )
                return
            valid = [
                q
                for q in f.qualifications
                if any(names_match(q.name, (n,)) or n in q.name for n in req.qualifications)
                and (
                    q.valid_until is None
                    or self.education_cutoff is None
                    or q.valid_until >= self.education_cutoff
                )
            ]
            if valid:
                self.add(
                    rule.rule,
                    "info",
                    req.citation,
                    T_("已取得从业资格：%(names)s", names=joined(q.name for q in valid)),
                )
            else:
                severity = "block" if req.confirmed else "manual"
                self.add(
                    rule.rule,
                    severity,
                    req.citation,
                    T_(
                        "须先取得有效的%(needed)s，已填报资格：%(listed)s",
                        needed=joined(req.qualifications),
                        listed=listed,
                    ),
                )
            return
        if not rule.confirmed:
            self.add(
                rule.rule,
                "manual",
                rule.citation,
                T_(
                    "有从业准入要求的专业须先取得相应资格；%(specialty)s是否有准入要求尚未录入政策数据，"
                    "请审核人核实（已填报资格：%(listed)s）",
                    specialty=f.specialty or f.series or N_("该专业"),
                    listed=listed,
                ),
            )

    # -- H. social insurance -------------------------------------------------------------------------------

    def social_insurance(self) -> None:
        rule, f = self.profile.social_insurance, self.facts
        if rule is None or not self.applies(rule.pathways):
            return
        if f.employment_type is not None and f.employment_type in rule.exempt_employment_types:
            self.add(
                rule.rule,
                "info",
                rule.citation,
                T_("用工形式为%(kind)s：上传编制册，不适用社保缴费年限要求", kind=f.employment_type),
            )
            return
        for category in self.profile.categories:
            held = category.category in (f.categories or ())
            if category.exempts_social_insurance and held and f.consent_recorded:
                self.add(
                    rule.rule,
                    "info",
                    category.citation,
                    T_(
                        "%(category)s人员经省职称办同意申报，不按本单位参保情况核对",
                        category=category.category,
                    ),
                )
                return
        if f.on_establishment and "在编" in rule.exempt_employment_types:
            self.add(
                rule.rule, "info", rule.citation, N_("事业单位在编人员：上传编制册，不适用社保缴费年限要求")
            )
            return
        si = f.social_insurance
        if si is None:
            self.add(rule.rule, "manual", rule.citation, N_("未提供社保参保信息"))
            return
        need = rule.min_months
        if need is not None:
            where = T_("在%(region)s", region=rule.region) if rule.region else ""
            if si.months is None:
                required = _months_required(need.value, where, continuous=rule.continuous, recent=False)
                self.add(
                    rule.rule,
                    "manual",
                    need.citation,
                    T_("未提供社保缴费月数，须%(required)s", required=required),
                )
            elif si.months < need.value:
                severity = "manual" if need.severity == "block" and not need.confirmed else need.severity
                extra = "" if need.confirmed else _unconfirmed(need.note)
                required = _months_required(need.value, where, continuous=rule.continuous, recent=True)
                self.add(
                    rule.rule,
                    severity,
                    need.citation,
                    NT_(
                        "社保缴费%(num)d个月，须%(required)s%(extra)s",
                        "社保缴费%(num)d个月，须%(required)s%(extra)s",
                        si.months,
                        required=required,
                        extra=extra,
                    ),
                )
        if not rule.unit_must_match:
            return
        if si.unit_matches is None:
            self.add(rule.rule, "manual", rule.citation, N_("未说明参保单位与申报单位是否一致"))
        elif si.unit_matches is False:
            if rule.affiliation_proof_allowed and si.affiliation_proof:
                self.add(
                    rule.rule,
                    "info",
                    rule.citation,
                    N_("参保单位与申报单位名称不一致，已上传两单位隶属关系证明（加盖两者公章）"),
                )
            elif rule.affiliation_proof_allowed and si.affiliation_proof is None:
                self.add(
                    rule.rule,
                    "manual",
                    rule.citation,
                    N_("参保单位与申报单位名称不一致，须在「其他」栏上传两单位隶属关系证明并加盖两者公章"),
                )
            else:
                proof = N_("，且未上传两单位隶属关系证明") if rule.affiliation_proof_allowed else ""
                self.add(
                    rule.rule, "block", rule.citation, T_("参保单位与申报单位不一致%(proof)s", proof=proof)
                )

    # -- G. qualifications that count as titles (EQUIV-01/02), titles from elsewhere (EQUIV-03/04) --------

    def equivalence(self) -> None:
        rule, f = self.profile.equivalence, self.facts
        if rule is None or not f.qualifications:
            return
        for q in f.qualifications:
            row = next((r for r in rule.rows if names_match(q.name, (r.qualification,))), None)
            if row is None:
                continue
            if self.equivalent_level is None or _rank(row.level) > _rank(self.equivalent_level):
                self.equivalent_level = row.level
            extra = "" if row.confirmed else _unconfirmed(row.note)
            if rule.block_same_level and f.level == row.level:
                self.add(
                    rule.rule,
                    "block" if row.confirmed else "manual",
                    row.citation,
                    T_(
                        "已取得%(name)s，按对应关系即具有%(series)s%(level)s职称，不再申报同级职称%(extra)s",
                        name=q.name,
                        series=row.series,
                        level=row.level,
                        extra=extra,
                    ),
                )
            else:
                self.add(
                    rule.rule,
                    "info" if row.confirmed else "manual",
                    row.citation,
                    T_(
                        "%(name)s对应%(series)s%(level)s职称，可作为现有职称申报上一级%(extra)s",
                        name=q.name,
                        series=row.series,
                        level=row.level,
                        extra=extra,
                    ),
                )

    def titles_elsewhere(self) -> None:
        rule, t = self.profile.titles_elsewhere, self.facts.current_title
        if rule is None or t is None or not t.province:
            return
        if normalize_name(t.province).removesuffix("省") in normalize_name(rule.province):
            return
        self.add(
            rule.rule,
            rule.severity,
            rule.citation,
            T_("现有职称由%(province)s评审（认定）：%(message)s", province=t.province, message=rule.message),
        )

    # -- A. applicant categories (SCOPE-02/05/09/10/11) ---------------------------------------------------

    def categories(self) -> None:
        f = self.facts
        for rule in self.profile.categories:
            if f.categories is None or rule.category not in f.categories:
                continue
            if rule.series or rule.series_if_k12:
                self.category_series(rule)
            elif rule.needs_consent:
                if f.consent_recorded:
                    self.add(
                        rule.rule,
                        "info",
                        rule.citation,
                        T_("%(category)s：已填写省职称办同意意见，由审核人核实", category=rule.message),
                    )
                else:
                    self.add(
                        rule.rule,
                        "block",
                        rule.citation,
                        T_("%(category)s：尚未填写省职称办同意的文号和日期", category=rule.message),
                    )
            else:
                self.add(rule.rule, rule.severity, rule.citation, rule.message)

    def category_series(self, rule: CategoryRule) -> None:
        f = self.facts
        allowed = list(rule.series)
        if rule.series_if_k12:
            if f.teaching_in_k12 is None:
                self.add(
                    rule.rule,
                    "manual",
                    rule.citation,
                    T_("%(category)s；未说明任教学科是否属中小学学科范围", category=rule.message),
                )
                return
            if f.teaching_in_k12:
                allowed += [s for s in rule.series_if_k12 if s not in allowed]
        hit = _matches(f, allowed)
        if hit is None:
            self.add(
                rule.rule, "manual", rule.citation, T_("%(category)s；未提供申报系列", category=rule.message)
            )
        elif hit:
            self.add(
                rule.rule,
                "info",
                rule.citation,
                T_("%(category)s：申报%(series)s符合要求", category=rule.message, series=f.series),
            )
        else:
            self.add(
                rule.rule,
                "block" if rule.confirmed else "manual",
                rule.citation,
                T_(
                    "%(category)s：只能申报%(allowed)s，不能申报%(series)s",
                    category=rule.message,
                    allowed=joined(allowed, "或"),
                    series=f.series or f.specialty,
                ),
            )

    # -- G. PREQ-03: the unit's attestation of the annual assessment ------------------------------------

    def assessment(self) -> None:
        rule, passed = self.profile.assessment, self.facts.assessment_passed
        if rule is None:
            return
        if passed is None:
            self.add(
                rule.rule, "manual", rule.citation, N_("年度考核结果由用人单位在审核时确认（须考核合格）")
            )
        elif passed:
            self.add(rule.rule, "info", rule.citation, N_("用人单位确认年度考核合格"))
        else:
            self.add(rule.rule, "block", rule.citation, N_("用人单位确认年度考核不合格，不符合申报基本条件"))

    # -- L. continuing education --------------------------------------------------------------------------

    def continuing_education(self) -> None:
        ce, f = self.profile.continuing_education, self.facts
        if ce is None:
            return
        for req in ce.hours:
            got = f.hours_for(req.year)
            if got is None:
                self.add(
                    ce.rule,
                    "manual",
                    req.citation,
                    T_("未提供%(year)s年继续教育学时，须满%(needed)s学时", year=req.year, needed=req.hours),
                )
            elif got < req.hours:
                self.add(
                    ce.rule,
                    "block" if req.confirmed else "manual",
                    req.citation,
                    T_(
                        "%(year)s年继续教育%(hours)s学时，须满%(needed)s学时",
                        year=req.year,
                        hours=f"{got:g}",
                        needed=req.hours,
                    ),
                )
            else:
                self.add(
                    ce.rule,
                    "info",
                    req.citation,
                    T_(
                        "%(year)s年继续教育%(hours)s学时，满足%(needed)s学时要求",
                        year=req.year,
                        hours=f"{got:g}",
                        needed=req.hours,
                    ),
                )
        first = min((r.year for r in ce.hours), default=None)
        since = f.current_title.obtained_on if f.current_title and f.current_title.obtained_on else None
        if not ce.earlier_years_known and first is not None and (since is None or since.year < first):
            earlier = [
                T_("%(year)s年%(hours)s学时", year=y, hours=f"{h:g}")
                for y, h in f.continuing_education_hours or ()
                if y < first
            ]
            self.add(
                ce.rule,
                "manual",
                ce.citation,
                T_(
                    "%(year)s年以前各年度按原学时要求，尚未录入政策数据，需人工核对（已填报：%(given)s）",
                    year=first,
                    given=joined(earlier) if earlier else NC_("in a sentence", "无"),
                ),
            )

    # -- R. returns --------------------------------------------------------------------------------------

    def returns(self) -> None:
        limit, n = self.profile.workflow.return_limit, self.facts.returns_after_unit_approval
        if limit is None or n is None or n < limit.value:
            return
        self.add(
            "REV-04",
            limit.severity,
            limit.citation,
            NT_(
                "单位审核通过后已%(num)d次提出审核意见，达到%(limit)s次，本年度不再受理该申报人的申报材料",
                "单位审核通过后已%(num)d次提出审核意见，达到%(limit)s次，本年度不再受理该申报人的申报材料",
                n,
                limit=limit.value,
            ),
        )


@dataclass(frozen=True)
class CountedYears:
    """The professional years a check counts (CUT-06) and the day they are counted to."""

    years: int
    cutoff: date


def counted_years(profile: PolicyProfile, facts: Facts) -> CountedYears | None:
    """The professional years :func:`check` counts for ``facts`` under ``profile`` (CUT-06: its periods,
    graduation and counting rule, to its cutoff), or None when they cannot be counted (no cutoff, no
    work history). The 公示表 shows this number, so colleagues read the years the check used."""
    counting = _Check(profile, facts)
    counting.cutoffs()
    counting.count_years()
    found = counting.years
    return None if found is None else CountedYears(found.years, found.cutoff)


def refused_at_start(profile: PolicyProfile, facts: Facts) -> Finding | None:
    """The blocking finding that no fact the applicant may still give can lift, decided by what the start
    form knows — the pathway, series, specialty and level typed and the employer's recorded ownership: a
    以考代评 title (EXAM-01/02/04), or an exclusion whose every condition is known and holds (SCOPE-07: a
    non-state enterprise's engineering 认定). The start form refuses it with this finding, so HR is not left
    with a draft the check then blocks at every submission. Only what the check blocks with refuses: an
    unconfirmed exclusion, or one waiting on the ownership or the employment type (given on the form
    later), is the reviewers' to decide and is started as before."""
    known = Facts(
        pathway=facts.pathway,
        series=facts.series,
        specialty=facts.specialty,
        level=facts.level,
        employer=Employer(ownership=facts.employer.ownership) if facts.employer else None,
    )
    starting = _Check(profile, known)
    starting.exams()
    for ex in profile.exclusions:
        if starting.applies(ex.pathways):
            starting.exclusion(ex)
    final = {rule.rule for rule in profile.exam_rules if rule.kind == "exam_only"}
    final |= {ex.rule for ex in profile.exclusions}
    return next((f for f in starting.findings if f.severity == "block" and f.rule in final), None)


def check(profile: PolicyProfile, facts: Facts) -> list[Finding]:
    """Every finding of ``profile``'s rules for ``facts``: blocks first, then warn, manual, info; within a
    severity, in rule order. An empty list never happens for a real profile: at least the counted years
    or the missing facts are reported."""
    return _Check(profile, facts).run()
