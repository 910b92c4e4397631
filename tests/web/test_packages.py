"""Package downloads over HTTP: the review page offers them (POSTs: recorded downloads), the PDF and the
ZIP come down (audited) for the route and the enterprise and are 404 for another tenant, a batch is a
background job whose page shows its progress and whose ZIP holds every selected application, and
`flask package verify` checks a ZIP."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import AuditEvent
from portal.services.submissions import new_token
from tests.conftest import Clock, run_queued
from tests.factories import STEPS_TO, World, make_application, make_world

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def test_the_review_page_links_the_package_and_the_pdf_comes_down_audited(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    browser = login_as(world.department.handler)
    page = browser.get(f"/review/applications/{application.id}")
    assert f"/packages/applications/{application.id}/package.pdf" in page.text
    assert f"/packages/applications/{application.id}/package.zip" in page.text
    response = browser.post(f"/packages/applications/{application.id}/package.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.text[-800:]
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["封面", "申报表", "各级审核意见", "公示结果", "申报材料"]
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "export_package", AuditEvent.object_id == application.id
        )
    ).one()
    assert event.actor_id == world.department.handler.id and event.detail["pages"] == len(reader.pages)


def test_another_tenant_and_the_applicant_get_no_package(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    other = make_world(session)
    for url in (
        f"/packages/applications/{application.id}/package.pdf",
        f"/packages/applications/{application.id}/package.zip",
    ):
        assert login_as(other.department.handler).post(url).status_code == 404
        assert login_as(world.other_enterprise.handler).post(url).status_code == 404
        assert login_as(world.bureau.handler).post(url).status_code == 404  # not reached the bureau yet
        assert login_as(application.applicant).post(url).status_code == 403  # staff only
        assert login_as(world.enterprise.leader).get(url).status_code != 200  # never a GET
    # The originals' ZIP is for the provincial hand-off: the holder's handler only; the rest of the route
    # is told why (and reads the watermarked PDF).
    zip_url = f"/packages/applications/{application.id}/package.zip"
    assert login_as(world.department.handler).post(zip_url).status_code == 200
    for user in (world.enterprise.leader, world.enterprise.handler, world.department.leader):
        refused = login_as(user).post(zip_url)
        assert refused.status_code == 403 and "仅供向省级职称申报系统报送" in refused.text


def test_a_batch_from_the_queue_is_built_in_the_background_and_holds_every_selected_application(
    world: World, session: Session, clock: Clock, login_as: Any, app: Flask, tmp_path: Path, queue: None
) -> None:
    chosen = [
        make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW]) for _ in range(2)
    ]
    browser = login_as(world.department.handler)
    listing = browser.get("/review/queue")
    assert "打包下载所选" in listing.text and "/packages/batches" in listing.text
    created = browser.post(
        "/packages/batches", data={"ids": [str(a.id) for a in chosen], "form_token": new_token()}
    )
    assert created.status_code == 303
    page_url = created.headers["Location"]
    job_id = re.fullmatch(r"/jobs/(\d+)", page_url)
    assert job_id is not None
    page = browser.get(page_url)
    assert "排队等待处理" in page.text and 'hx-trigger="every 2s"' in page.text and "刷新本页" in page.text
    assert '<a href="/review/queue" id="job-back">← 返回队列</a>' in page.text  # where it was started
    assert login_as(world.department.leader).get(page_url).status_code == 404  # the creator's only
    assert browser.get(f"{page_url}/download").status_code == 404  # nothing to download yet
    assert run_queued(app) == 3  # the worker: the job (the tab could have been closed) and the audit
    # rows of the two refusals above (GETs queue them)
    polled = browser.get(page_url, headers=HX)
    assert polled.status_code == 200 and "<html" not in polled.text and "已完成 2 / 2" in polled.text
    assert "every 2s" not in polled.text  # finished: the poll stops
    done = browser.get(page_url)
    assert "已完成" in done.text and "下载 申报材料包-2件.zip" in done.text
    download = browser.get(f"{page_url}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert login_as(world.department.leader).get(f"{page_url}/download").status_code == 404
    archive = tmp_path / "batch.zip"
    archive.write_bytes(download.data)
    with zipfile.ZipFile(archive) as zf:
        folders = {name.split("/", 1)[0] for name in zf.namelist()}
    assert len(folders) == 2 and all(any(f.endswith(f"-{a.id}") for f in folders) for a in chosen)
    result = app.test_cli_runner().invoke(args=["package", "verify", str(archive)])
    assert result.exit_code == 0 and "SHA-256 与清单一致" in result.output


def test_a_batch_of_the_filtered_queue_and_an_empty_selection(
    world: World, session: Session, clock: Clock, login_as: Any, queue: None
) -> None:
    make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    browser = login_as(world.department.handler)
    empty = browser.post("/packages/batches", data={"form_token": new_token()})
    assert empty.status_code == 303 and "/review/queue" in empty.headers["Location"]
    assert "请先勾选要打包的申报" in browser.get(empty.headers["Location"]).text
    created = browser.post(
        "/packages/batches", data={"scope": "filtered", "tab": "handler", "form_token": new_token()}
    )
    assert created.status_code == 303
    assert "已完成 0 / 1" in browser.get(created.headers["Location"]).text


def test_package_verify_fails_on_a_tampered_zip(
    world: World, session: Session, clock: Clock, login_as: Any, app: Flask, tmp_path: Path
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.DEPT_REVIEW])
    data = (
        login_as(world.department.handler).post(f"/packages/applications/{application.id}/package.zip").data
    )
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(tampered, "w") as out:
        for info in source.infolist():
            content = source.read(info)
            out.writestr(info, content[:-1] + b"X" if info.filename.startswith("原件/") else content)
    result = app.test_cli_runner().invoke(args=["package", "verify", str(tampered)])
    assert result.exit_code == 1 and "SHA-256 与清单不符" in result.output
