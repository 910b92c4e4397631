"""The dossier's materials: the checklist an application needs (portal.domain.materials), uploads into its
slots, the integrity pledge, what blocks submission, and files read back through the application's scope.

Rules: MAT-01..18, EXP-01/02, SI-01/02, INT-01 (policy-spec O, I, P); 004 二(八) for the 备案表's
6-month validity; 003 五(二) for returned slots (only those may change). Causes no transition; submit and
resubmit consult `gaps` (services.applications.act).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.documents import scans
from portal.domain import form as form_rules
from portal.domain import materials as rules
from portal.domain.accounts import PermitKind
from portal.domain.dates import read_day
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_, joined
from portal.domain.identity import DocumentType
from portal.domain.roster import RosterBadge, RosterMatch
from portal.domain.uploads import EXTENSIONS, UploadLimits
from portal.domain.workflow import Status
from portal.models import Application, Material, Organisation, OrgKind, StoredFile, User
from portal.services import audit, corrections, handoff_profiles, locks, session_memo
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.scope import get_application
from portal.storage import Storage

KINDS = {"original": N_("原件扫描件"), "copy": N_("复印件（须单位核对签章）")}
ASSEMBLING = frozenset({Status.DRAFT, Status.RETURNED})


@dataclass(frozen=True)
class Limits:
    """Bytes: what one uploaded file may be, and what one stored file must fit (the provincial cap); the
    acceptance path's page and pixel caps."""

    max_upload: int = 20 * 1024 * 1024
    file_limit: int = 2048 * 1024
    acceptance: UploadLimits = field(default_factory=UploadLimits)


@dataclass(frozen=True)
class UploadInput:
    slot: str = ""
    kind: str = "original"
    document_date: str = ""
    # The slots (comma-separated keys) whose returned files the new file replaces, when it goes to one of
    # them (`returned_files`): they leave the dossier, stay on record (removed), and the audit names them.
    replace: str = ""


class AlreadyUploaded(DomainError):
    """The same file is already in the slot (a double submit while the upload ran, or the same photos sent
    again): nothing was stored, `.material` is the file kept, and the message says when it came. Sent again
    as another kind (复印件 for 原件扫描件) or with another printing date, it says the kept one stays as it
    was and how to change it: the answer alone would read as if the change had been made."""

    code = "already_uploaded"

    def __init__(self, material: Material, *, changed: bool = False) -> None:
        if changed:
            message = T_(
                "该文件已上传（%(time)s，%(kind)s），本次未作更改：如要更改，请先删除该文件再上传",
                time=material.uploaded_at,
                kind=KINDS.get(material.kind, material.kind),
            )
        else:
            message = T_("该文件已上传（%(time)s）", time=material.uploaded_at)
        super().__init__(message)
        self.material = material


def facts_of(
    session: Session, application: Application, *, notice_closed: bool = False
) -> rules.DossierFacts:
    """What decides which material slots the checklist asks for: the 申报表's rows (each row that needs
    proof has its own slot), its flags, the roster's 单位不一致 (SI-02: the affiliation proof, not a tick box)
    and whether the profile asks for continuing-education hours (CE-01)."""
    from portal.services import forms, rosters

    match = rosters.matches_for(session, application.enterprise_id, [application.applicant])[
        application.applicant_id
    ]
    return _facts(
        session,
        application,
        forms.rows_of(session, application.id),
        application.applicant,
        application.enterprise.name,
        match,
        notice_closed=notice_closed,
    )


def _facts(
    session: Session,
    application: Application,
    rows: tuple[form_rules.Row, ...],
    applicant: User,
    enterprise_name: str,
    match: RosterMatch,
    *,
    notice_closed: bool = False,
) -> rules.DossierFacts:
    from portal.services.policies import effective_profile

    profile = effective_profile(session, application.bureau)
    return rules.DossierFacts(
        rows=rows,
        enterprise_name=enterprise_name,
        on_establishment=application.on_establishment,
        insured_unit_differs=match.badge is RosterBadge.UNIT_MISMATCH,
        continuing_education=profile is not None and profile.continuing_education is not None,
        freelancer=application.freelancer,
        archive_hosted=application.archive_hosted,
        high_skill=application.high_skill,
        passport_holder=applicant.document_type == DocumentType.PASSPORT.value,
        identity_document=DocumentType(applicant.document_type),
        permit_title=PermitKind(applicant.permit_kind).title if applicant.permit_kind else "",
        notice_closed=notice_closed,
        credit_pledge_required="credit_pledge" in handoff_profiles.required_uploads(application),
        notice=profile.source if profile is not None else "",
    )


def active_materials(session: Session, application_id: int) -> list[Material]:
    """The application's materials not removed, in upload order."""
    return list(
        session.scalars(
            select(Material)
            .where(Material.application_id == application_id, Material.removed_at.is_(None))
            .order_by(Material.id)
        )
    )


def may_assemble(actor: Actor, application: Application) -> bool:
    """The applicant, or the enterprise's HR on the applicant's behalf."""
    if actor.user_id == application.applicant_id and not actor.is_staff:
        return True
    return (
        actor.is_staff and actor.org_kind is OrgKind.ENTERPRISE and actor.org_id == application.enterprise_id
    )


def changeable_slots(session: Session, application: Application) -> set[str] | None:
    """None: every slot may change (a draft); otherwise only the slots a return named (一次性告知)."""
    if application.state is Status.DRAFT:
        return None
    correction = corrections.open_correction(session, application.id)
    if application.state is not Status.RETURNED or correction is None:
        return set()
    prefix = "material:"
    named = {item.section[len(prefix) :] for item in correction.items if item.section.startswith(prefix)}
    # A returned row opens its own proof too (its certificate, its pages).
    rows = {item.section.split(":")[2] for item in correction.items if item.section.startswith("row:")}
    facts = facts_of(session, application)
    named |= {
        slot.key for slot in rules.slots_for(facts) if slot.row_id is not None and str(slot.row_id) in rows
    }
    return named


def _assembling(session: Session, actor: Actor, application_id: int) -> Application:
    application = get_application(session, actor, application_id)
    if not may_assemble(actor, application):
        raise PermissionDenied(N_("只有申报人本人或本单位经办人可以整理申报材料"))
    if application.state not in ASSEMBLING:
        raise PermissionDenied(T_("申报当前为“%(state)s”，不能修改材料", state=application.state.title))
    return application


def store_file(
    session: Session,
    storage: Storage,
    data: bytes | IO[bytes],
    media_type: str,
    name: str,
    actor: Actor,
    now: datetime,
    *,
    size: int | None = None,
) -> StoredFile:
    """Bytes generated here (a stamped copy, a thumbnail), or an accepted upload's file streamed into the
    store (`size` then says how long it is)."""
    if isinstance(data, bytes):
        key, size = storage.put(data), len(data)
    else:
        key = storage.put_file(data)
        assert size is not None
    stored = StoredFile(
        sha256=key,
        size=size,
        media_type=media_type,
        display_name=name[:200],
        uploaded_by_id=actor.user_id or None,
        created_at=now,
    )
    session.add(stored)
    session.flush()
    return stored


def _display_name(slot: rules.Slot, media_type: str, combined: int) -> str:
    suffix = f"（{combined}张合成）" if combined > 1 else ""
    return f"{slot.title}{suffix}.{EXTENSIONS.get(media_type, 'bin')}"


def upload_material(
    session: Session,
    actor: Actor,
    storage: Storage,
    application_id: int,
    data: UploadInput,
    parts: list[scans.Part],
    now: datetime,
    limits: Limits = Limits(),
) -> Material:
    """One file into one slot: through the acceptance path (documents.scans → inspection: sniffed, active
    PDF content neutralised, images re-encoded without metadata), combined and compressed, streamed into
    the store by its hash. The same file again in a slot that holds it is not stored twice: AlreadyUploaded
    names the time of the one kept, and the refusal is audited (upload_material denied, already_uploaded)."""
    application = _assembling(session, actor, application_id)
    errors: dict[str, str] = {}
    facts = facts_of(session, application)
    slot = next((s for s in rules.slots_for(facts) if s.key == data.slot), None)
    if slot is None or slot.source is not rules.Source.UPLOAD:
        errors["slot"] = N_("请选择材料类别")
    else:
        allowed = changeable_slots(session, application)
        if allowed is not None and slot.key not in allowed:
            errors["slot"] = T_("“%(slot)s”没有被退回，不能更改", slot=slot.title)
    if data.kind not in KINDS:
        errors["kind"] = N_("请选择原件扫描件或复印件")
    document_date: date | None = None
    if slot is not None and slot.dated:
        document_date, problem = read_day(data.document_date, N_("请填写备案表的打印日期，例如 2026-09-01"))
        if document_date is None:
            errors["document_date"] = problem
        elif document_date > today(now):
            errors["document_date"] = N_("打印日期不能晚于今天")
        elif rules.xuexin_valid_until(document_date) < today(now):
            errors["document_date"] = T_(
                "备案表打印于%(day)s，已超过6个月验证有效期，请在学信网重新打印", day=document_date
            )
    if not parts:
        errors["file"] = N_("请选择要上传的文件（PDF、JPG 或 PNG）")
    if errors:
        raise ValidationFailed(errors)
    assert slot is not None
    try:
        prepared = scans.prepare(
            parts, max_upload=limits.max_upload, limit=limits.file_limit, limits=limits.acceptance
        )
    except scans.ScanRejected as rejected:
        raise ValidationFailed({"file": rejected.message}) from None
    try:
        _refuse_a_second_copy(session, application.id, slot.key, prepared.sha256, data.kind, document_date)
    except AlreadyUploaded as again:
        # A refusal like the rest: kept when the request rolls back (record_attempt), naming the slot and
        # the file it already holds; the upload's bytes and hash stay out of the trail, nothing was stored.
        audit.record_attempt(
            session, actor, "upload_material", now, object_type="application", object_id=application.id,
            role=None if actor.is_staff else "applicant",
            detail={
                "code": AlreadyUploaded.code, "slot": slot.key, "material_id": again.material.id,
                "file_id": again.material.file_id, "on_behalf": actor.user_id != application.applicant_id,
            },
        )  # fmt: skip
        raise
    name = prepared.name or _display_name(slot, prepared.media_type, prepared.combined)
    stored = store_file(
        session, storage, prepared.file, prepared.media_type, name, actor, now, size=prepared.size
    )
    thumbnail = None
    if prepared.thumbnail:
        thumbnail = store_file(
            session, storage, prepared.thumbnail, "image/jpeg", "thumbnail.jpg", actor, now
        )
    material = Material(
        application_id=application.id,
        slot=slot.key,
        kind=data.kind,
        file_id=stored.id,
        thumbnail_id=thumbnail.id if thumbnail else None,
        pages=prepared.pages,
        combined=prepared.combined,
        document_date=document_date,
        uploaded_by_id=actor.user_id,
        uploaded_at=now,
    )
    session.add(material)
    application.updated_at = now
    session.flush()
    material.removed_on_upload = prepared.removed
    material.recompressed_on_upload = prepared.recompressed
    asked = slot.key in data.replace.split(",")
    replaced = _replace_returned(session, actor, application, slot.key, now) if asked else []
    material.replaced_on_upload = tuple(m.file.display_name for m in replaced)
    audit.record(
        session,
        actor,
        "upload_material",
        now,
        object_type="application",
        object_id=application.id,
        role=None if actor.is_staff else "applicant",
        detail={
            "material_id": material.id,
            "slot": slot.key,
            "kind": data.kind,
            "sha256": stored.sha256,
            "size": stored.size,
            "pages": prepared.pages,
            "combined": prepared.combined,
            "recompressed": prepared.recompressed,
            "removed": list(prepared.removed),
            "on_behalf": actor.user_id != application.applicant_id,
            # The returned files this one replaced (out of the dossier, kept on record as removed).
            **({"replaced": [m.id for m in replaced]} if replaced else {}),
        },
    )
    return material


def returned_files(session: Session, application: Application, slot: str) -> list[Material]:
    """The files a slot named by the open return held when it was returned (still in the slot): what an
    upload in answer replaces when the applicant asks (walk5: the returned contract stayed beside its
    replacement, in the package and the hand-off). Empty unless the application is returned and the return
    names the slot."""
    correction = corrections.open_correction(session, application.id)
    if application.state is not Status.RETURNED or correction is None:
        return []
    if not any(item.section == f"material:{slot}" for item in correction.items):
        return []
    return [
        m
        for m in active_materials(session, application.id)
        if m.slot == slot and m.uploaded_at <= correction.requested_at
    ]


def _replace_returned(
    session: Session, actor: Actor, application: Application, slot: str, now: datetime
) -> list[Material]:
    """Take the slot's returned files out of the dossier (kept, marked removed by the uploader), as
    `remove_material` does, each audited as a removal naming the upload that replaced it."""
    replaced = returned_files(session, application, slot)
    for old in replaced:
        _take_out(session, actor, application, old, now, replaced_on_upload=True)
    return replaced


def _take_out(
    session: Session, actor: Actor, application: Application, material: Material, now: datetime, **why: bool
) -> None:
    """A file out of the dossier: marked removed (it stays on record) and audited as `remove_material`."""
    material.removed_at, material.removed_by_id = now, actor.user_id
    application.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "remove_material",
        now,
        object_type="application",
        object_id=application.id,
        role=None if actor.is_staff else "applicant",
        detail={"material_id": material.id, "slot": material.slot, **why},
    )


def _refuse_a_second_copy(
    session: Session, application_id: int, slot: str, sha256: str, kind: str, document_date: date | None
) -> None:
    """AlreadyUploaded when the slot already holds a file with this content (the prepared file's hash: the
    same upload is prepared into the same bytes, documents.scans), saying so when it was sent as another
    kind or date. Two such uploads at once take turns on the slot's lock, so the second sees the first's
    file once it has committed."""
    locks.hold(session, "material-slot", application_id, slot)
    kept = session.scalars(
        select(Material)
        .join(StoredFile, StoredFile.id == Material.file_id)
        .where(
            Material.application_id == application_id,
            Material.slot == slot,
            Material.removed_at.is_(None),
            StoredFile.sha256 == sha256,
        )
        .order_by(Material.id)
        .limit(1)
    ).first()
    if kept is not None:
        raise AlreadyUploaded(kept, changed=(kept.kind, kept.document_date) != (kind, document_date))


def remove_material(
    session: Session, actor: Actor, application_id: int, material_id: int, now: datetime
) -> Material:
    """Takes a file out of its slot (it stays on record, marked removed)."""
    application = _assembling(session, actor, application_id)
    material = session.get(Material, material_id)
    if material is None or material.application_id != application.id or material.removed_at is not None:
        raise NotFound(N_("找不到该材料"))
    allowed = changeable_slots(session, application)
    if allowed is not None and material.slot not in allowed:
        raise PermissionDenied(N_("这项材料没有被退回，不能更改"))
    _take_out(session, actor, application, material, now)
    return material


def sign_pledge(session: Session, actor: Actor, application_id: int, now: datetime) -> Application:
    """The applicant signs the integrity pledge online (INT-01): the time and IP are kept and audited.
    Only the applicant can sign; HR cannot sign on anyone's behalf."""
    application = get_application(session, actor, application_id)
    if actor.user_id != application.applicant_id or actor.is_staff:
        raise PermissionDenied(N_("诚信承诺书只能由申报人本人签署"))
    if application.state not in ASSEMBLING:
        raise PermissionDenied(T_("申报当前为“%(state)s”，不能签署", state=application.state.title))
    if application.pledge_signed_at is None:
        application.pledge_signed_at, application.pledge_ip = now, actor.ip[:45]
        session.flush()
        audit.record(
            session,
            actor,
            "sign_pledge",
            now,
            object_type="application",
            object_id=application.id,
            role="applicant",
            detail={"ip": actor.ip},
        )
    return application


def gaps(session: Session, application: Application, now: datetime) -> list[rules.Gap]:
    """What in the materials blocks submission (each required slot left empty, an expired 备案表, an
    unsigned pledge), each slot's clause cut to the bureau's own notice (`rules.notice_clause`). A list
    page reads its rows' at once first (`missing_of`); the answer is then the page's."""
    known: dict[int, list[rules.Gap]] = session_memo.memo(session, _MISSING)
    if application.id not in known:
        known.update(missing_of(session, [application], now))
    return list(known[application.id])


def missing_of(
    session: Session, applications: list[Application], now: datetime
) -> dict[int, list[rules.Gap]]:
    """`gaps` of each application, read for all of them in a few statements whatever their number (their
    materials, 申报表 rows, applicants and roster matches: one each), and kept on the session until its next
    write so each row's guards and the page's cards read them from there (`rulebook.page_offers`)."""
    from portal.services import forms, rosters

    if not applications:
        return {}
    ids = [a.id for a in applications]
    present: dict[int, list[tuple[str, date | None]]] = {i: [] for i in ids}
    for application_id, slot, day in session.execute(
        select(Material.application_id, Material.slot, Material.document_date)
        .where(Material.application_id.in_(ids), Material.removed_at.is_(None))
        .order_by(Material.id)
    ):
        present[application_id].append((slot, day))
    rows = forms.rows_by_application(session, ids)
    # The applicants and the enterprises' names in one statement: a queue page loads neither with its rows.
    people: dict[int, User] = {}
    names: dict[int, str] = {}
    for person, enterprise_id, name in session.execute(
        select(User, Organisation.id, Organisation.name)
        .select_from(Application)
        .join(User, User.id == Application.applicant_id)
        .join(Organisation, Organisation.id == Application.enterprise_id)
        .where(Application.id.in_(ids))
    ):
        people[person.id], names[enterprise_id] = person, name
    matches = rosters.matches_of(
        session, [(a.enterprise_id, people[a.applicant_id]) for a in applications], names
    )
    found: dict[int, list[rules.Gap]] = {}
    for application in applications:
        facts = _facts(
            session,
            application,
            rows[application.id],
            people[application.applicant_id],
            names[application.enterprise_id],
            matches[application.enterprise_id, application.applicant_id],
        )
        dates: dict[str, date | None] = {}
        for slot, day in present[application.id]:
            if day and (dates.get(slot) or date.min) < day:
                dates[slot] = day
        found[application.id] = [
            replace(gap, slot=replace(gap.slot, clause=rules.notice_clause(gap.slot.clause, facts.notice)))
            for gap in rules.gaps(
                facts,
                {slot for slot, _ in present[application.id]},
                today=today(now),
                pledge_signed=application.pledge_signed_at is not None,
                document_dates=dates,
            )
        ]
    session_memo.memo(session, _MISSING).update(found)
    return found


_MISSING = session_memo.register("portal.materials.missing")


def gaps_message(found: list[rules.Gap]) -> str:
    """The Chinese refusal listing each missing material with why it is needed."""
    listed = joined((T_("%(slot)s（%(why)s）", slot=gap.slot.title, why=gap.why) for gap in found), "；")
    return T_("申报材料不全：%(gaps)s", gaps=listed)


def unendorsed_copies(session: Session, application_id: int) -> list[Material]:
    """The application's copies (复印件) not yet endorsed with the unit's seal.

    A queue page names its rows first (`expect_rows`): the first row whose guard asks reads the copies of
    every row of the page in one statement (their endorsements in one more), and the others are answered
    from that read until the session next writes — the copies guard asks each row an enterprise's
    handler may approve (issue 20: no read per row)."""
    known: dict[int, list[Material]] = session_memo.memo(session, _UNENDORSED)
    if application_id not in known:
        wanted = {application_id, *session_memo.memo(session, _EXPECTED).get("ids", ())} - known.keys()
        found: dict[int, list[Material]] = {i: [] for i in wanted}
        copies = session.scalars(
            select(Material)
            .where(
                Material.application_id.in_(sorted(wanted)),
                Material.removed_at.is_(None),
                Material.kind == "copy",
            )
            .options(selectinload(Material.endorsements))
            .order_by(Material.id)
        )
        for material in copies:
            if material.endorsement is None:
                found[material.application_id].append(material)
        known.update(found)
    return list(known[application_id])


def expect_rows(session: Session, application_ids: list[int]) -> None:
    """The applications a page is about to weigh one by one (a queue page's rows): `unendorsed_copies`
    reads them together when the first is asked, and not at all when none is."""
    session_memo.memo(session, _EXPECTED)["ids"] = tuple(application_ids)


_UNENDORSED = session_memo.register("portal.materials.unendorsed")
_EXPECTED = session_memo.register("portal.materials.expected")


@dataclass(frozen=True)
class Row:
    slot: rules.Slot
    state: rules.SlotState
    materials: list[Material]
    returned_reason: str
    can_change: bool
    # The files the return found in this slot, still there: an upload may replace them (UploadInput.replace).
    returned_files: tuple[Material, ...] = ()


@dataclass(frozen=True)
class Checklist:
    rows: list[Row]
    gaps: list[rules.Gap]
    can_upload: bool
    can_sign: bool
    upload_slots: list[rules.Slot]  # the slots the upload form offers now
    pledge_clause: str = ""  # the pledge's clause in the bureau's own notice (INT-01/02), "" where none

    @property
    def done(self) -> int:
        return sum(1 for r in self.rows if r.state not in (rules.SlotState.MISSING, rules.SlotState.RETURNED))

    @property
    def held_rows(self) -> list[Row]:
        """The slots the upload form offers that already hold files: the form names them (and when each
        came) before another is sent to the same slot."""
        return [r for r in self.rows if r.can_change and r.materials]


def checklist(
    session: Session, actor: Actor, application: Application, now: datetime, *, notice_closed: bool = False
) -> Checklist:
    """Each slot the application needs, its state (missing / uploaded / endorsed / returned…), its files,
    and whether this actor may change it now. Each slot's clause (依据) is cut to the parts citing the
    bureau's profile's own notice (`rules.notice_clause`), none where it states no such rule."""
    present = active_materials(session, application.id)
    facts = facts_of(session, application, notice_closed=notice_closed)
    assembling = application.state in ASSEMBLING and may_assemble(actor, application)
    allowed = changeable_slots(session, application) if assembling else set()
    correction = corrections.open_correction(session, application.id)
    returned = {
        item.section[len("material:") :]: item.reason
        for item in (correction.items if correction and application.state is Status.RETURNED else [])
        if item.section.startswith("material:")
    }
    since = correction.requested_at if correction else None
    rows = []
    for listed in rules.slots_for(facts):
        slot = replace(listed, clause=rules.notice_clause(listed.clause, facts.notice))
        mine = [m for m in present if m.slot == slot.key]
        copies = [m for m in mine if m.is_copy]
        state = rules.slot_state(
            slot,
            uploads=len(mine),
            copies=len(copies),
            copies_unendorsed=sum(1 for m in copies if m.endorsement is None),
            returned=slot.key in returned and not any(since and m.uploaded_at > since for m in mine),
            pledge_signed=application.pledge_signed_at is not None,
            notice_closed=notice_closed,
        )
        can_change = (
            assembling and slot.source is rules.Source.UPLOAD and (allowed is None or slot.key in allowed)
        )
        kept = tuple(m for m in mine if since and m.uploaded_at <= since) if slot.key in returned else ()
        rows.append(
            Row(slot, state, mine, returned.get(slot.key, ""), can_change, kept if can_change else ())
        )
    shown = {row.slot.key for row in rows}
    # Files whose row was deleted (or a slot the form no longer asks for) stay listed, never silently
    # dropped: the applicant removes them, nothing needs them for submission.
    for key in dict.fromkeys(m.slot for m in present if m.slot not in shown):
        base = rules.base_slot(key)
        if base is None:
            continue
        slot = replace(
            base,
            key=key,
            title=T_("%(title)s（对应条目已删除）", title=base.title),
            required=False,
            section=None,
            clause=rules.notice_clause(base.clause, facts.notice),
        )
        mine = [m for m in present if m.slot == key]
        rows.append(Row(slot, rules.SlotState.ORPHANED, mine, "", assembling and allowed is None))
    return Checklist(
        rows=rows,
        gaps=gaps(session, application, now),
        can_upload=any(r.can_change for r in rows),
        can_sign=(
            application.state in ASSEMBLING
            and actor.user_id == application.applicant_id
            and not actor.is_staff
            and application.pledge_signed_at is None
        ),
        upload_slots=[r.slot for r in rows if r.can_change],
        pledge_clause=rules.notice_clause(rules.PLEDGE_CLAUSE, facts.notice),
    )


def get_material(session: Session, actor: Actor, application_id: int, material_id: int) -> Material:
    """A material of an application the actor can see (404 otherwise, like the application itself)."""
    application = get_application(session, actor, application_id)
    material = session.get(Material, material_id)
    if material is None or material.application_id != application.id:
        raise NotFound(N_("找不到该材料"))
    return material


@lru_cache(maxsize=32)
def placeholder_pdf(title: str) -> bytes:
    """A one-page stand-in document for demo data and tests (rendered once per title)."""
    from portal.documents.rendering import render_pdf

    return render_pdf("placeholder_material.html", title=title)


def attach_placeholders(
    session: Session,
    actor: Actor,
    storage: Storage,
    application: Application,
    now: datetime,
    *,
    skip: tuple[str, ...] = (),
    sign: bool = True,
) -> None:
    """Demo data and tests: a stand-in file in every required slot still empty (and the pledge signed),
    so a filled draft can be submitted."""
    for gap in gaps(session, application, now):
        slot = gap.slot
        if slot.key in skip or slot.source is not rules.Source.UPLOAD:
            continue
        data = placeholder_pdf(slot.title)
        stored = store_file(session, storage, data, "application/pdf", f"{slot.title}.pdf", actor, now)
        session.add(
            Material(
                application_id=application.id,
                slot=slot.key,
                kind="original",
                file_id=stored.id,
                pages=1,
                document_date=today(now) if slot.dated else None,
                uploaded_by_id=application.applicant_id,
                uploaded_at=now,
            )
        )
    if sign and application.pledge_signed_at is None:
        application.pledge_signed_at, application.pledge_ip = now, "127.0.0.1"
    session.flush()
