"""A required material that becomes missing after the unit's approval (the roster's 单位不一致 asks for the
参保单位与申报单位隶属关系证明, SI-02, 001 三(四)): every approving step names it next to its button, on the
review page, with what to do; the final 认定发证 is refused while it is missing; a
return names the slot, the applicant uploads it, and the case comes back (walk5, finding 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError
from portal.domain.workflow import Action, Status
from portal.models import Application, Roster, RosterEntry, StaffRole, StoredFile
from portal.services import applications, corrections, materials
from portal.services.actors import actor_for
from tests.factories import STEPS_TO, STORAGE, World, make_application, make_world

IN_OCTOBER = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # within the Ganzhou profile's fourth batch
SLOT = "参保单位与申报单位隶属关系证明"
HX = {"HX-Request": "true", "HX-Target": "queue"}


def _insured_elsewhere(session: Session, world: World, application: Application, now: datetime) -> None:
    """HR uploads a roster listing the applicant under another insuring unit (单位不一致)."""
    stored = StoredFile(
        sha256="0" * 64, size=1, media_type="text/csv", display_name="名单.csv", created_at=now
    )
    session.add(stored)
    session.flush()
    roster = Roster(
        enterprise_id=world.enterprise.org.id,
        file_id=stored.id,
        row_count=1,
        uploaded_by_id=world.enterprise.handler.id,
        uploaded_at=now,
    )
    session.add(roster)
    session.flush()
    person = application.applicant
    session.add(
        RosterEntry(
            roster_id=roster.id,
            line_no=2,
            name=person.name,
            id_number=person.id_number,
            insuring_unit="赣州虔芯新材料科技有限公司",
            months=36,
        )
    )
    session.flush()


def _insured_elsewhere_at(session: Session, world: World, status: Status) -> tuple[Application, datetime]:
    """A case at ``status`` whose applicant the roster then lists under another unit, and a moment after."""
    application = make_application(session, world, IN_OCTOBER, steps=STEPS_TO[status])
    now = application.status_changed_at + timedelta(hours=1)
    _insured_elsewhere(session, world, application, now)
    return application, now


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session, policy_profile="ganzhou-2026")


def test_the_unit_s_forwarding_names_the_item_and_the_department_s_return_asks_for_it(
    session: Session, world: World, login_as: Any
) -> None:
    application, now = _insured_elsewhere_at(session, world, Status.NOTICE_PASSED)

    page = login_as(world.enterprise.leader).get(f"/review/applications/{application.id}").text
    caution = page.split('id="caution-forward"', 1)[1].split("</p>", 1)[0]
    assert SLOT in caution and "001 三(四)" in caution and "报送后请主管部门退回补正" in caution

    applications.act(session, world.enterprise.actor(StaffRole.LEADER), application.id, Action.FORWARD, now)
    page = login_as(world.department.handler).get(f"/review/applications/{application.id}").text
    # The return lists exactly that slot, ticked with its reason to start with (the reviewer may change it).
    box = page.split('value="material:affiliation"', 1)[1].split("</textarea>", 1)[0]
    assert box.startswith(" checked") and box.endswith("未上传，请补传")
    corrections.return_for_correction(
        session,
        world.department.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"material:affiliation": "请上传两单位的隶属关系证明"}, "2026-12-31"),
        now,
    )
    assert application.state is Status.RETURNED
    applicant = actor_for(application.applicant, None)
    assert "affiliation" in (materials.changeable_slots(session, application) or set())
    later = now + timedelta(minutes=5)
    materials.attach_placeholders(session, applicant, STORAGE, application, later)  # the new slot only
    applications.act(session, applicant, application.id, Action.RESUBMIT, later, acknowledgement="已知悉")
    assert application.state is Status.DEPT_REVIEW
    page = login_as(world.department.handler).get(f"/review/applications/{application.id}").text
    assert "caution-" not in page and "申报材料尚缺" not in page


def test_each_approving_step_names_the_missing_item_and_certifying_is_refused(
    session: Session, world: World, login_as: Any
) -> None:
    application, now = _insured_elsewhere_at(session, world, Status.DEPT_REVIEW)

    handler = login_as(world.department.handler)
    page = handler.get(f"/review/applications/{application.id}").text
    caution = page.split('id="caution-handler_approve"', 1)[1].split("</p>", 1)[0]
    assert SLOT in caution and "001 三(四)" in caution and f"“材料：{SLOT}”" in caution
    # The queue's row leaves it to the case page: a list of first reviews reads no dossier (its statements
    # stay the page's, tests/bench/test_bench_seed.py).
    row = handler.get("/review/queue?tab=handler", headers=HX).text
    assert f"/review/applications/{application.id}" in row and "caution-" not in row

    for who, action in (
        (world.department.actor(StaffRole.HANDLER), Action.HANDLER_APPROVE),
        (world.department.actor(StaffRole.LEADER), Action.LEADER_APPROVE),
        (world.bureau.actor(StaffRole.HANDLER), Action.HANDLER_APPROVE),
    ):
        # Warned, not refused (the profile's EXP-03 tick given where its first review asks it).
        applications.act(session, who, application.id, action, now, verified=True)
    assert application.state is Status.BUREAU_REVIEW

    leader = login_as(world.bureau.leader)
    page = leader.get(f"/review/applications/{application.id}").text
    why = page.split('id="why-certify"', 1)[1].split("</p>", 1)[0]
    assert SLOT in why and "不能认定发证" in why and "退回补正" in why
    with pytest.raises(DomainError) as refused:
        applications.act(session, world.bureau.actor(StaffRole.LEADER), application.id, Action.CERTIFY, now)
    assert refused.value.code == "dossier_gap"
    assert application.certificate_no is None


def test_a_complete_dossier_says_nothing(session: Session, world: World, login_as: Any) -> None:
    application = make_application(session, world, IN_OCTOBER, steps=STEPS_TO[Status.DEPT_REVIEW])
    page = login_as(world.department.handler).get(f"/review/applications/{application.id}").text
    assert "caution-" not in page and "申报材料尚缺" not in page
