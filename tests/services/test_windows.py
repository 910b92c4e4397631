"""Issue 17.6: one function of the policy service names the current and the next window
(portal.services.policies.windows_on), and every page that names one asks it: the home pages' 受理期 list,
the applicant's pre-check and submission, and HR's dry run. Covered: overlapping windows (a supplementary
batch opened inside a longer one is the current one), a supplementary batch for some specialties only,
a window closed early by the admin, and the next window after a closed one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.policy import Window
from portal.models import StaffRole
from portal.services import applications, eligibility, policies
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import World, make_user, make_world

GZ = policies.profiles()["ganzhou-2026"]


def window(batch_id: str, name: str, opens: str, closes: str, **extra: Any) -> Window:
    return Window(
        batch_id=batch_id,
        name=name,
        authority="all",
        levels=("初级", "中级"),
        opens=date.fromisoformat(opens),
        closes=date.fromisoformat(closes),
        citation="测试",
        **extra,
    )


FOURTH = window("2027-4", "第四批", "2027-03-01", "2027-05-31")
FIFTH = window("2027-5", "第五批（补充）", "2027-05-01", "2027-05-15")
PROFILE = replace(GZ, batches=(FOURTH, FIFTH))


@pytest.mark.parametrize(
    ("day", "current", "following"),
    [
        ("2027-02-01", None, "2027-4"),
        ("2027-04-10", "2027-4", "2027-5"),
        ("2027-05-10", "2027-5", None),  # both open: the supplementary one opened last is the current one
        ("2027-05-20", "2027-4", None),
        ("2027-06-01", None, None),
    ],
)
def test_overlapping_windows(day: str, current: str | None, following: str | None) -> None:
    found = policies.windows_on(PROFILE, date.fromisoformat(day), level="中级")
    assert (found.current.batch_id if found.current else None) == current
    assert (found.next.batch_id if found.next else None) == following


def test_a_supplementary_batch_for_some_specialties_is_current_only_for_them() -> None:
    profile = replace(GZ, batches=(FOURTH, replace(FIFTH, specialties=("建设工程",))))
    on = date(2027, 5, 10)
    assert policies.windows_on(profile, on, level="中级", specialty="建设工程").current == replace(
        FIFTH, specialties=("建设工程",)
    )
    assert policies.windows_on(profile, on, level="中级", specialty="机械工程").current == FOURTH


def test_a_level_the_batch_does_not_take_sees_neither() -> None:
    assert policies.windows_on(PROFILE, date(2027, 5, 10), level="副高级").current is None


NOW = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)  # Thursday


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session, policy_profile="ganzhou-2026")


def test_closed_early_and_a_supplementary_batch_every_page_names_the_same(
    session: Session, world: World, login_as: Any, clock: Clock
) -> None:
    admin = actor_for(world.admin, world.admin_membership)
    # The fourth batch (2026-10-20 to 11-20) is closed early on 11-05, and a supplementary one opens 11-10.
    early = policies.WindowInput(
        "2026-4", "第四批", "all", "初级,中级", "2026-10-20", "2026-11-05", "", "赣市人社字〔2026〕9号"
    )
    policies.save_window(session, admin, early, datetime(2026, 11, 1, tzinfo=UTC))
    supplementary = policies.WindowInput(
        "2026-5",
        "第五批（补充）",
        "all",
        "初级,中级",
        "2026-11-10",
        "2026-12-10",
        "",
        "赣市人社字〔2026〕10号",
    )
    policies.save_window(session, admin, supplementary, datetime(2026, 11, 1, tzinfo=UTC))
    profile = policies.effective_profile(session, world.bureau.org)
    assert profile is not None
    assert policies.windows_on(profile, date(2026, 11, 7), level="中级").current is None  # closed early
    assert policies.windows_on(profile, date(2026, 11, 7), level="中级").next.batch_id == "2026-5"  # type: ignore[union-attr]
    listed = policies.current_windows(session, world.enterprise.org, NOW)
    assert listed[0].window.batch_id == "2026-5" and listed[0].is_open
    assert all(w.window.batch_id != "2026-4" for w in listed)
    applicant = make_user(session, employer=world.enterprise.org)
    application = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "工程", "土木工程", "中级", "认定"),
        NOW,
    )
    assert eligibility.evaluate(session, application, NOW).window.batch_id == "2026-5"  # type: ignore[union-attr]
    clock.now = NOW
    page = login_as(world.enterprise.handler).get("/enterprise/applicants").text
    assert "2026年第五批（补充）" in page and "第四批" not in page


def test_a_batch_is_named_as_people_call_it_its_authority_s_own_window_first() -> None:
    # The review page showed the batch's id ("2026-4", an admin's "demo-handoff").
    own = replace(window("2027-4", "第四批（章贡区）", "2027-03-01", "2027-05-31"), authority="gz-zhanggong")
    profile = replace(GZ, batches=(FOURTH, own))
    assert policies.batch_title(profile, "2027-4", "gz-zhanggong") == "2027年第四批（章贡区）"
    assert policies.batch_title(profile, "2027-4", "gz-nankang") == "2027年第四批"
    assert policies.batch_title(profile, "2027-4", None) == "2027年第四批"
    assert policies.batch_title(profile, "2026-9", None) == "2026-9"  # a batch no longer in the profile
    assert policies.batch_title(None, "2026-9", None) == "2026-9"
