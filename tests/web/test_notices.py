"""Notice pages over HTTP: enterprise screens, the public page (no login), downloads, the calendar."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.text import LIMITS
from portal.domain.workflow import Status
from portal.models import CalendarDay, Notice, StaffRole
from portal.services import endorsements, notices
from portal.services.submissions import new_token
from portal.storage.local import LocalStorage
from tests import imaging
from tests.conftest import Clock, run_periodic
from tests.factories import (
    STEPS_TO,
    STORAGE,
    World,
    make_application,
    make_world,
    tiny_pdf,
    with_document,
)
from tests.i18n.reading import in_english
from tests.services.test_notices import at_shanghai, published

HX = {"HX-Request": "true"}


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


@pytest.fixture(autouse=True)
def files(app: Flask, tmp_path: Any) -> Iterator[None]:
    previous = app.config["PORTAL_STORAGE_DIR"]
    app.config["PORTAL_STORAGE_DIR"] = str(tmp_path / "files")
    yield
    # Restored: the app is shared by the whole session, and later tests read the factories' file store.
    app.config["PORTAL_STORAGE_DIR"] = previous


def _published(session: Session, world: World, clock: Clock) -> Notice:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    data = notices.NoticeInput("城投集团职称申报人员公示", "一楼公示栏", "人事部 0797-1234567", "2026-09-29")
    notice = notices.draft_notice(
        session, world.enterprise.actor(StaffRole.HANDLER), data, [application.id], clock.now
    )
    return notices.publish_notice(session, world.enterprise.actor(StaffRole.LEADER), notice.id, clock.now)


def test_the_handler_drafts_a_notice_and_sees_the_computed_period(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    browser = login_as(world.enterprise.handler)
    page = browser.get("/notices")
    assert page.status_code == 200 and application.applicant.name in page.text
    bad = browser.post(
        "/notices",
        data={"title": "公示", "start_date": "2026-09-29", "application_ids": [str(application.id)]},
        headers=HX,
    )
    assert bad.status_code == 422 and "请填写张贴地点" in bad.text and 'value="公示"' in bad.text
    good = browser.post(
        "/notices",
        data={
            "title": "公示",
            "location": "一楼",
            "contact": "人事部",
            "start_date": "2026-09-29",
            "application_ids": [str(application.id)],
        },
    )
    assert good.status_code == 303
    detail = browser.get(good.headers["Location"]).text
    assert "2026年9月29日至10月10日，共5个工作日" in detail and "草稿须由单位领导" in detail
    assert "公示草稿已保存，请单位领导核对后发布" in detail  # the enterprise's leader publishes it


def test_the_notice_forms_lines_stop_at_their_length_as_typed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """A QA report: 300 characters could be typed into 标题 and refused only after sending (不能超过200字)."""
    make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    page = login_as(world.enterprise.handler).get("/notices").text
    for name in ("title", "location", "contact"):
        field = re.search(rf'<input id="f-{name}" name="{name}"[^>]*>', page)
        assert field is not None and f'maxlength="{LIMITS["notice_line"]}"' in field.group(0), name


def test_a_draft_sent_with_no_applicant_ticked_comes_back_with_none_ticked(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    browser = login_as(world.enterprise.handler)
    box = f'name="application_ids" value="{application.id}"'
    assert f"{box} checked" in browser.get("/notices").text  # at first the ready applicant is ticked
    typed = {"title": "公示", "location": "一楼", "contact": "人事部", "start_date": "2026-09-29"}
    refused = browser.post("/notices", data=typed, headers=HX)  # the HR unticked it
    assert refused.status_code == 422 and "至少选择" in refused.text
    assert box in refused.text and f"{box} checked" not in refused.text  # shown back as sent: unticked


def test_every_public_page_leads_back_to_the_portal_and_to_its_login(
    world: World, session: Session, clock: Clock, login_as: Any, client: Any
) -> None:
    # A visitor who came by a notice's QR code or a link had no way on from these pages: their bar named
    # the page only. The portal's name now leads home and a login link sits beside it (layouts/public.html).
    from tests.i18n.reading import in_english

    notice = _published(session, world, clock)
    pages = ("/public/certificates", "/public/calls", f"/public/notices/{notice.public_token}")
    brand = '<a class="brand" href="/">'
    for url in pages:
        page = client.get(url).text
        assert f"{brand}职称申报服务平台</a>" in page, url
        assert '<a class="public-account" href="/login" id="public-login">登录</a>' in page, url
    english = in_english(client)
    for url in pages:
        page = english.get(url).text
        assert f"{brand}Professional Title Application Portal</a>" in page, url
        assert 'id="public-login">Log in</a>' in page, url
    # Someone signed in is led to their own pages, not asked to log in again.
    signed_in = login_as(world.enterprise.handler).get(pages[1]).text
    assert 'href="/" id="public-home">' in signed_in and "public-login" not in signed_in


def test_the_leader_publishes_and_the_public_page_shows_masked_data_without_login(
    world: World, session: Session, clock: Clock, login_as: Any, client: Any
) -> None:
    notice = _published(session, world, clock)
    number = notice.entries[0].application.applicant.id_number
    page = client.get(f"/public/notices/{notice.public_token}")
    assert page.status_code == 200 and "城投集团职称申报人员公示" in page.text
    assert number not in page.text and number[-4:] in page.text
    assert notice.entries[0].application.applicant.phone not in page.text
    assert "尚未开始" in page.text and page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"/public/notices/{notice.public_token}/qr.svg").mimetype == "image/svg+xml"
    assert client.get("/public/notices/not-a-token").status_code == 404


def test_the_public_list_reads_one_block_per_person_on_a_phone(
    world: World, session: Session, clock: Clock, client: Any
) -> None:
    # The notice's QR is scanned with a phone: its columns squeezed into 390 px set one character per
    # line. The table reflows (one block per person under 600 px), each cell led by its column's name.
    notice = _published(session, world, clock)
    page = client.get(f"/public/notices/{notice.public_token}").text
    table = page.split('<table class="table reflow">', 1)[1].split("</table>", 1)[0]
    heads = [cell.split("</th>")[0] for cell in table.split('<th scope="col">')[1:]]
    assert len(heads) == 10
    row = table.split("<tbody>", 1)[1]
    assert [cell.split('"')[0] for cell in row.split('<td data-label="')[1:]] == heads


def test_a_draft_is_not_public(world: World, session: Session, clock: Clock, client: Any) -> None:
    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    notice = notices.draft_notice(
        session,
        world.enterprise.actor(StaffRole.HANDLER),
        notices.NoticeInput("t", "l", "c", "2026-09-29"),
        [application.id],
        clock.now,
    )
    assert client.get(f"/public/notices/{notice.public_token}").status_code == 404


def test_an_objection_is_filed_on_the_public_page_and_errors_keep_the_text(
    world: World, session: Session, clock: Clock, client: Any
) -> None:
    notice = _published(session, world, clock)
    clock.now = at_shanghai(date(2026, 9, 30))
    url = f"/public/notices/{notice.public_token}/objections"
    bad = client.post(url, data={"text": "业绩不实"}, headers=HX)
    assert bad.status_code == 422 and "请填写您的姓名" in bad.text and "业绩不实" in bad.text
    ok = client.post(
        url,
        data={
            "name": "钱多多",
            "contact": "13912340000",
            "text": "业绩不实",
            "attachment": (io.BytesIO(tiny_pdf()), "证明.pdf"),
            "form_token": new_token(),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 303
    session.refresh(notice)
    assert notice.objections[0].attachment is not None


def test_objection_forms_require_csrf_even_logged_out(
    world: World, session: Session, clock: Clock, app: Flask, client: Any
) -> None:
    notice = _published(session, world, clock)
    clock.now = at_shanghai(date(2026, 9, 30))
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(
            f"/public/notices/{notice.public_token}/objections",
            data={"name": "x", "contact": "y", "text": "z"},
        )
        assert response.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_sheets_download_as_pdf_and_excel(
    world: World, session: Session, clock: Clock, login_as: Any, client: Any
) -> None:
    notice = _published(session, world, clock)
    # A foreign colleague: the number is a passport's, and the sheets say so beside it (they said only
    # 证件号码, so "E123****5678" read as nobody knew what).
    with_document(notice.entries[0].application.applicant, "passport", "E12345678")
    session.flush()
    browser = login_as(world.enterprise.handler)
    pdf = browser.post(f"/notices/{notice.id}/sheet.pdf")  # a recorded download: a POST
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "证件类型" in text.replace("\n", "") and "护照" in text
    xlsx = browser.post(f"/notices/{notice.id}/sheet.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet is not None
    assert [c.value for c in sheet[3]][:4] == ["序号", "姓名", "证件类型", "证件号码"]
    assert sheet.cell(4, 2).value == notice.entries[0].application.applicant.name
    assert sheet.cell(4, 3).value == "护照" and "*" in str(sheet.cell(4, 4).value)
    public = client.get(f"/public/notices/{notice.public_token}").text
    assert '<td data-label="证件类型">护照</td>' in public
    assert browser.get(f"/notices/{notice.id}/result.pdf").status_code == 422  # not closed yet


def test_the_staff_page_stops_offering_the_public_page_once_it_no_longer_shows_the_names(
    world: World, session: Session, clock: Clock, login_as: Any, client: Any
) -> None:
    # The notice page kept its QR code "to print beside the notice board" and a link that answered 410
    # once the public page had ended.
    notice = _published(session, world, clock)
    until = notices.public_until(session, notice)
    handler = login_as(world.enterprise.handler)
    page = handler.get(f"/notices/{notice.id}").text
    assert 'id="public-url"' in page and "公示二维码" in page and 'id="public-ended"' not in page
    clock.now = at_shanghai(until)  # its last public day (a new login: the session idled out meanwhile)
    assert 'id="public-url"' in login_as(world.enterprise.handler).get(f"/notices/{notice.id}").text
    clock.now = at_shanghai(date.fromordinal(until.toordinal() + 1))
    assert client.get(f"/public/notices/{notice.public_token}").status_code == 410
    page = login_as(world.enterprise.handler).get(f"/notices/{notice.id}").text
    assert 'id="public-url"' not in page and "公示二维码" not in page
    assert f"公开页面只显示名单到{until.year}年{until.month}月{until.day}日" in page


def test_the_result_sheet_reaches_the_dossier_after_the_period(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any, queue: None
) -> None:
    notice = _published(session, world, clock)
    application = notice.entries[0].application
    clock.now = at_shanghai(date(2026, 10, 12))
    applicant = login_as(application.applicant)
    page = applicant.get(f"/me/applications/{application.id}").text
    assert "正在结转公示结果" in page and "下载公示结果" not in page  # a page never closes it
    run_periodic(app, "close_notices")  # the worker's minute
    page = applicant.get(f"/me/applications/{application.id}").text
    assert "公示无异议，待报送" in page and "下载公示结果" in page
    pdf = applicant.get(f"/me/applications/{application.id}/notice-result.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    other = make_application(session, world, clock.now)
    assert (
        login_as(other.applicant).get(f"/me/applications/{application.id}/notice-result.pdf").status_code
        == 404
    )


def test_a_case_passed_over_unfounded_objections_says_so_on_its_pages(
    world: World, session: Session, clock: Clock, login_as: Any, tmp_path: Path
) -> None:
    """Walk 5, item 8: objections recorded as 异议不成立, the case's status line read 公示无异议，待报送 and
    its history 公示期满无异议 (the 公示结果 said 有异议，经核查不成立). The review page, the applicant's page
    and the English summary now say the notice ended over objections found unfounded."""
    storage = LocalStorage(tmp_path / "files")
    notice = _published(session, world, clock)
    application = notice.entries[0].application
    objection = notices.file_objection(
        session, storage, notice.public_token,
        notices.ObjectionInput("钱", "电话", "业绩不实", str(notice.entries[0].id)),
        at_shanghai(date(2026, 9, 30)), ip="10.0.0.1",
    )  # fmt: skip
    clock.now = at_shanghai(date(2026, 10, 12))
    handler = world.enterprise.actor(StaffRole.HANDLER)
    notices.resolve_objection(session, handler, objection.id, "dismissed", "经核查属实。", clock.now)
    assert application.state is Status.NOTICE_PASSED
    said = "公示期满（异议经核查不成立），待报送"
    review = login_as(world.enterprise.leader).get(f"/review/applications/{application.id}").text
    assert re.search(rf'<span class="badge badge-waiting status-notice_passed">{said}</span>', review)
    assert "公示无异议" not in review and "公示期满无异议" not in review
    assert "<strong>公示期满（异议经核查不成立）</strong>" in review  # the history's step
    applicant = login_as(application.applicant)
    page = applicant.get(f"/me/applications/{application.id}").text
    assert said in page and "公示无异议" not in page and "公示期满无异议" not in page
    summary = applicant.get(f"/me/applications/{application.id}/summary").text
    assert "Notice period over (objections found unfounded), to be forwarded" in summary
    assert "without objection" not in summary


def test_notice_pages_are_for_their_organisation_only(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    notice = _published(session, world, clock)
    outsider = login_as(world.other_enterprise.handler)
    assert outsider.get(f"/notices/{notice.id}").status_code == 404
    assert outsider.post(f"/notices/{notice.id}/sheet.pdf").status_code == 404
    department = login_as(world.department.handler)
    assert department.get(f"/notices/{notice.id}").status_code == 404
    assert notice.title not in department.get("/notices").text
    assert login_as(notice.entries[0].application.applicant).get("/notices").status_code == 403


def test_the_built_in_holidays_are_named_in_either_language(
    world: World, clock: Clock, login_as: Any
) -> None:
    """The calendar's built-in rows (chinesecalendar's) had an empty 名称 column: they name their holiday,
    the rest day and the working day moved for it alike, in Chinese and, chosen English, in English."""
    clock.now = at_shanghai(date(2026, 1, 5))
    browser = login_as(world.admin)
    rows = re.findall(r"<tr><td>(.*?)</tr>", browser.get("/admin/calendar?year=2026").text, re.S)
    new_year = next(r for r in rows if "2026年1月1日" in r)
    assert "<td>元旦</td>" in new_year
    assert any("2026年2月17日" in r and "<td>春节</td>" in r for r in rows)
    assert any("调休上班" in r and "<td>春节</td>" in r for r in rows)  # 2026-02-14, a Saturday worked
    assert not any(re.search(r"<td></td>\s*<td>内置</td>", r) for r in rows)
    in_english(browser)
    page = browser.get("/admin/calendar?year=2026").text
    assert "<td>New Year&#39;s Day</td>" in page and "<td>Spring Festival</td>" in page
    assert "<td>National Day</td>" in page and "<td>Mid-autumn Festival</td>" in page


def test_the_admin_enters_next_years_holidays_and_confirms_the_year(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    clock.now = at_shanghai(date(2026, 11, 23))
    browser = login_as(world.admin)
    page = browser.get("/admin/calendar?year=2027").text
    assert "尚未录入2027年" in page and "未录入" in page
    weekend = browser.post("/admin/calendar/days?year=2027", data={"day": "2027-01-02", "kind": "holiday"})
    assert weekend.status_code == 422 and "本是周末" in weekend.text
    imported = browser.post(
        "/admin/calendar/import?year=2027",
        data={"file": (io.BytesIO("日期,类型,名称\n2027-01-01,放假,元旦\n".encode("gbk")), "2027.csv")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 303
    confirmed = browser.post(
        "/admin/calendar/years/2027/confirm", data={"source_ref": "国办发明电〔2026〕X号"}
    )
    assert confirmed.status_code == 303
    assert "尚未录入2027年" not in browser.get("/admin/calendar?year=2027").text
    assert login_as(world.enterprise.leader).get("/admin/calendar").status_code == 403


def test_an_imported_date_that_does_not_exist_is_named_as_such(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """QA walk 3, item 9: a CSV row 2027-02-30 was refused with "日期“2027-02-30”应写作 2027-01-01" — as if it
    were written the wrong way, when it is written right and no such day exists. A date written otherwise
    is still told how to write it; nothing of the file is imported."""
    clock.now = at_shanghai(date(2026, 11, 23))
    browser = login_as(world.admin)
    sheet = (
        "日期,类型,名称\n2027-02-30,放假,春节\n2027/2/8,放假,春节\n2027-13-01,放假,x\n2027-02-08,放假,春节\n"
    )

    def refused() -> str:
        response = browser.post(
            "/admin/calendar/import?year=2027",
            data={"file": (io.BytesIO(sheet.encode()), "2027.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        return html.unescape(response.text)

    page = refused()
    assert "第2行：日期“2027-02-30”不存在，请核对月份和日" in page
    assert "第3行：日期“2027/2/8”应写作 2027-01-01" in page
    assert "第4行：日期“2027-13-01”不存在，请核对月份和日" in page
    assert "2027-02-30”应写作" not in page
    in_english(browser)
    page = refused()
    assert "Row 2: the date “2027-02-30” does not exist; check the month and the day" in page
    assert "Row 3: the date “2027/2/8” should be written as 2027-01-01" in page
    assert session.scalar(select(CalendarDay).where(CalendarDay.day == date(2027, 2, 8))) is None


def test_a_year_with_no_holiday_entered_cannot_be_confirmed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # Confirming 2027 with nothing entered was accepted: every 2027 period then counted 元旦 and 春节 as
    # working days (the weekends-only fallback policy-spec 7.3 rules out).
    clock.now = at_shanghai(date(2026, 11, 23))
    browser = login_as(world.admin)
    empty = browser.post("/admin/calendar/years/2027/confirm", data={"source_ref": "国办发明电〔2026〕X号"})
    assert empty.status_code == 422 and "2027年还没有录入任何放假日期" in empty.text
    assert "尚未录入2027年" in browser.get("/admin/calendar?year=2027").text
    browser.post(
        "/admin/calendar/days?year=2027", data={"day": "2027-01-01", "kind": "holiday", "name": "元旦"}
    )
    confirmed = browser.post(
        "/admin/calendar/years/2027/confirm", data={"source_ref": "国办发明电〔2026〕X号"}
    )
    assert confirmed.status_code == 303


def test_the_result_sheet_carries_the_units_seal_image_once_uploaded(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any, queue: None
) -> None:
    notice = _published(session, world, clock)
    clock.now = at_shanghai(date(2026, 10, 12))
    handler = login_as(world.enterprise.handler)
    run_periodic(app, "close_notices")  # the worker closes the notice
    unsealed = handler.get(f"/notices/{notice.id}/result.pdf")
    assert unsealed.status_code == 200 and not PdfReader(io.BytesIO(unsealed.data)).pages[0].images
    store = LocalStorage(Path(app.config["PORTAL_STORAGE_DIR"]))
    endorsements.upload_seal(
        session, world.enterprise.actor(StaffRole.LEADER), store, imaging.seal(), "公章.png", clock.now
    )
    sealed = handler.get(f"/notices/{notice.id}/result.pdf")
    assert sealed.status_code == 200 and len(PdfReader(io.BytesIO(sealed.data)).pages[0].images) == 1


def test_a_refused_objection_handling_comes_back_with_what_was_typed(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """The 核查情况 typed into a refused handling form was lost (the textarea came back empty)."""
    notice = published(session, world, clock)
    objection = notices.file_objection(
        session,
        STORAGE,
        notice.public_token,
        notices.ObjectionInput("钱", "电话", "业绩不实"),
        at_shanghai(date(2026, 9, 30)),  # during the period
        ip="x",
    )
    handler = login_as(world.enterprise.handler)
    typed = "经核查，申报人业绩材料与原件一致，异议反映的情况不属实"
    refused = handler.post(
        f"/notices/objections/{objection.id}/resolve", data={"handling": typed}, headers=HX
    )  # no decision ticked
    assert refused.status_code == 422 and 'id="objections"' in refused.text
    assert f">{typed}</textarea>" in refused.text


def test_upholding_an_objection_asks_first_and_dismissing_it_does_not(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # 异议成立 ends the application (不予通过) the moment it is recorded, yet 记录处理意见 sent it without a
    # question: the upheld choice now carries one (app.js asks for a ticked choice's data-confirm).
    from tests.i18n.reading import in_english

    notice = published(session, world, clock)
    notices.file_objection(
        session,
        STORAGE,
        notice.public_token,
        notices.ObjectionInput("钱", "电话", "业绩不实"),
        at_shanghai(date(2026, 9, 30)),
        ip="x",
    )
    leader = login_as(world.enterprise.leader)
    page = leader.get(f"/notices/{notice.id}").text
    upheld = re.search(r'<input type="radio" name="decision" value="upheld"([^>]*)>', page)
    dismissed = re.search(r'<input type="radio" name="decision" value="dismissed"([^>]*)>', page)
    assert (
        upheld
        and 'data-confirm="异议成立将终止该申报（不予通过），不能撤回，确定记录吗？"' in upheld.group(1)
    )
    assert dismissed and "data-confirm" not in dismissed.group(1)
    english = in_english(leader).get(f"/notices/{notice.id}").text
    assert "ends the application" in english
    script = (Path(__file__).resolve().parents[2] / "portal" / "static" / "app.js").read_text(
        encoding="utf-8"
    )
    assert 'form.querySelector("input[data-confirm]:checked")' in script


def test_the_notices_page_tells_each_organisation_its_own_rule(
    world: World, session: Session, login_as: Any
) -> None:
    # The bureau's 公示 page read "需要时（如评委会办事机构的评前公示）…" and, with nothing to draft,
    # "用人单位：…；主管部门和人社局：…": the office's example and every kind's rule, not its own.
    bureau = login_as(world.bureau.handler).get("/notices").text
    assert "如评委会办事机构的评前公示" not in bureau and "用人单位：" not in bureau
    assert "本环节审核中的申报可列入公示。" in bureau
    enterprise = login_as(world.enterprise.handler).get("/notices").text
    assert "申报经单位领导签批通过后才能列入公示。" in enterprise and "主管部门和人社局" not in enterprise


def test_a_notice_published_before_its_first_day_says_so_until_it_runs(
    world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    # The badge said 公示中 (and each entry 公示中) beside a clock saying 尚未开始: published on Monday, the
    # period starts on Tuesday 2026-09-29.
    notice = _published(session, world, clock)
    hr = login_as(world.enterprise.handler)
    for page in (hr.get(f"/notices/{notice.id}").text, hr.get("/notices").text):
        badge = re.search(r'<span class="badge badge-notice-published">([^<]*)</span>', page)
        assert badge is not None and badge.group(1) == "已发布，待开始", page
    assert "<td>待开始</td>" in hr.get(f"/notices/{notice.id}").text
    clock.now = at_shanghai(date(2026, 9, 29))
    running = (
        login_as(world.enterprise.handler).get(f"/notices/{notice.id}").text
    )  # a day later: logged in anew
    assert (
        '<span class="badge badge-notice-published">公示中</span>' in running and "<td>公示中</td>" in running
    )


def test_the_leader_s_notice_page_does_not_read_the_cases_only_the_drafter_lists(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """The draft form (and its list of cases ready for a notice) is the handler's: a bureau's leader waited
    for 1,168 of them to be read on every visit at province scale, never to see them."""
    from tests.conftest import db_engine
    from tests.statements import recorded

    application = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    handler, leader = login_as(world.enterprise.handler), login_as(world.enterprise.leader)
    assert application.applicant.name in handler.get("/notices").text
    leader.get("/notices")  # warm: the cookie's idle clock re-signed once
    with recorded(db_engine(app)) as sent:
        page = leader.get("/notices").text
    assert "公示由经办人起草、领导发布" in page and application.applicant.name not in page
    assert not [s for s in sent if " FROM applications" in s], sent


def test_the_notice_list_reads_as_much_for_three_notices_as_for_one(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """Each notice's entry count, open objections and period were read per notice (two statements, and the
    calendar once more, per notice): an organisation's list grows by a few notices a year, every year."""
    from tests.conftest import db_engine
    from tests.statements import recorded

    _published(session, world, clock)
    leader = login_as(world.enterprise.leader)

    def reads() -> list[str]:
        leader.get("/notices")  # warm: the cookie's idle clock re-signed once
        with recorded(db_engine(app)) as sent:
            page = leader.get("/notices").text
        assert page.count("/notices/") >= len(session.scalars(select(Notice)).all())
        return sorted(s.split(" FROM ", 1)[1].split()[0] for s in sent if " FROM " in s)

    one = reads()
    _published(session, world, clock)
    _published(session, world, clock)
    assert reads() == one


def test_the_drafter_s_list_reads_the_ready_cases_as_columns_in_one_statement(
    app: Flask, world: World, session: Session, clock: Clock, login_as: Any
) -> None:
    """A bureau's peak holds thousands of cases ready for its notice (5,629 for the largest at 100,000
    applications in a province): hydrated as entities with their applicants and enterprises they took 0.9 s
    of a 1.3 s page. The form lists them from one statement of the columns it shows, whatever their number."""
    from tests.conftest import db_engine
    from tests.statements import recorded

    handler = login_as(world.enterprise.handler)

    def reads() -> tuple[list[str], str]:
        handler.get("/notices")  # warm: the cookie's idle clock re-signed once
        with recorded(db_engine(app)) as sent:
            page = handler.get("/notices").text
        return [s for s in sent if " FROM applications" in s or " FROM users" in s], page

    first = make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED])
    one, page = reads()
    assert first.applicant.name in page and f'value="{first.id}"' in page
    more = [
        make_application(session, world, clock.now, steps=STEPS_TO[Status.UNIT_APPROVED]) for _ in range(2)
    ]
    three, page = reads()
    assert all(a.applicant.name in page and f'value="{a.id}"' in page for a in more)
    cases = [s for s in three if " FROM applications JOIN users" in s]
    assert len(three) == len(one) and len(cases) == 1, three
    assert cases[0].startswith("SELECT applications.id, applications.status, applications.series"), cases
