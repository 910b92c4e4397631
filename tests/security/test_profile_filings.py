"""T-AC-01 for the filing of a self-review unit's window written in the profile's file (WIN-02 001 一,
POST /admin/policy/filings): the route names its window in the form, not the URL, so the route walkers'
cross-tenant matrix does not reach it. The file is shared by every bureau following it; a filing is one
bureau's: another bureau's admin filing the same window keeps a row of their own bureau and leaves this
bureau's window unfiled; staff who are not the bureau's admin are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import PolicyWindow
from portal.services import policies
from tests.conftest import Clock
from tests.factories import make_world
from tests.services.test_self_review import GZ, with_unit_batch
from tests.web.test_self_review_web import FILING, IN_Q4

FORM = {**FILING, "batch_id": "own-file", "authority": "gz-own"}


def test_a_filing_is_the_filing_bureaus_own(
    session: Session, clock: Clock, login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.now = IN_Q4
    ours = make_world(session, policy_profile="ganzhou-2026")
    theirs = make_world(session, policy_profile="ganzhou-2026")
    assert ours.enterprise.org.uscc is not None
    patched = {**policies.profiles(), "ganzhou-2026": with_unit_batch(GZ, ours.enterprise.org.uscc)}
    monkeypatch.setattr(policies, "profiles", lambda: patched)
    for user in (ours.bureau.handler, ours.bureau.leader, ours.enterprise.handler, ours.department.leader):
        assert login_as(user).post("/admin/policy/filings", data=FORM).status_code == 403
    assert session.scalars(select(PolicyWindow)).all() == []
    assert login_as(theirs.admin).post("/admin/policy/filings", data=FORM).status_code == 303
    rows = session.scalars(select(PolicyWindow)).all()
    assert [row.bureau_id for row in rows] == [theirs.bureau.org.id]
    page = login_as(ours.admin).get("/admin/policy").text
    assert (
        "未报备，不开放" in page and "/admin/policy?filing_batch=own-file&amp;filing_authority=gz-own" in page
    )
