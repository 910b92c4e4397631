"""The hand-off page and its export job (issue 23.5): the unit's handler exports a target's applications in
the background, the ZIP holds every folder with files the target accepts and manifests that verify; a run
cut short resumes from the parts it stored; only the holding unit's handler exports; the admin sees each
profile and what is unconfirmed."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import asdict
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.workflow import Status
from portal.models import (
    AuditEvent,
    HandoffPart,
    HandoffResult,
    Job,
    ResultImport,
    ResultImportStatus,
    StaffRole,
)
from portal.services import handoffs
from portal.services.materials import store_file
from portal.services.submissions import new_token
from tests.conftest import Clock, run_queued
from tests.factories import STEPS_TO, STORAGE, make_application, make_world, with_document
from tests.i18n.reading import in_english

CAP = 2_097_152
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # Han and full-width marks


def _ready(session: Session, clock: Clock, profile: str, count: int = 1, pathway: str = "认定"):
    world = make_world(session)
    chosen = [
        make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED], pathway=pathway)
        for _ in range(count)
    ]
    world.bureau.org.policy_profile = profile
    session.flush()
    return world, chosen


def _download(browser: Any, job_url: str) -> dict[str, bytes]:
    result = browser.get(f"{job_url}/download")
    assert result.status_code == 200
    with zipfile.ZipFile(io.BytesIO(result.data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_the_handler_exports_a_target_in_the_background_and_the_zip_verifies(
    session: Session, clock: Clock, login_as: Any, app: Flask, queue: None
) -> None:
    world, chosen = _ready(session, clock, "kunming-2022", 2)
    browser = login_as(world.enterprise.handler)
    page = browser.get("/handoffs/")
    assert page.status_code == 200 and "昆明市专业技术人员职称申报系统" in page.text
    assert all(a.applicant.name in page.text for a in chosen) and 'id="export-km"' in page.text
    started = browser.post("/handoffs/km/exports", data={"form_token": new_token()})
    assert started.status_code == 303
    job_url = started.headers["Location"]
    assert re.fullmatch(r"/jobs/\d+", job_url)
    run_queued(app)
    done = browser.get(job_url)
    assert "已完成 3 / 3" in done.text and "职称申报承诺书" in done.text  # the problems on screen
    files = _download(browser, job_url)
    manifest = json.loads(files["manifest.json"])
    listed = {f["file"]: f for f in manifest["files"]}
    for a in chosen:
        assert handoffs.folder_of(chosen.index(a) + 1, a) + "综合情况（公示）表.pdf" in listed
    for name, entry in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == entry["sha256"]
        if entry["application_id"]:
            assert name.endswith((".pdf", ".jpg")) and len(files[name]) <= CAP
    assert {p["what"] for p in manifest["problems"]} >= {"缺少必传材料，目标系统不予受理"}
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "export_handoff")).all()
    assert len(events) == 1 and events[0].detail["applications"] == [a.id for a in chosen]
    assert session.scalars(select(HandoffPart)).all() == []  # the parts go once the ZIP is stored


def test_a_run_cut_short_resumes_from_the_parts_it_stored(
    session: Session, clock: Clock, app: Flask, queue: None
) -> None:
    world, chosen = _ready(session, clock, "ganzhou-2026", 2)
    actor = world.enterprise.actor(StaffRole.HANDLER)
    job = handoffs.start_export(session, actor, "jx", None, clock.now)
    # The first attempt stored the first application's part, then the worker died.
    profile = handoffs.profile_of("jx")
    data, manifest = handoffs.build_part(session, STORAGE, profile, chosen[0], 1, clock.now)
    marker = handoffs.Problem(chosen[0].applicant.name, chosen[0].id, "", "由上一次运行保存")
    manifest["problems"].append(asdict(marker))
    stored = store_file(session, STORAGE, data, "application/zip", "part.zip", actor, clock.now)
    session.add(HandoffPart(job_id=job.id, application_id=chosen[0].id, position=1, file_id=stored.id,
                            manifest=manifest, created_at=clock.now))  # fmt: skip
    session.flush()
    from portal import jobs as queue_setup
    from portal.jobs.tasks import run_job

    queue_setup.configure(app)
    run_job.call_local(job.id)
    session.refresh(job)
    assert job.status == "done"
    whats = [p["what"] for p in job.params["problems"]]
    assert whats.count("由上一次运行保存") == 1  # the stored part was taken as it was, not rebuilt
    with zipfile.ZipFile(io.BytesIO(STORAGE.get(job.result_file.sha256))) as zf:
        names = zf.namelist()
    assert all(any(n.startswith(handoffs.folder_of(i, a)) for n in names) for i, a in enumerate(chosen, 1))


def test_only_the_holding_units_handler_exports(
    session: Session, clock: Clock, login_as: Any, queue: None
) -> None:
    world, chosen = _ready(session, clock, "ganzhou-2026")
    leader = login_as(world.enterprise.leader).get("/handoffs/")
    assert chosen[0].applicant.name in leader.text and 'id="export-jx"' not in leader.text
    other = login_as(world.other_enterprise.handler)
    assert chosen[0].applicant.name not in other.get("/handoffs/").text
    refused = other.post("/handoffs/jx/exports", data={"ids": [str(chosen[0].id)], "form_token": new_token()})
    assert refused.status_code == 303 and "经办人导出" in other.get(refused.headers["Location"]).text
    assert (
        login_as(world.department.handler)
        .post("/handoffs/xx/exports", data={"form_token": new_token()})
        .status_code
        == 404
    )
    assert session.scalars(select(Job)).all() == []
    assert login_as(chosen[0].applicant).get("/handoffs/").status_code == 403


def test_the_admin_sees_each_profile_and_what_is_unconfirmed(session: Session, login_as: Any) -> None:
    """Each unconfirmed value is named as the admin knows it: the page showed developer keys and the
    tracker's issue ("files.ladder: issue 23：…", "slots[0]:", "documents[0].titled[1]:", "（未收录）")."""
    world = make_world(session)
    browser = login_as(world.admin, membership_id=world.admin_membership.id)
    page = browser.get("/handoffs/profiles")
    assert page.status_code == 200
    for target in ("jx", "js", "km"):
        profile = handoffs.profile_of(target)
        assert profile.system in page.text
        for path, item in profile.unconfirmed():
            assert f"{path}</code>" not in page.text and f">{path}：" not in page.text
            assert item.source in page.text
    assert "<li>文件压缩（质量与分辨率）：本平台设定：" in page.text
    assert "<li>上传栏目“身份证”：" in page.text
    assert "待确认" in page.text
    assert not re.search(r"issue \d|未收录|<code>[a-z_.]+(\[\d+\])?", page.text)
    in_english(browser)
    english = browser.get("/handoffs/profiles").text
    assert "<li>File compression (quality and resolution): " in english
    assert '<li>Upload field “<span lang="zh-CN">身份证</span>”: ' in english
    assert login_as(world.enterprise.handler).get("/handoffs/profiles").status_code == 403


def test_results_come_back_through_a_preview_and_one_confirmation(
    session: Session, clock: Clock, login_as: Any
) -> None:
    from openpyxl import Workbook

    world, chosen = _ready(session, clock, "ganzhou-2026")
    book = Workbook()
    book.active.append(["姓名", "身份证号码", "证书编号", "认定结果"])
    book.active.append([chosen[0].applicant.name, chosen[0].applicant.id_number, "赣JX-001", "通过"])
    book.active.append(["无此人", "36070219900101001X", "赣JX-002", "通过"])
    out = io.BytesIO()
    book.save(out)
    browser = login_as(world.enterprise.handler)
    uploaded = browser.post(
        "/handoffs/jx/results",
        data={"file": (io.BytesIO(out.getvalue()), "结果.xlsx"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    preview = browser.get(uploaded.headers["Location"])
    assert "匹配 1 行" in preview.text and ("未找到" in preview.text or "身份证号码有误" in preview.text)
    assert session.scalars(select(HandoffResult)).all() == []
    applied = browser.post(uploaded.headers["Location"] + "/apply", data={"form_token": new_token()})
    assert applied.status_code == 303 and "已登记 1 条结果" in browser.get(applied.headers["Location"]).text
    assert [r.certificate_no for r in session.scalars(select(HandoffResult))] == ["赣JX-001"]
    assert login_as(world.other_enterprise.handler).get(uploaded.headers["Location"]).status_code == 404


def test_a_results_row_under_another_name_is_shown_with_both_names_and_not_registered(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Walk 5, item 4: the row "孙嘉仪" under 孙嘉怡's ID number read 匹配 and 确认登记 registered it on her
    case. The preview now says 姓名不一致 with both names (in English too), offers nothing to register,
    and a POST registers nothing."""

    from tests.i18n.reading import leaks

    world, chosen = _ready(session, clock, "ganzhou-2026")
    chosen[0].applicant.name = "孙嘉怡"
    session.flush()
    browser = login_as(world.enterprise.handler)
    url = _upload_results(browser, [["孙嘉仪", chosen[0].applicant.id_number, "赣2026-000124", "通过"]])
    page = browser.get(url).get_data(as_text=True)
    row = page[page.index('<tr class="verdict-name_differs">') :]
    row = row[: row.index("</tr>")]
    assert "姓名不一致：表中姓名“孙嘉仪”与该证件号码申报人的姓名“孙嘉怡”不一致" in row
    assert "匹配 0 行" in page and 'id="apply-results"' not in page
    assert browser.post(url + "/apply", data={"form_token": new_token()}).status_code == 303
    assert session.scalars(select(HandoffResult)).all() == []
    in_english(browser)
    english = browser.get(url).get_data(as_text=True)
    assert "Name differs" in english and leaks(english)[1] == []


def test_a_result_for_a_passport_holder_is_matched_by_the_passport_number(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Seen: the provincial system's results list a foreign applicant by his passport number; the row read
    “身份证号码有误” and his result could not be recorded."""
    from openpyxl import Workbook

    world, chosen = _ready(session, clock, "ganzhou-2026")
    person = chosen[0].applicant
    with_document(person, "passport", "E98765432")
    session.flush()
    book = Workbook()
    book.active.append(["姓名", "身份证号码", "证书编号", "认定结果"])
    book.active.append([person.name, "e9876 5432", "赣JX-001", "通过"])
    out = io.BytesIO()
    book.save(out)
    browser = login_as(world.enterprise.handler)
    uploaded = browser.post(
        "/handoffs/jx/results",
        data={"file": (io.BytesIO(out.getvalue()), "结果.xlsx"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    preview = browser.get(uploaded.headers["Location"])
    assert "匹配 1 行" in preview.text and "身份证号码有误" not in preview.text


def test_the_copy_helper_lists_every_field_in_their_order_with_a_copy_button(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, chosen = _ready(session, clock, "zhenjiang-2024")
    browser = login_as(world.enterprise.handler)
    url = f"/handoffs/js/applications/{chosen[0].id}/copy"
    assert url in browser.get("/handoffs/").text
    page = browser.get(url)
    assert page.status_code == 200 and "<script>" not in page.text  # CSP: the buttons work through app.js
    profile = handoffs.profile_of("js")
    sections, _ = handoffs.document_rows(profile.document("form"), handoffs.values_of(session, chosen[0]))
    labels = [label for _title, rows in sections for label, _value in rows]
    positions = [page.text.index(f'<th scope="row">{label}</th>') for label in labels]
    assert positions == sorted(positions)
    id_number = chosen[0].applicant.id_number
    nothing = {*handoffs.NOTHING_TO_COPY, id_number}  # "—", 无 and the masked number: no button
    copyable = [v for _t, rows in sections for _l, v in rows if v not in nothing]
    assert page.text.count("data-copy=") >= len(copyable)  # the ID number masked: asked for first
    assert chosen[0].applicant.id_number not in page.text  # a GET shows nothing that must be audited
    assert login_as(world.other_enterprise.handler).get(url).status_code == 404
    assert browser.get(f"/handoffs/jx/applications/{chosen[0].id}/copy").status_code == 404  # no copy page


def test_the_applicant_sees_the_provincial_result_and_the_e_certificate_lookup(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, chosen = _ready(session, clock, "zhenjiang-2024")
    application = chosen[0]
    page = login_as(application.applicant).get(f"/me/applications/{application.id}")
    assert "省级系统的证书" not in page.text  # nothing yet
    result = HandoffResult(
        application_id=application.id,
        target="js",
        outcome="passed",
        certificate_no="苏E-2026-1",
        import_id=_an_import(session, world).id,
        recorded_by_id=world.enterprise.handler.id,
        recorded_at=clock.now,
    )
    session.add(result)
    session.flush()
    page = login_as(application.applicant).get(f"/me/applications/{application.id}")
    lookup = handoffs.profile_of("js").lookup
    assert "苏E-2026-1" in page.text and lookup is not None and lookup.url in page.text


def test_the_portal_s_certificate_number_and_the_province_s_are_named_apart(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Walk 5, item 4: after the results import the applicant's page read "证书编号：2026GZ00003" (the
    e-certificate 认定发证 numbered here) and, under 省级系统的证书, "证书编号：赣2026-000124", with nothing
    saying which is the official record. Each is named now, on the applicant's page and on the review
    page (which showed only ours); the same number twice is not called two."""
    world, chosen = _ready(session, clock, "ganzhou-2026")
    application = chosen[0]
    application.certificate_no, application.certificate_code = "2026GZ00003", "x" * 43
    application.status = Status.CERTIFIED.value
    session.add(
        HandoffResult(
            application_id=application.id, target="jx", outcome="passed", certificate_no="赣2026-000124",
            import_id=_an_import(session, world).id, recorded_by_id=world.enterprise.handler.id,
            recorded_at=clock.now,
        )
    )  # fmt: skip
    session.flush()
    applicant = login_as(application.applicant)
    page = applicant.get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert '本系统电子证书编号：<strong id="certificate-no">2026GZ00003</strong>' in page
    assert re.search(r"省级系统证书编号（正式记录）：<strong[^>]*>.*赣2026-000124", page)
    assert "职称以省级系统的记录为准。本系统电子证书编号 2026GZ00003" in page
    english = in_english(applicant).get(f"/me/applications/{application.id}").get_data(as_text=True)
    assert "official record" in english
    review = login_as(world.enterprise.handler).get(f"/review/applications/{application.id}").text
    assert re.search(r"<dt>本系统电子证书编号</dt><dd[^>]*>2026GZ00003</dd>", review)
    assert re.search(r"<dt>省级系统证书编号（正式记录）</dt><dd[^>]*>.*赣2026-000124", review)
    # The province's number is the one the case holds (the 评审 road's 录入证书编号): one number, as before.
    application.certificate_no = "赣2026-000124"
    session.flush()
    page = applicant.get(f"/me/applications/{application.id}").get_data(as_text=True)  # in English now
    assert "this portal's e-certificate" not in page and 'id="which-certificate-no"' not in page
    assert "Certificate number: " in page and 'id="provincial-certificate-no"' in page


def _an_import(session: Session, world: Any) -> Any:
    from portal.models import ResultImport

    when = world.enterprise.org.created_at
    stored = store_file(
        session, STORAGE, b"x", "text/csv", "r.csv", world.enterprise.actor(StaffRole.HANDLER), when
    )
    row = ResultImport(
        org_id=world.enterprise.org.id,
        target="js",
        file_id=stored.id,
        digest="0" * 64,
        created_by_id=world.enterprise.handler.id,
        created_at=when,
    )
    session.add(row)
    session.flush()
    return row


def test_a_results_file_refused_as_a_whole_reads_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """A results file without the ID column's header, or with no rows, is refused at its field: in the
    English interface in English (the header names the file must carry stay Chinese, marked)."""
    from tests.i18n.reading import in_english, leaks

    world, _chosen = _ready(session, clock, "ganzhou-2026")
    browser = in_english(login_as(world.enterprise.handler))
    for body, said in (
        ("编号,备注\n1,无\n", "column"),
        ("\n\n", "no data"),
    ):
        refused = browser.post(
            "/handoffs/jx/results",
            data={"file": (io.BytesIO(body.encode()), "结果.csv"), "form_token": new_token()},
            content_type="multipart/form-data",
        )
        assert refused.status_code == 422
        shown = refused.get_data(as_text=True)
        error = shown[
            shown.index('id="results-jx-error"') : shown.index("</p>", shown.index('id="results-jx-error"'))
        ]
        assert said in error.lower(), error
        assert leaks(shown)[1] == []


def _results_preview(
    session: Session, clock: Clock, login_as: Any, rows: list[list[str]], *, matching: bool = False
) -> tuple[Any, str]:
    """The handler's browser and the preview page's URL of a results file with ``rows`` under the header
    (after a row matching the application made ready, if ``matching``)."""
    world, chosen = _ready(session, clock, "ganzhou-2026")
    if matching:
        rows = [[chosen[0].applicant.name, chosen[0].applicant.id_number, "赣JX-9", "通过"], *rows]
    browser = login_as(world.enterprise.handler)
    return browser, _upload_results(browser, rows)


def _upload_results(browser: Any, rows: list[list[str]]) -> str:
    """The preview page's URL of a Jiangxi results file with ``rows`` under 姓名/身份证号码/证书编号/认定结果,
    uploaded by ``browser``."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "身份证号码", "证书编号", "认定结果"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    uploaded = browser.post(
        "/handoffs/jx/results",
        data={"file": (io.BytesIO(out.getvalue()), "结果.xlsx"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303
    return uploaded.headers["Location"]


def test_the_results_preview_names_the_provincial_system(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The preview's heading names the system the file came from (it showed the profile's code, "jx")."""
    browser, url = _results_preview(
        session, clock, login_as, [["无此人", "36070219900101001X", "赣1", "通过"]]
    )
    heading = re.search(r"<h1>(.*?)</h1>", browser.get(url).get_data(as_text=True), re.S)
    assert (
        heading is not None and "江西省职称申报评审系统" in heading.group(1) and "jx" not in heading.group(1)
    )


def test_a_results_file_with_nothing_matched_offers_no_confirmation(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """With no row matched there is nothing to record: no 确认登记 button (it offered "确认登记匹配的 0 条
    结果", which recorded nothing and used the file up), and a POST records nothing either."""
    browser, url = _results_preview(
        session, clock, login_as, [["无此人", "36070219900101001X", "赣1", "通过"]]
    )
    page = browser.get(url).get_data(as_text=True)
    assert 'id="apply-results"' not in page and "没有可登记的结果" in page
    refused = browser.post(url + "/apply", data={"form_token": new_token()})
    assert refused.status_code == 303
    assert "没有可登记的结果" in browser.get(refused.headers["Location"]).get_data(as_text=True)
    assert session.scalars(select(ResultImport)).one().state is ResultImportStatus.CHECKED


def test_the_results_summary_reads_as_english_sentences(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The summary's two sentences in English: a space between them, no "1 lines" (it read "1 lines, 0
    matched.1 recorded on …")."""
    from tests.i18n.reading import in_english

    browser, url = _results_preview(session, clock, login_as, [], matching=True)
    in_english(browser)
    assert browser.post(url + "/apply", data={"form_token": new_token()}).status_code == 303
    summary = re.search(r'<p id="results-summary">(.*?)</p>', browser.get(url).get_data(as_text=True), re.S)
    assert summary is not None
    assert re.fullmatch(r"Lines: 1, matched: 0\. 1 recorded on .+\.", summary.group(1).strip()), (
        summary.group(1)
    )


def test_the_js_form_carries_the_work_history_rows_in_its_pdf_and_on_the_copy_page(
    session: Session, clock: Clock, login_as: Any, app: Flask, queue: None
) -> None:
    """The 申报表 handed to 网办大厅 took only our single-value fields: the 工作经历 row (employer,
    post, from when) appeared nowhere, neither in the PDF nor on the copy helper. Each row's fields now
    come in form order under the section the system has, each with its copy button; an empty repeating
    section says 无."""
    from pypdf import PdfReader

    from tests.i18n.reading import in_english

    world, chosen = _ready(session, clock, "zhenjiang-2024", pathway="评审")
    employer = world.enterprise.org.name
    browser = login_as(world.enterprise.handler)
    page = browser.get(f"/handoffs/js/applications/{chosen[0].id}/copy").text
    for label, value in (("工作单位", employer), ("岗位（职务）", "技术员"), ("开始时间", "2015年7月10日")):
        found = re.search(
            rf'<th scope="row">工作经历（1）{re.escape(label)}</th>\s*'
            rf'<td id="(copy-value-\d+)" class="copy-value" lang="zh-CN">{re.escape(value)}</td>',
            page,
        )
        assert found is not None, label
        assert f'data-copy="{found.group(1)}"' in page
    assert page.index("工作经历（1）工作单位") < page.index("工作经历（1）岗位（职务）")  # form order
    assert re.search(
        r'<th scope="row">考试</th>\s*<td id="copy-value-\d+" class="copy-value" lang="zh-CN">无', page
    )
    english = in_english(browser).get(f"/handoffs/js/applications/{chosen[0].id}/copy").text
    assert "(Work history (1) Employer)" in english
    started = browser.post("/handoffs/js/exports", data={"form_token": new_token()})
    run_queued(app)
    files = _download(browser, started.headers["Location"])
    form = next(data for name, data in files.items() if name.endswith("专业技术资格评审申报表.pdf"))
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(form)).pages)
    assert "工作经历（1）工作单位" in text and employer in text and "技术员" in text


def test_a_repeating_section_the_layout_does_not_place_is_listed_as_unplaced(
    session: Session, clock: Clock
) -> None:
    """A layout without 工作经历's rows lists them with the fields it does not place (never dropped)."""
    from portal.domain.handoffs import Document

    _world, chosen = _ready(session, clock, "zhenjiang-2024")
    form = handoffs.profile_of("js").document("form")
    assert form is not None
    trimmed = Document(**{**form.__dict__, "sections": form.sections[:3]})
    _sections, unplaced = handoffs.document_rows(trimmed, handoffs.values_of(session, chosen[0]))
    assert ("工作经历（1）岗位（职务）", "技术员") in unplaced and ("考试", "无") in unplaced


def test_the_copy_helper_offers_no_copy_of_an_empty_field(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """A field with nothing in it shows "—" and no 复制 button: the button copied the dash itself into the
    provincial system's field. Nor has the 无 line of a repeating section without rows (考试 …): it put 无
    into the system's field."""
    world, chosen = _ready(session, clock, "zhenjiang-2024")
    page = login_as(world.enterprise.handler).get(f"/handoffs/js/applications/{chosen[0].id}/copy")
    cells = re.findall(
        r'<td id="(copy-value-\d+)" class="copy-value" lang="zh-CN">(.*?)</td>', page.text, re.S
    )
    empty = [cell for cell, value in cells if value == "—"]
    none = [cell for cell, value in cells if value == "无"]
    assert empty and none and len(empty) + len(none) < len(cells)
    for cell, value in cells:
        masked = "*" in value  # the ID number until asked for: no copy of a wrong number either
        wanted = value not in ("—", "无") and not masked
        assert (f'data-copy="{cell}"' in page.text) is wanted, (cell, value)


def test_the_page_shows_only_the_system_this_units_bureau_hands_off_to(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """A Ganzhou unit reads the Jiangxi system only: the Jiangsu and Kunming sections told it "applications
    appear here once their notice has ended" (they never would) and offered to import their results."""
    world, _chosen = _ready(session, clock, "ganzhou-2026")
    for user in (world.enterprise.handler, world.bureau.handler):
        page = login_as(user).get("/handoffs/").get_data(as_text=True)
        assert 'id="target-jx"' in page
        assert 'id="target-js"' not in page and 'id="target-km"' not in page
        assert "江苏省人力资源和社会保障厅网上办事服务大厅" not in page


def test_every_field_and_section_of_a_copy_page_has_an_english_gloss(app: Flask) -> None:
    """The English copy helper glosses each field name of the target's form (the README's promise): the
    profiles' labels are data, so one no page of ours says had no gloss (出生年月, 申报资格, 基本信息…);
    the rows of a repeating section ("工作经历（1）工作单位") and its 无 line too."""
    from datetime import date

    from flask_babel import force_locale

    from portal.domain.form import SECTIONS, FieldKind, Row
    from portal.services import handoff_profiles
    from portal.web.i18n import translate_plain

    def sample(f: Any) -> object:
        return True if f.kind is FieldKind.FLAG else date(2020, 1, 1) if f.kind is FieldKind.DATE else "x"

    full = {f"rows.{s.key.value}": (Row(1, s.key, {f.name: sample(f) for f in s.fields}),) for s in SECTIONS}
    missing = []
    with app.test_request_context(), force_locale("en"):
        for profile in handoff_profiles.profiles().values():
            for document in (d for d in profile.documents if d.copy_page):
                for values in ({}, full):
                    sections, unplaced = handoffs.document_rows(document, values)
                    labels = [title for title, _rows in sections]
                    labels += [label for _title, rows in sections for label, _value in rows]
                    labels += [label for label, _value in unplaced]
                    # A row's label is composed ("工作经历（1）工作单位"): its template translates even when
                    # its section or field name does not, so its gloss must hold no Chinese at all.
                    missing += [
                        f"{profile.id}: {label} → {gloss}"
                        for label in labels
                        if (gloss := str(translate_plain(label))) == str(label) or CHINESE.search(gloss)
                    ]
                    # A field's name, not a phrase of a sentence: 申报系列 read "(the series)".
                    missing += [
                        f"{profile.id}: {label} → {gloss}"
                        for label in labels
                        if (gloss := str(translate_plain(label)))[:1].islower()
                    ]
    assert sorted(set(missing)) == []


def test_a_masked_id_number_on_the_copy_helper_has_no_copy_button(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The bureau's handler holds the application and copies its fields, but sees its ID number masked (full
    numbers for the applicant's own unit only): 复制 put "3607**********1234" into the provincial system's
    field. The row says where the full number is instead."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.BUREAU_REVIEW])
    world.bureau.org.policy_profile = "zhenjiang-2024"
    session.flush()
    browser = login_as(world.bureau.handler)
    url = f"/handoffs/js/applications/{application.id}/copy"
    assert url in browser.get("/handoffs/").get_data(as_text=True)  # theirs to hand off
    page = browser.get(url).get_data(as_text=True)
    masked = re.search(
        r'<td id="(copy-value-\d+)" class="copy-value" lang="zh-CN">(\d{4}\*+\w{4})</td>', page
    )
    assert masked is not None and application.applicant.id_number not in page
    assert f'data-copy="{masked.group(1)}"' not in page
    assert 'id="copy-masked"' in page  # where the full number is


def test_the_finished_export_reads_in_english_for_one_application(
    session: Session, clock: Clock, login_as: Any, app: Flask, queue: None
) -> None:
    """The job's outcome in English has no "1 applications" (it read "Exported 1 applications, … files")."""
    from tests.i18n.reading import in_english

    world, _chosen = _ready(session, clock, "kunming-2022")
    browser = in_english(login_as(world.enterprise.handler))
    started = browser.post("/handoffs/km/exports", data={"form_token": new_token()})
    run_queued(app)
    message = re.search(r'<p id="job-message">(.*?)</p>', browser.get(started.headers["Location"]).text, re.S)
    assert message is not None
    assert message.group(1).startswith("Applications exported: 1; files: "), message.group(1)


def test_the_export_hint_reads_in_english_for_one_application(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The export button's hint in English with one application listed (it read "all 1 are exported")."""
    from tests.i18n.reading import in_english

    world, _chosen = _ready(session, clock, "kunming-2022")
    page = in_english(login_as(world.enterprise.handler)).get("/handoffs/").get_data(as_text=True)
    assert "With none ticked, every application here is exported (1 in all);" in page


def test_a_result_goes_to_the_application_handed_off_not_a_later_draft(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The province's result of the application handed off is recorded on it, even when the person has
    since started another one (it went to their newest application: the draft)."""
    world, chosen = _ready(session, clock, "ganzhou-2026")
    sent = chosen[0]
    draft = make_application(
        session, world, clock.now, applicant=sent.applicant, what=("工程", "土木工程", "副高级")
    )
    assert draft.state is Status.DRAFT and draft.id > sent.id
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "身份证号码", "证书编号", "认定结果"])
    book.active.append([sent.applicant.name, sent.applicant.id_number, "赣JX-7", "通过"])
    out = io.BytesIO()
    book.save(out)
    browser = login_as(world.enterprise.handler)
    uploaded = browser.post(
        "/handoffs/jx/results",
        data={"file": (io.BytesIO(out.getvalue()), "结果.xlsx"), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    assert (
        browser.post(uploaded.headers["Location"] + "/apply", data={"form_token": new_token()}).status_code
        == 303
    )
    assert [(r.application_id, r.certificate_no) for r in session.scalars(select(HandoffResult))] == [
        (sent.id, "赣JX-7")
    ]


def test_once_applied_the_preview_says_this_import_recorded_the_rows(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """After 确认登记 the page shows each recorded row as recorded by this import (every row read "已于此前
    导入登记", recorded by an earlier import, right after the handler recorded it here)."""
    browser, url = _results_preview(session, clock, login_as, [], matching=True)
    assert browser.post(url + "/apply", data={"form_token": new_token()}).status_code == 303
    page = browser.get(url).get_data(as_text=True)
    assert "此前导入" not in page and "本次导入已登记（证书编号 赣JX-9）" in page


def test_the_profiles_page_names_our_materials_by_their_titles(session: Session, login_as: Any) -> None:
    """Each target's field lists the materials of ours it takes by the names the checklist gives them (it
    listed the internal keys: id_card、diploma、xuexin…)."""
    from portal.domain.materials import SLOT_BY_KEY

    world = make_world(session)
    page = login_as(world.admin, membership_id=world.admin_membership.id).get("/handoffs/profiles").text
    assert SLOT_BY_KEY["labour_contract"].title in page and SLOT_BY_KEY["xuexin"].title in page
    assert "labour_contract" not in page and "id_card" not in page


def test_the_page_links_the_handlers_exports_of_the_last_24_hours(
    session: Session, clock: Clock, login_as: Any, app: Flask, queue: None
) -> None:
    """Closed the job's page ("可关闭页面稍后回来下载")? The hand-off page links the handler's exports of
    the last 24 hours, while their ZIP is kept: nothing led back to them (no message, and 后台任务 is the
    admin's). Another handler of the unit does not see them (a job is its owner's)."""
    world, _chosen = _ready(session, clock, "kunming-2022")
    browser = login_as(world.enterprise.handler)
    assert 'id="recent-exports"' not in browser.get("/handoffs/").text
    started = browser.post("/handoffs/km/exports", data={"form_token": new_token()})
    run_queued(app)
    job_url = started.headers["Location"]
    page = browser.get("/handoffs/").get_data(as_text=True)
    assert 'id="recent-exports"' in page and f'href="{job_url}"' in page
    clock.advance(hours=25)
    assert f'href="{job_url}"' not in browser.get("/handoffs/").get_data(as_text=True)


def test_the_copy_helper_and_the_export_s_job_page_lead_back_to_the_hand_off_page(
    session: Session, clock: Clock, login_as: Any, app: Flask, queue: None
) -> None:
    """Walk 3, item 12: the copy helper and the export's job page had no way back to 报送省级系统."""
    world, chosen = _ready(session, clock, "zhenjiang-2024")
    browser = login_as(world.enterprise.handler)
    copy_page = browser.get(f"/handoffs/js/applications/{chosen[0].id}/copy").text
    assert '<a href="/handoffs/#target-js" id="copy-back">← 返回报送省级系统</a>' in copy_page
    started = browser.post("/handoffs/js/exports", data={"form_token": new_token()})
    run_queued(app)
    job_page = browser.get(started.headers["Location"]).text
    assert '<a href="/handoffs/#target-js" id="job-back">← 返回报送省级系统</a>' in job_page
    english = in_english(browser).get(started.headers["Location"]).text
    assert 'id="job-back">← Back to provincial hand-offs</a>' in english


def test_the_applicant_s_own_unit_asks_for_the_full_id_number_on_the_copy_helper_and_it_is_audited(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The copy helper showed the unit's staff the full ID number on a plain page load, with no audit record
    (every view of a full number is audited: security-plan §3.2.8, T-PRIV-01; the review page asks first).
    Now it is masked until asked for with a button; the POST is audited and gives the number with its 复制;
    the bureau's staff, who see masked numbers everywhere, cannot ask."""
    world, chosen = _ready(session, clock, "zhenjiang-2024")
    application = chosen[0]
    browser = login_as(world.enterprise.handler)
    url = f"/handoffs/js/applications/{application.id}/copy"
    page = browser.get(url).text
    assert application.applicant.id_number not in page and 'id="reveal-identity"' in page

    def views() -> int:
        return len(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "view_identity", AuditEvent.object_id == application.applicant_id
                )
            ).all()
        )

    before = views()
    revealed = browser.post(f"{url}/identity")
    assert revealed.status_code == 200 and views() == before + 1
    cell = re.search(
        rf'<td id="(copy-value-\d+)" class="copy-value" lang="zh-CN">{application.applicant.id_number}</td>',
        revealed.text,
    )
    assert cell is not None and f'data-copy="{cell.group(1)}"' in revealed.text
    bureau = login_as(world.bureau.handler)
    assert bureau.post(f"{url}/identity").status_code in (403, 404) and views() == before + 1


def test_the_forms_birth_year_and_month_has_no_day(session: Session, clock: Clock, login_as: Any) -> None:
    """出生年月 on the Jiangsu form and the Kunming sheet is a year and a month: the full date put the day
    into the provincial system's year-and-month field."""
    from portal.domain.identity import resident_id_facts

    world, chosen = _ready(session, clock, "zhenjiang-2024")
    born = resident_id_facts(chosen[0].applicant.id_number).birth_date
    page = login_as(world.enterprise.handler).get(f"/handoffs/js/applications/{chosen[0].id}/copy").text
    cell = re.search(
        r'<th scope="row">出生年月</th>\s*<td id="copy-value-\d+" class="copy-value" lang="zh-CN">(.*?)</td>',
        page,
    )
    assert cell is not None and cell.group(1) == f"{born.year}年{born.month}月"
    values = handoffs.values_of(session, chosen[0])
    km = handoffs.profile_of("km")
    labels = {
        label: value
        for d in km.documents
        for _t, rows in handoffs.document_rows(d, values)[0]
        for label, value in rows
    }
    assert labels["出生年月"] == f"{born.year}年{born.month}月"  # the Kunming 综合情况（公示）表


def test_an_application_with_the_committee_is_listed_and_exported(
    session: Session, clock: Clock, login_as: Any, app: Flask, queue: None
) -> None:
    """An application on the 评审 road dropped off 报送省级系统 from the committee's intake to its
    certificate (the hand-off's road knew the bureau's statuses and 已认定 only): it is past the unit's
    notice, so the office holding it lists and exports it."""
    from tests.factories import make_committee, make_committee_world, make_review_application, to_meeting

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, made, application, clock.now)
    assert application.state is Status.AWAITING_MEETING
    browser = login_as(made.office.handler, membership_id=made.office.handler_membership.id)
    page = browser.get("/handoffs/").get_data(as_text=True)
    assert f"/handoffs/js/applications/{application.id}/copy" in page
    started = browser.post("/handoffs/js/exports", data={"form_token": new_token()})
    assert started.status_code == 303
    run_queued(app)
    manifest = json.loads(_download(browser, started.headers["Location"])["manifest.json"])
    assert {f["application_id"] for f in manifest["files"]} >= {application.id}


def test_a_certificate_reached_by_review_is_listed_with_the_committee_roads_words(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Walk 3, item 10: a certificate the committee road reached was listed as 已认定发证 (the bureau's
    road's words), while its case page says 评审通过，已发证."""
    from tests.factories import make_committee, make_committee_world, make_review_application, to_meeting

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, made, application, clock.now)
    # The row as the province's number leaves it (the road's own steps: tests/services/test_results.py).
    application.certificate_no, application.certificate_code = "JS2026000001", "x" * 43
    application.status = Status.CERTIFIED.value
    session.flush()
    browser = login_as(made.office.handler, membership_id=made.office.handler_membership.id)
    page = browser.get("/handoffs/").get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if f"/applications/{application.id}/copy" in r)
    assert "评审通过，已发证" in row and "已认定发证" not in row
    english = in_english(browser).get("/handoffs/").get_data(as_text=True)
    assert "Passed review, certificate issued" in english


def test_the_copy_helper_of_a_nantong_initial_grading_is_the_initial_grading_form(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The copy helper of a Nantong 初定 was headed 专业技术资格评审申报表: its notice's form is the
    初定申报表 (002 四(五))."""
    world, chosen = _ready(session, clock, "nantong-2023", pathway="初定")
    page = login_as(world.enterprise.handler).get(f"/handoffs/js/applications/{chosen[0].id}/copy").text
    assert '<h1><span lang="zh-CN">初定申报表</span>' in page and "评审申报表" not in page


def test_a_name_is_not_broken_between_its_characters_on_the_hand_off_pages(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The results preview's narrow 姓名 column broke 何泽宇 into 何泽 / 宇 (the 核对 column took the width);
    its names, and the hand-off list's, are one word (.person-name, as the expert pool's)."""
    browser, url = _results_preview(session, clock, login_as, [], matching=True)
    preview = browser.get(url).get_data(as_text=True)
    assert re.search(r'<td class="person-name">[^<]*用户\d+', preview)
    listing = browser.get("/handoffs/").get_data(as_text=True)
    assert re.search(r'<td class="person-name"><label for="handoff-jx-\d+">', listing)


def test_an_empty_target_tells_a_bureau_it_lists_only_what_the_bureau_holds(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The bureau's handler read "applications appear here once their public notice has ended" beside an
    empty list while its applicants' notices had ended: they are the unit's to hand off until it forwards
    them. The empty list says the holding unit hands off, in both languages."""
    from tests.i18n.reading import in_english

    world, _chosen = _ready(session, clock, "ganzhou-2026")
    browser = login_as(world.bureau.handler)
    page = browser.get("/handoffs/").get_data(as_text=True)
    assert "由当前办理的单位报送" in page
    english = in_english(browser).get("/handoffs/").get_data(as_text=True)
    assert "handed off by the unit holding it" in english


def test_a_name_corrected_while_the_export_runs_is_built_again_and_the_page_says_so(
    session: Session, clock: Clock, login_as: Any, app: Flask, queue: None, monkeypatch: Any
) -> None:
    """The worker has built the first applicant's part when their name is corrected (a hand-off reaches a
    name only once its case ended otherwise, so the test writes the name as the correction does and
    commits it). Storing the ZIP, the worker finds the part's name stale under the correction's lock:
    that part is built again, the other stands, and the ZIP's folders, manifest and sheets carry the
    corrected name only. The job's page says so, in English too."""
    from portal.extensions import db
    from portal.models import User
    from tests.i18n.reading import in_english

    world, chosen = _ready(session, clock, "kunming-2022", 2)
    old_name = chosen[0].applicant.name
    build = handoffs.build_part
    built: list[int] = []

    def built_then_corrected(*args: Any, **kwargs: Any) -> Any:
        made = build(*args, **kwargs)
        built.append(args[3].id)
        if built == [chosen[0].id]:
            db.session.commit()  # the worker's read ends (it has written nothing of this part yet)
            person = session.get(User, chosen[0].applicant_id)
            assert person is not None
            person.name = "更正姓名"
            session.commit()
        return made

    monkeypatch.setattr(handoffs, "build_part", built_then_corrected)
    browser = in_english(login_as(world.enterprise.handler))
    started = browser.post("/handoffs/km/exports", data={"form_token": new_token()})
    run_queued(app)

    files = _download(browser, started.headers["Location"])
    assert not any(old_name in n for n in files)
    assert any(handoffs.folder_of(1, chosen[0]) in n for n in files)  # the folder of the corrected name
    manifest = json.dumps(json.loads(files["manifest.json"]), ensure_ascii=False)
    assert old_name not in manifest and "更正姓名" in manifest
    assert built == [chosen[0].id, chosen[1].id, chosen[0].id]  # only the stale part was built again
    page = browser.get(started.headers["Location"]).text
    message = re.search(r'<p id="job-message">(.*?)</p>', page, re.S)
    assert message is not None and "built again with the corrected name" in message.group(1), page
    assert session.scalars(select(HandoffPart)).all() == []


def test_a_long_list_comes_in_pages_and_export_all_still_takes_every_one(
    session: Session, clock: Clock, login_as: Any, monkeypatch: Any, queue: None
) -> None:
    """A bureau holds every case it certified: at 20,000 applications in a province its page listed 6,441
    rows (2.3 MB, 1–2.7 s). The list comes in pages, says how many there are in all, and 导出全部 (nothing
    ticked) still exports all of them, not the page."""
    monkeypatch.setattr(handoffs, "PAGE_SIZE", 2)
    world, chosen = _ready(session, clock, "ganzhou-2026", 5)
    browser = login_as(world.enterprise.handler)
    first = browser.get("/handoffs/").text
    shown = re.findall(r'name="ids" value="(\d+)"', first)
    assert shown == [str(a.id) for a in chosen[:2]]
    assert "共 5 件，本页列出 2 件" in first and "不勾选即导出全部 5 件" in first
    second_url = re.search(r'href="(/handoffs/\?target=jx&amp;after=\d+)#target-jx"', first)
    assert second_url
    second = browser.get(second_url.group(1).replace("&amp;", "&")).text
    assert re.findall(r'name="ids" value="(\d+)"', second) == [str(a.id) for a in chosen[2:4]]
    assert "回到第一页" in second
    third = browser.get(f"/handoffs/?target=jx&after={chosen[3].id}").text
    assert re.findall(r'name="ids" value="(\d+)"', third) == [str(chosen[4].id)] and "下一页" not in third
    assert "已是最后一页" in third  # the portal's one pager (ui.pager), as the certificates and applicants
    started = browser.post("/handoffs/jx/exports", data={"form_token": new_token()})
    assert started.status_code == 303
    job = session.scalars(select(Job)).one()
    assert job.params["ids"] == [a.id for a in chosen]
    english = in_english(browser).get("/handoffs/").text
    assert "5 in all, 2 listed on this page" in english
    # The pager's name is an attribute: the system's name in it plain, not a lang span cut into the markup.
    assert re.search(r'<nav class="pager" aria-label="[^"<>]+: pages">', english), english


def test_the_page_reads_only_the_target_s_applications_and_not_their_long_texts(
    app: Flask, session: Session, clock: Clock, login_as: Any
) -> None:
    """The list was every application in the target's statuses loaded whole (the form's long texts too)
    and sorted out in Python by its bureau's target; it is now one statement of the page's rows."""
    from sqlalchemy import event

    from tests.conftest import db_engine

    world, chosen = _ready(session, clock, "ganzhou-2026", 3)
    other, _ = _ready(session, clock, "kunming-2022", 2)
    browser = login_as(world.enterprise.handler)
    browser.get("/handoffs/")
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = db_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = browser.get("/handoffs/").text
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert all(a.applicant.name in page for a in chosen)
    rows = [s for s in seen if " FROM applications" in s and "count(" not in s.lower()]
    assert len(rows) == 1, rows
    assert "work_summary" not in rows[0] and "achievements" not in rows[0] and "LIMIT" in rows[0]
    assert other.enterprise.org.name not in page
