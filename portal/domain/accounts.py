"""Applicant accounts: the checks an enterprise's HR desk must pass before an account is opened.

One function, :func:`check_applicant`, checks every field of one applicant (the form, the live
validation of one field and every row of a bulk file all use it) and returns the canonical values
with a precise Chinese message per bad field:

- the identity document (SCOPE-03, SI-04): type, number normalised by :mod:`portal.domain.identity`;
  passports also need the nationality and a permit (外国人来华工作许可证, 外国人永久居留身份证 or
  海外高层次人才居住证);
- the employment type (SCOPE-04): civil servants, 参公 staff and retirees may not apply;
- the name as on the document and the social-insurance record (SI-04), and a mainland mobile.

Uniqueness (one account per person) needs the database and is checked by the service.
Pure Python: imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from portal.domain.i18n import N_, T_, Clause, Joined
from portal.domain.identity import (
    DocumentType,
    IdentityError,
    ResidentIdFacts,
    normalize_document,
    normalize_foreign_permanent_residence,
    normalize_mobile,
    normalize_nationality,
    requires_work_permit,
    resident_id_facts,
)
from portal.domain.policy import PolicyProfile
from portal.domain.tables import Header, TableError, TableProblem, cell, find_header
from portal.domain.text import LIMITS


@dataclass(frozen=True)
class AccountClauses:
    """What the bureau's profile cites when HR's form refuses an applicant: its SCOPE-04 exclusion
    (Nantong's 002 一(三), Zhenjiang's 003 一(三)) and its SCOPE-03 permits (002 一(二), 003 一(二)).
    The checks are the same under every profile; a notice that does not state the rule is not cited
    (one city's clause shown to another city's HR is wrong), so the refusal then has no clause."""

    excluded: str = ""  # SCOPE-04: civil servants, 参公 staff and retirees may not apply
    permits: str = ""  # SCOPE-03: a passport holder applies with one of three permits


NO_CLAUSES = AccountClauses()


def account_clauses(profile: PolicyProfile | None) -> AccountClauses:
    """The clauses ``profile``'s notice states for SCOPE-04 and SCOPE-03, "" for each it does not."""
    if profile is None:
        return NO_CLAUSES
    excluded = next((e.citation for e in profile.exclusions if e.rule == "SCOPE-04"), "")
    return AccountClauses(
        excluded=excluded, permits=profile.permits.citation if profile.permits is not None else ""
    )


class EmploymentType(StrEnum):
    """How the applicant is employed by the applying unit (SCOPE-01, SCOPE-04)."""

    LABOUR_CONTRACT = "labour_contract"
    EMPLOYMENT_CONTRACT = "employment_contract"
    CIVIL_SERVANT = "civil_servant"
    CIVIL_SERVANT_MANAGED = "civil_servant_managed"
    RETIREE = "retiree"

    @property
    def title(self) -> str:
        return _EMPLOYMENT_TITLES[self]

    @property
    def may_apply(self) -> bool:
        return self in ALLOWED_EMPLOYMENT


_EMPLOYMENT_TITLES = {
    EmploymentType.LABOUR_CONTRACT: N_("签订劳动合同的职工"),
    EmploymentType.EMPLOYMENT_CONTRACT: N_("签订聘用合同的事业单位工作人员"),
    EmploymentType.CIVIL_SERVANT: N_("公务员"),
    EmploymentType.CIVIL_SERVANT_MANAGED: N_("参照公务员法管理单位工作人员（参公）"),
    EmploymentType.RETIREE: N_("离退休人员（含退休返聘）"),
}
ALLOWED_EMPLOYMENT = frozenset({EmploymentType.LABOUR_CONTRACT, EmploymentType.EMPLOYMENT_CONTRACT})


class PermitKind(StrEnum):
    """The permits that let a passport holder apply (SCOPE-03)."""

    WORK_PERMIT = "work_permit"
    PERMANENT_RESIDENCE = "permanent_residence"
    TALENT_RESIDENCE = "talent_residence"

    @property
    def title(self) -> str:
        return {
            "work_permit": N_("外国人来华工作许可证"),
            "permanent_residence": N_("外国人永久居留身份证"),
            "talent_residence": N_("海外高层次人才居住证"),
        }[self.value]


FIELDS = (
    "name",
    "document_type",
    "id_number",
    "nationality",
    "permit_kind",
    "permit_no",
    "phone",
    "employment_type",
)
PASSPORT_FIELDS = frozenset({"nationality", "permit_kind", "permit_no"})


@dataclass(frozen=True)
class ApplicantDraft:
    """What HR typed (or what a row of a bulk file says), untouched."""

    name: str = ""
    document_type: str = DocumentType.RESIDENT_ID.value
    id_number: str = ""
    phone: str = ""
    employment_type: str = ""
    nationality: str = ""
    permit_kind: str = ""
    permit_no: str = ""
    # HR holding the physical card confirm an address code GB/T 2260's list lacks, with what they saw.
    region_confirmed: str = ""
    region_reason: str = ""


REGION_REASON_MAX = 200


@dataclass
class CheckedApplicant:
    """Canonical values of the fields that passed, a message per field that did not, and what a
    resident ID says about its holder (shown back for confirmation)."""

    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    facts: ResidentIdFacts | None = None
    unknown_region: bool = False  # the number's address code is in no GB/T 2260 list: HR may confirm it
    region_reason: str = ""  # set when HR confirmed it: what they checked on the card

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def document_type(self) -> DocumentType:
        return DocumentType(self.values.get("document_type", DocumentType.RESIDENT_ID.value))


# Letters of every script, the middle dot of minority and foreign names, spaces, hyphen, apostrophe, and the
# full stop people write after an initial or a suffix (“John Smith Jr.”).
# Phones' keyboards type the typographic apostrophe (O’Brien) or hyphen (‐) where the document prints an
# apostrophe or a hyphen: one stored form, so the name is not refused and rosters and lists agree.
_NAME_SEPARATORS = str.maketrans(
    {"•": "·", "・": "·", "‧": "·", "’": "'", "‘": "'", "ʼ": "'", "ʻ": "'", "‐": "-", "‑": "-"}
)
NAME_PUNCTUATION = "·-'."
_CJK = re.compile(r"[\u3400-\u9fff]")
# A full stop between two Chinese characters is a middle dot typed with the nearest key (“阿卜杜拉．艾力”:
# NFKC makes the full-width one '.'), not a full stop: stored as the dot the document prints.
_CJK_FULL_STOP = re.compile(r"(?<=[\u3400-\u9fff])\s*\.\s*(?=[\u3400-\u9fff])")


def _name_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "").translate(_NAME_SEPARATORS)
    return _CJK_FULL_STOP.sub("·", text)


NAME_LIMIT = LIMITS["person_name"]


def normalize_name(value: str) -> str:
    """The key two names compare by: NFKC; Chinese names lose every space (“周 文博” → “周文博”), others
    keep single spaces; Latin letters in one case, as a passport's LEUNG KA-MING is the Leung Ka-ming a
    person types. A full stop counts as a space: “John Smith Jr.” is the roster's JOHN SMITH JR, and
    “J.R. Smith” its J R SMITH (machine-readable names carry no full stop)."""
    text = _name_text(value).replace(".", " ")
    words = text.split()
    if _CJK.search(text):
        return "".join(words).casefold()
    return " ".join(words).casefold()


def written_name(value: str) -> str:
    """The name as stored and shown: as :func:`normalize_name`, but a space is dropped only between two
    Chinese characters or beside the middle dot, so a Hong Kong resident's “陈大文 CHAN Tai Man” keeps
    its words apart (normalize_name, the comparison key, still drops every space of a Chinese name)."""
    words = _name_text(value).split()
    name = words[0] if words else ""
    for word in words[1:]:
        joined = "·" in (name[-1], word[0]) or bool(_CJK.match(name[-1]) and _CJK.match(word[0]))
        name += word if joined else f" {word}"
    return name


def check_name(value: str) -> str:
    name = written_name(value)
    if not any(ch.isalpha() for ch in name):  # "." or "-" alone is no name
        raise IdentityError("empty", N_("请填写姓名（与证件和社保登记一致）"))
    if len(name) > NAME_LIMIT:
        raise IdentityError(
            "too_long",
            T_("姓名不能超过%(limit)d个字符，您输入了%(count)d个", limit=NAME_LIMIT, count=len(name)),
        )
    for ch in name:
        if not (ch.isalpha() or ch == " " or ch in NAME_PUNCTUATION):
            raise IdentityError(
                "bad_chars",
                T_(
                    "姓名中不能有“%(char)s”：只能包含汉字、字母、空格、间隔号“·”、连字符“-”、撇号“'”和"
                    "英文句点“.”，请与证件上的姓名一致",
                    char=ch,
                ),
            )
    return name


# A word a bulk file wrote in a choice column that is none of its choices: `_choice` hands it on as "?word".
UNKNOWN_WORD = "?"


def _written(value: str) -> str:
    return value.removeprefix(UNKNOWN_WORD)


def _choices(titles: list[str]) -> Joined:
    """A column's choices as the file must write them: the template's own words, in Chinese and quoted
    (not msgids, so the English interface shows them as written), e.g. “签订劳动合同的职工”."""
    return Joined(tuple(f"“{title}”" for title in titles))


class _Titled(Protocol):
    @property
    def title(self) -> str: ...


def _refuse_unknown_word(value: str, code: str, template: str, kinds: Iterable[_Titled]) -> None:
    """Refuse a word a bulk file wrote that none of the column's choices is: named, with the choices."""
    if value.startswith(UNKNOWN_WORD):
        message = T_(template, value=_written(value), choices=_choices([kind.title for kind in kinds]))
        raise IdentityError(code, message) from None


def check_employment(value: str, clauses: AccountClauses = NO_CLAUSES) -> EmploymentType:
    try:
        kind = EmploymentType(value)
    except ValueError:
        _refuse_unknown_word(
            value,
            "employment_unknown",
            N_("用工类型“%(value)s”无法识别，请填写以下之一：%(choices)s"),
            EmploymentType,
        )
        raise IdentityError("employment_required", N_("请选择用工类型")) from None
    if not kind.may_apply:
        raise IdentityError(
            "excluded_employment",
            T_(
                "%(kind)s不能申报职称，不能为其开设申报账号（公务员、参照公务员法管理单位工作人员和"
                "离退休人员不得申报，见%(clause)s）",
                kind=kind.title,
                clause=Clause(clauses.excluded),
            )
            if clauses.excluded
            else T_(
                "%(kind)s不能申报职称，不能为其开设申报账号（公务员、参照公务员法管理单位工作人员和"
                "离退休人员不得申报）",
                kind=kind.title,
            ),
        )
    return kind


def check_document_type(value: str) -> DocumentType:
    try:
        return DocumentType(value or DocumentType.RESIDENT_ID.value)
    except ValueError:
        _refuse_unknown_word(
            value,
            "document_type_unknown",
            N_("证件类型“%(value)s”无法识别，请填写以下之一：%(choices)s"),
            DocumentType,
        )
        raise IdentityError("document_type_required", N_("请选择证件类型")) from None


def check_permit_kind(value: str, clauses: AccountClauses = NO_CLAUSES) -> PermitKind:
    try:
        return PermitKind(value)
    except ValueError:
        _refuse_unknown_word(
            value,
            "permit_unknown",
            N_("许可证件种类“%(value)s”无法识别，请填写以下之一：%(choices)s"),
            PermitKind,
        )
        raise IdentityError(
            "permit_required",
            T_(
                "持护照申报须持有外国人来华工作许可证、外国人永久居留身份证或海外高层次人才居住证之一，"
                "请选择证件种类（%(clause)s）",
                clause=Clause(clauses.permits),
            )
            if clauses.permits
            else N_(
                "持护照申报须持有外国人来华工作许可证、外国人永久居留身份证或海外高层次人才居住证之一，"
                "请选择证件种类"
            ),
        ) from None


# A passport holder applies as a foreigner (SCOPE-03: the three permits are issued to foreigners only); a
# Chinese citizen, a Hong Kong, Macao or Taiwan resident registers with their own document instead.
_CHINESE_NATIONALITIES = frozenset({"CHN", "HKG", "MAC", "TWN"})
_CHINESE_PLACES = ("中国", "中华人民共和国", "香港", "澳门", "台湾")


def check_nationality(value: str, clauses: AccountClauses = NO_CLAUSES) -> str:
    nationality = normalize_nationality(value)
    if nationality in _CHINESE_NATIONALITIES or any(place in nationality for place in _CHINESE_PLACES):
        raise IdentityError(
            "chinese_nationality",
            T_(
                "持护照申报的须为外国国籍（%(clause)s）：中国公民请选择“居民身份证”；港澳居民请选择"
                "“港澳居民来往内地通行证”或“港澳台居民居住证”；台湾居民请选择“台湾居民来往大陆通行证”"
                "或“港澳台居民居住证”",
                clause=Clause(clauses.permits),
            )
            if clauses.permits
            else N_(
                "持护照申报的须为外国国籍：中国公民请选择“居民身份证”；港澳居民请选择"
                "“港澳居民来往内地通行证”或“港澳台居民居住证”；台湾居民请选择“台湾居民来往大陆通行证”"
                "或“港澳台居民居住证”"
            ),
        )
    return nationality


def check_permit_no(permit: PermitKind, number: str, *, today: date) -> str:
    if permit is PermitKind.PERMANENT_RESIDENCE:
        return normalize_foreign_permanent_residence(number, today=today)
    text = "".join(unicodedata.normalize("NFKC", number or "").upper().split()).replace("-", "")
    if not text:
        raise IdentityError("permit_no_required", T_("请填写%(permit)s的证件号码", permit=permit.title))
    if not re.fullmatch(r"[A-Z0-9]{6,30}", text):
        raise IdentityError(
            "bad_permit",
            T_("%(permit)s号码应为6-30位英文字母或数字，请对照证件核对后重新输入", permit=permit.title),
        )
    return text


def _attempt(result: CheckedApplicant, name: str, run: Callable[[], str]) -> None:
    """One field checked: its canonical value kept, or its message."""
    try:
        result.values[name] = run()
    except IdentityError as problem:
        result.problems[name] = problem.message


def check_applicant(
    draft: ApplicantDraft, *, today: date, clauses: AccountClauses = NO_CLAUSES
) -> CheckedApplicant:
    """Every field of one applicant, independently: a bad field never hides a problem in another. Its
    refusals cite ``clauses``, the bureau's profile's (:func:`account_clauses`), none by default."""
    result = CheckedApplicant()
    values, problems = result.values, result.problems

    def attempt(name: str, run: Callable[[], str]) -> None:
        _attempt(result, name, run)

    attempt("name", lambda: check_name(draft.name))
    attempt("document_type", lambda: check_document_type(draft.document_type).value)
    attempt("phone", lambda: normalize_mobile(draft.phone))
    attempt("employment_type", lambda: check_employment(draft.employment_type, clauses).value)
    if "document_type" not in values:
        return result
    kind = DocumentType(values["document_type"])
    passport = requires_work_permit(kind)
    if passport:
        attempt("nationality", lambda: check_nationality(draft.nationality, clauses))
        attempt("permit_kind", lambda: check_permit_kind(draft.permit_kind, clauses).value)
        if "permit_kind" in values:
            permit = PermitKind(values["permit_kind"])
            attempt("permit_no", lambda: check_permit_no(permit, draft.permit_no, today=today))
    # A passport number is checked on its own: a bad nationality is reported beside its own field,
    # so a valid placeholder stands in for it here.
    nationality = values.get("nationality", "XXX") if passport else None
    confirmed = kind is DocumentType.RESIDENT_ID and bool(draft.region_confirmed.strip())
    try:
        try:
            number = normalize_document(kind, draft.id_number, nationality=nationality, today=today)
        except IdentityError as problem:
            if problem.code != "unknown_region":
                raise
            result.unknown_region = True
            if not confirmed:
                raise
            reason = " ".join(draft.region_reason.split())
            if not reason:
                problems["region_reason"] = N_(
                    "请写明核验实体证件的情况，例如：已核验本人居民身份证原件，签发机关为某某县公安局"
                )
            elif len(reason) > REGION_REASON_MAX:
                problems["region_reason"] = T_("核验情况说明不能超过%(most)d字", most=REGION_REASON_MAX)
            result.region_reason = reason
            number = normalize_document(kind, draft.id_number, today=today, region_confirmed=True)
        values["id_number"] = number
        if kind in (DocumentType.RESIDENT_ID, DocumentType.HMT_RESIDENCE_PERMIT):
            result.facts = resident_id_facts(number)
    except IdentityError as problem:
        problems["id_number"] = problem.message
    return result


# ---------------------------------------------------------------------------------------------------
# Correcting an opened account
# ---------------------------------------------------------------------------------------------------

# What HR may correct on an account they opened: the name and the login mobile, typed at opening and
# checked against nothing but the person. Not the identity document (the ID number is the person: a wrong
# one is another person's account), nor the employment type (the eligibility of cases in progress reads
# it), nor the e-mail address (its owner's own, set and verified by them).
EDITABLE_FIELDS = ("name", "phone")


@dataclass(frozen=True)
class AccountChange:
    """What HR typed to correct an account, untouched. The name's field starts with the name; the mobile's
    starts empty (the page shows it masked) and left empty is not changed."""

    name: str = ""
    phone: str = ""


def check_account_change(change: AccountChange) -> CheckedApplicant:
    """The typed fields checked exactly as at opening (:func:`check_name`, the same mobile rule): the
    canonical value of each field, a message for each bad one; an empty mobile is left out (unchanged)."""
    result = CheckedApplicant()
    _attempt(result, "name", lambda: check_name(change.name))
    if change.phone.strip():
        _attempt(result, "phone", lambda: normalize_mobile(change.phone))
    return result


# ---------------------------------------------------------------------------------------------------
# Self-registration (ACC-04, Kunming 004 一(二))
# ---------------------------------------------------------------------------------------------------

# The documents that say who a person is on their own: every one but a passport, whose holder also needs
# a permit (SCOPE-03) that only HR's applicant form asks for and checks.
OWN_DOCUMENTS = tuple(kind for kind in DocumentType if not requires_work_permit(kind))
# The documents a person registers with on their own. A passport holder applies only with a permit the
# unit's HR verify (SCOPE-03): their account is opened by the unit.
SELF_REGISTRATION_DOCUMENTS = OWN_DOCUMENTS


@dataclass(frozen=True)
class RegistrationDraft:
    """What a person registering their own account typed, untouched."""

    name: str = ""
    document_type: str = DocumentType.RESIDENT_ID.value
    id_number: str = ""
    phone: str = ""


def check_registration(draft: RegistrationDraft, *, today: date) -> CheckedApplicant:
    """The name, document and mobile of a person registering themselves, checked exactly as HR's form
    checks them (:func:`check_identity`). The employment type is HR's to state when they attach the
    account, so it is not asked; an unlisted address code cannot be confirmed here (only staff holding the
    card may)."""
    return check_identity(
        draft,
        today=today,
        passport=N_("持护照的申报人须持有工作许可等证件，请由所在单位经办人核验后为您开设账号"),
    )


def check_identity(draft: RegistrationDraft, *, today: date, passport: str) -> CheckedApplicant:
    """A person's name, own document (one of `OWN_DOCUMENTS`; a passport is refused with ``passport``) and
    mobile, checked exactly as HR's applicant form checks them (:func:`check_applicant`, the same
    normalisers): a self-registration, a staff account. An unlisted address code is not confirmed here."""
    if draft.document_type == DocumentType.PASSPORT.value:
        result = CheckedApplicant()
        result.problems["document_type"] = passport
        return result
    checked = check_applicant(
        ApplicantDraft(
            name=draft.name,
            document_type=draft.document_type,
            id_number=draft.id_number,
            phone=draft.phone,
            # Stands in for the employment type, not this check's to ask (HR state an applicant's when
            # they attach the account, SCOPE-04 checked then; a staff account has none), so that this
            # check is the HR form's own and no other.
            employment_type=EmploymentType.LABOUR_CONTRACT.value,
        ),
        today=today,
    )
    checked.values.pop("employment_type", None)
    return checked


# ---------------------------------------------------------------------------------------------------
# Bulk files: one applicant per row
# ---------------------------------------------------------------------------------------------------

IMPORT_COLUMNS = (
    Header("name", "姓名", ("姓名",), required=True),
    Header("document_type", "证件类型", ("证件类型",)),
    Header("id_number", "证件号码", ("证件号码", "身份证号码", "身份证号", "公民身份号码"), required=True),
    Header("phone", "手机号码", ("手机号码", "手机号", "手机", "联系电话"), required=True),
    Header("employment_type", "用工类型", ("用工类型", "人员类型", "用工形式"), required=True),
    Header("nationality", "国籍", ("国籍", "护照签发国家")),
    Header("permit_kind", "许可证件种类", ("许可证件种类", "许可证种类", "工作许可种类")),
    Header("permit_no", "许可证件号码", ("许可证件号码", "许可证号码", "工作许可证号")),
)
COLUMN_TITLES = {h.key: h.title for h in IMPORT_COLUMNS}
EXAMPLE_PREFIX = "示例"

# What people write in the two choice columns, mapped to the stored values.
_DOCUMENT_WORDS = {t.title: t.value for t in DocumentType} | {
    "身份证": DocumentType.RESIDENT_ID.value,
    "居住证": DocumentType.HMT_RESIDENCE_PERMIT.value,
    "永久居留身份证": DocumentType.FOREIGN_PERMANENT_RESIDENCE.value,
    "回乡证": DocumentType.HK_MACAU_PERMIT.value,
    "台胞证": DocumentType.TAIWAN_PERMIT.value,
}
_EMPLOYMENT_WORDS = {t.title: t.value for t in EmploymentType} | {
    "劳动合同": EmploymentType.LABOUR_CONTRACT.value,
    "聘用合同": EmploymentType.EMPLOYMENT_CONTRACT.value,
    "参公": EmploymentType.CIVIL_SERVANT_MANAGED.value,
    "参照公务员法管理": EmploymentType.CIVIL_SERVANT_MANAGED.value,
    "退休": EmploymentType.RETIREE.value,
    "离退休": EmploymentType.RETIREE.value,
    "离退休人员": EmploymentType.RETIREE.value,
    "退休返聘": EmploymentType.RETIREE.value,
}
_PERMIT_WORDS = {t.title: t.value for t in PermitKind} | {
    "工作许可证": PermitKind.WORK_PERMIT.value,
    "永久居留身份证": PermitKind.PERMANENT_RESIDENCE.value,
    "人才居住证": PermitKind.TALENT_RESIDENCE.value,
}


def _choice(words: dict[str, str], text: str) -> str:
    """The stored value of a word a choice column wrote; a word none of them is handed on as "?word", so
    the check names it and lists the choices."""
    key = "".join(unicodedata.normalize("NFKC", text).split())
    return words.get(key, key and f"{UNKNOWN_WORD}{key}")


@dataclass
class ImportRow:
    line: int
    draft: ApplicantDraft
    checked: CheckedApplicant


@dataclass
class ImportCheck:
    """Every data row of a bulk file, checked; ``problems`` lists each bad cell by line and column."""

    rows: list[ImportRow]

    @property
    def problems(self) -> list[TableProblem]:
        return [
            TableProblem(row.line, COLUMN_TITLES.get(key, key), message)
            for row in self.rows
            for key, message in row.checked.problems.items()
        ]

    @property
    def good(self) -> list[ImportRow]:
        return [row for row in self.rows if row.checked.ok]

    @property
    def bad_lines(self) -> int:
        return sum(1 for row in self.rows if not row.checked.ok)


def check_import_rows(
    rows: list[list[str]], *, today: date, max_rows: int = 5000, clauses: AccountClauses = NO_CLAUSES
) -> ImportCheck:
    """Check every row; nothing is written. A duplicate inside the file is reported on its later line.
    Refusals cite ``clauses`` (the bureau's profile's), as the single-account form's do."""
    header_at, columns = find_header(rows, IMPORT_COLUMNS, what=N_("导入文件"))
    checked: list[ImportRow] = []
    first_line: dict[tuple[str, str], int] = {}
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        if not any((value or "").strip() for value in row):
            continue
        name = cell(row, columns, "name")
        if name.startswith(EXAMPLE_PREFIX):
            continue  # the template's example row
        if len(checked) >= max_rows:
            raise TableError(
                "too_many_rows", T_("一次最多导入%(most)d人，请把文件拆成几份分别导入", most=max_rows)
            )
        doc_text = cell(row, columns, "document_type")
        draft = ApplicantDraft(
            name=name,
            document_type=_choice(_DOCUMENT_WORDS, doc_text) if doc_text else DocumentType.RESIDENT_ID.value,
            id_number=cell(row, columns, "id_number"),
            phone=cell(row, columns, "phone"),
            employment_type=_choice(_EMPLOYMENT_WORDS, cell(row, columns, "employment_type")),
            nationality=cell(row, columns, "nationality"),
            permit_kind=_choice(_PERMIT_WORDS, cell(row, columns, "permit_kind")),
            permit_no=cell(row, columns, "permit_no"),
        )
        result = check_applicant(draft, today=today, clauses=clauses)
        line = index + 1
        if "id_number" in result.problems and "e+" in draft.id_number.lower():
            result.problems["id_number"] = N_(
                "证件号码被Excel存成了数字，后几位已丢失：请把该列设为“文本”格式后重新输入号码"
            )
        # One message per column: English writes "the same ID number", "the same mobile number".
        repeated = {
            "id_number": N_("与第%(line)d行的证件号码重复，一人只能开设一个账号"),
            "phone": N_("与第%(line)d行的手机号码重复，一人只能开设一个账号"),
        }
        for key, template in repeated.items():
            value = result.values.get(key)
            if value is None:
                continue
            earlier = first_line.setdefault((key, value), line)
            if earlier != line:
                result.problems[key] = T_(template, line=earlier)
                del result.values[key]
        checked.append(ImportRow(line, draft, result))
    return ImportCheck(checked)
