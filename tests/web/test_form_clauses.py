"""The 申报表's page cites the bureau's own notice: the 在编 hint names Ganzhou's 000 三(四) under Ganzhou's
2022 profile (in English numbered, 000 3(4)) and no clause elsewhere; a failed exam's refusal names
Zhenjiang's 003 二(五) under Zhenjiang's profile only; the work summary's hint and a foreign degree's
refusal name Nantong's 002 四(一) and 五(二) under Nantong's profile only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.services import forms
from tests.conftest import Clock
from tests.factories import make_application, make_world
from tests.i18n.reading import in_english

FAILED_EXAM = {
    "_sections": "exam",
    "exam-0-name": "全国中级会计资格考试",
    "exam-0-year": "2021",
    "exam-0-score": "55",
    "exam-0-pass_line": "60",
}


def _page(session: Session, clock: Clock, login_as: Any, profile: str) -> tuple[Any, int]:
    world = make_world(session, policy_profile=profile)
    application = make_application(session, world, clock.now)
    return login_as(application.applicant), application.id


def test_the_establishment_hint_cites_ganzhou_s_clause_in_both_languages(
    session: Session, clock: Clock, login_as: Any
) -> None:
    browser, application_id = _page(session, clock, login_as, "ganzhou-2022")
    assert "需上传编制册（000 三(四)）" in browser.get(f"/me/applications/{application_id}").text
    english = in_english(browser).get(f"/me/applications/{application_id}").text
    assert "Upload the staffing register (000 3(4))" in english


def test_under_zhenjiang_s_profile_the_hint_names_no_clause_and_a_failed_exam_names_its_own(
    session: Session, clock: Clock, login_as: Any
) -> None:
    browser, application_id = _page(session, clock, login_as, "zhenjiang-2024")
    page = browser.get(f"/me/applications/{application_id}").text
    assert "需上传编制册<" in page and "000 三(四)" not in page
    refused = browser.post(f"/me/applications/{application_id}/form", data=FAILED_EXAM)
    assert "未通过的考试不能作为申报依据（003 二(五)）" in refused.text
    english = in_english(browser).post(f"/me/applications/{application_id}/form", data=FAILED_EXAM).text
    assert "an examination not passed cannot support an application (003 2(5))" in english


def test_under_kunming_s_profile_a_failed_exam_names_no_clause(
    session: Session, clock: Clock, login_as: Any
) -> None:
    browser, application_id = _page(session, clock, login_as, "kunming-2022")
    refused = browser.post(f"/me/applications/{application_id}/form", data=FAILED_EXAM).text
    assert "未通过的考试不能作为申报依据<" in refused and "未通过的考试不能作为申报依据（" not in refused


FOREIGN_DEGREE = {
    "_sections": "education",
    "education-0-level": "硕士研究生",
    "education-0-school": "墨尔本大学",
    "education-0-major": "土木工程",
    "education-0-graduated_on": "2015-06-30",
    "education-0-overseas": "1",
    "education-0-cscse_no": "",
}
SUMMARY_HINT = "任现职以来的主要工作和业绩，4000字以内"


def test_under_nantong_s_profile_the_summary_and_a_foreign_degree_cite_002_in_both_languages(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """MAT-12 (the work summary) and MAT-08 (a degree from abroad) are Nantong's 002 四(一) and 五(二)."""
    browser, application_id = _page(session, clock, login_as, "nantong-2023")
    page = browser.get(f"/me/applications/{application_id}").text
    assert f"{SUMMARY_HINT}（002 四(一)）" in page
    refused = browser.post(f"/me/applications/{application_id}/form", data=FOREIGN_DEGREE).text
    assert "教育部留学服务中心认证书编号（002 五(二)）" in refused
    english = in_english(browser).get(f"/me/applications/{application_id}").text
    assert "up to 4000 characters (002 4(1))" in english
    english = browser.post(f"/me/applications/{application_id}/form", data=FOREIGN_DEGREE).text
    assert "CSCSE certification of the Ministry of Education (002 5(2))" in english


def test_a_hong_kong_degree_s_slot_reads_outside_the_mainland_in_english_not_foreign(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # Walk 5, finding 12: for The University of Hong Kong the slot read "Certificate of a foreign (overseas)
    # degree"; 境外 covers Hong Kong, Macao and Taiwan, which are not foreign (the checkbox: "Education
    # abroad (outside the mainland)").
    application = make_application(session, make_world(session, policy_profile="ganzhou-2026"), clock.now)
    english = in_english(login_as(application.applicant))
    hong_kong = {
        **forms.posted_form(session, application),
        "education-0-school": "The University of Hong Kong",
        "education-0-overseas": "1",
        "education-0-cscse_no": "H1",
    }
    assert english.post(f"/me/applications/{application.id}/form", data=hong_kong).status_code == 303
    page = english.get(f"/me/applications/{application.id}").text
    assert (
        "Certificate of a degree obtained outside the mainland (abroad or in Hong Kong, Macao or Taiwan)"
        in page
    )
    assert "foreign (overseas)" not in page
    missing = english.post(
        f"/me/applications/{application.id}/form", data={**hong_kong, "education-0-cscse_no": ""}
    )
    assert "For education outside the mainland, enter the number of the CSCSE certification" in missing.text


@pytest.mark.parametrize("profile", ["zhenjiang-2024", "kunming-2022", "ganzhou-2022", "ganzhou-2026"])
def test_elsewhere_the_summary_and_a_foreign_degree_cite_no_clause(
    session: Session, clock: Clock, login_as: Any, profile: str
) -> None:
    browser, application_id = _page(session, clock, login_as, profile)
    page = browser.get(f"/me/applications/{application_id}").text
    assert f"{SUMMARY_HINT}<" in page and "002 四(一)" not in page
    refused = browser.post(f"/me/applications/{application_id}/form", data=FOREIGN_DEGREE).text
    assert "教育部留学服务中心认证书编号<" in refused and "认证书编号（" not in refused


# The flags' hints (issue 21.9): each names a rule of one notice. Expected hint per profile, by flag id.
FLAG_HINTS: dict[str, dict[str, str]] = {
    "kunming-2022": {"township": "首次申报评审可提前一年（004 一(八)）"},
    "zhenjiang-2024": {
        "freelancer": "003 一(一)、四",
        "high-skill": "003 二(二)",
        "grassroots": "003 二(三)",
    },
    "ganzhou-2026": {"archive-hosted": "001 三(四)", "vocational-teacher": "001 三(三)"},
    "ganzhou-2022": {"vocational-teacher": "000 三(三)"},
    "nantong-2023": {},
}
FLAGS = ("township", "freelancer", "archive-hosted", "high-skill", "grassroots", "vocational-teacher")


def _hint(page: str, flag: str) -> str | None:
    """The text of the flag's hint, None when the page has none (nor an aria-describedby naming it)."""
    marker = f'<small class="hint" id="h-f-{flag}">'
    if marker not in page:
        assert f'aria-describedby="h-f-{flag}' not in page
        return None
    return page.split(marker)[1].split("</small>")[0]


@pytest.mark.parametrize("profile", list(FLAG_HINTS))
def test_the_category_flags_hints_cite_only_the_bureau_s_own_notice(
    session: Session, clock: Clock, login_as: Any, profile: str
) -> None:
    """A Ganzhou applicant read Kunming's "昆明：首次申报评审可提前一年（004 一(八)）" under 工作单位位于乡镇,
    and Zhenjiang's and Ganzhou 2026's clauses under the other categories, whatever their bureau."""
    browser, application_id = _page(session, clock, login_as, profile)
    page = browser.get(f"/me/applications/{application_id}").text
    assert "昆明：" not in page
    for flag in FLAGS:
        assert _hint(page, flag) == FLAG_HINTS[profile].get(flag), flag


def test_the_flags_hints_in_english_number_the_clause(session: Session, clock: Clock, login_as: Any) -> None:
    browser, application_id = _page(session, clock, login_as, "kunming-2022")
    english = in_english(browser).get(f"/me/applications/{application_id}").text
    assert _hint(english, "township") == "A first application for review may come one year early (004 1(8))"
    browser, application_id = _page(session, clock, login_as, "zhenjiang-2024")
    english = in_english(browser).get(f"/me/applications/{application_id}").text
    assert _hint(english, "freelancer") == "003 1(1), 4"
