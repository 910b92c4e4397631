"""The 申报表's messages cite the bureau's own notice (its policy profile's clause), never one city's for
everybody: the failed exam's refusal (EXAM-03, Zhenjiang's 003 二(五)) and the 在编 hint (SI-01, Ganzhou's
000 三(四)), the work summary's hint (MAT-12) and a foreign degree's refusal (MAT-08, both Nantong's 002)
name a clause only where the profile has that rule."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.form import NO_CLAUSES, SectionKey, form_clauses, input_name, parse_form
from portal.domain.policy import load_profiles

PROFILES = load_profiles()
TODAY = date(2026, 10, 20)
FAILED = {
    input_name(SectionKey.EXAM, 0, "name"): "全国中级会计资格考试",
    input_name(SectionKey.EXAM, 0, "year"): "2021",
    input_name(SectionKey.EXAM, 0, "score"): "55",
    input_name(SectionKey.EXAM, 0, "pass_line"): "60",
}
SCORE = input_name(SectionKey.EXAM, 0, "score")


def test_a_failed_exam_cites_zhenjiang_s_clause_under_zhenjiang_s_profile() -> None:
    clauses = form_clauses(PROFILES["zhenjiang-2024"])
    error = parse_form(FAILED, TODAY, clauses).errors[SCORE]
    assert error == "成绩55低于合格线60，未通过的考试不能作为申报依据（003 二(五)）"


@pytest.mark.parametrize("profile", ["kunming-2022", "ganzhou-2022", "ganzhou-2026", "nantong-2023", None])
def test_elsewhere_the_refusal_names_no_clause(profile: str | None) -> None:
    clauses = form_clauses(PROFILES[profile] if profile else None)
    error = parse_form(FAILED, TODAY, clauses).errors[SCORE]
    assert error == "成绩55低于合格线60，未通过的考试不能作为申报依据"
    assert parse_form(FAILED, TODAY).errors[SCORE] == error  # no profile: no clause


def test_the_establishment_hint_cites_ganzhou_s_clause_only_where_its_profile_has_the_rule() -> None:
    assert form_clauses(PROFILES["ganzhou-2022"]).hints.get("on_establishment") == "000 三(四)"
    for profile in ("zhenjiang-2024", "kunming-2022", "ganzhou-2026"):
        assert "on_establishment" not in form_clauses(PROFILES[profile]).hints, profile
    assert NO_CLAUSES.hints == {}


def test_the_work_summary_and_a_foreign_degree_cite_nantong_s_clauses_only_under_its_profile() -> None:
    """MAT-12 (Nantong's 002 四(一)) and MAT-08 (its 五(二)): the other notices state neither."""
    nantong = form_clauses(PROFILES["nantong-2023"])
    assert nantong.hints == {"work_summary": "002 四(一)"}
    foreign = {
        input_name(SectionKey.EDUCATION, 0, "level"): "硕士研究生",
        input_name(SectionKey.EDUCATION, 0, "overseas"): "1",
    }
    cscse = input_name(SectionKey.EDUCATION, 0, "cscse_no")
    said = "国（境）外学历请填写教育部留学服务中心认证书编号"
    assert parse_form(foreign, TODAY, nantong).errors[cscse] == f"{said}（002 五(二)）"
    for profile in ("zhenjiang-2024", "kunming-2022", "ganzhou-2022", "ganzhou-2026"):
        assert parse_form(foreign, TODAY, form_clauses(PROFILES[profile])).errors[cscse] == said, profile
    assert parse_form(foreign, TODAY).errors[cscse] == said


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("kunming-2022", {"township": "004 一(八)"}),
        (
            "zhenjiang-2024",
            {"freelancer": "003 一(一)、四", "high_skill": "003 二(二)", "grassroots": "003 二(三)"},
        ),
        ("ganzhou-2026", {"archive_hosted": "001 三(四)", "vocational_teacher": "001 三(三)"}),
        ("ganzhou-2022", {"vocational_teacher": "000 三(三)"}),
        ("nantong-2023", {}),
    ],
)
def test_the_category_flags_hints_are_the_profile_s_own_rules(profile: str, expected: dict[str, str]) -> None:
    """EARLY-01 (township) and the category rules SCOPE-02/05/09/10/11 each belong to one notice."""
    flags = ("township", "freelancer", "archive_hosted", "high_skill", "grassroots", "vocational_teacher")
    hints = form_clauses(PROFILES[profile]).hints
    assert {flag: hints[flag] for flag in flags if flag in hints} == expected
    assert not any(flag in NO_CLAUSES.hints for flag in flags)
