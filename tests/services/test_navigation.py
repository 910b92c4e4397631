"""The staff navigation's committee screens follow the bureau's profile (issue 22: only where a committee
road exists; 职称确认 only where titles from elsewhere are confirmed, 评审通知 only where calls are filed)."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import Organisation, OrgKind
from portal.services.navigation import CommitteeMenu, committee_menu


def _bureau(profile: str | None) -> Organisation:
    return Organisation(kind=OrgKind.BUREAU.value, name=f"局{profile}", policy_profile=profile)


def _under(parent: Organisation, kind: OrgKind) -> Organisation:
    return Organisation(kind=kind.value, name=f"{parent.name}{kind.value}", parent=parent)


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("ganzhou-2026", CommitteeMenu()),  # 考核认定 only: the bureau certifies
        ("nantong-2023", CommitteeMenu()),
        ("zhenjiang-2024", CommitteeMenu(committees=True)),  # titles recognised (EQUIV-03), no call rule
        ("kunming-2022", CommitteeMenu(committees=True, calls=True, confirmations=True)),
        (None, CommitteeMenu(committees=True, calls=True, confirmations=True)),  # no profile: every screen
    ],
)
def test_a_bureau_is_offered_the_committee_screens_its_profile_gives_work_to(
    profile: str | None, expected: CommitteeMenu
) -> None:
    assert committee_menu(_bureau(profile)) == expected


def test_a_committee_office_reads_its_bureau_s_profile_and_keeps_its_expert_pool() -> None:
    office = _under(_bureau("zhenjiang-2024"), OrgKind.COMMITTEE)
    assert committee_menu(office) == CommitteeMenu(committees=True, experts=True)
    kunming = _under(_bureau("kunming-2022"), OrgKind.COMMITTEE)
    assert committee_menu(kunming) == CommitteeMenu(True, True, True, True)


def test_enterprises_and_departments_see_none_of_them() -> None:
    bureau = _bureau("kunming-2022")
    department = _under(bureau, OrgKind.DEPARTMENT)
    assert committee_menu(department) == CommitteeMenu()
    assert committee_menu(_under(department, OrgKind.ENTERPRISE)) == CommitteeMenu()
    assert committee_menu(None) == CommitteeMenu()


def test_the_navigation_of_a_certifying_bureau_has_no_committee_screens(session: Any, login_as: Any) -> None:
    from tests.factories import make_world

    ganzhou = make_world(session, policy_profile="ganzhou-2026")
    page = login_as(ganzhou.bureau.handler).get("/review/queue").text
    nav = page[page.index('class="nav"') : page.index("</ul>")]
    assert "审核队列" in nav and "证书" in nav
    for word in ("评委会", "评审会议", "评审通知", "职称确认", "评审专家库"):
        assert word not in nav, word


def test_the_navigation_of_a_kunming_bureau_offers_confirmations_and_calls(
    session: Any, login_as: Any
) -> None:
    from tests.factories import make_world

    kunming = make_world(session, policy_profile="kunming-2022")
    page = login_as(kunming.bureau.leader).get("/review/queue").text
    nav = page[page.index('class="nav"') : page.index("</ul>")]
    for word in ("评委会", "评审会议", "评审通知", "职称确认"):
        assert word in nav, word
    assert "评审专家库" not in nav  # the committee office's own
