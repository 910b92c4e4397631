"""T-AUTH-03, the password policy table: every vector gets the expected verdict under the 等保 profile
(the default) and the ASVS profile, every broken rule is named at once in Chinese, settings that cannot
make a policy are refused naming the setting, and passwords expire only where the profile says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.domain.passwords import (
    DEFAULT_PROFILE,
    PROFILES,
    CharClass,
    PasswordPolicyError,
    check_password,
    describe,
    expires_at,
    is_expired,
    make_policy,
    personal_values,
    reuse_problem,
    summary,
)

ID_NUMBER = "36070219850701263X"  # synthetic, valid check character
PHONE = "13870700001"
PERSONAL = personal_values(ID_NUMBER, PHONE)
DENGBAO = PROFILES["dengbao"]
ASVS = PROFILES["asvs"]


def codes(password: str, profile: str = "dengbao") -> list[str]:
    return [p.code for p in check_password(password, PROFILES[profile], personal=PERSONAL)]


@pytest.mark.parametrize(
    ("password", "dengbao", "asvs"),
    [
        ("Abcdefg12#x", ["too_short"], ["too_short"]),  # 11 characters
        ("Abcdefg12#xy", [], []),  # 12
        ("abcdefghijkl", ["too_few_classes"], []),  # one class
        ("abcdefgh1234", ["too_few_classes"], []),  # two classes
        ("abcdefgh123!", [], []),  # three: lower, digit, symbol
        ("ABCDEFGH123!", [], []),  # three: upper, digit, symbol
        ("Abcdefghijkl", ["too_few_classes"], []),  # upper + lower only
        ("职称申报系统密码abcd1234", [], []),  # Chinese characters count as symbols
        ("ＡＢＣabcdefghi", ["too_few_classes"], []),  # full-width letters are symbols, not upper case
        ("ＡＢＣabcdefgh1", [], []),  # …so with a digit that makes three classes
        ("abcdefgh１２３４", ["too_few_classes"], []),  # full-width digits are symbols, not digits
        ("correct horse battery staple", ["too_few_classes"], []),  # a passphrase: lower + space
        ("Aa1!" * 16, [], []),  # 64 characters
        ("Aa1!" * 32, [], []),  # 128
        ("Aa1!" * 32 + "x", ["too_long"], ["too_long"]),  # 129
        (f"Zz!{PHONE}", ["personal"], ["personal"]),  # the phone number
        (f"Zz!{ID_NUMBER.lower()}", ["personal"], ["personal"]),  # the ID number, any case
        ("Zz!19850701ab", ["personal"], ["personal"]),  # its birth date
        ("Zz!ab01263xcd", ["personal"], ["personal"]),  # its last six characters
        ("Ab1!", ["too_short"], ["too_short"]),
        ("abc", ["too_short", "too_few_classes"], ["too_short"]),  # every problem at once
        ("", ["too_short", "too_few_classes"], ["too_short"]),
    ],
)
def test_the_policy_table(password: str, dengbao: list[str], asvs: list[str]) -> None:
    assert codes(password, "dengbao") == dengbao
    assert codes(password, "asvs") == asvs


def test_the_default_profile_is_dengbao_with_its_figures() -> None:
    assert DEFAULT_PROFILE == "dengbao" and make_policy() == DENGBAO
    assert (DENGBAO.min_length, DENGBAO.min_classes, DENGBAO.history, DENGBAO.max_age_days) == (12, 3, 5, 90)
    assert (ASVS.min_classes, ASVS.history, ASVS.max_age_days) == (0, 0, 0)
    assert check_password("abc") == check_password("abc", DENGBAO)


def test_the_message_lists_every_broken_rule_with_what_was_found() -> None:
    problems = check_password(f"ab{PHONE}", DENGBAO, personal=PERSONAL)
    assert [p.code for p in problems] == ["too_few_classes", "personal"]
    message = summary(problems)
    assert message.startswith("新密码不符合要求：")
    assert "至少3类（现只有小写字母、数字）" in message and "手机号" in message and "；" in message
    short = summary(check_password("ab", DENGBAO))
    assert "长度至少12位（现为2位）" in short


def test_required_classes_are_named_when_missing() -> None:
    policy = make_policy("asvs", required_classes="digit, symbol")
    assert policy.required_classes == {CharClass.DIGIT, CharClass.SYMBOL}
    problems = check_password("onlyletterslong", policy)
    assert [p.code for p in problems] == ["missing_class"] and problems[0].message == "须包含数字、符号"
    assert check_password("letters-and-1", policy) == []


def test_personal_data_may_be_allowed_and_short_values_never_count() -> None:
    assert check_password(f"Zz!{PHONE}", make_policy(forbid_personal=False), personal=PERSONAL) == []
    assert check_password("Zz!12345abcdef", DENGBAO, personal=("12345", None, "")) == []
    assert personal_values("E12345678", "13900000000") == ("13900000000", "E12345678")


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"profile": "strict"}, "PORTAL_PASSWORD_PROFILE"),
        ({"min_length": 0}, "PORTAL_PASSWORD_MIN_LENGTH"),
        ({"min_length": 200}, "PORTAL_PASSWORD_MIN_LENGTH"),
        ({"min_classes": 5}, "PORTAL_PASSWORD_MIN_CLASSES"),
        ({"history": -1}, "PORTAL_PASSWORD_HISTORY"),
        ({"max_age_days": -30}, "PORTAL_PASSWORD_MAX_AGE_DAYS"),
        ({"required_classes": "upper,emoji"}, "PORTAL_PASSWORD_REQUIRED_CLASSES"),
    ],
)
def test_a_setting_that_cannot_make_a_policy_is_refused_by_name(
    settings: dict[str, object], named: str
) -> None:
    with pytest.raises(PasswordPolicyError, match=named):
        make_policy(**settings)  # type: ignore[arg-type]


def test_overrides_change_only_what_they_name() -> None:
    policy = make_policy("dengbao", min_length=16, history=0, max_age_days=180)
    assert (policy.min_length, policy.min_classes, policy.history, policy.max_age_days) == (16, 3, 0, 180)
    assert make_policy("ASVS ") == ASVS


def test_the_hint_states_every_rule_of_the_policy() -> None:
    hint = describe(DENGBAO)
    for part in ("至少12位", "至少3类", "不含手机号和证件号码", "最近5次", "每90天须更换"):
        assert part in hint
    assert describe(ASVS) == "至少12位，不含手机号和证件号码，不与当前密码相同"
    assert "最近5次" in reuse_problem(DENGBAO).message and "当前密码" in reuse_problem(ASVS).message


def test_a_password_expires_after_the_maximum_age_only_under_dengbao() -> None:
    changed = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
    assert expires_at(changed, DENGBAO) == changed + timedelta(days=90)
    assert not is_expired(changed, changed + timedelta(days=90, seconds=-1), DENGBAO)
    assert is_expired(changed, changed + timedelta(days=90), DENGBAO)
    assert expires_at(changed, ASVS) is None and not is_expired(changed, changed + timedelta(days=3650), ASVS)
