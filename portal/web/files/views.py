"""Stored files, served only here and only after an access check: a material's file, its stamped copy
and thumbnail through the application's scope (another enterprise's user gets 404), and the unit's seal
to its own staff. Reviewers' downloads carry a visible watermark; the stored bytes never change."""

from __future__ import annotations

from flask import Response, abort, current_app, request
from flask_login import login_required

from portal.documents.stamps import watermark, watermark_text
from portal.domain.errors import NotFound
from portal.extensions import db
from portal.models import Material, StoredFile
from portal.services import endorsements, materials
from portal.services.actors import Actor
from portal.storage import FileCorrupted, FileMissing
from portal.web.context import current_account, current_actor, now
from portal.web.downloads import send_bytes
from portal.web.files import bp
from portal.web.storage import storage

WATERMARK = "仅供职称申报使用"


def _material(application_id: int, material_id: int) -> tuple[Actor, Material]:
    """The material through the scope of the role the user works in, or as the applicant themself."""
    candidates = [current_actor()]
    if current_account().employer_id is not None:
        candidates.append(current_actor(as_applicant=True))
    for actor in candidates:
        try:
            return actor, materials.get_material(db.session, actor, application_id, material_id)
        except NotFound:
            continue
    abort(404)


def _bytes(stored: StoredFile) -> bytes:
    try:
        return storage().get(stored.sha256)
    except (FileMissing, FileCorrupted):
        current_app.logger.error("stored file %s unreadable", stored.sha256)
        abort(404)


def _serve(actor: Actor, stored: StoredFile) -> Response:
    data = _bytes(stored)
    inline = request.args.get("download") != "1"
    if actor.is_staff:
        # Staff see the file as a PDF under "仅供职称申报使用 · who · date"; the original stays untouched.
        text = watermark_text(actor.name, now())
        name = stored.display_name.rsplit(".", 1)[0] + "（仅供职称申报使用）.pdf"
        return send_bytes(watermark(data, stored.media_type, text), name, "application/pdf", inline=inline)
    return send_bytes(data, stored.display_name or "material", stored.media_type, inline=inline)


@bp.get("/applications/<int:application_id>/materials/<int:material_id>")
@login_required
def show_material(application_id: int, material_id: int) -> Response:
    actor, material = _material(application_id, material_id)
    return _serve(actor, material.file)


@bp.get("/applications/<int:application_id>/materials/<int:material_id>/stamped/<int:endorsement_id>")
@login_required
def show_stamped(application_id: int, material_id: int, endorsement_id: int) -> Response:
    actor, material = _material(application_id, material_id)
    endorsement = next((e for e in material.endorsements if e.id == endorsement_id), None)
    if endorsement is None:
        abort(404)
    return _serve(actor, endorsement.stamped_file)


@bp.get("/applications/<int:application_id>/materials/<int:material_id>/thumbnail")
@login_required
def show_thumbnail(application_id: int, material_id: int) -> Response:
    _, material = _material(application_id, material_id)
    if material.thumbnail is None:
        abort(404)
    response = send_bytes(_bytes(material.thumbnail), "thumbnail.jpg", "image/jpeg", inline=True)
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/seal")
@login_required
def show_seal() -> Response:
    """The seal of the enterprise the user works for, to its own staff only."""
    actor = current_actor()
    if not actor.is_staff or actor.org_id is None:
        abort(404)
    seal = endorsements.current_seal(db.session, actor.org_id)
    if seal is None:
        abort(404)
    return send_bytes(_bytes(seal.file), "seal.png", seal.file.media_type, inline=True)
