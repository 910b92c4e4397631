"""E-mail rules (issue 21.6): what an address looks like, and every notice kind belongs to a topic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal.domain.mail import TOPIC_OF, EmailTopic, NoticeKind, address_problem, kinds_of, normalise_address


@pytest.mark.parametrize(
    "typed, stored",
    [
        (" Zhang.San@Example.CN ", "Zhang.San@example.cn"),
        ("li+title@mail.gz.gov.cn", "li+title@mail.gz.gov.cn"),
    ],
)
def test_a_good_address_is_kept_with_its_domain_in_lower_case(typed: str, stored: str) -> None:
    assert normalise_address(typed) == stored and address_problem(stored) is None


@pytest.mark.parametrize(
    "typed, problem",
    [
        ("", "请填写电子邮箱地址"),
        ("zhang", "格式不正确"),
        ("zhang@@example.cn", "格式不正确"),
        ("zhang@example", "格式不正确"),
        ("zhang san@example.cn", "格式不正确"),
        ("zhang..san@example.cn", "格式不正确"),
        ("张三@example.cn", "格式不正确"),
        ("a" * 190 + "@example.cn", "过长"),
    ],
)
def test_a_bad_address_is_refused_with_its_reason(typed: str, problem: str) -> None:
    found = address_problem(normalise_address(typed))
    assert found is not None and problem in found


def test_every_kind_has_one_topic_and_every_topic_has_kinds() -> None:
    assert set(TOPIC_OF) == set(NoticeKind)
    assert all(kinds_of(topic) for topic in EmailTopic)


def test_every_kind_the_code_writes_is_a_notice_kind() -> None:
    """A notify() call with a literal kind names a NoticeKind (an unknown one would raise at run time)."""
    root = Path(__file__).resolve().parents[2] / "portal"
    literal = re.compile(r"notify\(\s*session,\s*[^,]+,\s*\"([a-z_]+)\"", re.S)
    kinds = {
        kind for path in root.rglob("*.py") for kind in literal.findall(path.read_text(encoding="utf-8"))
    }
    assert kinds and kinds <= {kind.value for kind in NoticeKind}
