"""Password rules: length and character classes (等保 level-2 practice), checked before hashing."""

from __future__ import annotations

import string
from dataclasses import dataclass

MIN_LENGTH = 8
MIN_CLASSES = 3


@dataclass(frozen=True)
class PasswordProblem:
    code: str
    message: str


def _classes(password: str) -> int:
    kinds = (
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        any(not c.isalnum() or not c.isascii() for c in password),
    )
    return sum(kinds)


def check_password(password: str, *, personal: tuple[str, ...] = ()) -> PasswordProblem | None:
    """None when acceptable; otherwise what is wrong, in Chinese."""
    if len(password) < MIN_LENGTH:
        return PasswordProblem("too_short", f"密码至少{MIN_LENGTH}位")
    if len(password) > 128:
        return PasswordProblem("too_long", "密码不能超过128位")
    if _classes(password) < MIN_CLASSES:
        return PasswordProblem("too_simple", "密码须包含大写字母、小写字母、数字、符号中的至少三类")
    lowered = password.lower()
    for value in personal:
        if value and len(value) >= 6 and value.lower() in lowered:
            return PasswordProblem("personal", "密码不能包含证件号码或手机号")
    return None
