"""Copies endorsed by the applying unit (与原件相符) and the unit's seal image.

Rules: MAT-02 (001 四(三)): a photocopy is checked against the original by the applying unit, endorsed
"与原件相符", signed by the checker and stamped with the unit seal; only an enterprise handler who ticked
"已核对原件" can endorse. MAT-03 (004 二(十)): the checker's name, opinion, date and seal; unchecked copies
are not accepted (the handler's first review waits for them, see services.applications.act).
Endorsing makes a new stamped file next to the untouched original (documents.stamps); an endorsement is
never edited, only revoked (audited), after which a new one may be made. Causes no transition.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.documents.stamps import StampText, stamp
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.text import LIMITS
from portal.domain.uploads import UploadKind, UploadLimits
from portal.domain.workflow import Status
from portal.models import Endorsement, OrgKind, StaffRole, UnitSeal
from portal.services import audit, uploads
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.materials import get_material, store_file
from portal.services.scope import get_application
from portal.storage import Storage

OPINION = N_("与原件相符")
# While the applying unit still holds the dossier (it endorses before its own review ends).
ENDORSABLE = frozenset({Status.DRAFT, Status.SUBMITTED, Status.UNIT_REVIEW, Status.RETURNED})


def current_seal(session: Session, org_id: int) -> UnitSeal | None:
    """The organisation's seal image in use (the newest not retired), if any."""
    return session.scalars(
        select(UnitSeal)
        .where(UnitSeal.org_id == org_id, UnitSeal.retired_at.is_(None))
        .order_by(UnitSeal.id.desc())
    ).first()


def upload_seal(
    session: Session,
    actor: Actor,
    storage: Storage,
    data: bytes | IO[bytes],
    name: str,
    now: datetime,
    limits: UploadLimits = uploads.SEAL_LIMITS,
) -> UnitSeal:
    """The enterprise leader uploads the unit's seal image once (a PNG, transparent background best);
    a new one retires the old, whose endorsements keep the seal they were made with. The image takes
    the one acceptance path (services.uploads, kind SEAL): a PNG by content, re-encoded without metadata,
    its transparency kept."""
    if not (actor.staff_role is StaffRole.LEADER and actor.org_kind is OrgKind.ENTERPRISE):
        raise PermissionDenied(N_("单位公章图片须由本单位领导上传"))
    if not data:
        raise ValidationFailed({"seal": N_("请选择公章图片")})
    try:
        accepted = uploads.accept_upload(data, name or "公章.png", None, limits, kind=UploadKind.SEAL)
    except uploads.UploadRefused as refused:
        if refused.code == "mismatch" or refused.code == "content":
            raise ValidationFailed(
                {"seal": N_("公章图片须为 PNG 格式（按文件内容识别），最好是透明背景")}
            ) from None
        raise ValidationFailed({"seal": refused.message}) from None
    assert actor.org_id is not None
    previous = current_seal(session, actor.org_id)
    if previous is not None:
        previous.retired_at = now
    stored = uploads.store(session, storage, accepted, actor.user_id or None, now)
    seal = UnitSeal(org_id=actor.org_id, file_id=stored.id, uploaded_by_id=actor.user_id, uploaded_at=now)
    session.add(seal)
    session.flush()
    audit.record(
        session,
        actor,
        "upload_seal",
        now,
        object_type="organisation",
        object_id=actor.org_id,
        detail={"seal_id": seal.id, "sha256": stored.sha256, "replaces": previous.id if previous else None},
    )
    return seal


def can_endorse(actor: Actor, application_enterprise_id: int, applicant_id: int) -> bool:
    """Whether the actor may endorse copies: a handler of the applicant's enterprise, not the applicant."""
    return (
        actor.staff_role is StaffRole.HANDLER
        and actor.org_kind is OrgKind.ENTERPRISE
        and actor.org_id == application_enterprise_id
        and actor.user_id != applicant_id
    )


def endorse_material(
    session: Session,
    actor: Actor,
    storage: Storage,
    application_id: int,
    material_id: int,
    now: datetime,
    *,
    checked_original: bool,
) -> Endorsement:
    """The handler has seen the original: the copy gets a stamped twin (seal, 与原件相符, name, date)."""
    application = get_application(session, actor, application_id)
    if not can_endorse(actor, application.enterprise_id, application.applicant_id):
        raise PermissionDenied(N_("只有申报单位的经办人可以核对签章（不能核对本人的材料）"))
    if application.state not in ENDORSABLE:
        raise DomainError(
            T_("申报当前为“%(title)s”，不能再核对签章", title=application.state.title), code="not_endorsable"
        )
    material = get_material(session, actor, application_id, material_id)
    if material.removed_at is not None or not material.is_copy:
        raise DomainError(N_("只有复印件需要核对签章"), code="not_a_copy")
    if material.endorsement is not None:
        raise DomainError(N_("这份复印件已核对签章；如有错误，请先撤销再重新签章"), code="already_endorsed")
    if not checked_original:
        raise ValidationFailed({"checked": N_("请先与原件核对，并勾选“已核对原件”")})
    assert actor.org_id is not None
    seal = current_seal(session, actor.org_id)
    if seal is None:
        raise DomainError(N_("本单位尚未上传公章图片，请单位领导先在“单位公章”页面上传"), code="no_seal")
    text = StampText(OPINION, actor.name, today(now), application.enterprise.name)
    stamped = stamp(
        storage.get(material.file.sha256), material.file.media_type, text, storage.get(seal.file.sha256)
    )
    stored = store_file(
        session,
        storage,
        stamped,
        "application/pdf",
        f"{material.file.display_name.rsplit('.', 1)[0]}（核对签章）.pdf",
        actor,
        now,
    )
    endorsement = Endorsement(
        material_id=material.id,
        stamped_file_id=stored.id,
        seal_id=seal.id,
        org_id=actor.org_id,
        handler_id=actor.user_id,
        handler_name=actor.name,
        opinion=OPINION,
        endorsed_on=today(now),
        created_at=now,
    )
    session.add(endorsement)
    session.flush()
    session.refresh(material)
    audit.record(
        session,
        actor,
        "endorse_material",
        now,
        object_type="application",
        object_id=application.id,
        detail={
            "material_id": material.id,
            "endorsement_id": endorsement.id,
            "original_sha256": material.file.sha256,
            "stamped_sha256": stored.sha256,
            "seal_id": seal.id,
        },
    )
    return endorsement


def revoke_endorsement(
    session: Session, actor: Actor, application_id: int, endorsement_id: int, reason: str, now: datetime
) -> Endorsement:
    """Withdraws an endorsement (wrong copy, wrong seal): recorded with who, when and why; never deleted."""
    application = get_application(session, actor, application_id)
    if not (actor.is_staff and actor.org_id == application.enterprise_id):
        raise PermissionDenied(N_("只有申报单位的经办人或领导可以撤销核对签章"))
    endorsement = session.get(Endorsement, endorsement_id)
    if endorsement is None or endorsement.material.application_id != application.id:
        raise NotFound(N_("找不到该核对记录"))
    if endorsement.revoked_at is not None:
        raise DomainError(N_("该核对签章已撤销"), code="already_revoked")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": N_("请写明撤销原因")})
    if len(reason) > LIMITS["reason"]:
        raise ValidationFailed(
            {
                "reason": T_(
                    "撤销原因不能超过%(limit)s字（现有%(n)s字）", limit=LIMITS["reason"], n=len(reason)
                )
            }
        )
    endorsement.revoked_at, endorsement.revoked_by_id, endorsement.revoke_reason = (
        now,
        actor.user_id,
        reason,
    )
    session.flush()
    audit.record(
        session,
        actor,
        "revoke_endorsement",
        now,
        object_type="application",
        object_id=application.id,
        reason=reason,
        detail={"material_id": endorsement.material_id, "endorsement_id": endorsement.id},
    )
    return endorsement
