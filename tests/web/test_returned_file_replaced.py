"""Uploading into a slot the return named replaces the returned file when the applicant leaves the box
ticked (walk5, finding 7: the returned one-page contract stayed beside its replacement, went into the
package PDF and the Jiangxi hand-off): the returned file leaves the dossier, stays on record (removed,
audited), and the reviewer's 上次退回后的修改 reads the old file before and the new one after."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, Material, StaffRole
from portal.services import applications, corrections, materials
from portal.services.actors import actor_for
from portal.services.submissions import new_token
from tests import imaging
from tests.conftest import Clock
from tests.factories import STEPS_TO, make_application, make_world

SLOT = "labour_contract"


def _returned(session: Session, clock: Clock) -> Any:
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput(
            {f"material:{SLOT}": "劳动合同缺少签字盖章页"},
            (clock.now + timedelta(days=20)).date().isoformat(),
        ),
        clock.now + timedelta(minutes=5),
    )
    (old,) = [m for m in materials.active_materials(session, application.id) if m.slot == SLOT]
    return world, application, old


def _upload(browser: Any, application_id: int, **extra: str) -> Any:
    photos = [(io.BytesIO(imaging.photo(800, 1000)), f"IMG_{i}.jpg") for i in range(2)]
    return browser.post(
        f"/me/applications/{application_id}/materials",
        data={"slot": SLOT, "kind": "original", "files": photos, "form_token": new_token(), **extra},
        content_type="multipart/form-data",
    )


def test_the_new_file_replaces_the_returned_one_which_stays_on_record(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, application, old = _returned(session, clock)
    clock.advance(hours=1)
    browser = login_as(application.applicant)
    page = browser.get(f"/me/applications/{application.id}").text
    box = page.split(f'name="replace" value="{SLOT}"', 1)[1].split("</label>", 1)[0]
    assert box.startswith(" checked") and old.file.display_name in box

    done = _upload(browser, application.id, replace=SLOT)
    assert done.status_code == 303
    (new,) = [m for m in materials.active_materials(session, application.id) if m.slot == SLOT]
    assert new.id != old.id and new.combined == 2
    session.refresh(old)
    assert old.removed_at is not None and old.removed_by_id == application.applicant_id  # kept, removed
    removal = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "remove_material").order_by(AuditEvent.id.desc())
    ).first()
    assert removal is not None and removal.detail["material_id"] == old.id
    assert removal.detail["replaced_on_upload"] is True
    shown = browser.get(f"/me/applications/{application.id}").text
    assert "已替换退回的文件" in shown and f"/materials/{old.id}" not in shown

    applications.act(
        session, actor_for(application.applicant, None), application.id, Action.RESUBMIT, clock.now
    )
    (change,) = [
        c for c in corrections.changes_since_return(session, application) if c.field.startswith("material:")
    ]
    assert (change.before, change.after) == (old.file.display_name, new.file.display_name)
    review = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert f'id="material-{old.id}"' not in review


def test_left_unticked_both_files_stay_as_before(session: Session, clock: Clock, login_as: Any) -> None:
    _, application, old = _returned(session, clock)
    clock.advance(hours=1)
    assert _upload(login_as(application.applicant), application.id).status_code == 303
    kept = [m.id for m in materials.active_materials(session, application.id) if m.slot == SLOT]
    assert len(kept) == 2 and old.id in kept
    assert session.scalars(select(Material).where(Material.removed_at.is_not(None))).first() is None
