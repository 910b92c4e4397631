"""The social-insurance roster (参保人员名单) an enterprise exports from the social-insurance system, and
how each applicant account matches it (SI-01, SI-02, SI-04).

An applicant is 已关联 (linked) when the roster has a row with the same ID number and the same name,
the insuring unit is the applying unit, and the months paid reach the policy minimum. Otherwise the
badge says what is wrong: 未找到, 姓名不一致 (SI-04: the provincial link fails), 单位不一致 (SI-02: the
affiliation-proof material will be required) or 月数不足 (SI-01). An account opened with a passport or a
mainland travel permit is 人工核对: the roster lists people by ID number, which such a document is not
(SCOPE-03: non-resident documents take the manual path).

Unit names are compared after normalising what differs between the two systems without meaning:
full-width and half-width characters, every kind of bracket, and spaces (SI-02).
Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

import opencc

from portal.domain.accounts import normalize_name, written_name
from portal.domain.i18n import N_, T_
from portal.domain.identity import (
    DocumentType,
    IdentityError,
    normalize_hmt_residence_permit,
    normalize_resident_id,
)
from portal.domain.tables import Header, TableError, TableProblem, cell, find_header

# SI-01 (赣市人社字〔2022〕56号 三(四)): pension insurance paid for more than half a year.
DEFAULT_MINIMUM_MONTHS = 6
SI_01_CITATION = "赣市人社字〔2022〕56号 三(四)"
SI_02_CITATION = "赣市人社字〔2026〕5号 三(四)"


class RosterBadge(StrEnum):
    LINKED = "linked"
    UNIT_MISMATCH = "unit_mismatch"
    MONTHS_SHORT = "months_short"
    NAME_MISMATCH = "name_mismatch"
    NOT_FOUND = "not_found"
    NO_ROSTER = "no_roster"
    MANUAL = "manual"

    @property
    def title(self) -> str:
        return {
            "linked": N_("已关联"),
            "unit_mismatch": N_("单位不一致"),
            "months_short": N_("月数不足"),
            "name_mismatch": N_("姓名不一致"),
            "not_found": N_("未找到"),
            "no_roster": N_("未导入参保名单"),
            "manual": N_("人工核对"),
        }[self.value]


# Documents whose numbers the roster never carries (it lists resident IDs and 港澳台居民居住证 numbers).
NOT_ON_ROSTER = frozenset({DocumentType.PASSPORT, DocumentType.HK_MACAU_PERMIT, DocumentType.TAIWAN_PERMIT})


_BRACKETS = str.maketrans(dict.fromkeys("【〔［[", "(") | dict.fromkeys("】〕］]", ")"))


def normalize_unit_name(value: str) -> str:
    """The form two unit names are compared in: NFKC (（）→ ()), one kind of bracket, no spaces."""
    text = unicodedata.normalize("NFKC", value or "").translate(_BRACKETS)
    return "".join(text.split())


@dataclass(frozen=True)
class RosterRecord:
    line_no: int
    name: str
    id_number: str
    insuring_unit: str
    months: int | None


@dataclass(frozen=True)
class RosterMatch:
    badge: RosterBadge
    problems: tuple[str, ...] = ()
    record: RosterRecord | None = None


def checked_by_hand(document: DocumentType) -> RosterMatch:
    """The badge of an account whose document the roster cannot list: not 未找到 (nothing to correct in
    the number), but a check of the insurance record by hand."""
    return RosterMatch(
        RosterBadge.MANUAL,
        (
            T_(
                "参保名单按身份证号码核对，持%(document)s的申报人无法自动关联；请经办人对照其参保记录人工核对",
                document=document.title,
            ),
        ),
    )


def months_since(start: date, until: date) -> int:
    """Months paid from the start month up to and including the month of ``until``."""
    return max(0, (until.year - start.year) * 12 + until.month - start.month + 1)


class NameAgreement(StrEnum):
    """How a roster's name compares with an account's (SI-04)."""

    SAME = "same"  # the same name, written alike or differing only where the two systems differ
    ONE_FORM = "one_form"  # one writes the person's Chinese and Latin names, the other one of them
    # The same characters, one side traditional (陳大文, as a Hong Kong, Macao or Taiwan permit prints them),
    # the other simplified (陈大文): still not linked, since the provincial link compares characters, but
    # HR are told that this is all that differs, not sent looking for another person.
    SCRIPT = "script"
    DIFFERENT = "different"


# Marks the social-insurance export and a passport's machine-readable zone write without or otherwise: an
# MRZ prints KA-MING as KA<MING (a space) and O'BRIEN as OBRIEN, and many exports drop the middle dot of a
# minority or foreign name written in Chinese (“买买提·艾力” listed as 买买提艾力).
_MARKS = str.maketrans({"-": " ", "'": None, "·": None})
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def _roster_key(name: str) -> str:
    """:func:`normalize_name` (width, case, spaces, the full stop) without the marks above."""
    return " ".join(normalize_name(name).translate(_MARKS).split())


def _forms(name: str) -> tuple[str, str] | None:
    """A name written as its Chinese form then its Latin one (“陈大文 CHAN Tai Man”, as a Hong Kong or
    Macao resident's permit or a foreigner's permanent-residence card prints both): its two forms' keys."""
    written = written_name(name)
    split = next((i for i, ch in enumerate(written) if ch == " " and _CJK_CHAR.match(written[i - 1])), None)
    if split is None:
        return None
    chinese, latin = written[:split], written[split + 1 :]
    if not latin.isascii() or _CJK_CHAR.search(latin):
        return None
    return _roster_key(chinese), _roster_key(latin)


@cache
def _traditional_to_simplified() -> opencc.OpenCC:
    # OpenCC's own table (t2s): one converter per process, loaded on first use (a few milliseconds).
    return opencc.OpenCC("t2s")


def _simplified(key: str) -> str:
    return _traditional_to_simplified().convert(key)


def _agreement(roster_key: str, account_key: str, roster_name: str, account_name: str) -> bool:
    """Whether the keys agree whole or as one of the other name's two forms."""
    if roster_key == account_key:
        return True
    for whole, part in ((account_name, roster_key), (roster_name, account_key)):
        forms = _forms(whole)
        if forms is not None and part in forms:
            return True
    return False


def names_agree(roster_name: str, account_name: str) -> NameAgreement:
    """Compare a roster's name with an account's the way the two systems differ without meaning: width,
    case, spaces, the full stop (:func:`normalize_name`), hyphens, apostrophes and the middle dot. A name
    carrying both the person's Chinese and Latin forms agrees, as one form, with either form alone.
    Traditional and simplified characters are not folded into agreement — 陳/陈 is what the provincial
    link trips on — but a name that differs in nothing else is told apart from another person's
    (:attr:`NameAgreement.SCRIPT`), by OpenCC's traditional-to-simplified table."""
    roster_key, account_key = _roster_key(roster_name), _roster_key(account_name)
    if roster_key == account_key:
        return NameAgreement.SAME
    if _agreement(roster_key, account_key, roster_name, account_name):
        return NameAgreement.ONE_FORM
    if _agreement(
        _simplified(roster_key), _simplified(account_key), _simplified(roster_name), _simplified(account_name)
    ):
        return NameAgreement.SCRIPT
    return NameAgreement.DIFFERENT


def why_names_differ(row_name: str, applicant_name: str) -> str:
    """Why a province's row names someone else than the applicant of its ID number ("" when the names agree,
    or the row gives none): compared as the roster compares them (:func:`names_agree`). The provincial
    results import and the committee's certificate-number import both ask it, so one row is never accepted
    by one and refused by the other (a row "孙嘉仪" under 孙嘉怡's number was registered on her case)."""
    if not row_name:
        return ""
    agreement = names_agree(row_name, applicant_name)
    if agreement in (NameAgreement.SAME, NameAgreement.ONE_FORM):
        return ""
    if agreement is NameAgreement.SCRIPT:
        return T_(
            "表中姓名“%(row_name)s”与申报人姓名“%(name)s”只是繁体、简体写法不同，未登记："
            "两个系统登记的姓名须一致，请核对哪一方有误并更正后重新导入",
            row_name=row_name,
            name=applicant_name,
        )
    return T_(
        "表中姓名“%(row_name)s”与该证件号码申报人的姓名“%(name)s”不一致，未登记；请在省级系统中核对",
        row_name=row_name,
        name=applicant_name,
    )


def match(
    *, name: str, id_number: str, unit_name: str, record: RosterRecord | None, minimum_months: int
) -> RosterMatch:
    """How one account matches its row in the roster (None: no row with that ID number)."""
    if record is None:
        return RosterMatch(
            RosterBadge.NOT_FOUND,
            (N_("参保名单中没有该证件号码，请核对证件号码，或确认已在本单位参保"),),
        )
    agreement = names_agree(record.name, name)
    if agreement is NameAgreement.SCRIPT:
        return RosterMatch(
            RosterBadge.NAME_MISMATCH,
            (
                T_(
                    "参保名单中该证件号码的姓名为“%(roster_name)s”，与账号姓名“%(name)s”只是繁体、简体写法不同；"
                    "省级系统逐字比对，仍将无法关联。请以本人证件上的写法为准：账号姓名与证件不符的，在申报人页"
                    "“修改账号信息”中更正；参保登记与证件不符的，请本人到社保经办机构更正参保登记",
                    roster_name=record.name,
                    name=name,
                ),
            ),
            record,
        )
    if agreement is NameAgreement.DIFFERENT:
        return RosterMatch(
            RosterBadge.NAME_MISMATCH,
            (
                T_(
                    "参保名单中该证件号码的姓名为“%(roster_name)s”，与账号姓名“%(name)s”不一致，省级系统将无法关联。"
                    "账号姓名有误的，可在申报人页“修改账号信息”中更正",
                    roster_name=record.name,
                    name=name,
                ),
            ),
            record,
        )
    problems: list[str] = []
    if agreement is NameAgreement.ONE_FORM:
        problems.append(
            T_(
                "参保名单登记的姓名为“%(roster_name)s”，是账号姓名“%(name)s”中的一种写法，按同一人关联；"
                "报送时如省级系统要求与名单完全一致，请将账号姓名改为名单的写法",
                roster_name=record.name,
                name=name,
            )
        )
    other_unit = normalize_unit_name(record.insuring_unit) != normalize_unit_name(unit_name)
    short = record.months is None or record.months < minimum_months
    if other_unit:
        problems.append(
            T_(
                "参保单位“%(unit)s”与申报单位名称不一致：申报时须上传两单位隶属关系证明（加盖双方公章，%(citation)s）",
                unit=record.insuring_unit,
                citation=SI_02_CITATION,
            )
        )
    if short:
        paid = N_("未知") if record.months is None else T_("%(months)s个月", months=record.months)
        problems.append(
            T_(
                "养老保险缴费%(paid)s，不足%(minimum)s个月（%(citation)s）",
                paid=paid,
                minimum=minimum_months,
                citation=SI_01_CITATION,
            )
        )
    return RosterMatch(_badge(agreement, other_unit=other_unit, short=short), tuple(problems), record)


def _badge(agreement: NameAgreement, *, other_unit: bool, short: bool) -> RosterBadge:
    """The badge of an account whose number the roster lists: the name first (the provincial link fails on
    it), then the insuring unit, then the months paid."""
    if agreement in (NameAgreement.SCRIPT, NameAgreement.DIFFERENT):
        return RosterBadge.NAME_MISMATCH
    if other_unit:
        return RosterBadge.UNIT_MISMATCH
    return RosterBadge.MONTHS_SHORT if short else RosterBadge.LINKED


def badge_of(*, roster_name: str, name: str, insuring_unit: str, unit_name: str, short: bool) -> RosterBadge:
    """The badge alone (what :func:`match` decides, without its words) of an account whose number the
    roster lists under ``roster_name`` and ``insuring_unit``, ``short`` when the months paid fall short
    of the minimum: the roster page counts badges by groups of accounts alike in these, not account by
    account."""
    other_unit = normalize_unit_name(insuring_unit) != normalize_unit_name(unit_name)
    return _badge(names_agree(roster_name, name), other_unit=other_unit, short=short)


ROSTER_COLUMNS = (
    Header("name", "姓名", ("姓名", "参保人姓名", "人员姓名"), required=True),
    Header(
        "id_number",
        "身份证号码",
        ("身份证号码", "身份证号", "公民身份号码", "证件号码", "社会保障号码", "社会保障号"),
        required=True,
    ),
    Header("insuring_unit", "参保单位", ("参保单位", "参保单位名称", "单位名称", "缴费单位"), required=True),
    Header("months", "缴费月数", ("缴费月数", "累计缴费月数", "实际缴费月数", "养老保险缴费月数")),
    Header(
        "start_month",
        "参保年月",
        ("参保年月", "首次参保年月", "参保开始年月", "参保时间", "参保日期", "本单位参保年月"),
    ),
)

_MONTH = re.compile(r"([0-9]{4})\s*[-/.年]?\s*([0-9]{1,2})")


def parse_month(text: str) -> date | None:
    found = _MONTH.match(unicodedata.normalize("NFKC", text or "").strip())
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    return date(year, month, 1) if 1 <= month <= 12 and year >= 1950 else None


@dataclass
class ParsedRoster:
    records: list[RosterRecord]
    skipped: list[TableProblem]


def _roster_id(raw: str, as_of: date) -> str:
    """The number of one roster row. The roster is the social-insurance system's own export: it lists
    港澳台居民居住证 holders in the same column, and an address code missing from GB/T 2260's list is
    the list's gap, not the roster's."""
    try:
        return normalize_resident_id(raw, today=as_of, region_confirmed=True)
    except IdentityError as problem:
        if problem.code != "hmt_residence_permit":
            raise
        return normalize_hmt_residence_permit(raw, today=as_of)


# A number that opens with a letter is another document's (a passport, a travel permit), not a mistyped ID.
_OTHER_DOCUMENT = re.compile(r"^[A-Z]{1,2}[0-9A-Z]{5,}$")


def _unusable_number(raw: str, problem: IdentityError) -> str:
    """Why a row's number is skipped: a passport's or travel permit's is named as such (its holder is checked
    by hand, as their account's badge says); anything else with the ID check's own message."""
    typed = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if _OTHER_DOCUMENT.match(typed):
        return T_(
            "“%(number)s”不是居民身份证号码：名单按身份证号码关联，持护照或通行证的人员请经办人对照其参保记录人工核对",
            number=typed,
        )
    return problem.message


def parse_roster(rows: list[list[str]], *, as_of: date) -> ParsedRoster:
    """Records from a roster sheet; rows without a usable ID number are skipped and reported.

    Raises :class:`portal.domain.tables.TableError` when the header row cannot be found.
    """
    header_at, columns = find_header(rows, ROSTER_COLUMNS, what=N_("参保人员名单"))
    if "months" not in columns and "start_month" not in columns:
        raise TableError(
            "missing_columns",
            # The columns are named as the export names them (Chinese), quoted, like find_header's.
            T_(
                "参保人员名单须有%(months)s或%(start)s列，请从社保系统导出含该列的名单",
                months="“缴费月数”",
                start="“参保年月”",
            ),
        )
    records: list[RosterRecord] = []
    skipped: list[TableProblem] = []
    seen: set[str] = set()
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        line = index + 1
        raw_id = cell(row, columns, "id_number")
        name = written_name(cell(row, columns, "name"))  # as written; compared by normalize_name
        if not raw_id and not name:
            continue
        try:
            number = _roster_id(raw_id, as_of)
        except IdentityError as problem:
            skipped.append(TableProblem(line, "身份证号码", _unusable_number(raw_id, problem)))
            continue
        if number in seen:
            continue  # one person listed twice (e.g. two insurance types): the first row counts
        seen.add(number)
        months: int | None = None
        raw_months = cell(row, columns, "months")
        if raw_months:
            try:
                months = int(float(unicodedata.normalize("NFKC", raw_months)))
            except ValueError:
                skipped.append(
                    TableProblem(line, "缴费月数", T_("缴费月数“%(typed)s”不是数字", typed=raw_months))
                )
                continue
        elif (start := parse_month(cell(row, columns, "start_month"))) is not None:
            months = months_since(start, as_of)
        records.append(
            RosterRecord(line, name[:50], number, cell(row, columns, "insuring_unit")[:200], months)
        )
    return ParsedRoster(records, skipped)
