"""Revoking a certificate for fraud: the form's 依据条款 and the integrity record's default clause are the
integrity rule of the bureau's own notice (INT-01/02: Nantong's 002 五(三), Zhenjiang's 003 七(三)), empty
where its notice states none. Every bureau's form was prefilled with Nantong's 002 五(三)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import StaffRole
from portal.services import certificates
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_world

CLAUSES = {
    "nantong-2023": "002 五(三)",
    "zhenjiang-2024": "003 七(三)",
    "ganzhou-2026": "",
    "kunming-2022": "",
}


@pytest.mark.parametrize("profile", [*CLAUSES, None])
def test_the_revocation_cites_the_bureau_s_own_integrity_clause(
    session: Session, clock: Clock, login_as: Any, profile: str | None
) -> None:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])
    world.bureau.org.policy_profile = profile  # the bureau's profile, once the certificate is issued
    session.flush()
    expected = CLAUSES.get(profile or "", "")
    page = login_as(world.bureau.leader).get("/certificates").text
    assert f'id="clause-{application.id}" name="clause" value="{expected}" lang="zh-CN">' in page
    leader = world.bureau.actor(StaffRole.LEADER)
    record = certificates.revoke_certificate(session, leader, application.id, "学历证书系伪造", "", clock.now)
    assert record.clause == expected
