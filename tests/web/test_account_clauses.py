"""HR's applicant account form and bulk import cite the bureau's own notice: a 公务员, 参公 staff member or
retiree is refused citing SCOPE-04 as the profile states it (Nantong's 002 一(三), Zhenjiang's 003 一(三)),
a passport holder without a permit SCOPE-03 (002 一(二), 003 一(二)), and nothing under a profile whose
notice does not state the rule. Every bureau's HR were told Nantong's and Zhenjiang's documents
"通职称办〔2023〕32号 一(三)、镇职称办〔2024〕11号 一(三)"."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.accounts import ApplicantDraft, account_clauses, check_applicant, check_import_rows
from portal.domain.identity import complete_resident_id
from portal.services.policies import profiles
from tests.factories import make_world
from tests.i18n.reading import in_english
from tests.web.test_accounts import HEADER, HX, VALIDATE, _person, _upload, _xlsx

EXCLUDED = {"nantong-2023": "002 一(三)", "zhenjiang-2024": "003 一(三)"}
PERMITS = {"nantong-2023": "002 一(二)", "zhenjiang-2024": "003 一(二)"}
PROFILES = ["nantong-2023", "zhenjiang-2024", "ganzhou-2022", "ganzhou-2026", "kunming-2022"]
TODAY = date(2026, 3, 1)
OTHER_CITIES = ("通职称办", "镇职称办", "002", "003", "004", "000", "001")


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_cites_only_its_own_scope_clauses(profile: str) -> None:
    clauses = account_clauses(profiles()[profile])
    assert (clauses.excluded, clauses.permits) == (EXCLUDED.get(profile, ""), PERMITS.get(profile, ""))


@pytest.mark.parametrize("profile", PROFILES)
def test_the_form_refuses_a_civil_servant_citing_the_bureau_s_own_clause(
    session: Session, login_as: Any, profile: str
) -> None:
    world = make_world(session, policy_profile=profile)
    browser = login_as(world.enterprise.handler)
    live = browser.post(
        f"{VALIDATE}?field=employment_type", data=_person(employment_type="civil_servant"), headers=HX
    )
    refused = browser.post("/enterprise/applicants", data=_person(employment_type="civil_servant"))
    assert refused.status_code == 422
    for text in (live.text, refused.text):
        problem = text.split("不能申报职称")[1].split("</")[0]
        if profile in EXCLUDED:
            assert f"离退休人员不得申报，见{EXCLUDED[profile]}）" in problem
        else:
            assert "离退休人员不得申报）" in problem
        assert not [
            other for other in OTHER_CITIES if other in problem and other not in EXCLUDED.get(profile, "-")
        ]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_passport_without_a_permit_cites_the_bureau_s_own_clause(
    session: Session, login_as: Any, profile: str
) -> None:
    world = make_world(session, policy_profile=profile)
    passport = {"document_type": "passport", "id_number": "e12345678", "name": "John Smith"}
    refused = login_as(world.enterprise.handler).post(
        "/enterprise/applicants", data=_person(**passport, nationality="Hong Kong")
    )
    assert refused.status_code == 422
    permit = refused.text.split("请选择证件种类")[1].split("</")[0]
    nationality = refused.text.split("持护照申报的须为外国国籍")[1].split("</")[0]
    if profile in PERMITS:
        assert permit.startswith(f"（{PERMITS[profile]}）") and nationality.startswith(
            f"（{PERMITS[profile]}）"
        )
    else:
        assert not permit.startswith("（") and nationality.startswith("：中国公民")
    assert "通职称办" not in refused.text and "镇职称办" not in refused.text


def test_english_hr_read_the_clause_of_their_own_notice(session: Session, login_as: Any) -> None:
    world = make_world(session, policy_profile="zhenjiang-2024")
    browser = in_english(login_as(world.enterprise.handler))
    refused = browser.post("/enterprise/applicants", data=_person(employment_type="retiree"))
    assert refused.status_code == 422 and "retirees may not apply; see 003 1(3))" in refused.text
    ganzhou = make_world(session, policy_profile="ganzhou-2026")
    other = in_english(login_as(ganzhou.enterprise.handler)).post(
        "/enterprise/applicants", data=_person(employment_type="retiree", phone="13970709902")
    )
    assert other.status_code == 422 and "retirees may not apply)</p>" in other.text
    assert "003" not in other.text


@pytest.mark.parametrize("profile", ["ganzhou-2026", "nantong-2023"])
def test_the_bulk_import_cites_the_bureau_s_own_clause(session: Session, login_as: Any, profile: str) -> None:
    world = make_world(session, policy_profile=profile)
    rows = [HEADER, ["丙", "居民身份证", complete_resident_id("36070219900101123"), "13970700103", "公务员"]]
    browser = login_as(world.enterprise.handler)
    checked = _upload(browser, _xlsx(rows))
    report = browser.get(checked.headers["Location"]).text
    assert "公务员不能申报职称" in report
    assert "通职称办" not in report and "镇职称办" not in report
    assert ("见002 一(三)）" in report) is (profile == "nantong-2023")


def test_the_domain_check_cites_nothing_without_clauses() -> None:
    civil_servant = ApplicantDraft(
        name="周文博",
        id_number=complete_resident_id("36070219900101123"),
        phone="13970709901",
        employment_type="civil_servant",
    )
    problem = check_applicant(civil_servant, today=TODAY).problems["employment_type"]
    assert problem.endswith("离退休人员不得申报）")
    rows = [HEADER, ["丙", "居民身份证", complete_resident_id("36070219900101123"), "13970700103", "退休"]]
    cited = check_import_rows(rows, today=TODAY, clauses=account_clauses(profiles()["zhenjiang-2024"]))
    assert cited.rows[0].checked.problems["employment_type"].endswith("见003 一(三)）")
