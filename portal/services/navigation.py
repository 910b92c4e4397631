"""What the staff navigation offers an organisation beyond its own queue: the committee road's
screens (评委会, 评审会议, 评审通知, 职称确认, 评审专家库) only where its bureau's profile gives them work;
and the bureau admin's 自行注册账号 only where the bureau's profile lets applicants register themselves.

Read from the organisation the login already loaded (its bureau through `parent`) and the profiles loaded
once per process: no statement of its own. A bureau that follows no profile is offered every screen:
nothing says which road it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import Organisation, OrgKind
from portal.services.policies import bureau_of, profiles


@dataclass(frozen=True)
class CommitteeMenu:
    """Which of the committee road's screens the navigation links to."""

    committees: bool = False  # 评委会 and 评审会议
    calls: bool = False  # 评审通知 (filed with the bureau before publication, WIN-07)
    confirmations: bool = False  # 职称确认 (EQUIV-04)
    experts: bool = False  # 评审专家库: the committee office's own


def committee_menu(org: Organisation | None) -> CommitteeMenu:
    """The committee road's screens for staff of `org`: none for enterprises and departments; for a bureau
    or a committee office, those its bureau's profile gives work to."""
    if org is None or org.kind not in (OrgKind.BUREAU.value, OrgKind.COMMITTEE.value):
        return CommitteeMenu()
    office = org.kind == OrgKind.COMMITTEE.value
    bureau = bureau_of(org)
    profile = profiles().get(bureau.policy_profile or "") if bureau is not None else None
    if profile is None:
        return CommitteeMenu(committees=True, calls=True, confirmations=True, experts=office)
    road = profile.has_committee_road or office
    rules = profile.committee
    return CommitteeMenu(
        committees=road,
        calls=road and (rules is None or rules.call is not None),
        confirmations=road and profile.confirms_titles,
        experts=office,
    )


def takes_registrations(org: Organisation | None) -> bool:
    """Whether `org` is a bureau whose profile lets applicants register themselves (ACC-04): its admin's
    navigation then links 自行注册账号 (the list where a registration no unit attached is voided). The page
    itself stays open to every bureau admin: registrations made before a profile stopped allowing them
    can still be voided there."""
    if org is None or org.kind != OrgKind.BUREAU.value:
        return False
    profile = profiles().get(org.policy_profile or "")
    return profile is not None and profile.allows_self_registration


def reports_year_end(org: Organisation | None) -> bool:
    """Whether `org` is a bureau whose profile has its authorities report the year's recognition to the city
    title office (REP-01): its staff's and admin's navigation then links 年度认定报告."""
    if org is None or org.kind != OrgKind.BUREAU.value:
        return False
    profile = profiles().get(org.policy_profile or "")
    return profile is not None and profile.year_end is not None
