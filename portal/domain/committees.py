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

from portal.domain.i18n import N_, T_
from portal.domain.policy import FilingRule, ProvincialWindows, VoteRule, names_match, normalize_name
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
    def words(self) -> str:
        """The result as its timeline and notice say it (totals only)."""
        verdict = "通过" if self.passed else "未通过"
        return (
            f"出席专家{self.present}人，赞成{self.yes}票、反对{self.no}票、弃权{self.abstain}票，"
            f"通过须赞成{self.needed}票：{verdict}"
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
