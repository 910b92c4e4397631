"""Hand-off exports (issue 23): per applicant a folder with one file per slot of the target, each of an
accepted type and within the cap, the documents the profile prints, manifests whose hashes match, and the
problems named without stopping the rest."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import pikepdf
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.orm import Session

from portal.demo import LARGE_SCANS, demo_seal_png, seed_demo
from portal.demo_files import phone_photo, scanned_pdf
from portal.domain.materials import SLOT_BY_KEY
from portal.domain.workflow import Status
from portal.models import Material, StaffRole
from portal.services import endorsements, handoffs
from portal.services.actors import actor_for
from portal.services.materials import active_materials, store_file
from tests.conftest import Clock
from tests.factories import (
    FILLED,
    STEPS_TO,
    STORAGE,
    in_batch,
    make_application,
    make_world,
    tiny_pdf,
    with_document,
)

CAP = 2_097_152


def _export(session: Session, target: str, applications: list) -> tuple[handoffs.Export, dict[str, bytes]]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        export = handoffs.build_export(
            session,
            STORAGE,
            handoffs.profile_of(target),
            applications,
            handoffs.ZipSink(zf, applications[0].created_at),
        )
    with zipfile.ZipFile(out) as zf:
        return export, {n: zf.read(n) for n in zf.namelist()}


def _replace(
    session: Session, application, slot: str, data: bytes, media_type: str, name: str, **extra
) -> None:
    for m in active_materials(session, application.id):
        if m.slot == slot:
            m.removed_at, m.removed_by_id = application.created_at, application.applicant_id
    actor = actor_for(application.applicant, None)
    stored = store_file(session, STORAGE, data, media_type, name, actor, application.created_at)
    session.add(
        Material(application_id=application.id, slot=slot, file_id=stored.id, pages=1,
                 uploaded_by_id=application.applicant_id, uploaded_at=application.created_at, **extra)
    )  # fmt: skip
    session.flush()


def ready(
    session: Session,
    clock: Clock,
    policy_profile: str,
    status: Status = Status.NOTICE_PASSED,
    pathway: str = "认定",
):
    """An application walked to ``status`` (without windows), its bureau then on ``policy_profile``."""
    world = make_world(session)
    application = make_application(session, world, clock.now, steps=STEPS_TO[status], pathway=pathway)
    world.bureau.org.policy_profile = policy_profile
    session.flush()
    return world, application


def _check_files(files: dict[str, bytes], export: handoffs.Export) -> None:
    """Every file of an applicant's folder: JPG or PDF, within the cap, opening cleanly, hash as listed."""
    for entry in export.files:
        data = files[entry.file]
        assert hashlib.sha256(data).hexdigest() == entry.sha256 and len(data) == entry.bytes
        if entry.media_type == "image/jpeg":
            assert entry.file.endswith(".jpg") and len(data) <= CAP
            Image.open(io.BytesIO(data)).verify()
        elif entry.media_type == "application/pdf":
            assert entry.file.endswith(".pdf") and len(data) <= CAP
            with pikepdf.open(io.BytesIO(data)) as pdf:
                assert len(pdf.pages) == entry.pages
        else:
            assert entry.application_id is None or entry.file.endswith(".html")


def test_jx_fits_a_phone_photo_and_a_30_page_scan_under_2_mb(session: Session, clock: Clock) -> None:
    _world, application = ready(session, clock, "ganzhou-2026")
    _replace(session, application, "id_card", phone_photo(), "image/jpeg", "身份证.jpg")
    _replace(session, application, "labour_contract", scanned_pdf(30), "application/pdf", "劳动合同.pdf")
    export, files = _export(session, "jx", [application])
    _check_files(files, export)
    folder = handoffs.folder_of(1, application)
    names = [f.file.removeprefix(folder) for f in export.files if f.application_id]
    assert names[0].startswith("01-身份证") and names[0].endswith(".jpg")
    contract = [f for f in export.files if f.slot == "劳动合同"]
    assert sum(f.pages for f in contract) == 30
    assert "个人承诺书.pdf" in names
    manifest = json.loads(files[folder + "manifest.json"])
    assert {f["sha256"] for f in manifest["files"]} == {f.sha256 for f in export.files if f.application_id}
    assert not export.unmapped and not export.problems
    assert export.summary()["largest_bytes"] <= CAP


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_km_summary_sheet_writes_the_notice_out_and_stamps_the_seal_and_checks_004(
    session: Session, clock: Clock
) -> None:
    world, application = ready(session, clock, "kunming-2022")
    leader = world.enterprise.actor(StaffRole.LEADER)
    endorsements.upload_seal(session, leader, STORAGE, demo_seal_png(), "公章.png", clock.now)
    submitted = application.submitted_at.date()
    # 学信网备案表 printed 7 months before the submission: past its 6-month validity (004 二(八)).
    _replace(session, application, "xuexin", tiny_pdf(), "application/pdf", "备案表.pdf",
             document_date=submitted - timedelta(days=7 * 31))  # fmt: skip
    # a copy nobody endorsed (004 二(十))
    _replace(session, application, "labour_contract", tiny_pdf(), "application/pdf", "合同.pdf", kind="copy")
    export, files = _export(session, "km", [application])
    _check_files(files, export)
    folder = handoffs.folder_of(1, application)
    sheet = files[folder + "综合情况（公示）表.pdf"]
    text = _text(sheet)
    assert "公示期满无异议" in text and "至" in text  # the result and the period written out
    with pikepdf.open(io.BytesIO(sheet)) as pdf:
        assert any(page.get_images() for page in pdf.pages)  # the seal image
    reasons = {p.slot: p.what for p in export.problems}
    assert "信用中国" in reasons[SLOT_BY_KEY["credit_pledge"].title]  # the slot checked present
    assert "6个月" in reasons[SLOT_BY_KEY["xuexin"].title]
    assert "审核签章" in reasons[SLOT_BY_KEY["labour_contract"].title]
    manifest = json.loads(files[folder + "manifest.json"])
    assert {p["what"] for p in manifest["problems"]} == {p.what for p in export.problems}
    assert "学历学位证书" not in {f.slot for f in export.files}  # with the 备案表, no diploma (004 二(八))


def test_js_form_in_their_field_order_with_a_copy_page(session: Session, clock: Clock) -> None:
    _world, application = ready(session, clock, "zhenjiang-2024", pathway="评审")
    export, files = _export(session, "js", [application])
    _check_files(files, export)
    folder = handoffs.folder_of(1, application)
    form = _text(files[folder + "专业技术资格评审申报表.pdf"])
    page = files[folder + "专业技术资格评审申报表-填报助手.html"].decode()
    assert "<script" not in page
    profile = handoffs.profile_of("js")
    sections, _unplaced = handoffs.document_rows(
        profile.document("form"), handoffs.values_of(session, application)
    )
    labels = [label for _title, rows in sections for label, _value in rows]
    positions = [page.index(f">{label}</th>") for label in labels]
    assert positions == sorted(positions)  # every field, in their order
    assert application.applicant.name in form and FILLED["education"]["school"] in page


def test_jx_certificate_excel_has_id_numbers_as_text_and_dates_as_dates_and_the_approval(
    session: Session, clock: Clock
) -> None:
    _world, application = ready(session, clock, "ganzhou-2026", Status.CERTIFIED)
    export, files = _export(session, "jx", [application])
    _check_files(files, export)
    book = load_workbook(io.BytesIO(files["考核认定通过人员证书信息.xlsx"]))
    sheet = book["证书信息"]
    headers = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(headers, sheet[2], strict=True)}
    assert row["身份证号码"].data_type == "s" and row["身份证号码"].value == application.applicant.id_number
    assert row["证书编号"].value == application.certificate_no
    assert row["认定日期"].is_date
    assert application.applicant.name in _text(files["批复.pdf"])
    top = json.loads(files["manifest.json"])
    assert len(top["files"]) == len(export.files)


def test_a_corrupt_upload_and_an_unmapped_slot_are_named_and_the_rest_is_built(
    session: Session, clock: Clock
) -> None:
    _world, application = ready(session, clock, "ganzhou-2026")
    _replace(session, application, "id_card", b"%PDF-1.4\nnot really", "application/pdf", "坏文件.pdf")
    profile = handoffs.profile_of("jx")
    without_contract = dataclasses.replace(
        profile, slots=tuple(s for s in profile.slots if s.key != "contract")
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        export = handoffs.build_export(
            session, STORAGE, without_contract, [application], handoffs.ZipSink(zf, clock.now)
        )
    reasons = " ".join(p.what for p in export.problems)
    assert "坏文件.pdf" in reasons and "没有对应栏目" in reasons
    assert export.summary()["unmapped_slots"] == ["labour_contract"]
    assert any(f.slot == "学历证书" for f in export.files)  # the rest is built


def test_cli_builds_a_folder_and_prints_the_summary(
    app, session: Session, clock: Clock, tmp_path: Path
) -> None:
    _world, application = ready(session, clock, "ganzhou-2026")
    out = tmp_path / "jx"
    result = app.test_cli_runner().invoke(
        args=["handoff", "build", "--target", "jx", "--out", str(out), "--application", str(application.id)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["applications"] == 1 and summary["unmapped_slots"] == []
    manifest = json.loads((out / handoffs.folder_of(1, application) / "manifest.json").read_text())
    for entry in manifest["files"]:
        data = (out / handoffs.folder_of(1, application) / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert summary["files"] == len(json.loads((out / "manifest.json").read_text())["files"])
    again = app.test_cli_runner().invoke(
        args=["handoff", "build", "--target", "jx", "--out", str(out), "--all"]
    )
    assert again.exit_code != 0 and "不是空目录" in again.output
    neither = app.test_cli_runner().invoke(
        args=["handoff", "build", "--target", "jx", "--out", str(tmp_path / "x")]
    )
    assert neither.exit_code != 0


def test_the_demo_data_hands_off_to_every_target(session: Session, clock: Clock) -> None:
    """Issue 23's "done when" on `flask seed-demo`'s data: each target has an application ready; every
    file sent is a JPG or PDF within 2 MB that opens, the manifests' hashes match; the 12-megapixel photo
    and the 30-page scan went through; Kunming has its 综合情况表, Jiangsu its PDF and copy page."""
    seed_demo(session, clock.now, STORAGE)
    built: dict[str, tuple[handoffs.Export, dict[str, bytes]]] = {}
    for target in ("jx", "js", "km"):
        chosen = handoffs.eligible(session, handoffs.profile_of(target))
        assert chosen, target
        built[target] = _export(session, target, chosen)
        _check_files(built[target][1], built[target][0])
        assert not built[target][0].unmapped
    jx, _ = built["jx"]
    large = [f for f in jx.files if f.applicant == LARGE_SCANS]
    assert any(f.slot == "身份证" and f.media_type == "image/jpeg" for f in large)
    assert sum(f.pages for f in large if f.slot == "劳动合同") == 30
    km, files = built["km"]
    assert all(f"{handoffs.folder_of(i + 1, a)}综合情况（公示）表.pdf" in files
               for i, a in enumerate(handoffs.eligible(session, handoffs.profile_of("km"))))  # fmt: skip
    assert not [p for p in km.problems if "公章" in p.what]
    _js, files = built["js"]
    assert any(n.endswith("申报表.pdf") for n in files) and any(n.endswith("填报助手.html") for n in files)


def test_the_units_recommendation_is_written_once_its_leader_approved(session: Session, clock: Clock) -> None:
    """An application is handed off from the end of its unit's notice, still held by its unit: the unit's
    leader has approved it by then, so the 申报表's 单位推荐意见 says so (it was left empty: "—")."""
    _world, application = ready(session, clock, "zhenjiang-2024")
    assert application.state is Status.NOTICE_PASSED and application.reached_level == 0
    assert handoffs.values_of(session, application)["opinion.enterprise"] == "经单位审核，同意推荐"
    _world, submitted = ready(session, clock, "zhenjiang-2024", Status.SUBMITTED)
    assert handoffs.values_of(session, submitted)["opinion.enterprise"] == ""


def test_no_certificate_excel_when_nobody_exported_is_certified(session: Session, clock: Clock) -> None:
    """The certificate Excel lists those certified (for the city title office): with none among the
    applications exported it is left out, as the 批复 is (it went as a header-only sheet)."""
    _world, application = ready(session, clock, "ganzhou-2026")
    export, files = _export(session, "jx", [application])
    assert "考核认定通过人员证书信息.xlsx" not in files and "批复.pdf" not in files
    assert {f.file for f in export.files if f.application_id is None} == set()


def test_km_summary_sheet_carries_the_years_of_professional_work_as_posted(
    session: Session, clock: Clock
) -> None:
    """The 综合情况（公示）表 is the sheet the unit posted, with its result written on (004 二(七)): it
    carries the 专业工作年限 the posted sheet showed (fixed at publication, CUT-06); it had no such row."""
    from portal.services import notices

    _world, application = ready(session, clock, "kunming-2022")
    entry = notices.entry_for_application(session, application.id)
    assert entry is not None and entry.years_shown
    _built, files = _export(session, "km", [application])
    text = _text(files[handoffs.folder_of(1, application) + "综合情况（公示）表.pdf"])
    assert "专业工作年限" in text and entry.years_shown.replace(" ", "") in text.replace(" ", "")


def test_the_js_form_is_named_after_what_is_applied_for(session: Session, clock: Clock) -> None:
    """Every application handed to 网办大厅 got the 《专业技术资格评审申报表》, Nantong's 初定 too: its
    notice's form is the 初定申报表 (002 四(五)); a 考核认定 is no 评审 either. Zhenjiang's 评审 keeps the
    评审申报表 (003 四(一))."""
    expected = (
        ("nantong-2023", "初定", "初定申报表"),
        ("nantong-2023", "认定", "考核认定申报表"),
        ("zhenjiang-2024", "评审", "专业技术资格评审申报表"),
    )
    for policy_profile, pathway, title in expected:
        _world, application = ready(session, clock, policy_profile, pathway=pathway)
        _export_done, files = _export(session, "js", [application])
        folder = handoffs.folder_of(1, application)
        form = _text(files[folder + f"{title}.pdf"])
        page = files[folder + f"{title}-填报助手.html"].decode()
        assert title in form and title in page
        if pathway != "评审":
            assert "评审申报表" not in form and "评审申报表" not in page


def test_the_kunming_sheets_committee_row_names_the_committee_not_the_certifying_authority(
    session: Session, clock: Clock
) -> None:
    """The 综合情况（公示）表's 评委会 row showed the certifying authority (东川区人社局) for every
    application. A 评审 names the committee that reviews it (the one its scope implies, then the one it was
    sent to); a 考核定职 has no committee, and the row says so (004 三)."""
    from portal.domain.workflow import Action
    from portal.services import applications
    from portal.services.certificates import certifying_authority
    from tests.factories import (
        city_system_passed,
        make_committee,
        make_committee_world,
        make_review_application,
    )

    world = make_committee_world(session, clock.now, profile="kunming-2022")
    made = make_committee(session, world, clock.now, place="东川区", name="东川区工程系列评审委员会")
    sheet = handoffs.profile_of("km").document("summary_sheet")
    assert sheet is not None

    def row(application) -> str:
        sections, _unplaced = handoffs.document_rows(sheet, handoffs.values_of(session, application))
        return dict(pair for _title, rows in sections for pair in rows)["评委会"]

    review = make_review_application(session, world, clock.now)
    assert row(review) == "东川区工程系列评审委员会"  # implied by its scope, before it is sent
    city_system_passed(session, world, review, clock.now)
    applications.act(
        session, world.bureau.actor(StaffRole.LEADER), review.id, Action.SEND_TO_COMMITTEE, clock.now
    )
    assert review.committee_id == made.committee.id and row(review) == "东川区工程系列评审委员会"
    recognition = make_application(session, world, clock.now, steps=STEPS_TO[Status.NOTICE_PASSED])
    assert row(recognition) == "无（考核定职，不经评委会评审）"
    assert certifying_authority(session, recognition) not in row(recognition)


def test_the_unit_notice_stays_the_units_once_the_committee_office_has_held_its_own(
    session: Session, clock: Clock
) -> None:
    """On the 评审 road the committee office holds a notice of its own after the unit's: the Kunming
    综合情况（公示）表 (sealed by the unit) and the Jiangsu form's 公示期 / 公示结果 then showed the office's
    notice as the unit's. They show the unit's 评前公示 (004 二(七), 003 五(一))."""
    from tests.factories import make_committee, make_committee_world, make_review_application, to_meeting

    world = make_committee_world(session, clock.now, profile="kunming-2022")
    made = make_committee(session, world, clock.now, place="东川区")
    application = make_review_application(session, world, clock.now)
    before = handoffs.values_of(session, application)
    to_meeting(session, world, made, application, clock.now)
    assert application.state is Status.AWAITING_MEETING
    after = handoffs.values_of(session, application)
    assert after["notice.unit"] == world.enterprise.org.name != made.office.org.name
    keys = ("notice.unit", "notice.period", "notice.location", "notice.contact", "notice.result")
    assert {k: after[k] for k in keys} == {k: before[k] for k in keys}


def test_the_jiangsu_forms_committee_row_names_the_committee_or_says_there_is_none(
    session: Session, clock: Clock
) -> None:
    """The Jiangsu form's 评审委员会 row showed the certifying authority: the forming unit's name for a
    Zhenjiang 评审 (镇江市职称与执业资格评价服务中心, not its 评委会), the 初定部门 for a Nantong 初定,
    which no committee reviews. It names the committee, or says there is none (as Kunming's sheet)."""
    from tests.factories import make_committee, make_committee_world, make_review_application

    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now, name="镇江市测试评审委员会")
    form = handoffs.profile_of("js").document("form")
    assert form is not None

    def row(application) -> str:
        sections, _unplaced = handoffs.document_rows(form, handoffs.values_of(session, application))
        return dict(pair for _title, rows in sections for pair in rows)["评审委员会"]

    assert row(make_review_application(session, world, clock.now)) == made.committee.name
    _world, initial = ready(session, clock, "nantong-2023", pathway="初定")
    assert row(initial) == "无（初定，不经评委会评审）"


def test_the_batch_value_is_the_batch_s_name(session: Session, clock: Clock) -> None:
    # 受理批次 gave the batch's id ("2026-4") to any layout placing it.
    _world, application = ready(session, clock, "ganzhou-2026")
    in_batch(session, application, "2026-4")
    assert handoffs.values_of(session, application)["batch"] == "2026年第四批"
    in_batch(session, application, "2025-4", name="2025年第四批")  # last year's, kept at submission
    assert handoffs.values_of(session, application)["batch"] == "2025年第四批"
    in_batch(session, application, None)
    assert handoffs.values_of(session, application)["batch"] == ""


def test_a_passport_holders_printed_form_names_the_passport_number_and_the_copy_page_the_systems_field(
    session: Session, clock: Clock
) -> None:
    """Seen: a foreign engineer's printed 申报表 for Jiangsu labelled his passport number 身份证号码, as the
    province's form labels a resident's: the printed documents name the number by its document, as our
    own 申报表 and the certificate do; the copy page keeps the system's field name, where it is pasted."""
    _world, application = ready(session, clock, "zhenjiang-2024", pathway="评审")
    with_document(application.applicant, "passport", "E98765432")
    session.flush()
    _result, files = _export(session, "js", [application])
    folder = handoffs.folder_of(1, application)
    form = _text(files[folder + "专业技术资格评审申报表.pdf"])
    assert "护照号码" in form and "身份证号码" not in form
    page = files[folder + "专业技术资格评审申报表-填报助手.html"].decode()
    assert ">身份证号码</th>" in page
