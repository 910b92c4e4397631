"""Tests for portal.domain.policy: the five policy profiles, their windows, and the loader's errors.

Expected values are read off the seed notices (../shared/seeds) and policy-spec §4; each test names the
clause it checks.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest

from portal.domain.policy import (
    DEFAULT_DIRECTORY,
    PolicyError,
    PolicyProfile,
    expand_levels,
    last_workday_in,
    load_profile,
    load_profiles,
    names_match,
    next_window,
    open_window,
    scope_table_word,
    window_closes_on_rest_day,
)
from portal.domain.workdays import UnknownYear, WorkCalendar

PROFILES = load_profiles()
GZ26, GZ22 = PROFILES["ganzhou-2026"], PROFILES["ganzhou-2022"]
NT, ZJ, KM = PROFILES["nantong-2023"], PROFILES["zhenjiang-2024"], PROFILES["kunming-2022"]
CAL = WorkCalendar.default()


def _cited_values(obj: object, path: str = "profile"):
    """Every dataclass value inside a profile that carries a citation, with its path."""
    if dataclasses.is_dataclass(obj):
        if hasattr(obj, "citation"):
            yield path, obj
        for f in dataclasses.fields(obj):
            yield from _cited_values(getattr(obj, f.name), f"{path}.{f.name}")
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _cited_values(item, f"{path}[{i}]")


# --- the five profiles --------------------------------------------------------------------------------


def test_the_five_profiles_load_from_the_default_directory():
    assert Path(__file__).resolve().parents[2] / "portal" / "policies" == DEFAULT_DIRECTORY
    assert list(PROFILES) == [
        "ganzhou-2022",
        "ganzhou-2026",
        "kunming-2022",
        "nantong-2023",
        "zhenjiang-2024",
    ]
    assert all(isinstance(p, PolicyProfile) for p in PROFILES.values())


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
def test_every_value_carries_a_citation_to_a_seed_notice(profile_id):
    values = list(_cited_values(PROFILES[profile_id]))
    assert values
    for path, value in values:
        assert re.match(r"^00[0-4]( |$)", value.citation), (path, value.citation)
        assert isinstance(value.confirmed, bool)


def test_profiles_record_their_notice():
    assert (GZ26.document, GZ26.issued_on, GZ26.source) == ("赣市人社字〔2026〕5号", date(2026, 1, 14), "001")
    assert (GZ22.document, GZ22.issued_on) == ("赣市人社字〔2022〕56号", date(2022, 6, 7))
    assert (NT.document, ZJ.document) == ("通职称办〔2023〕32号", "镇职称办〔2024〕11号")


def test_scope_06_ganzhou_recognition_covers_junior_and_intermediate_only():
    """SCOPE-06 (001 附件, 000 附件): 考核认定 for 初级 and 中级."""
    for p in (GZ26, GZ22):
        assert p.pathway_names == ("认定",)
        assert p.pathway("认定").levels == ("员级", "助理级", "中级")
        assert p.pathway("认定").rule == "SCOPE-06"


def test_scope_06_ganzhou_2026_has_21_authorities_with_names_and_phones_of_the_annex():
    """SCOPE-06 / 001 附件: the 21 certifying authorities of 2026 and their phones."""
    assert len(GZ26.authorities) == 21
    by_name = {a.name: a.phone for a in GZ26.authorities}
    assert by_name["赣州市职称工作办公室"] == "0797-8179808"
    assert by_name["信丰县职称改革领导小组办公室"] == "0797-7101628"
    assert by_name["定南县职称改革领导小组办公室"] == "0797-4289708"
    assert by_name["寻乌县职称改革领导小组"] == "0797-2852578"
    assert by_name["赣州经济技术开发区党群工作部"] == "0797-8373087"
    assert by_name["赣州蓉江新区党群工作部"] == "0797-8165096"
    assert [a.citation for a in GZ26.authorities] == [f"001 附件 序号{i}" for i in range(1, 22)]


def test_scope_06_only_the_city_office_certifies_intermediate_and_counties_their_own_junior():
    """SCOPE-06 (001 附件): 中级 whole city → city office; 初级 → the county's office, 市本级 → city."""
    assert [a.code for a in GZ26.authorities_for("中级", "章贡区")] == ["gz-city"]
    assert [a.name for a in GZ26.authorities_for("助理级", "章贡区")] == ["章贡区职称改革领导小组办公室"]
    assert [a.code for a in GZ26.authorities_for("员级", "市本级")] == ["gz-city"]
    assert [a.code for a in GZ26.authorities_for("助理级", "赣州经济技术开发区")] == ["gz-jingkai"]
    assert GZ26.authorities_for("副高级", "章贡区") == []


def test_ganzhou_authority_data_is_versioned_per_year():
    """000 附件 vs 001 附件: three authorities renamed and six phones changed between 2022 and 2026."""
    old = {a.code: a for a in GZ22.authorities}
    new = {a.code: a for a in GZ26.authorities}
    assert len(old) == 21 and old.keys() == new.keys()
    renamed = {c for c in old if old[c].name != new[c].name}
    assert renamed == {"gz-zhanggong", "gz-ganxian", "gz-nankang", "gz-jingkai", "gz-rongjiang"}
    changed = {c for c in old if old[c].phone != new[c].phone}
    assert changed == {"gz-xinfeng", "gz-dayu", "gz-dingnan", "gz-xunwu", "gz-jingkai", "gz-rongjiang"}


# --- windows and cutoffs -----------------------------------------------------------------------------


def test_win_02_cut_02_ganzhou_2026_four_quarterly_windows_and_cutoffs_for_every_authority():
    """WIN-02 (001 附件) and CUT-02 (001 三(七))."""
    expected = [
        (date(2026, 1, 20), date(2026, 2, 20), date(2026, 3, 31)),
        (date(2026, 4, 20), date(2026, 5, 20), date(2026, 6, 30)),
        (date(2026, 7, 20), date(2026, 8, 20), date(2026, 9, 30)),
        (date(2026, 10, 20), date(2026, 11, 20), date(2026, 12, 31)),
    ]
    for authority in GZ26.authorities:
        level = "中级" if authority.code == "gz-city" else "助理级"
        got = [(w.opens, w.closes, w.cutoff) for w in GZ26.windows_for(authority.code, level)]
        assert got == expected, authority.name
    assert GZ26.batch_cutoffs() == [c for _, _, c in expected]


def test_scope_06_a_county_has_no_window_for_a_level_it_does_not_certify():
    """SCOPE-06 (001 附件): 中级 goes to the city office, so a county shows no 中级 window."""
    assert GZ26.windows_for("gz-zhanggong", "中级") == []
    with pytest.raises(ValueError, match="no authority 'gz-nowhere'"):
        GZ26.windows_for("gz-nowhere", "中级")


def test_win_01_cut_01_ganzhou_2022_windows_differ_by_authority():
    """WIN-01 (000 附件) and CUT-01 (000 三(八)): per-authority dates replace the common ones."""

    def dates(code):
        return [(w.opens, w.closes, w.cutoff) for w in GZ22.windows_for(code, "助理级")]

    assert dates("gz-chongyi") == [
        (date(2022, 6, 10), date(2022, 7, 10), date(2022, 6, 30)),
        (date(2022, 10, 25), date(2022, 11, 25), date(2022, 12, 31)),
    ]
    assert dates("gz-dingnan") == [
        (date(2022, 7, 1), date(2022, 7, 29), date(2022, 6, 30)),
        (date(2022, 10, 1), date(2022, 11, 7), date(2022, 12, 31)),
    ]
    assert [(o, c) for o, c, _ in dates("gz-zhanggong")] == [
        (date(2022, 6, 10), date(2022, 7, 25)),
        (date(2022, 10, 10), date(2022, 11, 25)),
    ]
    assert next((o, c) for o, c, _ in dates("gz-nankang")) == (date(2022, 6, 20), date(2022, 7, 20))
    assert [(o, c) for o, c, _ in dates("gz-xinfeng")][1] == (date(2022, 9, 1), date(2022, 9, 30))
    assert [(o, c) for o, c, _ in dates("gz-xingguo")] == [
        (date(2022, 6, 15), date(2022, 7, 15)),
        (date(2022, 11, 1), date(2022, 11, 30)),
    ]


def test_win_03_nantong_quarterly_windows_are_generated_for_any_year():
    """WIN-03 (002 二): 8th of the quarter's first month to the 20th of its last month."""
    windows = NT.windows_for(None, "助理级", 2026)
    assert [(w.opens, w.closes) for w in windows] == [
        (date(2026, 1, 8), date(2026, 3, 20)),
        (date(2026, 4, 8), date(2026, 6, 20)),
        (date(2026, 7, 8), date(2026, 9, 20)),
        (date(2026, 10, 8), date(2026, 12, 20)),
    ]
    assert all(w.citation == "002 二" and w.cutoff is None for w in windows)
    assert NT.windows_for(None, "中级", 2022) == []  # the standing rule starts in 2023
    assert len(NT.windows_for("nt-city", "中级", 2030)) == 4


def test_win_03_open_and_next_window_around_the_nantong_boundaries():
    """WIN-03 (002 二): both ends of a window are inside it; the next window may be next year's."""
    assert open_window(NT, date(2026, 1, 8), "员级").closes == date(2026, 3, 20)
    assert open_window(NT, date(2026, 3, 20), "员级").opens == date(2026, 1, 8)
    assert open_window(NT, date(2026, 3, 21), "员级") is None
    assert open_window(NT, date(2026, 1, 7), "员级") is None
    assert next_window(NT, date(2026, 3, 21), "员级").opens == date(2026, 4, 8)
    assert next_window(NT, date(2026, 12, 21), "中级").opens == date(2027, 1, 8)


def test_win_02_open_window_in_ganzhou_2026():
    """WIN-02 (001 附件): the window is open through its stated closing day."""
    assert open_window(GZ26, date(2026, 2, 20), "中级").batch_id == "2026-1"
    assert open_window(GZ26, date(2026, 2, 21), "中级") is None
    assert open_window(GZ26, date(2026, 5, 1), "助理级", "gz-ruijin").batch_id == "2026-2"
    assert open_window(GZ26, date(2026, 5, 1), "中级", "gz-ruijin") is None
    assert next_window(GZ26, date(2026, 2, 21), "中级").cutoff == date(2026, 6, 30)
    assert next_window(GZ26, date(2026, 11, 21), "中级") is None


def test_win_02_batch_one_closes_on_a_spring_festival_rest_day():
    """WIN-02 (001 附件, policy-spec §8 #1): 2026-02-20 is a holiday; the last working day is Sat 02-14."""
    q1, q2, q3, q4 = GZ26.windows_for(None, "中级")
    assert window_closes_on_rest_day(q1, CAL)
    assert last_workday_in(q1, CAL) == date(2026, 2, 14)
    assert not any(window_closes_on_rest_day(w, CAL) for w in (q2, q3, q4))
    assert CAL.workdays_between(q1.opens, q1.closes) == 20


def test_win_03_nantong_2026_closing_days_on_rest_days():
    """WIN-03 (002 二, policy-spec §4.3): 06-20 Dragon Boat, 09-20 adjusted working Sunday, 12-20 Sunday."""
    flags = [window_closes_on_rest_day(w, CAL) for w in NT.windows_for(None, "员级", 2026)]
    assert flags == [False, True, False, True]


def test_rest_day_check_needs_a_known_year():
    (first, *_) = NT.windows_for(None, "员级", 2027)
    with pytest.raises(UnknownYear):
        window_closes_on_rest_day(first, WorkCalendar.default())


def test_win_06_kunming_recognition_months_of_2022_only():
    """WIN-06 (004 三): 考核定职 in January, April, July and October 2022."""
    windows = KM.windows_for(None, "中级", pathway="认定")
    assert [(w.opens, w.closes) for w in windows] == [
        (date(2022, 1, 1), date(2022, 1, 31)),
        (date(2022, 4, 1), date(2022, 4, 30)),
        (date(2022, 7, 1), date(2022, 7, 31)),
        (date(2022, 10, 1), date(2022, 10, 31)),
    ]
    assert KM.windows_for(None, "中级", 2023) == []
    assert KM.windows_for(None, "中级", pathway="评审") == []  # committee dates are unseen attachments
    (pending,) = KM.windows_for(None, "中级", pathway="评审", include_pending=True)
    assert pending.pending and not pending.confirmed


def test_win_04_zhenjiang_windows_by_specialty_locality_and_level():
    """WIN-04 (003 附件): 建设工程 in the city has two windows; other rows wait for a separate notice."""
    city = ZJ.windows_for("zj-center", "中级", specialty="建设工程")
    assert [(w.opens, w.closes) for w in city] == [
        (date(2024, 3, 15), date(2024, 5, 30)),
        (date(2024, 7, 1), date(2024, 9, 15)),
    ]
    assert [(w.opens, w.closes) for w in ZJ.windows_for("jr-hrss", "中级", specialty="机械工程")] == [
        (date(2024, 4, 10), date(2024, 6, 28))
    ]
    assert ZJ.windows_for("zj-workers", "中级", specialty="机械工程") == []
    (pending,) = ZJ.windows_for("zj-workers", "中级", specialty="机械工程", include_pending=True)
    assert pending.pending and pending.opens is None and pending.citation == "003 附件 序号2"
    assert ZJ.windows_for("dy-hrss", "中级", specialty="农业技术") == []  # 丹阳 takes 初级 only (row 3)
    with pytest.raises(ValueError, match="no closing day"):
        window_closes_on_rest_day(pending, CAL)


def test_zhenjiang_inferred_cells_are_unconfirmed():
    """003 附件 rows 14, 24, 25, 27 are merged cells (policy-spec §8 #17)."""
    rows = {w.citation for w in ZJ.batches if not w.confirmed}
    assert rows == {"003 附件 序号14", "003 附件 序号24", "003 附件 序号25", "003 附件 序号27"}


def test_values_the_notices_only_cite_are_unconfirmed():
    """001 三 引言 / 000 三 引言: years per level are in unseen provincial methods."""
    for p in (GZ26, GZ22, ZJ, KM):
        assert p.requirements and all(r.years is None and not r.confirmed for r in p.requirements)
    assert not GZ26.social_insurance.min_months.confirmed  # §8 #3
    assert GZ26.social_insurance.min_months.severity == "warn"
    assert GZ22.social_insurance.min_months.confirmed  # 000 三(四) states it
    assert not GZ26.internship.confirmed and GZ22.internship.counts  # §8 #8
    assert not GZ26.counting.confirmed  # §8 #5
    assert [r.confirmed for r in NT.initial_grading.rows] == [True, True, False, True]  # §8 #7


def test_thresholds_of_the_notices():
    """CE-01 (003 二(九)), REV-04 (004 一(四)), PUB-01 (003 五(一)), MAJ-02 (001 三(二)), CUT-03/04."""
    assert [(h.year, h.hours) for h in ZJ.continuing_education.hours] == [(2023, 90)]
    assert KM.workflow.return_limit.value == 3
    assert ZJ.workflow.unit_notice_workdays.value == 5 and KM.workflow.unit_notice_workdays.value == 5
    assert (GZ26.major.mode, GZ26.major.extra_years) == ("extra_years", 1)
    assert ZJ.counting.seniority_cutoff == date(2023, 12, 31)
    assert KM.counting.seniority_cutoff == date(2022, 12, 31)
    assert [(a.rule, a.years) for a in KM.adjustments] == [("EARLY-01", -1), ("EARLY-02", -1)]
    assert NT.initial_grading.from_graduation_year == 2022


def test_name_matching_is_width_insensitive():
    assert names_match("自然科学（研究）", ["自然科学(研究)"])
    assert names_match("经济（人力资源管理）", ["经济"])
    assert names_match("会计系列", ["会计"])
    assert not names_match("经济学", ["经济"])
    assert not names_match(None, ["经济"])
    assert expand_levels(["初级", "中级"]) == ("员级", "助理级", "中级")
    with pytest.raises(ValueError):
        expand_levels(["高工"])


# --- the loader's errors ------------------------------------------------------------------------------

MINIMAL = """\
id = "test-2026"
title = "测试"
jurisdiction = "测试市"
region = "测试市"
year = 2026
document = "测试〔2026〕1号"
issued_on = 2026-01-14
source = "001"

[[pathways]]
name = "认定"
levels = ["初级", "中级"]
rule = "SCOPE-06"
citation = "001 附件"

[counting]
rule = "CUT-02"
method = "inclusive"
citation = "001 三(七)"

[[authorities]]
code = "a"
name = "某认定机构"
area = "全市"
levels = ["初级"]
regions = ["*"]
citation = "001 附件 序号1"

[[batches]]
id = "b1"
name = "第一批"
levels = ["初级"]
opens = 2026-01-20
closes = 2026-02-20
cutoff = 2026-03-31
cutoff_citation = "001 三(七)"
citation = "001 附件"
"""


def _write(tmp_path: Path, text: str, name: str = "test-2026.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        load_profile(_write(tmp_path, text))
    return info.value


def test_a_minimal_file_loads(tmp_path):
    profile = load_profile(_write(tmp_path, MINIMAL))
    assert profile.id == "test-2026" and profile.batches[0].closes == date(2026, 2, 20)
    assert load_profiles(tmp_path) == {"test-2026": profile}


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("closes = 2026-02-20", 'closes = "2026-02-20"', "batches[0].closes", "TOML date"),
        ("closes = 2026-02-20", "closes = 2026-01-01", "batches[0].closes", "before it opens"),
        (
            'levels = ["初级"]\nopens',
            'levels = ["初级", "高工"]\nopens',
            "batches[0].levels",
            "unknown level",
        ),
        ('rule = "CUT-02"', 'rule = "CUT-02"\nmethdo = "x"', "counting.methdo", "unknown key"),
        ('method = "inclusive"', 'method = "calendar"', "counting.method", "not one of"),
        ('citation = "001 附件 序号1"', 'citation = "附件"', "authorities[0].citation", "must start with"),
        ('citation = "001 附件 序号1"\n', "", "authorities[0].citation", "missing"),
        ('id = "b1"\nname', 'id = "b1"\nauthority = "zz"\nname', "batches[0].authority", "no authority"),
        ('id = "test-2026"', 'id = "other-2026"', "id", "must equal the file name"),
        ("year = 2026", 'year = "2026"', "year", "integer"),
        ("[counting]", "[countin]", "counting", "required"),
    ],
)
def test_a_broken_file_names_the_file_key_and_problem(tmp_path, old, new, key, problem):
    assert old in MINIMAL
    error = _error(tmp_path, MINIMAL.replace(old, new, 1))
    assert (error.file, error.key) == ("test-2026.toml", key)
    assert problem in error.problem
    assert "test-2026.toml" in str(error) and key in str(error) and "政策文件" in str(error)


def test_every_problem_of_a_file_is_reported_at_once_with_its_toml_path(tmp_path):
    broken = (
        MINIMAL.replace("closes = 2026-02-20", 'closes = "2026-02-20"', 1)
        .replace('method = "inclusive"', 'method = "calendar"', 1)
        .replace("year = 2026", 'year = "2026"', 1)
        .replace('rule = "CUT-02"', 'rule = "CUT-02"\nmethdo = "x"', 1)
    )
    error = _error(tmp_path, broken)
    keys = [problem.key for problem in error.problems]
    assert {"batches[0].closes", "counting.method", "counting.methdo", "year"} <= set(keys), keys
    assert len(keys) == len(set(keys))
    assert all(problem.key in str(error) for problem in error.problems)


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path):
    error = _error(tmp_path, MINIMAL.replace("year = 2026", "year = = 2026"))
    assert (error.file, error.key) == ("test-2026.toml", "(syntax)")
    assert "line 5" in error.problem
    assert "TOML 语法错误" in str(error)


def test_a_duplicate_authority_code_is_an_error(tmp_path):
    block = MINIMAL[MINIMAL.index("[[authorities]]") : MINIMAL.index("[[batches]]")]
    error = _error(tmp_path, MINIMAL + "\n" + block)
    assert error.key == "authorities[1].code" and "duplicate" in error.problem


def test_a_broken_file_in_the_directory_fails_load_profiles(tmp_path):
    _write(tmp_path, MINIMAL)
    _write(tmp_path, "id = 1\n", name="broken-2026.toml")
    with pytest.raises(PolicyError) as info:
        load_profiles(tmp_path)
    assert info.value.file == "broken-2026.toml" and info.value.key == "id"


# --- the committee road (issue 22) ----------------------------------------------------------------------


def test_the_pathways_name_their_road_and_kunming_calls_recognition_kaohe_dingzhi():
    profiles = load_profiles()
    zhenjiang, kunming = profiles["zhenjiang-2024"], profiles["kunming-2022"]
    assert zhenjiang.road("评审") == kunming.road("评审") == "committee"
    assert zhenjiang.road("初定") == kunming.road("认定") == "bureau"
    assert kunming.pathway("认定").label == "考核定职"  # 004 三, its own road
    assert profiles["ganzhou-2026"].road("评审") == "committee"  # not covered: a committee's by its nature
    assert profiles["ganzhou-2026"].committee is None


def test_the_committee_rules_cite_their_clauses():
    zhenjiang = load_profiles()["zhenjiang-2024"].committee
    kunming = load_profiles()["kunming-2022"].committee
    assert zhenjiang is not None and kunming is not None
    z, k = zhenjiang.filing, kunming.filing
    assert (z.days, z.unit, z.citation) == (15, "days", "003 六(一)")
    assert (k.days, k.unit, k.citation) == (12, "workdays", "004 一(六)")
    assert (zhenjiang.notice_workdays.value, zhenjiang.notice_workdays.citation) == (5, "003 五(三)")
    assert zhenjiang.one_per_year == zhenjiang.same_for_unit == "003 四" and not kunming.one_per_year
    assert kunming.city_system_gate == "004 一(二)" and kunming.call and kunming.call.citation == "004 一(三)"
    assert kunming.provincial_windows and kunming.provincial_windows.citation == "004 二(二)"
    assert zhenjiang.title_confirmation.mode == "recognise" and kunming.title_confirmation.mode == "confirm"
    # CHAN-06 (004 一(七)): Kunming's experts study the standards before the vote; Zhenjiang's 003 asks not.
    assert kunming.expert_study == "004 一(七)" and zhenjiang.expert_study == ""
    # The seeds give no vote rule: quorum and threshold are marked unconfirmed where the notices are silent.
    assert zhenjiang.vote.threshold == (2, 3) and not zhenjiang.vote.confirmed and not kunming.vote.confirmed


def test_win_04_zhenjiang_finishes_intermediate_review_by_the_end_of_november_in_principle():
    """003 三(二): "原则上各专业中级评审时间在11月底前完成" — Zhenjiang's committee road carries the day (the
    same day of every year) for 中级 only, with its clause; no other profile has it."""
    rule = ZJ.committee.review_deadline  # type: ignore[union-attr]
    assert rule is not None and (rule.rule, rule.levels, rule.citation) == ("WIN-04", ("中级",), "003 三(二)")
    assert rule.deadline(2026) == date(2026, 11, 30)
    assert rule.covers("中级") and not rule.covers("助理级") and not rule.covers("副高级")
    assert rule.past(date(2026, 12, 1)) and not rule.past(date(2026, 11, 30))
    # The plan form names the day still ahead: in December, next year's (it named 2026-11-30 on 12-05).
    assert rule.next_deadline(date(2026, 11, 30)) == date(2026, 11, 30)
    assert rule.next_deadline(date(2026, 12, 5)) == date(2027, 11, 30)
    others = [p for p in PROFILES.values() if p is not ZJ]
    assert all(p.committee is None or p.committee.review_deadline is None for p in others)


def test_win_04_a_broken_review_deadline_is_named(tmp_path):
    text = (DEFAULT_DIRECTORY / "zhenjiang-2024.toml").read_text(encoding="utf-8")
    good = 'levels = ["中级"]\nfinish_by = 2024-11-30'
    assert text.count(good) == 1
    broken = text.replace(good, 'levels = ["中级", "高工"]\nfinish_by = "2024-11-30"')
    with pytest.raises(PolicyError) as info:
        load_profile(_write(tmp_path, broken, name="zhenjiang-2024.toml"))
    keys = [problem.key for problem in info.value.problems]
    assert keys == ["committee.review_deadline.levels", "committee.review_deadline.finish_by"], keys


def test_a_committee_road_without_its_rules_is_an_error(tmp_path):
    text = MINIMAL.replace('rule = "SCOPE-06"', 'rule = "SCOPE-06"\nroad = "committee"', 1)
    assert text != MINIMAL
    error = _error(tmp_path, text)
    assert "committee" in [p.key for p in error.problems]


# --- SCOPE-13 / WIN-02: self-review units (自主评审单位) ----------------------------------------------------

OWN_USCC = "91360700MA35ABCD1Q"  # a valid GB 32100 code (check character Q)
OTHER_USCC = "91360703MA0000010X"
SELF_REVIEW = f"""
[[authorities]]
code = "own"
name = "某链主企业职称自主评审委员会"
area = "本单位职工中级（自主认定）"
levels = ["中级"]
self_review = true
enterprises = ["{OWN_USCC.lower()}"]
series = ["工程"]
citation = "001 四(一)"
"""


def _self_review_profile(tmp_path: Path, extra: str = "") -> PolicyProfile:
    text = MINIMAL.replace('levels = ["初级"]\nregions', 'levels = ["初级", "中级"]\nregions', 1)
    return load_profile(_write(tmp_path, text + SELF_REVIEW + extra))


def test_scope_13_a_self_review_unit_loads_with_its_credit_codes_normalised(tmp_path):
    unit = _self_review_profile(tmp_path).authority("own")
    assert unit.self_review and unit.enterprises == (OWN_USCC,) and unit.levels == ("中级",)


@pytest.mark.parametrize(
    ("old", "new", "key", "problem", "problem_zh"),
    [
        (
            f'enterprises = ["{OWN_USCC.lower()}"]\n',
            "",
            "authorities[1].enterprises",
            "credit code",
            "统一社会信用代码",
        ),
        (OWN_USCC.lower(), "91360700MA35ABCD1A", "authorities[1].enterprises", "not a valid", "不是有效"),
        ("self_review = true\n", "", "authorities[1].enterprises", "only a self-review unit", "自主评审单位"),
        (
            "self_review = true\n",
            'self_review = true\nregions = ["*"]\n',
            "authorities[1].regions",
            "not regions",
            "不按地区",
        ),
        (
            f'enterprises = ["{OWN_USCC.lower()}"]',
            f'enterprises = ["{OWN_USCC}", "{OWN_USCC.lower()}"]',
            "authorities[1].enterprises[1]",
            "duplicate",
            "重复",
        ),
    ],
)
def test_scope_13_a_broken_self_review_unit_is_named(tmp_path, old, new, key, problem, problem_zh):
    text = MINIMAL.replace('levels = ["初级"]\nregions', 'levels = ["初级", "中级"]\nregions', 1)
    error = _error(tmp_path, text + SELF_REVIEW.replace(old, new, 1))
    found = {p.key: p for p in error.problems}
    assert key in found, error.problems
    assert problem in found[key].problem and problem_zh in found[key].problem_zh


def test_scope_13_the_units_staff_go_to_the_unit_and_everyone_else_to_the_regional_authority(tmp_path):
    profile = _self_review_profile(tmp_path)
    codes = lambda **kw: [a.code for a in profile.authorities_for("中级", "测试市", **kw)]  # noqa: E731
    assert codes(enterprise=OWN_USCC, series="工程(土木)") == ["own"]
    assert codes(enterprise=OWN_USCC.lower()) == ["own"]
    assert codes(enterprise=OWN_USCC, series="会计") == ["a"]  # a series the unit is not authorised for
    assert codes(enterprise=OTHER_USCC) == ["a"]
    assert codes() == ["a"]  # never anyone else's authority
    assert [a.code for a in profile.authorities_for("助理级", "测试市", enterprise=OWN_USCC)] == ["a"]
    assert profile.self_review_unit(OWN_USCC).code == "own"  # type: ignore[union-attr]
    assert profile.self_review_unit(OTHER_USCC) is None


OWN_BATCH = """
[[batches]]
id = "s1"
name = "自主认定第一批"
authority = "own"
levels = ["中级"]
opens = 2026-03-01
closes = 2026-03-31
citation = "001 一"
"""
FILING = 'filed_on = 2026-02-10\nfiled_with = "测试市职称工作办公室"\nfiling_ref = "某企〔2026〕1号"\n'


def test_win_02_the_shared_windows_do_not_apply_to_a_self_review_unit(tmp_path):
    profile = _self_review_profile(tmp_path, OWN_BATCH)
    shared = dataclasses.replace(profile.batches[0], levels=("员级", "助理级", "中级"))
    profile = dataclasses.replace(profile, batches=(shared, *profile.batches[1:]))
    assert [w.batch_id for w in profile.windows_for("a", "中级")] == ["b1"]
    assert [w.batch_id for w in profile.windows_for("own", "中级")] == ["s1"]


def test_win_02_a_self_review_window_opens_only_once_its_filing_is_recorded(tmp_path):
    profile = _self_review_profile(tmp_path, OWN_BATCH)
    unfiled = profile.windows_for("own", "中级")[0]
    assert profile.awaits_filing(unfiled)
    assert open_window(profile, date(2026, 3, 10), "中级", "own") is None
    assert next_window(profile, date(2026, 2, 1), "中级", "own") is None
    filed = OWN_BATCH.replace("citation", FILING + "citation", 1)
    profile = _self_review_profile(tmp_path, filed)
    assert not profile.awaits_filing(profile.windows_for("own", "中级")[0])
    assert open_window(profile, date(2026, 3, 10), "中级", "own").batch_id == "s1"  # type: ignore[union-attr]
    assert not profile.awaits_filing(profile.batches[0])  # the shared window is no self-review unit's


@pytest.mark.parametrize(
    ("filing", "key", "problem"),
    [
        (FILING.replace("2026-02-10", "2026-03-01"), "filed_on", "not before the window opens"),
        (FILING.replace('filing_ref = "某企〔2026〕1号"\n', ""), "filing_ref", "missing"),
        ('filed_with = "测试市职称工作办公室"\n', "filed_on", "missing"),
    ],
)
def test_win_02_a_filing_is_dated_before_the_window_and_complete(tmp_path, filing, key, problem):
    text = MINIMAL.replace('levels = ["初级"]\nregions', 'levels = ["初级", "中级"]\nregions', 1)
    error = _error(tmp_path, text + SELF_REVIEW + OWN_BATCH.replace("citation", filing + "citation", 1))
    assert error.key == f"batches[1].{key}" and problem in error.problem


YEAR_END = """
[year_end]
rule = "REP-01"
finish_by = 2026-12-31
warn_from = 2026-12-01
citation = "001 四(七)"
"""


def test_rep_01_a_self_review_units_window_closes_by_the_year_end(tmp_path):
    """001 四(七): the unit finishes the year's recognition by 12-31, so its window may not run into the
    next year (the shared windows are the notice's own, and no unit's)."""
    late = OWN_BATCH.replace(
        "opens = 2026-03-01\ncloses = 2026-03-31", "opens = 2026-12-01\ncloses = 2027-01-10"
    )
    text = MINIMAL.replace('levels = ["初级"]\nregions', 'levels = ["初级", "中级"]\nregions', 1)
    error = _error(tmp_path, text + SELF_REVIEW + late + YEAR_END)
    assert (
        error.key == "batches[1].closes"
        and "2026-12-31" in error.problem_zh
        and "001 四(七)" in error.problem
    )
    in_time = late.replace("closes = 2027-01-10", "closes = 2026-12-31")
    profile = _self_review_profile(tmp_path, in_time + YEAR_END)
    assert profile.year_end_of("own", date(2027, 3, 1)) == date(2027, 12, 31)  # the same day of its year
    assert profile.year_end_of("a", date(2026, 3, 1)) is None
    assert profile.year_end.warns_on(date(2026, 12, 1)) and not profile.year_end.warns_on(date(2026, 11, 30))  # type: ignore[union-attr]


def test_a_profile_names_its_committee_table_from_the_catalogues_words_only(tmp_path):
    """The committees page says the table's name in the reader's language: a profile names one of the
    words the catalogues translate (Zhenjiang's 申报计划安排表, Kunming's 职称评审计划表), another is refused
    when the profile loads; a profile naming none reads the neutral words."""
    profiles = load_profiles()
    assert profiles["zhenjiang-2024"].committee.scope_table.name == "申报计划安排表"
    assert profiles["kunming-2022"].committee.scope_table.name == "职称评审计划表"
    assert scope_table_word("申报计划安排表").context == "table name"
    text = (DEFAULT_DIRECTORY / "zhenjiang-2024.toml").read_text(encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_profile(
            _write(
                tmp_path, text.replace('name = "申报计划安排表"', 'name = "镇江表"'), "zhenjiang-2024.toml"
            )
        )
    assert info.value.key == "committee.scope_table.name" and "not one of" in info.value.problem
