"""Policy data: one profile per certifying jurisdiction and year, loaded from TOML in portal/policies/.

A :class:`PolicyProfile` is everything the five seed notices (../shared/seeds, summarised in
policy-spec.md) say about one authority profile: which pathways and levels it covers, its certifying
authorities and what each certifies, its application windows and cutoff dates (fixed batches or a
generated rule such as Nantong's "8th of the first month to 20th of the last"), and the thresholds and
lists the eligibility engine (portal.domain.eligibility) applies.

House rules this module keeps (DESIGN.md §5):

- Policy values are data, never constants in code. Every value-bearing table in a file carries a
  ``citation`` ("001 三(七)": file 001, section 三, item (七)) and a ``confirmed`` flag. A value the
  notices only cite (e.g. the years per level of 赣人社规〔2025〕3号) or that policy-spec chose as a default
  is ``confirmed = false``; the eligibility engine turns a decision resting on it into a "manual review"
  finding, never a silent pass.
- The loader is strict: an unknown key, a wrong type, a date written as a string, an unknown level or a
  window that closes before it opens is a :class:`PolicyError` naming the file, the key and the problem;
  it reads on after a problem, so one error lists every problem of the file (``PolicyError.problems``).
- Dates are ``date`` (TOML date literals); region and series names are compared after NFKC
  normalisation, so full-width and half-width brackets match.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import calendar
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from portal.domain.i18n import N_
from portal.domain.workdays import WorkCalendar

__all__ = [
    "EDUCATION_LEVELS",
    "LEVELS",
    "PATHWAYS",
    "SEVERITIES",
    "Adjustment",
    "AssessmentRule",
    "Authority",
    "AuthorityScope",
    "CallRule",
    "CategoryRule",
    "CommitteeRules",
    "ContinuingEducation",
    "CountingRule",
    "Equivalence",
    "EquivalenceRule",
    "ExamRule",
    "Exclusion",
    "FilingRule",
    "FormLayout",
    "GradingRow",
    "HoursRequirement",
    "InitialGrading",
    "InternshipRule",
    "LevelByLevel",
    "MajorRule",
    "PathwayScope",
    "PolicyError",
    "PolicyProfile",
    "PracticeEntry",
    "PracticeRequirement",
    "Problem",
    "ProvincialWindows",
    "Requirement",
    "ScopeRule",
    "SeriesRule",
    "SocialInsuranceRule",
    "Threshold",
    "TitleConfirmationRule",
    "TitleLevel",
    "TitlesElsewhere",
    "VoteRule",
    "Window",
    "WindowRule",
    "WorkflowRules",
    "expand_levels",
    "last_workday_in",
    "load_profile",
    "load_profiles",
    "names_match",
    "next_window",
    "normalize_name",
    "open_window",
    "window_closes_on_rest_day",
]


class TitleLevel(StrEnum):
    """The five title levels in rank order (policy-spec §5): the one place they are written out. The
    application's CHECK, the forms' choices and the loader's level lists all come from here."""

    CLERK = "员级"
    ASSISTANT = "助理级"
    INTERMEDIATE = "中级"
    DEPUTY_SENIOR = "副高级"
    SENIOR = "正高级"


# The levels' words, marked for the catalogue (the 申报表's choices show them translated; values stay
# Chinese).
LEVEL_WORDS = (N_("员级"), N_("助理级"), N_("中级"), N_("副高级"), N_("正高级"))

# Vocabulary, not policy: the title levels as strings in rank order and the education levels the facts
# use, lowest first. What each profile allows is data.
LEVELS: tuple[str, ...] = tuple(level.value for level in TitleLevel)
LEVEL_GROUPS: Mapping[str, tuple[str, ...]] = {"初级": ("员级", "助理级"), "高级": ("副高级", "正高级")}
EDUCATION_LEVELS: tuple[str, ...] = (N_("中专"), N_("大专"), N_("本科"), N_("硕士"), N_("博士"))
PATHWAYS: tuple[str, ...] = ("认定", "初定", "评审")
SEVERITIES: tuple[str, ...] = ("block", "warn", "manual", "info")
COUNTING_METHODS: tuple[str, ...] = ("inclusive", "anniversary")
MAJOR_MODES: tuple[str, ...] = ("must_match", "extra_years", "not_restricted")
ADJUSTMENT_CONDITIONS: tuple[str, ...] = ("township_first_title", "engineering_professional_degree")
# The applicant categories a profile may give rules for (issue 21.9); the facts use the same words.
CATEGORY_NAMES: tuple[str, ...] = ("自由职业", "档案托管", "高技能人才", "基层事业单位", "职业学校教师")
ALL = "all"
ANY_REGION = "*"

# A citation starts with the seed notice's three-digit tag ("001 三(七)", "000 附件"): every value must be
# traceable to one of the notices, even a default the notices only imply.
_CITATION = re.compile(r"^[0-9]{3}(?: |$)")
_PROFILE_ID = re.compile(r"^[a-z][a-z0-9-]*$")
DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "policies"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a policy file: the TOML path of the key (``batches[2].closes``) and what."""

    key: str
    problem: str
    problem_zh: str

    def line(self, file: str) -> str:
        return f"政策文件 {file} 的 {self.key} 有误：{self.problem_zh}（{file}: {self.key}: {self.problem}）"


class PolicyError(Exception):
    """A policy file is unreadable or breaks the schema.

    ``problems`` lists every problem the loader found in the file, each with its TOML path, so one run
    names them all. ``file``, ``key``, ``problem`` (English) and ``problem_zh`` are the first one's.
    ``str(exc)`` gives every problem, one per line.
    """

    def __init__(
        self,
        file: str,
        key: str,
        problem: str,
        problem_zh: str | None = None,
        *,
        more: list[Problem] | tuple[Problem, ...] = (),
    ) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        self.problem_zh = problem_zh or problem
        self.problems = [Problem(key, problem, self.problem_zh), *more]
        super().__init__("\n".join(found.line(file) for found in self.problems))

    @classmethod
    def of(cls, file: str, problems: list[Problem]) -> PolicyError:
        first, *rest = problems
        return cls(file, first.key, first.problem, first.problem_zh, more=rest)


def normalize_name(value: str) -> str:
    """A name as compared: NFKC (full-width brackets and letters to ASCII), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def names_match(value: str | None, names: Iterable[str]) -> bool:
    """Whether ``value`` names one of ``names``: equal after normalisation, or a bracketed sub-specialty
    of it ("经济(人力资源管理)" is 经济), or the name plus a 系列/专业 suffix ("会计系列")."""
    if not value:
        return False
    v = normalize_name(value)
    for name in names:
        n = normalize_name(name)
        if v == n or v.startswith(n + "(") or v in (n + "系列", n + "专业"):
            return True
    return False


def expand_levels(levels: Iterable[str]) -> tuple[str, ...]:
    """Levels with the notices' group words expanded (初级 = 员级 + 助理级, 高级 = 副高级 + 正高级), in rank
    order, without duplicates. Raises ValueError on an unknown level."""
    wanted: set[str] = set()
    for level in levels:
        if level in LEVEL_GROUPS:
            wanted.update(LEVEL_GROUPS[level])
        elif level in LEVELS:
            wanted.add(level)
        else:
            raise ValueError(level)
    return tuple(level for level in LEVELS if level in wanted)


# --- the data model -------------------------------------------------------------------------------------
# Every class is frozen and keyword-only; ``citation``/``confirmed``/``note`` travel with each value.


@dataclass(frozen=True, kw_only=True)
class Cited:
    """The base of every rule that carries a value from a notice: where it comes from (``citation``, e.g.
    "001 三(七)"), whether the notice states it (``confirmed``; false = an assumption the eligibility engine
    turns into a manual-review finding) and a ``note``."""

    citation: str
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Threshold(Cited):
    """One number from a notice, e.g. 6 months of pension insurance (000 三(四))."""

    value: int
    severity: str = "block"


@dataclass(frozen=True, kw_only=True)
class PathwayScope(Cited):
    """A pathway the profile covers and the levels it grants on it (e.g. SCOPE-06: 认定 for 初级 + 中级).

    ``road`` is who decides: ``"bureau"`` (the bureau certifies: 考核认定, 初定) or ``"committee"`` (a review
    committee votes: 评审, issue 22); ``title`` is what the notice calls the pathway (Kunming's 认定 is
    "考核定职", 004 三)."""

    name: str
    levels: tuple[str, ...]
    rule: str
    road: str = "bureau"
    title: str = ""

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True, kw_only=True)
class AuthorityScope:
    """Part of an authority's remit: these levels for these regions (``"*"`` = the whole jurisdiction)."""

    levels: tuple[str, ...]
    regions: tuple[str, ...]

    def covers(self, level: str, region: str | None) -> bool:
        if level not in self.levels:
            return False
        if ANY_REGION in self.regions or region is None:
            return True
        r = normalize_name(region)
        return any(r == normalize_name(x) or r.endswith(normalize_name(x)) for x in self.regions)


@dataclass(frozen=True, kw_only=True)
class Authority(Cited):
    """A certifying authority (认定机构) or accepting body (受理单位), as listed in a notice's 附件."""

    code: str
    name: str
    levels: tuple[str, ...]
    area: str
    phone: str
    scopes: tuple[AuthorityScope, ...]

    def certifies(self, level: str, region: str | None = None) -> bool:
        """Whether this authority certifies ``level`` (for ``region`` when given)."""
        return any(scope.covers(level, region) for scope in self.scopes)


@dataclass(frozen=True, kw_only=True)
class Window(Cited):
    """One application window (网上受理时间) of one batch, for one authority or for ``"all"``.

    ``pending`` windows have no dates yet (Zhenjiang's "依据文件时间申报"); ``cutoff`` is the batch's
    终算时间 when the notice states one.
    """

    batch_id: str
    name: str
    authority: str
    levels: tuple[str, ...]
    opens: date | None
    closes: date | None
    cutoff: date | None = None
    cutoff_citation: str = ""
    pathways: tuple[str, ...] = ()
    specialties: tuple[str, ...] = ()
    area: str = ""
    pending: bool = False

    def contains(self, on: date) -> bool:
        """Whether ``on`` is inside the window, both ends included (policy-spec §8 #1: open to the end of
        the stated closing day)."""
        return self.opens is not None and self.closes is not None and self.opens <= on <= self.closes


@dataclass(frozen=True, kw_only=True)
class WindowRule(Cited):
    """A generated window schedule, e.g. Nantong's quarterly rule (002 二): for each month in ``months``,
    open on ``open_day`` and close on ``close_day`` of the month ``close_month_offset`` later. A
    ``close_day`` past the month's end means its last day."""

    id: str
    name: str
    authority: str
    levels: tuple[str, ...]
    pathways: tuple[str, ...] = ()
    months: tuple[int, ...]
    open_day: int
    close_month_offset: int
    close_day: int
    from_year: int
    to_year: int | None = None

    def applies_to(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)

    def expand(self, year: int) -> list[Window]:
        """The windows this rule gives in ``year`` (none outside ``from_year``..``to_year``)."""
        if not self.applies_to(year):
            return []
        windows = []
        for i, month in enumerate(self.months, start=1):
            close_month = month + self.close_month_offset
            close_year = year + (close_month - 1) // 12
            close_month = (close_month - 1) % 12 + 1
            last_day = calendar.monthrange(close_year, close_month)[1]
            windows.append(
                Window(
                    batch_id=f"{self.id}-{year}-{i}",
                    name=self.name.format(n=i, year=year),
                    authority=self.authority,
                    levels=self.levels,
                    opens=date(year, month, self.open_day),
                    closes=date(close_year, close_month, min(self.close_day, last_day)),
                    pathways=self.pathways,
                    citation=self.citation,
                    confirmed=self.confirmed,
                    note=self.note,
                )
            )
        return windows


@dataclass(frozen=True, kw_only=True)
class CountingRule(Cited):
    """How durations are counted (CUT-01..06).

    ``method`` is ``"inclusive"`` (the start day is day 1: 2025-07-01 → 2026-06-30 is one full year) or
    ``"anniversary"`` (the anniversary must be reached: one year only on 2026-07-01). ``seniority_cutoff``
    is a fixed date years are counted to (Zhenjiang 2023-12-31, 003 二(八)); without it, the batch cutoff
    or the submission date of the facts is used.
    """

    rule: str  # the cutoff rule of policy-spec §C for this profile (CUT-01..05)
    method: str
    merge_overlaps: bool = True
    seniority_cutoff: date | None = None
    seniority_cutoff_citation: str = ""
    seniority_cutoff_pathways: tuple[str, ...] = ()
    cutoff_source: str = "batch"  # "batch": a batch's 终算时间; "submission": the day of application
    cutoff_citation: str = ""
    cutoff_confirmed: bool = True
    assumes_employment_to_cutoff: bool = False


@dataclass(frozen=True, kw_only=True)
class ScopeRule(Cited):
    """Who may apply by employment relationship (SCOPE-01/02)."""

    rule: str
    employment_types: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Exclusion(Cited):
    """Who may not apply (SCOPE-04, SCOPE-07): every stated condition must hold for it to apply."""

    rule: str
    description: str
    series: tuple[str, ...] = ()
    ownership: str | None = None
    employment_types: tuple[str, ...] = ()
    pathways: tuple[str, ...] = ()
    alternative: str = ""


@dataclass(frozen=True, kw_only=True)
class SeriesRule(Cited):
    """Minimum education per series (EDU-01). ``series == ("*",)`` is the row for every other series."""

    series: tuple[str, ...]
    min_education: str | None
    rule: str
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class ExamRule(Cited):
    """Specialties and levels where a national exam replaces (以考代评, EXAM-01/02/04) or conditions
    (EXAM-03) the pathway."""

    rule: str
    kind: str  # "exam_only" or "exam_required"
    specialties: tuple[str, ...]
    levels: tuple[str, ...]
    # Block even while the list is an assumption (policy-spec EXAM-01: "CONFIG list; BLOCK"): the finding
    # still says the list awaits confirmation, but nobody is sent into a recognition that cannot succeed.
    block_unconfirmed: bool = False


@dataclass(frozen=True, kw_only=True)
class PracticeRequirement(Cited):
    specialties: tuple[str, ...]
    qualifications: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PracticeEntry(Cited):
    """Practice-qualification prerequisites (PREQ-01/02). ``requirements`` may be empty when the notice
    states the rule but not which specialties it covers (then ``confirmed`` is false)."""

    rule: str
    requirements: tuple[PracticeRequirement, ...]


@dataclass(frozen=True, kw_only=True)
class SocialInsuranceRule(Cited):
    """Social insurance (SI-01/02/03)."""

    rule: str
    unit_must_match: bool = True
    affiliation_proof_allowed: bool = False
    exempt_employment_types: tuple[str, ...] = ()
    continuous: bool = False
    region: str = ""
    pathways: tuple[str, ...] = ()
    min_months: Threshold | None = None


@dataclass(frozen=True, kw_only=True)
class MajorRule(Cited):
    """Studied major vs specialty (MAJ-01..04): ``must_match``, ``extra_years`` or ``not_restricted``."""

    rule: str
    mode: str
    extra_years: int = 0


@dataclass(frozen=True, kw_only=True)
class Requirement(Cited):
    """Education and years for a level (LVL-05, EDU-03, ...). ``years is None`` = not known to the portal
    (the notice only cites the policy in ``source``)."""

    rule: str
    levels: tuple[str, ...]
    education: tuple[str, ...] = ()
    years: int | None = None
    years_in_lower_level: int | None = None
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class GradingRow(Cited):
    """One line of an education → level table (LVL-01)."""

    level: str
    education: tuple[str, ...] = ()
    degrees: tuple[str, ...] = ()
    probation_years: int = 0

    def matches(self, education_level: str | None, degree: str | None) -> bool:
        return (education_level is not None and education_level in self.education) or (
            degree is not None and any(normalize_name(degree) == normalize_name(d) for d in self.degrees)
        )


@dataclass(frozen=True, kw_only=True)
class InitialGrading(Cited):
    """初定 by education (LVL-01/02, SCOPE-12): the table for education obtained from
    ``from_graduation_year`` on; earlier education goes to a transition the notice does not give."""

    rule: str
    from_graduation_year: int
    rows: tuple[GradingRow, ...]
    transition_rule: str
    transition_citation: str
    excluded_series: tuple[str, ...] = ()
    excluded_series_rule: str = ""
    excluded_series_citation: str = ""


@dataclass(frozen=True, kw_only=True)
class Adjustment(Cited):
    """A change of the required years under a named condition (EARLY-01/02: one year early)."""

    rule: str
    years: int
    condition: str
    levels: tuple[str, ...] = ()
    series: tuple[str, ...] = ()
    pathways: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LevelByLevel(Cited):
    """逐级申报 (LVL-04): the next level only; ``entry_levels`` may be applied for without a title."""

    rule: str
    pathways: tuple[str, ...]
    entry_levels: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class HoursRequirement(Cited):
    year: int
    hours: int


@dataclass(frozen=True, kw_only=True)
class ContinuingEducation(Cited):
    """Continuing-education hours (CE-01). Years before the earliest listed one follow older rules the
    notice does not give (``earlier_years_known = false``)."""

    rule: str
    hours: tuple[HoursRequirement, ...]
    earlier_years_known: bool = False


@dataclass(frozen=True, kw_only=True)
class InternshipRule(Cited):
    """Whether internships during study count as professional work (EXP-01)."""

    rule: str
    counts: bool


FILING_CONTENTS: tuple[str, ...] = (
    "plan",  # 评审工作方案 (004 一(六))
    "qualification_review",  # 资格审查 / 资格审核情况 (003 六(一), 004 一(六))
    "pre_review_notice",  # 评前公示 / 公示情况
    "failed_review",  # 审核未通过人员情况 (004 一(六))
    "attendees",  # 同意上会评审人员名单 (004 一(六))
    "expert_draw",  # 评审专家抽取 (003 六(一))
    "pass_rate",  # 评审通过率设定 (003 六(一))
)
DEADLINE_UNITS: tuple[str, ...] = ("days", "workdays")
ROADS: tuple[str, ...] = ("bureau", "committee")
CONFIRMATION_MODES: tuple[str, ...] = ("confirm", "recognise")


@dataclass(frozen=True, kw_only=True)
class FilingRule(Cited):
    """What a committee files before its meeting, with whom, and by when (CHAN-04, CHAN-05): ``days``
    calendar days (``unit = "days"``: Zhenjiang, 15 days, 003 六(一)) or working days (``"workdays"``:
    Dongchuan, 12, 004 一(六)) before the meeting. Unfiled meetings are not recognised."""

    rule: str
    days: int
    unit: str
    office: str  # whom the filing goes to
    contents: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class VoteRule(Cited):
    """The meeting: the smallest panel drawn, the quorum (present ≥ quorum of the panel) and the pass
    threshold (yes ≥ threshold of those present), each a fraction. The seeds give none of these
    (人社部令第40号 is cited, not reproduced): ``confirmed = false`` in every profile."""

    panel_min: int
    quorum: tuple[int, int]
    threshold: tuple[int, int]


@dataclass(frozen=True, kw_only=True)
class TitleConfirmationRule(Cited):
    """A title from another province or a central unit: confirmed by the HR bureau before the meeting
    (``"confirm"``: 004 一(五), EQUIV-04), or recognised as it is (``"recognise"``: 003 二(七), EQUIV-03)."""

    rule: str
    mode: str


@dataclass(frozen=True, kw_only=True)
class CallRule(Cited):
    """The committee's call (评审通知): filed with the bureau before it is published, at least
    ``months_before`` months before intake opens (004 一(三), WIN-07)."""

    rule: str
    months_before: int
    filed_first: bool = True


@dataclass(frozen=True, kw_only=True)
class ProvincialWindows(Cited):
    """A provincial committee's online channel (004 二(二), WIN-05): opens ``opens_days_before`` days
    before its intake starts; closes at 24:00 ``closes_days_before_uniform`` days before intake ends when
    the city submits together, else ``closes_days_before`` days before."""

    rule: str
    opens_days_before: int
    closes_days_before: int
    closes_days_before_uniform: int


@dataclass(frozen=True, kw_only=True)
class CommitteeRules(Cited):
    """The committee road of a profile (issue 22). ``city_wide_places`` are the table's places that stand
    for the whole city (a more specific place wins: 003 附件 序号3's "不含丹阳市……"); ``one_per_year`` and
    ``same_for_unit`` cite CHAN-01 where the profile has it (003 四); ``city_system_gate`` cites 004 一(二)
    (REV-06) where the city system's review must be recorded before a case is sent."""

    rule: str
    city_wide_places: tuple[str, ...] = ()
    one_per_year: str = ""
    same_for_unit: str = ""
    city_system_gate: str = ""
    notice_workdays: Threshold
    result_notice_workdays: Threshold
    filing: FilingRule
    vote: VoteRule
    pass_rate: str = ""  # the clause of the pass-rate control (CHAN-06), "" when the profile has none
    title_confirmation: TitleConfirmationRule | None = None
    call: CallRule | None = None
    provincial_windows: ProvincialWindows | None = None


@dataclass(frozen=True, kw_only=True)
class CategoryRule(Cited):
    """An applicant category that changes the rules (issue 21.9): the finding when it holds, and what it
    changes: the series it may apply in (SCOPE-11), a consent that must be recorded first (SCOPE-05), the
    social-insurance rule it is exempt from once consented (SCOPE-05)."""

    rule: str
    category: str
    message: str
    severity: str = "info"
    series: tuple[str, ...] = ()
    series_if_k12: tuple[str, ...] = ()
    needs_consent: bool = False
    exempts_social_insurance: bool = False


@dataclass(frozen=True, kw_only=True)
class Equivalence(Cited):
    """One row of a correspondence table: this professional qualification counts as this title."""

    qualification: str
    series: str
    level: str


@dataclass(frozen=True, kw_only=True)
class EquivalenceRule(Cited):
    """Qualifications that count as titles (EQUIV-01 003 二(四), EQUIV-02 004 一(十)); with
    ``block_same_level`` an application for the level a held qualification already covers is refused."""

    rule: str
    rows: tuple[Equivalence, ...]
    block_same_level: bool = False


@dataclass(frozen=True, kw_only=True)
class TitlesElsewhere(Cited):
    """Titles certified in another province (EQUIV-03: still valid, reviewer verifies; EQUIV-04: 职称确认
    before the committee meets)."""

    rule: str
    province: str
    message: str
    severity: str = "manual"


@dataclass(frozen=True, kw_only=True)
class AssessmentRule(Cited):
    """PREQ-03 (002 三(一)1): the unit attests the annual assessment (考核合格) at its review."""

    rule: str


# The parts of the printed 申报表, each a section of the form (portal.domain.form) or one of these.
FORM_PARTS: tuple[str, ...] = (
    "basic",
    "education",
    "work",
    "title",
    "exam",
    "ce",
    "achievement",
    "paper",
    "award",
    "patent",
    "summary",
    "opinion",
    "pledge",
)


@dataclass(frozen=True, kw_only=True)
class FormLayout(Cited):
    """The province's 申报表: its parts in the order it prints them (MAT-12 002 四(一), MAT-14 003 四(一))."""

    order: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class WorkflowRules:
    """Values the workflow services read: the return limit (REV-04), the unit notice (PUB-01/02/06),
    the paper follow-up after online approval (MAT-15: Zhenjiang, 10 working days, 003 附件 备注3) and
    how many calendar days after its last day a notice's page still shows who was in it (issue 16.15;
    no notice says, so every profile marks its value ``confirmed = false``)."""

    return_limit: Threshold | None = None
    unit_notice_workdays: Threshold | None = None
    paper_followup_workdays: Threshold | None = None
    notice_public_days: Threshold | None = None


@dataclass(frozen=True, kw_only=True)
class PolicyProfile:
    """One authority profile and year, as loaded from ``portal/policies/<id>.toml``."""

    id: str
    title: str
    jurisdiction: str
    region: str
    year: int
    document: str
    issued_on: date
    source: str
    pathways: tuple[PathwayScope, ...]
    counting: CountingRule
    authorities: tuple[Authority, ...] = ()
    batches: tuple[Window, ...] = ()
    window_rules: tuple[WindowRule, ...] = ()
    scope: ScopeRule | None = None
    exclusions: tuple[Exclusion, ...] = ()
    series_rules: tuple[SeriesRule, ...] = ()
    exam_rules: tuple[ExamRule, ...] = ()
    practice_entry: PracticeEntry | None = None
    social_insurance: SocialInsuranceRule | None = None
    major: MajorRule | None = None
    requirements: tuple[Requirement, ...] = ()
    initial_grading: InitialGrading | None = None
    adjustments: tuple[Adjustment, ...] = ()
    level_by_level: LevelByLevel | None = None
    continuing_education: ContinuingEducation | None = None
    internship: InternshipRule | None = None
    workflow: WorkflowRules = WorkflowRules()
    categories: tuple[CategoryRule, ...] = ()
    equivalence: EquivalenceRule | None = None
    titles_elsewhere: TitlesElsewhere | None = None
    assessment: AssessmentRule | None = None
    form: FormLayout | None = None
    committee: CommitteeRules | None = None

    @property
    def pathway_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.pathways)

    def pathway(self, name: str | None) -> PathwayScope | None:
        return next((p for p in self.pathways if p.name == name), None)

    def road(self, pathway: str | None) -> str:
        """Who decides an application on ``pathway``: the profile's road for it; a pathway the profile does
        not cover follows its nature (评审 is a committee's, the others the bureau's)."""
        found = self.pathway(pathway)
        if found is not None:
            return found.road
        return "committee" if pathway == "评审" else "bureau"

    def authority(self, code: str) -> Authority:
        """The authority with ``code``; ValueError if the profile has none."""
        for a in self.authorities:
            if a.code == code:
                return a
        known = ", ".join(a.code for a in self.authorities)
        raise ValueError(f"profile {self.id} has no authority {code!r} (known: {known})")

    def authorities_for(self, level: str, region: str | None = None) -> list[Authority]:
        """The authorities that certify ``level`` for ``region`` (all regions when ``None``)."""
        return [a for a in self.authorities if a.certifies(level, region)]

    def batch_cutoffs(self) -> list[date]:
        """The distinct batch cutoffs (终算时间) the profile states, ascending."""
        return sorted({w.cutoff for w in self.batches if w.cutoff is not None})

    def windows_for(
        self,
        authority_code: str | None,
        level: str,
        year: int | None = None,
        *,
        specialty: str | None = None,
        pathway: str | None = None,
        include_pending: bool = False,
    ) -> list[Window]:
        """The windows open to ``level`` at ``authority_code`` (any authority when ``None``), by opening day.

        An authority-specific batch replaces the ``"all"`` batch of the same id for that authority
        (Ganzhou 2022 lists per-authority dates where they differ). A named authority that does not
        certify ``level`` has no windows for it. Generated rules are expanded for ``year`` (default: the
        profile's year); fixed batches are filtered by ``year`` only when it is given. Pending windows
        (no dates yet) are left out unless ``include_pending``.
        """
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}")
        if authority_code is not None and authority_code != ALL:
            authority = self.authority(authority_code)
            if not authority.certifies(level):
                return []
        fixed: list[Window] = []
        specific = {(w.batch_id, w.authority) for w in self.batches if w.authority != ALL}
        for w in self.batches:
            if authority_code not in (None, ALL):
                if w.authority == ALL and (w.batch_id, authority_code) in specific:
                    continue
                if w.authority not in (ALL, authority_code):
                    continue
            fixed.append(w)
        generated = [
            w
            for rule in self.window_rules
            if authority_code in (None, ALL) or rule.authority in (ALL, authority_code)
            for w in rule.expand(self.year if year is None else year)
        ]
        result = []
        for w in fixed + generated:
            if level not in w.levels or (w.pending and not include_pending):
                continue
            if year is not None and w.opens is not None and w.opens.year != year:
                continue
            if specialty is not None and w.specialties and not names_match(specialty, w.specialties):
                continue
            if pathway is not None and w.pathways and pathway not in w.pathways:
                continue
            result.append(w)
        return sorted(result, key=lambda w: (w.opens or date.max, w.authority, w.batch_id))


def open_window(
    profile: PolicyProfile, on: date, level: str, authority_code: str | None = None
) -> Window | None:
    """The window of ``profile`` open on ``on`` for ``level`` (at ``authority_code``), or None."""
    for w in profile.windows_for(authority_code, level, on.year):
        if w.contains(on):
            return w
    return None


def next_window(
    profile: PolicyProfile, after: date, level: str, authority_code: str | None = None
) -> Window | None:
    """The first window opening strictly after ``after`` (this year or next), or None."""
    candidates = [
        w
        for year in (after.year, after.year + 1)
        for w in profile.windows_for(authority_code, level, year)
        if w.opens is not None and w.opens > after
    ]
    return min(candidates, key=lambda w: w.opens or date.max, default=None)


def window_closes_on_rest_day(window: Window, calendar: WorkCalendar) -> bool:
    """Whether the window's closing day is a rest day (WIN-02: Ganzhou 2026 batch 1 closes on 02-20, a
    Spring Festival holiday). Raises UnknownYear if the calendar lacks the year; ValueError if pending."""
    if window.closes is None:
        raise ValueError(f"window {window.batch_id} has no closing day yet")
    return not calendar.is_workday(window.closes)


def last_workday_in(window: Window, calendar: WorkCalendar) -> date | None:
    """The last working day inside the window (2026-02-14 for Ganzhou's batch 1), or None if none."""
    if window.opens is None or window.closes is None:
        raise ValueError(f"window {window.batch_id} has no dates yet")
    if calendar.workdays_between(window.opens, window.closes) == 0:
        return None
    d = window.closes
    while not calendar.is_workday(d):
        d = date.fromordinal(d.toordinal() - 1)
    return d


# --- the loader -----------------------------------------------------------------------------------------


class _Invalid(Exception):
    """A value could not be read; the problem is already recorded, the getter returns its fallback."""


def _or(fallback: Callable[[dict[str, Any]], Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A getter that, once its problem is recorded, returns `fallback(kwargs)` so reading goes on."""

    def wrap(getter: Callable[..., Any]) -> Callable[..., Any]:
        def read(self: _Table, name: str, *args: Any, **kwargs: Any) -> Any:
            try:
                return getter(self, name, *args, **kwargs)
            except _Invalid:
                return fallback(kwargs)

        return read

    return wrap


class _Table:
    """A TOML table being read: typed getters that record a problem with the file and the dotted key and
    go on (so one run reports every problem of a file), and a final check that no key was left unread
    (a misspelt key is an error, not a silently ignored value). Tables of one file share `problems`."""

    def __init__(self, file: str, path: str, data: Any, problems: list[Problem] | None = None) -> None:
        self.file = file
        self.path = path
        self.problems: list[Problem] = [] if problems is None else problems
        if not isinstance(data, dict):
            self.problems.append(Problem(path or "(top level)", "expected a table", "应为表（table）"))
            data = {}
        self.data: dict[str, Any] = data
        self._read: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, problem: str, problem_zh: str) -> _Invalid:
        """Record a problem of key `name`; returns the exception a getter raises to use its fallback."""
        self.problems.append(Problem(self.key(name), problem, problem_zh))
        return _Invalid()

    def report(self, name: str, problem: str, problem_zh: str) -> None:
        """Record a problem found across keys (a window closing before it opens, a duplicate code)."""
        self.fail(name, problem, problem_zh)

    def check(self) -> None:
        """Raise every problem recorded so far in the file, if any (the loader's last step)."""
        if self.problems:
            raise PolicyError.of(self.file, self.problems)

    def has(self, name: str) -> bool:
        return name in self.data

    def _raw(self, name: str, required: bool) -> Any:
        self._read.add(name)
        if name not in self.data:
            if required:
                raise self.fail(name, "required key is missing", "缺少必填项")
            return None
        return self.data[name]

    @_or(lambda kw: kw.get("default", ""))
    def text(
        self, name: str, *, required: bool = True, default: str = "", choices: Iterable[str] = ()
    ) -> str:
        value = self._raw(name, required)
        if value is None:
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(name, "expected a non-empty string", "应为非空字符串")
        allowed = tuple(choices)
        if allowed and value not in allowed:
            raise self.fail(
                name,
                f"{value!r} is not one of {', '.join(allowed)}",
                f"「{value}」不在 {'、'.join(allowed)} 之中",
            )
        return value

    @_or(lambda kw: None)
    def integer(
        self, name: str, *, required: bool = True, low: int | None = None, high: int | None = None
    ) -> Any:
        value = self._raw(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(name, "expected an integer", "应为整数")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(name, f"{value} is outside {low}..{high}", f"{value} 超出范围 {low}..{high}")
        return value

    @_or(lambda kw: kw["default"])
    def flag(self, name: str, *, default: bool) -> bool:
        value = self._raw(name, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(name, "expected true or false", "应为 true 或 false")
        return value

    @_or(lambda kw: None)
    def day(self, name: str, *, required: bool = True) -> date | None:
        value = self._raw(name, required)
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail(
                name,
                "expected a TOML date such as 2026-01-20 (no quotes, no time)",
                "应为 TOML 日期，如 2026-01-20（不加引号，不含时间）",
            )
        return value

    @_or(lambda kw: ())
    def strs(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        value = self._raw(name, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, "expected a list of non-empty strings", "应为非空字符串列表")
        return tuple(value)

    @_or(lambda kw: ())
    def ints(self, name: str, *, low: int, high: int) -> tuple[int, ...]:
        value = self._raw(name, True)
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) and low <= v <= high for v in value)
        ):
            raise self.fail(
                name, f"expected a list of integers {low}..{high}", f"应为 {low}..{high} 的整数列表"
            )
        return tuple(value)

    @_or(lambda kw: ())
    def levels(self, name: str, *, required: bool = True) -> tuple[str, ...]:
        raw = self.strs(name, required=required)
        try:
            return expand_levels(raw)
        except ValueError as exc:
            allowed = "、".join((*LEVELS, *LEVEL_GROUPS))
            raise self.fail(
                name,
                f"unknown level {exc.args[0]!r} (allowed: {allowed})",
                f"未知级别「{exc.args[0]}」（可用：{allowed}）",
            ) from None

    @_or(lambda kw: ())
    def choices(self, name: str, allowed: tuple[str, ...], *, required: bool = True) -> tuple[str, ...]:
        raw = self.strs(name, required=required)
        for v in raw:
            if v not in allowed:
                raise self.fail(
                    name,
                    f"{v!r} is not one of {', '.join(allowed)}",
                    f"「{v}」不在 {'、'.join(allowed)} 之中",
                )
        return raw

    def table(self, name: str) -> _Table | None:
        value = self._raw(name, False)
        return None if value is None else _Table(self.file, self.key(name), value, self.problems)

    @_or(lambda kw: [])
    def tables(self, name: str) -> list[_Table]:
        value = self._raw(name, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(name, "expected an array of tables ([[...]])", "应为表数组（[[...]]）")
        return [_Table(self.file, f"{self.key(name)}[{i}]", v, self.problems) for i, v in enumerate(value)]

    def cited(self, *, citation_key: str = "citation") -> dict[str, Any]:
        """citation (required, must start with a seed tag), confirmed (default true), note."""
        citation = self.text(citation_key)
        if citation and not _CITATION.match(citation):
            self.report(
                citation_key,
                f"citation {citation!r} must start with the notice's tag, e.g. '001 三(七)'",
                f"出处「{citation}」须以通知编号开头，如「001 三(七)」",
            )
        return {
            "citation": citation,
            "confirmed": self.flag("confirmed", default=True),
            "note": self.text("note", required=False),
        }

    def done(self) -> None:
        for unknown in sorted(set(self.data) - self._read):
            self.report(unknown, "unknown key (misspelt?)", "未知的键（是否拼写错误？）")


def _threshold(t: _Table | None) -> Threshold | None:
    if t is None:
        return None
    value = Threshold(
        value=t.integer("value", low=0),
        severity=t.text("severity", required=False, default="block", choices=SEVERITIES),
        **t.cited(),
    )
    t.done()
    return value


def _fraction(t: _Table, name: str) -> tuple[int, int]:
    value = t.ints(name, low=1, high=1000)
    if len(value) != 2 or value[0] > value[1]:
        t.report(
            name,
            "expected [numerator, denominator] with numerator ≤ denominator",
            "应为 [分子, 分母]，分子不大于分母",
        )
        return (1, 1)
    return (value[0], value[1])


def _required_table(t: _Table, name: str) -> _Table:
    """A sub-table that must be there: when it is missing, that is the problem recorded, and the reading
    goes on into a throwaway (its own missing keys are not problems of the file)."""
    found = t.table(name)
    if found is None:
        t.report(name, "required table is missing", "缺少必填表")
        return _Table(t.file, t.key(name), {}, [])
    return found


def _committee(t: _Table | None) -> CommitteeRules | None:
    """The [committee] table: the committee road's rules (issue 22), each sub-table with its clause."""
    if t is None:
        return None
    f = _required_table(t, "filing")
    filing = FilingRule(
        rule=f.text("rule"),
        days=f.integer("days", low=1, high=365),
        unit=f.text("unit", choices=DEADLINE_UNITS),
        office=f.text("office"),
        contents=f.choices("contents", FILING_CONTENTS),
        **f.cited(),
    )
    f.done()
    v = _required_table(t, "vote")
    vote = VoteRule(
        panel_min=v.integer("panel_min", low=1, high=99),
        quorum=_fraction(v, "quorum"),
        threshold=_fraction(v, "threshold"),
        **v.cited(),
    )
    v.done()
    confirmation = None
    if (c := t.table("title_confirmation")) is not None:
        confirmation = TitleConfirmationRule(
            rule=c.text("rule"), mode=c.text("mode", choices=CONFIRMATION_MODES), **c.cited()
        )
        c.done()
    call = None
    if (c := t.table("call")) is not None:
        call = CallRule(
            rule=c.text("rule"),
            months_before=c.integer("months_before", low=0, high=12),
            filed_first=c.flag("filed_first", default=True),
            **c.cited(),
        )
        c.done()
    provincial = None
    if (c := t.table("provincial_windows")) is not None:
        provincial = ProvincialWindows(
            rule=c.text("rule"),
            opens_days_before=c.integer("opens_days_before", low=0, high=90),
            closes_days_before=c.integer("closes_days_before", low=0, high=90),
            closes_days_before_uniform=c.integer("closes_days_before_uniform", low=0, high=90),
            **c.cited(),
        )
        c.done()
    notice = _threshold(t.table("notice_workdays"))
    result_notice = _threshold(t.table("result_notice_workdays"))
    for name, found in (("notice_workdays", notice), ("result_notice_workdays", result_notice)):
        if found is None:
            t.report(name, "required table is missing", "缺少必填表")
    value = CommitteeRules(
        rule=t.text("rule"),
        city_wide_places=t.strs("city_wide_places", required=False),
        one_per_year=t.text("one_per_year", required=False),
        same_for_unit=t.text("same_for_unit", required=False),
        city_system_gate=t.text("city_system_gate", required=False),
        pass_rate=t.text("pass_rate", required=False),
        notice_workdays=notice or Threshold(value=5, citation=""),
        result_notice_workdays=result_notice or Threshold(value=5, citation=""),
        filing=filing,
        vote=vote,
        title_confirmation=confirmation,
        call=call,
        provincial_windows=provincial,
        **t.cited(),
    )
    t.done()
    return value


def _authority(t: _Table) -> Authority:
    code = t.text("code")
    scopes: list[AuthorityScope] = []
    for s in t.tables("scopes"):
        scopes.append(AuthorityScope(levels=s.levels("levels"), regions=s.strs("regions")))
        s.done()
    levels = t.levels("levels", required=not scopes)
    if not scopes:
        scopes.append(AuthorityScope(levels=levels, regions=t.strs("regions")))
    else:
        levels = expand_levels(level for s in scopes for level in s.levels)
    value = Authority(
        code=code,
        name=t.text("name"),
        levels=levels,
        area=t.text("area"),
        phone=t.text("phone", required=False),
        scopes=tuple(scopes),
        **t.cited(),
    )
    t.done()
    return value


def _window(t: _Table, authorities: set[str]) -> Window:
    authority = t.text("authority", required=False, default=ALL)
    if authority != ALL and authority not in authorities:
        t.report("authority", f"no authority with code {authority!r}", f"没有编码为「{authority}」的认定机构")
    pending = t.flag("pending", default=False)
    opens, closes = t.day("opens", required=not pending), t.day("closes", required=not pending)
    if opens is not None and closes is not None and closes < opens:
        t.report("closes", f"closes {closes} before it opens {opens}", f"截止日 {closes} 早于开始日 {opens}")
    cutoff = t.day("cutoff", required=False)
    value = Window(
        batch_id=t.text("id"),
        name=t.text("name"),
        authority=authority,
        levels=t.levels("levels"),
        opens=opens,
        closes=closes,
        cutoff=cutoff,
        cutoff_citation=t.text("cutoff_citation", required=cutoff is not None),
        pathways=t.choices("pathways", PATHWAYS, required=False),
        specialties=t.strs("specialties", required=False),
        area=t.text("area", required=False),
        pending=pending,
        **t.cited(),
    )
    t.done()
    return value


def _window_rule(t: _Table) -> WindowRule:
    value = WindowRule(
        id=t.text("id"),
        name=t.text("name"),
        authority=t.text("authority", required=False, default=ALL),
        levels=t.levels("levels"),
        pathways=t.choices("pathways", PATHWAYS, required=False),
        months=t.ints("months", low=1, high=12),
        open_day=t.integer("open_day", low=1, high=28),
        close_month_offset=t.integer("close_month_offset", low=0, high=11),
        close_day=t.integer("close_day", low=1, high=31),
        from_year=t.integer("from_year", low=1990, high=2100),
        to_year=t.integer("to_year", required=False, low=1990, high=2100),
        **t.cited(),
    )
    t.done()
    return value


def _parse(file: str, data: dict[str, Any]) -> PolicyProfile:
    top = _Table(file, "", data)
    profile_id = top.text("id")
    stem = file.removesuffix(".toml")
    if profile_id != stem or not _PROFILE_ID.match(profile_id):
        top.report(
            "id",
            f"id {profile_id!r} must equal the file name {stem!r}",
            f"id「{profile_id}」须与文件名「{stem}」一致",
        )

    pathways = []
    for t in top.tables("pathways"):
        pathways.append(
            PathwayScope(
                name=t.text("name", choices=PATHWAYS),
                levels=t.levels("levels"),
                rule=t.text("rule"),
                road=t.text("road", required=False, default="bureau", choices=ROADS),
                title=t.text("title", required=False),
                **t.cited(),
            )
        )
        t.done()
    if not pathways:
        top.report("pathways", "at least one [[pathways]] table is required", "至少需要一个 [[pathways]]")

    c = top.table("counting")
    if c is None:
        top.report("counting", "the [counting] table is required", "缺少 [counting] 表")
        c = _Table(file, "counting", {}, [])  # read into a throwaway: the missing table is the problem
    seniority_cutoff = c.day("seniority_cutoff", required=False)
    counting = CountingRule(
        rule=c.text("rule"),
        method=c.text("method", choices=COUNTING_METHODS),
        merge_overlaps=c.flag("merge_overlaps", default=True),
        seniority_cutoff=seniority_cutoff,
        seniority_cutoff_citation=c.text("seniority_cutoff_citation", required=seniority_cutoff is not None),
        seniority_cutoff_pathways=c.choices("seniority_cutoff_pathways", PATHWAYS, required=False),
        cutoff_source=c.text(
            "cutoff_source", required=False, default="batch", choices=("batch", "submission")
        ),
        cutoff_citation=c.text("cutoff_citation", required=False),
        cutoff_confirmed=c.flag("cutoff_confirmed", default=True),
        assumes_employment_to_cutoff=c.flag("assumes_employment_to_cutoff", default=False),
        **c.cited(),
    )
    c.done()

    authorities = [_authority(t) for t in top.tables("authorities")]
    codes = [a.code for a in authorities]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            top.report(f"authorities[{i}].code", f"duplicate code {code!r}", f"编码「{code}」重复")
    batches = [_window(t, set(codes)) for t in top.tables("batches")]
    seen: set[tuple[str, str]] = set()
    for i, w in enumerate(batches):
        if (w.batch_id, w.authority) in seen:
            top.problems.append(
                Problem(
                    f"batches[{i}].id",
                    f"duplicate batch {w.batch_id!r} for {w.authority!r}",
                    f"批次「{w.batch_id}」对「{w.authority}」重复",
                )
            )
        seen.add((w.batch_id, w.authority))
    window_rules = [_window_rule(t) for t in top.tables("window_rules")]

    scope = None
    if (t := top.table("scope")) is not None:
        scope = ScopeRule(rule=t.text("rule"), employment_types=t.strs("employment_types"), **t.cited())
        t.done()

    exclusions = []
    for t in top.tables("exclusions"):
        exclusions.append(
            Exclusion(
                rule=t.text("rule"),
                description=t.text("description"),
                series=t.strs("series", required=False),
                ownership=t.text("ownership", required=False) or None,
                employment_types=t.strs("employment_types", required=False),
                pathways=t.choices("pathways", PATHWAYS, required=False),
                alternative=t.text("alternative", required=False),
                **t.cited(),
            )
        )
        t.done()

    series_rules = []
    for t in top.tables("series"):
        series_rules.append(
            SeriesRule(
                series=t.strs("names"),
                min_education=t.text("min_education", required=False, choices=EDUCATION_LEVELS) or None,
                rule=t.text("rule"),
                source=t.text("source", required=False),
                **t.cited(),
            )
        )
        t.done()

    exam_rules = []
    for t in top.tables("exams"):
        exam_rules.append(
            ExamRule(
                rule=t.text("rule"),
                kind=t.text("kind", choices=("exam_only", "exam_required")),
                specialties=t.strs("specialties"),
                levels=t.levels("levels"),
                block_unconfirmed=t.flag("block_unconfirmed", default=False),
                **t.cited(),
            )
        )
        t.done()

    practice = None
    if (t := top.table("practice_entry")) is not None:
        reqs = []
        for r in t.tables("requirements"):
            reqs.append(
                PracticeRequirement(
                    specialties=r.strs("specialties"), qualifications=r.strs("qualifications"), **r.cited()
                )
            )
            r.done()
        practice = PracticeEntry(rule=t.text("rule"), requirements=tuple(reqs), **t.cited())
        t.done()

    social = None
    if (t := top.table("social_insurance")) is not None:
        social = SocialInsuranceRule(
            rule=t.text("rule"),
            unit_must_match=t.flag("unit_must_match", default=True),
            affiliation_proof_allowed=t.flag("affiliation_proof_allowed", default=False),
            exempt_employment_types=t.strs("exempt_employment_types", required=False),
            continuous=t.flag("continuous", default=False),
            region=t.text("region", required=False),
            pathways=t.choices("pathways", PATHWAYS, required=False),
            min_months=_threshold(t.table("min_months")),
            **t.cited(),
        )
        t.done()

    major = None
    if (t := top.table("major")) is not None:
        mode = t.text("mode", choices=MAJOR_MODES)
        major = MajorRule(
            rule=t.text("rule"),
            mode=mode,
            extra_years=t.integer("extra_years", required=mode == "extra_years", low=0, high=10) or 0,
            **t.cited(),
        )
        t.done()

    requirements = []
    for t in top.tables("requirements"):
        requirements.append(
            Requirement(
                rule=t.text("rule"),
                levels=t.levels("levels"),
                education=t.choices("education", EDUCATION_LEVELS, required=False),
                years=t.integer("years", required=False, low=0, high=50),
                years_in_lower_level=t.integer("years_in_lower_level", required=False, low=0, high=50),
                source=t.text("source", required=False),
                **t.cited(),
            )
        )
        t.done()

    grading = None
    if (t := top.table("initial_grading")) is not None:
        rows = []
        for r in t.tables("rows"):
            rows.append(
                GradingRow(
                    level=r.text("level", choices=LEVELS),
                    education=r.choices("education", EDUCATION_LEVELS, required=False),
                    degrees=r.strs("degrees", required=False),
                    probation_years=r.integer("probation_years", low=0, high=10),
                    **r.cited(),
                )
            )
            r.done()
        grading = InitialGrading(
            rule=t.text("rule"),
            from_graduation_year=t.integer("from_graduation_year", low=1990, high=2100),
            rows=tuple(rows),
            transition_rule=t.text("transition_rule"),
            transition_citation=t.text("transition_citation"),
            excluded_series=t.strs("excluded_series", required=False),
            excluded_series_rule=t.text("excluded_series_rule", required=False),
            excluded_series_citation=t.text("excluded_series_citation", required=False),
            **t.cited(),
        )
        t.done()

    adjustments = []
    for t in top.tables("adjustments"):
        adjustments.append(
            Adjustment(
                rule=t.text("rule"),
                years=t.integer("years", low=-10, high=10),
                condition=t.text("condition", choices=ADJUSTMENT_CONDITIONS),
                levels=t.levels("levels", required=False),
                series=t.strs("series", required=False),
                pathways=t.choices("pathways", PATHWAYS, required=False),
                **t.cited(),
            )
        )
        t.done()

    lbl = None
    if (t := top.table("level_by_level")) is not None:
        lbl = LevelByLevel(
            rule=t.text("rule"),
            pathways=t.choices("pathways", PATHWAYS),
            entry_levels=t.levels("entry_levels"),
            **t.cited(),
        )
        t.done()

    ce = None
    if (t := top.table("continuing_education")) is not None:
        hours = []
        for h in t.tables("hours"):
            hours.append(
                HoursRequirement(
                    year=h.integer("year", low=1990, high=2100), hours=h.integer("hours", low=0), **h.cited()
                )
            )
            h.done()
        ce = ContinuingEducation(
            rule=t.text("rule"),
            hours=tuple(hours),
            earlier_years_known=t.flag("earlier_years_known", default=False),
            **t.cited(),
        )
        t.done()

    internship = None
    if (t := top.table("internship")) is not None:
        internship = InternshipRule(rule=t.text("rule"), counts=t.flag("counts", default=False), **t.cited())
        t.done()

    workflow = WorkflowRules()
    if (t := top.table("workflow")) is not None:
        workflow = WorkflowRules(
            return_limit=_threshold(t.table("return_limit")),
            unit_notice_workdays=_threshold(t.table("unit_notice_workdays")),
            paper_followup_workdays=_threshold(t.table("paper_followup_workdays")),
            notice_public_days=_threshold(t.table("notice_public_days")),
        )
        t.done()

    categories = []
    for t in top.tables("categories"):
        categories.append(
            CategoryRule(
                rule=t.text("rule"),
                category=t.text("category", choices=CATEGORY_NAMES),
                message=t.text("message"),
                severity=t.text("severity", required=False, default="info", choices=SEVERITIES),
                series=t.strs("series", required=False),
                series_if_k12=t.strs("series_if_k12", required=False),
                needs_consent=t.flag("needs_consent", default=False),
                exempts_social_insurance=t.flag("exempts_social_insurance", default=False),
                **t.cited(),
            )
        )
        t.done()

    equivalence = None
    if (t := top.table("equivalence")) is not None:
        rows = []
        for r in t.tables("rows"):
            rows.append(
                Equivalence(
                    qualification=r.text("qualification"),
                    series=r.text("series"),
                    level=r.text("level", choices=LEVELS),
                    **r.cited(),
                )
            )
            r.done()
        equivalence = EquivalenceRule(
            rule=t.text("rule"),
            rows=tuple(rows),
            block_same_level=t.flag("block_same_level", default=False),
            **t.cited(),
        )
        t.done()

    elsewhere = None
    if (t := top.table("titles_elsewhere")) is not None:
        elsewhere = TitlesElsewhere(
            rule=t.text("rule"),
            province=t.text("province"),
            message=t.text("message"),
            severity=t.text("severity", required=False, default="manual", choices=SEVERITIES),
            **t.cited(),
        )
        t.done()

    assessment = None
    if (t := top.table("assessment")) is not None:
        assessment = AssessmentRule(rule=t.text("rule"), **t.cited())
        t.done()

    layout = None
    if (t := top.table("form")) is not None:
        order = t.choices("order", FORM_PARTS)
        layout = FormLayout(order=order, **t.cited())
        missing = [p for p in FORM_PARTS if p not in order]
        if missing:
            t.report("order", f"parts missing: {', '.join(missing)}", f"缺少：{'、'.join(missing)}")
        t.done()
    committee = _committee(top.table("committee"))
    if committee is None and any(p.road == "committee" for p in pathways):
        top.report(
            "committee",
            "a pathway on the committee road needs the [committee] table",
            "有评审委员会途径的配置须有 [committee] 表",
        )

    profile = PolicyProfile(
        id=profile_id,
        title=top.text("title"),
        jurisdiction=top.text("jurisdiction"),
        region=top.text("region"),
        year=top.integer("year", low=1990, high=2100),
        document=top.text("document"),
        issued_on=top.day("issued_on"),  # type: ignore[arg-type]  # required=True never returns None
        source=top.text("source"),
        pathways=tuple(pathways),
        counting=counting,
        authorities=tuple(authorities),
        batches=tuple(batches),
        window_rules=tuple(window_rules),
        scope=scope,
        exclusions=tuple(exclusions),
        series_rules=tuple(series_rules),
        exam_rules=tuple(exam_rules),
        practice_entry=practice,
        social_insurance=social,
        major=major,
        requirements=tuple(requirements),
        initial_grading=grading,
        adjustments=tuple(adjustments),
        level_by_level=lbl,
        continuing_education=ce,
        internship=internship,
        workflow=workflow,
        categories=tuple(categories),
        equivalence=equivalence,
        titles_elsewhere=elsewhere,
        assessment=assessment,
        form=layout,
        committee=committee,
    )
    top.done()
    top.check()  # every problem of the file at once, each with its TOML path
    return profile


def load_profile(path: Path) -> PolicyProfile:
    """Read and validate one policy file; PolicyError names the file, the key and the problem."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise PolicyError(
            path.name, "(file)", f"cannot read: {exc.strerror}", f"无法读取：{exc.strerror}"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message carries the line and column ("... (at line 12, column 9)").
        raise PolicyError(path.name, "(syntax)", f"invalid TOML: {exc}", f"TOML 语法错误：{exc}") from exc
    return _parse(path.name, data)


def load_profiles(directory: Path | None = None) -> dict[str, PolicyProfile]:
    """Every ``*.toml`` profile in ``directory`` (default: portal/policies), keyed by id, in id order."""
    folder = DEFAULT_DIRECTORY if directory is None else Path(directory)
    profiles = [load_profile(p) for p in sorted(folder.glob("*.toml"))]
    return {p.id: p for p in profiles}
