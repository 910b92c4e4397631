"""Applicant accounts over HTTP: live checks, documents and permits, SCOPE-04, one account per person and
transfers, bulk import (check, confirm, passwords once), social-insurance rosters and privacy."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
import xlsxwriter
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id, mask_id_number
from portal.models import AccountTransfer, AuditEvent, ImportBatch, Roster, StoredFile, User
from portal.services.submissions import new_token
from tests.conftest import Clock, db_engine, run_queued
from tests.factories import STEPS_TO, World, make_application, make_user, make_world
from tests.i18n.reading import in_english, leaks
from tests.statements import recorded

HX = {"HX-Request": "true"}
VALIDATE = "/enterprise/applicants/validate"


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _id_ending_in_x(prefix: str = "36070219920315") -> str:
    return next(
        number
        for serial in range(1000)
        if (number := complete_resident_id(f"{prefix}{serial:03d}")).endswith("X")
    )


def _person(**changes: str) -> dict[str, str]:
    return {
        "name": "周文博",
        "document_type": "resident_id",
        "id_number": _id_ending_in_x(),
        "phone": "13970709901",
        "employment_type": "labour_contract",
    } | changes


def _count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


# ---------------------------------------------------------------------------------------------------
# One account, checked as HR types
# ---------------------------------------------------------------------------------------------------


def test_a_lowercase_x_is_shown_normalised_with_the_birth_date_as_hr_types(
    world: World, login_as: Any
) -> None:
    number = _id_ending_in_x()
    response = login_as(world.enterprise.handler).post(
        f"{VALIDATE}?field=id_number", data=_person(id_number=number[:-1] + "x"), headers=HX
    )
    assert response.status_code == 200 and "<html" not in response.text and "<form" not in response.text
    assert f'将保存为 <strong class="mono">{number}</strong>' in response.text
    assert "1992年3月15日" in response.text and "性别" in response.text


def test_a_wrong_check_character_shows_beside_the_field_live_and_on_submit_keeping_the_rest(
    world: World, session: Session, login_as: Any
) -> None:
    number = complete_resident_id("36070219900101123")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    browser = login_as(world.enterprise.handler)
    live = browser.post(f"{VALIDATE}?field=id_number", data=_person(id_number=wrong), headers=HX)
    assert live.status_code == 200 and "校验位不正确" in live.text and 'role="alert"' not in live.text
    before = _count_users(session)
    submitted = browser.post(
        "/enterprise/applicants", data=_person(id_number=wrong, phone="139 7070 9902"), headers=HX
    )
    assert submitted.status_code == 422 and "校验位不正确" in submitted.text
    assert 'value="周文博"' in submitted.text and 'value="139 7070 9902"' in submitted.text
    assert 'value="labour_contract" selected' in submitted.text
    assert _count_users(session) == before


def test_a_live_check_shows_only_the_field_asked_about(world: World, login_as: Any) -> None:
    response = login_as(world.enterprise.handler).post(
        f"{VALIDATE}?field=name", data={"name": "周文博", "document_type": "resident_id"}, headers=HX
    )
    assert response.status_code == 200 and "error" not in response.text
    assert login_as(world.enterprise.handler).post(f"{VALIDATE}?field=password", data={}).status_code == 400


def test_civil_servants_and_retirees_are_refused_with_the_rule(
    world: World, session: Session, login_as: Any
) -> None:
    browser = login_as(world.enterprise.handler)
    live = browser.post(
        f"{VALIDATE}?field=employment_type", data=_person(employment_type="retiree"), headers=HX
    )
    # The demo world's bureau follows no profile: no clause is cited (test_account_clauses: each city's own).
    assert "离退休人员不得申报）" in live.text and "通职称办" not in live.text
    refused = browser.post("/enterprise/applicants", data=_person(employment_type="civil_servant_managed"))
    assert refused.status_code == 422 and "参照公务员法管理" in refused.text
    assert session.scalars(select(User).where(User.name == "周文博")).first() is None


def test_choosing_passport_shows_nationality_and_permit_and_requires_them(
    world: World, session: Session, login_as: Any
) -> None:
    browser = login_as(world.enterprise.handler)
    swapped = browser.post(
        f"{VALIDATE}?field=document_type", data=_person(document_type="passport", id_number=""), headers=HX
    )
    assert "护照号码" in swapped.text and "国籍" in swapped.text and "许可证件种类" in swapped.text
    assert "data-hidden" not in swapped.text
    passport = {"document_type": "passport", "id_number": "e12345678", "name": "John Smith"}
    refused = browser.post("/enterprise/applicants", data=_person(**passport))
    assert (
        refused.status_code == 422
        and "请填写护照签发国家" in refused.text
        and "海外高层次人才居住证" in refused.text
    )
    created = browser.post(
        "/enterprise/applicants",
        data=_person(**passport, nationality="GBR", permit_kind="work_permit", permit_no="WP-2026-000123"),
        headers=HX,
    )
    assert created.status_code == 200 and "账号已开设" in created.text
    user = session.scalars(select(User).where(User.id_number == "E12345678")).one()
    assert (user.document_type, user.nationality, user.permit_kind, user.permit_no, user.employment_type) == (
        "passport",
        "GBR",
        "work_permit",
        "WP2026000123",
        "labour_contract",
    )


def test_a_nationality_typed_as_its_english_name_in_the_english_interface_is_stored_as_its_code(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen in English: “United States” as the nationality was refused (only Chinese names or codes)."""
    browser = in_english(login_as(world.enterprise.handler))
    hint = browser.get("/enterprise/applicants").text
    assert "its English name (e.g. “Singapore”)" in hint
    typed = {"document_type": "passport", "id_number": "e12345678", "name": "John Smith"}
    permit = {"permit_kind": "work_permit", "permit_no": "1100002023000123"}
    live = browser.post(
        f"{VALIDATE}?field=nationality", data=_person(**typed, nationality="Atlantis"), headers=HX
    )
    assert "English name (e.g. “Singapore”)" in live.text
    created = browser.post(
        "/enterprise/applicants", data=_person(**typed, **permit, nationality="United States"), headers=HX
    )
    assert created.status_code == 200 and "Account opened" in created.text
    user = session.scalars(select(User).where(User.id_number == "E12345678")).one()
    assert user.nationality == "USA"
    # The tab names him in English too (it dropped every name there, a Chinese one being read aloud wrong).
    page = browser.get(f"/enterprise/applicants/{user.id}").text
    assert "<title>John Smith · Applicant" in page
    # The nationality in the reader's words with the passport's code (Chinese HR read only “USA”).
    assert '<dd id="nationality">United States (USA)</dd>' in page
    chinese = login_as(world.enterprise.handler).get(f"/enterprise/applicants/{user.id}").text
    assert '<dd id="nationality">美国（USA）</dd>' in chinese


def test_a_hong_kong_passport_is_refused_in_english_with_the_document_to_choose(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen in English: Passport with nationality “Hong Kong” opened an account that then needed a
    foreigner's permit; HR are told which document a Hong Kong resident registers with."""
    browser = in_english(login_as(world.enterprise.handler))
    typed = {"document_type": "passport", "id_number": "k12345678", "name": "CHAN Tai Man"}
    live = browser.post(
        f"{VALIDATE}?field=nationality", data=_person(**typed, nationality="Hong Kong"), headers=HX
    )
    assert "must hold a foreign nationality" in live.text
    assert "Mainland travel permit for Hong Kong and Macao residents" in live.text
    assert leaks(f'<html lang="en">{live.text}</html>')[1] == []


def test_a_passport_holders_full_name_past_fifty_characters_is_kept_as_written(
    world: World, session: Session, login_as: Any
) -> None:
    """A QA report: MARIA GARCIA LOPEZ DE LA FUENTE Y ALVAREZ-MONTENEGRO (52 characters, as the passport and
    the work permit write it) was refused with "at most 50"; the field now stops at 100 as typed."""
    long_name = "MARIA GARCIA LOPEZ DE LA FUENTE Y ALVAREZ-MONTENEGRO"
    browser = login_as(world.enterprise.handler)
    form = browser.get("/enterprise/applicants").text
    assert re.search(r'<input id="f-name" name="name" [^>]*maxlength="100"', form)
    typed = {"document_type": "passport", "id_number": "e98765432", "nationality": "ESP"}
    permit = {"permit_kind": "work_permit", "permit_no": "WP-2026-000456"}
    created = browser.post(
        "/enterprise/applicants", data=_person(**typed, **permit, name=long_name), headers=HX
    )
    assert created.status_code == 200 and "账号已开设" in created.text
    assert session.scalars(select(User.name).where(User.id_number == "E98765432")).one() == long_name
    too_long = browser.post(
        "/enterprise/applicants", data=_person(**typed, **permit, name="A" * 101), headers=HX
    )
    assert too_long.status_code == 422 and "姓名不能超过100个字符，您输入了101个" in too_long.text


def test_a_name_typed_with_a_phones_apostrophe_is_stored_with_the_documents_one(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen in English: HR typed “John Michael O’Brien” (a phone's keyboard writes ’) and were told a name
    cannot contain “’”; the passport prints an apostrophe, so the name is kept with one."""
    browser = in_english(login_as(world.enterprise.handler))
    typed = {"document_type": "passport", "id_number": "e12345678", "nationality": "USA"}
    permit = {"permit_kind": "work_permit", "permit_no": "1100002023000123"}
    created = browser.post(
        "/enterprise/applicants", data=_person(**typed, **permit, name="John Michael O’Brien"), headers=HX
    )
    assert created.status_code == 200 and "Account opened" in created.text
    assert (
        session.scalars(select(User.name).where(User.id_number == "E12345678")).one()
        == "John Michael O'Brien"
    )


def test_a_name_with_a_full_stop_is_accepted_and_a_refusal_lists_what_a_name_may_contain(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen in English: “John Smith Jr.” was refused for the “.”, and the message said only Chinese
    characters, Latin letters and “·” were allowed although spaces, hyphens and apostrophes were accepted."""
    browser = in_english(login_as(world.enterprise.handler))
    typed = {"document_type": "passport", "id_number": "e12345678", "nationality": "USA"}
    permit = {"permit_kind": "work_permit", "permit_no": "1100002023000123"}
    created = browser.post(
        "/enterprise/applicants", data=_person(**typed, **permit, name="John Smith Jr."), headers=HX
    )
    assert created.status_code == 200 and "Account opened" in created.text
    assert session.scalars(select(User.name).where(User.id_number == "E12345678")).one() == "John Smith Jr."
    refused = browser.post(f"{VALIDATE}?field=name", data=_person(name="John Smith, Jr."), headers=HX)
    assert (
        "only Chinese characters, letters, spaces, the middle dot “·”, hyphens “-”, apostrophes “'” and "
        "full stops “.”" in refused.text.replace("&#39;", "'")
    )


def test_the_account_slip_names_the_document_the_person_logs_in_with(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen in English: a passport holder's slip read “… or the ID number”, so he tried an ID card number
    he does not have; the slip names his document (a resident ID holder's says ID card)."""
    browser = login_as(world.enterprise.handler)
    local = browser.post("/enterprise/applicants", data=_person(), headers=HX)
    assert "13970709901（手机号）或身份证号码" in local.text
    typed = {
        "document_type": "passport",
        "id_number": "e12345678",
        "nationality": "USA",
        "name": "John Smith",
    }
    permit = {"permit_kind": "work_permit", "permit_no": "1100002023000123", "phone": "13970709902"}
    foreigner = in_english(browser).post(
        "/enterprise/applicants", data=_person(**typed, **permit), headers=HX
    )
    slip = foreigner.text.partition('id="account-slip"')[2].partition("</section>")[0]
    # Named as every page names the number (“Passport number”), not “the number of the Passport”.
    assert "13970709902 (mobile number) or Passport number" in slip
    assert "the number of the" not in slip and "ID card" not in slip
    permit = {"document_type": "hk_macau_permit", "id_number": "H12345678", "phone": "13970709903"}
    hk = browser.post("/enterprise/applicants", data=_person(name="陈大文", **permit), headers=HX)
    assert "13970709903 (mobile number) or Mainland travel permit number (Hong Kong and Macao residents)" in (
        hk.text
    )


def test_a_hong_kong_residents_chinese_and_english_names_keep_their_spaces(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen: “陈大文 CHAN Tai Man” (the permit prints both names) was stored as “陈大文CHANTaiMan”: every
    space of a name with a Chinese character was dropped. Only the spaces between Chinese characters go."""
    browser = in_english(login_as(world.enterprise.handler))
    typed = {"document_type": "hk_macau_permit", "id_number": "H12345678", "phone": "13970709902"}
    typed["name"] = "陈大文 CHAN  Tai Man"
    created = browser.post("/enterprise/applicants", data=_person(**typed), headers=HX)
    assert created.status_code == 200 and "Account opened" in created.text
    assert (
        session.scalars(select(User.name).where(User.id_number == "H12345678")).one() == "陈大文 CHAN Tai Man"
    )
    spaced = browser.post("/enterprise/applicants", data=_person(name="周 文博"), headers=HX)
    assert spaced.status_code == 200 and "Account opened" in spaced.text
    assert session.scalars(select(User.name).where(User.phone == "13970709901")).all() == ["周文博"]


# ---------------------------------------------------------------------------------------------------
# One account per person, and the transfer flow
# ---------------------------------------------------------------------------------------------------


def test_a_duplicate_across_enterprises_is_caught_and_the_transfer_moves_the_account(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    holder = make_user(session, "王某", employer=world.other_enterprise.org)
    old_application = make_application(
        session, world, clock.now, applicant=holder, office=world.other_enterprise
    )
    new_hr = login_as(world.enterprise.handler)
    typed = _person(name="王某", id_number=holder.id_number, phone=holder.phone)
    refused = new_hr.post("/enterprise/applicants", data=typed, headers=HX)
    assert refused.status_code == 422
    assert (
        world.other_enterprise.org.name in refused.text and mask_id_number(holder.id_number) in refused.text
    )
    assert "申请转入本单位" in refused.text and "该手机号已被" not in refused.text

    wrong_name = new_hr.post("/enterprise/transfers", data={**typed, "name": "王某某"})
    assert wrong_name.status_code == 422 and "姓名与该证件号码账号登记的姓名不一致" in wrong_name.text
    asked = new_hr.post("/enterprise/transfers", data=typed)
    assert asked.status_code == 303
    transfer = session.scalars(select(AccountTransfer).where(AccountTransfer.user_id == holder.id)).one()
    assert (transfer.status, transfer.from_org_id, transfer.to_org_id) == (
        "requested",
        world.other_enterprise.org.id,
        world.enterprise.org.id,
    )
    again = new_hr.post(f"{VALIDATE}?field=id_number", data=typed, headers=HX)
    assert "转入申请在办理中" in again.text

    old_hr = login_as(world.other_enterprise.handler)
    listing = old_hr.get("/enterprise/transfers").text
    assert "同意转出" in listing and world.enterprise.org.name in listing
    # A draft application still held by the old employer must be finished or withdrawn first.
    blocked = old_hr.post(f"/enterprise/transfers/{transfer.id}/release")
    assert blocked.status_code == 303
    session.refresh(holder)
    assert holder.employer_id == world.other_enterprise.org.id
    assert "进行中的申报" in old_hr.get("/enterprise/transfers").text
    old_application.status = "withdrawn"
    session.flush()

    assert (
        new_hr.post(f"/enterprise/transfers/{transfer.id}/release").status_code == 404
    )  # not theirs to release
    assert old_hr.post(f"/enterprise/transfers/{transfer.id}/release").status_code == 303
    session.refresh(holder)
    session.refresh(transfer)
    assert holder.employer_id == world.enterprise.org.id and transfer.status == "completed"
    detail = new_hr.get(f"/enterprise/applicants/{holder.id}").text
    assert world.other_enterprise.org.name in detail and "已转入" in detail
    assert old_hr.get(f"/enterprise/applicants/{holder.id}").status_code == 404
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == holder.id)))
    assert {"request_transfer", "release_transfer"} <= actions


def test_the_old_employer_may_refuse_with_a_reason(world: World, session: Session, login_as: Any) -> None:
    holder = make_user(session, "李某", employer=world.other_enterprise.org)
    login_as(world.enterprise.handler).post(
        "/enterprise/transfers", data=_person(name="李某", id_number=holder.id_number)
    )
    transfer = session.scalars(select(AccountTransfer).where(AccountTransfer.user_id == holder.id)).one()
    old_hr = login_as(world.other_enterprise.leader)
    old_hr.post(f"/enterprise/transfers/{transfer.id}/refuse", data={"note": ""})
    session.refresh(transfer)
    assert transfer.status == "requested"
    old_hr.post(f"/enterprise/transfers/{transfer.id}/refuse", data={"note": "劳动合同尚未解除"})
    session.refresh(transfer)
    assert transfer.status == "refused"
    assert "劳动合同尚未解除" in login_as(world.enterprise.handler).get("/enterprise/transfers").text


def test_withdrawing_a_transfer_request_asks_first_as_releasing_does(
    world: World, session: Session, login_as: Any
) -> None:
    holder = make_user(session, "赵某", employer=world.other_enterprise.org)
    new_hr = login_as(world.enterprise.handler)
    new_hr.post("/enterprise/transfers", data=_person(name="赵某", id_number=holder.id_number))
    transfer = session.scalars(select(AccountTransfer).where(AccountTransfer.user_id == holder.id)).one()
    listing = new_hr.get("/enterprise/transfers").text
    cancel = re.search(rf'<form [^>]*action="/enterprise/transfers/{transfer.id}/cancel"[^>]*>', listing)
    assert cancel and 'data-confirm="撤销后原单位不再处理这项转入申请，确定撤销吗？"' in cancel.group(0)


# ---------------------------------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------------------------------


def test_the_applicants_page_lists_the_applications_the_unit_started_a_draft_included(
    world: World, session: Session, login_as: Any, clock: Clock
) -> None:
    """A draft HR started is in no queue: the person's page is where HR finds it again (walk4 F1)."""
    user = make_user(session, "孙某", employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)
    assert "本单位还没有为本人发起申报" in browser.get(f"/enterprise/applicants/{user.id}").text
    draft = make_application(session, world, clock.now, applicant=user)
    page = browser.get(f"/enterprise/applicants/{user.id}").text
    row = page.split(f'id="application-{draft.id}"')[1].split("</tr>")[0]
    assert f'href="/review/applications/{draft.id}"' in row
    assert "工程 / 土木工程" in row and "中级" in row and "认定" in row and "草稿" in row


def test_lists_mask_and_only_the_holding_enterprise_sees_the_full_number_audited(
    world: World, session: Session, login_as: Any
) -> None:
    user = make_user(session, "孙某", employer=world.enterprise.org)
    browser = login_as(world.enterprise.leader)
    listing = browser.get("/enterprise/applicants").text
    assert (
        mask_id_number(user.id_number) in listing
        and user.id_number not in listing
        and user.phone not in listing
    )
    detail = browser.get(f"/enterprise/applicants/{user.id}")
    assert detail.status_code == 200 and user.id_number not in detail.text and user.phone not in detail.text
    assert mask_id_number(user.id_number) in detail.text and "查看完整证件号码和手机号" in detail.text
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "view_identity")).all()
    revealed = browser.post(f"/enterprise/applicants/{user.id}/identity", headers={"HX-Request": "true"})
    assert revealed.status_code == 200 and "<html" not in revealed.text  # the identity card alone
    assert user.id_number in revealed.text and user.phone in revealed.text
    viewed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view_identity", AuditEvent.object_id == user.id)
    ).all()
    assert len(viewed) == 1 and viewed[0].actor_id == world.enterprise.leader.id
    assert (
        login_as(world.other_enterprise.handler).get(f"/enterprise/applicants/{user.id}").status_code == 404
    )
    assert login_as(world.department.handler).get(f"/enterprise/applicants/{user.id}").status_code == 403


# ---------------------------------------------------------------------------------------------------
# Bulk import
# ---------------------------------------------------------------------------------------------------


def _xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


HEADER = ["*姓名（与证件及社保登记一致）", "证件类型", "*证件号码", "*手机号码", "*用工类型"]


def test_the_template_has_chinese_headers_drop_downs_and_an_example(world: World, login_as: Any) -> None:
    response = login_as(world.enterprise.handler).get("/enterprise/applicants/import/template.xlsx")
    assert response.status_code == 200 and response.data.startswith(b"PK\x03\x04")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[0].startswith("*姓名") and any(h and h.startswith("*证件号码") for h in header)
    assert sheet["A2"].value.startswith("示例") and len(sheet["C2"].value) == 18
    assert len(sheet.data_validations.dataValidation) >= 3


def _upload(
    browser: Any, data: bytes, name: str = "名单.xlsx", url: str = "/enterprise/imports", **kw: Any
) -> Any:
    return browser.post(
        url,
        data={"file": (io.BytesIO(data), name), "form_token": new_token()},
        content_type="multipart/form-data",
        **kw,
    )


def test_a_bulk_file_reports_every_bad_row_and_imports_only_on_confirmation(
    app: Flask, world: World, session: Session, login_as: Any, queue: None
) -> None:
    existing = make_user(session, "已有", employer=world.other_enterprise.org)
    good_ids = [complete_resident_id(f"3607021990010{n}123") for n in range(1, 4)]
    rows = [
        HEADER,
        ["示例：张三", "居民身份证", good_ids[0], "13900000000", "签订劳动合同的职工"],
        ["甲", "居民身份证", good_ids[0].lower(), "13970700101", "签订劳动合同的职工"],
        ["乙", "", good_ids[1], "1397070010", "劳动合同"],
        ["丙", "居民身份证", good_ids[2], "13970700103", "公务员"],
        ["丁", "居民身份证", existing.id_number, "13970700104", "劳动合同"],
        ["戊", "居民身份证", good_ids[0], "13970700105", "劳动合同"],
        ["己", "居民身份证", complete_resident_id("36070219900201123"), "13970700106", "聘用合同"],
    ]
    browser = login_as(world.enterprise.handler)
    before = _count_users(session)
    checked = _upload(browser, _xlsx(rows), "x.pdf")  # the name is never trusted, the content is
    assert checked.status_code == 303 and _count_users(session) == before
    report = browser.get(checked.headers["Location"]).text
    assert "2</strong> 行无误" in report and "4</strong> 行有问题" in report
    for line, column in ((4, "手机号码"), (5, "用工类型"), (6, "证件号码"), (7, "证件号码")):
        assert f"<td>第{line}行</td><td>{column}</td>" in report
    assert world.other_enterprise.org.name in report and "与第3行的证件号码重复" in report

    batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch is not None and (batch.total_rows, batch.bad_rows, batch.status) == (6, 4, "checked")
    started = browser.post(f"/enterprise/imports/{batch.id}/confirm")
    assert started.status_code == 303 and started.headers["Location"].startswith("/jobs/")
    assert _count_users(session) == before  # the worker opens the accounts
    assert run_queued(app) == 1
    done = browser.get(started.headers["Location"])
    assert done.status_code == 200 and "已开设 2 个申报人账号" in done.text
    assert '<a href="/enterprise/applicants" id="job-back">← 申报人账号</a>' in done.text  # the accounts
    assert done.text.count('class="password"') == 2 and "data:application/vnd.openxmlformats" in done.text
    # The first-password sheet names each number's document, as the certificate Excel does.
    href = re.search(r'href="data:[^;"]+;base64,([^"]+)"', done.text)
    assert href is not None
    passwords = load_workbook(io.BytesIO(base64.b64decode(href.group(1)))).worksheets[0]
    assert [c.value for c in passwords[1]][2:4] == ["证件类型", "证件号码"]
    assert {row[2] for row in passwords.iter_rows(min_row=2, values_only=True)} == {"居民身份证"}
    assert done.text.count("13970700101（手机号）或身份证号码") == 1  # the slip names the login's document
    # The passwords are sealed to this browser's key: another browser of the same person sees none.
    assert 'class="password"' not in login_as(world.enterprise.handler).get(started.headers["Location"]).text
    imported = session.scalars(select(User).where(User.name.in_(["甲", "己"]))).all()
    assert {u.employer_id for u in imported} == {world.enterprise.org.id}
    assert all(u.must_change_password for u in imported)
    assert _count_users(session) == before + 2
    twice = browser.post(f"/enterprise/imports/{batch.id}/confirm")  # a second click: the same job
    assert twice.headers["Location"] == started.headers["Location"] and run_queued(app) == 0
    assert _count_users(session) == before + 2
    assert "导入 2 人" in browser.get(f"/enterprise/imports/{batch.id}").text
    assert login_as(world.other_enterprise.handler).get(f"/enterprise/imports/{batch.id}").status_code == 404


def test_a_row_for_an_existing_applicant_is_not_told_its_own_phone_is_another_accounts(
    world: World, session: Session, login_as: Any
) -> None:
    # Seen: re-importing one of the unit's applicants read "已是本单位的申报人" and, on the same row,
    # "该手机号已被其他账号使用", of that very person's phone. Another person's phone is still refused.
    mine = make_user(session, "已有", employer=world.enterprise.org)
    other = make_user(session, "他人", employer=world.enterprise.org)
    new_id = complete_resident_id("36070219900301123")
    rows = [
        HEADER,
        ["已有", "居民身份证", mine.id_number, mine.phone, "签订劳动合同的职工"],
        ["新人", "居民身份证", new_id, other.phone, "签订劳动合同的职工"],
    ]
    browser = login_as(world.enterprise.handler)
    checked = _upload(browser, _xlsx(rows))
    assert checked.status_code == 303, checked.text[-3000:]
    report = browser.get(checked.headers["Location"]).text
    assert "<td>第2行</td><td>证件号码</td>" in report and "已是本单位的申报人" in report
    assert "<td>第2行</td><td>手机号码</td>" not in report
    assert "<td>第3行</td><td>手机号码</td><td>该手机号已被其他账号使用</td>" in report


def test_a_gbk_csv_imports_and_anything_else_is_refused_with_a_reason(
    app: Flask, world: World, session: Session, login_as: Any, queue: None
) -> None:
    browser = login_as(world.enterprise.handler)
    number = complete_resident_id("36070219900301123")
    csv_bytes = f"姓名,证件号码,手机号码,用工类型\r\n陈某,{number},13970700201,劳动合同\r\n".encode("gbk")
    checked = _upload(browser, csv_bytes, "名单.csv")
    assert checked.status_code == 303
    batch_id = int(checked.headers["Location"].rsplit("/", 1)[1])
    browser.post(f"/enterprise/imports/{batch_id}/confirm")
    run_queued(app)
    assert session.scalars(select(User).where(User.id_number == number)).one().name == "陈某"
    for data, message in (
        (b"%PDF-1.7 not a table", "无法识别该文件"),
        (b"\xd0\xcf\x11\xe0old excel", "另存为"),
        (b"PK\x03\x04broken zip", "不是有效的 Excel"),
        (b"", "空的"),
        ("姓名,手机号码\r\n陈某,13970700201\r\n".encode(), "缺少“证件号码”、“用工类型”列"),
    ):
        refused = _upload(browser, data, "a.xlsx", headers=HX)
        assert refused.status_code == 422 and message in refused.text, message
        assert "<html" not in refused.text


def test_a_text_file_is_refused_as_no_spreadsheet_not_as_one_lacking_columns(
    world: World, login_as: Any
) -> None:
    """A note saved as .csv (or a .txt) decoded as a one-column table, and every table import said it
    lacked its columns (“姓名”, “证件号码” …): the reader now says it is no Excel/CSV file at all, in
    either language, for the bulk import and the roster alike (they share the reader)."""
    note = "这是一份说明文字，不是表格。\r\n请联系人事科。\r\n".encode()
    browser = login_as(world.enterprise.handler)
    for url in ("/enterprise/imports", "/enterprise/roster"):
        refused = _upload(browser, note, "名单.csv", url=url, headers=HX)
        assert refused.status_code == 422, url
        assert "不是 Excel/CSV 文件" in refused.text and "缺少" not in refused.text, url
    in_english(browser)
    refused = _upload(browser, note, "list.txt", headers=HX)
    assert refused.status_code == 422
    assert "is not an Excel or CSV file" in refused.text and "lacks" not in refused.text
    assert leaks(f'<html lang="en"><body>{refused.text}</body></html>')[1] == []


# ---------------------------------------------------------------------------------------------------
# Social-insurance roster
# ---------------------------------------------------------------------------------------------------


def test_a_roster_upload_turns_badges_from_not_found_to_linked_and_unit_mismatch(
    world: World, session: Session, login_as: Any
) -> None:
    linked = make_user(session, "关联", employer=world.enterprise.org)
    elsewhere = make_user(session, "外单位", employer=world.enterprise.org)
    missing = make_user(session, "缺失", employer=world.enterprise.org)
    browser = login_as(world.enterprise.handler)
    assert "未导入参保名单" in browser.get("/enterprise/applicants").text

    unit = world.enterprise.org.name.replace("单位", "单位 ")  # a space the comparison ignores
    first = [
        ["姓名", "公民身份号码", "参保单位名称", "缴费月数"],
        ["其他人", complete_resident_id("36070219800101123"), unit, "60"],
    ]
    assert _upload(browser, _xlsx(first), "roster.xlsx", url="/enterprise/roster").status_code == 303
    page = browser.get("/enterprise/applicants").text
    assert page.count("badge-roster-not_found") == 3

    second = [
        ["姓名", "公民身份号码", "参保单位名称", "缴费月数"],
        ["关联", linked.id_number, unit, "24"],
        ["外单位", elsewhere.id_number, "赣州某某劳务派遣有限公司", "36"],
        ["坏行", "12345", unit, "1"],
    ]
    uploaded = _upload(browser, _xlsx(second), "roster2.xlsx", url="/enterprise/roster")
    assert uploaded.status_code == 303
    page = browser.get("/enterprise/applicants").text
    for user, badge in ((linked, "linked"), (elsewhere, "unit_mismatch"), (missing, "not_found")):
        row = page.split(f'id="applicant-{user.id}"')[1].split("</tr>")[0]
        assert f"badge-roster-{badge}" in row, (user.name, row)
    assert "已跳过" in page and "第4行" in page  # the flash names the unreadable line
    history = browser.get("/enterprise/roster").text
    assert "roster.xlsx" in history and "roster2.xlsx" in history and "当前使用" in history
    assert (
        session.scalar(
            select(func.count()).select_from(Roster).where(Roster.enterprise_id == world.enterprise.org.id)
        )
        == 2
    )
    detail = browser.get(f"/enterprise/applicants/{elsewhere.id}").text
    assert "隶属关系证明" in detail
    # Why a badge says so, as text a keyboard reaches, with the insuring employer marked Chinese even in
    # English (it was a title tooltip, whose Chinese words no lang attribute could mark).
    row = page.split(f'id="applicant-{elsewhere.id}"')[1].split("</tr>")[0]
    assert "<summary>" in row and "赣州某某劳务派遣有限公司" in row and "title=" not in row
    in_english(browser)
    lang, runs = leaks(browser.get("/enterprise/applicants").text)
    assert lang == "en" and runs == []


def _counts(page: str) -> dict[str, int]:
    """The roster page's badge counts (#roster-counts): {badge class: count}."""
    shown = page.split('id="roster-counts"')[1].split("</p>")[0]
    return {badge: int(n) for badge, n in re.findall(r'badge-roster-(\w+)">[^<]*? (\d+)</span>', shown)}


def test_the_roster_page_counts_each_badge_and_reads_as_much_for_many_accounts_as_for_a_few(
    app: Flask, world: World, session: Session, login_as: Any
) -> None:
    """The page's counts (已关联 / 单位不一致 / 月数不足 / 姓名不一致 / 未找到 / 人工核对) read every
    account of the enterprise and the roster's row of each, 500 numbers a statement: they are counted by the
    database now, in groups of accounts alike, and agree with the badges the applicant list shows."""
    unit = world.enterprise.org.name
    linked = make_user(session, "关联", employer=world.enterprise.org)
    elsewhere = make_user(session, "外单位", employer=world.enterprise.org)
    short = make_user(session, "月数少", employer=world.enterprise.org)
    renamed = make_user(session, "改名字", employer=world.enterprise.org)
    script = make_user(session, "陈大文", employer=world.enterprise.org)
    spaced = make_user(session, "买买提·艾力", employer=world.enterprise.org)  # the roster drops the dot
    make_user(session, "缺失", employer=world.enterprise.org)
    foreigner = make_user(session, "JOHN SMITH", employer=world.enterprise.org)
    foreigner.document_type, foreigner.id_number = "passport", "E12345678"
    foreigner.nationality, foreigner.permit_kind, foreigner.permit_no = "USA", "work_permit", "W123456"
    # Accounts that will join the enterprise later, already on its roster (linked, or of another unit).
    later = [make_user(session) for _ in range(8)]
    session.flush()
    rows = [
        ["姓名", "公民身份号码", "参保单位名称", "缴费月数"],
        ["关联", linked.id_number, unit, "24"],
        ["外单位", elsewhere.id_number, "赣州某某劳务派遣有限公司", "36"],
        ["月数少", short.id_number, unit, "3"],
        ["别的名字", renamed.id_number, unit, "24"],
        ["陳大文", script.id_number, unit, "24"],
        ["买买提艾力", spaced.id_number, unit, "24"],
        *(
            [p.name, p.id_number, unit if i % 2 else "赣州某某劳务派遣有限公司", "24"]
            for i, p in enumerate(later)
        ),
    ]
    browser = login_as(world.enterprise.handler)
    assert _counts(browser.get("/enterprise/roster").text) == {"no_roster": 8}
    assert _upload(browser, _xlsx(rows), "roster.xlsx", url="/enterprise/roster").status_code == 303

    def page() -> tuple[list[str], dict[str, int]]:
        browser.get("/enterprise/roster")  # warm: the cookie's idle clock re-signed once
        with recorded(db_engine(app)) as sent:
            text = browser.get("/enterprise/roster").text
        return sent, _counts(text)

    few, counts = page()
    expected = {
        "linked": 2,
        "unit_mismatch": 1,
        "months_short": 1,
        "name_mismatch": 2,
        "not_found": 1,
        "manual": 1,
    }
    assert counts == expected
    listed = browser.get("/enterprise/applicants").text  # the list's badges, account by account, agree
    assert {b: listed.count(f'class="badge badge-roster-{b}"') for b in expected} == expected
    for person in later:
        person.employer_id = world.enterprise.org.id
    session.flush()
    many, counts = page()
    assert counts == {**expected, "linked": 6, "unit_mismatch": 5}
    assert len(many) == len(few), (few, many)
    assert not any("roster_entries.id_number IN" in s for s in many), many  # no row read per account
    assert any("GROUP BY" in s and "roster_entries" in s for s in many), many


def test_the_minimum_months_come_from_one_setting(world: World, session: Session, login_as: Any) -> None:
    from portal.models import Setting
    from portal.services.rosters import roster_minimum_months

    assert roster_minimum_months(session, world.enterprise.org) == 6
    session.add(Setting(key=f"si_minimum_months:{world.enterprise.org.id}", value="12"))
    session.flush()
    assert roster_minimum_months(session, world.enterprise.org) == 12
    assert roster_minimum_months(session, world.other_enterprise.org) == 6


def test_account_pages_are_for_enterprise_staff_only(world: World, session: Session, login_as: Any) -> None:
    applicant = make_user(session, employer=world.enterprise.org)
    for user in (applicant, world.department.handler, world.admin):
        browser = login_as(user)
        for url in ("/enterprise/applicants/import", "/enterprise/roster", "/enterprise/transfers"):
            assert browser.get(url).status_code == 403
        assert browser.post(f"{VALIDATE}?field=name", data={}).status_code == 403


def test_a_certified_applicant_can_still_be_released(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[application_status()])
    holder = application.applicant
    login_as(world.other_enterprise.handler).post(
        "/enterprise/transfers", data=_person(name=holder.name, id_number=holder.id_number)
    )
    transfer = session.scalars(select(AccountTransfer).where(AccountTransfer.user_id == holder.id)).one()
    assert (
        login_as(world.enterprise.handler).post(f"/enterprise/transfers/{transfer.id}/release").status_code
        == 303
    )
    session.refresh(holder)
    assert holder.employer_id == world.other_enterprise.org.id
    assert application.enterprise_id == world.enterprise.org.id  # the history stays where it happened


def application_status() -> Any:
    from portal.domain.workflow import Status

    return Status.CERTIFIED


def test_a_passport_holder_is_checked_by_hand_not_told_to_correct_the_number(
    world: World, session: Session, login_as: Any
) -> None:
    # Seen: a passport holder's badge read 未找到, "…请核对证件号码": the roster lists people by ID number
    # (SCOPE-03: non-resident documents take the manual path), and there is nothing to correct.
    foreigner = make_user(session, "JOHN SMITH", employer=world.enterprise.org)
    foreigner.document_type, foreigner.id_number = "passport", "E12345678"
    foreigner.nationality, foreigner.permit_kind, foreigner.permit_no = "USA", "work_permit", "W123456"
    visitor = make_user(session, "陈大文", employer=world.enterprise.org)
    visitor.document_type, visitor.id_number = "hk_macau_permit", "H12345678"
    resident = make_user(session, "缺失", employer=world.enterprise.org)
    session.flush()
    browser = login_as(world.enterprise.handler)
    rows = [
        ["姓名", "公民身份号码", "参保单位名称", "缴费月数"],
        ["其他人", complete_resident_id("36070219800101123"), world.enterprise.org.name, "60"],
    ]
    assert _upload(browser, _xlsx(rows), "roster.xlsx", url="/enterprise/roster").status_code == 303
    page = browser.get("/enterprise/applicants").text
    for user, badge in ((foreigner, "manual"), (visitor, "manual"), (resident, "not_found")):
        row = page.split(f'id="applicant-{user.id}"')[1].split("</tr>")[0]
        assert f"badge-roster-{badge}" in row, (user.name, row)
    row = page.split(f'id="applicant-{foreigner.id}"')[1].split("</tr>")[0]
    assert "人工核对" in row and "持护照的申报人无法自动关联" in row and "请核对证件号码" not in row


def test_the_roster_page_names_every_result_an_applicant_can_show(world: World, login_as: Any) -> None:
    # The page's introduction lists the results; 人工核对 (passport and travel-permit holders) is one.
    page = login_as(world.enterprise.handler).get("/enterprise/roster").text
    assert "姓名不一致或未找到（持护照或港澳、台湾通行证的为人工核对）" in page


def test_a_nationality_code_is_not_marked_chinese_on_the_applicants_page(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen in English: “USA” under Nationality sat inside lang="zh-CN" (a screen reader read it as
    Chinese); a Chinese country name still says it is Chinese."""
    browser = in_english(login_as(world.enterprise.handler))
    for number, nationality in (("E12345678", "USA"), ("E87654321", "新加坡")):
        person = make_user(session, "John Smith", employer=world.enterprise.org)
        person.document_type, person.id_number, person.nationality = "passport", number, nationality
        person.permit_kind, person.permit_no = "work_permit", "1100002023000123"
        session.flush()
        page = browser.get(f"/enterprise/applicants/{person.id}").text
        shown = "United States (USA)" if nationality == "USA" else f'<span lang="zh-CN">{nationality}</span>'
        assert f'<dd id="nationality">{shown}</dd>' in page


def test_the_applicants_list_reflows_on_a_phone_with_each_cell_named(
    world: World, session: Session, login_as: Any
) -> None:
    """Seen at 390 px in English: five squeezed columns broke every word (“Star / t an / app / licat / ion”,
    “CHA / N Tai Man”); the table is one block per row there, each cell led by its column's name."""
    make_user(session, "陈大文 CHAN Tai Man", employer=world.enterprise.org)
    page = in_english(login_as(world.enterprise.handler)).get("/enterprise/applicants").text
    table = page.partition('id="applicants-table"')
    assert 'class="table reflow"' in table[0][-40:]
    # A list of mixed people (ID cards, passports, permits): its column names no one document.
    for label in ("Document number", "Mobile number", "Social insurance check"):
        assert f'data-label="{label}"' in table[2]


def test_the_number_field_says_what_a_permit_number_looks_like_in_both_languages(
    world: World, login_as: Any
) -> None:
    """Seen in English opening a Hong Kong resident's account: the number's hint read only “The number on
    the document”; it now says the format of the document chosen."""
    browser = login_as(world.enterprise.handler)
    chinese = browser.post(
        f"{VALIDATE}?field=document_type", data=_person(document_type="hk_macau_permit"), headers=HX
    )
    assert "字母H（香港）或M（澳门）加8位或10位数字" in chinese.text
    hints = {
        "hk_macau_permit": "H (Hong Kong) or M (Macao) followed by 8 or 10 digits",
        "taiwan_permit": "8 digits (card), or 10 characters (older booklet)",
        "foreign_permanent_residence": "18 digits starting with 9; older card: 3 letters and 12 digits",
    }
    for document, hint in hints.items():
        swapped = in_english(browser).post(
            f"{VALIDATE}?field=document_type", data=_person(document_type=document), headers=HX
        )
        assert hint in swapped.text, document
    # The label names the document's number as its check does ("Mainland travel permit for Hong Kong and
    # Macao residents number" read as one long noun).
    swapped = in_english(browser).post(
        f"{VALIDATE}?field=document_type", data=_person(document_type="hk_macau_permit"), headers=HX
    )
    assert ">Mainland travel permit number (Hong Kong and Macao residents)<" in swapped.text


def test_a_kept_import_file_that_no_longer_reads_goes_back_to_the_upload_with_its_reason(
    world: World, session: Session, login_as: Any
) -> None:
    # The report page re-reads the kept file; one that no longer reads as the template (say, its columns
    # renamed since it was checked) answered a bare 422 error page. Now, as the other kept previews
    # (steps.kept_preview): back to the upload form, the reason said there.
    from portal.models import StoredFile
    from tests.factories import STORAGE

    browser = login_as(world.enterprise.handler)
    good = [
        HEADER,
        ["甲", "居民身份证", complete_resident_id("36070219900101123"), "13970700101", "劳动合同"],
    ]
    checked = _upload(browser, _xlsx(good))
    assert checked.status_code == 303
    batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch is not None
    other = "名字,号码\n甲,1\n".encode()
    kept = StoredFile(sha256=STORAGE.put(other), size=len(other), media_type="text/csv", display_name="x.csv")
    session.add(kept)
    session.flush()
    batch.file_id = kept.id
    session.flush()
    report = browser.get(checked.headers["Location"])
    assert report.status_code == 303 and report.headers["Location"] == "/enterprise/applicants/import"
    page = browser.get(report.headers["Location"]).text
    assert "flash-error" in page and "缺少" in page


def test_the_roster_history_reads_as_much_for_five_uploads_as_for_one(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """The page's upload history read each upload's file and its uploader one statement at a time: an
    enterprise's page grew by two statements with every roster it ever uploaded. They come with the page."""

    def upload(n: int) -> None:
        uploader = make_user(session, f"人事{n}", employer=world.enterprise.org)
        stored = StoredFile(
            sha256=f"{n:064x}", size=1, media_type="application/vnd.ms-excel", display_name=f"名单{n}.xlsx",
            uploaded_by_id=uploader.id, created_at=clock.now,
        )  # fmt: skip
        session.add(stored)
        session.flush()
        session.add(
            Roster(
                enterprise_id=world.enterprise.org.id, file_id=stored.id, row_count=n, skipped_rows=0,
                uploaded_by_id=uploader.id, uploaded_at=clock.advance(minutes=1),
            )
        )  # fmt: skip
        session.flush()

    browser = login_as(world.enterprise.handler)

    def page() -> tuple[list[str], str]:
        browser.get("/enterprise/roster")  # warm: the cookie's idle clock re-signed once
        with recorded(db_engine(app)) as sent:
            text = browser.get("/enterprise/roster").text
        return sent, text

    upload(1)
    one, text = page()
    assert "名单1.xlsx" in text and "人事1" in text
    for n in range(2, 6):
        upload(n)
    five, text = page()
    history = text.split('id="roster-history"')[1]
    assert all(f"名单{n}.xlsx" in history and f"人事{n}" in history for n in range(1, 6)), history
    assert len(five) == len(one), (one, five)
