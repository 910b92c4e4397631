"""What the profiles say to people is the notice's and plain words: the policy and hand-off profiles' notes,
sources and reasons reach pages (an unconfirmed finding's "（该项政策数据未经确认：…）", the 报送配置 page's
依据), so an internal reference ("policy-spec §8 #10", "DESIGN §1") belongs in the TOML's comments. Ganzhou's
以考代评 note named the spec and Nantong's and Zhenjiang's clauses on Ganzhou's refusal."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from portal.domain import handoffs, policy

INTERNAL = ("policy-spec", "DESIGN", "§", "issue ")  # "issue 23": the tracker's number, not the notice's
# The hand-off page's 依据 said "（未收录）", the developers' word for a notice they had no copy of; it reads
# "（原文未取得）" there. (The policy profiles' notes still use it: left for their own review.)
HANDOFF_JARGON = ("未收录",)


def _texts(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every string a loaded profile holds, with its path."""
    if isinstance(value, str):
        yield path, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _texts(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}[{key!r}]")
    elif isinstance(value, list | tuple | set | frozenset):
        for n, item in enumerate(value):
            yield from _texts(item, f"{path}[{n}]")


PROFILES = {**policy.load_profiles(), **{f"handoff {k}": v for k, v in handoffs.load_profiles().items()}}


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_no_profile_text_names_the_spec_or_the_design(name: str) -> None:
    words = INTERNAL + (HANDOFF_JARGON if name.startswith("handoff ") else ())
    leaks = [(path, text) for path, text in _texts(PROFILES[name], name) if any(w in text for w in words)]
    assert leaks == []


def test_ganzhou_s_exam_notes_cite_no_other_city_s_clause() -> None:
    for name in ("ganzhou-2022", "ganzhou-2026"):
        for rule in PROFILES[name].exam_rules:  # type: ignore[attr-defined]
            assert "002" not in rule.note and "003" not in rule.note, (name, rule.note)
