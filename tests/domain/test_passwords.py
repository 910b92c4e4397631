"""Password rules: at least 8 characters of three classes, no ID number or phone inside."""

import pytest

from portal.domain.passwords import check_password


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!", "too_short"),
        ("abcdefgh", "too_simple"),
        ("abcd1234", "too_simple"),
        ("x" * 129 + "A1!", "too_long"),
        ("Zz13870700001", "personal"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, code: str) -> None:
    problem = check_password(password, personal=("13870700001",))
    assert problem is not None and problem.code == code and problem.message


@pytest.mark.parametrize("password", ["Abcdefg1", "abcdef1!", "ABCDEF1!", "密码abcd1234"])
def test_strong_passwords_pass(password: str) -> None:
    assert check_password(password) is None
