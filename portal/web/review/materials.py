"""Endorsing copies (与原件相符 + the unit's seal) and revoking an endorsement, from the review page."""

from __future__ import annotations

from flask import Response, request, url_for

from portal.domain.i18n import N_
from portal.extensions import db
from portal.services import endorsements
from portal.web import steps
from portal.web.context import current_actor, now
from portal.web.guards import staff_required
from portal.web.review import bp
from portal.web.storage import storage


def _back(application_id: int) -> str:
    return url_for("review.show_application", application_id=application_id)


@bp.post("/applications/<int:application_id>/materials/<int:material_id>/endorse")
@staff_required()
def endorse_material(application_id: int, material_id: int) -> Response:
    checked = request.form.get("checked") == "1"
    return steps.run_step(
        lambda: endorsements.endorse_material(
            db.session,
            current_actor(),
            storage(),
            application_id,
            material_id,
            now(),
            checked_original=checked,
        ),
        back=_back(application_id),
        done=N_("已核对签章：复印件已加盖单位公章，原件保持不变"),
    )


@bp.post("/applications/<int:application_id>/endorsements/<int:endorsement_id>/revoke")
@staff_required()
def revoke_endorsement(application_id: int, endorsement_id: int) -> Response:
    reason = request.form.get("reason", "")
    return steps.run_step(
        lambda: endorsements.revoke_endorsement(
            db.session, current_actor(), application_id, endorsement_id, reason, now()
        ),
        back=_back(application_id),
        done=N_("已撤销核对签章（留有记录）"),
    )
