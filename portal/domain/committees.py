"""The committee road's pure rules (issue 22): which committee's scope holds an application, the
meeting's filing deadline, a provincial committee's online channel, the reproducible draw of experts, the
tally of secret ballots against the quorum and threshold, and the call's timing.

Each function takes the profile's values (portal.domain.policy.CommitteeRules) as arguments and returns
its answer with the clause that decides it; nothing here reads a database or a clock.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from portal.domain.i18n import N_, T_, Text, joined
from portal.domain.policy import (
    LEVEL_GROUPS,
    LEVELS,
    FilingRule,
    ProvincialWindows,
    VoteRule,
    expand_levels,
    names_match,
    normalize_name,
)
from portal.domain.workdays import WorkCalendar

# --- scope: which committee receives an application (EXAM-06, 003 附件, 003 七(一)) ---------------------


@dataclass(frozen=True)
class ScopeRow:
    """One row of a committee's scope: the specialties it receives from one place at these levels."""

    committee_id: int
    row_id: int
    specialties: tuple[str, ...]
    place: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Subject:
    """What routing reads of an application: its series and specialty, its level, the enterprise's place."""

    series: str
    specialty: str
    level: str
    region: str


SPECIFIC = 2  # the row names the applicant's own place (丹阳市, 经开区)
CITY_WIDE = 1  # the row stands for the whole city (镇江市, 镇江市区, 镇江市直)


def place_fit(place: str, region: str, city_wide: tuple[str, ...]) -> int | None:
    """How well a row's place fits the enterprise's region: SPECIFIC when the region lies in it, CITY_WIDE
    for a row that stands for the whole city, None when it is another place."""
    p, r = normalize_name(place), normalize_name(region)
    if p and r and p in r:
        return SPECIFIC
    if any(p == normalize_name(c) for c in city_wide):
        return CITY_WIDE
    return None


def holds(row: ScopeRow, subject: Subject, city_wide: tuple[str, ...]) -> int | None:
    """The fit of a row that holds the subject's specialty (or series) and level, else None."""
    if subject.level not in row.levels:
        return None
    if not (names_match(subject.specialty, row.specialties) or names_match(subject.series, row.specialties)):
        return None
    return place_fit(row.place, subject.region, city_wide)


def candidates(rows: list[ScopeRow], subject: Subject, city_wide: tuple[str, ...]) -> list[ScopeRow]:
    """The rows that hold the subject at the best fit: a row for the applicant's own place wins over the
    city-wide one (003 附件 序号3: "不含丹阳市、扬中市初级"), so the city-wide committee never takes what a
    local office receives. Several committees at the same fit are left for the bureau to choose."""
    fitted = [(fit, row) for row in rows if (fit := holds(row, subject, city_wide)) is not None]
    if not fitted:
        return []
    best = max(fit for fit, _ in fitted)
    return [row for fit, row in fitted if fit == best]


# --- the meeting's filing deadline (CHAN-04, CHAN-05) ----------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """When a meeting's filing is due, under which clause, and by when the office's notice must have ended
    (its outcome is part of the filing: 003 六(一) 评前公示, 004 一(六) 公示情况), else None."""

    filing_due: date
    clause: str
    notice_must_end_by: date | None

    def to_json(self) -> dict[str, str | None]:
        return {
            "filing_due": self.filing_due.isoformat(),
            "clause": self.clause,
            "notice_must_end_by": self.notice_must_end_by.isoformat() if self.notice_must_end_by else None,
        }


def workdays_before(calendar: WorkCalendar, day: date, n: int) -> date:
    """ "N working days before D": the Nth working day counted back from the day before D (so with D a
    Monday and the Friday before it a working day, 1 working day before D is that Friday). Raises
    UnknownYear when the count reaches a year the calendar does not know."""
    if n < 1:
        raise ValueError(f"n must be >= 1, not {n}")
    found, current = 0, day
    while True:
        current -= timedelta(days=1)
        if calendar.is_workday(current):
            found += 1
            if found == n:
                return current


def last_workday_before(calendar: WorkCalendar, day: date) -> date:
    """The last working day strictly before ``day``."""
    return workdays_before(calendar, day, 1)


def deadlines(rule: FilingRule, meeting: date, calendar: WorkCalendar) -> Deadlines:
    """The filing deadline of a meeting on ``meeting`` under ``rule``: ``days`` calendar days before it
    (Zhenjiang: 15 days, 003 六(一)) or ``days`` working days before it (Dongchuan: 12, 004 一(六)); and,
    when the filing reports the office's notice, the last working day the notice may end on (the working
    day before the filing is due). Raises UnknownYear for a year the calendar does not know."""
    if rule.unit == "workdays":
        due = workdays_before(calendar, meeting, rule.days)
    else:
        due = meeting - timedelta(days=rule.days)
    notice_end = last_workday_before(calendar, due) if "pre_review_notice" in rule.contents else None
    return Deadlines(due, rule.citation, notice_end)


# --- a provincial committee's online channel (WIN-05, 004 二(二)) ------------------------------------------


@dataclass(frozen=True)
class Channel:
    """The online channel of a provincial committee: open from ``opens`` to 24:00 of ``closes``."""

    opens: date
    closes: date
    clause: str


def provincial_channel(
    rule: ProvincialWindows, intake_opens: date, intake_closes: date, uniform: bool
) -> Channel:
    """The channel opens ``opens_days_before`` days before the committee starts receiving; it closes at
    24:00 ``closes_days_before_uniform`` days before intake ends where the city submits together, else
    ``closes_days_before`` days before (004 二(二): 7 days; 3 days; the day before)."""
    back = rule.closes_days_before_uniform if uniform else rule.closes_days_before
    return Channel(
        intake_opens - timedelta(days=rule.opens_days_before),
        intake_closes - timedelta(days=back),
        rule.citation,
    )


# --- the experts: a reproducible draw with recusal (issue 22.5) ---------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """An expert as the draw reads them: their pool row, their account and their employer."""

    expert_id: int
    user_id: int
    employer_id: int | None
    employer_name: str


@dataclass(frozen=True)
class Reviewed:
    """An application on the agenda as the recusal reads it: its applicant and employer."""

    applicant_id: int
    enterprise_id: int
    enterprise_name: str


def recusal(candidate: Candidate, agenda: list[Reviewed]) -> str | None:
    """Why an expert may not sit on this panel: an applicant's own employer, or an applicant themself."""
    for item in agenda:
        if candidate.user_id == item.applicant_id:
            return N_("本人为本次会议的申报人")
        same_org = candidate.employer_id is not None and candidate.employer_id == item.enterprise_id
        if same_org or normalize_name(candidate.employer_name) == normalize_name(item.enterprise_name):
            return T_("与申报人同在%(enterprise_name)s", enterprise_name=item.enterprise_name)
    return None


def draw(pool: list[int], size: int, seed: str) -> list[int]:
    """``size`` experts drawn from ``pool`` (expert ids) with ``seed``: the same pool and seed give the same
    panel, so anyone holding the audit row can draw it again. ValueError if the pool is too small."""
    if size > len(pool):
        raise ValueError(f"pool of {len(pool)} cannot give {size}")
    # Not a secret: the draw must be reproducible from its recorded seed (the seed itself is random).
    return random.Random(seed).sample(sorted(pool), size)  # nosec B311


# --- the experts' qualification: term and title level (人社部令第40号, policy-spec §6) ----------------

# 《职称评审管理暂行规定》(人社部令第40号), as policy-spec §6 reads it (corroborated by one page; its article
# numbers unknown, so the regulation is cited as a whole).
REGULATION = N_("人社部令第40号")
TERM_YEARS = 3  # an expert's term is at most 3 years
SERIES_MINIMUM = 25  # a senior (高级) committee organised by series has at least 25 experts
SPECIALTY_MINIMUM = 11  # one organised by specialty at least 11 (provincial HR may adjust both)
# The committees' levels (初级 / 高级 are the notices' group words; 中级 is a level of its own), marked
# for the catalogue: the pool page names its committee's level.
COMMITTEE_LEVEL_WORDS = (N_("初级"), N_("高级"))


def anniversary(day: date, years: int) -> date:
    """The day ``years`` after ``day`` on which a period counted from ``day`` completes those years: the
    same day of the month, or 1 March where it began on 29 February and the year is a common one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def term_limit(appointed_on: date) -> date:
    """The latest day a term that starts on ``appointed_on`` may end on: the day before its third
    anniversary, as terms of office are counted (both days count: appointed 20 Oct 2026, the term ends
    19 Oct 2029 — ending on 20 Oct 2029 would be three years and a day)."""
    return anniversary(appointed_on, TERM_YEARS) - timedelta(days=1)


def term_refusal(appointed_on: date, term_ends: date) -> str | None:
    """Why a term from ``appointed_on`` to ``term_ends`` cannot be recorded: it ends before it starts, or
    lasts longer than the regulation allows; None when it may be."""
    if term_ends < appointed_on:
        return N_("任期届满日不能早于聘任日期")
    if term_ends > term_limit(appointed_on):
        return T_(
            "评审专家每届任期不超过%(years)s年（%(regulation)s）：任期最晚至%(limit)s",
            years=TERM_YEARS,
            regulation=REGULATION,
            limit=term_limit(appointed_on),
        )
    return None


def renewal_refusal(term_ends: date, today: date) -> str | None:
    """Why a renewal (续聘) ending on ``term_ends`` cannot be recorded on ``today``: a new term that has
    already ended leaves the expert out of every draw, as before it."""
    if term_ends < today:
        return T_("续聘的任期届满日（%(day)s）已过，请填写今天或以后的日期", day=term_ends)
    return None


def in_term(appointed_on: date, term_ends: date, day: date) -> bool:
    """Whether an expert's term covers ``day``."""
    return appointed_on <= day <= term_ends


# The titles whose level their name says without doubt (the usual names of each level across the series),
# matched whole: a substring rule read 副总工程师 and 副处长 (posts) as 副高级, 高级技师 (a skill grade) as
# 副高级, 主任科员 and 实习研究员 as 正高级, 主任编辑 (副高) as 正高级 and 高级编辑 (正高) as 副高级, and so
# drew experts without the level. A name not listed is 待补充: the office chooses the level.
TITLE_LEVELS: dict[str, str] = {
    **dict.fromkeys(
        ("正高级工程师", "教授级高级工程师", "教授", "研究员", "主任医师", "主任药师", "主任护师", "主任技师",
         "编审", "高级编辑", "高级记者", "播音指导", "正高级会计师", "正高级经济师", "正高级统计师",
         "正高级审计师", "正高级教师", "正高级农艺师", "正高级畜牧师", "正高级兽医师", "研究馆员"),
        "正高级",
    ),
    **dict.fromkeys(
        ("高级工程师", "副教授", "副研究员", "副主任医师", "副主任药师", "副主任护师", "副主任技师", "副编审",
         "主任编辑", "主任记者", "主任播音员", "高级会计师", "高级经济师", "高级统计师", "高级审计师",
         "高级教师", "高级讲师", "高级实习指导教师", "高级农艺师", "高级畜牧师", "高级兽医师", "副研究馆员",
         "高级政工师"),
        "副高级",
    ),
    **dict.fromkeys(
        ("工程师", "讲师", "助理研究员", "主治医师", "主管药师", "主管护师", "主管技师", "编辑", "记者",
         "一级播音员", "会计师", "经济师", "统计师", "审计师", "一级教师", "农艺师", "畜牧师", "兽医师",
         "馆员", "政工师"),
        "中级",
    ),
    **dict.fromkeys(
        ("助理工程师", "助教", "研究实习员", "医师", "药师", "护师", "助理编辑", "助理记者", "二级播音员",
         "助理会计师", "助理经济师", "助理统计师", "助理审计师", "二级教师", "助理农艺师", "助理馆员",
         "助理政工师"),
        "助理级",
    ),
    **dict.fromkeys(
        ("技术员", "医士", "药士", "护士", "技士", "会计员", "经济员", "统计员", "审计员", "三级教师",
         "政工员"),
        "员级",
    ),
}  # fmt: skip
# A title written with its level in front (正高级农艺师, 副高级工程师) says it too.
_LEVEL_PREFIXES = ("正高级", "副高级")


def level_from_title(title: str) -> str | None:
    """The level of a title written as text when its name says it without doubt (高级工程师 → 副高级,
    正高级工程师 → 正高级, 工程师 → 中级: :data:`TITLE_LEVELS`, or a 正高级/副高级 prefix), else None (the
    level is then chosen by hand: 副总工程师 is a post, 高级技师 a skill grade)."""
    name = normalize_name(title)
    if not name:
        return None
    if name in LEVELS:
        return name
    if name in TITLE_LEVELS:
        return TITLE_LEVELS[name]
    return next((prefix for prefix in _LEVEL_PREFIXES if name.startswith(prefix)), None)


def committee_level(scope_levels: list[str]) -> str | None:
    """The level a committee reviews at, read from its scope rows' levels (group words expanded): the group
    of its highest level (初级, 中级 or 高级), as 人社部令第40号 divides committees; None without a level."""
    try:
        levels = expand_levels(scope_levels)
    except ValueError:
        levels = tuple(x for x in scope_levels if x in LEVELS)
    if not levels:
        return None
    top = levels[-1]
    return next((group for group, members in LEVEL_GROUPS.items() if top in members), top)


def required_level(committee_level_: str | None) -> str | None:
    """The lowest title level an expert of a committee at that level must hold ("相应层级的职称"): the
    lowest level of its group (a 高级 committee: 副高级 or 正高级); None when the committee's level is
    unknown (then the level is not checked, only recorded)."""
    if committee_level_ is None:
        return None
    return LEVEL_GROUPS.get(committee_level_, (committee_level_,))[0]


def level_at_least(level: str, floor: str) -> bool:
    """Whether ``level`` is ``floor`` or above (both among the five levels)."""
    return LEVELS.index(level) >= LEVELS.index(floor)


class Unqualified(StrEnum):
    """Why an expert of the pool may not be drawn (the reasons a short draw counts)."""

    TERM = "term"  # the term does not cover the meeting's day
    LEVEL_UNKNOWN = "level_unknown"  # the title's level is not filled in (待补充)
    LEVEL = "level"  # the title's level is below the committee's


def disqualification(
    title_level: str | None, appointed_on: date, term_ends: date, floor: str | None, day: date
) -> Unqualified | None:
    """Why an expert may not sit on a panel meeting on ``day`` of a committee whose experts hold at least
    ``floor``; None when they may."""
    if not in_term(appointed_on, term_ends, day):
        return Unqualified.TERM
    if title_level is None:
        return Unqualified.LEVEL_UNKNOWN
    if floor is not None and not level_at_least(title_level, floor):
        return Unqualified.LEVEL
    return None


def disqualification_words(why: Unqualified, floor: str | None) -> str:
    """The reason in words, with the regulation."""
    if why is Unqualified.TERM:
        return T_("该专家的任期不含会议日期（任期已满或尚未开始，%(regulation)s）", regulation=REGULATION)
    if why is Unqualified.LEVEL_UNKNOWN:
        return N_("该专家的现有职称层级待补充，补充后才能抽取")
    return T_(
        "该专家的现有职称层级低于%(floor)s，不具备本评委会相应层级的职称（%(regulation)s）",
        floor=floor or "",
        regulation=REGULATION,
    )


def shortfall(
    available: int, size: int, counts: dict[Unqualified, int], recused: int, floor: str | None
) -> str:
    """Why a draw of ``size`` cannot be made from ``available`` qualified experts: how many are missing,
    and how many of the series' experts were left out for their term, their level or a recusal."""
    parts: list[str] = []
    if counts.get(Unqualified.TERM):
        parts.append(T_("%(n)s人任期不含会议日期", n=counts[Unqualified.TERM]))
    if counts.get(Unqualified.LEVEL):
        parts.append(T_("%(n)s人现有职称层级低于%(floor)s", n=counts[Unqualified.LEVEL], floor=floor or ""))
    if counts.get(Unqualified.LEVEL_UNKNOWN):
        parts.append(T_("%(n)s人现有职称层级待补充", n=counts[Unqualified.LEVEL_UNKNOWN]))
    if recused:
        parts.append(T_("%(n)s人须回避", n=recused))
    if not parts:
        return T_(
            "本系列（专业）符合条件的专家只有%(n)s人，还差%(missing)s人；请先补充专家库",
            n=available,
            missing=size - available,
        )
    return T_(
        "本系列（专业）符合条件的专家只有%(n)s人，还差%(missing)s人（另有%(excluded)s，%(regulation)s）；"
        "请先补充专家库",
        n=available,
        missing=size - available,
        excluded=joined(parts, "，"),
        regulation=REGULATION,
    )


def series_refusal(series: str, known_series: tuple[str, ...]) -> str | None:
    """Why an expert's series would never meet an application's: the draw takes the experts whose series
    is an agenda application's series, compared as the applications write it (in Chinese), so a series
    the applications never use ("Engineering" for 工程) is never drawn for them. ``known_series``: the start
    form's list and the series this committee's applications use. (A specialty is compared only besides
    the series: a 工程 expert in 桥梁工程 is drawn for every 工程 application, so it is not refused.)"""
    if not series or names_match(series, known_series):
        return None
    return T_(
        "“%(series)s”不是申报使用的职称系列：请从列表中选择，按申报的中文名称填写，"
        "否则抽取专家时不会与任何申报对应",
        series=series,
    )


class Organised(StrEnum):
    """How a committee is organised, as far as its record tells (it does not store it)."""

    SERIES = "series"
    SPECIALTY = "specialty"
    UNKNOWN = "unknown"


def organised_by(name: str) -> Organised:
    """How a committee is organised, read from its name: "…系列…专业…评审委员会" or "…专业…" is organised by
    specialty, "…系列…" without a specialty by series; else unknown."""
    if "专业" in name:
        return Organised.SPECIALTY
    if "系列" in name:
        return Organised.SERIES
    return Organised.UNKNOWN


def pool_warnings(qualified: int, level: str | None, organised: Organised) -> list[str]:
    """What the office is warned of (not stopped by) about its pool of ``qualified`` active experts in
    term at the committee's level: committee members are odd in number; a senior committee has at least
    25 experts when organised by series, 11 by specialty (provincial HR may adjust: a warning, not a
    refusal). An unknown organisation is held to the lower minimum, and the warning says so."""
    found: list[str] = []
    if level == "高级":
        minimum = SERIES_MINIMUM if organised is Organised.SERIES else SPECIALTY_MINIMUM
        if qualified < minimum:
            if organised is Organised.UNKNOWN:
                found.append(
                    T_(
                        "高级评委会的评审专家按专业组建的不少于%(minimum)s人、按系列组建的不少于%(series)s人"
                        "（%(regulation)s，省级人社部门可调整）；本库在任且符合层级的专家只有%(n)s人",
                        minimum=minimum,
                        series=SERIES_MINIMUM,
                        regulation=REGULATION,
                        n=qualified,
                    )
                )
            elif organised is Organised.SERIES:
                found.append(
                    T_(
                        "按系列组建的高级评委会评审专家不少于%(minimum)s人（%(regulation)s，省级人社部门可调整）；"
                        "本库在任且符合层级的专家只有%(n)s人",
                        minimum=minimum,
                        regulation=REGULATION,
                        n=qualified,
                    )
                )
            else:
                found.append(
                    T_(
                        "按专业组建的高级评委会评审专家不少于%(minimum)s人（%(regulation)s，省级人社部门可调整）；"
                        "本库在任且符合层级的专家只有%(n)s人",
                        minimum=minimum,
                        regulation=REGULATION,
                        n=qualified,
                    )
                )
    if qualified and qualified % 2 == 0:
        found.append(
            T_(
                "评委会组成人员应为单数（%(regulation)s）；本库在任且符合层级的专家为%(n)s人",
                regulation=REGULATION,
                n=qualified,
            )
        )
    return found


# --- the vote: quorum, threshold, tally, pass rate (the profile's VoteRule, CHAN-06) -----------------------


def at_least(part: int, whole: int, fraction: tuple[int, int]) -> bool:
    """Whether ``part`` is at least ``fraction`` of ``whole`` (exact: no floating point)."""
    numerator, denominator = fraction
    return part * denominator >= numerator * whole


def needed(whole: int, fraction: tuple[int, int]) -> int:
    """The smallest count that is at least ``fraction`` of ``whole``."""
    numerator, denominator = fraction
    return -(-numerator * whole // denominator)


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    present: int
    needed: int  # yes votes needed to pass
    passed: bool

    @property
    def words(self) -> Text:
        """The result as its timeline and notice say it (totals only): a message, so the history note it
        becomes reads in each reader's language (its Chinese text is what the note column keeps)."""
        totals = {
            "present": self.present,
            "yes": self.yes,
            "no": self.no,
            "abstain": self.abstain,
            "needed": self.needed,
        }
        if self.passed:
            return T_(
                "出席专家%(present)d人，赞成%(yes)d票、反对%(no)d票、弃权%(abstain)d票，通过须赞成%(needed)d票：通过",
                **totals,
            )
        return T_(
            "出席专家%(present)d人，赞成%(yes)d票、反对%(no)d票、弃权%(abstain)d票，通过须赞成%(needed)d票：未通过",
            **totals,
        )


def tally(choices: list[str], present: int, rule: VoteRule) -> Tally:
    """Count one entry's ballots: it passes with at least the threshold of the experts present."""
    yes, no = choices.count("yes"), choices.count("no")
    abstain = len(choices) - yes - no
    return Tally(
        yes, no, abstain, present, needed(present, rule.threshold), at_least(yes, present, rule.threshold)
    )


def pass_rate(passed: int, total: int) -> int:
    """The pass rate in whole percent, rounded up (a rate over its limit is never rounded under it)."""
    return 0 if total == 0 else -(-passed * 100 // total)


# The province's e-certificate number as printed (issue 22.6): letters, digits and hyphens; the province
# numbers it, the bureau types or imports it.
CERTIFICATE_NO = re.compile(r"[A-Z0-9][A-Z0-9-]{5,39}")


def certificate_no(raw: str) -> str:
    """The number as stored: trimmed and upper-case (a typed lower-case letter is the same number)."""
    return raw.strip().upper()


@dataclass(frozen=True)
class NumbersEntered:
    """How far a published meeting's certificate numbers are entered (issue 22.6): its passed people, and
    how many of them have the province's number. The meeting page's card and the meetings list say it."""

    passed: int
    entered: int

    @property
    def left(self) -> int:
        return self.passed - self.entered

    @property
    def complete(self) -> bool:
        """Every passed person has a number (so too a meeting nobody passed: nothing is left to enter)."""
        return self.entered >= self.passed

    @property
    def words(self) -> str:
        """What the meetings list says of it, in Chinese (a `Text` where it counts): the list's Excel writes
        it, a document that stays Chinese whatever the interface language."""
        if self.complete:
            return N_("证书编号已全部录入")
        return T_("证书编号已录入 %(done)d/%(total)d", done=self.entered, total=self.passed)
