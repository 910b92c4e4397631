"""Tests for `flask policy list` and `flask policy check` (issue #5, part 6), on a bare Flask app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from portal.policy_cli import register_policy_cli


@pytest.fixture
def runner():
    app = Flask("policy-cli-test")
    register_policy_cli(app)
    return app.test_cli_runner()


FACTS = {
    "pathway": "认定",
    "series": "工程技术",
    "specialty": "机械工程",
    "level": "中级",
    "cutoff": "2026-06-30",
    "employer": {"ownership": "非国有", "region": "章贡区"},
    "employment_type": "劳动合同",
    "education": [{"level": "本科", "degree": "学士", "major": "机械工程", "graduated_on": "2020-06-30"}],
    "major_matches": True,
    "work": [{"from": "2020-07-01", "to": None, "professional": True, "internship": False}],
    "current_title": None,
    "qualifications": [],
    "social_insurance": {"months": 60, "unit_matches": True},
}


def _facts_file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_list_prints_the_profile_ids(runner):
    result = runner.invoke(args=["policy", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        "ganzhou-2022",
        "ganzhou-2026",
        "kunming-2022",
        "nantong-2023",
        "zhenjiang-2024",
    ]


def test_check_prints_findings_as_a_json_list(runner, tmp_path):
    """SCOPE-07 (001 三(六)) comes first: a non-state engineering applicant in Ganzhou 2026."""
    result = runner.invoke(args=["policy", "check", "ganzhou-2026", _facts_file(tmp_path, FACTS)])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)
    assert all(set(f) == {"rule", "severity", "clause", "message"} for f in findings)
    assert findings[0] == {
        "rule": "SCOPE-07",
        "severity": "block",
        "clause": "001 三(六)",
        "message": (
            "非国有企业工程专业技术资格不组织考核认定："
            "申报系列为工程技术，申报单位所有制为非国有；可通过职称评审途径申报"
        ),
    }
    assert "非国有企业" in result.output  # ensure_ascii=False: readable Chinese
    assert result.output.startswith("[\n  {")  # indent=2


def test_check_reads_facts_from_stdin_and_tolerates_missing_keys(runner):
    result = runner.invoke(args=["policy", "check", "nantong-2023", "-"], input="{}")
    assert result.exit_code == 0, result.output
    assert {f["severity"] for f in json.loads(result.output)} <= {"manual", "info"}


def test_check_an_unknown_profile_lists_the_known_ids(runner, tmp_path):
    result = runner.invoke(args=["policy", "check", "beijing-2026", _facts_file(tmp_path, FACTS)])
    assert result.exit_code == 2
    assert (
        "beijing-2026" in result.output
        and "ganzhou-2026" in result.output
        and "zhenjiang-2024" in result.output
    )


def test_check_bad_facts_name_the_key(runner, tmp_path):
    result = runner.invoke(
        args=["policy", "check", "ganzhou-2026", _facts_file(tmp_path, {"cutoff": "2026/06/30"})]
    )
    assert result.exit_code == 1 and "cutoff" in result.output
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{", encoding="utf-8")
    result = runner.invoke(args=["policy", "check", "ganzhou-2026", str(bad_json)])
    assert result.exit_code == 1 and "JSON" in result.output


def test_a_broken_policy_file_names_file_and_key(runner, tmp_path):
    source = Path(__file__).resolve().parent.parent / "portal" / "policies" / "ganzhou-2026.toml"
    text = source.read_text(encoding="utf-8").replace("closes = 2026-05-20", 'closes = "2026-05-20"', 1)
    (tmp_path / "ganzhou-2026.toml").write_text(text, encoding="utf-8")
    for args in (
        ["policy", "list", "--dir", str(tmp_path)],
        ["policy", "check", "--dir", str(tmp_path), "ganzhou-2026", "-"],
    ):
        result = runner.invoke(args=args, input="{}")
        assert result.exit_code == 1
        assert "ganzhou-2026.toml" in result.output and "batches[1].closes" in result.output


# `flask policy deadlines PROFILE --meeting YYYY-MM-DD` (issue 22.4, DESIGN §6): on the app's own calendar.


def test_deadlines_print_the_filing_day_its_clause_and_the_notice_end_as_json(app: Flask) -> None:
    runner = app.test_cli_runner()
    zhenjiang = runner.invoke(args=["policy", "deadlines", "zhenjiang-2024", "--meeting", "2024-11-20"])
    assert zhenjiang.exit_code == 0, zhenjiang.output
    assert json.loads(zhenjiang.output) == {
        "filing_due": "2024-11-05",
        "clause": "003 六(一)",
        "notice_must_end_by": "2024-11-04",
    }
    kunming = runner.invoke(args=["policy", "deadlines", "kunming-2022", "--meeting", "2026-11-30"])
    assert json.loads(kunming.output) == {
        "filing_due": "2026-11-12",
        "clause": "004 一(六)",
        "notice_must_end_by": "2026-11-11",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ganzhou-2026", "--meeting", "2026-11-30"], "没有评审委员会途径"),
        (["beijing-2026", "--meeting", "2026-11-30"], "未知的政策配置"),
        (["kunming-2022", "--meeting", "2026/11/30"], "不是 YYYY-MM-DD 日期"),
        (["kunming-2022", "--meeting", "2028-01-10"], "尚未录入2028年"),
    ],
)
def test_deadlines_refuse_what_they_cannot_compute(app: Flask, args: list[str], message: str) -> None:
    result = app.test_cli_runner().invoke(args=["policy", "deadlines", *args])
    assert result.exit_code != 0 and message in result.output
