"""Password rules as configurable policy: length, character classes, personal data, reuse, maximum age.

Two profiles. `dengbao` (the default) follows 等保 2.0 (GB/T 22239-2019 身份鉴别 a: "口令具有复杂度要求并定期
更换"): at least 12 characters from at least 3 of the 4 classes, no phone or ID number inside, none of the
last 5 passwords again, a change forced after 90 days. `asvs` follows OWASP ASVS (4.0.3 2.1.1/2.1.9/2.1.10,
5.0.0 6.2.1/6.2.5/6.2.10): length only, no composition rules, no forced rotation. Every value of either
profile can be overridden one by one (settings PORTAL_PASSWORD_*). The rules are checked before hashing;
reuse is checked by the service, which holds the hashes.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from portal.domain.i18n import N_, T_, joined


class CharClass(StrEnum):
    UPPER = "upper"
    LOWER = "lower"
    DIGIT = "digit"
    SYMBOL = "symbol"

    @property
    def title(self) -> str:
        return {"upper": N_("大写字母"), "lower": N_("小写字母"), "digit": N_("数字"), "symbol": N_("符号")}[
            self.value
        ]

    def matches(self, char: str) -> bool:
        # ASCII letters and digits only: a Chinese character or a full-width digit counts as a symbol
        # (`str.isdigit` would take "１" or "٣" for a digit, DESIGN §5).
        if self is CharClass.UPPER:
            return char in string.ascii_uppercase
        if self is CharClass.LOWER:
            return char in string.ascii_lowercase
        if self is CharClass.DIGIT:
            return char in string.digits
        return not (char.isascii() and char.isalnum())


ORDER = (CharClass.UPPER, CharClass.LOWER, CharClass.DIGIT, CharClass.SYMBOL)
# Shorter than this a personal value (a house number, a birth year) would refuse too many passwords.
MIN_PERSONAL_LENGTH = 6
ABSOLUTE_MAX_LENGTH = 128  # ASVS 4.0.3 2.1.2: up to 128 characters allowed, more refused


class PasswordPolicyError(ValueError):
    """A setting that cannot make a policy; the message names the setting."""


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must satisfy. 0 turns `history` and `max_age_days` off."""

    min_length: int = 12
    max_length: int = ABSOLUTE_MAX_LENGTH
    min_classes: int = 3  # of the four in ORDER
    required_classes: frozenset[CharClass] = field(default_factory=frozenset)  # each must appear
    forbid_personal: bool = True  # no phone or ID number (or other personal value) inside
    history: int = 5  # the new password differs from the current one and the N-1 before it
    max_age_days: int = 90  # a password older than this must be changed before anything else

    def __post_init__(self) -> None:
        if not 1 <= self.min_length <= self.max_length <= ABSOLUTE_MAX_LENGTH:
            raise PasswordPolicyError(
                f"PORTAL_PASSWORD_MIN_LENGTH 须在1到{self.max_length}之间（当前{self.min_length}）"
            )
        if not 0 <= self.min_classes <= len(ORDER):
            raise PasswordPolicyError(f"PORTAL_PASSWORD_MIN_CLASSES 须在0到4之间（当前{self.min_classes}）")
        if self.history < 0 or self.history > 24:
            raise PasswordPolicyError(f"PORTAL_PASSWORD_HISTORY 须在0到24之间（当前{self.history}）")
        if self.max_age_days < 0:
            raise PasswordPolicyError(f"PORTAL_PASSWORD_MAX_AGE_DAYS 不能为负数（当前{self.max_age_days}）")


PROFILES: dict[str, PasswordPolicy] = {
    "dengbao": PasswordPolicy(),
    "asvs": PasswordPolicy(min_length=12, min_classes=0, history=0, max_age_days=0),
}
DEFAULT_PROFILE = "dengbao"


def parse_classes(value: str) -> frozenset[CharClass]:
    """ "upper,digit" -> {UPPER, DIGIT}; the setting PORTAL_PASSWORD_REQUIRED_CLASSES."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    try:
        return frozenset(CharClass(name) for name in names)
    except ValueError:
        raise PasswordPolicyError(
            f"PORTAL_PASSWORD_REQUIRED_CLASSES 只能列出 upper、lower、digit、symbol（当前“{value}”）"
        ) from None


def make_policy(
    profile: str = DEFAULT_PROFILE,
    *,
    min_length: int | None = None,
    min_classes: int | None = None,
    required_classes: str | None = None,
    forbid_personal: bool | None = None,
    history: int | None = None,
    max_age_days: int | None = None,
) -> PasswordPolicy:
    """A profile with the settings that were given (None keeps the profile's value)."""
    try:
        base = PROFILES[profile.strip().lower()]
    except KeyError:
        raise PasswordPolicyError(
            f"PORTAL_PASSWORD_PROFILE 只能是 {'、'.join(PROFILES)}（当前“{profile}”）"
        ) from None
    changes: dict[str, object] = {
        name: value
        for name, value in (
            ("min_length", min_length),
            ("min_classes", min_classes),
            ("forbid_personal", forbid_personal),
            ("history", history),
            ("max_age_days", max_age_days),
        )
        if value is not None
    }
    if required_classes is not None:
        changes["required_classes"] = parse_classes(required_classes)
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PasswordProblem:
    code: str
    message: str


def classes_in(password: str) -> list[CharClass]:
    return [kind for kind in ORDER if any(kind.matches(c) for c in password)]


def _titles(kinds: Iterable[CharClass]) -> str:
    return joined(kind.title for kind in ORDER if kind in set(kinds))


def check_password(
    password: str, policy: PasswordPolicy | None = None, *, personal: Iterable[str | None] = ()
) -> list[PasswordProblem]:
    """Everything wrong with a new password, in Chinese, in a fixed order; empty when acceptable.

    All problems at once, so the person fixes the password in one go rather than one rule per try.
    """
    policy = policy or PROFILES[DEFAULT_PROFILE]
    problems: list[PasswordProblem] = []
    length = len(password)
    if length < policy.min_length:
        problems.append(
            PasswordProblem(
                "too_short", T_("长度至少%(min)d位（现为%(length)d位）", min=policy.min_length, length=length)
            )
        )
    if length > policy.max_length:
        problems.append(
            PasswordProblem(
                "too_long",
                T_("长度不能超过%(max)d位（现为%(length)d位）", max=policy.max_length, length=length),
            )
        )
    present = classes_in(password)
    if len(present) < policy.min_classes:
        has = T_("现只有%(kinds)s", kinds=_titles(present)) if present else N_("现一类也没有")
        problems.append(
            PasswordProblem(
                "too_few_classes",
                T_(
                    "须包含大写字母、小写字母、数字、符号中的至少%(count)d类（%(has)s）",
                    count=policy.min_classes,
                    has=has,
                ),
            )
        )
    missing = [kind for kind in ORDER if kind in policy.required_classes and kind not in present]
    if missing:
        problems.append(PasswordProblem("missing_class", T_("须包含%(kinds)s", kinds=_titles(missing))))
    if policy.forbid_personal:
        lowered = password.lower()
        if any(v and len(v) >= MIN_PERSONAL_LENGTH and v.lower() in lowered for v in personal):
            problems.append(
                PasswordProblem(
                    "personal", N_("不能包含本人的手机号、证件号码，或证件号码中的出生日期、后六位")
                )
            )
    return problems


def personal_values(id_number: str | None, phone: str | None) -> tuple[str, ...]:
    """What a person's password must not contain: phone, document number, and the two pieces of an ID
    number people most often reuse (the birth date and the last six characters)."""
    values = [phone or "", id_number or ""]
    if id_number and len(id_number) == 18:
        values += [id_number[6:14], id_number[-6:]]
    return tuple(v for v in values if v)


def reuse_problem(policy: PasswordPolicy) -> PasswordProblem:
    """The problem for a password that matches the current one or one of the remembered ones."""
    if policy.history > 1:
        return PasswordProblem("reused", T_("不能与最近%(count)d次使用过的密码相同", count=policy.history))
    return PasswordProblem("reused", N_("不能与当前密码相同"))


def summary(problems: Iterable[PasswordProblem], *, first: bool = False) -> str:
    """One message for the form: "新密码不符合要求：长度至少12位（现为9位）；须包含…". ``first``: the
    account's first password (a person registering), which is no "new" one: "密码不符合要求：…"."""
    listed = joined((p.message for p in problems), "；")
    if first:
        return T_("密码不符合要求：%(problems)s", problems=listed)
    return T_("新密码不符合要求：%(problems)s", problems=listed)


def describe(policy: PasswordPolicy, *, first: bool = False) -> str:
    """The rules in one line, for the hint under the field. ``first``: the account's first password (a
    person registering), which no earlier password can repeat, so the history rule is not mentioned."""
    parts: list[str] = [T_("至少%(count)d位", count=policy.min_length)]
    if policy.min_classes:
        parts.append(T_("包含大写字母、小写字母、数字、符号中的至少%(count)d类", count=policy.min_classes))
    if policy.required_classes:
        parts.append(T_("必须有%(kinds)s", kinds=_titles(policy.required_classes)))
    if policy.forbid_personal:
        parts.append(N_("不含手机号和证件号码"))
    if not first and policy.history > 1:
        parts.append(T_("不与最近%(count)d次的密码相同", count=policy.history))
    elif not first:
        parts.append(N_("不与当前密码相同"))
    if policy.max_age_days:
        parts.append(T_("每%(days)d天须更换", days=policy.max_age_days))
    return joined(parts, "，")


def expires_at(changed_at: datetime, policy: PasswordPolicy) -> datetime | None:
    """When a password set at `changed_at` must be changed; None when passwords never expire."""
    if not policy.max_age_days:
        return None
    return changed_at + timedelta(days=policy.max_age_days)


def is_expired(changed_at: datetime, now: datetime, policy: PasswordPolicy) -> bool:
    due = expires_at(changed_at, policy)
    return due is not None and now >= due
