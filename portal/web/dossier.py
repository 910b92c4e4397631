"""Template context for the materials sections that several pages include (applicant, review, HR)."""

from __future__ import annotations

from flask import url_for

from portal.extensions import db
from portal.models import Application
from portal.services import corrections, endorsements, materials
from portal.services.actors import Actor
from portal.web.context import now


def notice_closed(notice_context: dict[str, object]) -> bool:
    notice = notice_context.get("notice")
    return bool(notice is not None and getattr(notice, "closed_at", None))


def review_materials_context(
    actor: Actor, application: Application, notice_context: dict[str, object]
) -> dict[str, object]:
    """The checklist as a reviewer sees it, and what the enterprise's staff may do with copies."""
    return {
        "checklist": materials.checklist(
            db.session, actor, application, now(), notice_closed=notice_closed(notice_context)
        ),
        "can_endorse": endorsements.can_endorse(actor, application.enterprise_id, application.applicant_id)
        and application.state in endorsements.ENDORSABLE,
        "can_revoke": actor.is_staff and actor.org_id == application.enterprise_id,
        "has_seal": actor.org_id is not None
        and endorsements.current_seal(db.session, actor.org_id) is not None,
        "seal_url": url_for("enterprise.show_seal"),
        "new_materials": corrections.materials_since_return(db.session, application),
    }
