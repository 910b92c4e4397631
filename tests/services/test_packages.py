"""The package sent onward: the PDF in binding order with bookmarks and page numbers, the ZIP of originals
whose manifest verifies (and a tampered one that does not), access limited to the route and the
enterprise, and batch ZIPs built by the worker (again from the start when a run is cut short)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import jobs as queue_module
from portal.demo import walk
from portal.domain import packages as rules
from portal.domain.errors import NotFound
from portal.domain.workflow import Status
from portal.jobs import tasks
from portal.models import Application, AuditEvent, JobStatus, StaffRole
from portal.services import endorsements, jobs, materials, packages, policies, queues
from portal.services.actors import Actor, actor_for
from tests import imaging
from tests.conftest import Clock, run_queued
from tests.factories import (
    PACKAGE_DIR,
    STEPS_TO,
    STORAGE,
    World,
    in_batch,
    make_application,
    make_world,
    reviewers,
)


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _upload(session: Session, application: Application, clock: Clock, slot: str, data: bytes, kind: str):  # type: ignore[no-untyped-def]
    from portal.documents.scans import Part

    return materials.upload_material(
        session,
        actor_for(application.applicant, None),
        STORAGE,
        application.id,
        materials.UploadInput(slot=slot, kind=kind),
        [Part("scan.pdf" if data.startswith(b"%PDF") else "photo.png", data)],
        clock.now,
    )


def at_department(session: Session, world: World, clock: Clock) -> Application:
    """Through the unit and its closed notice to the department, with an endorsed 3-page copy and a photo."""
    application = make_application(session, world, clock.now)
    copy = _upload(session, application, clock, "other", imaging.pdf(3), "copy")
    _upload(session, application, clock, "other", imaging.png(), "original")
    endorsements.upload_seal(
        session, world.enterprise.actor(StaffRole.LEADER), STORAGE, imaging.seal(), "seal.png", clock.now
    )
    endorsements.endorse_material(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        STORAGE,
        application.id,
        copy.id,
        clock.now,
        checked_original=True,
    )
    walk(session, reviewers(world), application, 6, clock.now + timedelta(minutes=1))
    session.refresh(application)
    return application


def dept(world: World) -> Actor:
    return world.department.actor(StaffRole.HANDLER)


def test_the_binding_order_puts_sections_first_and_materials_in_slot_order() -> None:
    order = rules.binding_order(
        [
            ("other", 9, "其他"),
            ("id_card", 12, "身份证"),
            ("diploma", 3, "毕业证"),
            ("id_card", 4, "身份证2"),
        ],
        has_notice_result=True,
    )
    assert [e.part for e in order[:4]] == [
        rules.Part.COVER,
        rules.Part.FORM,
        rules.Part.OPINIONS,
        rules.Part.NOTICE_RESULT,
    ]
    assert [e.material_id for e in order[4:]] == [4, 12, 3, 9]
    without = rules.binding_order([], has_notice_result=False)
    assert rules.Part.NOTICE_RESULT not in [e.part for e in without]


def test_the_package_pdf_binds_every_part_with_bookmarks_and_page_numbers(
    session: Session, world: World, clock: Clock
) -> None:
    application = at_department(session, world, clock)
    present = materials.active_materials(session, application.id)
    built = packages.build_pdf(session, STORAGE, dept(world), application, clock.now)
    reader = PdfReader(io.BytesIO(built.data))

    material_pages = sum(m.pages for m in present)
    assert len(reader.pages) == built.pages
    assert built.pages > material_pages + 3  # cover, form, opinions, notice result and the materials

    def flatten(items: list, depth: int = 0) -> list[tuple[int, str, int]]:  # type: ignore[type-arg]
        found = []
        for item in items:
            if isinstance(item, list):
                found.extend(flatten(item, depth + 1))
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))
        return found

    marks = flatten(reader.outline)
    top = [(title, page) for depth, title, page in marks if depth == 0]
    assert [t for t, _ in top] == ["封面", "申报表", "各级审核意见", "公示结果", "申报材料"]
    assert [p for _, p in top] == sorted(p for _, p in top)  # binding order
    material_marks = [t for depth, t, _ in marks if depth == 2]
    assert len(material_marks) == len(present)  # one bookmark per material file
    page_marks = [t for depth, t, _ in marks if depth == 3]
    assert page_marks == ["第1页", "第2页", "第3页"]  # every page of the 3-page endorsed copy
    assert any("核对签章" in t for t in material_marks)  # the stamped copy is bound, not the original

    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert f"第 {number} 页，共 {total} 页" in page.extract_text()
    # The stamped copy's strip is on its pages (the original has none).
    assert any("与原件相符" in page.extract_text() for page in reader.pages)
    assert application.applicant.name in reader.pages[0].extract_text()


def test_the_zip_manifest_verifies_and_a_tampered_zip_does_not(
    session: Session, world: World, clock: Clock, tmp_path: Path
) -> None:
    application = at_department(session, world, clock)
    target = tmp_path / "one.zip"
    name = packages.package_zip(session, STORAGE, dept(world), application.id, target, clock.now)
    assert name.endswith(".zip")
    with zipfile.ZipFile(target) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert "manifest.csv" in zf.namelist()
        csv_text = zf.read("manifest.csv").decode("utf-8-sig")
    roles = [f["role"] for f in manifest["files"]]
    assert roles.count("original") == len(materials.active_materials(session, application.id))
    assert roles.count("stamped") == 1
    stamped = next(f for f in manifest["files"] if f["role"] == "stamped")
    assert stamped["endorsed_by"] == world.enterprise.handler.name and stamped["uploaded_by"]
    assert "SHA-256" in csv_text and stamped["sha256"] in csv_text
    report = packages.verify_zip(target)
    assert report.ok and report.checked == len(manifest["files"])

    tampered = tmp_path / "tampered.zip"
    victim = manifest["files"][0]["path"]
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, data + b"%changed" if info.filename == victim else data)
        out.writestr("extra.txt", b"not listed")
    bad = packages.verify_zip(tampered)
    assert not bad.ok
    assert any(victim in p and "SHA-256" in p for p in bad.problems)
    assert any("extra.txt" in p for p in bad.problems)


def test_only_the_route_and_the_enterprise_may_have_the_package(
    session: Session, world: World, clock: Clock
) -> None:
    application = at_department(session, world, clock)
    for actor in (
        world.other_enterprise.actor(StaffRole.HANDLER),  # another tenant
        world.bureau.actor(StaffRole.HANDLER),  # on the route, but not reached yet
        actor_for(application.applicant, None),  # the applicant: packages travel between offices
    ):
        with pytest.raises(NotFound):
            packages.package_pdf(session, STORAGE, actor, application.id, clock.now)
    for actor in (dept(world), world.enterprise.actor(StaffRole.LEADER)):
        name, data = packages.package_pdf(session, STORAGE, actor, application.id, clock.now)
        assert data.startswith(b"%PDF") and application.applicant.name in name
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "export_package", AuditEvent.object_id == application.id
        )
    ).all()
    assert len(events) == 2 and all(e.detail["format"] == "pdf" for e in events)


def _result(job_id: int, session: Session, actor: Actor, tmp_path: Path, now: datetime) -> Path:
    job = jobs.result_of(session, actor, job_id, now)
    assert job.result_file is not None
    path = tmp_path / "result.zip"
    path.write_bytes(STORAGE.get(job.result_file.sha256))  # verified against its SHA-256 on the way
    return path


def test_a_batch_zip_is_built_by_the_worker_and_only_its_creator_sees_it(
    app: Flask, session: Session, world: World, clock: Clock, tmp_path: Path, queue: None
) -> None:
    chosen = [at_department(session, world, clock) for _ in range(2)]
    elsewhere = make_application(session, world, clock.now, office=world.other_enterprise)
    actor = dept(world)
    job = packages.start_batch(session, actor, [a.id for a in chosen] + [elsewhere.id], clock.now)
    assert job.params["ids"] == [a.id for a in chosen]  # the one not at the department is not its to package
    session.commit()  # as the request's commit: the job goes to the queue
    assert run_queued(app) == 1
    session.expire_all()
    assert job.state is JobStatus.DONE and job.done == 2 and job.percent == 100 and job.attempts == 1
    with pytest.raises(NotFound):
        jobs.job_for(session, world.department.actor(StaffRole.LEADER), job.id)
    path = _result(job.id, session, actor, tmp_path, clock.now)
    with zipfile.ZipFile(path) as zf:
        folders = {name.split("/", 1)[0] for name in zf.namelist()}
        pdfs = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".pdf")]
    assert len(folders) == 2 and all(any(str(a.id) in f for f in folders) for a in chosen)
    assert len(pdfs) == 2
    assert packages.verify_zip(path).ok
    audited = session.scalars(
        select(AuditEvent.action).where(AuditEvent.detail["job"].as_integer() == job.id)
    ).all()
    assert sorted(audited) == [
        "export_package",
        "export_package",
        "export_package_batch",
        "start_package_batch",
    ]


def test_a_batch_cut_short_is_run_again_from_the_start_and_audited_once(
    app: Flask, session: Session, world: World, clock: Clock, tmp_path: Path, queue: None
) -> None:
    """A worker killed mid-run leaves its job running with an old heartbeat: the recovery sweep hands it
    back, the next attempt builds a fresh ZIP from the start, and the export is audited once."""
    application = at_department(session, world, clock)
    actor = dept(world)
    app.config["PORTAL_PACKAGE_DIR"] = str(tmp_path / "packages")  # this test's own scratch folder
    job = packages.start_batch(session, actor, [application.id], clock.now)
    session.commit()
    jobs.forget_pending(session)
    queue_module.huey.flush()  # the message was lost with the worker
    claimed = jobs.claim(session, job.id, clock.now)  # the first worker took it ...
    assert claimed is not None and claimed.attempts == 1
    jobs.progress(session, claimed, clock.now, done=0)
    session.commit()  # ... and died: no more heartbeats
    assert jobs.to_recover(session, clock.now + timedelta(minutes=1)) == []
    clock.advance(minutes=6)
    with app.app_context():
        tasks.recover_jobs.call_local()
    assert run_queued(app) == 1
    session.expire_all()
    assert job.state is JobStatus.DONE and job.attempts == 2
    assert packages.verify_zip(_result(job.id, session, actor, tmp_path, clock.now)).ok
    exported = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "export_package", AuditEvent.object_id == application.id
        )
    ).all()
    assert len(exported) == 1 and exported[0].detail["job"] == job.id
    assert not list((tmp_path / "packages").glob("job-*"))  # no half-written file left behind
    app.config["PORTAL_PACKAGE_DIR"] = str(PACKAGE_DIR)


def test_the_filtered_queue_s_ids_are_listed_without_naming_any_batch(
    session: Session, world: World, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packaging the filtered queue needs the ids alone: the batch titles the Excel writes (read from
    the bureau's profile and its admin's windows) are not computed for it."""
    listed = [
        in_batch(
            session,
            make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW]),
            "2026-4",
            name="2026年第四批",
        )
        for _ in range(2)
    ]

    def named(*_: object) -> str:
        raise AssertionError("a batch title was computed")

    monkeypatch.setattr(policies, "batch_title", named)
    ids = packages.filtered_ids(session, dept(world), queues.Tab.HANDLER, queues.Filters(), clock.now)
    assert sorted(ids) == sorted(a.id for a in listed)
    with pytest.raises(AssertionError, match="batch title"):  # the Excel's rows still name theirs
        next(queues.export_rows(session, dept(world), queues.Tab.HANDLER, queues.Filters(), clock.now))


def test_a_committee_road_package_names_the_office_on_its_route_and_the_batch_by_name(
    session: Session, clock: Clock
) -> None:
    # The cover's 审核路径 stopped at the bureau and the office's own steps were filed under 申报人及系统;
    # the 受理批次 showed the batch's id.
    from tests.factories import make_committee, make_committee_world, make_review_application, to_meeting

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    in_batch(session, application, "zj24-01-1a")  # zhenjiang-2024: 建设工程（镇江市区）
    clock.now = to_meeting(session, world, made, application, clock.now)
    office = made.office.actor(StaffRole.HANDLER)
    built = packages.build_pdf(session, STORAGE, office, application, clock.now)
    reader = PdfReader(io.BytesIO(built.data))
    cover = "".join(reader.pages[0].extract_text().split())
    office_name = "".join(made.office.org.name.split())
    assert f"{''.join(world.bureau.org.name.split())}→{office_name}" in cover
    title = packages.policies.batch_title(
        packages.policies.effective_profile(session, world.bureau.org), "zj24-01-1a", None
    )
    assert title != "zj24-01-1a" and f"受理批次{title}" in cover
    text = "".join("".join(page.extract_text().split()) for page in reader.pages[: built.pages - 1])
    opinions = text[text.index("各级审核意见", len(cover)) :]
    assert office_name in opinions  # the office's acceptance under its own name
    # The 公示结果 bound is the unit's notice, not the office's 评前公示 published since.
    result = text[text.index("公示结果", len(cover)) :]
    unit = "".join(world.enterprise.org.name.split())
    assert f"公示单位：{unit}" in result and f"公示单位：{office_name}" not in result


def test_a_name_corrected_after_a_batch_withdraws_its_zip_and_the_next_package_reads_the_new_name(
    app: Flask, session: Session, world: World, clock: Clock, tmp_path: Path, queue: None
) -> None:
    """HR correct a name (the case still with the unit): the package PDF and ZIP are made from the account
    at each download, so they read the new name at once; a batch ZIP the worker already made keeps the old
    one in its PDFs and folder names, so it is withdrawn (its job says why, its owner is told), while a
    batch of someone else's case stays offered. The audit keeps what was exported."""
    from portal.domain.accounts import AccountChange
    from portal.models import Notification, StoredFile
    from portal.services import accounts

    hr = world.enterprise.actor(StaffRole.HANDLER)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    other = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    old_name = application.applicant.name
    name, pdf = packages.package_pdf(session, STORAGE, hr, application.id, clock.now)
    assert old_name in name and PdfReader(io.BytesIO(pdf)).metadata.title == f"{old_name} 职称申报材料"
    batch = packages.start_batch(session, hr, [application.id, other.id], clock.now)
    untouched = packages.start_batch(session, hr, [other.id], clock.now)
    session.commit()
    assert run_queued(app) == 2
    session.expire_all()
    assert batch.state is JobStatus.DONE and batch.result_file is not None
    with zipfile.ZipFile(_result(batch.id, session, hr, tmp_path, clock.now)) as zf:
        assert any(old_name in entry for entry in zf.namelist())
    result_id = batch.result_file_id

    accounts.update_applicant_account(
        session, hr, application.applicant_id, AccountChange("更正姓名"), clock.now
    )

    assert batch.result_file_id is None and "姓名已更正" in batch.message
    with pytest.raises(NotFound):
        jobs.result_of(session, hr, batch.id, clock.now)
    assert session.get(StoredFile, result_id) is None  # the bytes go with the next file sweep
    assert untouched.result_file is not None  # another person's batch is not touched
    told = session.scalars(select(Notification).where(Notification.link == f"/jobs/{batch.id}")).all()
    assert any("姓名已更正" in n.text for n in told)
    corrected = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "update_account").order_by(AuditEvent.id.desc())
    ).first()
    assert corrected is not None and corrected.detail["withdrawn_batches"] == [batch.id]
    assert session.scalars(  # what left stays on the record
        select(AuditEvent).where(
            AuditEvent.action == "export_package", AuditEvent.object_id == application.id
        )
    ).all()
    name, pdf = packages.package_pdf(session, STORAGE, hr, application.id, clock.now)
    assert "更正姓名" in name and PdfReader(io.BytesIO(pdf)).metadata.title == "更正姓名 职称申报材料"
    again = packages.start_batch(session, hr, [application.id], clock.now)
    session.commit()
    assert run_queued(app) == 1
    session.expire_all()
    with zipfile.ZipFile(_result(again.id, session, hr, tmp_path, clock.now)) as zf:
        names = zf.namelist()
    assert any("更正姓名" in entry for entry in names) and not any(old_name in entry for entry in names)


def _correct_during(
    monkeypatch: pytest.MonkeyPatch, session: Session, hr: Actor, application: Application, names: list[str]
) -> None:
    """Each time the worker has written `application`'s folder, HR correct its applicant's name to the
    next of `names` and commit: the build read the name before the correction, and stores after it."""
    from portal.domain.accounts import AccountChange
    from portal.extensions import db
    from portal.services import accounts

    write = packages.write_application
    left = list(names)

    def written_then_corrected(*args, **kwargs):  # type: ignore[no-untyped-def]
        detail = write(*args, **kwargs)
        if args[3].id == application.id and left:
            db.session.commit()  # the worker's read transaction ends (it wrote nothing), as at each step
            accounts.update_applicant_account(
                session, hr, application.applicant_id, AccountChange(left.pop(0)), CORRECTED_AT
            )
            session.commit()
        return detail

    monkeypatch.setattr(packages, "write_application", written_then_corrected)


CORRECTED_AT = datetime(2026, 9, 28, 3, 0, tzinfo=UTC)


def test_a_name_corrected_while_the_batch_is_built_is_not_kept_with_the_old_name(
    app: Flask,
    session: Session,
    world: World,
    clock: Clock,
    tmp_path: Path,
    queue: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker has written a folder with the applicant's name when HR correct it (a correction finds
    no ZIP to withdraw yet). Storing the ZIP, the worker checks the names under the correction's lock:
    this one changed, so it builds the batch again with the corrected name and says so on the job page;
    only the new ZIP is kept and audited."""
    from portal.models import Job

    hr = world.enterprise.actor(StaffRole.HANDLER)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    other = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    old_name = application.applicant.name
    batch = packages.start_batch(session, hr, [application.id, other.id], clock.now)
    session.commit()
    _correct_during(monkeypatch, session, hr, application, ["更正姓名"])

    assert run_queued(app) == 1

    job = session.scalars(
        select(Job).where(Job.id == batch.id).execution_options(populate_existing=True)
    ).one()
    assert job.state is JobStatus.DONE and job.result_file is not None
    with zipfile.ZipFile(_result(job.id, session, hr, tmp_path, clock.now)) as zf:
        names = zf.namelist()
        pdf = zf.read(next(n for n in names if str(application.id) in n and n.endswith(".pdf")))
    assert any("更正姓名" in entry for entry in names) and not any(old_name in entry for entry in names)
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "更正姓名 职称申报材料"
    assert "已按更正后的姓名重新生成" in job.message
    delivered = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_package_batch", AuditEvent.object_id == job.id)
    ).all()
    assert len(delivered) == 1  # the discarded build left no trace of a delivery


def test_a_batch_whose_names_keep_changing_stores_nothing_and_asks_to_start_again(
    app: Flask,
    session: Session,
    world: World,
    clock: Clock,
    queue: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A correction under every build: after the last rebuild the job gives up (no retries), keeps no
    ZIP, and tells its owner why and to start it again."""
    from portal.models import Job, StoredFile

    hr = world.enterprise.actor(StaffRole.HANDLER)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.SUBMITTED])
    batch = packages.start_batch(session, hr, [application.id], clock.now)
    session.commit()
    files_before = session.scalar(select(func.count()).select_from(StoredFile))
    _correct_during(
        monkeypatch, session, hr, application, ["更正甲", "更正乙", "更正丙"][: jobs.REBUILDS + 1]
    )

    assert run_queued(app) == 1

    job = session.scalars(
        select(Job).where(Job.id == batch.id).execution_options(populate_existing=True)
    ).one()
    assert job.state is JobStatus.FAILED and job.result_file_id is None and job.attempts == 1
    assert job.error == jobs.NAMES_KEPT_CHANGING
    assert session.scalar(select(func.count()).select_from(StoredFile)) == files_before
