"""Endorsing copies (与原件相符 + the unit's seal) and revoking an endorsement, from the review page."""

from __future__ import annotations

from flask import Response, request, url_for

from portal.domain.errors import DomainError
from portal.domain.i18n import N_, joined
from portal.extensions import db
from portal.services import endorsements
from portal.web.context import current_actor, now
from portal.web.guards import staff_required
from portal.web.htmx import see_other
from portal.web.i18n import notify
from portal.web.review import bp
from portal.web.storage import storage
from portal.web.unit_of_work import discard


def _back(application_id: int) -> str:
    return url_for("review.show_application", application_id=application_id)


@bp.post("/applications/<int:application_id>/materials/<int:material_id>/endorse")
@staff_required()
def endorse_material(application_id: int, material_id: int) -> Response:
    try:
        endorsements.endorse_material(
            db.session,
            current_actor(),
            storage(),
            application_id,
            material_id,
            now(),
            checked_original=request.form.get("checked") == "1",
        )
    except DomainError as refused:
        fields = list(getattr(refused, "fields", {}).values())
        notify(joined(fields, "；") if fields else refused.message, "error")  # in the reader's language
        return discard(see_other(_back(application_id)))
    notify(N_("已核对签章：复印件已加盖单位公章，原件保持不变"), "success")
    return see_other(_back(application_id))


@bp.post("/applications/<int:application_id>/endorsements/<int:endorsement_id>/revoke")
@staff_required()
def revoke_endorsement(application_id: int, endorsement_id: int) -> Response:
    try:
        endorsements.revoke_endorsement(
            db.session, current_actor(), application_id, endorsement_id, request.form.get("reason", ""), now()
        )
    except DomainError as refused:
        fields = list(getattr(refused, "fields", {}).values())
        notify(joined(fields, "；") if fields else refused.message, "error")  # in the reader's language
        return discard(see_other(_back(application_id)))
    notify(N_("已撤销核对签章（留有记录）"), "success")
    return see_other(_back(application_id))
