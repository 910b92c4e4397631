"""Identity numbers: normalise, validate and mask the numbers that identify people and organisations.

This module owns the canonical form of every identity number the portal stores, and the precise
Chinese message shown next to the field when one is wrong (DESIGN §5 "normalise, then validate, then
store one canonical form"; policy-spec SI-04, SCOPE-03):

- 居民身份证 (GB 11643-1999): 18 characters, ISO 7064 MOD 11-2 check character, real birth date, and
  an address code that GB/T 2260 has listed at some time (portal.domain.regions; a code retired since
  stays valid, and HR who hold the physical card may confirm a code the list lacks). 港澳台居民居住证
  numbers (810000/820000/830000 prefixes) share the format but are another document: refused as a
  居民身份证 with a message naming it, accepted by :func:`normalize_hmt_residence_permit`.
- 统一社会信用代码 (GB 32100-2015): 18 characters over a 31-character alphabet, MOD 31 check.
- The other documents of SCOPE-03: 外国人永久居留身份证 (2023 18-digit and older 15-character
  formats), 港澳居民来往内地通行证, 台湾居民来往大陆通行证 and passports with a nationality.
- Mainland mobile numbers.
- Masks for display (DESIGN §5 "PII"): ID numbers and phones are masked everywhere except the
  detail views of staff entitled to them.

Normalisation is the same everywhere: Unicode NFKC (full-width → ASCII), every kind of whitespace
removed (including the ideographic space and zero-width characters that copy-paste brings along),
letters uppercased where the format has letters. Digits are ASCII ``[0-9]`` only, never ``\\d``,
which also matches digits of other scripts.

Failures raise :class:`IdentityError` (a ``ValueError``) whose ``.code`` is a short English slug
for code and tests and whose ``.message`` (also ``str(err)``) is the Chinese text for the user: a
marked msgid or a ``Text`` (portal.domain.i18n), so the English interface shows it in English with
the typed characters, region names and clauses as written.

Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache
from typing import Literal

from babel import Locale
from babel.core import get_global

from portal.domain.i18n import N_, T_, joined
from portal.domain.regions import region as gbt2260_region

__all__ = [
    "PROVINCES",
    "DocumentType",
    "IdentityError",
    "ResidentIdFacts",
    "complete_resident_id",
    "complete_uscc",
    "document_login",
    "mask_id_number",
    "mask_mobile",
    "normalize_document",
    "normalize_foreign_permanent_residence",
    "normalize_hk_macau_permit",
    "normalize_hmt_residence_permit",
    "normalize_mobile",
    "normalize_nationality",
    "normalize_passport",
    "normalize_resident_id",
    "normalize_taiwan_permit",
    "normalize_uscc",
    "requires_work_permit",
    "resident_id_facts",
]


class IdentityError(ValueError):
    """An identity number that cannot be stored: ``.code`` for code, ``.message`` for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IdentityError({self.code!r}, {self.message!r})"


# The 34 province-level divisions of GB/T 2260 (first two digits of a region code).
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

# 港澳台居民居住证: the whole six-digit address code is fixed per place of origin.
_HMT_PERMIT_REGIONS: dict[str, str] = {
    "810000": "香港特别行政区",
    "820000": "澳门特别行政区",
    "830000": "台湾地区",
}

# Provinces where the mainland authorities issue documents (no 71/81/82 here).
_MAINLAND_PROVINCES = frozenset(code for code in PROVINCES if code < "70")

_EARLIEST_BIRTH = date(1900, 1, 1)

# Characters copy-paste brings along that str.split() does not treat as whitespace.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"

# ---------------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------------


def _clean(value: str | None) -> str:
    """NFKC, then remove every whitespace and invisible character."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).translate(_INVISIBLE)
    return "".join(text.split())


def document_login(value: str) -> str:
    """A login typed for a permit or passport number, in the form those numbers are stored: what every
    normaliser of those documents does first (NFKC, no whitespace or invisible characters, no hyphens,
    upper case), so “h 1234 5678” or a full-width “Ｍ１２３…” finds the account HR opened."""
    return _clean(value).replace("-", "").upper()


_ASCII_DIGITS = frozenset("0123456789")
_ASCII_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

_MOD11_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_MOD11_CHECK = "10X98765432"


def _mod11_2_check(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of 17 ASCII digits (GB 11643 §5.2)."""
    total = sum(int(ch) * w for ch, w in zip(body17, _MOD11_WEIGHTS, strict=True))
    return _MOD11_CHECK[total % 11]


def _is_digits(text: str) -> bool:
    return bool(text) and all(ch in _ASCII_DIGITS for ch in text)


def _parse_yyyymmdd(text: str) -> date | None:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _check_birth_date(text: str, *, what: str, position: str, today: date) -> date:
    """Birth date ``YYYYMMDD`` that exists, is not after ``today`` and not before 1900."""
    born = _parse_yyyymmdd(text)
    if born is None:
        raise IdentityError(
            "bad_birth_date",
            T_(
                "%(what)s中的出生日期（%(position)s：%(text)s）不是真实存在的日期，请核对后重新输入",
                what=what,
                position=position,
                text=text,
            ),
        )
    if born > today:
        raise IdentityError(
            "future_birth_date",
            T_(
                "%(what)s中的出生日期（%(position)s：%(text)s）晚于今天，请核对后重新输入",
                what=what,
                position=position,
                text=text,
            ),
        )
    if born < _EARLIEST_BIRTH:
        raise IdentityError(
            "bad_birth_date",
            T_(
                "%(what)s中的出生日期（%(position)s：%(text)s）早于1900年，请核对后重新输入",
                what=what,
                position=position,
                text=text,
            ),
        )
    return born


def _check_mod11_2(number: str, *, what: str) -> None:
    expected = _mod11_2_check(number[:17])
    if number[17] != expected:
        raise IdentityError(
            "bad_check_char",
            T_(
                "%(what)s校验位不正确（应为%(expected)s，实际输入的是%(typed)s），"
                "请核对后重新输入；如最后一位无误，请检查前17位是否有输错",
                what=what,
                expected=expected,
                typed=number[17],
            ),
        )


def _gb11643_chars(value: str, *, what: str) -> str:
    """Shared first steps for the 18-character GB 11643 numbers: clean, X, characters, length."""
    number = _clean(value)
    if not number:
        raise IdentityError("empty", T_("请输入%(what)s", what=what))
    if number.endswith("x"):
        number = number[:-1] + "X"
    body, last = number[:-1], number[-1]
    if not (all(ch in _ASCII_DIGITS for ch in body) and (last in _ASCII_DIGITS or last == "X")):
        if "X" in body or "x" in body:
            raise IdentityError(
                "bad_chars",
                T_("%(what)s中的字母X只能出现在最后一位，其余各位都应是数字，请核对后重新输入", what=what),
            )
        raise IdentityError(
            "bad_chars",
            T_(
                "%(what)s只能包含数字，最后一位可以是字母X，请删除其他字符（如标点、汉字）后重新输入",
                what=what,
            ),
        )
    if len(number) != 18:
        raise IdentityError(
            "bad_length",
            T_("%(what)s应为18位，您输入了%(count)d位，请核对后重新输入", what=what, count=len(number)),
        )
    return number


# ---------------------------------------------------------------------------------------------------
# 居民身份证 and 港澳台居民居住证 (GB 11643-1999)
# ---------------------------------------------------------------------------------------------------

_RESIDENT_ID = N_("身份证号码")


def normalize_resident_id(value: str, *, today: date | None = None, region_confirmed: bool = False) -> str:
    """Canonical 18-character 公民身份号码, or :class:`IdentityError`.

    A 港澳台居民居住证 number (prefix 810000/820000/830000) is refused with ``hmt_residence_permit``: it
    is another document, registered under its own type. A 15-digit first-generation number is refused
    with ``legacy_15_digit``: the social-insurance link (SI-04) works only with the 18-digit number.
    An address code that no edition of GB/T 2260 has listed is refused with ``unknown_region`` unless
    ``region_confirmed`` (staff who hold the physical card confirmed it, with a reason they record).
    """
    today = today or date.today()
    number = _clean(value)
    if len(number) == 15 and _is_digits(number):
        raise IdentityError(
            "legacy_15_digit",
            N_("这是15位的旧身份证号码，已停止使用，请输入现行第二代身份证上的18位号码"),
        )
    number = _gb11643_chars(value, what=_RESIDENT_ID)
    if number[:6] in _HMT_PERMIT_REGIONS:
        raise IdentityError(
            "hmt_residence_permit",
            T_(
                "以%(prefix)s开头的是港澳台居民居住证号码（%(place)s居民），"
                "不是居民身份证号码：请将证件类型选为“港澳台居民居住证”后再输入",
                prefix=number[:6],
                place=_HMT_PERMIT_REGIONS[number[:6]],
            ),
        )
    _check_province(number)
    _check_birth_date(number[6:14], what=_RESIDENT_ID, position=N_("第7-14位"), today=today)
    _check_mod11_2(number, what=_RESIDENT_ID)
    if not region_confirmed and gbt2260_region(number[:6]) is None:
        raise IdentityError(
            "unknown_region",
            T_(
                "%(what)s前6位（%(code)s）不是国家标准GB/T 2260任何时期使用过的县级行政区划代码"
                "（%(province)s没有这个代码），请核对后重新输入",
                what=_RESIDENT_ID,
                code=number[:6],
                province=PROVINCES[number[:2]],
            ),
        )
    return number


def _check_province(number: str) -> None:
    province = number[:2]
    if province not in PROVINCES and province != "83":
        raise IdentityError(
            "bad_region",
            T_(
                "%(what)s前两位（%(code)s）不是有效的省级行政区划代码，请核对后重新输入",
                what=_RESIDENT_ID,
                code=province,
            ),
        )
    if province in ("81", "82", "83") and number[:6] not in _HMT_PERMIT_REGIONS:
        raise IdentityError(
            "bad_region",
            T_(
                "%(what)s以%(province)s开头时前6位应为%(province)s0000（港澳台居民居住证），"
                "您输入的是%(typed)s，请核对后重新输入",
                what=_RESIDENT_ID,
                province=province,
                typed=number[:6],
            ),
        )


_HMT_PERMIT = N_("港澳台居民居住证号码")


def normalize_hmt_residence_permit(value: str, *, today: date | None = None) -> str:
    """Canonical 港澳台居民居住证 number: 18 characters starting 810000 (香港), 820000 (澳门) or
    830000 (台湾), same birth-date and MOD 11-2 rules as the resident ID."""
    today = today or date.today()
    number = _gb11643_chars(value, what=_HMT_PERMIT)
    if number[:6] not in _HMT_PERMIT_REGIONS:
        raise IdentityError(
            "bad_region",
            T_(
                "港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头，"
                "您输入的前6位是%(typed)s，请核对后重新输入",
                typed=number[:6],
            ),
        )
    _check_birth_date(number[6:14], what=_HMT_PERMIT, position=N_("第7-14位"), today=today)
    _check_mod11_2(number, what=_HMT_PERMIT)
    return number


@dataclass(frozen=True, slots=True)
class ResidentIdFacts:
    """What a valid 18-character 公民身份号码 states about its holder."""

    birth_date: date
    sex: Literal["男", "女"]
    region_code: str
    province: str

    def age_on(self, on: date) -> int:
        """Age in whole years on ``on`` (someone born on 29 February turns a year older on 1 March)."""
        years = on.year - self.birth_date.year
        if (on.month, on.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


def resident_id_facts(normalised: str) -> ResidentIdFacts:
    """Birth date, sex (17th digit odd = 男), region code and province of a resident ID or 港澳台
    居民居住证 number. The format, province, birth date and check character are validated again (not
    against today's date, nor the address-code list: a confirmed number stays readable)."""
    number = _gb11643_chars(normalised, what=_RESIDENT_ID)
    _check_province(number)
    _check_mod11_2(number, what=_RESIDENT_ID)
    born = _check_birth_date(number[6:14], what=_RESIDENT_ID, position=N_("第7-14位"), today=date.max)
    region = number[:6]
    province = _HMT_PERMIT_REGIONS.get(region) or PROVINCES[region[:2]]
    sex: Literal["男", "女"] = "男" if int(number[16]) % 2 == 1 else "女"
    return ResidentIdFacts(birth_date=born, sex=sex, region_code=region, province=province)


# ---------------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------------------------------

_USCC = N_("统一社会信用代码")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_VALUES = {ch: i for i, ch in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门码: 1-9 机构编制…工商, A-G further departments, N 农业 (农村集体经济组织), Y 其他.
_USCC_AUTHORITIES = frozenset("123456789ABCDEFGNY")
_USCC_CATEGORIES = frozenset("123456789")


def _uscc_check(body17: str) -> str:
    total = sum(_USCC_VALUES[ch] * w for ch, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    """Canonical 18-character 统一社会信用代码 (uppercase), or :class:`IdentityError`."""
    code = _clean(value).upper()
    if not code:
        raise IdentityError("empty", T_("请输入%(what)s", what=_USCC))
    bad = sorted({ch for ch in code if ch not in _USCC_VALUES})
    if bad:
        confusable = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}
        hints = [
            T_("%(typed)s应为%(meant)s", typed=ch, meant=confusable[ch]) for ch in bad if ch in confusable
        ]
        hint = T_("（常见误写：%(hints)s）", hints=joined(hints, "，")) if hints else ""
        raise IdentityError(
            "bad_chars",
            T_(
                "统一社会信用代码只包含数字和大写字母（不含I、O、S、V、Z），其中出现了不允许的字符：%(chars)s%(hint)s，"
                "请对照营业执照核对后重新输入",
                chars=joined(bad),
                hint=hint,
            ),
        )
    if len(code) != 18:
        raise IdentityError(
            "bad_length",
            T_(
                "统一社会信用代码应为18位，您输入了%(count)d位，请对照营业执照核对后重新输入", count=len(code)
            ),
        )
    if code[0] not in _USCC_AUTHORITIES:
        raise IdentityError(
            "bad_authority",
            T_(
                "统一社会信用代码第1位（登记管理部门码）不能是%(typed)s，请对照营业执照核对后重新输入",
                typed=code[0],
            ),
        )
    if code[1] not in _USCC_CATEGORIES:
        raise IdentityError(
            "bad_category",
            T_(
                "统一社会信用代码第2位（机构类别码）应为1-9的数字，您输入的是%(typed)s，请对照营业执照核对后重新输入",
                typed=code[1],
            ),
        )
    region = code[2:8]
    if not _is_digits(region) or (region[:2] not in PROVINCES and region[:2] != "10"):
        raise IdentityError(
            "bad_region",
            T_(
                "统一社会信用代码第3-8位应为登记管理机关的行政区划代码（6位数字），您输入的是%(typed)s，"
                "请对照营业执照核对后重新输入",
                typed=region,
            ),
        )
    expected = _uscc_check(code[:17])
    if code[17] != expected:
        raise IdentityError(
            "bad_check_char",
            T_(
                "统一社会信用代码校验位不正确（应为%(expected)s，实际输入的是%(typed)s），"
                "请对照营业执照核对后重新输入；如最后一位无误，请检查前17位是否有输错",
                expected=expected,
                typed=code[17],
            ),
        )
    return code


# ---------------------------------------------------------------------------------------------------
# Other documents of SCOPE-03
# ---------------------------------------------------------------------------------------------------

_FOREIGN_PR = N_("外国人永久居留身份证号码")
_FOREIGN_PR_OLD = re.compile(r"[A-Z]{3}[0-9]{12}")


def _yymmdd_plausible(text: str, today: date) -> bool:
    """True when ``YYMMDD`` is a real date, not in the future, in 19YY or 20YY."""
    for century in ("19", "20"):
        born = _parse_yyyymmdd(century + text)
        if born is not None and born <= today:
            return True
    return False


def normalize_foreign_permanent_residence(value: str, *, today: date | None = None) -> str:
    """Canonical 外国人永久居留身份证 number.

    2023 format: 18 digits, first ``9``, then the 2-digit province code of the issuing office, a
    3-digit nationality code, birth date ``YYYYMMDD``, a 3-digit sequence and a MOD 11-2 check
    character (same algorithm as the resident ID). Older format: 15 characters, the 3-letter ISO
    nationality code then 12 digits, of which characters 8-13 are the birth date ``YYMMDD``.
    """
    today = today or date.today()
    number = _clean(value).upper()
    if not number:
        raise IdentityError("empty", T_("请输入%(what)s", what=_FOREIGN_PR))
    if len(number) == 15 and number[:3].isascii() and number[:3].isalpha():
        if not _FOREIGN_PR_OLD.fullmatch(number):
            raise IdentityError(
                "bad_chars",
                N_("15位的外国人永久居留身份证号码应为3位英文字母（国籍代码）加12位数字，请核对后重新输入"),
            )
        if not _yymmdd_plausible(number[7:13], today):
            raise IdentityError(
                "bad_birth_date",
                T_(
                    "外国人永久居留身份证号码第8-13位应为出生日期（年年月月日日），您输入的%(typed)s"
                    "不是有效日期，请核对后重新输入",
                    typed=number[7:13],
                ),
            )
        return number
    if len(number) == 18 or (_is_digits(number[:-1]) and number[0] == "9"):
        number = _gb11643_chars(number, what=_FOREIGN_PR)
        if number[0] != "9":
            raise IdentityError(
                "bad_prefix",
                T_(
                    "18位的外国人永久居留身份证号码第1位应为9，您输入的是%(typed)s；"
                    "如您持有的是居民身份证，请选择“居民身份证”作为证件类型",
                    typed=number[0],
                ),
            )
        if number[1:3] not in _MAINLAND_PROVINCES:
            raise IdentityError(
                "bad_region",
                T_(
                    "外国人永久居留身份证号码第2-3位（%(typed)s）不是有效的受理地省级代码，请核对后重新输入",
                    typed=number[1:3],
                ),
            )
        _check_birth_date(number[6:14], what=_FOREIGN_PR, position=N_("第7-14位"), today=today)
        _check_mod11_2(number, what=_FOREIGN_PR)
        return number
    raise IdentityError(
        "bad_length",
        T_(
            "外国人永久居留身份证号码应为18位（2023年12月起签发的新版，以9开头）或15位（旧版，3位字母加12位数字），"
            "您输入了%(count)d位，请核对后重新输入",
            count=len(number),
        ),
    )


_HK_MACAU_PERMIT = N_("港澳居民来往内地通行证号码")
_HK_MACAU_RE = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")


def normalize_hk_macau_permit(value: str) -> str:
    """Canonical 港澳居民来往内地通行证 (回乡证) number: H (香港) or M (澳门) and 8 or 10 digits."""
    number = _clean(value).upper()
    if not number:
        raise IdentityError("empty", T_("请输入%(what)s", what=_HK_MACAU_PERMIT))
    if number[0] not in "HM":
        raise IdentityError(
            "bad_prefix",
            N_("港澳居民来往内地通行证号码应以字母H（香港居民）或M（澳门居民）开头，请核对后重新输入"),
        )
    if not _is_digits(number[1:]):
        raise IdentityError(
            "bad_chars",
            N_("港澳居民来往内地通行证号码首字母H或M之后只能是数字，请删除其他字符后重新输入"),
        )
    if not _HK_MACAU_RE.fullmatch(number):
        raise IdentityError(
            "bad_length",
            T_(
                "港澳居民来往内地通行证号码应为字母H或M加8位或10位数字，您输入的字母后有%(count)d位数字，"
                "请核对后重新输入",
                count=len(number) - 1,
            ),
        )
    return number


_TAIWAN_PERMIT = N_("台湾居民来往大陆通行证号码")
_TAIWAN_RE = re.compile(r"[0-9]{8}|[0-9]{8}[0-9A-Z]{2}")


def normalize_taiwan_permit(value: str) -> str:
    """Canonical 台湾居民来往大陆通行证 (台胞证) number: 8 digits (current card), or 10 characters
    (older booklet: 8 digits and two more digits or letters)."""
    number = _clean(value).upper()
    if not number:
        raise IdentityError("empty", T_("请输入%(what)s", what=_TAIWAN_PERMIT))
    if not all(ch in _ASCII_DIGITS or ch in _ASCII_UPPER for ch in number):
        raise IdentityError(
            "bad_chars",
            N_("台湾居民来往大陆通行证号码只能包含数字和英文字母，请删除括号、标点等其他字符后重新输入"),
        )
    if len(number) not in (8, 10):
        raise IdentityError(
            "bad_length",
            T_(
                "台湾居民来往大陆通行证号码应为8位数字（卡式证件）或10位（旧版本式证件），您输入了%(count)d位，"
                "请核对后重新输入",
                count=len(number),
            ),
        )
    if not _TAIWAN_RE.fullmatch(number):
        raise IdentityError(
            "bad_chars",
            N_("台湾居民来往大陆通行证号码前8位应为数字，请核对后重新输入"),
        )
    return number


_PASSPORT = N_("护照号码")
_PASSPORT_RE = re.compile(r"[A-Z0-9]{5,17}")
_ISO_ALPHA3_RE = re.compile(r"[A-Z]{3}")
_CHINESE_COUNTRY_RE = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff·]{0,29}")


# ISO 3166-1 keeps these alpha-3 ranges for user-assigned codes (CLDR's QUU for the EU, ZZZ "Unknown
# Region", XAA…): no passport's issuing country.
_USER_ASSIGNED_ALPHA3 = re.compile(r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z]")
# Alpha-3 codes ISO 3166-3 withdrew that CLDR still maps to the country's current alpha-2 code.
_WITHDRAWN_ALPHA3 = frozenset({"BUR", "DDR", "FXX", "TMP", "YMD", "ZAR"})
# Names CLDR's English list words differently: the US passport's, and Hong Kong and Macao without "SAR
# China" (so that a passport “of Hong Kong” is recognised, and sent to its own document type).
_ENGLISH_COUNTRY_ALIASES = {"unitedstatesofamerica": "USA", "hongkong": "HKG", "macao": "MAC", "macau": "MAC"}


def _country_key(name: str) -> str:
    """An English country name as compared: letters only, without accents, case or a leading “the”,
    “&” read as “and” (CLDR writes “Bosnia & Herzegovina”, people “Bosnia and Herzegovina”)."""
    text = unicodedata.normalize("NFKD", name.casefold().replace("&", " and "))
    text = re.sub(r"^\s*the\s+", "", text)
    return "".join(ch for ch in text if ch.isalnum())


@cache
def _alpha3_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-2 → alpha-3 code of every country a passport can name (Unicode CLDR's aliases)."""
    alpha3: dict[str, str] = {}
    for code, targets in get_global("territory_aliases").items():
        if (
            len(targets) == 1
            and _ISO_ALPHA3_RE.fullmatch(code)
            and not _USER_ASSIGNED_ALPHA3.fullmatch(code)
            and code not in _WITHDRAWN_ALPHA3
        ):
            alpha3[targets[0]] = code
    return alpha3


@cache
def _english_countries() -> dict[str, str]:
    """English country names (Unicode CLDR, shipped with Babel) → ISO 3166-1 alpha-3 code."""
    alpha3 = _alpha3_codes()
    names = {
        _country_key(name): alpha3[code] for code, name in Locale("en").territories.items() if code in alpha3
    }
    return names | _ENGLISH_COUNTRY_ALIASES


# Long forms people type (CLDR's Chinese list has the short ones: 美国, 韩国, 中国香港特别行政区), and the
# old short form 美利坚 (kept as typed, it showed as "美利坚" where GB/T 2659 and the provincial systems
# say 美国, full name 美利坚合众国), in simplified and traditional characters.
_CHINESE_COUNTRY_ALIASES = {
    "美利坚合众国": "USA", "美利坚": "USA", "美利堅合眾國": "USA", "美利堅": "USA",
    "大韩民国": "KOR", "朝鲜民主主义人民共和国": "PRK", "俄罗斯联邦": "RUS",
    "大不列颠及北爱尔兰联合王国": "GBR", "中华人民共和国": "CHN", "香港": "HKG", "中国香港": "HKG",
    "澳门": "MAC", "中国澳门": "MAC", "中国台湾": "TWN", "台湾地区": "TWN",
}  # fmt: skip


@cache
def _chinese_countries() -> dict[str, str]:
    """Chinese country names, simplified and traditional (Unicode CLDR, shipped with Babel) → alpha-3."""
    alpha3 = _alpha3_codes()
    names: dict[str, str] = {}
    for locale in ("zh_Hant", "zh"):  # the simplified name last: it wins where both write one
        for code, name in Locale.parse(locale).territories.items():
            if code in alpha3:
                names[name.replace(" ", "")] = alpha3[code]
    return names | _CHINESE_COUNTRY_ALIASES


@cache
def country_name(stored: str, locale: str) -> str | None:
    """The country a stored nationality code names, in ``locale``'s words (``USA`` → 美国 / United
    States); None for a Chinese name as typed or a code no country has."""
    alpha2 = next((a2 for a2, a3 in _alpha3_codes().items() if a3 == stored), None)
    return Locale.parse(locale).territories.get(alpha2) if alpha2 is not None else None


def normalize_nationality(value: str | None) -> str:
    """Nationality of a passport holder: an ISO 3166-1 alpha-3 code (``USA``), a country name in
    Chinese (``美国``, ``美國``) or in English (``United States``). Returns the code, uppercased (a name
    CLDR knows becomes its code), or a Chinese name it does not know as typed, without spaces."""
    text = _clean(value).replace("•", "·").replace("・", "·")
    if not text:
        raise IdentityError(
            "nationality_required", T_("请填写护照签发国家（国籍），如“%(example)s”或“USA”", example="美国")
        )
    upper = text.upper()
    if _ISO_ALPHA3_RE.fullmatch(upper):
        return upper
    # A Chinese name CLDR (or a long form above) knows is stored as its code, so every page names the
    # country in the reader's language; another Chinese name (中非 for CLDR's 中非共和国) is kept as typed.
    if _CHINESE_COUNTRY_RE.fullmatch(text):
        return _chinese_countries().get(text, text)
    code = _english_countries().get(_country_key(value or ""))
    if code is not None:
        return code
    raise IdentityError(
        "bad_nationality",
        T_(
            "国籍请填写国家的中文名称（如“%(example)s”）、英文名称（如“Singapore”）或3位英文字母代码"
            "（如“SGP”），请核对后重新输入",
            example="新加坡",
        ),
    )


def normalize_passport(number: str, nationality: str | None) -> str:
    """Canonical passport number (5-17 letters and digits, uppercase). The nationality is required
    and must be valid (see :func:`normalize_nationality`); store it from that function."""
    text = _clean(number).replace("-", "").upper()
    if not text:
        raise IdentityError("empty", T_("请输入%(what)s", what=_PASSPORT))
    if not all(ch in _ASCII_DIGITS or ch in _ASCII_UPPER for ch in text):
        raise IdentityError("bad_chars", N_("护照号码只能包含英文字母和数字，请删除其他字符后重新输入"))
    if not _PASSPORT_RE.fullmatch(text):
        raise IdentityError(
            "bad_length",
            T_(
                "护照号码应为5-17位英文字母或数字，您输入了%(count)d位，请对照护照资料页核对后重新输入",
                count=len(text),
            ),
        )
    normalize_nationality(nationality)
    return text


class DocumentType(Enum):
    """Identity documents an applicant may register with (SCOPE-03)."""

    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
    HK_MACAU_PERMIT = "hk_macau_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    PASSPORT = "passport"

    @property
    def title(self) -> str:
        """Chinese name of the document, as printed on it."""
        return _DOCUMENT_TITLES[self]

    @property
    def number_label(self) -> str:
        """What the number is called where the page knows the document: 身份证号码 for a resident ID card,
        else the document's own number (护照号码 / "Passport number"): a foreigner's or a Hong Kong,
        Macau or Taiwan resident's number is no ID card's. A list of mixed people says 证件号码."""
        return _NUMBER_LABELS[self]


_DOCUMENT_TITLES: dict[DocumentType, str] = {
    DocumentType.RESIDENT_ID: N_("居民身份证"),
    DocumentType.HMT_RESIDENCE_PERMIT: N_("港澳台居民居住证"),
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: N_("外国人永久居留身份证"),
    DocumentType.HK_MACAU_PERMIT: N_("港澳居民来往内地通行证"),
    DocumentType.TAIWAN_PERMIT: N_("台湾居民来往大陆通行证"),
    DocumentType.PASSPORT: N_("护照"),
}

# The same words the checks name each number with (“请输入护照号码”), so a label and its error agree.
_NUMBER_LABELS: dict[DocumentType, str] = {
    DocumentType.RESIDENT_ID: _RESIDENT_ID,
    DocumentType.HMT_RESIDENCE_PERMIT: _HMT_PERMIT,
    DocumentType.FOREIGN_PERMANENT_RESIDENCE: _FOREIGN_PR,
    DocumentType.HK_MACAU_PERMIT: _HK_MACAU_PERMIT,
    DocumentType.TAIWAN_PERMIT: _TAIWAN_PERMIT,
    DocumentType.PASSPORT: _PASSPORT,
}


def normalize_document(
    doc_type: DocumentType | str,
    value: str,
    *,
    nationality: str | None = None,
    today: date | None = None,
    region_confirmed: bool = False,
) -> str:
    """Normalise ``value`` as a number of ``doc_type`` (an enum member or its value string).
    ``nationality`` is used (and required) only for passports; ``today`` only for documents that
    carry a birth date; ``region_confirmed`` only for resident IDs (see :func:`normalize_resident_id`)."""
    kind = DocumentType(doc_type)
    if kind is DocumentType.RESIDENT_ID:
        return normalize_resident_id(value, today=today, region_confirmed=region_confirmed)
    if kind is DocumentType.HMT_RESIDENCE_PERMIT:
        return normalize_hmt_residence_permit(value, today=today)
    if kind is DocumentType.FOREIGN_PERMANENT_RESIDENCE:
        return normalize_foreign_permanent_residence(value, today=today)
    if kind is DocumentType.HK_MACAU_PERMIT:
        return normalize_hk_macau_permit(value)
    if kind is DocumentType.TAIWAN_PERMIT:
        return normalize_taiwan_permit(value)
    return normalize_passport(value, nationality)


def requires_work_permit(doc_type: DocumentType | str) -> bool:
    """True when the document alone does not allow the holder to apply (SCOPE-03): a passport
    holder must also hold a 外国人来华工作许可证, 外国人永久居留身份证 or 海外高层次人才居住证."""
    return DocumentType(doc_type) is DocumentType.PASSPORT


# ---------------------------------------------------------------------------------------------------
# Mobile numbers
# ---------------------------------------------------------------------------------------------------

_MOBILE = N_("手机号码")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")


def normalize_mobile(value: str) -> str:
    """Canonical mainland mobile number: 11 digits starting 13-19, without +86/0086, spaces or dashes."""
    text = _clean(value)
    for dash in _DASHES:
        text = text.replace(dash, "")
    if not text:
        raise IdentityError("empty", T_("请输入%(what)s", what=_MOBILE))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("861"):
        text = text[2:]
    if not _is_digits(text):
        raise IdentityError("bad_chars", N_("手机号码只能包含数字，请删除其他字符后重新输入"))
    if len(text) != 11:
        raise IdentityError(
            "bad_length", T_("手机号码应为11位数字，您输入了%(count)d位，请核对后重新输入", count=len(text))
        )
    if not _MOBILE_RE.fullmatch(text):
        raise IdentityError(
            "bad_mobile_prefix",
            T_(
                "手机号码应以13-19开头（中国大陆手机号），您输入的是以%(start)s开头，请核对后重新输入",
                start=text[:2],
            ),
        )
    return text


# ---------------------------------------------------------------------------------------------------
# Masks
# ---------------------------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """Mask an ID number for display, keeping its length: 18 characters show the first 4 and last 4
    (``3601**********123X``); shorter numbers show less, never more than 8 characters in all and
    never more than half of the number."""
    text = _clean(value)
    n = len(text)
    keep = min(4, n // 4)
    if keep == 0:
        return "*" * n
    return text[:keep] + "*" * (n - 2 * keep) + text[-keep:]


def mask_mobile(value: str) -> str:
    """Mask a mobile number for display: ``138****5678``. Numbers that are not mainland mobiles
    are masked like ID numbers."""
    try:
        number = normalize_mobile(value)
    except IdentityError:
        return mask_id_number(value)
    return number[:3] + "****" + number[-4:]


def complete_resident_id(body17: str) -> str:
    """The 18-character number for 17 leading digits (demo data and test factories build IDs this way)."""
    return body17 + _mod11_2_check(body17)


def complete_uscc(body17: str) -> str:
    """The 18-character 统一社会信用代码 for 17 leading characters."""
    return body17 + _uscc_check(body17)
