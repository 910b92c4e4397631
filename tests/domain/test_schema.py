"""The one declarative loader (issue 18.7): policy profiles and hand-off profiles are read by the same
portal.domain.schema from their dataclasses, and a bad profile names every problem with its TOML path in
one run: a wrong type, an unknown key, a missing key, a bad level, a value outside its vocabulary or range,
and a check that spans fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import pytest

from portal.domain import handoffs, policy, schema
from portal.domain.schema import Convert, Key, OneOf, Range

from .test_policy import MINIMAL


def _policy_error(tmp_path: Path, text: str) -> policy.PolicyError:
    path = tmp_path / "test-2026.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(policy.PolicyError) as caught:
        policy.load_profile(path)
    return caught.value


def _swap(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_a_bad_policy_profile_names_every_problem_with_its_path(tmp_path: Path) -> None:
    broken = _swap(
        MINIMAL,
        ("year = 2026", 'year = "2026"'),  # wrong type
        ('rule = "CUT-02"', 'rule = "CUT-02"\nmehtod = "x"'),  # unknown key
        ('code = "a"\n', ""),  # missing key
        ('levels = ["初级"]\nopens', 'levels = ["初级", "高工"]\nopens'),  # bad level
        ('name = "认定"', 'name = "考核"'),  # outside the vocabulary
    )
    error = _policy_error(tmp_path, broken)
    found = {p.key: p.problem for p in error.problems}
    assert found.keys() == {
        "year",
        "counting.mehtod",
        "authorities[0].code",
        "batches[0].levels",
        "pathways[0].name",
    }
    assert "integer" in found["year"] and "str" in found["year"]
    assert "unknown key" in found["counting.mehtod"]
    assert "missing" in found["authorities[0].code"]
    assert "'高工'" in found["batches[0].levels"] and "初级" in found["batches[0].levels"]
    assert found["pathways[0].name"] == "'考核' is not one of 认定, 初定, 评审"
    lines = str(error).splitlines()
    assert len(lines) == 5 and all(line.startswith("政策文件 test-2026.toml 的 ") for line in lines)


def test_checks_across_fields_are_reported_with_the_type_problems_of_other_tables(tmp_path: Path) -> None:
    broken = _swap(
        MINIMAL,
        ("closes = 2026-02-20", "closes = 2026-01-01"),  # the window's own check
        ('cutoff_citation = "001 三(七)"\n', ""),  # required because a cutoff is given
        ('method = "inclusive"', "method = 3"),  # a type problem elsewhere
    )
    keys = [p.key for p in _policy_error(tmp_path, broken).problems]
    assert keys == ["counting.method", "batches[0].closes", "batches[0].cutoff_citation"]


COMMITTEE = """
[committee]
rule = "CHAN-01"
citation = "003 四"
notice_workdays = { value = 5, citation = "003 五(三)" }
result_notice_workdays = { value = 5, citation = "003 五(三)" }
[committee.filing]
rule = "CHAN-04"
days = 15
unit = "days"
office = "人社局"
contents = ["plan"]
citation = "003 六(一)"
[committee.vote]
panel_min = 7
quorum = [2, 3]
threshold = [3, 2]
citation = "003 六(一)"
"""


def test_nested_tables_and_fixed_pairs_carry_their_index_in_the_path(tmp_path: Path) -> None:
    committee = _swap(
        COMMITTEE,
        ('value = 5, citation = "003 五(三)" }\n[', 'value = -1, citation = "003 五(三)" }\n['),
        ('unit = "days"', 'unit = "fortnights"'),
        ('contents = ["plan"]', 'contents = ["plan", "lunch"]'),
        ("quorum = [2, 3]", "quorum = [2, 3, 4]"),
    )
    keys = {p.key: p.problem for p in _policy_error(tmp_path, MINIMAL + committee).problems}
    assert set(keys) == {
        "committee.result_notice_workdays.value",
        "committee.filing.unit",
        "committee.filing.contents[1]",
        "committee.vote.quorum",
    }
    assert keys["committee.result_notice_workdays.value"] == "-1 is below 0"
    assert keys["committee.vote.quorum"] == "expected a list of 2 items"
    # The threshold [3, 2] is read, but its own check is not reached while its table has a type problem.


def test_a_fraction_upside_down_is_the_vote_rules_own_check(tmp_path: Path) -> None:
    committee = COMMITTEE
    error = _policy_error(tmp_path, MINIMAL + committee)
    assert [(p.key, p.problem_zh) for p in error.problems] == [
        ("committee.vote.threshold", "应为 [分子, 分母]，分子不大于分母")
    ]


def test_an_authority_is_written_with_regions_or_with_scopes_not_both(tmp_path: Path) -> None:
    both = _swap(
        MINIMAL, ('regions = ["*"]', 'regions = ["*"]\nscopes = [{ levels = ["中级"], regions = ["x"] }]')
    )
    assert [p.key for p in _policy_error(tmp_path, both).problems] == ["authorities[0].regions"]
    neither = _swap(MINIMAL, ('regions = ["*"]\n', ""))
    assert [p.key for p in _policy_error(tmp_path, neither).problems] == ["authorities[0].regions"]


def test_a_bad_handoff_profile_is_read_by_the_same_loader(tmp_path: Path) -> None:
    good = (handoffs.DEFAULT_DIRECTORY / "km.toml").read_text(encoding="utf-8")
    broken = _swap(
        good,
        ('id = "km"', 'id = "km"\ncolor = "red"'),  # unknown key
        ("max_bytes = 2097152", 'max_bytes = "2MB"'),  # wrong type
    )
    broken = broken.replace('title = "', 'titel = "', 1)  # the first title: missing + unknown
    path = tmp_path / "km.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(handoffs.HandoffError) as caught:
        handoffs.load_profile(path)
    found = {p.key: p.problem for p in caught.value.problems}
    assert found == {
        "title": "required key is missing",
        "color": "unknown key (misspelt?)",
        "titel": "unknown key (misspelt?)",
        "files.max_bytes": "expected an integer, got string",
    }
    assert all(isinstance(p, schema.Problem) for p in caught.value.problems)


# --- the loader on its own ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Row:
    when: date
    size: Annotated[int, Range(1, 9)] = 1
    tags: Annotated[tuple[str, ...], OneOf(("a", "b"))] = ()


@dataclass(frozen=True, kw_only=True)
class Doc:
    name: Annotated[str, Key("title")]
    count: Annotated[int, Convert(lambda n: n * 2, "", "")] = 0
    rows: tuple[Row, ...] = ()
    head: Row | None = None
    on: bool = False


def test_the_loader_reads_by_the_fields_and_their_marks() -> None:
    built, problems = schema.read(
        Doc, {"title": "x", "count": 2, "rows": [{"when": date(2026, 1, 2), "tags": ["b"]}], "on": True}
    )
    assert problems == []
    assert built == Doc(name="x", count=4, rows=(Row(when=date(2026, 1, 2), tags=("b",)),), on=True)


def test_the_loader_refuses_near_misses_with_their_paths() -> None:
    built, problems = schema.read(
        Doc,
        {
            "name": "x",  # the TOML key is "title": unknown, and title missing
            "count": True,  # a bool is not an integer
            "rows": [{"when": "2026-01-02"}, {"when": date(2026, 1, 2), "size": 10, "tags": ["c"]}],
            "head": [],
            "on": "yes",
        },
    )
    assert built is None
    assert [(p.key, p.problem) for p in problems] == [
        ("title", "required key is missing"),
        ("count", "expected an integer, got boolean"),
        ("rows[0].when", "expected a TOML date such as 2026-01-20 (no quotes, no time), got string"),
        ("rows[1].size", "10 is outside 1..9"),
        ("rows[1].tags[0]", "'c' is not one of a, b"),
        ("head", "expected a table, got list"),
        ("on", "expected true or false, got string"),
        ("name", "unknown key (misspelt?)"),
    ]


def test_a_blank_required_string_is_refused_only_when_asked() -> None:
    assert schema.read(Doc, {"title": " "})[1] == []
    assert [p.key for p in schema.read(Doc, {"title": " "}, blank=False)[1]] == ["title"]
