"""Tests for portal.domain.eligibility: full-year counting (CUT-06) and the rules of policy-spec A-M.

Each test names the rule and the clause it checks. The real profiles are used where the notices state a
rule fully; where a threshold is only cited (years per level), a copy of a real profile with a confirmed
value is built with dataclasses.replace, so the engine's arithmetic is tested without inventing policy.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from portal.domain.eligibility import (
    Employer,
    Facts,
    Finding,
    check,
    full_years,
    merge_periods,
    refused_at_start,
)
from portal.domain.policy import Requirement, load_profiles

PROFILES = load_profiles()
GZ26, GZ22 = PROFILES["ganzhou-2026"], PROFILES["ganzhou-2022"]
NT, ZJ, KM = PROFILES["nantong-2023"], PROFILES["zhenjiang-2024"], PROFILES["kunming-2022"]

# A Ganzhou 2026 applicant who passes every stated rule; tests change one fact at a time.
BASE: dict[str, Any] = {
    "pathway": "认定",
    "series": "工程技术",
    "specialty": "机械工程",
    "level": "中级",
    "cutoff": "2026-06-30",
    "employer": {"ownership": "国有", "region": "章贡区"},
    "employment_type": "劳动合同",
    "education": [{"level": "本科", "degree": "学士", "major": "机械工程", "graduated_on": "2020-06-30"}],
    "major_matches": True,
    "work": [{"from": "2020-07-01", "to": None, "professional": True, "internship": False}],
    "current_title": {"level": "助理级", "obtained_on": "2021-09-01"},
    "qualifications": [],
    "social_insurance": {"months": 60, "unit_matches": True},
    "continuing_education_hours": {"2023": 90},
}


def facts(**changes: Any) -> Facts:
    data = {**BASE, **changes}
    return Facts.from_json({k: v for k, v in data.items() if v is not ...})


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def severities(findings: list[Finding], rule: str) -> list[str]:
    return [f.severity for f in by_rule(findings, rule)]


def years_finding(findings: list[Finding], rule: str) -> Finding:
    """The one finding of ``rule`` that compares counted years with the requirement."""
    (finding,) = [f for f in by_rule(findings, rule) if "年限" in f.message]
    return finding


def with_years(profile, rule: str, years: int, **extra: Any):
    """The profile with one confirmed requirement row (the real rows are unconfirmed)."""
    row = Requirement(
        rule=rule, levels=("助理级", "中级", "副高级"), years=years, citation="001 三 引言", **extra
    )
    return dataclasses.replace(profile, requirements=(row,))


# --- CUT-06: full years ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "cutoff", "inclusive", "anniversary"),
    [
        (date(2025, 7, 1), date(2026, 6, 30), 1, 0),  # policy-spec CUT-06 / §8 #5 example
        (date(2025, 7, 1), date(2026, 7, 1), 1, 1),
        (date(2025, 7, 2), date(2026, 6, 30), 0, 0),
        (date(2025, 7, 1), date(2026, 6, 29), 0, 0),
        (date(2022, 7, 1), date(2026, 6, 30), 4, 3),
        (date(2022, 4, 1), date(2026, 3, 31), 4, 3),  # Ganzhou batch 1 cutoff
        (date(2024, 2, 29), date(2025, 2, 27), 1, 0),  # leap day: anniversary falls on 02-28
        (date(2024, 2, 29), date(2025, 2, 28), 1, 1),
        (date(2025, 1, 31), date(2026, 1, 30), 1, 0),
        (date(2026, 6, 30), date(2026, 6, 30), 0, 0),
    ],
)
def test_cut_06_full_years_at_the_cutoff_boundary(start, cutoff, inclusive, anniversary):
    """CUT-06 (000 三(八), 001 三(七)): "按周年计算"; start day counted as day 1 by default."""
    assert full_years([(start, None)], cutoff, "inclusive") == inclusive
    assert full_years([(start, None)], cutoff, "anniversary") == anniversary


def test_cut_06_the_profile_counting_rule_is_used():
    """CUT-06 (001 三(七)): the Ganzhou 2026 profile counts inclusively."""
    assert full_years([(date(2025, 7, 1), None)], date(2026, 6, 30), GZ26.counting) == 1


def test_cut_06_overlapping_periods_are_merged_before_counting():
    """CUT-06: two jobs held at once count once."""
    periods = [(date(2020, 1, 1), date(2022, 12, 31)), (date(2021, 1, 1), None)]
    assert merge_periods(periods, date(2024, 12, 31)) == [(date(2020, 1, 1), date(2024, 12, 31))]
    assert full_years(periods, date(2024, 12, 31)) == 5


def test_cut_06_touching_periods_are_continuous():
    periods = [(date(2020, 1, 1), date(2020, 6, 30)), (date(2020, 7, 1), date(2020, 12, 31))]
    assert merge_periods(periods, date(2026, 1, 1)) == [(date(2020, 1, 1), date(2020, 12, 31))]
    assert full_years(periods, date(2026, 1, 1), "anniversary") == 0
    assert full_years(periods, date(2026, 1, 1), "inclusive") == 1


def test_cut_06_separate_periods_sum_whole_months():
    """CUT-06 / §8 #5: a gap splits the count; whole months of each period are summed."""
    periods = [(date(2019, 1, 1), date(2019, 6, 30)), (date(2020, 1, 1), date(2020, 6, 30))]
    assert full_years(periods, date(2026, 1, 1)) == 1  # 6 + 6 months
    periods = [(date(2019, 1, 1), date(2019, 6, 29)), (date(2020, 1, 1), date(2020, 6, 30))]
    assert full_years(periods, date(2026, 1, 1)) == 0  # 5 + 6 months


def test_cut_06_periods_are_clipped_to_the_cutoff():
    periods = [(date(2020, 7, 1), date(2030, 1, 1)), (date(2027, 1, 1), None)]
    assert merge_periods(periods, date(2026, 6, 30)) == [(date(2020, 7, 1), date(2026, 6, 30))]
    assert full_years(periods, date(2026, 6, 30)) == 6
    assert full_years([], date(2026, 6, 30)) == 0
    with pytest.raises(ValueError):
        full_years([(date(2026, 1, 2), date(2026, 1, 1))], date(2026, 6, 30))
    with pytest.raises(ValueError):
        full_years([(date(2026, 1, 1), None)], date(2026, 6, 30), "calendar")


# --- facts ------------------------------------------------------------------------------------------------


def test_missing_keys_are_unknown():
    empty = Facts.from_json({})
    assert empty == Facts()
    assert empty.has_title is None and empty.work is None
    assert Facts.from_json({"current_title": None}).has_title is False
    f = facts()
    assert f.has_title is True and f.current_title.obtained_on == date(2021, 9, 1)
    assert f.work[0].ongoing is True and f.hours_for(2023) == 90
    assert Facts.from_json({"work": [{"from": "2020-01-01"}]}).work[0].ongoing is None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"level": "高工"}, "level"),
        ({"cutoff": "2026/06/30"}, "cutoff"),
        ({"cutoff": "２０２６-06-30"}, "cutoff"),  # full-width digits are not ASCII digits
        ({"cutoff": "2026-02-30"}, "cutoff"),
        ({"major_matches": "yes"}, "major_matches"),
        ({"education": [{"graduated_on": 2020}]}, "education[0].graduated_on"),
        ({"education": {"level": "本科"}}, "education"),
        ({"work": [{"from": "2021-01-01", "to": "2020-01-01"}]}, "work[0].to"),
        ({"employer": {"ownership": "民营"}}, "employer.ownership"),
        ({"social_insurance": {"months": -1}}, "social_insurance.months"),
        ({"social_insurance": {"months": True}}, "social_insurance.months"),
        ({"continuing_education_hours": {"二〇二三": 90}}, "continuing_education_hours.二〇二三"),
        ({"educaton": []}, "educaton"),
        ({"current_title": {"level": "中级", "date": "2020-01-01"}}, "current_title.date"),
    ],
)
def test_wrong_types_raise_value_error_naming_the_key(data, key):
    with pytest.raises(ValueError) as info:
        Facts.from_json(data)
    assert str(info.value).startswith(f"{key}:")


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
def test_unknown_facts_give_manual_findings_not_crashes(profile_id):
    findings = check(PROFILES[profile_id], Facts())
    assert findings and "manual" in {f.severity for f in findings}
    assert all(f.severity != "block" for f in findings)


def test_a_finding_serialises_and_findings_come_blocks_first():
    finding = Finding("SCOPE-07", "block", "001 三(六)", "不予认定")
    assert finding.to_json() == {
        "rule": "SCOPE-07",
        "severity": "block",
        "clause": "001 三(六)",
        "message": "不予认定",
    }
    with pytest.raises(ValueError):
        Finding("X", "fatal", "001", "")
    order = {"block": 0, "warn": 1, "manual": 2, "info": 3}
    findings = check(GZ26, facts(employer={"ownership": "非国有", "region": "章贡区"}, cutoff="2026-05-01"))
    ranks = [order[f.severity] for f in findings]
    assert ranks == sorted(ranks) and ranks[0] == 0


# --- A. scope -----------------------------------------------------------------------------------------


def test_scope_07_non_state_engineering_is_not_recognised_in_ganzhou_2026():
    """SCOPE-07 (001 三(六)): 非国有企业工程专业技术资格不组织考核认定."""
    (finding,) = by_rule(check(GZ26, facts(employer={"ownership": "非国有", "region": "章贡区"})), "SCOPE-07")
    assert (finding.severity, finding.clause) == ("block", "001 三(六)")
    assert "非国有" in finding.message and "工程技术" in finding.message and "评审" in finding.message
    assert by_rule(check(GZ26, facts()), "SCOPE-07") == []
    assert (
        by_rule(
            check(GZ26, facts(series="会计", specialty="会计", employer={"ownership": "非国有"})), "SCOPE-07"
        )
        == []
    )
    assert severities(check(GZ26, facts(employer={"region": "章贡区"})), "SCOPE-07") == ["manual"]
    assert by_rule(check(GZ22, facts(employer={"ownership": "非国有"})), "SCOPE-07") == []  # new in 2026


def test_scope_07_is_refused_at_the_start_where_the_ownership_is_recorded():
    """SCOPE-07 (001 三(六)) is decided by the pathway, the series and the employer's recorded ownership, all
    known when HR starts the application: a non-state enterprise's engineering 认定 is refused there, with
    the alternative the rule names. Unknown ownership, 评审, a state-owned employer or an unconfirmed
    exclusion leave it to the check (manual or nothing), and facts the applicant gives later do not count."""
    start = {"pathway": "认定", "series": "工程", "specialty": "电气工程", "level": "中级"}
    found = refused_at_start(GZ26, Facts(**start, employer=Employer(ownership="非国有")))
    assert found is not None and (found.rule, found.severity, found.clause) == (
        "SCOPE-07",
        "block",
        "001 三(六)",
    )
    assert "申报单位所有制为非国有" in found.message and found.message.endswith("可通过职称评审途径申报")
    assert refused_at_start(GZ26, Facts(**start, employer=Employer(ownership="国有"))) is None
    assert refused_at_start(GZ26, Facts(**start, employer=Employer())) is None  # manual in the check
    assert refused_at_start(GZ26, Facts(**start)) is None
    review = {**start, "pathway": "评审"}
    assert refused_at_start(GZ26, Facts(**review, employer=Employer(ownership="非国有"))) is None
    crafts = {**start, "series": "工艺美术", "specialty": "工艺美术设计"}
    assert refused_at_start(GZ26, Facts(**crafts, employer=Employer(ownership="非国有"))) is None
    (scope_07,) = GZ26.exclusions
    unconfirmed = dataclasses.replace(GZ26, exclusions=(dataclasses.replace(scope_07, confirmed=False),))
    assert refused_at_start(unconfirmed, Facts(**start, employer=Employer(ownership="非国有"))) is None
    # SCOPE-04 waits on the employment type, which the form gives later: never refused at the start, even
    # when a caller passes one.
    retired = Facts(**start, employer=Employer(ownership="国有"), employment_type="离退休")
    assert by_rule(check(ZJ, retired), "SCOPE-04") and refused_at_start(ZJ, retired) is None


def test_scope_06_ganzhou_recognises_junior_and_intermediate_only():
    """SCOPE-06 (001 附件): 副高级 is outside recognition."""
    (finding,) = by_rule(check(GZ26, facts(level="副高级")), "SCOPE-06")
    assert finding.severity == "block" and "副高级" in finding.message


def test_scope_06_the_chosen_authority_must_certify_the_level():
    """SCOPE-06 (001 附件): a county office does not certify 中级; the city office does."""
    (finding,) = by_rule(check(GZ26, facts(authority="gz-zhanggong")), "SCOPE-06")
    assert finding.severity == "block" and "赣州市职称工作办公室" in finding.message
    assert severities(check(GZ26, facts(authority="gz-city")), "SCOPE-06") == []
    (info,) = by_rule(check(GZ26, facts(level="助理级", current_title=None)), "SCOPE-06")
    assert info.severity == "info" and "章贡区职称改革领导小组办公室（0797-8199235）" in info.message


def test_scope_04_civil_servants_and_retirees_may_not_apply():
    """SCOPE-04 (002 一(三); 003 一(三))."""
    for profile, pathway in ((NT, "初定"), (ZJ, "评审"), (ZJ, "认定")):
        for kind in ("公务员", "参照公务员法管理", "离退休"):
            findings = check(profile, facts(pathway=pathway, employment_type=kind))
            assert severities(findings, "SCOPE-04") == ["block"], (profile.id, kind)
            assert by_rule(findings, "SCOPE-01") == []  # one reason, not two


def test_scope_01_applicants_need_a_labour_or_employment_contract():
    """SCOPE-01 (002 一(一)); SCOPE-02 (003 一(一)): Zhenjiang also admits freelancers."""
    assert severities(check(NT, facts(pathway="初定", employment_type="劳务协议")), "SCOPE-01") == ["block"]
    assert severities(check(NT, facts(pathway="初定", employment_type="自由职业")), "SCOPE-01") == ["block"]
    assert severities(check(ZJ, facts(pathway="评审", employment_type="自由职业")), "SCOPE-01") == []
    assert severities(check(NT, facts(pathway="初定", employment_type=None)), "SCOPE-01") == ["manual"]


def test_scope_12_nantong_primary_teachers_do_not_use_the_generic_table():
    """SCOPE-12 (002 三(二) last ¶)."""
    findings = check(NT, facts(pathway="初定", series="中小学教师", specialty="语文", level="助理级"))
    assert severities(findings, "SCOPE-12") == ["block"]


def test_a_pathway_the_profile_does_not_cover_is_blocked():
    """LVL-01 (002 三(二)): Nantong's profile is 初定 only."""
    assert severities(check(NT, facts(pathway="评审")), "LVL-01") == ["block"]


# --- C. cutoffs ---------------------------------------------------------------------------------------


def test_cut_02_the_cutoff_must_be_a_batch_cutoff():
    """CUT-02 (001 三(七)): 03-31 / 06-30 / 09-30 / 12-31."""
    info = [f for f in by_rule(check(GZ26, facts()), "CUT-02") if f.severity == "info"]
    assert "第二批终算时间2026年6月30日" in info[0].message
    (warn,) = [f for f in by_rule(check(GZ26, facts(cutoff="2026-05-01")), "CUT-02") if "不是" in f.message]
    assert warn.severity == "warn" and "2026年3月31日" in warn.message
    assert "manual" in severities(check(GZ26, facts(cutoff=None)), "CUT-02")


def test_cut_02_warns_that_years_assume_employment_until_the_cutoff():
    """CUT-02 (001 三(七)): the cutoff falls after the window; ongoing work is counted forward."""
    warns = [f for f in by_rule(check(GZ26, facts()), "CUT-02") if f.severity == "warn"]
    assert len(warns) == 1 and "离职" in warns[0].message
    ended = [{"from": "2020-07-01", "to": "2026-06-30", "professional": True, "internship": False}]
    assert "warn" not in severities(check(GZ26, facts(work=ended)), "CUT-02")


def test_cut_01_ganzhou_2022_batch_cutoffs():
    """CUT-01 (000 三(八)): 2022-06-30 and 2022-12-31."""
    findings = check(GZ22, facts(cutoff="2022-12-31"))
    assert severities(findings, "CUT-01") == ["info"]
    assert "2022年12月31日" in by_rule(findings, "CUT-01")[0].message


def test_cut_03_zhenjiang_seniority_counts_to_2023_12_31():
    """CUT-03 (003 二(八)): seniority to 2023-12-31 whatever the application day."""
    findings = check(ZJ, facts(pathway="评审", cutoff="2024-05-01"))
    (years,) = by_rule(findings, "CUT-06")
    assert "至2023年12月31日为3年" in years.message  # 2020年7月1日 .. 2023年12月31日
    assert "申报之日2024年5月1日" in by_rule(findings, "CUT-03")[0].message


def test_cut_03_a_later_years_application_counts_to_the_same_day_of_its_own_round():
    """The demo's Zhenjiang cases (2026, under the 2024 profile) were counted to 2023-12-31, two years short,
    beside 学历等计算至申报之日2026年10月19日: the notice's day belongs to its round (the end of the year
    before), so a 2026 application counts to 2025-12-31 and says whence the day comes."""
    findings = check(ZJ, facts(pathway="评审", cutoff="2026-10-19"))
    (years,) = by_rule(findings, "CUT-06")
    assert "至2025年12月31日为5年" in years.message  # 2020年7月1日 .. 2025年12月31日
    (cutoff,) = by_rule(findings, "CUT-03")
    assert cutoff.message.startswith("资历（任职年限）计算截至2025年12月31日（")
    carried = "规定计算截至2023年12月31日，按申报年度顺延）；学历等计算至申报之日2026年10月19日"
    assert carried in cutoff.message
    assert "2023年12月31日为" not in years.message
    # Kunming's 2022 notice counts to the end of its own year: a 2026 application, to 2026-12-31.
    (years,) = by_rule(check(KM, facts(pathway="评审", cutoff="2026-08-01")), "CUT-06")
    assert "至2026年12月31日为6年" in years.message
    assert ZJ.counting.seniority_cutoff_for(date(2023, 5, 1), ZJ.year) == date(2023, 12, 31)  # never back


def test_cut_04_kunming_years_in_post_count_to_2022_12_31_for_city_committees():
    """CUT-04 (004 二(四))."""
    (years,) = by_rule(check(KM, facts(pathway="评审", cutoff="2022-08-01")), "CUT-06")
    assert "至2022年12月31日为2年" in years.message
    (years,) = by_rule(check(KM, facts(pathway="认定", cutoff="2022-08-01")), "CUT-06")
    assert "至2022年8月1日为2年" in years.message


def test_cut_05_nantong_counts_to_the_application_day():
    """CUT-05 (002 三(二)): no cutoff stated; the default is the day of application."""
    (finding,) = by_rule(check(NT, facts(pathway="初定", cutoff="2024-03-01")), "CUT-05")
    assert finding.severity == "info" and "默认计算至申报之日" in finding.message


# --- D/J. education, years per level ---------------------------------------------------------------


def test_edu_01_listed_series_require_a_bachelor_degree():
    """EDU-01 (001 三(一); 000 三(一)): 新闻记者 etc. require 本科 or above."""
    junior_college = [{"level": "大专", "major": "新闻学", "graduated_on": "2018-06-30"}]
    for profile in (GZ26, GZ22):
        findings = check(profile, facts(series="新闻", specialty="记者", education=junior_college))
        (finding,) = by_rule(findings, "EDU-01")
        assert finding.severity == "block" and "大专" in finding.message and "本科" in finding.message
    assert severities(check(GZ26, facts(series="自然科学（研究）")), "EDU-01") == ["info"]


def test_edu_02_other_series_minimums_are_unconfirmed_and_go_to_manual_review():
    """EDU-02 (001 三 引言, 三(八)): 赣人社规〔2025〕3号 not found; never a silent pass."""
    (finding,) = by_rule(check(GZ26, facts()), "EDU-02")
    assert finding.severity == "manual" and "赣人社规〔2025〕3号" in finding.message
    assert severities(check(GZ22, facts(cutoff="2022-06-30")), "EDU-03")[0] == "manual"


def test_lvl_05_ganzhou_years_per_level_are_unconfirmed_and_go_to_manual_review():
    """LVL-05 (001 三 引言): the message names the counted years and the cited source."""
    (finding,) = by_rule(check(GZ26, facts()), "LVL-05")
    assert finding.severity == "manual"
    assert "至2026年6月30日为6年" in finding.message and "赣人社规〔2025〕3号" in finding.message


def test_maj_02_mismatch_adds_one_year_with_a_message_naming_the_facts():
    """MAJ-02 (001 三(二)) with CUT-06: the issue's example message."""
    profile = with_years(GZ26, "LVL-05", 3)
    work = [{"from": "2023-07-01", "to": None, "professional": True, "internship": False}]
    findings = check(profile, facts(major_matches=False, work=work))
    (finding,) = by_rule(findings, "LVL-05")
    assert finding.severity == "block"
    assert (
        finding.message
        == "工作年限按周年计算至2026年6月30日为3年，申报中级需4年（所学专业与从事专业不同，延长1年）"
    )
    assert severities(findings, "MAJ-02") == ["info"]
    assert severities(check(profile, facts(major_matches=True, work=work)), "LVL-05") == ["info"]
    assert "延长1年" in by_rule(check(profile, facts(major_matches=None)), "MAJ-02")[0].message


def test_cut_06_a_boundary_case_the_unsettled_convention_decides_goes_to_manual_review():
    """CUT-06 (001 三(七), §8 #5): 2022-07-01 to 2026-06-30 is 4 years inclusive, 3 by anniversary."""
    profile = with_years(GZ26, "LVL-05", 4)
    on_boundary = [{"from": "2022-07-01", "to": None, "professional": True, "internship": False}]
    findings = check(profile, facts(work=on_boundary))
    assert severities(findings, "LVL-05") == ["info"]
    assert "manual" in severities(findings, "CUT-06")
    one_day_late = [{"from": "2022-07-02", "to": None, "professional": True, "internship": False}]
    findings = check(profile, facts(work=one_day_late))
    assert severities(findings, "LVL-05") == ["block"]
    assert "manual" not in severities(findings, "CUT-06")  # both conventions agree: 3 years


def test_years_count_professional_work_after_graduation_only():
    work = [
        {
            "from": "2018-01-01",
            "to": "2019-12-31",
            "professional": True,
            "internship": False,
        },  # before graduation
        {"from": "2020-07-01", "to": "2021-06-30", "professional": False, "internship": False},
        {"from": "2021-07-01", "to": None, "professional": True, "internship": False},
    ]
    (years,) = by_rule(check(GZ26, facts(work=work)), "CUT-06")
    assert "为5年" in years.message and "2021年7月1日至2026年6月30日" in years.message
    incomplete = [{"from": "2020-07-01", "professional": True}]
    assert "manual" in severities(check(GZ26, facts(work=incomplete)), "CUT-06")


def test_exp_01_ganzhou_2022_internships_count_with_evidence():
    """EXP-01 (000 三(五)): internships at a Ganzhou employer count; 2026 does not restate it."""
    work = [
        {"from": "2019-07-01", "to": "2020-06-15", "professional": True, "internship": True},
        {"from": "2020-07-01", "to": None, "professional": True, "internship": False},
    ]
    findings = check(GZ22, facts(work=work, cutoff="2022-06-30"))
    assert severities(findings, "EXP-01") == ["manual"]
    assert "为2年" in by_rule(findings, "CUT-06")[0].message  # 11 + 24 months
    findings = check(GZ26, facts(work=work))
    assert severities(findings, "EXP-01") == ["manual"] and "未计入" in by_rule(findings, "EXP-01")[0].message
    assert "为6年" in by_rule(findings, "CUT-06")[0].message


# --- E. major ------------------------------------------------------------------------------------------


def test_maj_01_ganzhou_2022_requires_the_same_or_a_similar_major():
    """MAJ-01 (000 三(二))."""
    assert severities(check(GZ22, facts(major_matches=False, cutoff="2022-06-30")), "MAJ-01") == ["block"]
    assert severities(check(GZ22, facts(major_matches=None, cutoff="2022-06-30")), "MAJ-01") == ["manual"]


def test_maj_03_kunming_no_longer_restricts_a_mismatch():
    """MAJ-03 (004 二(五))."""
    findings = check(KM, facts(pathway="评审", major_matches=False))
    assert severities(findings, "MAJ-03") == ["info"]
    assert "block" not in {f.severity for f in findings if f.rule.startswith("MAJ")}


def test_maj_04_nantong_specialty_match_is_a_manual_check():
    """MAJ-04 (002 三(二)): the post must be of the specialty; the major link is inferred."""
    assert severities(check(NT, facts(pathway="初定", major_matches=False)), "MAJ-04") == ["manual"]


# --- F. exams ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "specialty", ["卫生技术", "经济", "会计", "统计", "审计", "翻译", "出版", "船舶", "通信"]
)
def test_exam_02_nine_exam_only_specialties_get_no_initial_grading_or_review(specialty):
    """EXAM-02 (002 五(一); 003 二(五)): 初/中级 by national exam only."""
    assert severities(
        check(NT, facts(pathway="初定", series=specialty, specialty=specialty, level="助理级")), "EXAM-02"
    ) == ["block"]
    assert severities(check(ZJ, facts(pathway="评审", series=specialty, specialty=specialty)), "EXAM-02") == [
        "block"
    ]
    senior = check(ZJ, facts(pathway="评审", series=specialty, specialty=specialty, level="副高级"))
    assert by_rule(senior, "EXAM-02") == []


@pytest.mark.parametrize("specialty", ["临床医学", "护理", "药学"])
def test_exam_02_the_health_series_by_its_usual_name_is_exam_only_too(specialty):
    """EXAM-02 (002 五(一); 003 二(五)) and EXAM-01 (001 三(六)): 卫生技术 is the 卫生 series, which is
    what the enterprise's start form suggests and policy-spec §5 calls it. 卫生/临床医学 at 中级 went
    through 初定, 评审 and 认定 without a block (Ganzhou even said it was not on the list); 高级 stays
    open to review."""
    roads = ((NT, "初定", "EXAM-02"), (ZJ, "评审", "EXAM-02"), (GZ26, "认定", "EXAM-01"))
    for profile, pathway, rule in roads:
        for level in ("助理级", "中级"):
            findings = check(profile, facts(pathway=pathway, series="卫生", specialty=specialty, level=level))
            assert severities(findings, rule) == ["block"], (profile.id, level)
    senior = check(ZJ, facts(pathway="评审", series="卫生", specialty=specialty, level="副高级"))
    assert by_rule(senior, "EXAM-02") == []


def test_exam_04_computer_technology_is_exam_only_at_every_level():
    """EXAM-04 (003 二(六))."""
    for level in ("助理级", "中级", "副高级"):
        findings = check(
            ZJ, facts(pathway="评审", series="计算机技术与软件", specialty="软件设计", level=level)
        )
        assert severities(findings, "EXAM-04") == ["block"]


def test_exam_03_senior_accountants_need_a_valid_exam_result():
    """EXAM-03 (003 二(五)): 高级 in 会计/统计/审计/经济 need the national exam (reviewer verifies)."""
    findings = check(ZJ, facts(pathway="评审", series="经济", specialty="人力资源管理", level="副高级"))
    assert severities(findings, "EXAM-03") == ["manual"]
    assert by_rule(check(ZJ, facts(pathway="评审", level="副高级")), "EXAM-03") == []


def test_exam_01_ganzhou_blocks_on_the_assumed_list_and_says_it_is_assumed():
    """EXAM-01 (001 三(六), §8 #10): the list is not in the Ganzhou notice; policy-spec says BLOCK on the
    default list (EXAM-02 + EXAM-04), with the assumption named in the message."""
    (finding,) = by_rule(check(GZ26, facts(series="会计", specialty="会计")), "EXAM-01")
    assert finding.severity == "block" and "以考代评" in finding.message and "未经确认" in finding.message
    (finding,) = by_rule(check(GZ26, facts()), "EXAM-01")
    assert finding.severity == "info" and "未经确认" in finding.message  # never a silent pass


# --- G. practice qualifications --------------------------------------------------------------------


def test_preq_01_and_02_the_specialties_with_entry_requirements_are_not_listed():
    """PREQ-01 (001 三(五); 000 三(六)), PREQ-02 (002 三(一)2): reviewer checks; qualifications named."""
    (finding,) = by_rule(check(GZ26, facts(qualifications=["注册安全工程师"])), "PREQ-01")
    assert finding.severity == "manual" and "注册安全工程师" in finding.message
    assert severities(check(NT, facts(pathway="初定")), "PREQ-02") == ["manual"]


def test_preq_a_listed_requirement_is_enforced_with_validity():
    """PREQ-02 (002 三(一)2): a valid 执业资格 must be held first (row as an admin would enter it)."""
    from portal.domain.policy import PracticeEntry, PracticeRequirement

    rule = PracticeEntry(
        rule="PREQ-02",
        citation="002 三(一)2",
        requirements=(
            PracticeRequirement(
                specialties=("律师",), qualifications=("律师执业证",), citation="002 三(一)2"
            ),
        ),
    )
    profile = dataclasses.replace(NT, practice_entry=rule)
    base = {"pathway": "初定", "series": "律师", "specialty": "律师", "cutoff": "2024-03-01"}
    assert severities(check(profile, facts(**base, qualifications=[])), "PREQ-02") == ["block"]
    held = [{"name": "律师执业证", "valid_until": "2025-12-31"}]
    assert severities(check(profile, facts(**base, qualifications=held)), "PREQ-02") == ["info"]
    expired = [{"name": "律师执业证", "valid_until": "2023-12-31"}]
    assert severities(check(profile, facts(**base, qualifications=expired)), "PREQ-02") == ["block"]


# --- H. social insurance ---------------------------------------------------------------------------


def test_si_01_ganzhou_2022_half_a_year_of_pension_and_the_same_unit():
    """SI-01 (000 三(四))."""
    at = {"cutoff": "2022-06-30"}
    assert severities(
        check(GZ22, facts(**at, social_insurance={"months": 5, "unit_matches": True})), "SI-01"
    ) == ["block"]
    assert (
        severities(check(GZ22, facts(**at, social_insurance={"months": 6, "unit_matches": True})), "SI-01")
        == []
    )
    assert severities(
        check(GZ22, facts(**at, social_insurance={"months": 6, "unit_matches": False})), "SI-01"
    ) == ["block"]
    exempt = check(GZ22, facts(**at, employment_type="在编", social_insurance=None))
    assert severities(exempt, "SI-01") == ["info"] and "编制册" in by_rule(exempt, "SI-01")[0].message


def test_si_02_ganzhou_2026_unit_names_must_match_or_an_affiliation_proof():
    """SI-02 (001 三(四) ¶1); the 2022 six-month rule is only a warning (§8 #3)."""

    def si(**kw):
        return severities(check(GZ26, facts(social_insurance={"months": 60, **kw})), "SI-02")

    assert si(unit_matches=True) == []
    assert si(unit_matches=False, affiliation_proof=False) == ["block"]
    assert si(unit_matches=False, affiliation_proof=True) == ["info"]
    assert si(unit_matches=False) == ["manual"]
    short = by_rule(check(GZ26, facts(social_insurance={"months": 5, "unit_matches": True})), "SI-02")
    assert [f.severity for f in short] == ["warn"] and short[0].clause == "000 三(四)"


def test_si_03_kunming_six_continuous_months_by_the_contract_unit():
    """SI-03 (004 二(三)): city reviews only."""
    short = check(KM, facts(pathway="评审", social_insurance={"months": 5, "unit_matches": True}))
    assert severities(short, "SI-03") == ["block"] and "昆明市连续参保" in by_rule(short, "SI-03")[0].message
    other_unit = check(KM, facts(pathway="评审", social_insurance={"months": 12, "unit_matches": False}))
    assert severities(other_unit, "SI-03") == ["block"]
    assert by_rule(check(KM, facts(pathway="认定", social_insurance=None)), "SI-03") == []
    assert severities(check(KM, facts(pathway="评审", social_insurance=None)), "SI-03") == ["manual"]


# --- J. Nantong 初定 -----------------------------------------------------------------------------------


def nt(level: str, education: list[dict[str, Any]], work_from: str, cutoff: str, **kw: Any) -> list[Finding]:
    work = [{"from": work_from, "to": None, "professional": True, "internship": False}]
    return check(NT, facts(pathway="初定", level=level, education=education, work=work, cutoff=cutoff, **kw))


BACHELOR_2023 = [{"level": "本科", "degree": "学士", "major": "机械工程", "graduated_on": "2023-06-30"}]


def test_lvl_01_bachelor_plus_one_probation_year_gives_assistant_level():
    """LVL-01 (002 三(二)2): 本科 + 见习1年期满 → 助理级; boundary at one full year."""
    done = nt("助理级", BACHELOR_2023, "2023-07-01", "2024-06-30")
    assert severities(done, "LVL-01") == ["info"]
    short = nt("助理级", BACHELOR_2023, "2023-07-01", "2024-06-29")
    (finding,) = by_rule(short, "LVL-01")
    assert finding.severity == "block" and "为0年" in finding.message and "须见习1年期满" in finding.message


def test_lvl_01_the_applicant_cannot_choose_a_higher_level_than_the_table():
    """LVL-01 (002 三(二)): 本科 cannot be graded 中级."""
    (finding,) = by_rule(nt("中级", BACHELOR_2023, "2023-07-01", "2026-03-01"), "LVL-01")
    assert finding.severity == "block" and "可初定助理级" in finding.message


def test_lvl_01_junior_college_gives_technician():
    """LVL-01 (002 三(二)1): 大专/中专 + 1 year → 技术员 (员级)."""
    college = [{"level": "大专", "major": "机电一体化", "graduated_on": "2022-06-30"}]
    assert severities(nt("员级", college, "2022-07-01", "2023-07-01"), "LVL-01") == ["info"]
    assert severities(nt("助理级", college, "2022-07-01", "2023-07-01"), "LVL-01") == ["block"]


def test_lvl_01_master_gives_assistant_level_without_a_stated_probation():
    """LVL-01 (002 三(二)3, §8 #7): no probation period stated → manual review."""
    master = [{"level": "硕士", "degree": "硕士", "major": "机械工程", "graduated_on": "2024-06-30"}]
    (finding,) = by_rule(nt("助理级", master, "2024-07-01", "2024-09-01"), "LVL-01")
    assert finding.severity == "manual" and "现从事" in finding.message


def test_lvl_01_doctorate_gives_intermediate_while_working_in_the_specialty():
    """LVL-01 (002 三(二)4)."""
    phd = [{"level": "博士", "degree": "博士", "major": "机械工程", "graduated_on": "2024-06-30"}]
    assert severities(nt("中级", phd, "2024-07-01", "2024-08-01"), "LVL-01") == []
    ended = check(
        NT,
        facts(
            pathway="初定",
            education=phd,
            cutoff="2024-12-01",
            work=[{"from": "2024-07-01", "to": "2024-09-30", "professional": True, "internship": False}],
        ),
    )
    assert severities(ended, "LVL-01") == ["block"]


def test_lvl_02_education_before_2022_goes_to_the_unentered_transition():
    """LVL-02 (002 三(二)): 2021 and earlier → provincial transition rules, not in the notice."""
    old = [{"level": "本科", "degree": "学士", "major": "机械工程", "graduated_on": "2021-06-30"}]
    (finding,) = by_rule(nt("助理级", old, "2021-07-01", "2024-03-01"), "LVL-02")
    assert finding.severity == "manual" and "2021年及以前" in finding.message


def test_lvl_04_zhenjiang_applies_level_by_level():
    """LVL-04 (003 二(一)): the next level only."""
    review = {"pathway": "评审", "cutoff": "2024-05-01"}
    assert severities(check(ZJ, facts(**review, level="中级")), "LVL-04") == []
    jump = check(ZJ, facts(**review, level="副高级"))
    assert severities(jump, "LVL-04") == ["block"] and "应逐级申报中级" in by_rule(jump, "LVL-04")[0].message
    assert severities(check(ZJ, facts(**review, level="助理级", current_title=None)), "LVL-04") == ["info"]
    assert severities(check(ZJ, facts(**review, level="中级", current_title=None)), "LVL-04") == ["block"]
    assert severities(check(ZJ, facts(**review, current_title=...)), "LVL-04") == ["manual"]
    # The next level is named from a title held or from the level a qualification counts as (EQUIV-01);
    # above the top there is none, and the sentence says so (it read 应逐级申报无).
    (skipped,) = by_rule(check(ZJ, facts(**review, level="正高级")), "LVL-04")
    assert skipped.message == "现有职称为助理级，应逐级申报中级，不能申报正高级"
    top = {"level": "正高级", "obtained_on": "2021-09-01"}
    (again,) = by_rule(check(ZJ, facts(**review, level="正高级", current_title=top)), "LVL-04")
    assert again.message == "正高级已是最高级别，不能再申报正高级"
    builder = {**review, "current_title": None, "qualifications": ["一级建造师"]}
    assert severities(check(ZJ, facts(**builder, level="副高级")), "LVL-04") == []
    (qualified,) = by_rule(check(ZJ, facts(**builder, level="正高级")), "LVL-04")
    assert qualified.severity == "block"
    assert qualified.message == "所持职业资格对应中级职称，应逐级申报副高级，不能申报正高级"


# --- K. Kunming early application ------------------------------------------------------------------


def test_early_01_township_graduates_apply_one_year_early_for_their_first_title():
    """EARLY-01 (004 一(八)): −1 year for the first 评审 when working in a 乡镇（街道）."""
    profile = with_years(KM, "CHAN-08", 3)
    work = [{"from": "2020-07-01", "to": None, "professional": True, "internship": False}]
    # Applied in Kunming 2022's round: years count to its 2022-12-31.
    base = {"pathway": "评审", "level": "助理级", "current_title": None, "work": work, "cutoff": "2022-08-01"}
    township = check(profile, facts(**base, employer={"region": "东川区", "township": True}))
    assert severities(township, "EARLY-01") == ["info"]
    years = years_finding(township, "CHAN-08")
    assert years.severity == "info" and "需2年" in years.message  # 2 full years to 2022年12月31日
    town = check(profile, facts(**base, employer={"region": "东川区", "township": False}))
    assert years_finding(town, "CHAN-08").severity == "block" and by_rule(town, "EARLY-01") == []
    unknown = check(profile, facts(**base, employer={"region": "东川区"}))
    assert severities(unknown, "EARLY-01") == ["info"] and "如在" in by_rule(unknown, "EARLY-01")[0].message
    kaohe = check(profile, facts(**{**base, "pathway": "认定"}, employer={"township": True}))
    assert by_rule(kaohe, "EARLY-01") == []  # 不含考核定职


def test_early_02_engineering_professional_masters_apply_one_year_early_for_senior_engineer():
    """EARLY-02 (004 一(九))."""
    profile = with_years(KM, "CHAN-08", 5)
    masters = [
        {
            "level": "硕士",
            "degree": "硕士",
            "degree_type": "专业学位",
            "major": "机械工程",
            "graduated_on": "2015-06-30",
        }
    ]
    base = {
        "pathway": "评审",
        "level": "副高级",
        "employer": {"region": "东川区"},
        "current_title": {"level": "中级", "obtained_on": "2018-01-01"},
        "cutoff": "2022-08-01",  # Kunming 2022's round: years count to its 2022-12-31
    }
    work = [
        {"from": "2018-07-01", "to": None, "professional": True, "internship": False}
    ]  # 4 years to 2022-12-31
    findings = check(profile, facts(**base, education=masters, work=work))
    assert (
        severities(findings, "EARLY-02") == ["info"] and "需4年" in years_finding(findings, "CHAN-08").message
    )
    academic = [{**masters[0], "degree_type": "学术学位"}]
    findings = check(profile, facts(**base, education=academic, work=work))
    assert by_rule(findings, "EARLY-02") == [] and years_finding(findings, "CHAN-08").severity == "block"
    double = [
        {"level": "本科", "degree": "学士", "major": "土木工程", "graduated_on": "2014-06-30"},
        {"level": "本科", "degree": "第二学士", "major": "机械工程", "graduated_on": "2016-06-30"},
    ]
    assert severities(check(profile, facts(**base, education=double, work=work)), "EARLY-02") == ["info"]


# --- L. continuing education, R. returns -----------------------------------------------------------


def test_ce_01_zhenjiang_requires_90_hours_in_2023():
    """CE-01 (003 二(九))."""
    review = {
        "pathway": "评审",
        "cutoff": "2024-05-01",
        "current_title": {"level": "助理级", "obtained_on": "2023-02-01"},
    }
    assert severities(check(ZJ, facts(**review)), "CE-01") == ["info"]
    short = check(ZJ, facts(**review, continuing_education_hours={"2023": 89.5}))
    assert severities(short, "CE-01") == ["block"] and "89.5学时" in by_rule(short, "CE-01")[0].message
    assert severities(check(ZJ, facts(**review, continuing_education_hours={})), "CE-01") == ["manual"]
    older = check(
        ZJ, facts(pathway="评审", cutoff="2024-05-01", continuing_education_hours={"2022": 72, "2023": 90})
    )
    assert sorted(severities(older, "CE-01")) == ["info", "manual"]
    assert "2022年72学时" in next(f for f in by_rule(older, "CE-01") if f.severity == "manual").message


def test_rev_04_kunming_third_return_ends_the_year():
    """REV-04 (004 一(四)): three rounds of review opinions after unit approval."""
    assert by_rule(check(KM, facts(pathway="评审", returns_after_unit_approval=2)), "REV-04") == []
    (finding,) = by_rule(check(KM, facts(pathway="评审", returns_after_unit_approval=3)), "REV-04")
    assert (finding.severity, finding.clause) == ("block", "004 一(四)")
    assert by_rule(check(GZ26, facts(returns_after_unit_approval=5)), "REV-04") == []


def test_a_clean_ganzhou_2026_applicant_has_no_block_but_is_never_silently_passed():
    """The stated rules pass; the cited-only values (LVL-05, EDU-02, PREQ-01) still need a reviewer."""
    findings = check(GZ26, facts())
    assert "block" not in {f.severity for f in findings}
    assert {"LVL-05", "EDU-02", "PREQ-01"} <= {f.rule for f in findings if f.severity == "manual"}
    assert all(f.clause and f.message for f in findings)
