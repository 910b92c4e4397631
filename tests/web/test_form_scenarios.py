"""Issue 21, done when: the eligibility engine fed from the form. For each scenario the applicant fills the
申报表 through the web layer (the form route, as a browser posts it); the findings the service then gives
equal the engine's findings for the same facts given directly (portal.domain.eligibility.Facts), and the
rule the scenario is about is among them (so the comparison is never of two empty lists)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.eligibility import Education, Exam, Facts, Qualification, Title, WorkPeriod
from portal.models import StaffRole
from portal.services import applications, eligibility, forms
from portal.services.policies import effective_profile
from tests.conftest import Clock
from tests.factories import make_user, make_world

IN_Q4 = datetime(2026, 10, 21, 2, 0, tzinfo=UTC)
CUTOFF = date(2026, 12, 31)

EDU = {
    "level": "本科",
    "mode": "全日制",
    "school": "南昌大学",
    "major": "土木工程",
    "major_match": "相同或相近",
    "degree": "学士",
    "graduated_on": "2015-06-30",
}
WORK = {"post": "技术员", "professional": "是", "started_on": "2015-07-10"}
TITLE = {
    "kind": "职称",
    "name": "助理工程师",
    "series": "工程",
    "level": "助理级",
    "obtained_on": "2018-09-01",
    "province": "江西省",
}


def _education(row: dict[str, Any]) -> Education:
    return Education(
        level=row["level"],
        degree=None if row.get("degree") in (None, "无") else row["degree"],
        degree_type=row.get("degree_type"),
        major=row["major"],
        graduated_on=date.fromisoformat(row["graduated_on"]),
    )


def _work(row: dict[str, Any]) -> WorkPeriod:
    end = row.get("ended_on")
    return WorkPeriod(
        start=date.fromisoformat(row["started_on"]),
        end=date.fromisoformat(end) if end else None,
        ongoing=end is None,
        professional=row["professional"] == "是",
        internship=bool(row.get("internship")),
    )


def _title(row: dict[str, Any]) -> Title:
    return Title(
        level=row.get("level"),
        obtained_on=date.fromisoformat(row["obtained_on"]),
        province=row.get("province"),
        series=row.get("series"),
    )


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    rule: str  # the rule the scenario is about: among the findings both ways
    profile: str = "ganzhou-2026"
    series: str = "工程"
    specialty: str = "土木工程"
    level: str = "中级"
    flat: dict[str, Any] = dataclasses.field(default_factory=dict)
    education: tuple[dict[str, Any], ...] = (EDU,)
    work: tuple[dict[str, Any], ...] = (WORK,)
    titles: tuple[dict[str, Any], ...] = (TITLE,)
    exams: tuple[dict[str, Any], ...] = ()
    ce: tuple[dict[str, Any], ...] = ()
    facts: dict[str, Any] = dataclasses.field(default_factory=dict)  # the facts given directly, beyond rows


SCENARIOS = (
    Scenario(
        "major differs: +1 year (001 三(二))",
        "MAJ-02",
        education=({**EDU, "major_match": "不同", "major": "英语"},),
        facts={"major_matches": False},
    ),
    Scenario(
        "two degrees: the highest counts (EDU-02)",
        "EDU-02",
        education=(
            {**EDU, "level": "硕士", "degree": "硕士", "graduated_on": "2018-06-30", "school": "同济大学"},
            EDU,
        ),
    ),
    Scenario(
        "continuing education hours short (CE-01)",
        "CE-01",
        "zhenjiang-2024",
        ce=(
            {"year": 2024, "public_hours": 20, "professional_hours": 30},
            {"year": 2025, "public_hours": 30, "professional_hours": 60},
        ),
        facts={"continuing_education_hours": ((2024, 50.0), (2025, 90.0))},
    ),
    Scenario(
        "a title from another province (EQUIV-03)",
        "EQUIV-03",
        "zhenjiang-2024",
        titles=({**TITLE, "province": "浙江省", "authority": "浙江省人力资源和社会保障厅"},),
    ),
    Scenario(
        "a qualification that counts as a title (EQUIV-01)",
        "EQUIV-01",
        "zhenjiang-2024",
        titles=(
            {
                "kind": "职业资格",
                "name": "二级建造师",
                "obtained_on": "2019-05-01",
                "certificate_no": "赣236",
            },
        ),
        facts={
            "has_title": None,
            "current_title": None,
            "qualifications": (Qualification(name="二级建造师"),),
        },
    ),
    Scenario(
        "first application, no title",
        "LVL-01",
        "nantong-2023",
        flat={"no_title": True},
        titles=(),
        facts={"has_title": False, "current_title": None},
    ),
    Scenario(
        "freelancer through an HR agency (SCOPE-02)",
        "SCOPE-02",
        "zhenjiang-2024",
        flat={"freelancer": True, "agency_name": "赣州市人才服务中心"},
        facts={"employment_type": "自由职业", "categories": frozenset({"自由职业"})},
    ),
    Scenario(
        "personnel file held by a public employment service (SCOPE-05)",
        "SCOPE-05",
        flat={"archive_hosted": True, "archive_holder": "赣州市人才服务中心"},
        facts={"categories": frozenset({"档案托管"}), "consent_recorded": False},
    ),
    Scenario(
        "high-skill worker in a linked series (SCOPE-09)",
        "SCOPE-09",
        "zhenjiang-2024",
        flat={"high_skill": True, "skill_level": "技师"},
        facts={"categories": frozenset({"高技能人才"})},
    ),
    Scenario(
        "grassroots public institution (SCOPE-10)",
        "SCOPE-10",
        "zhenjiang-2024",
        flat={"grassroots": True},
        facts={"categories": frozenset({"基层事业单位"})},
    ),
    Scenario(
        "vocational-school teacher of a K-12 subject (SCOPE-11)",
        "SCOPE-11",
        flat={"vocational_teacher": True, "teaching_in_k12": "是"},
        facts={"categories": frozenset({"职业学校教师"}), "teaching_in_k12": True},
    ),
    Scenario(
        "an exam result no longer valid (003 二(五))",
        "EXAM-03",
        "zhenjiang-2024",
        series="会计",
        specialty="会计",
        level="副高级",
        exams=(
            {
                "name": "全国中级会计资格考试",
                "year": 2021,
                "score": 65,
                "pass_line": 60,
                "valid_until": "2025-12-31",
            },
        ),
        facts={
            "exams": (
                Exam(name="全国中级会计资格考试", year=2021, passed=True, valid_until=date(2025, 12, 31)),
            )
        },
    ),
    Scenario(
        "a job before the enterprise and an internship: years counted over merged periods",
        "EXP-01",
        work=(
            {**WORK, "started_on": "2014-07-01", "ended_on": "2015-06-30", "internship": True},
            {**WORK, "started_on": "2015-07-10"},
        ),
    ),
)


def _direct(scenario: Scenario, blank: Facts) -> Facts:
    """The facts as the engine is given them directly: the scenario's rows and flags, over what the
    application holds apart from its form (employer, account, roster, authority)."""
    direct: dict[str, Any] = {
        "education": tuple(_education(e) for e in scenario.education),
        "major_matches": True,
        "work": tuple(_work(w) for w in scenario.work),
        "has_title": bool(scenario.titles) or None,
        "current_title": _title(scenario.titles[0]) if scenario.titles else None,
        "qualifications": (),
        "continuing_education_hours": (),
        "exams": (),
        "categories": frozenset(),
        "teaching_in_k12": None,
        "consent_recorded": False,
        "on_establishment": False,
    }
    direct.update(scenario.facts)
    return dataclasses.replace(blank, **direct)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[f"{s.profile}-{s.rule}" for s in SCENARIOS])
def test_the_form_gives_the_engine_the_same_facts_as_given_directly(
    scenario: Scenario, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = IN_Q4
    world = make_world(session, policy_profile=scenario.profile)
    applicant = make_user(session, employer=world.enterprise.org)
    application = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, scenario.series, scenario.specialty, scenario.level, "认定"),
        clock.now,
    )
    blank = eligibility.facts_for(session, application, CUTOFF)
    employer = {"employer": application.enterprise.name}
    data = forms.form_data(
        {"work_summary": "负责市政项目的施工技术管理。", **scenario.flat},
        education=list(scenario.education),
        work=[{**employer, **w} for w in scenario.work],
        title=list(scenario.titles),
        exam=list(scenario.exams),
        ce=list(scenario.ce),
    )
    data["form_version"] = str(application.form_version)
    saved = login_as(applicant).post(f"/me/applications/{application.id}/form", data=data)
    assert saved.status_code == 303, saved.text[:3000]

    session.expire_all()
    profile = effective_profile(session, application.bureau)
    assert profile is not None
    via_form = eligibility.run_check(profile, eligibility.facts_for(session, application, CUTOFF))
    given = eligibility.run_check(profile, _direct(scenario, blank))
    assert [(f.rule, f.severity, f.message) for f in via_form] == [
        (f.rule, f.severity, f.message) for f in given
    ]
    assert scenario.rule in {f.rule for f in via_form}
