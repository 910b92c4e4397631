"""The staff pages' refusals (ACC-01/ACC-02: one person, one role in an organisation; no admin but the
organisation's own or one above it) cite the bureau's own notice: Ganzhou's 000 四(一) and 001 四(二), none
under the other cities' profiles. Every bureau's admin was told Ganzhou 2026's
"赣市人社字〔2026〕5号 四(二)"."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from portal.domain.errors import ValidationFailed
from portal.domain.identity import complete_resident_id
from portal.services import staff
from portal.services.actors import actor_for
from portal.services.organisations import PersonInput
from tests.conftest import Clock
from tests.factories import make_world

CLAUSES = {
    "ganzhou-2022": "000 四(一)",
    "ganzhou-2026": "001 四(二)",
    "nantong-2023": "",
    "zhenjiang-2024": "",
    "kunming-2022": "",
}


@pytest.mark.parametrize("profile", [*CLAUSES, None])
def test_a_second_role_is_refused_citing_the_bureau_s_own_clause(
    session: Session, clock: Clock, profile: str | None
) -> None:
    world = make_world(session, policy_profile=profile)
    admin = actor_for(world.admin, world.admin_membership)
    org = world.enterprise.org
    assert staff.accounts_clause(session, org) == CLAUSES.get(profile or "", "")
    number = complete_resident_id("36070219850505123")
    staff.add_staff(
        session, admin, org.id, PersonInput("周文博", number, "13912345678"), "handler", clock.now
    )
    with pytest.raises(ValidationFailed) as again:
        staff.add_staff(
            session, admin, org.id, PersonInput("周文博", number, "13912345678"), "leader", clock.now
        )
    refused = again.value.fields["id_number"]
    assert "同一单位只能担任一个岗位" in refused and "赣市人社字" not in refused
    expected = CLAUSES.get(profile or "", "")
    assert refused.endswith(f"请先撤销原岗位（{expected}）" if expected else "请先撤销原岗位")
