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
- The loader is strict and declarative: the dataclasses below are the schema, read by
  portal.domain.schema (field names, type hints with their ``Annotated`` marks, defaults, each class's
  ``_problems``). An unknown key, a wrong type, a date written as a string, an unknown level or a window
  that closes before it opens is a :class:`PolicyError` naming the file, the TOML path of the key and the
  problem; it reads on after a problem, so one error lists every problem of the file
  (``PolicyError.problems``).
- Dates are ``date`` (TOML date literals); region and series names are compared after NFKC
  normalisation, so full-width and half-width brackets match.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import calendar
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from portal.domain import schema
from portal.domain.i18n import N_, NC_
from portal.domain.identity import IdentityError, normalize_uscc
from portal.domain.schema import Convert, Key, Match, OneOf, Range
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
    "ReviewDeadline",
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
    "YearEndRule",
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
PATHWAYS: tuple[str, ...] = ("认定", N_("初定"), "评审")  # 认定 and 评审 are glossary terms
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
class Problem(schema.Problem):
    """One thing wrong in a policy file: the TOML path of the key (``batches[2].closes``) and what."""

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


# --- what the fields may hold (read by portal.domain.schema from the hints) ------------------------------

_ALLOWED_LEVELS = "、".join((*LEVELS, *LEVEL_GROUPS))
Levels = Annotated[
    tuple[str, ...],
    Convert(
        expand_levels,
        f"unknown level {{value!r}} (allowed: {_ALLOWED_LEVELS})",
        f"未知级别「{{value}}」（可用：{_ALLOWED_LEVELS}）",
    ),
]
Pathways = Annotated[tuple[str, ...], OneOf(PATHWAYS)]
Educations = Annotated[tuple[str, ...], OneOf(EDUCATION_LEVELS)]
Year = Annotated[int, Range(1990, 2100)]
Citation = Annotated[
    str,
    Match(
        _CITATION,
        "citation {value!r} must start with the notice's tag, e.g. '001 三(七)'",
        "出处「{value}」须以通知编号开头，如「001 三(七)」",
    ),
]
ROADS: tuple[str, ...] = ("bureau", "committee")


def _usccs(values: tuple[str, ...]) -> tuple[str, ...]:
    """Credit codes in canonical form (GB 32100); ValueError names the first one that is not one."""
    out = []
    for value in values:
        try:
            out.append(normalize_uscc(value))
        except IdentityError:
            raise ValueError(value) from None
    return tuple(out)


CreditCodes = Annotated[
    tuple[str, ...],
    Convert(
        _usccs,
        "{value!r} is not a valid unified social credit code (GB 32100, 18 characters)",
        "「{value}」不是有效的统一社会信用代码（GB 32100，18位）",
    ),
]


# --- the data model -------------------------------------------------------------------------------------
# Every class is frozen and keyword-only; ``citation``/``confirmed``/``note`` travel with each value.


@dataclass(frozen=True, kw_only=True)
class Cited:
    """The base of every rule that carries a value from a notice: where it comes from (``citation``, e.g.
    "001 三(七)"), whether the notice states it (``confirmed``; false = an assumption the eligibility engine
    turns into a manual-review finding) and a ``note``."""

    citation: Citation
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Threshold(Cited):
    """One number from a notice, e.g. 6 months of pension insurance (000 三(四))."""

    value: Annotated[int, Range(0)]
    severity: Annotated[str, OneOf(SEVERITIES)] = "block"


@dataclass(frozen=True, kw_only=True)
class PathwayScope(Cited):
    """A pathway the profile covers and the levels it grants on it (e.g. SCOPE-06: 认定 for 初级 + 中级).

    ``road`` is who decides: ``"bureau"`` (the bureau certifies: 考核认定, 初定) or ``"committee"`` (a review
    committee votes: 评审, issue 22); ``title`` is what the notice calls the pathway (Kunming's 认定 is
    "考核定职", 004 三)."""

    name: Annotated[str, OneOf(PATHWAYS)]
    levels: Levels
    rule: str
    road: Annotated[str, OneOf(ROADS)] = "bureau"
    title: str = ""

    @property
    def label(self) -> str:
        return self.title or self.name


@dataclass(frozen=True, kw_only=True)
class AuthorityScope:
    """Part of an authority's remit: these levels for these regions (``"*"`` = the whole jurisdiction)."""

    levels: Levels
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
    """A certifying authority (认定机构) or accepting body (受理单位), as listed in a notice's 附件.

    Its remit is written either as ``levels`` + ``regions`` or as ``[[scopes]]`` (different levels for
    different regions, Ganzhou 2022); either way ``scopes`` holds it and ``levels`` is their union.

    A self-review unit (自主评审单位 with 自主认定 rights, SCOPE-13 001 四(一)) has ``self_review = true``:
    it certifies ``levels`` for its own staff only, named by their employers' credit codes
    (``enterprises``), wherever they are (no ``regions``), optionally only in some ``series``. It sets its
    own dates (WIN-02 001 一): the shared ``"all"`` windows do not apply to it, and a window of its own
    opens only once its written filing with the title office of its level is recorded
    (:meth:`PolicyProfile.awaits_filing`)."""

    code: str
    name: str
    levels: Levels = ()
    regions: tuple[str, ...] = ()
    area: str
    phone: str = ""
    scopes: tuple[AuthorityScope, ...] = ()
    self_review: bool = False
    enterprises: CreditCodes = ()
    series: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Frozen: the derived remit is set once, here (the usual idiom for frozen dataclasses).
        if not self.scopes:
            object.__setattr__(self, "scopes", (AuthorityScope(levels=self.levels, regions=self.regions),))
        else:
            object.__setattr__(self, "levels", expand_levels(lv for sc in self.scopes for lv in sc.levels))

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        if not self.levels:
            yield "levels", "required key is missing", "缺少必填项"
        if self.self_review:
            yield from self._self_review_problems()
        elif not any(sc.regions for sc in self.scopes):
            yield "regions", "required key is missing", "缺少必填项"
        elif self.regions and self.scopes != (AuthorityScope(levels=self.levels, regions=self.regions),):
            yield "regions", "either regions or [[scopes]], not both", "regions 与 [[scopes]] 只能写一种"
        if not self.self_review:
            for key in ("enterprises", "series"):
                if getattr(self, key):
                    yield (
                        key,
                        "only a self-review unit (self_review = true) lists its own staff",
                        "只有自主评审单位（self_review = true）才列出本单位人员范围",
                    )

    def _self_review_problems(self) -> Iterator[tuple[str, str, str]]:
        if not self.enterprises:
            yield (
                "enterprises",
                "a self-review unit names its own enterprises by credit code",
                "自主评审单位须以统一社会信用代码列出本单位（enterprises）",
            )
        if any(sc.regions for sc in self.scopes):
            yield (
                "regions",
                "a self-review unit certifies its own staff, not regions: no regions or [[scopes]]",
                "自主评审单位只认定本单位人员，不按地区划分：不能写 regions 或 [[scopes]]",
            )
        for i, code in enumerate(self.enterprises):
            if code in self.enterprises[:i]:
                yield (
                    f"enterprises[{i}]",
                    f"duplicate credit code {code!r}",
                    f"统一社会信用代码「{code}」重复",
                )

    def certifies(
        self,
        level: str,
        region: str | None = None,
        *,
        enterprise: str | None = None,
        series: str | None = None,
    ) -> bool:
        """Whether this authority certifies ``level`` (for ``region``, an employer's credit code
        ``enterprise`` and a ``series``, each when given). A self-review unit ignores the region and
        certifies only its own enterprises' staff in its series."""
        if self.self_review:
            if level not in self.levels:
                return False
            if enterprise is not None and not self.employs(enterprise):
                return False
            return series is None or not self.series or names_match(series, self.series)
        return any(scope.covers(level, region) for scope in self.scopes)

    def employs(self, enterprise: str | None) -> bool:
        """Whether ``enterprise`` (a credit code) is one of this self-review unit's own."""
        if not self.self_review or not enterprise:
            return False
        try:
            return normalize_uscc(enterprise) in self.enterprises
        except IdentityError:
            return False


@dataclass(frozen=True, kw_only=True)
class Window(Cited):
    """One application window (网上受理时间) of one batch, for one authority or for ``"all"``.

    ``pending`` windows have no dates yet (Zhenjiang's "依据文件时间申报"); ``cutoff`` is the batch's
    终算时间 when the notice states one. A self-review unit's window carries its written filing with the
    title office of its level (WIN-02 001 一: ``filed_on`` before it opens, ``filed_with``,
    ``filing_ref`` the document number); unfiled, it does not open.
    """

    batch_id: Annotated[str, Key("id")]
    name: str
    authority: str = ALL
    levels: Levels
    opens: date | None = None
    closes: date | None = None
    cutoff: date | None = None
    cutoff_citation: str = ""
    pathways: Pathways = ()
    specialties: tuple[str, ...] = ()
    area: str = ""
    pending: bool = False
    filed_on: date | None = None
    filed_with: str = ""
    filing_ref: str = ""

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        if self.filed_on is not None:
            if self.opens is not None and self.filed_on >= self.opens:
                yield (
                    "filed_on",
                    f"filed on {self.filed_on}, not before the window opens {self.opens}",
                    f"报备日期 {self.filed_on} 不早于受理开始日 {self.opens}",
                )
            for name in ("filed_with", "filing_ref"):
                if not getattr(self, name).strip():
                    yield name, "required key is missing", "缺少必填项"
        elif self.filed_with or self.filing_ref:
            yield "filed_on", "required key is missing", "缺少必填项"
        if not self.pending:
            for name in ("opens", "closes"):
                if getattr(self, name) is None:
                    yield name, "required key is missing", "缺少必填项"
        if self.opens is not None and self.closes is not None and self.closes < self.opens:
            yield (
                "closes",
                f"closes {self.closes} before it opens {self.opens}",
                f"截止日 {self.closes} 早于开始日 {self.opens}",
            )
        if self.cutoff is not None and not self.cutoff_citation:
            yield "cutoff_citation", "required key is missing", "缺少必填项"

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
    authority: str = ALL
    levels: Levels
    pathways: Pathways = ()
    months: Annotated[tuple[int, ...], Range(1, 12)]
    open_day: Annotated[int, Range(1, 28)]
    close_month_offset: Annotated[int, Range(0, 11)]
    close_day: Annotated[int, Range(1, 31)]
    from_year: Year
    to_year: Year | None = None

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
    method: Annotated[str, OneOf(COUNTING_METHODS)]
    merge_overlaps: bool = True
    seniority_cutoff: date | None = None
    seniority_cutoff_citation: str = ""
    seniority_cutoff_pathways: Pathways = ()
    cutoff_source: Annotated[str, OneOf(("batch", "submission"))] = (
        "batch"  # "batch": a batch's 终算时间; "submission": the day of application
    )
    cutoff_citation: str = ""
    cutoff_confirmed: bool = True
    assumes_employment_to_cutoff: bool = False

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        if self.seniority_cutoff is not None and not self.seniority_cutoff_citation:
            yield "seniority_cutoff_citation", "required key is missing", "缺少必填项"

    def seniority_cutoff_for(self, applied_on: date | None, round_year: int) -> date | None:
        """The fixed day years are counted to for an application made on ``applied_on``. The notice states
        it for its own round (``round_year``, the profile's year: Zhenjiang 2024's 2023-12-31, the end of
        the year before); an application of a later year, while the bureau still follows that profile, is
        counted to the same day carried by as many years (2025-12-31 for a 2026 application), as WIN-04's
        11-30 holds every year — never the old round's day, which would drop the years since. Never moved
        back, and the stated day where nothing says when the application was made."""
        fixed = self.seniority_cutoff
        if fixed is None or applied_on is None or applied_on.year <= round_year:
            return fixed
        year = fixed.year + applied_on.year - round_year
        last = calendar.monthrange(year, fixed.month)[1]  # 29 February in a common year: the 28th
        return fixed.replace(year=year, day=min(fixed.day, last))


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
    pathways: Pathways = ()
    alternative: str = ""


@dataclass(frozen=True, kw_only=True)
class SeriesRule(Cited):
    """Minimum education per series (EDU-01). ``series == ("*",)`` is the row for every other series."""

    series: Annotated[tuple[str, ...], Key("names")]
    min_education: Annotated[str, OneOf(EDUCATION_LEVELS)] | None = None
    rule: str
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class ExamRule(Cited):
    """Specialties and levels where a national exam replaces (以考代评, EXAM-01/02/04) or conditions
    (EXAM-03) the pathway."""

    rule: str
    kind: Annotated[str, OneOf(("exam_only", "exam_required"))]  # "exam_only" or "exam_required"
    specialties: tuple[str, ...]
    levels: Levels
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
    requirements: tuple[PracticeRequirement, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SocialInsuranceRule(Cited):
    """Social insurance (SI-01/02/03)."""

    rule: str
    unit_must_match: bool = True
    affiliation_proof_allowed: bool = False
    exempt_employment_types: tuple[str, ...] = ()
    continuous: bool = False
    region: str = ""
    pathways: Pathways = ()
    min_months: Threshold | None = None


@dataclass(frozen=True, kw_only=True)
class MajorRule(Cited):
    """Studied major vs specialty (MAJ-01..04): ``must_match``, ``extra_years`` or ``not_restricted``."""

    rule: str
    mode: Annotated[str, OneOf(MAJOR_MODES)]
    extra_years: Annotated[int, Range(0, 10)] = 0

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        if self.mode == "extra_years" and not self.extra_years:
            yield "extra_years", "required key is missing", "缺少必填项"


@dataclass(frozen=True, kw_only=True)
class Requirement(Cited):
    """Education and years for a level (LVL-05, EDU-03, ...). ``years is None`` = not known to the portal
    (the notice only cites the policy in ``source``)."""

    rule: str
    levels: Levels
    education: Educations = ()
    years: Annotated[int, Range(0, 50)] | None = None
    years_in_lower_level: Annotated[int, Range(0, 50)] | None = None
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class GradingRow(Cited):
    """One line of an education → level table (LVL-01)."""

    level: Annotated[str, OneOf(LEVELS)]
    education: Educations = ()
    degrees: tuple[str, ...] = ()
    probation_years: Annotated[int, Range(0, 10)]

    def matches(self, education_level: str | None, degree: str | None) -> bool:
        return (education_level is not None and education_level in self.education) or (
            degree is not None and any(normalize_name(degree) == normalize_name(d) for d in self.degrees)
        )


@dataclass(frozen=True, kw_only=True)
class InitialGrading(Cited):
    """初定 by education (LVL-01/02, SCOPE-12): the table for education obtained from
    ``from_graduation_year`` on; earlier education goes to a transition the notice does not give."""

    rule: str
    from_graduation_year: Year
    rows: tuple[GradingRow, ...] = ()
    transition_rule: str
    transition_citation: str
    excluded_series: tuple[str, ...] = ()
    excluded_series_rule: str = ""
    excluded_series_citation: str = ""


@dataclass(frozen=True, kw_only=True)
class Adjustment(Cited):
    """A change of the required years under a named condition (EARLY-01/02: one year early)."""

    rule: str
    years: Annotated[int, Range(-10, 10)]
    condition: Annotated[str, OneOf(ADJUSTMENT_CONDITIONS)]
    levels: Levels = ()
    series: tuple[str, ...] = ()
    pathways: Pathways = ()


@dataclass(frozen=True, kw_only=True)
class LevelByLevel(Cited):
    """逐级申报 (LVL-04): the next level only; ``entry_levels`` may be applied for without a title."""

    rule: str
    pathways: Pathways
    entry_levels: Levels


@dataclass(frozen=True, kw_only=True)
class HoursRequirement(Cited):
    year: Year
    hours: Annotated[int, Range(0)]


@dataclass(frozen=True, kw_only=True)
class ContinuingEducation(Cited):
    """Continuing-education hours (CE-01). Years before the earliest listed one follow older rules the
    notice does not give (``earlier_years_known = false``)."""

    rule: str
    hours: tuple[HoursRequirement, ...] = ()
    earlier_years_known: bool = False


@dataclass(frozen=True, kw_only=True)
class InternshipRule(Cited):
    """Whether internships during study count as professional work (EXP-01)."""

    rule: str
    counts: bool = False


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
CONFIRMATION_MODES: tuple[str, ...] = ("confirm", "recognise")


@dataclass(frozen=True, kw_only=True)
class FilingRule(Cited):
    """What a committee files before its meeting, with whom, and by when (CHAN-04, CHAN-05): ``days``
    calendar days (``unit = "days"``: Zhenjiang, 15 days, 003 六(一)) or working days (``"workdays"``:
    Dongchuan, 12, 004 一(六)) before the meeting. Unfiled meetings are not recognised."""

    rule: str
    days: Annotated[int, Range(1, 365)]
    unit: Annotated[str, OneOf(DEADLINE_UNITS)]
    office: str  # whom the filing goes to
    contents: Annotated[tuple[str, ...], OneOf(FILING_CONTENTS)]


@dataclass(frozen=True, kw_only=True)
class VoteRule(Cited):
    """The meeting: the smallest panel drawn, the quorum (present ≥ quorum of the panel) and the pass
    threshold (yes ≥ threshold of those present), each a fraction. The seeds give none of these
    (人社部令第40号 is cited, not reproduced): ``confirmed = false`` in every profile."""

    panel_min: Annotated[int, Range(1, 99)]
    quorum: Annotated[tuple[int, int], Range(1, 1000)]
    threshold: Annotated[tuple[int, int], Range(1, 1000)]

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        for name in ("quorum", "threshold"):
            numerator, denominator = getattr(self, name)
            if numerator > denominator:
                yield (
                    name,
                    "expected [numerator, denominator] with numerator ≤ denominator",
                    "应为 [分子, 分母]，分子不大于分母",
                )


@dataclass(frozen=True, kw_only=True)
class TitleConfirmationRule(Cited):
    """A title from another province or a central unit: confirmed by the HR bureau before the meeting
    (``"confirm"``: 004 一(五), EQUIV-04), or recognised as it is (``"recognise"``: 003 二(七), EQUIV-03)."""

    rule: str
    mode: Annotated[str, OneOf(CONFIRMATION_MODES)]


@dataclass(frozen=True, kw_only=True)
class CallRule(Cited):
    """The committee's call (评审通知): filed with the bureau before it is published, at least
    ``months_before`` months before intake opens (004 一(三), WIN-07)."""

    rule: str
    months_before: Annotated[int, Range(0, 12)]
    filed_first: bool = True


@dataclass(frozen=True, kw_only=True)
class AccountRules(Cited):
    """Who opens applicant accounts. ``self_registration``: applicants register their own account and an
    enterprise's HR then attach it (ACC-04, Kunming 004 一(二): "existing accounts are reused"); without
    it, only the applying unit opens them (ACC-03)."""

    rule: str
    self_registration: bool = False


@dataclass(frozen=True, kw_only=True)
class ProvincialWindows(Cited):
    """A provincial committee's online channel (004 二(二), WIN-05): opens ``opens_days_before`` days
    before its intake starts; closes at 24:00 ``closes_days_before_uniform`` days before intake ends when
    the city submits together, else ``closes_days_before`` days before."""

    rule: str
    opens_days_before: Annotated[int, Range(0, 90)]
    closes_days_before: Annotated[int, Range(0, 90)]
    closes_days_before_uniform: Annotated[int, Range(0, 90)]


# What a notice calls the table of its committees and what each receives, the table a profile's
# committee rows come from (``[committee.scope_table]``): Zhenjiang's 申报计划安排表 (003 附件),
# Kunming's 职称评审计划表 (004 附件2). Pages put it mid-sentence ("Load the application plan"), hence
# the context. A profile naming none reads the neutral words: one city's name is not another's.
SCOPE_TABLES: tuple[str, ...] = (
    NC_("table name", "申报计划安排表"),
    NC_("table name", "职称评审计划表"),
)
DEFAULT_SCOPE_TABLE = NC_("table name", "评委会受理范围表")


def scope_table_word(name: str) -> str:
    """The catalogue's constant (a msgid under its context) for a table name a profile holds (one of
    `SCOPE_TABLES`, checked when the profile loads), so a page shows it in the reader's language."""
    return next((word for word in SCOPE_TABLES if word == name), DEFAULT_SCOPE_TABLE)


@dataclass(frozen=True, kw_only=True)
class ScopeTable(Cited):
    """The notice's own name for the table of committees and their scope, and the clause of the table
    (its 附件): what the committees page's load action and its hint say."""

    name: Annotated[str, OneOf(SCOPE_TABLES)]


@dataclass(frozen=True, kw_only=True)
class ReviewDeadline(Cited):
    """WIN-04 (Zhenjiang 003 三(二)): "原则上各专业中级评审时间在11月底前完成" — the committees finish their
    review of ``levels`` by ``finish_by``, the same day of every year (11-30). "In principle": a meeting held
    later for those levels, and what is still undecided after the day, are warned of, never refused."""

    rule: str
    levels: Levels
    finish_by: date

    def deadline(self, year: int) -> date:
        """The day the review of ``year`` is finished by (the same day of that year)."""
        return self.finish_by.replace(year=year)

    def next_deadline(self, day: date) -> date:
        """The deadline still ahead on ``day`` (this year's until it has passed, then next year's): what a
        form planning meetings names, never a day already gone."""
        return self.deadline(day.year + 1) if self.past(day) else self.deadline(day.year)

    def covers(self, level: str | None) -> bool:
        """Whether an application at ``level`` falls under the deadline."""
        return level in self.levels

    def past(self, day: date) -> bool:
        """Whether ``day`` is after its year's deadline (a meeting that day is late for ``levels``)."""
        return day > self.deadline(day.year)


@dataclass(frozen=True, kw_only=True)
class CommitteeRules(Cited):
    """The committee road of a profile (issue 22). ``city_wide_places`` are the table's places that stand
    for the whole city (a more specific place wins: 003 附件 序号3's "不含丹阳市……"); ``one_per_year`` and
    ``same_for_unit`` cite CHAN-01 where the profile has it (003 四); ``city_system_gate`` cites 004 一(二)
    (REV-06) where the city system's review must be recorded before a case is sent; ``same_year`` cites
    003 三(一) (WIN-04, 不得跨年度评审) where a meeting reviews only what reached the committee that year;
    ``review_deadline`` is 003 三(二)'s day by which some levels' review is finished in principle (a
    warning); ``expert_study`` cites 004 一(七) (CHAN-06) where the experts must have studied the evaluation
    standards before they vote: each confirms it on their own page and the vote opens only with those
    present having confirmed. Zhenjiang's notice (003) asks no such thing, so its profile leaves it out
    and its experts are asked nothing."""

    rule: str
    city_wide_places: tuple[str, ...] = ()
    one_per_year: str = ""
    same_year: str = ""
    same_for_unit: str = ""
    city_system_gate: str = ""
    notice_workdays: Threshold
    result_notice_workdays: Threshold
    filing: FilingRule
    vote: VoteRule
    scope: str = ""  # EXAM-06's clause: committees never widen their scope (Zhenjiang's 003 七(一)), or ""
    pass_rate: str = ""  # the clause of the pass-rate control (CHAN-06), "" when the profile has none
    expert_study: str = ""  # the clause asking experts to study the standards (CHAN-06), "" when none
    title_confirmation: TitleConfirmationRule | None = None
    call: CallRule | None = None
    provincial_windows: ProvincialWindows | None = None
    review_deadline: ReviewDeadline | None = None
    scope_table: ScopeTable | None = None  # the notice's name for its table; None: the neutral words


@dataclass(frozen=True, kw_only=True)
class CategoryRule(Cited):
    """An applicant category that changes the rules (issue 21.9): the finding when it holds, and what it
    changes: the series it may apply in (SCOPE-11), a consent that must be recorded first (SCOPE-05), the
    social-insurance rule it is exempt from once consented (SCOPE-05)."""

    rule: str
    category: Annotated[str, OneOf(CATEGORY_NAMES)]
    message: str
    severity: Annotated[str, OneOf(SEVERITIES)] = "info"
    series: tuple[str, ...] = ()
    series_if_k12: tuple[str, ...] = ()
    needs_consent: bool = False
    exempts_social_insurance: bool = False


@dataclass(frozen=True, kw_only=True)
class Equivalence(Cited):
    """One row of a correspondence table: this professional qualification counts as this title."""

    qualification: str
    series: str
    level: Annotated[str, OneOf(LEVELS)]


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
    severity: Annotated[str, OneOf(SEVERITIES)] = "manual"


@dataclass(frozen=True, kw_only=True)
class YearEndRule(Cited):
    """REP-01 (Ganzhou 001 四(七), 000 四(六)): counties and self-review units finish the year's recognition
    by ``finish_by`` (2026-12-31) and report the approval document and the certificates to the city's title
    office. So a self-review unit's window closes by that day of the year it opens (its applications are
    decided within the year, not carried over), and its enterprise is warned from ``warn_from`` of what is
    still unfinished. The same day of the year holds for another year's windows (both Ganzhou notices say
    12-31).

    REP-02 (Zhenjiang 003 三(一)) has the same deadline without the report: each committee office and
    accepting body finishes the year's review, audit and filing within the year (不得跨年度评审), and nobody
    sends the city office a 批复 or a certificate Excel: ``reports = false``."""

    rule: str
    finish_by: date
    warn_from: date | None = None  # policy-spec REP-01: "WARN from December"; the notice sets no day
    reports: bool = True  # REP-01: the authorities report the year to the city title office; REP-02: no

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        if self.warn_from is not None and self.warn_from > self.finish_by:
            yield (
                "warn_from",
                f"warns from {self.warn_from}, after the deadline {self.finish_by}",
                f"提醒日期 {self.warn_from} 晚于完成期限 {self.finish_by}",
            )

    def deadline(self, year: int) -> date:
        """The day the recognition of ``year`` is finished by (the same day of that year)."""
        return self.finish_by.replace(year=year)

    def warns_on(self, day: date) -> bool:
        """Whether ``day`` is in the warning period before its year's deadline."""
        if self.warn_from is None:
            return False
        return self.warn_from.replace(year=day.year) <= day <= self.deadline(day.year)


@dataclass(frozen=True, kw_only=True)
class DocumentRule(Cited):
    """A rule of the notice on what the application holds (MAT-…): MAT-12, the online form's parts with its
    work summary (Nantong's 002 四(一)); MAT-08, a degree from abroad certified by the 教育部留学服务中心
    (Nantong's 002 五(二)). The form asks the same under every profile; this only says which clause of the
    profile's notice states it, so the form's hints and refusals cite that one, none where it has none."""

    rule: str


@dataclass(frozen=True, kw_only=True)
class StaffAccountRule(Cited):
    """ACC-01/ACC-02 (Ganzhou's 000 四(一), 001 四(二)): real-name leader and handler accounts, never the same
    person, and nobody reviews their own materials. The portal holds these rules under every profile; this
    says which clause of the profile's notice states them, so the staff pages' refusals cite it."""

    rule: str


@dataclass(frozen=True, kw_only=True)
class PermitRule(Cited):
    """SCOPE-03 (Nantong's 002 一(二), Zhenjiang's 003 一(二)): professionals from Hong Kong, Macao and
    Taiwan may apply, and foreigners holding a 外国人来华工作许可证, a 外国人永久居留身份证 or a
    海外高层次人才居住证. HR's account form asks the same under every profile; this only says which clause
    of the profile's notice states it, so its refusals cite that one, none where the notice is silent."""

    rule: str


@dataclass(frozen=True, kw_only=True)
class UnitOpinionRule(Cited):
    """EXP-04 (Dongchuan's 004 二(九)): the unit's opinion (基层单位意见) gives a truthful evaluation of the
    applicant's professional work and how the unit recommended; REV-05 (004 一(四), ``recommendation``):
    the unit answers for its recommendation and states it clearly. The portal asks for the opinion under
    every profile; this table only says which clauses of the profile's notice state it, so the unit's
    pages cite those, and nothing where the notice is silent."""

    rule: str
    recommendation: Citation

    @property
    def clauses(self) -> str:
        """Both clauses as a message cites them: "004 二(九)、004 一(四)"."""
        return f"{self.citation}、{self.recommendation}"


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

    order: Annotated[tuple[str, ...], OneOf(FORM_PARTS)]

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        missing = [p for p in FORM_PARTS if p not in self.order]
        if missing:
            yield "order", f"parts missing: {', '.join(missing)}", f"缺少：{'、'.join(missing)}"


@dataclass(frozen=True, kw_only=True)
class ReviewCheck(Cited):
    """A fact the handler of the organisation holding an application confirms on it, case by case, before
    passing it on: EXP-03 (000 四(四), 001 四(五)): for the series with explicit requirements on work
    experience and achievements, the employer (or HR agency) and its competent department check them, and
    who does not meet them may not apply. Asked at the employer's and the department's 初审."""

    rule: str


@dataclass(frozen=True, kw_only=True)
class CorrectionRule(Cited):
    """REV-03: what is to be corrected is told at once (一次性告知), and what is not corrected by the deadline
    is treated as giving up the application (视为放弃申报). The portal applies it under every profile; the
    profile only says which clause of its notice states it (Zhenjiang's 003 五(二), Dongchuan's 004 一(四)),
    so the refusals and the abandonment note cite that one, and nothing where the notice is silent."""

    rule: str


@dataclass(frozen=True, kw_only=True)
class WorkflowRules:
    """Values the workflow services read: the return limit (REV-04), the unit notice (PUB-01/02/06),
    the paper follow-up after online approval (MAT-15: Zhenjiang, 10 working days, 003 附件 备注3),
    how many calendar days after its last day a notice's page still shows who was in it (issue 16.15;
    no notice says, so every profile marks its value ``confirmed = false``), the clause of the
    corrections rule (REV-03, ``corrections``) and the 初审's check (EXP-03, ``experience_check``)."""

    corrections: CorrectionRule | None = None
    return_limit: Threshold | None = None
    unit_notice_workdays: Threshold | None = None
    paper_followup_workdays: Threshold | None = None
    notice_public_days: Threshold | None = None
    experience_check: ReviewCheck | None = None  # EXP-03: the 初审 handler confirms the check (Ganzhou)


@dataclass(frozen=True, kw_only=True)
class PolicyProfile:
    """One authority profile and year, as loaded from ``portal/policies/<id>.toml``."""

    id: str
    title: str
    jurisdiction: str
    region: str
    year: Year
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
    series_rules: Annotated[tuple[SeriesRule, ...], Key("series")] = ()
    exam_rules: Annotated[tuple[ExamRule, ...], Key("exams")] = ()
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
    unit_opinion: UnitOpinionRule | None = None
    permits: PermitRule | None = None
    staff_accounts: StaffAccountRule | None = None
    documents: tuple[DocumentRule, ...] = ()
    form: FormLayout | None = None
    committee: CommitteeRules | None = None
    accounts: AccountRules | None = None
    year_end: YearEndRule | None = None

    def _problems(self) -> Iterator[tuple[str, str, str]]:
        """What spans the tables: references to authorities, duplicates, the committee road's rules."""
        if not self.pathways:
            yield "pathways", "at least one [[pathways]] table is required", "至少需要一个 [[pathways]]"
        codes = [a.code for a in self.authorities]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                yield f"authorities[{i}].code", f"duplicate code {code!r}", f"编码「{code}」重复"
        seen: set[tuple[str, str]] = set()
        for i, w in enumerate(self.batches):
            if w.authority != ALL and w.authority not in codes:
                yield (
                    f"batches[{i}].authority",
                    f"no authority with code {w.authority!r}",
                    f"没有编码为「{w.authority}」的认定机构",
                )
            if (w.batch_id, w.authority) in seen:
                yield (
                    f"batches[{i}].id",
                    f"duplicate batch {w.batch_id!r} for {w.authority!r}",
                    f"批次「{w.batch_id}」对「{w.authority}」重复",
                )
            seen.add((w.batch_id, w.authority))
            late = self.past_year_end(w)
            if late is not None and self.year_end is not None:
                clause = self.year_end.citation
                yield (
                    f"batches[{i}].closes",
                    f"a self-review unit's window must close by {late}: it finishes the year's recognition "
                    f"by then ({clause})",
                    f"自主评审单位的受理期须在{late}前截止：当年度考核认定须于该日前完成（{clause}）",
                )
        if self.committee is None and any(p.road == "committee" for p in self.pathways):
            yield (
                "committee",
                "a pathway on the committee road needs the [committee] table",
                "有评审委员会途径的配置须有 [committee] 表",
            )

    @property
    def pathway_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.pathways)

    def pathway(self, name: str | None) -> PathwayScope | None:
        return next((p for p in self.pathways if p.name == name), None)

    def document_clause(self, rule: str) -> str:
        """The clause of the profile's notice stating the document rule ``rule`` (MAT-12, MAT-08), or ""."""
        return next((d.citation for d in self.documents if d.rule == rule), "")

    @property
    def allows_self_registration(self) -> bool:
        """Applicants may register their own account under this profile (ACC-04)."""
        return self.accounts is not None and self.accounts.self_registration

    @property
    def has_committee_road(self) -> bool:
        """A review committee decides some pathway of this profile (issue 22): its bureau's staff work the
        committee road's screens (committees, meetings, calls)."""
        return self.committee is not None or any(p.road == "committee" for p in self.pathways)

    @property
    def confirms_titles(self) -> bool:
        """Titles from elsewhere are confirmed by the bureau before the meeting (EQUIV-04, 004 一(五)), not
        recognised as they are (EQUIV-03): the 职称确认 screens have work only then."""
        rule = self.committee.title_confirmation if self.committee else None
        return rule is not None and rule.mode == "confirm"

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

    def authorities_for(
        self,
        level: str,
        region: str | None = None,
        *,
        enterprise: str | None = None,
        series: str | None = None,
    ) -> list[Authority]:
        """The authorities that certify ``level`` for ``region`` (all regions when ``None``). For the staff
        of an enterprise (its credit code) with a self-review unit covering the level and series, that unit
        alone (SCOPE-13: it certifies its own staff instead of the regional authority); self-review units
        are never anyone else's authority."""
        if enterprise:
            own = [
                a
                for a in self.authorities
                if a.employs(enterprise) and a.certifies(level, enterprise=enterprise, series=series)
            ]
            if own:
                return own
        return [a for a in self.authorities if not a.self_review and a.certifies(level, region)]

    def self_review_unit(self, enterprise: str | None) -> Authority | None:
        """The self-review unit whose own staff ``enterprise`` (a credit code) employs, if any."""
        return next((a for a in self.authorities if a.employs(enterprise)), None)

    def is_self_review(self, code: str) -> bool:
        """Whether ``code`` names a self-review unit of this profile."""
        return any(a.code == code and a.self_review for a in self.authorities)

    def year_end_reporters(self) -> tuple[Authority, ...]:
        """The authorities that report the year's recognition to the city title office (REP-01, 001 四(七)):
        the counties, districts, parks and self-review units, i.e. all but the office whose remit is the
        whole jurisdiction (it is the city title office the others report to). None under a rule without
        the report (REP-02)."""
        if self.year_end is None or not self.year_end.reports:
            return ()
        return tuple(a for a in self.authorities if not any(ANY_REGION in sc.regions for sc in a.scopes))

    def year_end_authorities(self) -> tuple[Authority, ...]:
        """The authorities whose year the year-end page shows: the reporters (REP-01), or, where nobody
        reports (REP-02, 003 三(一): every committee office and accepting body finishes its own year), all."""
        if self.year_end is None:
            return ()
        return self.year_end_reporters() if self.year_end.reports else self.authorities

    def awaits_filing(self, window: Window) -> bool:
        """A self-review unit's window whose written filing (书面报备, WIN-02 001 一) is not recorded: it is
        listed, but neither open nor next until the filing is entered."""
        return window.filed_on is None and self.is_self_review(window.authority)

    def year_end_of(self, authority: str, opens: date) -> date | None:
        """The day a self-review unit finishes the recognition of a window opening on ``opens`` by (REP-01,
        001 四(七)); None for any other authority or without the rule."""
        if self.year_end is None or not self.is_self_review(authority):
            return None
        return self.year_end.deadline(opens.year)

    def past_year_end(self, window: Window) -> date | None:
        """The year-end deadline a self-review unit's ``window`` closes after (REP-01: the unit finishes
        the year's recognition by then), or None when it closes in time or is no unit's."""
        if window.opens is None or window.closes is None:
            return None
        deadline = self.year_end_of(window.authority, window.opens)
        return deadline if deadline is not None and window.closes > deadline else None

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
        own_dates = False  # a self-review unit sets its own dates: the shared windows are not its (WIN-02)
        if authority_code is not None and authority_code != ALL:
            authority = self.authority(authority_code)
            if not authority.certifies(level):
                return []
            own_dates = authority.self_review
        fixed: list[Window] = []
        specific = {(w.batch_id, w.authority) for w in self.batches if w.authority != ALL}
        for w in self.batches:
            if authority_code not in (None, ALL):
                if w.authority == ALL and (own_dates or (w.batch_id, authority_code) in specific):
                    continue
                if w.authority not in (ALL, authority_code):
                    continue
            fixed.append(w)
        generated = [
            w
            for rule in self.window_rules
            if authority_code in (None, ALL)
            or rule.authority == authority_code
            or (rule.authority == ALL and not own_dates)
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
    """The window of ``profile`` open on ``on`` for ``level`` (at ``authority_code``), or None. A
    self-review unit's window awaiting its filing is not open."""
    for w in profile.windows_for(authority_code, level, on.year):
        if w.contains(on) and not profile.awaits_filing(w):
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
        if w.opens is not None and w.opens > after and not profile.awaits_filing(w)
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
# The schema is the dataclasses above (portal.domain.schema reads them); what is left here is the file.


def _parse(file: str, data: dict[str, Any]) -> PolicyProfile:
    profile, problems = schema.read(PolicyProfile, data, blank=False)
    stem = file.removesuffix(".toml")
    found = data.get("id")
    if isinstance(found, str) and (found != stem or not _PROFILE_ID.match(found)):
        problems.insert(
            0,
            schema.Problem(
                "id",
                f"id {found!r} must equal the file name {stem!r}",
                f"id「{found}」须与文件名「{stem}」一致",
            ),
        )
    if problems or profile is None:
        raise PolicyError.of(file, [Problem(p.key, p.problem, p.problem_zh) for p in problems])
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
