"""The hourly sweep forgets the sheets an upload kept for its preview and nobody applied (certificate
numbers, bulk accounts, hand-off results), after the jobs' results' day (maintenance.PREVIEW_TTL): the
import row and its stored file's row go, then the bytes with the file sweep. An applied import is the record
of what it recorded and stays; so does one younger than the day, and a sheet whose content another row keeps.
Real files, in a store of the test's own (the file sweep must not walk the store other workers share)."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Status
from portal.models import CertificateImport, ImportBatch, Meeting, ResultImport, StaffRole, StoredFile
from portal.services import certificate_numbers, files, handoff_results, imports, maintenance
from portal.storage.local import LocalStorage
from tests.conftest import Clock
from tests.factories import STEPS_TO, committee_road, make_application, make_world

DAY = maintenance.PREVIEW_TTL


def _xlsx(header: list[str], *rows: list[object]) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _age(store: LocalStorage, session: Session, file_id: int, at: datetime) -> str:
    """The stored file's key, its bytes dated `at` on disk (the file sweep's own hour of grace)."""
    key = session.get(StoredFile, file_id).sha256  # type: ignore[union-attr]
    os.utime(store._path(key), (at.timestamp(), at.timestamp()))
    return key


def _swept(session: Session, store: LocalStorage, now: datetime) -> int:
    count = maintenance.sweep_previews(session, now)
    files.sweep(session, store, now)
    session.expire_all()
    return count


def test_unapplied_certificate_sheets_and_bulk_files_go_after_the_day(
    app: Flask, session: Session, clock: Clock, tmp_path: Path
) -> None:
    store = LocalStorage(tmp_path / "files")
    road = committee_road(session, clock, published=True)
    meeting = session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
    assert meeting is not None
    bureau = road.world.bureau.actor(StaffRole.HANDLER)
    applicant = road.application.applicant
    start = clock.now

    def check(number: str, at: datetime) -> int:
        data = _xlsx(["姓名", "身份证号", "证书编号"], [applicant.name, applicant.id_number, number])
        return certificate_numbers.check_numbers(
            session, store, bureau, meeting.id, data, "证书编号.xlsx", at
        ).file_id

    applied = check("JS2026-0000001", start)
    forgotten = check("JS2026-0000002", start)
    preview = certificate_numbers.preview(session, store, bureau, meeting.id, applied)[1]
    certificate_numbers.apply_numbers(session, store, bureau, meeting.id, applied, preview.digest, start)
    young = check("JS2026-0000003", start + DAY - timedelta(hours=2))  # checked later: under a day old
    # A bulk-account file the unit checked and never confirmed.
    hr = road.world.enterprise.actor(StaffRole.HANDLER)
    rows = "姓名,证件类型,证件号码,手机号码,用工类型\n赵一,居民身份证,{},13970709961,劳动合同\n".format(
        complete_resident_id("36070219910101123")
    ).encode()
    unconfirmed = imports.check_upload(session, store, hr, rows, "导入.csv", start).file_id
    keys = {f: _age(store, session, f, start) for f in (applied, forgotten, young, unconfirmed)}

    # Not yet a day: nothing goes.
    assert _swept(session, store, start + DAY - timedelta(minutes=1)) == 0
    assert all(store.exists(key) for key in keys.values())

    assert _swept(session, store, start + DAY + timedelta(minutes=1)) == 2
    kept = set(session.scalars(select(CertificateImport.file_id)))
    assert kept == {applied, young}  # the applied one and the young one stay, with their files
    assert session.get(StoredFile, forgotten) is None and not store.exists(keys[forgotten])
    assert session.scalars(select(ImportBatch)).all() == []
    assert session.get(StoredFile, unconfirmed) is None and not store.exists(keys[unconfirmed])
    assert store.exists(keys[applied]) and store.exists(keys[young])
    # The swept preview's page is gone as any unknown file is; the applied one still reads (as recorded).
    _kept, read = certificate_numbers.preview(session, store, bureau, meeting.id, applied)
    assert [r.verdict for r in read.rows] == ["recorded"]

    # The young one goes a day after its own check, the applied one never: the hourly sweep itself.
    config = {
        **app.config,
        "PORTAL_STORAGE_DIR": str(tmp_path / "files"),
        "PORTAL_PACKAGE_DIR": str(tmp_path),
    }
    summary = maintenance.sweep_all(session, config, start + 2 * DAY)
    session.expire_all()
    assert summary.previews == 1 and "未导入的过期预览文件 1 个" in summary.summary()
    assert set(session.scalars(select(CertificateImport.file_id))) == {applied}
    assert not store.exists(keys[young]) and store.exists(keys[applied])


def test_an_unapplied_results_sheet_goes_and_the_content_another_row_keeps_stays(
    session: Session, clock: Clock, tmp_path: Path
) -> None:
    store = LocalStorage(tmp_path / "files")
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED])
    world.bureau.org.policy_profile = "ganzhou-2026"
    session.flush()
    actor = world.enterprise.actor(StaffRole.HANDLER)
    person = application.applicant
    data = _xlsx(
        ["序号", "姓名", "身份证号码", "证书编号", "认定结果", "认定日期"],
        [1, person.name, person.id_number, "JX2026-0001", "通过", "2026-12-01"],
    )
    start = clock.now
    forgotten, _ = handoff_results.check_results(session, store, actor, "jx", data, "结果.xlsx", start)
    # The same sheet checked again and applied: the two rows share the one stored content.
    applied, _ = handoff_results.check_results(session, store, actor, "jx", data, "结果.xlsx", start)
    handoff_results.apply_results(session, store, actor, applied.id, start)
    forgotten_id, forgotten_file, key = (
        forgotten.id,
        forgotten.file_id,
        _age(store, session, applied.file_id, start),
    )

    assert _swept(session, store, start + DAY + timedelta(minutes=1)) == 1
    assert [r.id for r in session.scalars(select(ResultImport))] == [applied.id]
    assert session.get(ResultImport, forgotten_id) is None and session.get(StoredFile, forgotten_file) is None
    assert store.exists(key)  # the applied import's row still refers to those bytes
