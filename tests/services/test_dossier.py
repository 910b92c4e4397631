"""The dossier's services: uploads into slots, submission blocked by missing materials, endorsement of
copies (a stamped twin, the original untouched), revocation, returned slots, copy from last, HR on behalf."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.documents.scans import Part
from portal.domain import materials as m_rules
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.workflow import Action, Status
from portal.models import Application, AuditEvent, Material, StaffRole, StoredFile
from portal.services import applications, corrections, endorsements, forms, materials
from portal.services.actors import actor_for
from tests import imaging
from tests.conftest import Clock
from tests.factories import STEPS_TO, STORAGE, World, filled_form, make_application, make_user, make_world


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def bare_draft(session: Session, world: World, clock: Clock) -> Application:
    """A filled form, no materials, no pledge."""
    applicant = make_user(session, employer=world.enterprise.org)
    application = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "工程", "土木工程", "中级"),
        clock.now,
    )
    forms.save_form(session, actor_for(applicant, None), application.id, filled_form(application), clock.now)
    return application


def slot_key(session: Session, application: Application, slot: str) -> str:
    """The application's own key of a slot: a row's slot ("diploma") is that of its first row."""
    keys = [s.key for s in m_rules.slots_for(materials.facts_of(session, application))]
    return slot if slot in keys else next(k for k in keys if k.partition("@")[0] == slot)


def upload(session: Session, application: Application, clock: Clock, slot: str, *parts: bytes, **extra: str):  # type: ignore[no-untyped-def]
    slot = slot_key(session, application, slot)
    return materials.upload_material(
        session,
        actor_for(application.applicant, None),
        STORAGE,
        application.id,
        materials.UploadInput(slot=slot, **extra),
        # Named by their content: the acceptance path refuses a PDF called .jpg.
        [Part(f"{i}.pdf" if data.startswith(b"%PDF") else f"{i}.jpg", data) for i, data in enumerate(parts)],
        clock.now,
    )


def test_the_missing_materials_list_blocks_submission_and_names_each_slot(
    session: Session, world: World, clock: Clock
) -> None:
    application = bare_draft(session, world, clock)
    me = actor_for(application.applicant, None)
    with pytest.raises(ValidationFailed) as info:
        applications.act(session, me, application.id, Action.SUBMIT, clock.now)
    message = info.value.fields["materials"]
    for title in ("身份证件", "学历证书", "学信网学历证书电子注册备案表", "劳动（聘用）合同", "诚信承诺书"):
        assert title in message
    assert application.state is Status.DRAFT
    for slot in ("id_card", "diploma", "degree", "title_certificate", "labour_contract"):
        upload(session, application, clock, slot, imaging.photo(800, 1000))
    upload(session, application, clock, "xuexin", imaging.pdf(1), document_date="2026-09-01")
    materials.sign_pledge(session, me, application.id, clock.now)
    assert applications.act(session, me, application.id, Action.SUBMIT, clock.now).state is Status.SUBMITTED


def test_an_expired_xuexin_record_is_refused_on_upload_and_blocks_when_it_runs_out(
    session: Session, world: World, clock: Clock
) -> None:
    application = bare_draft(session, world, clock)
    with pytest.raises(ValidationFailed) as info:
        upload(session, application, clock, "xuexin", imaging.pdf(1), document_date="2026-03-01")
    assert "6个月" in info.value.fields["document_date"]
    upload(session, application, clock, "xuexin", imaging.pdf(1), document_date="2026-04-01")
    later = clock.now + timedelta(days=10)  # 2026-10-08: past 2026-10-01
    assert "xuexin" in {gap.slot.base for gap in materials.gaps(session, application, later)}


def test_a_disguised_file_is_refused_and_nothing_is_stored(
    session: Session, world: World, clock: Clock
) -> None:
    application = bare_draft(session, world, clock)
    with pytest.raises(ValidationFailed) as info:
        upload(session, application, clock, "id_card", imaging.HTML_AS_PDF)
    assert "按文件内容判断" in info.value.fields["file"]
    assert materials.active_materials(session, application.id) == []


def test_three_photos_are_one_material_of_three_pages_stored_by_hash(
    session: Session, world: World, clock: Clock
) -> None:
    application = bare_draft(session, world, clock)
    material = upload(
        session, application, clock, "labour_contract", *(imaging.photo(1500, 2000) for _ in range(3))
    )
    assert (material.pages, material.combined, material.file.media_type) == (3, 3, "application/pdf")
    data = STORAGE.get(material.file.sha256)
    assert (
        hashlib.sha256(data).hexdigest() == material.file.sha256
        and len(PdfReader(io.BytesIO(data)).pages) == 3
    )
    assert material.file.display_name == "劳动（聘用）合同（3张合成）.pdf"
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "upload_material")).one()
    assert event.detail["combined"] == 3 and event.detail["on_behalf"] is False


def test_the_same_file_sent_twice_into_a_slot_is_kept_once_and_the_answer_says_when(
    session: Session, world: World, clock: Clock
) -> None:
    # Finding F8: 劳动（聘用）合同 sent twice while the upload ran listed two files of one name, one of them
    # endorsed, the other waiting for the unit for ever.
    application = bare_draft(session, world, clock)
    photos = (imaging.photo(1500, 2000), imaging.photo(1500, 2000, colour="#c8c8c8"))
    first = upload(session, application, clock, "labour_contract", *photos, kind="copy")
    stored = session.scalar(select(func.count(StoredFile.id)))
    clock.advance(minutes=3)
    with pytest.raises(materials.AlreadyUploaded) as info:
        upload(session, application, clock, "labour_contract", *photos, kind="copy")
    assert info.value.material.id == first.id
    assert info.value.message == "该文件已上传（2026年9月28日 10:00）"  # the first one's time, Shanghai's
    assert [m.id for m in materials.active_materials(session, application.id)] == [first.id]
    assert session.scalar(select(func.count(StoredFile.id))) == stored  # nothing stored, not even a row
    uploads = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "upload_material")))
    assert [event.outcome for event in uploads] == ["ok", "denied"]
    # The refusal is audited as the other refused steps are: its code, the slot and the file it holds;
    # nothing of the bytes sent again (not even their hash).
    assert uploads[1].detail == {
        "code": "already_uploaded", "slot": "labour_contract", "material_id": first.id,
        "file_id": first.file_id, "on_behalf": False,
    }  # fmt: skip
    assert (uploads[1].object_type, uploads[1].object_id, uploads[1].role) == (
        "application", application.id, "applicant"
    )  # fmt: skip
    # Other bytes (one photo more) are another file of the same name, kept beside it.
    other = upload(session, application, clock, "labour_contract", *photos, imaging.photo(800, 1000))
    assert [m.id for m in materials.active_materials(session, application.id)] == [first.id, other.id]
    assert other.file.display_name == "劳动（聘用）合同（3张合成）.pdf"
    # The same file in another slot is that slot's own; removed, it may be sent again.
    elsewhere = upload(session, application, clock, "other", *photos)
    assert elsewhere.file.sha256 == first.file.sha256 and elsewhere.slot != first.slot
    materials.remove_material(
        session, actor_for(application.applicant, None), application.id, first.id, clock.now
    )
    again = upload(session, application, clock, "labour_contract", *photos, kind="copy")
    assert again.id != first.id and again.file.sha256 == first.file.sha256


def test_the_same_file_sent_again_as_another_kind_says_the_kept_one_is_unchanged(
    session: Session, world: World, clock: Clock
) -> None:
    """Uploaded as 原件扫描件 by mistake and sent again as 复印件: the answer was only "该文件已上传（time）",
    which reads as if the kind had been changed. It says the kept one stays as it was, and how to change."""
    application = bare_draft(session, world, clock)
    photos = (imaging.photo(1500, 2000), imaging.photo(1500, 2000, colour="#c8c8c8"))
    first = upload(session, application, clock, "labour_contract", *photos, kind="original")
    with pytest.raises(materials.AlreadyUploaded) as info:
        upload(session, application, clock, "labour_contract", *photos, kind="copy")
    assert info.value.message == (
        "该文件已上传（2026年9月28日 10:00，原件扫描件），本次未作更改：如要更改，请先删除该文件再上传"
    )
    assert first.kind == "original" and not first.is_copy
    with pytest.raises(materials.AlreadyUploaded) as same:  # the same kind again: the short answer
        upload(session, application, clock, "labour_contract", *photos, kind="original")
    assert same.value.message == "该文件已上传（2026年9月28日 10:00）"


def test_another_enterprise_cannot_reach_a_material(session: Session, world: World, clock: Clock) -> None:
    application = make_application(session, world, clock.now)
    material = materials.active_materials(session, application.id)[0]
    with pytest.raises(NotFound):
        materials.get_material(
            session, world.other_enterprise.actor(StaffRole.HANDLER), application.id, material.id
        )


def seal_up(session: Session, world: World, clock: Clock) -> None:
    endorsements.upload_seal(
        session, world.enterprise.actor(StaffRole.LEADER), STORAGE, imaging.seal(), "seal.png", clock.now
    )


def test_endorsing_a_copy_makes_a_stamped_twin_with_the_same_pages_and_leaves_the_original(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now)
    copy = upload(
        session,
        application,
        clock,
        "other",
        imaging.photo(1500, 2000),
        imaging.photo(1500, 2000),
        kind="copy",
    )
    original_hash, original_bytes = copy.file.sha256, STORAGE.get(copy.file.sha256)
    handler = world.enterprise.actor(StaffRole.HANDLER)
    with pytest.raises(DomainError, match="公章"):
        endorsements.endorse_material(
            session, handler, STORAGE, application.id, copy.id, clock.now, checked_original=True
        )
    seal_up(session, world, clock)
    with pytest.raises(ValidationFailed):
        endorsements.endorse_material(
            session, handler, STORAGE, application.id, copy.id, clock.now, checked_original=False
        )
    endorsement = endorsements.endorse_material(
        session, handler, STORAGE, application.id, copy.id, clock.now, checked_original=True
    )
    stamped = STORAGE.get(endorsement.stamped_file.sha256)
    assert len(PdfReader(io.BytesIO(stamped)).pages) == copy.pages == 2
    assert "与原件相符" in PdfReader(io.BytesIO(stamped)).pages[0].extract_text()
    assert STORAGE.get(original_hash) == original_bytes and copy.file.sha256 == original_hash
    assert hashlib.sha256(stamped).hexdigest() == endorsement.stamped_file.sha256 != original_hash
    assert (endorsement.handler_name, endorsement.opinion) == (world.enterprise.handler.name, "与原件相符")
    with pytest.raises(DomainError, match="已核对签章"):
        endorsements.endorse_material(
            session, handler, STORAGE, application.id, copy.id, clock.now, checked_original=True
        )


def test_only_the_units_handler_endorses_and_a_revocation_is_kept_and_audited(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now)
    copy = upload(session, application, clock, "other", imaging.photo(800, 1000), kind="copy")
    seal_up(session, world, clock)
    for actor in (world.enterprise.actor(StaffRole.LEADER), world.other_enterprise.actor(StaffRole.HANDLER)):
        with pytest.raises((DomainError, NotFound)):
            endorsements.endorse_material(
                session, actor, STORAGE, application.id, copy.id, clock.now, checked_original=True
            )
    handler = world.enterprise.actor(StaffRole.HANDLER)
    first = endorsements.endorse_material(
        session, handler, STORAGE, application.id, copy.id, clock.now, checked_original=True
    )
    leader = world.enterprise.actor(StaffRole.LEADER)
    with pytest.raises(ValidationFailed):
        endorsements.revoke_endorsement(session, leader, application.id, first.id, " ", clock.now)
    endorsements.revoke_endorsement(session, leader, application.id, first.id, "盖错了材料", clock.now)
    session.refresh(copy)
    assert copy.endorsement is None and first.revoked_by_id == world.enterprise.leader.id
    second = endorsements.endorse_material(
        session, handler, STORAGE, application.id, copy.id, clock.now, checked_original=True
    )
    session.refresh(copy)
    assert copy.endorsement is second and len(copy.endorsements) == 2
    actions = [
        e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.object_id == application.id))
    ]
    assert actions.count("endorse_material") == 2 and actions.count("revoke_endorsement") == 1


def test_the_handler_cannot_pass_a_dossier_with_an_unendorsed_copy(
    session: Session, world: World, clock: Clock
) -> None:
    application = make_application(session, world, clock.now)
    upload(session, application, clock, "other", imaging.photo(800, 1000), kind="copy")
    applications.act(
        session, actor_for(application.applicant, None), application.id, Action.SUBMIT, clock.now
    )
    with pytest.raises(DomainError, match="其他材料"):
        applications.act(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            application.id,
            Action.HANDLER_APPROVE,
            clock.now,
        )


def test_after_a_return_only_the_named_slot_may_change(session: Session, world: World, clock: Clock) -> None:
    application = make_application(session, world, clock.now, steps=1)
    diploma = slot_key(session, application, "diploma")
    corrections.return_for_correction(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        application.id,
        corrections.ReturnInput({f"material:{diploma}": "毕业证书照片模糊"}, "2026-10-20"),
        clock.now,
    )
    with pytest.raises(ValidationFailed):
        upload(session, application, clock, "id_card", imaging.photo(800, 1000))
    me = actor_for(application.applicant, None)
    old = next(m for m in materials.active_materials(session, application.id) if m.slot == diploma)
    checklist = materials.checklist(session, me, application, clock.now)
    row = next(r for r in checklist.rows if r.slot.key == diploma)
    assert row.state.value == "returned" and row.returned_reason == "毕业证书照片模糊" and row.can_change
    assert [r.slot.key for r in checklist.rows if r.can_change] == [diploma]
    materials.remove_material(session, me, application.id, old.id, clock.now)
    clock.advance(minutes=5)
    new = upload(session, application, clock, "diploma", imaging.photo(800, 1000))
    row = next(
        r for r in materials.checklist(session, me, application, clock.now).rows if r.slot.key == diploma
    )
    assert row.state.value == "uploaded"
    assert corrections.materials_since_return(session, application) == frozenset()  # not resubmitted yet
    assert applications.act(session, me, application.id, Action.RESUBMIT, clock.now).state is Status.SUBMITTED
    assert corrections.materials_since_return(session, application) == {new.id}  # the reviewer sees it


def test_hr_fills_in_on_behalf_and_the_audit_says_who_changed_what(
    session: Session, world: World, clock: Clock
) -> None:
    application = bare_draft(session, world, clock)
    hr = world.enterprise.actor(StaffRole.HANDLER)
    data = {
        **forms.posted_form(session, application),
        "education-0-school": "江西理工大学",
        "on_establishment": "1",
    }
    forms.save_form(session, hr, application.id, data, clock.now)
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "save_form").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.actor_id == world.enterprise.handler.id and event.detail["on_behalf"]
    assert ["学历学位第1条（南昌大学 本科）· 毕业院校", "南昌大学", "江西理工大学"] in event.detail["fields"]
    assert application.school == "江西理工大学"  # the summary follows the rows
    assert application.on_establishment and "establishment" in {
        r.slot.key for r in materials.checklist(session, hr, application, clock.now).rows
    }
    with pytest.raises(NotFound):  # another enterprise: not found at all
        forms.save_form(
            session, world.other_enterprise.actor(StaffRole.HANDLER), application.id, data, clock.now
        )
    with pytest.raises(PermissionDenied):
        materials.sign_pledge(session, hr, application.id, clock.now)


def test_a_bad_field_does_not_lose_the_good_ones(session: Session, world: World, clock: Clock) -> None:
    application = bare_draft(session, world, clock)
    data = {
        **forms.posted_form(session, application),
        "education-0-school": "赣南师范大学",
        "education-0-graduated_on": "2031-01-01",
    }
    with pytest.raises(ValidationFailed) as info:
        forms.save_form(session, actor_for(application.applicant, None), application.id, data, clock.now)
    assert set(info.value.fields) == {"education-0-graduated_on"}
    assert "不能晚于今天" in info.value.fields["education-0-graduated_on"]
    assert application.school == "赣南师范大学" and application.graduated_on == date(2015, 6, 30)


def test_copy_from_last_application_prefills_the_form_and_the_materials(
    session: Session, world: World, clock: Clock
) -> None:
    first = make_application(session, world, clock.now, steps=1)
    applications.act(session, actor_for(first.applicant, None), first.id, Action.WITHDRAW, clock.now)
    second = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(first.applicant_id, "工程", "土木工程", "副高级"),
        clock.now,
    )
    me = actor_for(first.applicant, None)
    applications.copy_from_previous(session, me, second.id, clock.now)
    assert (second.school, second.work_summary) == (first.school, first.work_summary)
    assert second.pledge_signed_at is None
    slots = {m.slot.partition("@")[0] for m in materials.active_materials(session, second.id)}
    assert slots == {m.slot.partition("@")[0] for m in materials.active_materials(session, first.id)}
    # Every section came along, and each row's proof follows its new row (issue 21.5).
    assert [(r.section, r.label) for r in forms.rows_of(session, second.id)] == [
        (r.section, r.label) for r in forms.rows_of(session, first.id)
    ]
    new_rows = {r.id for r in forms.rows_of(session, second.id)}
    assert all(
        int(m.slot.partition("@")[2]) in new_rows
        for m in materials.active_materials(session, second.id)
        if "@" in m.slot
    )
    reused = session.scalars(select(Material).where(Material.application_id == second.id)).first()
    assert reused is not None and reused.file_id in {
        m.file_id for m in materials.active_materials(session, first.id)
    }
    gaps = materials.gaps(session, second, clock.now)
    assert [gap.slot.key for gap in gaps] == ["pledge"]


def test_the_pledge_records_time_and_ip(session: Session, world: World, clock: Clock) -> None:
    application = bare_draft(session, world, clock)
    me = actor_for(application.applicant, None, ip="10.1.2.3")
    materials.sign_pledge(session, me, application.id, clock.now)
    assert (application.pledge_signed_at, application.pledge_ip) == (clock.now, "10.1.2.3")
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_pledge")).one()
    assert event.ip == "10.1.2.3"


@pytest.mark.parametrize(
    ("stage", "returner", "resumes"),
    [
        (Status.DEPT_REVIEW, "department", Status.DEPT_REVIEW),
        # The unit's leader returning what its handler signed: it resumes at the leader, past the handler's
        # first review (the step that checks copies), so the copy is sealed before it goes back too.
        (Status.UNIT_REVIEW, "enterprise", Status.UNIT_REVIEW),
    ],
)
def test_a_copy_uploaded_after_a_later_stage_returned_the_case_is_endorsed_before_it_goes_back(
    session: Session, world: World, clock: Clock, stage: Status, returner: str, resumes: Status
) -> None:
    """004 二(十) / 001 四(三) (MAT-02, MAT-03): every copy is checked against its original and sealed by the
    unit. A case the department returned resumes at the department, past the unit's handler, so the copy
    uploaded in answer went on unendorsed; now the resubmission waits for the unit handler's seal."""
    application = make_application(session, world, clock.now, steps=STEPS_TO[stage])
    assert application.state is stage
    role = StaffRole.HANDLER if returner == "department" else StaffRole.LEADER
    diploma = slot_key(session, application, "diploma")
    corrections.return_for_correction(
        session,
        getattr(world, returner).actor(role),
        application.id,
        corrections.ReturnInput({f"material:{diploma}": "毕业证书复印件不清晰"}, "2026-10-20"),
        clock.now,
    )
    me = actor_for(application.applicant, None)
    old = next(m for m in materials.active_materials(session, application.id) if m.slot == diploma)
    materials.remove_material(session, me, application.id, old.id, clock.now)
    clock.advance(minutes=5)
    copy = upload(session, application, clock, "diploma", imaging.photo(800, 1000), kind="copy")
    with pytest.raises(DomainError, match="核对") as refused:
        applications.act(session, me, application.id, Action.RESUBMIT, clock.now)
    # The world's bureau follows no profile, so the refusal cites no clause: it cited Kunming's and Ganzhou
    # 2026's "004 二(十)、001 四(三)" to every bureau (test_rulebook_clauses: each profile's own).
    assert "004 二(十)" not in refused.value.message and "单位公章" in refused.value.message
    assert application.state is Status.RETURNED
    seal_up(session, world, clock)
    endorsements.endorse_material(
        session, world.enterprise.actor(StaffRole.HANDLER), STORAGE, application.id, copy.id, clock.now,
        checked_original=True,
    )  # fmt: skip
    assert applications.act(session, me, application.id, Action.RESUBMIT, clock.now).state is resumes


def test_a_handler_with_a_passport_length_name_endorses_and_the_name_is_kept_whole(
    session: Session, world: World, clock: Clock
) -> None:
    """users.name holds 100 characters (a passport's full name); endorsements.handler_name was 50 (a
    DataError on PostgreSQL, silently whole on SQLite): the endorsement keeps the name as it was."""
    long_name = "MARIA GARCIA LOPEZ DE LA FUENTE Y ALVAREZ-MONTENEGRO VON HOHENZOLLERN-SIGMARINGEN DA SILVA"
    assert 50 < len(long_name) <= 100
    world.enterprise.handler.name = long_name
    session.flush()
    application = make_application(session, world, clock.now)
    copy = upload(session, application, clock, "other", imaging.photo(800, 1000), kind="copy")
    seal_up(session, world, clock)
    endorsement = endorsements.endorse_material(
        session, world.enterprise.actor(StaffRole.HANDLER), STORAGE, application.id, copy.id, clock.now,
        checked_original=True,
    )  # fmt: skip
    session.expire_all()
    assert endorsement.handler_name == long_name
    stamped = PdfReader(io.BytesIO(STORAGE.get(endorsement.stamped_file.sha256)))
    assert "MARIA" in stamped.pages[0].extract_text()


def test_a_series_typed_in_english_is_started_as_its_chinese_name(
    session: Session, world: World, clock: Clock
) -> None:
    """Any caller of the service, not only the start form's view, stores the name profiles write."""
    applicant = make_user(session, employer=world.enterprise.org)
    started = applications.start_application(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        applications.StartInput(applicant.id, "Engineering", "土木工程", "中级"),
        clock.now,
    )
    assert started.series == "工程"
