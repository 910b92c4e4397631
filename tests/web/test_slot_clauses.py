"""The materials checklist's 依据 lines and the integrity pledge cite the bureau's own notice only: every
bureau read "001 四(三)（MAT-01）；002 五(二)（MAT-08）" and the pledge's "（依据：002 五(三)、003 七(三)）",
clauses of Ganzhou's, Nantong's and Zhenjiang's notices at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import make_application, make_world
from tests.i18n.reading import in_english

TAG = re.compile(r"\b(00[0-4]) [一二三四五六七八九十]")
# What each profile's applicant may be cited on the checklist and the pledge: its own notice only.
OWN = {"ganzhou-2022": "000", "ganzhou-2026": "001", "nantong-2023": "002", "zhenjiang-2024": "003"}
OWN["kunming-2022"] = "004"
PLEDGE = "并同意记入职称申报评审诚信档案库（3年）。"


def _checklist(session: Session, clock: Clock, login_as: Any, profile: str) -> tuple[str, str, Any, int]:
    """The applicant's checklist table and pledge (not signed yet) under ``profile``."""
    world = make_world(session, policy_profile=profile)
    application = make_application(session, world, clock.now)
    application.pledge_signed_at = None
    session.flush()
    browser = login_as(application.applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    table = page.split('class="table checklist')[1].split("</table>")[0]
    pledge = page.split('class="pledge-text">')[1].split("</p>")[0]
    return table, pledge, browser, application.id


@pytest.mark.parametrize("profile", list(OWN))
def test_the_checklist_and_the_pledge_cite_only_the_bureau_s_own_notice(
    session: Session, clock: Clock, login_as: Any, profile: str
) -> None:
    table, pledge, _browser, _id = _checklist(session, clock, login_as, profile)
    assert set(TAG.findall(table + pledge)) <= {OWN[profile]}, TAG.findall(table + pledge)
    cited = {"nantong-2023": "（依据：002 五(三)）", "zhenjiang-2024": "（依据：003 七(三)）"}
    assert pledge.endswith(PLEDGE + cited.get(profile, ""))


def test_nantong_s_applicant_reads_its_own_clauses_in_either_language(
    session: Session, clock: Clock, login_as: Any
) -> None:
    table, _pledge, browser, application_id = _checklist(session, clock, login_as, "nantong-2023")
    assert "依据：002 五(二)<" in table  # the diploma: MAT-08, Nantong's (Ganzhou's 001 四(三) left out)
    english = in_english(browser).get(f"/me/applications/{application_id}").text
    assert "(3 years). (Basis: 002 5(3))" in english and "003 7(3)" not in english


def test_ganzhou_s_2026_applicant_still_reads_its_own_clause(
    session: Session, clock: Clock, login_as: Any
) -> None:
    table, pledge, _browser, _id = _checklist(session, clock, login_as, "ganzhou-2026")
    assert "依据：001 四(三)" in table and "依据" not in pledge


@pytest.mark.parametrize("profile", ["nantong-2023", "zhenjiang-2024"])
def test_the_review_page_cites_each_slot_as_the_applicant_s_checklist_does(
    session: Session, clock: Clock, login_as: Any, profile: str
) -> None:
    """The reviewers' materials table showed a 依据 line for every slot, empty where the bureau's notice
    states none, and without the 依据 the applicant reads: it now shows the checklist's own decision."""
    world = make_world(session, policy_profile=profile)
    application = make_application(session, world, clock.now)
    table = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    table = table.split('id="materials"')[1].split("</table>")[0]
    cited = re.findall(r'<small class="hint"[^>]*>([^<]*)</small>', table)
    assert cited and all(c.startswith("依据：") and TAG.search(c) for c in cited), cited
    assert set(TAG.findall(table)) == {OWN[profile]}
    applicant = login_as(application.applicant).get(f"/me/applications/{application.id}").text
    checklist = applicant.split('class="table checklist')[1].split("</table>")[0]
    assert sorted(cited) == sorted(re.findall(r'<small class="hint">(依据：[^<]*)</small>', checklist))
