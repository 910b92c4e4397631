"""The policy engine's findings in English (issue 24): every family of finding (scope, exams, cutoffs,
education, major, years, internships, 初定 and probation, early application, level by level, practice
qualifications, social insurance, equivalence, titles from elsewhere, categories, assessment, continuing
education, returns) reads in English, with only its data (regions, names, the profile's own wording,
clause citations) left in Chinese inside lang="zh-CN"; its Chinese text is what the rules always wrote.

Each case is an applicant of the domain tests (tests/domain/test_eligibility.py) changed so that one
family speaks; together they reach every message the modules of portal/domain/eligibility/ can write.
"""

from __future__ import annotations

import dataclasses
import pickle
import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from flask import Flask, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Session

from portal.domain.eligibility import Finding, check
from portal.domain.form import SECTIONS, SectionKey
from portal.domain.i18n import N_, NC_, Joined, Language, Text, from_record, to_record
from portal.domain.policy import PolicyProfile, PracticeEntry, PracticeRequirement, load_profiles
from portal.web import i18n
from scripts.messages import ROOT
from tests.conftest import Clock
from tests.domain.test_eligibility import BACHELOR_2023, by_rule, facts, with_years
from tests.factories import make_world
from tests.i18n.reading import in_english, leaks

PROFILES = load_profiles()
GZ26, GZ22 = PROFILES["ganzhou-2026"], PROFILES["ganzhou-2022"]
NT, ZJ, KM = PROFILES["nantong-2023"], PROFILES["zhenjiang-2024"], PROFILES["kunming-2022"]

LAWYERS = dataclasses.replace(
    NT,
    practice_entry=PracticeEntry(
        rule="PREQ-02",
        citation="002 三(一)2",
        requirements=(
            PracticeRequirement(
                specialties=("律师",), qualifications=("律师执业证",), citation="002 三(一)2"
            ),
        ),
    ),
)
GZ26_YEARS = with_years(GZ26, "LVL-05", 4, years_in_lower_level=2)
GZ26_BY_EDUCATION = dataclasses.replace(
    GZ26, requirements=tuple(dataclasses.replace(r, education=("硕士",)) for r in GZ26_YEARS.requirements)
)
GZ26_UNCONFIRMED = dataclasses.replace(
    GZ26, requirements=tuple(dataclasses.replace(r, confirmed=False) for r in GZ26_YEARS.requirements)
)
GZ26_ANNIVERSARY = dataclasses.replace(
    GZ26_YEARS, counting=dataclasses.replace(GZ26.counting, method="anniversary", confirmed=False)
)
KM_LATER = dataclasses.replace(  # an adjustment that adds a year (the real ones all come early)
    with_years(KM, "CHAN-08", 3), adjustments=tuple(dataclasses.replace(a, years=1) for a in KM.adjustments)
)
WORK_2020 = [{"from": "2020-07-01", "to": None, "professional": True, "internship": False}]
INTERNSHIP = [
    {"from": "2019-07-01", "to": "2020-06-15", "professional": True, "internship": True},
    *WORK_2020,
]
MASTERS = [
    {
        "level": "硕士",
        "degree": "硕士",
        "degree_type": "专业学位",
        "major": "机械工程",
        "graduated_on": "2015-06-30",
    }
]
REVIEW_ZJ = {"pathway": "评审", "cutoff": "2024-05-01"}
REVIEW_KM = {"pathway": "评审", "employer": {"region": "东川区"}}


def nt(level: str | None, education: list[dict[str, Any]] | None, **changes: Any) -> dict[str, Any]:
    """A Nantong 初定 applicant (002 三(二))."""
    return {"pathway": "初定", "level": level, "education": education, "cutoff": "2024-06-30", **changes}


# (family, profile, changes to the domain tests' applicant)
CASES: list[tuple[str, PolicyProfile, dict[str, Any]]] = [
    ("scope", GZ26, {"pathway": None}),
    ("scope", GZ26, {"pathway": "评审"}),
    ("scope", GZ26, {"level": None}),
    ("scope", GZ26, {"level": "副高级"}),
    ("scope", ZJ, {"pathway": "初定", "level": "中级", "employment_type": None}),
    ("scope", NT, {"pathway": "初定", "employment_type": "劳务派遣"}),
    ("exclusions", GZ26, {"series": "工程技术", "employer": {"ownership": "非国有", "region": "章贡区"}}),
    ("exclusions", GZ26, {"employer": {"region": "章贡区"}}),
    ("exclusions", NT, {"pathway": "初定", "employment_type": "公务员"}),
    ("authority", GZ26, {"authority": "XX"}),
    ("authority", GZ26, {"authority": "gz-zhanggong", "employer": {"ownership": "国有", "region": "南康区"}}),
    ("authority", GZ26, {"employer": {"ownership": "国有"}}),
    ("authority", GZ26, {"employer": {"ownership": "国有", "region": "东川区"}}),
    ("exams", GZ26, {"series": "会计", "specialty": "会计"}),
    ("exams", GZ26, {"series": None, "specialty": None}),
    ("exams", ZJ, {**REVIEW_ZJ, "series": "会计", "specialty": "会计", "level": "副高级", "exams": None}),
    (
        "exams",
        ZJ,
        {
            **REVIEW_ZJ,
            "series": "会计",
            "specialty": "会计",
            "level": "副高级",
            "exams": [{"name": "高级会计师考试", "year": 2023, "passed": True, "valid_until": "2026-12-31"}],
        },
    ),
    ("exams", ZJ, {**REVIEW_ZJ, "series": "会计", "level": "副高级", "exams": [{"name": "高级会计师考试"}]}),
    (
        "exams",
        ZJ,
        {
            **REVIEW_ZJ,
            "series": "会计",
            "level": "副高级",
            "exams": [{"name": "高级会计师考试", "passed": True, "valid_until": "2023-12-31"}],
        },
    ),
    (
        "exams",
        ZJ,
        {**REVIEW_ZJ, "series": "会计", "level": "副高级", "exams": [{"name": "x", "passed": False}]},
    ),
    ("cutoffs", GZ26, {"cutoff": None}),
    ("cutoffs", GZ26, {"cutoff": "2026-05-01"}),
    ("cutoffs", ZJ, {**REVIEW_ZJ}),
    ("cutoffs", NT, nt("助理级", BACHELOR_2023, cutoff=None)),
    ("education", GZ26, {"series": None, "specialty": None}),
    (
        "education",
        GZ26,
        {"series": "高校教师", "education": [{"level": "大专", "graduated_on": "2015-06-30"}]},
    ),
    ("education", GZ26, {"series": "高校教师", "education": []}),
    ("education", GZ26, {"series": "高校教师"}),
    ("major", GZ22, {"major_matches": None, "cutoff": "2022-06-30"}),
    ("major", GZ22, {"major_matches": False, "cutoff": "2022-06-30"}),
    ("major", GZ26, {"major_matches": None}),
    ("major", GZ26, {"major_matches": False}),
    ("major", KM, {**REVIEW_KM, "major_matches": False}),
    ("years", GZ26, {"work": None}),
    ("years", GZ26, {"work": [{"from": "2020-07-01"}]}),
    ("years", GZ26_YEARS, {}),
    ("years", GZ26_YEARS, {"work": None}),
    ("years", GZ26_YEARS, {"current_title": None}),
    ("years", GZ26_YEARS, {"work": [{"from": "2022-07-01", "to": None, "professional": True}]}),
    ("years", GZ26_BY_EDUCATION, {}),
    ("years", GZ26_UNCONFIRMED, {"work": [{"from": "2022-07-01", "to": "2026-06-30", "professional": True}]}),
    ("internships", GZ22, {"work": INTERNSHIP, "cutoff": "2022-06-30"}),
    ("internships", GZ26, {"work": INTERNSHIP}),
    ("internships", KM, {**REVIEW_KM, "work": INTERNSHIP}),
    ("initial grading", NT, nt("助理级", BACHELOR_2023, work=WORK_2020)),
    ("initial grading", NT, nt("中级", BACHELOR_2023, work=WORK_2020)),
    ("initial grading", NT, nt("员级", BACHELOR_2023, work=WORK_2020)),
    ("initial grading", NT, nt(None, BACHELOR_2023, work=WORK_2020)),
    ("initial grading", NT, nt("助理级", BACHELOR_2023, work=[{**WORK_2020[0], "from": "2023-07-01"}])),
    ("initial grading", NT, nt("助理级", BACHELOR_2023, work=None)),
    (
        "initial grading",
        NT,
        nt("助理级", [{"level": "硕士", "degree": "硕士", "graduated_on": "2023-06-30"}]),
    ),
    (
        "initial grading",
        NT,
        nt("助理级", [{"level": "硕士", "degree": "硕士", "graduated_on": "2023-06-30"}], work=[]),
    ),
    (
        "initial grading",
        NT,
        nt("中级", [{"level": "博士", "degree": "博士", "graduated_on": "2023-06-30"}], work=[]),
    ),
    ("initial grading", NT, nt("助理级", [{"level": "本科", "graduated_on": "2021-06-30"}])),
    ("initial grading", NT, nt("中级", [*BACHELOR_2023, {"level": "本科", "graduated_on": "2021-06-30"}])),
    ("initial grading", NT, nt("助理级", [{"level": "本科"}])),
    ("initial grading", NT, nt("助理级", [{"level": "中专", "graduated_on": "2023-06-30"}])),
    ("initial grading", NT, nt("助理级", [])),
    ("initial grading", NT, nt("助理级", BACHELOR_2023, series="中小学教师")),
    ("early application", with_years(KM, "CHAN-08", 3), {**REVIEW_KM, "current_title": None}),
    (
        "early application",
        with_years(KM, "CHAN-08", 3),
        {**REVIEW_KM, "current_title": None, "employer": {"region": "东川区", "township": True}},
    ),
    (
        "early application",
        with_years(KM, "CHAN-08", 5),
        {**REVIEW_KM, "level": "副高级", "education": MASTERS, "current_title": {"level": "中级"}},
    ),
    ("level by level", ZJ, {**REVIEW_ZJ, "level": "副高级"}),
    ("level by level", ZJ, {**REVIEW_ZJ, "level": "正高级", "current_title": {"level": "正高级"}}),
    ("level by level", ZJ, {**REVIEW_ZJ, "current_title": ...}),
    ("level by level", ZJ, {**REVIEW_ZJ, "level": "助理级", "current_title": None}),
    ("level by level", ZJ, {**REVIEW_ZJ, "level": "中级", "current_title": None}),
    ("level by level", ZJ, {**REVIEW_ZJ, "current_title": {"obtained_on": "2021-09-01"}}),
    ("level by level", ZJ, {**REVIEW_ZJ, "current_title": None, "qualifications": ["二级建造师"]}),
    ("practice qualifications", GZ26, {"qualifications": ["注册安全工程师"]}),
    ("practice qualifications", GZ26, {"series": None, "specialty": None, "qualifications": []}),
    ("practice qualifications", LAWYERS, nt(None, BACHELOR_2023, series="律师", specialty="律师")),
    ("practice qualifications", LAWYERS, nt(None, BACHELOR_2023, series="律师", qualifications=None)),
    (
        "practice qualifications",
        LAWYERS,
        nt(
            None,
            BACHELOR_2023,
            series="律师",
            qualifications=[{"name": "律师执业证", "valid_until": "2025-12-31"}],
        ),
    ),
    ("social insurance", GZ22, {"cutoff": "2022-06-30", "employment_type": "在编", "social_insurance": None}),
    (
        "social insurance",
        GZ22,
        {"cutoff": "2022-06-30", "social_insurance": {"months": 5, "unit_matches": False}},
    ),
    ("social insurance", GZ22, {"cutoff": "2022-06-30", "social_insurance": {"unit_matches": True}}),
    ("social insurance", GZ26, {"social_insurance": {"months": 60}}),
    ("social insurance", GZ26, {"social_insurance": {"months": 5, "unit_matches": False}}),
    ("social insurance", GZ26, {"social_insurance": {"unit_matches": False, "affiliation_proof": True}}),
    ("social insurance", GZ26, {"social_insurance": {"unit_matches": False, "affiliation_proof": False}}),
    ("social insurance", GZ26, {"social_insurance": None}),
    (
        "social insurance",
        GZ26,
        {"categories": ["档案托管"], "consent_recorded": True, "social_insurance": None},
    ),
    ("social insurance", KM, {**REVIEW_KM, "social_insurance": {"months": 5, "unit_matches": True}}),
    ("social insurance", KM, {**REVIEW_KM, "social_insurance": {"unit_matches": True}}),
    ("equivalence", ZJ, {**REVIEW_ZJ, "qualifications": ["一级建造师"]}),
    ("equivalence", ZJ, {**REVIEW_ZJ, "level": "副高级", "qualifications": ["一级建造师"]}),
    ("titles elsewhere", ZJ, {**REVIEW_ZJ, "current_title": {"level": "助理级", "province": "广东省"}}),
    ("categories", GZ26, {"categories": ["档案托管"]}),
    ("categories", GZ22, {"categories": ["职业学校教师"], "cutoff": "2022-06-30"}),
    ("categories", GZ22, {"categories": ["职业学校教师"], "series": None, "specialty": None}),
    ("categories", GZ22, {"categories": ["职业学校教师"], "series": "中等职业学校教师", "specialty": None}),
    ("categories", ZJ, {**REVIEW_ZJ, "categories": ["自由职业", "高技能人才", "基层事业单位"]}),
    ("assessment", NT, nt("助理级", BACHELOR_2023, assessment_passed=None)),
    ("assessment", NT, nt("助理级", BACHELOR_2023, assessment_passed=True)),
    ("assessment", NT, nt("助理级", BACHELOR_2023, assessment_passed=False)),
    (
        "continuing education",
        ZJ,
        {**REVIEW_ZJ, "current_title": {"level": "助理级", "obtained_on": "2023-02-01"}},
    ),
    ("continuing education", ZJ, {**REVIEW_ZJ, "continuing_education_hours": {"2023": 89.5}}),
    ("continuing education", ZJ, {**REVIEW_ZJ, "continuing_education_hours": {}}),
    ("continuing education", ZJ, {**REVIEW_ZJ, "continuing_education_hours": {"2022": 72, "2023": 90}}),
    ("returns", KM, {**REVIEW_KM, "returns_after_unit_approval": 3}),
    # Branches the five profiles reach only with other facts or a value an admin may enter.
    ("exclusions", GZ26, {"series": None, "specialty": None, "employer": {"ownership": "非国有"}}),
    ("authority", KM, {"pathway": "认定", "employer": {"region": "五华区"}}),
    ("exams", GZ26, {"pathway": None, "series": "会计", "specialty": "会计"}),
    ("education", GZ26, {"education": []}),
    ("major", GZ22, {"major_matches": None, "specialty": None, "education": [{"level": "本科"}]}),
    ("years", with_years(GZ26, "LVL-05", None), {}),
    ("years", GZ26_ANNIVERSARY, {"work": [{"from": "2022-07-01", "to": None, "professional": True}]}),
    ("initial grading", NT, nt("助理级", [{"graduated_on": "2023-06-30"}])),
    ("early application", KM_LATER, {**REVIEW_KM, "current_title": None}),
    (
        "level by level",
        ZJ,
        {**REVIEW_ZJ, "level": "副高级", "current_title": None, "qualifications": ["二级建造师"]},
    ),
    ("social insurance", GZ22, {"cutoff": "2022-06-30", "on_establishment": True}),
    ("equivalence", KM, {**REVIEW_KM, "qualifications": ["一级建造师"]}),
    (
        "categories",
        GZ22,
        {"categories": ["职业学校教师"], "teaching_in_k12": False, "series": "中等职业学校教师"},
    ),
    ("categories", GZ22, {"categories": ["职业学校教师"], "teaching_in_k12": True}),
    (
        "categories",
        GZ22,
        {"categories": ["职业学校教师"], "teaching_in_k12": True, "series": None, "specialty": None},
    ),
]
FAMILIES = sorted({family for family, _profile, _changes in CASES})


def findings_of(family: str) -> Iterator[Finding]:
    for name, profile, changes in CASES:
        if name == family:
            yield from check(profile, facts(**changes))


def templates(message: object) -> Iterator[str]:
    """The msgids a message is made of (its template and those of the messages among its parameters)."""
    if isinstance(message, Text):
        yield message.template
        for value in message.params.values():
            yield from templates(value)
    elif isinstance(message, Joined | list | tuple):
        for item in message.items if isinstance(message, Joined) else message:
            yield from templates(item)
    elif isinstance(message, str):
        yield message


def profile_texts() -> set[str]:
    """Sentences the profiles themselves hold (a category's message): data, shown as written."""
    return {rule.message for profile in PROFILES.values() for rule in profile.categories}


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_of_findings_reads_in_english_with_only_its_data_in_chinese(
    app: Flask, family: str
) -> None:
    findings = list(findings_of(family))
    assert findings
    with app.test_request_context(), force_locale(Language.EN.value):
        for finding in findings:
            shown = str(i18n.translate_finding(finding.message))
            assert leaks(f'<html lang="en"><p>{shown}</p></html>')[1] == [], (finding.message, shown)
            if finding.message not in profile_texts():
                # Translated, not merely marked: the words around the data are English.
                outside = i18n._CHINESE_DATA.sub("", shown)
                assert any(char.isascii() and char.isalpha() for char in outside), (finding.message, shown)
                assert not i18n._has_han(outside)


def test_every_message_the_engine_writes_is_a_message_the_catalogue_translates() -> None:
    """No finding text is built as plain Chinese (an f-string): each is a `Text`, a constant msgid or the
    profile's own sentence; and the cases above reach every message of portal/domain/eligibility/."""
    written: set[str] = set()
    plain: list[str] = []
    for family in FAMILIES:
        for finding in findings_of(family):
            if not isinstance(finding.message, Text) and finding.message not in profile_texts():
                plain.append(finding.message)
            written.update(templates(finding.message))
    sources = sorted((ROOT / "portal" / "domain" / "eligibility").glob("*.py"))
    assert sources
    keywords = {"T_": None, "NT_": (1, 2), "N_": None, "NC_": ((1, "c"), 2)}
    marked = {
        message[0] if isinstance(message, tuple) else message
        for source in sources
        for _line, message, _comments, _context in extract_from_file("python", str(source), keywords=keywords)
    }
    catalogue = {m for m in marked if not isinstance(m, tuple)}
    assert [m for m in plain if m not in catalogue] == []
    assert sorted(catalogue - written) == []


def test_a_noun_a_finding_puts_mid_sentence_is_not_the_form_s_label(app: Flask) -> None:
    """所学专业 is the form's label ("Field of study") and a noun inside a finding ("the major studied"), 无 a
    value on its own ("None") and a word in a sentence ("none"): the finding's are NC_("in a sentence", …),
    one catalogue entry per context (msgctxt) looked up with pgettext, and still the Chinese word."""
    no_major = [{"level": "本科"}]  # education without a major: the finding names no major
    (differs,) = by_rule(check(KM, facts(**REVIEW_KM, major_matches=False, education=no_major)), "MAJ-03")
    (unstated,) = by_rule(
        check(GZ22, facts(major_matches=None, specialty=None, education=no_major, cutoff="2022-06-30")),
        "MAJ-01",
    )
    lawyers = PracticeEntry(
        rule="PREQ-02",
        citation="002 三(一)2",
        requirements=(
            PracticeRequirement(
                specialties=("律师",), qualifications=("律师执业证",), citation="002 三(一)2"
            ),
        ),
    )
    lawyer = {"pathway": "初定", "series": "律师", "specialty": "律师", "cutoff": "2024-03-01"}
    (none_held,) = by_rule(
        check(dataclasses.replace(NT, practice_entry=lawyers), facts(**lawyer, qualifications=[])), "PREQ-02"
    )
    assert differs.message == "所学专业与从事专业不一致，不再作为限制条件"  # documents and logs: as before
    assert unstated.message == "未说明所学专业与申报专业是否相同或相近"
    assert none_held.message == "须先取得有效的律师执业证，已填报资格：无"
    what = differs.message.params["what"]  # type: ignore[attr-defined]
    assert isinstance(what, Text) and (what, what.context) == ("所学专业", "in a sentence")
    kept = from_record(to_record(differs.message))
    assert kept.params["what"].context == "in a sentence"  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(what)).context == "in a sentence"
    with app.test_request_context(), force_locale(Language.EN.value):
        assert str(i18n.translate_finding(differs.message)) == (
            "A difference between the major studied and the specialty practised is no longer a restriction"
        )
        assert str(i18n.translate_finding(kept)) == str(i18n.translate_finding(differs.message))
        assert str(i18n.translate_finding(unstated.message)) == (
            "Not stated whether the major studied is the same as or close to the specialty applied for"
        )
        assert str(i18n.translate_finding(none_held.message)).endswith(": none")
        (top,) = by_rule(
            check(ZJ, facts(**REVIEW_ZJ, level="正高级", current_title={"level": "正高级"})), "LVL-04"
        )  # above the top (it read "apply level by level, for none")
        assert "is already the highest" in str(i18n.translate_finding(top.message))
        # The same msgids without the context: the form's label and a value on its own.
        assert i18n.lookup(N_("所学专业")) == "Field of study"
        label = next(s for s in SECTIONS if s.key is SectionKey.EDUCATION).field("major").title
        assert str(i18n.translate(label)) == "Field of study"
        assert (i18n.lookup(NC_("in a sentence", "所学专业")), i18n.lookup("无")) == (
            "the major studied",
            "None",
        )
    with app.test_request_context(), force_locale(Language.ZH.value):
        assert str(i18n.translate_finding(differs.message)) == differs.message


def test_the_chinese_text_is_what_the_rules_always_wrote() -> None:
    """The Chinese of a message is its filled template, byte for byte (documents and audit rows keep it)."""
    (late,) = [f for f in check(NT, facts(**nt("中级", BACHELOR_2023, work=WORK_2020))) if f.rule == "LVL-01"]
    assert late.message == "按学历本科（2023年6月30日毕业）可初定助理级，不能初定中级"
    (si,) = [
        f
        for f in check(KM, facts(**REVIEW_KM, social_insurance={"months": 5, "unit_matches": True}))
        if f.rule == "SI-03"
    ]
    assert si.message == "社保缴费5个月，须最近在昆明市连续参保不少于6个月"
    ce = [f.message for f in check(ZJ, facts(**REVIEW_ZJ, continuing_education_hours={"2023": 89.5}))]
    assert "2023年继续教育89.5学时，须满90学时" in ce


def test_the_service_s_own_findings_and_the_window_refusal_read_in_english(app: Flask) -> None:
    from portal.services.eligibility import _held_by_cutoff, _not_covered, outside_window_message

    late = _held_by_cutoff(GZ26, facts(education=[{"level": "硕士", "graduated_on": "2026-07-10"}]))
    assert late[0].message == "硕士学历于2026年7月10日取得，晚于终算时间2026年6月30日，本批次不能计入"
    window = dataclasses.replace(GZ26.batches[0], opens=date(2027, 1, 20), closes=date(2027, 2, 20))
    refusal = outside_window_message(window)
    assert refusal.startswith("当前不在受理期内，下一受理期：2027年1月20日至2月20日（")
    kept = pickle.loads(pickle.dumps(refusal))  # e.g. in a job's payload: its own Chinese wording stays
    assert kept == refusal and isinstance(kept, Text) and kept.template == refusal.template
    with app.test_request_context(), force_locale(Language.EN.value):
        assert str(i18n.translate(late[0].message)) == (
            "The Master&#39;s education was obtained on 10 Jul 2026, after the cut-off date 30 Jun 2026: "
            "it cannot count in this batch"
        )
        shown = str(i18n.translate(refusal))
        assert shown.startswith(
            "Applications are not being accepted now; the next intake period: 20 Jan 2027 to 20 Feb 2027"
        )
        assert leaks(f'<html lang="en"><p>{shown}</p></html>')[1] == []
        covered = str(i18n.translate(_not_covered(ZJ, "考核认定").message))
        assert "has no policy data for the “" in covered
        assert leaks(f'<html lang="en"><p>{covered}</p></html>')[1] == []
        assert str(i18n.translate(outside_window_message(None))).startswith(
            "Applications are not being accepted now, and the next intake period has not been published"
        )


def findings_list(html: str) -> str:
    """The list of findings of a page (not the refusal's summary of them above it)."""
    start = html.index('<ul class="findings"')
    return html[start : html.index("</ul>", start)]


def test_the_applicant_s_pre_check_reads_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    """The application page and its live pre-check show the findings in English: an accountant's title
    comes from the national examination (EXAM-01), the region and the profile's note stay Chinese."""
    from tests.web.test_policy_web import HX, IN_Q4, draft

    world = make_world(session, policy_profile="ganzhou-2026")
    clock.now = IN_Q4
    application, applicant = draft(session, world, clock.now, "会计", "会计")
    browser = login_as(applicant)
    in_english(browser)
    page = browser.get(f"/me/applications/{application.id}").text
    listed = findings_list(page)
    assert "is a specialty whose titles are obtained by national examination instead of review" in listed
    assert leaks(page)[1] == []
    # Clauses cited beside the findings and the checklist's slots are numbered in English ("001 4(3)"), as
    # on the committee pages; they read "001 四(三)" here. Their words read in English too ("001 3, preamble",
    # "001 4(3): upload a scan…"); they read half-converted ("001 4(3)：上传原件…"), then whole in Chinese.
    basis = re.findall(r"Basis: (?:<span[^>]*>)?([^<]*)", page)
    half = r"\d{3} \d+\(|\d{3} \d+ "
    assert basis and not [b for b in basis if i18n._has_han(b) and re.search(half, b)], basis
    assert re.search(r"Basis: (<span[^>]*>)?\d{3} \d+\(\d+\)", page)
    fragment = browser.post(
        f"/me/applications/{application.id}/precheck", data={"education": "硕士"}, headers=HX
    ).text
    assert fragment.lstrip().startswith('<section id="eligibility"')
    assert (
        "the Intermediate level title comes from passing the national unified examination"
        in findings_list(fragment)
    )
    assert leaks(f'<html lang="en"><body>{fragment}</body></html>')[1] == []


def test_every_finding_begins_with_a_capital_in_english(app: Flask) -> None:
    """A finding is a sentence of its own on the applicant's page: it opens with a capital, also when its
    first words are a message of their own (工作年限无法计算 read "the working years cannot be counted…")."""
    lower: list[str] = []
    with app.test_request_context(), force_locale(Language.EN.value):
        for family in FAMILIES:
            for finding in findings_of(family):
                shown = str(i18n.translate_finding(finding.message))
                if shown[:1].islower():
                    lower.append(shown)
    assert lower == []


def test_a_finding_s_badge_and_its_message_are_words_apart(app: Flask) -> None:
    """The badge ("For the reviewer to verify", "Not met"…) ran into the message on the applicant's and the
    reviewer's pages: "verifyThe minimum…", "verify赣州市…". Whatever a message opens with (a word, or
    Chinese data in its own element), the page's text has badge and message apart in English; in Chinese
    the badge is followed by its message."""
    engine = [f for family in FAMILIES for f in findings_of(family)]
    untranslated = Finding("EDU-01", "manual", "001 四(三)", "赣州市学历须由审核人核实")  # shown as written
    findings = [
        dataclasses.replace(f, severity=severity) for f in engine for severity in ("manual", "block")
    ] + [untranslated]
    for staff_view in (False, True):
        with app.test_request_context(), force_locale(Language.EN.value):
            page = render_template("partials/findings.html", findings=findings, staff_view=staff_view)
            english = _text(page)
        assert english.count("For the reviewer to verify ") == len(engine) + 1
        assert english.count("Not met ") == len(engine)
        assert not re.search(r"(For the reviewer to verify|Not met)(?! )", english)
        assert "For the reviewer to verify 赣州市学历须由审核人核实" in english
        with app.test_request_context(), force_locale(Language.ZH.value):
            chinese = _text(render_template("partials/findings.html", findings=[untranslated]))
        assert re.search(r"待审核人核实\s?赣州市学历须由审核人核实", chinese), chinese


def _text(html: str) -> str:
    """What a reader reads of the html: tags left out, entities read, white space as one space."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))
