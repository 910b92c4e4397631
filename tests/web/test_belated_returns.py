"""REV-03 (一次性告知, 003 五(二), 004 一(四)): a second return that adds items the first return could have
listed (not named then, unchanged since) is discouraged: the reviewer is warned, naming those items, and
the return goes only once they tick 确认补充告知 (audited with the items). Items about what the applicant
changed since, items named again, and another organisation's first return are not warned about."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import corrections as rules
from portal.domain.errors import ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, StaffRole
from portal.services import applications, corrections, forms
from portal.services.actors import actor_for
from tests.conftest import Clock
from tests.factories import World, make_application, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _returned_and_answered(session: Session, world: World, clock: Clock) -> Any:
    """Returned by the unit's handler for its 工作总结 only; the applicant rewrites it and resubmits."""
    application = make_application(session, world, clock.now, steps=1)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"field:work_summary": "工作总结过于简略"}, "2026-10-20"),
        clock.now,
    )
    me = actor_for(application.applicant, None)
    later = clock.now + timedelta(hours=1)
    form = {
        **forms.posted_form(session, application),
        "work_summary": "本人近五年负责多项工程的技术工作。" * 3,
    }
    forms.save_form(session, me, application.id, form, later)
    applications.act(session, me, application.id, Action.RESUBMIT, later)
    session.flush()
    return application


def test_the_domain_names_only_what_the_first_return_could_have_listed() -> None:
    changed = ["field:work_summary", "row:education:12", "material:diploma@12"]
    items = ["education", "field:work_summary", "row:work:7", "material:id_card", "row:education:12"]
    assert rules.belated(
        items, earlier=["field:work_summary", "row:work:7"], changed=changed, offered=items
    ) == ["material:id_card"]  # education: a row changed; work_summary and row:work:7: named before
    covered = rules.belated(["row:education:12"], earlier=["education"], changed=[], offered=items)
    assert covered == []  # covered then
    assert rules.belated(["row:work:3"], [], ["material:contract@3"], ["row:work:3"]) == []  # its file


def test_a_second_return_adding_what_the_first_could_have_listed_is_warned_and_goes_when_confirmed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = _returned_and_answered(session, world, clock)
    assert application.state is Status.SUBMITTED
    browser = login_as(world.enterprise.handler)
    url = f"/review/applications/{application.id}/return"
    data = {
        "version": application.version,
        "sections": ["education", "field:work_summary"],
        "reason_education": "毕业院校与证书不符",
        "reason_field:work_summary": "仍缺少近三年的业绩",
        "deadline": "2026-10-30",
    }
    warned = browser.post(url, data=data)
    assert warned.status_code == 422
    belated = warned.text.split('id="belated"')[1].split("</div>")[0]
    assert "学历学位（全部）" in belated and "工作总结" not in belated  # it was rewritten since
    assert "一次性告知" in belated and 'name="confirm_belated"' in belated
    assert "REV-03" not in belated and "003 五(二)" not in belated  # no profile: no notice to cite
    assert "毕业院校与证书不符" in warned.text  # what was typed stays
    session.refresh(application)
    assert application.state is Status.SUBMITTED and len(corrections.history(session, application.id)) == 1
    done = browser.post(url, data={**data, "confirm_belated": "1"})
    assert done.status_code == 303, done.text[:400]
    session.refresh(application)
    assert application.state is Status.RETURNED
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "correction_listed", AuditEvent.object_id == application.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.detail["belated"] == ["education"]


def test_naming_again_or_what_changed_since_needs_no_confirmation(
    world: World, session: Session, clock: Clock
) -> None:
    application = _returned_and_answered(session, world, clock)
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({"field:work_summary": "仍然过于简略"}, "2026-10-30"),
        clock.now + timedelta(hours=2),
    )
    assert application.state is Status.RETURNED


def test_another_organisations_return_is_not_the_units_earlier_one(
    world: World, session: Session, clock: Clock
) -> None:
    application = _returned_and_answered(session, world, clock)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    with pytest.raises(ValidationFailed) as warned:
        corrections.return_for_correction(
            session,
            handler,
            application.id,
            corrections.ReturnInput({"education": "学历有误"}, "2026-10-30"),
            clock.now + timedelta(hours=2),
        )
    assert set(warned.value.fields) == {"confirm_belated"}
    assert (
        corrections.belated_items(
            session, world.department.actor(StaffRole.HANDLER), application, ["education"]
        )
        is None
    )


def test_a_slot_the_checklist_asked_for_only_after_the_first_return_is_no_belated_item(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """The applicant had uploaded a 学位证书, then set the row's 学位 to 无 before submitting (the slot left
    the checklist, the file stayed). Returned for that row, they set 学士 again: the slot is back with its
    old file, unchanged since the return. The first return could not have named it: no warning."""
    application = make_application(session, world, clock.now)  # a draft, every slot filled
    me = actor_for(application.applicant, None)
    form = forms.posted_form(session, application)
    forms.save_form(session, me, application.id, {**form, "education-0-degree": "无"}, clock.now)
    applications.act(session, me, application.id, Action.SUBMIT, clock.now)
    row_id = form["education-0-id"]
    slot = f"material:degree@{row_id}"
    assert slot not in {c.key for c in corrections.return_choices(session, application)}
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({f"row:education:{row_id}": "学位填写有误"}, "2026-10-20"),
        clock.now,
    )
    later = clock.now + timedelta(hours=1)
    form = forms.posted_form(session, application)
    forms.save_form(session, me, application.id, {**form, "education-0-degree": "学士"}, later)
    applications.act(session, me, application.id, Action.RESUBMIT, later)
    session.flush()
    assert slot in {c.key for c in corrections.return_choices(session, application)}
    browser = login_as(world.enterprise.handler)
    done = browser.post(
        f"/review/applications/{application.id}/return",
        data={
            "version": application.version,
            "sections": [slot],
            f"reason_{slot}": "学位证书扫描件不清晰",
            "deadline": "2026-10-30",
        },
    )
    assert done.status_code == 303, done.text[:400]
    session.refresh(application)
    assert application.state is Status.RETURNED


def test_a_slot_of_a_row_the_applicant_edited_since_is_no_belated_item(
    world: World, session: Session, clock: Clock
) -> None:
    """Returned for the school of an education row, the applicant corrects it and keeps the row's
    学历证书. A later return asking for that certificate is a fair new finding (the file proved the row as
    it stood); the identity card, unchanged, is still warned about."""
    application = make_application(session, world, clock.now, steps=1)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    form = forms.posted_form(session, application)
    row_id = form["education-0-id"]
    slot = f"material:diploma@{row_id}"
    corrections.return_for_correction(
        session,
        handler,
        application.id,
        corrections.ReturnInput({f"row:education:{row_id}": "毕业院校填写有误"}, "2026-10-20"),
        clock.now,
    )
    me = actor_for(application.applicant, None)
    later = clock.now + timedelta(hours=1)
    forms.save_form(session, me, application.id, {**form, "education-0-school": "江西理工大学"}, later)
    applications.act(session, me, application.id, Action.RESUBMIT, later)
    session.flush()
    offered = {c.key for c in corrections.return_choices(session, application)}
    assert {slot, "material:id_card"} <= offered
    assert corrections.belated_items(session, handler, application, [slot]) is None
    belated = corrections.belated_items(session, handler, application, [slot, "material:id_card"])
    assert belated is not None and belated.keys == ["material:id_card"]


def test_a_return_recorded_before_its_choices_were_kept_still_warns_of_its_parts_not_of_its_slots(
    world: World, session: Session, clock: Clock
) -> None:
    """Returns made before corrections.offered (NULL): whether their checklist showed a slot is unknown, so
    no slot is warned about; the form's parts are, as before."""
    application = _returned_and_answered(session, world, clock)
    earlier = corrections.history(session, application.id)[0]
    assert earlier.offered and "material:id_card" in earlier.offered
    earlier.offered = None
    session.flush()
    handler = world.enterprise.actor(StaffRole.HANDLER)
    found = corrections.belated_items(session, handler, application, ["education", "material:id_card"])
    assert found is not None and found.keys == ["education"]
