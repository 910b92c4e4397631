"""Issue 16 item 16: what a reviewer downloads in bulk is marked, the originals leave only for the
provincial hand-off, and every bulk download is audited.

- Every page of a package PDF carries 仅供职称申报使用 · who · when (the same words as a single staff
  download), the generated pages and every material page alike.
- A batch ZIP holds each application's watermarked package PDF and its manifest, and no original file.
- The originals' ZIP (untouched files) goes to the handler of the organisation holding the application
  only; everyone else on the route is refused with the reason, the review page says who may have it,
  and the ZIP itself says what it is for and who took it.
- Each bulk download route (package PDF and ZIP, batch ZIP, certificate Excel with full ID numbers,
  queue Excel, 批复, 公示表, audit export) leaves one audit event naming who took what.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent
from portal.services import materials
from portal.services.submissions import new_token
from portal.storage.local import LocalStorage
from tests.conftest import run_queued
from tests.security.conftest import Tenant, store_where_the_app_reads

STAMP = "2026-09-28 10:00"  # the test clock, in Beijing time
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _as(login_as: Any, tenant: Tenant, role: str) -> FlaskClient:
    user, membership_id = tenant.roles()[role]
    return login_as(user, membership_id=membership_id)  # type: ignore[no-any-return]


def _assert_watermarked(pdf: bytes, who: str) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"仅供职称申报使用 · {who} · {STAMP}" in text, f"page {number} is not watermarked"
    return len(reader.pages)


def test_every_page_of_a_package_pdf_carries_the_watermark_of_who_and_when(
    session: Session, storage: LocalStorage, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    ours, _ = tenants
    store_where_the_app_reads(session, storage, ours.application)
    for role in ("department_handler", "bureau_leader", "enterprise_leader"):
        user, _ = ours.roles()[role]
        response = _as(login_as, ours, role).post(f"/packages/applications/{ours.application.id}/package.pdf")
        assert response.status_code == 200, role
        pages = _assert_watermarked(response.data, user.name)
        material_pages = sum(m.pages for m in materials.active_materials(session, ours.application.id))
        assert pages > material_pages  # the generated pages and the materials' pages, all marked


def test_a_batch_zip_holds_watermarked_pdfs_and_no_original(
    app: Flask,
    session: Session,
    storage: LocalStorage,
    tenants: tuple[Tenant, Tenant],
    login_as: Any,
    queue: None,
) -> None:
    ours, _ = tenants
    store_where_the_app_reads(session, storage, ours.application)
    user, _ = ours.roles()["department_handler"]
    browser = _as(login_as, ours, "department_handler")
    form = {"ids": [str(ours.application.id)], "form_token": new_token()}
    created = browser.post("/packages/batches", data=form)
    job = re.fullmatch(r"/jobs/(\d+)", created.headers["Location"])
    assert job is not None
    run_queued(app)  # the worker builds the ZIP (a background job)
    download = browser.get(f"/jobs/{job.group(1)}/download")
    assert download.status_code == 200
    originals = {
        stored.sha256
        for material in materials.active_materials(session, ours.application.id)
        for stored in [material.file] + [e.stamped_file for e in material.endorsements]
    }
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        pdfs = [n for n in names if n.endswith(".pdf")]
        assert len(pdfs) == 1 and all(
            n.rsplit("/", 1)[-1].startswith(("manifest.", "申报材料")) for n in names
        )
        for name in names:
            data = archive.read(name)
            assert hashlib.sha256(data).hexdigest() not in originals, f"{name} is an unmarked original"
        _assert_watermarked(archive.read(pdfs[0]), user.name)
        manifest = json.loads(archive.read(next(n for n in names if n.endswith("manifest.json"))))
    assert "水印" in manifest["purpose"] and [f["role"] for f in manifest["files"]] == ["package"]


def test_the_originals_zip_goes_to_the_holders_handler_only_and_says_so(
    session: Session, storage: LocalStorage, tenants: tuple[Tenant, Tenant], login_as: Any
) -> None:
    ours, _ = tenants
    application = ours.application  # at the bureau: the bureau holds it
    store_where_the_app_reads(session, storage, application)
    url = f"/packages/applications/{application.id}/package.zip"
    for role in ("enterprise_handler", "enterprise_leader", "department_handler", "department_leader",
                 "bureau_leader"):  # fmt: skip
        browser = _as(login_as, ours, role)
        refused = browser.post(url)
        assert refused.status_code == 403, role
        assert "仅供向省级职称申报系统报送" in refused.text and application.current_org.name in refused.text
        page = browser.get(f"/review/applications/{application.id}").text
        assert 'id="package-zip-rule"' in page and url not in page, role
    handler = _as(login_as, ours, "bureau_handler")
    page = handler.get(f"/review/applications/{application.id}").text
    assert url in page and "仅供向省级系统报送" in page
    taken = handler.post(url)
    assert taken.status_code == 200
    user, _ = ours.roles()["bureau_handler"]
    with zipfile.ZipFile(io.BytesIO(taken.data)) as archive:
        readme = archive.read("用途说明.txt").decode("utf-8-sig")
        manifest = json.loads(archive.read("manifest.json"))
        kept = {archive.read(n) for n in archive.namelist() if n.startswith(("原件/", "核对签章件/"))}
    assert "仅供向省级职称申报系统报送" in readme and user.name in readme and STAMP in readme
    assert manifest["purpose"].startswith("原件ZIP") and manifest["generated_by"] == user.name
    for material in materials.active_materials(session, application.id):
        assert storage.get(material.file.sha256) in kept  # byte for byte as uploaded


def _events(session: Session, action: str, actor_id: int) -> int:
    session.expire_all()
    stmt = select(func.count()).where(
        AuditEvent.action == action, AuditEvent.actor_id == actor_id, AuditEvent.outcome == "ok"
    )
    return int(session.scalar(stmt) or 0)


def test_every_bulk_download_is_audited(
    app: Flask,
    session: Session,
    storage: LocalStorage,
    tenants: tuple[Tenant, Tenant],
    login_as: Any,
    queue: None,
) -> None:
    ours, _ = tenants
    store_where_the_app_reads(session, storage, ours.application)
    a = ours.application
    assert ours.certified.certified_at is not None
    day = ours.certified.certified_at.astimezone(SHANGHAI).date()
    cases = [  # (role, method, url, form, audit action, what the event must say)
        ("department_handler", "POST", f"/packages/applications/{a.id}/package.pdf", None, "export_package",
         {"format": "pdf"}),
        ("bureau_handler", "POST", f"/packages/applications/{a.id}/package.zip", None, "export_package",
         {"format": "zip"}),
        ("bureau_leader", "POST", "/certificates/approval.pdf", {"day": day.isoformat()}, "export_approval",
         {"rows": 1}),
        ("enterprise_handler", "POST", "/review/queue.xlsx?tab=all", None, "export_queue", {"tab": "all"}),
        ("enterprise_handler", "POST", f"/notices/{ours.closed_notice.id}/sheet.xlsx", None, "export_notice",
         {"document": "sheet.xlsx"}),
        ("enterprise_handler", "POST", f"/notices/{ours.closed_notice.id}/sheet.pdf", None, "export_notice",
         {"document": "sheet.pdf"}),
        ("admin", "POST", "/admin/audit.xlsx", None, "export_audit", {}),
        ("bureau_handler", "POST", "/committees/confirmations.xlsx?tab=all", None,
         "export_title_confirmations", {"tab": "all"}),
        ("committee_handler", "POST", "/committees/experts.xlsx", None, "export_experts", {"rows": 1}),
    ]  # fmt: skip
    for role, method, url, form, action, detail in cases:
        user, _ = ours.roles()[role]
        before = _events(session, action, user.id)
        response = _as(login_as, ours, role).open(url, method=method, data=form)
        assert response.status_code == 200, (url, response.status_code)
        response.close()
        assert _events(session, action, user.id) == before + 1, url
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.actor_id == user.id)
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and all(event.detail.get(k) == v for k, v in detail.items()), (url, event)

    # The background exports (a batch ZIP, the certificate Excel with full ID numbers) are audited by the
    # worker once their file is made; downloading the finished file writes nothing (no GET writes).
    user, _ = ours.roles()["enterprise_handler"]
    browser = _as(login_as, ours, "enterprise_handler")
    before = _events(session, "export_package_batch", user.id)
    form = {"ids": [str(ours.application.id)], "form_token": new_token()}
    assert browser.post("/packages/batches", data=form).status_code == 303
    run_queued(app)
    assert _events(session, "export_package_batch", user.id) == before + 1
    assert _events(session, "export_package", user.id) >= 1  # each application of the batch
    user, _ = ours.roles()["bureau_handler"]
    before = _events(session, "export_certificates", user.id)
    exported = _as(login_as, ours, "bureau_handler").post(
        "/certificates/exports", data={"form_token": new_token()}
    )
    assert exported.status_code == 303
    run_queued(app)
    assert _events(session, "export_certificates", user.id) == before + 1
    cases.append(("bureau_handler", "POST", "/certificates/exports", None, "export_certificates", {}))
    # A county's 批复 for its year-end report (REP-01): its bureau follows the Ganzhou profile.
    ours.world.bureau.org.policy_profile = "ganzhou-2026"
    ours.certified.authority_code = "gz-zhanggong"
    session.flush()
    user, _ = ours.roles()["bureau_leader"]
    before = _events(session, "export_approval", user.id)
    form = {"authority": "gz-zhanggong", "year": str(day.year)}
    approval = _as(login_as, ours, "bureau_leader").post("/certificates/year-end/approval.pdf", data=form)
    assert approval.status_code == 200
    assert _events(session, "export_approval", user.id) == before + 1
    url = "/certificates/year-end/approval.pdf"
    cases.append(("bureau_leader", "POST", url, form, "export_approval", {}))
    cases.append(("enterprise_handler", "GET", "/jobs/<job_id>/download", None, "", {}))

    # Nothing that hands out many people's data is left out of the list above.
    audited = {url.split("?")[0] for _, _, url, *_ in cases}
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if path.endswith((".xlsx", ".zip")) or path.endswith(("package.pdf", "approval.pdf", "sheet.pdf")):
            example = re.sub(r"<int:(\w+)>", lambda m: str({"notice_id": ours.closed_notice.id}.get(
                m.group(1), a.id)), path)  # fmt: skip
            # Not people's data: the empty import templates, a committee's acceptance scope (the
            # 申报计划安排表 of the city's notice, public by nature), the meetings list (dates, places,
            # committees, how many on the agenda) and the committees' calls (texts made to be published).
            public = (
                "enterprise.download_import_template", "committees.export_scopes",
                "committees.certificate_template", "committees.export_meetings", "committees.export_calls",
            )  # fmt: skip
            assert example in audited or rule.endpoint in public, path
