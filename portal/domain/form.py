"""The 申报表 as data: its flat fields and its repeating sections (学历学位, 工作经历, 现有职称/职业资格,
考试, 继续教育, 业绩成果, 论文著作, 奖励, 专利标准), each field typed, each row validated, each bad
value refused at its field with a Chinese message while every other value is kept (issue 21).

A form arrives as strings (``education-0-school``); :func:`parse_form` turns it into typed values per
field and row plus the errors of the invalid ones, never raising. Values are stored as JSON-able values
(dates ISO, numbers as numbers) and read back typed by :func:`typed`. What a row means for eligibility and
which material slot it asks for are decided by the services (portal.services.forms) and
portal.domain.materials; this module only knows the form.

Rules cited here: MAT-12 (002 四(一): basic data, education/degree, work history, work summary), MAT-09
(004 二(八): the 学信网 备案表 code and its 6-month validity), MAT-08 (002 五(二): foreign degrees), EXAM-03
(003 二(五): the exam's pass line and validity), CE-01 (003 二(九): hours per year, 公需 and 专业).

Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from portal.domain.dates import read_day
from portal.domain.glossary import cn_date
from portal.domain.i18n import N_, T_, Clause, Label, Text
from portal.domain.policy import EDUCATION_LEVELS, LEVELS, PolicyProfile


class FieldKind(StrEnum):
    TEXT = "text"
    LONG = "long"  # a textarea
    DATE = "date"
    CHOICE = "choice"
    FLAG = "flag"  # a checkbox
    INT = "int"
    NUMBER = "number"  # hours, scores: decimals allowed
    YEAR = "year"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    limit: int = 100  # characters of a text field
    hint: str = ""
    # The hint states one notice's rule (the township's year early, Kunming's EARLY-01): shown only where
    # the bureau's profile has that rule, with its clause (FormClauses.hints), never elsewhere.
    cited_hint: bool = False
    low: float | None = None  # numbers and years
    high: float | None = None
    future_ok: bool = False  # dates: a validity end may lie ahead; dates of what happened may not
    # What the field left empty means, where it means something ("至今": a job not ended); shown instead of
    # "（空）" where the field cannot be edited.
    blank: str = ""

    @property
    def input_type(self) -> str:
        return {
            FieldKind.DATE: "date",
            FieldKind.INT: "text",
            FieldKind.NUMBER: "text",
            FieldKind.YEAR: "text",
        }.get(self.kind, "text")


class SectionKey(StrEnum):
    """The repeating sections, in the order the provinces' 申报表 list them (MAT-12, MAT-14)."""

    EDUCATION = "education"
    WORK = "work"
    TITLE = "title"
    EXAM = "exam"
    CE = "ce"
    ACHIEVEMENT = "achievement"
    PAPER = "paper"
    AWARD = "award"
    PATENT = "patent"


DEGREES: tuple[str, ...] = (N_("无"), N_("学士"), N_("第二学士"), N_("硕士"), N_("博士"))
DEGREE_TYPES: tuple[str, ...] = (N_("学术学位"), N_("专业学位"))
STUDY_MODES: tuple[str, ...] = (N_("全日制"), N_("在职"))
MAJOR_MATCH: tuple[str, ...] = (N_("相同或相近"), N_("不同"))
YES_NO: tuple[str, ...] = (N_("是"), N_("否"))
TITLE_KINDS: tuple[str, ...] = (N_("职称"), N_("职业资格"))
LINE_TYPES: tuple[str, ...] = (N_("国家合格线"), N_("省合格线"))
AWARD_LEVELS: tuple[str, ...] = (N_("国家级"), N_("省部级"), N_("市级"), N_("县区级"), N_("其他"))
PATENT_KINDS: tuple[str, ...] = (
    N_("发明专利"),
    N_("实用新型专利"),
    N_("外观设计专利"),
    N_("国家标准"),
    N_("行业标准"),
    N_("地方标准"),
    N_("团体标准"),
)
PAPER_KINDS: tuple[str, ...] = (N_("论文"), N_("著作"))
SKILL_LEVELS: tuple[str, ...] = (N_("高级工"), N_("技师"), N_("高级技师"), N_("特级技师"), N_("首席技师"))
# A degree needs at least this education (学士 ← 本科 …): "a degree above the school's level" is refused.
DEGREE_NEEDS: dict[str, str] = {"学士": "本科", "第二学士": "本科", "硕士": "硕士", "博士": "博士"}
XUEXIN_FROM_YEAR = 2002  # 004 二(八): graduates from 2002 on are on 学信网

_ISSN = re.compile(r"^[0-9]{4}-[0-9]{3}[0-9X]$")
_CN = re.compile(r"^[0-9]{2}-[0-9]{4}/[A-Z0-9.]{1,8}$")
_XUEXIN = re.compile(r"^[0-9A-Z]{8,24}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _f(name: str, title: str, kind: FieldKind = FieldKind.TEXT, **options: Any) -> FieldSpec:
    return FieldSpec(name, title, kind, **options)


D, C, FL, N, Y, L, INT = (
    FieldKind.DATE,
    FieldKind.CHOICE,
    FieldKind.FLAG,
    FieldKind.NUMBER,
    FieldKind.YEAR,
    FieldKind.LONG,
    FieldKind.INT,
)


@dataclass(frozen=True)
class SectionSpec:
    key: SectionKey
    title: str
    fields: tuple[FieldSpec, ...]
    clause: str  # why the form asks for it
    add_label: str  # the button that adds a row
    label: Callable[[Mapping[str, Any]], Label]  # a row's short name ("南昌大学 本科"), as parts
    hint: str = ""
    max_rows: int = 30

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _typed(*values: Any) -> Label:
    """A label of values the person typed."""
    return Label(*((value, False) for value in values))


def _year(value: Any) -> Text | None:
    return T_("%(year)s年", year=str(value)) if value else None


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        SectionKey.EDUCATION,
        N_("学历学位"),
        (
            _f("level", N_("学历"), C, required=True, choices=EDUCATION_LEVELS),
            _f("mode", N_("学习形式"), C, required=True, choices=STUDY_MODES),
            _f("school", N_("毕业院校"), required=True),
            _f("major", N_("所学专业"), required=True),
            _f(
                "major_match",
                N_("与申报专业"),
                C,
                required=True,
                choices=MAJOR_MATCH,
                hint=N_("所学专业与申报（从事）专业是否相同或相近"),
            ),
            _f("degree", N_("学位"), C, required=True, choices=DEGREES),
            _f(
                "degree_type",
                N_("学位类型"),
                C,
                choices=DEGREE_TYPES,
                hint=N_("专业学位如工程硕士；没有学位可不选"),
            ),
            _f("started_on", N_("入学时间"), D),
            _f("graduated_on", N_("毕业时间"), D, required=True),
            _f("certificate_no", N_("毕业证书编号"), limit=40),
            _f("overseas", N_("国（境）外学历"), FL, hint=N_("需教育部留学服务中心认证书")),
            _f("cscse_no", N_("留学服务中心认证书编号"), limit=40),
            _f(
                "xuexin_code",
                N_("学信网在线验证码"),
                limit=24,
                hint=N_("见《教育部学历证书电子注册备案表》，2002年及以后国内毕业填写"),
            ),
            _f("xuexin_on", N_("备案表打印日期"), D, hint=N_("在线验证有效期6个月")),
        ),
        "002 四(一)；004 二(八)；002 五(二)",
        N_("添加学历"),
        lambda r: Label((r.get("school"), False), (r.get("level"), True)),
        hint=N_("从最高学历起填写每一段学历；在职取得的学历也请填写。"),
    ),
    SectionSpec(
        SectionKey.WORK,
        N_("工作经历"),
        (
            _f("employer", N_("工作单位"), required=True),
            _f("post", N_("岗位（职务）"), required=True, limit=50),
            _f("professional", N_("专业技术工作"), C, required=True, choices=YES_NO),
            _f("started_on", N_("开始时间"), D, required=True),
            _f("ended_on", N_("结束时间"), D, hint=N_("至今在职的不填"), blank=N_("至今")),
            _f("internship", N_("在校期间实习"), FL, hint=N_("在校实习经历，按政策计入或不计入年限")),
        ),
        "002 四(一)；001 四(三)",
        N_("添加工作经历"),
        lambda r: _typed(r.get("employer"), r.get("post")),
        hint=N_("按时间顺序填写；期间重叠的部分按一段计算工作年限。"),
    ),
    SectionSpec(
        SectionKey.TITLE,
        N_("现有职称 / 职业资格"),
        (
            _f("kind", N_("类别"), C, required=True, choices=TITLE_KINDS),
            _f("name", N_("名称"), required=True, hint=N_("如 助理工程师、二级建造师")),
            _f("series", N_("系列（专业）"), limit=50),
            _f("level", N_("级别"), C, choices=LEVELS, hint=N_("职业资格可不选，按对应目录确定")),
            _f("obtained_on", N_("取得时间"), D, required=True),
            _f("authority", N_("发证机关"), limit=60),
            _f("province", N_("发证地（省）"), limit=20, hint=N_("外省取得的职称请如实填写")),
            _f("certificate_no", N_("证书编号"), limit=40),
            _f("valid_until", N_("有效期至"), D, future_ok=True, hint=N_("长期有效不填")),
        ),
        "003 二(四)(七)；004 一(五)(十)",
        N_("添加职称或资格"),
        lambda r: Label((r.get("name"), False), (r.get("level"), True)),
    ),
    SectionSpec(
        SectionKey.EXAM,
        N_("考试"),
        (
            _f("name", N_("考试名称"), required=True, hint=N_("如 全国高级会计师资格考试")),
            _f("year", N_("考试年度"), Y, required=True),
            _f("score", N_("成绩"), N, required=True, low=0, high=1000),
            _f("pass_line", N_("合格线"), N, required=True, low=0, high=1000),
            _f("line_type", N_("合格线类别"), C, choices=LINE_TYPES),
            _f("valid_until", N_("成绩有效期至"), D, future_ok=True),
        ),
        "003 二(五)",
        N_("添加考试"),
        lambda r: Label((r.get("name"), False), (_year(r.get("year")), True)),
    ),
    SectionSpec(
        SectionKey.CE,
        N_("继续教育"),
        (
            _f("year", N_("年度"), Y, required=True),
            _f("public_hours", N_("公需科目学时"), N, required=True, low=0, high=500),
            _f("professional_hours", N_("专业科目学时"), N, required=True, low=0, high=500),
        ),
        "003 二(九)",
        N_("添加年度"),
        lambda r: Label((_year(r.get("year")), True)),
        hint=N_("按年度填写公需科目和专业科目学时。"),
    ),
    SectionSpec(
        SectionKey.ACHIEVEMENT,
        N_("业绩成果"),
        (
            _f("title", N_("项目（成果）名称"), required=True),
            _f("role", N_("本人角色"), limit=30),
            _f("finished_on", N_("完成时间"), D, required=True),
            _f("description", N_("主要内容"), L, limit=500),
        ),
        "002 四(一)",
        N_("添加业绩成果"),
        lambda r: _typed(r.get("title")),
    ),
    SectionSpec(
        SectionKey.PAPER,
        N_("论文著作"),
        (
            _f("kind", N_("类别"), C, required=True, choices=PAPER_KINDS),
            _f("title", N_("题目（书名）"), required=True),
            _f("journal", N_("期刊（出版社）"), required=True, limit=60),
            _f("issn", "ISSN", limit=9, hint=N_("如 1000-1234")),
            _f("cn", "CN", limit=16, hint=N_("如 11-1234/TU")),
            _f("published_on", N_("发表（出版）时间"), D, required=True),
            _f("author_order", N_("作者排序"), INT, required=True, low=1, high=50),
        ),
        "002 四(一)",
        N_("添加论文著作"),
        lambda r: _typed(r.get("title")),
    ),
    SectionSpec(
        SectionKey.AWARD,
        N_("奖励"),
        (
            _f("name", N_("奖项名称"), required=True),
            _f("grade", N_("级别"), C, required=True, choices=AWARD_LEVELS),
            _f("rank", N_("等次"), limit=20, hint=N_("如 一等奖")),
            _f("awarded_on", N_("获奖时间"), D, required=True),
            _f("issuer", N_("授奖单位"), limit=60),
        ),
        "002 四(一)",
        N_("添加奖励"),
        lambda r: _typed(r.get("name")),
    ),
    SectionSpec(
        SectionKey.PATENT,
        N_("专利 / 标准"),
        (
            _f("kind", N_("类别"), C, required=True, choices=PATENT_KINDS),
            _f("title", N_("名称"), required=True),
            _f("number", N_("专利号（标准号）"), required=True, limit=40),
            _f("granted_on", N_("授权（发布）时间"), D, required=True),
            _f("author_order", N_("本人排序"), INT, low=1, high=50),
        ),
        "002 四(一)",
        N_("添加专利或标准"),
        lambda r: _typed(r.get("number"), r.get("title")),
    ),
)
SECTION_BY_KEY: dict[str, SectionSpec] = {s.key.value: s for s in SECTIONS}

# The flat fields: what the form asks once. The applicant categories change the rules (issue 21.9); each
# cites the clause that makes it matter.
FLAT_FIELDS: tuple[FieldSpec, ...] = (
    _f("no_title", N_("尚无职称或职业资格（首次申报）"), FL),
    # Its clause (SI-01, Ganzhou's 000 三(四)) comes from the bureau's profile: FormClauses.establishment.
    _f("on_establishment", N_("事业单位在编人员"), FL, hint=N_("需上传编制册")),
    # The categories' hints are their clauses alone, from the bureau's profile (FormClauses.categories): the
    # township's EARLY-01 (Kunming's 004 一(八)), SCOPE-02/09/10 (Zhenjiang's 003), SCOPE-05 (Ganzhou
    # 2026's 001 三(四)), SCOPE-11 (Ganzhou's 000/001 三(三)); nothing under a profile without the rule.
    _f("township", N_("工作单位位于乡镇（街道）"), FL, hint=N_("首次申报评审可提前一年"), cited_hint=True),
    _f("freelancer", N_("自由职业专业技术人员，经人事代理机构申报"), FL),
    _f("agency_name", N_("人事代理机构名称"), limit=60),
    _f("archive_hosted", N_("人事档案由公共就业服务机构托管（无用人单位）"), FL),
    _f("archive_holder", N_("档案托管机构"), limit=60),
    _f("consent_reference", N_("省职称办同意文号"), limit=60, hint=N_("经市职称办汇总、省职称办同意后填写")),
    _f("consent_on", N_("同意日期"), D),
    _f("high_skill", N_("高技能人才，申报贯通领域职称"), FL),
    _f("skill_level", N_("职业技能等级"), C, choices=SKILL_LEVELS),
    _f("grassroots", N_("基层事业单位（教育、卫生、农业）专业技术人员"), FL),
    _f("vocational_teacher", N_("职业学校（职业高中）教师"), FL),
    _f("teaching_in_k12", N_("任教学科属中小学学科范围"), C, choices=YES_NO),
    _f(
        "work_summary",
        N_("工作总结"),
        L,
        limit=4000,
        # Its clause (MAT-12, Nantong's 002 四(一)) comes from the bureau's profile: FormClauses.summary.
        hint=N_("任现职以来的主要工作和业绩，4000字以内"),
    ),
)
FLAT_BY_NAME: dict[str, FieldSpec] = {f.name: f for f in FLAT_FIELDS}
# The flags naming an applicant category of the profiles' [[categories]] (issue 21.9).
CATEGORY_FLAGS: dict[str, str] = {
    "freelancer": "自由职业",
    "archive_hosted": "档案托管",
    "high_skill": "高技能人才",
    "grassroots": "基层事业单位",
    "vocational_teacher": "职业学校教师",
}
CATEGORY_FIELDS: tuple[str, ...] = (
    "freelancer",
    "agency_name",
    "archive_hosted",
    "archive_holder",
    "consent_reference",
    "consent_on",
    "high_skill",
    "skill_level",
    "grassroots",
    "vocational_teacher",
    "teaching_in_k12",
)


# --- parsing --------------------------------------------------------------------------------------------


def _clean(raw: object) -> str:
    return unicodedata.normalize("NFKC", str(raw or "")).strip()


def parse_value(spec: FieldSpec, raw: object, today: date) -> tuple[Any, str]:
    """One field's typed value and its error ("" when valid). An invalid value comes back as the text
    typed, so the form can show it again."""
    if spec.kind is FieldKind.FLAG:
        return _clean(raw).lower() in {"1", "on", "true", "yes", "是"}, ""
    text = _clean(raw) if spec.kind is not FieldKind.LONG else str(raw or "").strip()
    if not text:
        return None, ""
    if spec.kind in (FieldKind.TEXT, FieldKind.LONG):
        if len(text) > spec.limit:
            return text, T_(
                "%(field)s不能超过%(limit)s字（现有%(count)s字）",
                field=spec.title,
                limit=spec.limit,
                count=len(text),
            )
        return text, ""
    if spec.kind is FieldKind.CHOICE:
        if text not in spec.choices:
            return text, T_("请选择%(field)s", field=spec.title)
        return text, ""
    if spec.kind is FieldKind.DATE:
        # The form takes 2020-07-01 only (the date input's own form); a day that does not exist is said
        # so as everywhere else (dates.no_such_day).
        badly_written = N_("日期格式应为 年-月-日，例如 2020-07-01")
        day, problem = read_day(text, badly_written) if _DATE.match(text) else (None, badly_written)
        if day is None:
            return text, problem
        if day.year < 1950:
            return text, N_("日期不能早于1950年")
        if not spec.future_ok and day > today:
            return text, T_("%(field)s不能晚于今天（%(today)s）", field=spec.title, today=today)
        return day, ""
    if spec.kind is FieldKind.YEAR:
        if not re.fullmatch(r"[0-9]{4}", text):
            return text, T_("%(field)s应为四位年份，例如 2024", field=spec.title)
        year = int(text)
        if year < 1950 or year > today.year:
            return text, T_("%(field)s应在1950年至%(year)s年之间", field=spec.title, year=str(today.year))
        return year, ""
    if spec.kind is FieldKind.INT:
        if not re.fullmatch(r"[0-9]{1,4}", text):
            return text, T_("%(field)s应为整数", field=spec.title)
        number: Any = int(text)
    else:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text, T_("%(field)s应为数字，例如 90 或 72.5", field=spec.title)
        if not number.is_finite() or number.as_tuple().exponent < -1:  # type: ignore[operator]
            return text, T_("%(field)s应为数字，最多一位小数", field=spec.title)
    if (spec.low is not None and number < spec.low) or (spec.high is not None and number > spec.high):
        return text, T_(
            "%(field)s应在%(low)s至%(high)s之间", field=spec.title, low=f"{spec.low:g}", high=f"{spec.high:g}"
        )
    return number, ""


def stored(value: Any) -> Any:
    """A typed value as JSON keeps it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def typed(spec: FieldSpec, value: Any) -> Any:
    """A stored value read back as its type (dates as ``date``)."""
    if value is None or value == "":
        return False if spec.kind is FieldKind.FLAG else None
    if spec.kind is FieldKind.DATE and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def shown(spec: FieldSpec, value: Any) -> str:
    """A value as the UI and the printed form write it."""
    if spec.kind is FieldKind.FLAG:
        return "是" if value else "否"
    if value is None or value == "":
        return ""
    if isinstance(value, date) or (spec.kind is FieldKind.DATE and isinstance(value, str)):
        day = value if isinstance(value, date) else date.fromisoformat(value)
        return cn_date(day)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@dataclass
class ParsedRow:
    """One row as typed: its stored id (None for a new row), its values, and its errors by field."""

    section: SectionKey
    row_id: int | None
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        spec = SECTION_BY_KEY[self.section.value]
        return all(self.values.get(f.name) in (None, False) for f in spec.fields)


@dataclass
class ParsedForm:
    flat: dict[str, Any]
    rows: dict[SectionKey, list[ParsedRow]]
    errors: dict[str, str]  # by input name: "work_summary", "education-0-school"
    sections: frozenset[SectionKey]  # the sections the form carried (a partial pre-check sends one)
    flat_names: frozenset[str]  # the flat fields it carried


def input_name(section: SectionKey | str, index: int, name: str) -> str:
    return f"{SectionKey(section).value}-{index}-{name}"


_ROW_INPUT = re.compile(r"^([a-z]+)-([0-9]{1,3})-([a-z_]+)$")


@dataclass(frozen=True)
class FormClauses:
    """The clauses the form's messages cite, from the bureau's policy profile; "" where the profile names
    none: a message never cites another city's notice."""

    exam_pass: str = ""  # EXAM-03's (Zhenjiang's 003 二(五)): a failed exam supports no application
    establishment: str = ""  # SI-01's (Ganzhou's 000 三(四)): 在编 staff upload the 编制册
    summary: str = ""  # MAT-12's (Nantong's 002 四(一)): the form's work summary
    foreign_degree: str = ""  # MAT-08's (Nantong's 002 五(二)): a degree from abroad is certified
    township: str = ""  # EARLY-01's (Kunming's 004 一(八)): a township's first review one year early
    categories: tuple[tuple[str, str], ...] = ()  # (flag, clause) of each category rule the profile has

    @property
    def hints(self) -> dict[str, Clause]:
        """The flat fields' hint clauses, by field name."""
        named = {
            "on_establishment": self.establishment,
            "work_summary": self.summary,
            "township": self.township,
        }
        named |= dict(self.categories)
        return {name: Clause(clause) for name, clause in named.items() if clause}


NO_CLAUSES = FormClauses()


def form_clauses(profile: PolicyProfile | None) -> FormClauses:
    """What the profile cites for the form's messages: its EXAM-03 rule (a national exam required), its
    social insurance rule where 在编 staff are exempt (they upload the 编制册 instead), and its document
    rules MAT-12 (the work summary) and MAT-08 (a degree from abroad), its township adjustment (EARLY-01)
    and its applicant categories' rules (SCOPE-02/05/09/10/11)."""
    if profile is None:
        return NO_CLAUSES
    township = next((a.citation for a in profile.adjustments if a.condition == "township_first_title"), "")
    by_category = {c.category: c.citation for c in profile.categories}
    categories = tuple(
        (flag, by_category[name]) for flag, name in CATEGORY_FLAGS.items() if by_category.get(name)
    )
    exam = next((r.citation for r in profile.exam_rules if r.kind == "exam_required"), "")
    insurance = profile.social_insurance
    establishment = (
        insurance.citation if insurance is not None and "在编" in insurance.exempt_employment_types else ""
    )
    return FormClauses(
        exam_pass=exam,
        establishment=establishment,
        summary=profile.document_clause("MAT-12"),
        foreign_degree=profile.document_clause("MAT-08"),
        township=township,
        categories=categories,
    )


def _row_checks(row: ParsedRow, today: date, clauses: FormClauses = NO_CLAUSES) -> None:
    """What one row's fields say together: dates in order, a degree the education can carry, a degree from
    abroad's certificate and a score at the pass line (citing the profile's clauses, if any), the 学信网
    code's shape."""
    v, e = row.values, row.errors

    def refuse(name: str, message: str) -> None:
        e.setdefault(name, message)

    def day(name: str) -> date | None:
        value = v.get(name)
        return value if isinstance(value, date) and name not in e else None

    s = row.section
    if s is SectionKey.EDUCATION:
        start, end = day("started_on"), day("graduated_on")
        if start and end and end < start:
            refuse("graduated_on", N_("毕业时间不能早于入学时间"))
        level, degree = v.get("level"), v.get("degree")
        needs = DEGREE_NEEDS.get(str(degree))
        if (
            needs
            and level in EDUCATION_LEVELS
            and EDUCATION_LEVELS.index(level) < EDUCATION_LEVELS.index(needs)
            and not (degree == "硕士" and level == "本科" and v.get("mode") == "在职")
        ):
            refuse(
                "degree",
                T_(
                    "%(level)s学历不能授予%(degree)s学位（学位高于学历层次）",
                    level=level,
                    degree=degree,
                ),
            )
        if v.get("degree_type") and degree in (None, "无"):
            refuse("degree_type", N_("没有学位时不选学位类型"))
        if v.get("overseas") and not v.get("cscse_no"):
            refuse(
                "cscse_no",
                T_(
                    "国（境）外学历请填写教育部留学服务中心认证书编号（%(citation)s）",
                    citation=Clause(clauses.foreign_degree),
                )
                if clauses.foreign_degree
                else N_("国（境）外学历请填写教育部留学服务中心认证书编号"),
            )
        code = v.get("xuexin_code")
        if code:
            code = str(code).replace(" ", "").upper()
            v["xuexin_code"] = code
            if not _XUEXIN.match(code):
                refuse("xuexin_code", N_("在线验证码应为8至24位字母或数字（见备案表右下角）"))
        printed = day("xuexin_on")
        if printed and end and printed < end:
            refuse("xuexin_on", N_("备案表打印日期不能早于毕业时间"))
    elif s is SectionKey.WORK:
        start, end = day("started_on"), day("ended_on")
        if start and end and end < start:
            refuse("ended_on", N_("结束时间不能早于开始时间"))
    elif s is SectionKey.TITLE:
        if v.get("kind") == "职称" and not v.get("level"):
            refuse("level", N_("请选择职称的级别"))
        start, end = day("obtained_on"), day("valid_until")
        if start and end and end < start:
            refuse("valid_until", N_("有效期不能早于取得时间"))
    elif s is SectionKey.EXAM:
        score, line = v.get("score"), v.get("pass_line")
        if isinstance(score, Decimal) and isinstance(line, Decimal) and "score" not in e and score < line:
            refuse(
                "score",
                T_(
                    "成绩%(score)s低于合格线%(line)s，未通过的考试不能作为申报依据（%(citation)s）",
                    score=str(score),
                    line=str(line),
                    citation=Clause(clauses.exam_pass),
                )
                if clauses.exam_pass
                else T_(
                    "成绩%(score)s低于合格线%(line)s，未通过的考试不能作为申报依据",
                    score=str(score),
                    line=str(line),
                ),
            )
        year, valid = v.get("year"), day("valid_until")
        if isinstance(year, int) and valid and valid.year < year:
            refuse("valid_until", N_("成绩有效期不能早于考试年度"))
    elif s is SectionKey.PAPER:
        issn, cn = v.get("issn"), v.get("cn")
        if issn and not _ISSN.match(str(issn).upper()):
            refuse("issn", N_("ISSN 应为 4位数字-4位（末位可为X），例如 1000-1234"))
        elif issn:
            v["issn"] = str(issn).upper()
        if cn and not _CN.match(str(cn).upper()):
            refuse("cn", N_("CN 应为 2位数字-4位数字/分类号，例如 11-1234/TU"))
        elif cn:
            v["cn"] = str(cn).upper()
        if v.get("kind") == "论文" and not issn and not cn and "issn" not in e:
            refuse("issn", N_("期刊论文请至少填写 ISSN 或 CN 之一"))


def _cross_checks(rows: list[ParsedRow]) -> None:
    """What rows of one section say together: full-time study periods cannot overlap; a year of
    continuing education is entered once."""
    if not rows:
        return
    section = rows[0].section
    if section is SectionKey.EDUCATION:
        spans = []
        for row in rows:
            v = row.values
            start, end = v.get("started_on"), v.get("graduated_on")
            if v.get("mode") == "全日制" and isinstance(start, date) and isinstance(end, date):
                for other, (s2, e2) in spans:
                    if start <= e2 and s2 <= end:
                        row.errors.setdefault(
                            "started_on",
                            T_(
                                "与「%(row)s」的全日制学习时间重叠",
                                row=SECTION_BY_KEY["education"].label(other.values),
                            ),
                        )
                spans.append((row, (start, end)))
    elif section is SectionKey.CE:
        seen: set[int] = set()
        for row in rows:
            year = row.values.get("year")
            if isinstance(year, int):
                if year in seen:
                    row.errors.setdefault("year", T_("%(year)s年已填写，请合并为一行", year=str(year)))
                seen.add(year)


def parse_form(raw: Mapping[str, str], today: date, clauses: FormClauses = NO_CLAUSES) -> ParsedForm:
    """The form's strings as typed values: flat fields, rows per section in the order posted (blank rows
    dropped), and every error by its input's name (citing ``clauses``, the bureau's profile's). Never
    raises: what is valid is valid."""
    flat: dict[str, Any] = {}
    errors: dict[str, str] = {}
    flat_names = set()
    for spec in FLAT_FIELDS:
        if spec.name not in raw:
            continue
        flat_names.add(spec.name)
        value, error = parse_value(spec, raw.get(spec.name), today)
        flat[spec.name] = value
        if error:
            errors[spec.name] = error
    grouped: dict[SectionKey, dict[int, dict[str, str]]] = {}
    for name, value in raw.items():
        found = _ROW_INPUT.match(name)
        if not found or found[1] not in SECTION_BY_KEY:
            continue
        grouped.setdefault(SectionKey(found[1]), {}).setdefault(int(found[2]), {})[found[3]] = value
    carried = {SectionKey(k) for k in raw.get("_sections", "").split(",") if k in SECTION_BY_KEY}
    carried |= set(grouped)
    rows: dict[SectionKey, list[ParsedRow]] = {}
    for key in carried:
        spec = SECTION_BY_KEY[key.value]
        parsed: list[ParsedRow] = []
        for index in sorted(grouped.get(key, {})):
            cells = grouped[key][index]
            row_id = cells.get("id", "")
            row = ParsedRow(
                key, int(row_id) if row_id.isascii() and row_id.isdigit() and len(row_id) < 10 else None, {}
            )
            row.raw = {n: cells.get(n, "") for n in spec.names}
            for f in spec.fields:
                value, error = parse_value(f, cells.get(f.name), today)
                row.values[f.name] = value
                if error:
                    row.errors[f.name] = error
            if row.blank and row.row_id is None:
                continue  # an empty new row is not a row
            for f in spec.fields:
                if f.required and row.values.get(f.name) in (None, "") and f.name not in row.errors:
                    row.errors[f.name] = (
                        T_("请填写%(field)s", field=f.title)
                        if f.kind is not FieldKind.CHOICE
                        else T_("请选择%(field)s", field=f.title)
                    )
            _row_checks(row, today, clauses)
            parsed.append(row)
        _cross_checks(parsed)
        for position, row in enumerate(parsed):
            for name, message in row.errors.items():
                errors[input_name(key, position, name)] = message
        rows[key] = parsed[: spec.max_rows]
    return ParsedForm(flat, rows, errors, frozenset(carried), frozenset(flat_names))


# --- reading stored rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A stored row: its id, section, position and typed values."""

    id: int
    section: SectionKey
    values: Mapping[str, Any]

    @property
    def spec(self) -> SectionSpec:
        return SECTION_BY_KEY[self.section.value]

    @property
    def label(self) -> str:
        return self.spec.label(self.values) or T_("第%(num)s条", num=str(self.id))

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def shown(self, name: str) -> str:
        return shown(self.spec.field(name), self.values.get(name))


def row_of(row_id: int, section: str, data: Mapping[str, Any]) -> Row:
    spec = SECTION_BY_KEY[section]
    return Row(row_id, spec.key, {f.name: typed(f, data.get(f.name)) for f in spec.fields})


# --- corrections at field and row level (issue 21.4) ---------------------------------------------------
# A return names what may change by key: a whole section ("education"), one flat field
# ("field:work_summary") or one row ("row:work:17"). Material slots keep their "material:<slot>" keys.


def field_key(name: str) -> str:
    return f"field:{name}"


def row_key(section: SectionKey | str, row_id: int) -> str:
    return f"row:{SectionKey(section).value}:{row_id}"


@dataclass(frozen=True)
class Opening:
    """What a return leaves open to change: None for everything (a draft)."""

    sections: frozenset[str] = frozenset()
    rows: frozenset[tuple[str, int]] = frozenset()
    fields: frozenset[str] = frozenset()

    def row_open(self, section: str, row_id: int | None) -> bool:
        return section in self.sections or (row_id is not None and (section, row_id) in self.rows)

    def may_add(self, section: str) -> bool:
        return section in self.sections

    def field_open(self, name: str) -> bool:
        return name in self.fields


def opening(keys: list[str] | tuple[str, ...] | set[str], legacy: Mapping[str, tuple[str, ...]]) -> Opening:
    """The parts the returned keys open; ``legacy`` maps the keys older returns used (工作经历与现有职称 …) to
    the keys of what they cover now."""
    sections: set[str] = set()
    rows: set[tuple[str, int]] = set()
    fields: set[str] = set()
    pending = list(keys)
    expanded: set[str] = set()
    while pending:
        key = pending.pop()
        if key in legacy and key not in expanded:
            expanded.add(key)  # "work" named the old section and is a section key now too
            pending.extend(legacy[key])
        elif key in SECTION_BY_KEY:
            sections.add(key)
        elif key.startswith("field:") and key[6:] in FLAT_BY_NAME:
            fields.add(key[6:])
        elif key.startswith("row:"):
            _, section, row_id = ([*key.split(":"), "", ""])[:3]
            if section in SECTION_BY_KEY and row_id.isdigit():
                rows.add((section, int(row_id)))
    return Opening(frozenset(sections), frozenset(rows), frozenset(fields))


# --- what changed between two snapshots (the changes table, per row) -------------------------------------


@dataclass(frozen=True)
class Change:
    field: str  # the key a return names it by (field:…, row:…:…, material:…)
    title: str
    before: str
    after: str


def snapshot_of(flat: Mapping[str, Any], rows: list[Row]) -> dict[str, Any]:
    """The form as shown, JSON-able: kept with a return so the changes since can be listed per row."""
    return {
        "flat": {f.name: shown(f, flat.get(f.name)) for f in FLAT_FIELDS},
        "rows": [
            {
                "id": r.id,
                "section": r.section.value,
                "label": r.label,
                "values": {f.name: shown(f, r.values.get(f.name)) for f in r.spec.fields},
            }
            for r in rows
        ],
    }


def _values_text(spec: SectionSpec, values: Mapping[str, str]) -> str:
    return "；".join(
        f"{f.title}：{values[f.name]}" for f in spec.fields if values.get(f.name) not in ("", None)
    )


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """Per flat field and per row: what differs between two snapshots (rows added, removed, and each
    changed field of a kept row), in form order."""
    found: list[Change] = []
    b_flat, a_flat = before.get("flat", {}), after.get("flat", {})
    for f in FLAT_FIELDS:
        x, y = str(b_flat.get(f.name, "")), str(a_flat.get(f.name, ""))
        if f.kind is FieldKind.FLAG:
            x, y = x or "否", y or "否"
        if x != y:
            found.append(Change(field_key(f.name), f.title, x, y))
    b_rows = {(r["section"], r["id"]): r for r in before.get("rows", [])}
    a_rows = {(r["section"], r["id"]): r for r in after.get("rows", [])}
    for spec in SECTIONS:
        key = spec.key.value
        olds = [r for r in before.get("rows", []) if r["section"] == key]
        news = [r for r in after.get("rows", []) if r["section"] == key]
        for r in olds:
            if (key, r["id"]) not in a_rows:
                found.append(
                    Change(
                        row_key(key, r["id"]),
                        T_("%(section)s：%(row)s（已删除）", section=spec.title, row=r["label"]),
                        _values_text(spec, r["values"]),
                        "",
                    )
                )
        for position, r in enumerate(news, start=1):
            old = b_rows.get((key, r["id"]))
            if old is None:
                found.append(
                    Change(
                        row_key(key, r["id"]),
                        T_("%(section)s：%(row)s（新增）", section=spec.title, row=r["label"]),
                        "",
                        _values_text(spec, r["values"]),
                    )
                )
                continue
            for f in spec.fields:
                x, y = str(old["values"].get(f.name, "")), str(r["values"].get(f.name, ""))
                if x != y:
                    found.append(
                        Change(
                            row_key(key, r["id"]),
                            T_(
                                "%(section)s第%(num)s条（%(row)s）· %(field)s",
                                section=spec.title,
                                num=str(position),
                                row=r["label"],
                                field=f.title,
                            ),
                            x,
                            y,
                        )
                    )
    return found
