"""Certificates: numbering patterns, public verification (QR and by hand, logged), revocation and the
integrity record (INT-01), the certificate Excel (REP-01) and the 批复, the applicant's PDF."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.documents.certificates import CERTIFICATE_HEADERS
from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.tables import find_header
from portal.domain.workflow import Action, Status
from portal.models import AuditEvent, StaffRole
from portal.services import applications, certificate_numbers, certificates
from portal.services.actors import actor_for
from portal.services.submissions import new_token
from tests.conftest import Clock, run_queued
from tests.factories import STEPS_TO, World, make_application, make_user, make_world, with_document
from tests.i18n.reading import in_english


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def certified(session: Session, world: World, clock: Clock):  # type: ignore[no-untyped-def]
    return make_application(session, world, clock.now, steps=STEPS_TO[Status.CERTIFIED])


def test_numbers_follow_the_authoritys_pattern(session: Session, world: World, clock: Clock) -> None:
    world.bureau.org.certificate_pattern = "赣{code}{year}-{seq:04d}"
    session.flush()
    application = certified(session, world, clock)
    assert application.certificate_no == f"赣{world.bureau.org.code.upper()}2026-0001"
    with pytest.raises(ValidationFailed) as info:
        certificates.check_pattern("{year}{code}")
    assert "序号" in info.value.fields["certificate_pattern"]


def test_the_qr_verifies_and_a_guessed_number_reveals_nothing(
    app: Flask, session: Session, world: World, clock: Clock, client: Any, queue: None
) -> None:
    application = certified(session, world, clock)
    number = application.certificate_no
    code = application.certificate_code
    page = client.get(f"/public/certificates/{number}/{code}")
    assert page.status_code == 200 and "证书有效" in page.text
    assert application.applicant.name not in page.text and application.applicant.name[0] + "*" in page.text
    guessed = client.get(f"/public/certificates/{number}/0000000000")
    assert "查无此证书" in guessed.text and application.level not in guessed.text.split("按编号查验")[0]
    # The scans are GETs: their log rows are written by the worker, not by the request.
    holder = actor_for(application.applicant, None)
    assert certificates.lookups_for(session, holder, application.id) == []
    assert run_queued(app) == 2
    assert [lookup.via for lookup in certificates.lookups_for(session, holder, application.id)] == ["qr"]
    assert client.get("/public/certificates").status_code == 200  # the form (asks nothing)
    by_hand = client.post(
        "/public/certificates",
        data={"number": number, "name": application.applicant.name, "form_token": new_token()},
    )
    assert "证书有效" in by_hand.text  # by hand: a POST (the name stays out of URLs), logged at once
    missing = client.post(
        "/public/certificates", data={"number": "2026XX99999", "name": "张三", "form_token": new_token()}
    )
    assert "查无此证书" in missing.text
    lookups = certificates.lookups_for(session, holder, application.id)
    assert [lookup.via for lookup in lookups] == ["form", "qr"]


def test_a_latin_name_verifies_in_the_passports_capitals_or_with_a_phones_apostrophe(
    session: Session, world: World, clock: Clock, client: Any
) -> None:
    """Seen: John Michael O'Brien's certificate read “查无此证书” for the name as his passport writes it
    (JOHN MICHAEL O'BRIEN) or as a phone types it (O’Brien): an employer checking it took it for a fake."""
    holder = make_user(session, "John Michael O'Brien", employer=world.enterprise.org)
    holder.document_type, holder.id_number, holder.nationality = "passport", "E12345678", "USA"
    holder.permit_kind, holder.permit_no = "work_permit", "1100002023000123"
    application = make_application(
        session, world, clock.now, applicant=holder, steps=STEPS_TO[Status.CERTIFIED]
    )
    for typed in ("JOHN MICHAEL O'BRIEN", "John Michael O’Brien", "John Michael O'Brien"):
        checked = client.post(
            "/public/certificates",
            data={"number": application.certificate_no, "name": typed, "form_token": new_token()},
        )
        assert "证书有效" in checked.text, typed
    other = client.post(
        "/public/certificates",
        data={"number": application.certificate_no, "name": "John Michael Brien", "form_token": new_token()},
    )
    assert "查无此证书" in other.text


def test_revocation_shows_on_the_public_check_and_bars_the_person_for_three_years(
    session: Session, world: World, clock: Clock, client: Any
) -> None:
    application = certified(session, world, clock)
    with pytest.raises(PermissionDenied):
        certificates.revoke_certificate(
            session, world.bureau.actor(StaffRole.HANDLER), application.id, "x", "", clock.now
        )
    record = certificates.revoke_certificate(
        session,
        world.bureau.actor(StaffRole.LEADER),
        application.id,
        "学历证书系伪造",
        "002 五(三)",
        clock.now,
    )
    assert (record.starts_on, record.ends_on) == (date(2026, 9, 28), date(2029, 9, 27))
    code = application.certificate_code
    assert "证书已撤销" in client.get(f"/public/certificates/{application.certificate_no}/{code}").text
    with pytest.raises(DomainError) as barred:
        applications.start_application(
            session,
            world.enterprise.actor(StaffRole.HANDLER),
            applications.StartInput(application.applicant_id, "工程", "土木", "中级"),
            clock.now,
        )
    assert barred.value.code == "integrity_record" and "2029年9月27日" in barred.value.message


def test_a_draft_started_before_the_record_cannot_be_submitted(
    session: Session, world: World, clock: Clock
) -> None:
    application = certified(session, world, clock)
    draft = make_application(session, world, clock.now, applicant=application.applicant)
    certificates.revoke_certificate(
        session, world.bureau.actor(StaffRole.LEADER), application.id, "虚假业绩", "", clock.now
    )
    with pytest.raises(DomainError) as info:
        applications.act(session, actor_for(application.applicant, None), draft.id, Action.SUBMIT, clock.now)
    assert info.value.code == "integrity_record"


def _export(app: Flask, browser: Any, level: str) -> Any:
    """Start the export (a POST), let the worker write it, download the result."""
    run_queued(app)  # what earlier requests queued (a QR check's log row) is not this export
    started = browser.post("/certificates/exports", data={"level": level, "form_token": new_token()})
    assert started.status_code == 303 and started.headers["Location"].startswith("/jobs/")
    assert run_queued(app) == 1
    job_page = browser.get(started.headers["Location"]).text
    assert "已导出" in job_page
    # Back where it was started, as it was filtered.
    back = re.search(r'<a href="([^"]+)" id="job-back">← 返回证书</a>', job_page)
    assert back is not None and back[1] == "/certificates" + (f"?level={quote(level)}" if level else "")
    with browser.get(started.headers["Location"] + "/download") as response:  # a streamed file: close it
        assert response.status_code == 200
        return load_workbook(io.BytesIO(response.data)).active


def test_the_certificate_excel_has_the_title_offices_columns_and_the_filters(
    app: Flask, session: Session, world: World, clock: Clock, login_as: Any, queue: None
) -> None:
    first = certified(session, world, clock)
    second = certified(session, world, clock)
    # A foreign applicant's number is their passport's: the column says 证件号码 and the document's type
    # beside it (it said 身份证号码 for every number).
    with_document(second.applicant, "passport", "E12345678")
    session.flush()
    browser = login_as(world.bureau.leader)
    sheet = _export(app, browser, "中级")
    assert sheet is not None
    assert [c.value for c in sheet[1]][:8] == [
        "姓名",
        "证件类型",
        "证件号码",
        "工作单位",
        "系列",
        "专业",
        "级别",
        "证书编号",
    ]
    rows = {sheet.cell(r, 8).value: [c.value for c in sheet[r]] for r in range(2, sheet.max_row + 1)}
    assert set(rows) == {first.certificate_no, second.certificate_no}
    assert rows[first.certificate_no][1:3] == ["居民身份证", first.applicant.id_number]
    assert rows[second.certificate_no][1:3] == ["护照", "E12345678"]
    empty = _export(app, browser, "正高级")
    assert empty is not None and empty.max_row == 1
    exports = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export_certificates").order_by(AuditEvent.id)
    ).all()
    assert [e.detail["rows"] for e in exports] == [2, 0] and all(e.detail["full_id"] for e in exports)
    page = browser.get("/certificates").text
    assert first.certificate_no in page


def test_the_list_s_level_is_a_choice_and_a_filter_matching_nothing_says_so(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    # The level was a text box matched exactly (Intermediate level, typed in English, found nothing), the
    # rows read 中级 in English, and a filter matching nothing said 还没有证书 as if none were issued.

    application = certified(session, world, clock)
    assert application.level == "中级"
    browser = login_as(world.bureau.leader)
    in_english(browser)
    page = browser.get("/certificates").text
    assert '<select id="level" name="level">' in page
    assert '<option value="中级" >Intermediate level</option>' in page
    assert "<td>Intermediate level</td>" in page
    nothing = browser.get("/certificates?level=正高级").text
    assert '<option value="正高级" selected>' in nothing
    assert "No certificates match the filters" in nothing and "No certificates yet" not in nothing


def test_revoking_a_certificate_reads_as_revoking_in_english(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    # The form under 撤销… (Revoke…) asked a "Reason for withdrawing" and its button said "Confirm ending"
    # (the staff page's words for ending a role).

    certified(session, world, clock)
    browser = login_as(world.bureau.leader)
    in_english(browser)
    page = browser.get("/certificates").text
    assert "Reason for revoking" in page and "Revoke the certificate</button>" in page
    assert "withdrawing" not in page and "Confirm ending" not in page


def test_the_approval_pdf_lists_the_days_certificates(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    application = certified(session, world, clock)
    day = application.certified_at.astimezone(certificates.SHANGHAI).date()  # type: ignore[union-attr]
    response = login_as(world.bureau.leader).post("/certificates/approval.pdf", data={"day": day.isoformat()})
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    nothing = login_as(world.bureau.leader).post("/certificates/approval.pdf", data={"day": "2020-01-01"})
    assert nothing.status_code == 303


def test_the_applicant_downloads_their_certificate_and_nobody_else_can(
    session: Session, world: World, clock: Clock, login_as: Any, app: Flask
) -> None:
    application = certified(session, world, clock)
    pdf = login_as(application.applicant).get(f"/me/applications/{application.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    other = make_application(session, world, clock.now)
    assert (
        login_as(other.applicant).get(f"/me/applications/{application.id}/certificate.pdf").status_code == 404
    )
    for user in (world.department.handler, world.enterprise.handler):
        assert login_as(user).get("/certificates").status_code == 403


def test_a_passport_holders_certificate_names_the_passport_not_an_id_card(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    resident = certified(session, world, clock)
    text = _pdf_text(login_as(resident.applicant).get(f"/me/applications/{resident.id}/certificate.pdf").data)
    assert "身份证号码" in text and "护照号码" not in text
    foreign = certified(session, world, clock)
    with_document(foreign.applicant, "passport", "E12345678")
    session.flush()
    text = _pdf_text(login_as(foreign.applicant).get(f"/me/applications/{foreign.id}/certificate.pdf").data)
    assert "护照号码" in text and "E12345678" in text and "身份证号码" not in text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_every_page_document_and_export_names_the_same_certifying_authority(
    app: Flask, session: Session, world: World, clock: Clock, login_as: Any, client: Any, queue: None
) -> None:
    """Issue 17.7: the review page named the authority chosen at the start (e.g. a district office) while
    the certificate, the public check and the Excel named the bureau. One function decides it now."""
    chosen = certified(session, world, clock)
    plain = certified(session, world, clock)
    world.bureau.org.policy_profile = "ganzhou-2026"
    chosen.authority_code = "gz-zhanggong"
    session.flush()
    authority, bureau = "章贡区职称改革领导小组办公室", world.bureau.org.name
    assert certificates.certifying_authority(session, chosen) == authority
    assert certificates.certifying_authority(session, plain) == bureau  # no authority chosen: the bureau
    review = login_as(world.bureau.handler).get(f"/review/applications/{chosen.id}").text
    assert f'<span id="certifying-authority" lang="zh-CN">{authority}</span>' in review
    pdf = login_as(chosen.applicant).get(f"/me/applications/{chosen.id}/certificate.pdf")
    assert authority in _pdf_text(pdf.data) and bureau not in _pdf_text(pdf.data)
    number = chosen.certificate_no
    public = client.get(f"/public/certificates/{number}/{chosen.certificate_code}")
    assert authority in public.text
    sheet = _export(app, login_as(world.bureau.leader), "")
    assert sheet is not None
    column = [c.value for c in sheet[1]].index("认定机构") + 1
    number_column = [c.value for c in sheet[1]].index("证书编号") + 1
    by_number = {
        sheet.cell(r, number_column).value: sheet.cell(r, column).value for r in range(2, sheet.max_row + 1)
    }
    assert by_number == {chosen.certificate_no: authority, plain.certificate_no: bureau}
    day = chosen.certified_at.astimezone(certificates.SHANGHAI).date()  # type: ignore[union-attr]
    approval = login_as(world.bureau.leader).post("/certificates/approval.pdf", data={"day": day.isoformat()})
    text = _pdf_text(approval.data)
    assert authority in text and bureau in text  # one 批复 per authority, in one file


def test_the_statistics_and_the_certificates_find_a_series_typed_in_english(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    # The English statistics chart names the series "Engineering"; typed so into its series box (or the
    # certificate list's), it matched nothing: the box compared the text with the stored 工程.
    application = certified(session, world, clock)
    assert application.series == "工程"
    browser = in_english(login_as(world.bureau.leader))
    statistics = browser.get("/review/statistics?series=engineering ").text
    assert " 1 application" in statistics and " 0 applications" not in statistics
    certificates_page = browser.get("/certificates?series=Engineering").text
    assert application.certificate_no in certificates_page


def test_the_statistics_count_one_application_in_the_singular(
    session: Session, world: World, clock: Clock, login_as: Any
) -> None:
    # The English heading read "1 applications in all".
    browser = in_english(login_as(world.bureau.leader))
    for count, words in ((1, "1 application in all"), (2, "2 applications in all")):
        certified(session, world, clock)
        session.commit()
        heading = browser.get("/review/statistics").text.split("<h1>")[1].split("</h1>")[0]
        assert heading.endswith(f" · {words}</small>"), (count, heading)


@pytest.mark.parametrize("id_header", ["证件号码", "身份证号码", "身份证号", "公民身份号码"])
def test_the_certificate_number_import_reads_the_export_s_header_and_the_old_ones(id_header: str) -> None:
    """The export now heads its numbers 证件号码; a sheet made from it, or from an older export or the
    province's template (身份证号码, 身份证号), is still read by the certificate-number import."""
    row = ["姓名", id_header, "证书编号"]
    _index, columns = find_header([row], certificate_numbers.HEADERS, what="证书编号")
    assert columns == {"name": 0, "id_number": 1, "certificate_no": 2}
    assert "证件号码" in CERTIFICATE_HEADERS and "身份证号码" not in CERTIFICATE_HEADERS


def test_a_right_number_with_a_wrong_name_is_refused_naming_both_in_chinese_and_english(
    session: Session, world: World, clock: Clock, client: Any
) -> None:
    # It said "No certificate matches the number …" of a number that exists: the name was what did not match.
    # The page now names both, without saying which one was wrong (that would confirm a guessed number).
    application = certified(session, world, clock)
    number = application.certificate_no

    def check(browser: Any) -> str:
        data = {"number": number, "name": "张冠李", "form_token": new_token()}
        return str(browser.post("/public/certificates", data=data).text)

    chinese = check(client)
    assert "查无此证书" in chinese and f"没有找到证书编号“{number}”与所填持证人姓名都相符的证书" in chinese
    # By the QR code: the number and the code in it (no name was given).
    scanned = client.get(f"/public/certificates/{number}/0000000000").text
    assert "二维码中的查验码都相符" in scanned and "姓名都相符" not in scanned
    english = check(in_english(client))
    assert f'No certificate matches both the number "{number}" and the holder\'s name given' in english
    scanned = client.get(f"/public/certificates/{number}/0000000000").text
    assert "and the verification code in this QR code" in scanned
