"""The facts an eligibility check reads about one application, and their reading from FACTS.json.

Every field may be None: the fact is unknown, and a rule that needs it gives a "manual" finding rather
than passing silently. The web builds :class:`Facts` itself (services.eligibility); :meth:`Facts.from_json`
reads the FACTS.json shape of issue #5 for ``flask policy check``, strictly: a wrong type, a bad date or an
unknown key raises ValueError naming the key.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.domain.policy import CATEGORY_NAMES, EDUCATION_LEVELS, LEVELS, PATHWAYS

OWNERSHIPS: tuple[str, ...] = ("国有", "非国有")
# The applicant categories that change the rules (issue 21.9; policy-spec SCOPE-02/05/09/10/11).
CATEGORIES: tuple[str, ...] = CATEGORY_NAMES
DEGREE_TYPES: tuple[str, ...] = ("学术学位", "专业学位")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")  # ASCII digits only (DESIGN.md §5)
_YEAR = re.compile(r"^[0-9]{4}$")


@dataclass(frozen=True, kw_only=True)
class Employer:
    ownership: str | None = None  # 国有 | 非国有
    region: str | None = None  # e.g. 章贡区, 赣州经济技术开发区, 东川区
    township: bool | None = None  # works in a 乡镇（街道） (EARLY-01)


@dataclass(frozen=True, kw_only=True)
class Education:
    level: str | None = None  # 中专 | 大专 | 本科 | 硕士 | 博士
    degree: str | None = None  # e.g. 学士, 第二学士, 硕士, 博士
    degree_type: str | None = None  # 学术学位 | 专业学位 (EARLY-02)
    major: str | None = None
    graduated_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class WorkPeriod:
    """A period of work. ``ongoing`` is True when "to" is null, None when "to" is not given at all."""

    start: date | None = None
    end: date | None = None
    ongoing: bool | None = None
    professional: bool | None = None
    internship: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Title:
    level: str | None = None
    obtained_on: date | None = None
    province: str | None = None  # where it was certified (EQUIV-03/04: another region's title)
    series: str | None = None


@dataclass(frozen=True, kw_only=True)
class Qualification:
    name: str
    valid_until: date | None = None


@dataclass(frozen=True, kw_only=True)
class Exam:
    """A national exam taken (EXAM-03): its name, year, whether the score reached the pass line, and the
    last day the result counts."""

    name: str
    year: int | None = None
    passed: bool | None = None
    valid_until: date | None = None


@dataclass(frozen=True, kw_only=True)
class SocialInsurance:
    months: int | None = None  # months of contributions (consecutive, up to now, where the rule says so)
    unit_matches: bool | None = None  # insuring unit = applying (contract) unit
    affiliation_proof: bool | None = None  # SI-02: affiliation proof with both seals uploaded


@dataclass(frozen=True, kw_only=True)
class Facts:
    """What is known about one application. ``has_title`` is None (unknown), False (``current_title``
    was null: no title yet) or True (``current_title`` holds it)."""

    pathway: str | None = None
    series: str | None = None
    specialty: str | None = None
    level: str | None = None
    cutoff: date | None = None
    employer: Employer | None = None
    employment_type: str | None = None
    education: tuple[Education, ...] | None = None
    major_matches: bool | None = None
    work: tuple[WorkPeriod, ...] | None = None
    has_title: bool | None = None
    current_title: Title | None = None
    qualifications: tuple[Qualification, ...] | None = None
    social_insurance: SocialInsurance | None = None
    continuing_education_hours: tuple[tuple[int, float], ...] | None = None
    authority: str | None = None
    returns_after_unit_approval: int | None = None
    # Issue 21: facts the full 申报表 and the unit's opinion give.
    exams: tuple[Exam, ...] | None = None
    categories: frozenset[str] | None = None  # 自由职业, 档案托管, 高技能人才, 基层事业单位, 职业学校教师
    teaching_in_k12: bool | None = None  # a vocational teacher's subject is a K-12 subject (SCOPE-11)
    consent_recorded: bool | None = None  # SCOPE-05: the provincial title office's consent is recorded
    on_establishment: bool | None = None  # 在编 (SI-01: the 编制册 instead of the contributions)
    assessment_passed: bool | None = None  # PREQ-03: the unit attests the annual assessment (考核合格)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Facts:
        """Facts from the FACTS.json shape of issue #5. Missing keys (and null) are unknown; a wrong type,
        a bad date or an unknown key raises ValueError naming the key."""
        r = _Reader(data, "")
        employer = r.obj("employer")
        si = r.obj("social_insurance")
        has_title: bool | None = None
        title = None
        if "current_title" in r.data:
            t = r.obj("current_title")
            has_title = t is not None
            if t is not None:
                title = Title(
                    level=t.choice("level", LEVELS),
                    obtained_on=t.day("obtained_on"),
                    province=t.text("province"),
                    series=t.text("series"),
                )
                t.done()
        facts = cls(
            pathway=r.choice("pathway", PATHWAYS),
            series=r.text("series"),
            specialty=r.text("specialty"),
            level=r.choice("level", LEVELS),
            cutoff=r.day("cutoff"),
            employer=None if employer is None else _employer(employer),
            employment_type=r.text("employment_type"),
            education=r.items("education", _education),
            major_matches=r.flag("major_matches"),
            work=r.items("work", _work),
            has_title=has_title,
            current_title=title,
            qualifications=r.items("qualifications", _qualification, strings_ok=True),
            social_insurance=None if si is None else _social(si),
            continuing_education_hours=r.hours("continuing_education_hours"),
            authority=r.text("authority"),
            returns_after_unit_approval=r.count("returns_after_unit_approval"),
            exams=r.items("exams", _exam),
            categories=r.categories("categories"),
            teaching_in_k12=r.flag("teaching_in_k12"),
            consent_recorded=r.flag("consent_recorded"),
            on_establishment=r.flag("on_establishment"),
            assessment_passed=r.flag("assessment_passed"),
        )
        r.read.add("current_title")
        r.done()
        return facts

    def hours_for(self, year: int) -> float | None:
        if self.continuing_education_hours is None:
            return None
        return dict(self.continuing_education_hours).get(year)


class _Reader:
    """Typed, key-naming access to one JSON object of the facts.

    Its errors go to policy maintainers through `flask policy check` (the web builds Facts itself, never
    from JSON), so like the CLI's own they are written in both languages at once, "键: 中文 (English)",
    rather than as messages translated at display."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{path or 'facts'}: 应为对象 (expected an object)")
        self.data = data
        self.path = path
        self.read: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def fail(self, name: str, zh: str, en: str) -> ValueError:
        return ValueError(f"{self.key(name)}: {zh} ({en})")

    def raw(self, name: str) -> Any:
        self.read.add(name)
        return self.data.get(name)

    def text(self, name: str) -> str | None:
        v = self.raw(name)
        if v is None:
            return None
        if not isinstance(v, str):
            raise self.fail(name, "应为字符串", "expected a string")
        return v.strip() or None

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        v = self.text(name)
        if v is not None and v not in allowed:
            raise self.fail(
                name, f"应为 {'|'.join(allowed)} 之一，而不是「{v}」", f"expected one of {allowed}"
            )
        return v

    def flag(self, name: str) -> bool | None:
        v = self.raw(name)
        if v is not None and not isinstance(v, bool):
            raise self.fail(name, "应为 true 或 false", "expected a boolean")
        return v

    def count(self, name: str) -> int | None:
        v = self.raw(name)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise self.fail(name, "应为非负整数", "expected a non-negative integer")
        return v

    def day(self, name: str) -> date | None:
        v = self.raw(name)
        if v is None:
            return None
        if not isinstance(v, str) or not _ISO_DATE.match(v):
            raise self.fail(name, "应为日期 YYYY-MM-DD", "expected a date YYYY-MM-DD")
        try:
            return date.fromisoformat(v)
        except ValueError:
            raise self.fail(name, f"日期「{v}」不存在", f"no such date {v!r}") from None

    def obj(self, name: str) -> _Reader | None:
        v = self.raw(name)
        return None if v is None else _Reader(v, self.key(name))

    def items(self, name: str, parse: Any, *, strings_ok: bool = False) -> tuple[Any, ...] | None:
        v = self.raw(name)
        if v is None:
            return None
        if not isinstance(v, list):
            raise self.fail(name, "应为列表", "expected a list")
        out = []
        for i, item in enumerate(v):
            path = f"{self.key(name)}[{i}]"
            if strings_ok and isinstance(item, str):
                out.append(Qualification(name=item))
                continue
            out.append(parse(_Reader(item, path)))
        return tuple(out)

    def hours(self, name: str) -> tuple[tuple[int, float], ...] | None:
        v = self.raw(name)
        if v is None:
            return None
        if not isinstance(v, Mapping):
            raise self.fail(name, '应为对象 {"YYYY": 学时}', "expected an object of year -> hours")
        out = []
        for year, hours in v.items():
            if not isinstance(year, str) or not _YEAR.match(year):
                raise self.fail(f"{name}.{year}", "年份应为四位数字", "expected a four-digit year")
            if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
                raise self.fail(f"{name}.{year}", "学时应为非负数", "expected a non-negative number")
            out.append((int(year), float(hours)))
        return tuple(sorted(out))

    def categories(self, name: str) -> frozenset[str] | None:
        v = self.raw(name)
        if v is None:
            return None
        if not isinstance(v, list) or not all(isinstance(x, str) and x in CATEGORIES for x in v):
            raise self.fail(name, f"应为 {'|'.join(CATEGORIES)} 的列表", f"expected a list of {CATEGORIES}")
        return frozenset(v)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise self.fail(str(unknown[0]), "未知的键", "unknown key")


def _employer(r: _Reader) -> Employer:
    value = Employer(
        ownership=r.choice("ownership", OWNERSHIPS), region=r.text("region"), township=r.flag("township")
    )
    r.done()
    return value


def _education(r: _Reader) -> Education:
    value = Education(
        level=r.choice("level", EDUCATION_LEVELS),
        degree=r.text("degree"),
        degree_type=r.choice("degree_type", DEGREE_TYPES),
        major=r.text("major"),
        graduated_on=r.day("graduated_on"),
    )
    r.done()
    return value


def _work(r: _Reader) -> WorkPeriod:
    start = r.day("from")
    end = r.day("to")
    ongoing = None if "to" not in r.data else end is None
    if start is not None and end is not None and end < start:
        raise r.fail("to", f"结束日期 {end} 早于开始日期 {start}", "ends before it starts")
    value = WorkPeriod(
        start=start,
        end=end,
        ongoing=ongoing,
        professional=r.flag("professional"),
        internship=r.flag("internship"),
    )
    r.done()
    return value


def _qualification(r: _Reader) -> Qualification:
    name = r.text("name")
    if name is None:
        raise r.fail("name", "缺少资格名称", "a qualification needs a name")
    value = Qualification(name=name, valid_until=r.day("valid_until"))
    r.done()
    return value


def _exam(r: _Reader) -> Exam:
    name = r.text("name")
    if name is None:
        raise r.fail("name", "缺少考试名称", "an exam needs a name")
    year = r.count("year")
    value = Exam(name=name, year=year, passed=r.flag("passed"), valid_until=r.day("valid_until"))
    r.done()
    return value


def _social(r: _Reader) -> SocialInsurance:
    value = SocialInsurance(
        months=r.count("months"),
        unit_matches=r.flag("unit_matches"),
        affiliation_proof=r.flag("affiliation_proof"),
    )
    r.done()
    return value
