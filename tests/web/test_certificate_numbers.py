"""Issue 22.6 on the screens: the province's certificate numbers of a published meeting, imported from its
spreadsheet (PUB-04, 003 六(二)). The bureau downloads the template, uploads the sheet, reads each row's
verdict with nothing recorded (a GET page the upload redirects to), then applies it once: the good rows are
certified through the rulebook, the others stay as they were; a second apply writes nothing."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from portal.domain.identity import complete_resident_id
from portal.domain.workflow import Status
from portal.models import CertificateImport, Meeting, StaffRole, StoredFile
from portal.services.submissions import new_token
from tests.conftest import Clock
from tests.factories import (
    committee_road,
    make_committee,
    make_committee_world,
    make_review_application,
    make_user,
    staff_login,
    to_meeting,
    to_published,
    with_document,
)
from tests.i18n.reading import in_english
from tests.security.test_get_writes import WRITES, recording


def _sheet(rows: list[tuple[str, str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "证书编号"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _two_published(session: Session, clock: Clock) -> tuple[Any, Any, Meeting, Any, Any]:
    """Two applications voted through at one meeting whose results the bureau has published: the world,
    the committee, the meeting and the two applications."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    first = make_review_application(session, world, clock.now)
    second = make_review_application(session, world, clock.now)
    for application in (first, second):
        clock.now = to_meeting(session, world, made, application, clock.now)
    clock.now = to_published(session, world, made, [first, second], clock.now)
    return world, made, session.query(Meeting).one(), first, second


def test_the_bureau_imports_the_provinces_numbers_after_a_preview(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, made, meeting, first, second = _two_published(session, clock)
    bureau = staff_login(login_as, world.bureau)
    # The result sheet is in the dossier once published: the applicant's page and the review page.
    mine = login_as(first.applicant).get(f"/me/applications/{first.id}")
    assert 'id="result-sheet"' in mine.text and "赞成 5 票，反对 0 票" in mine.text
    assert "文号〔2026〕1号" in mine.text and "待人社局录入省统一证书编号" in mine.text
    assert 'id="result-sheet"' in bureau.get(f"/review/applications/{first.id}").text

    page = bureau.get(f"/committees/meetings/{meeting.id}")
    assert 'id="certificates"' in page.text and 'id="certificate-template"' in page.text
    template = bureau.get("/committees/certificates/template.xlsx")
    assert template.status_code == 200
    header = next(load_workbook(io.BytesIO(template.data)).active.iter_rows(values_only=True))
    assert list(header) == ["姓名", "身份证号", "证书编号"]
    # The committee office reads the meeting but imports nothing.
    office = staff_login(login_as, made.office)
    assert 'id="certificates"' not in office.get(f"/committees/meetings/{meeting.id}").text

    a, b = first.applicant, second.applicant
    data = _sheet(
        [
            (a.name, a.id_number, "js2026-0000101"),
            (b.name + "某", b.id_number, "JS2026-0000102"),  # the name differs
            ("路人", complete_resident_id("32110219900101001"), "JS2026-0000103"),  # not in this meeting
            ("错号", "320000199001010000", "JS2026-0000104"),  # a wrong check character
            (b.name, b.id_number, "证书12"),  # malformed
            (a.name, a.id_number, "JS2026-0000101"),  # the same person again
        ]
    )
    checked = _check(bureau, meeting, data)
    # Post/Redirect/Get: the upload answers 303 to the preview page, a GET of the kept file.
    assert checked.status_code == 303, checked.text[:500]
    file_id = int(checked.headers["Location"].rsplit("/", 1)[1])
    assert checked.headers["Location"] == f"/committees/meetings/{meeting.id}/certificates/{file_id}"
    shown = bureau.get(checked.headers["Location"])
    assert shown.status_code == 200
    text = shown.text
    assert "可导入 1 行" in text and "尚未录入任何编号" in text
    for words in ("姓名不一致", "不在本次会议", "身份证号码有误", "证书编号格式有误", "文件内重复"):
        assert words in text, words
    session.refresh(first)
    assert first.state is Status.RESULT_PUBLISHED and first.certificate_no is None  # nothing recorded yet
    assert bureau.get(checked.headers["Location"]).text.count('id="line-') == 6  # a reload: the same rows

    action = f"/committees/meetings/{meeting.id}/certificates/{file_id}/apply"
    assert f'action="{action}"' in text
    digest = text.split('name="digest" value="')[1].split('"')[0]
    form = {"digest": digest, "form_token": new_token()}
    applied = bureau.post(action, data=form)
    assert applied.status_code == 303
    assert "已录入 1 个证书编号" in bureau.get(applied.headers["Location"]).text
    session.refresh(first)
    session.refresh(second)
    assert (first.state, first.certificate_no) == (Status.CERTIFIED, "JS2026-0000101")
    assert second.state is Status.RESULT_PUBLISHED and second.certificate_no is None
    assert "JS2026-0000101" in login_as(first.applicant).get(f"/me/applications/{first.id}").text
    # Back to the preview: the page again, its rows recorded now, said so, and no apply form.
    back = bureau.get(checked.headers["Location"])
    assert back.status_code == 200
    assert 'id="already-applied"' in back.text and "录入 1 个证书编号，不能重复录入" in back.text
    assert "已登记证书编号 JS2026-0000101" in back.text and 'id="apply-numbers"' not in back.text
    # The same preview applied again (a new form, from a tab left open): refused in words, nothing written.
    again = bureau.post(action, data={**form, "form_token": new_token()}, follow_redirects=True)
    assert "这份文件的证书编号已经录入，不能重复录入" in again.text
    assert 'id="already-applied"' in again.text


def test_the_meeting_page_shows_each_number_entered_and_how_many_are_still_to_come(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """After 确认录入 the meeting page showed nothing had changed (demo walk, finding F2): each passed
    person's row now shows the number entered or that it is still to come, and the import card counts them."""
    world, _, meeting, first, second = _two_published(session, clock)
    bureau = staff_login(login_as, world.bureau)
    page = bureau.get(f"/committees/meetings/{meeting.id}").text
    assert page.count("待录入证书编号") == 2 and "已录入0人的证书编号，尚有2人待录入" in page

    def enter(person: Any, number: str) -> str:
        checked = _check(bureau, meeting, _sheet([(person.name, person.id_number, number)]))
        preview = bureau.get(checked.headers["Location"]).text
        digest = preview.split('name="digest" value="')[1].split('"')[0]
        form = {"digest": digest, "form_token": new_token()}
        assert bureau.post(f"{checked.headers['Location']}/apply", data=form).status_code == 303
        return bureau.get(f"/committees/meetings/{meeting.id}").text

    page = enter(first.applicant, "JS2026-0000201")
    first_row = page.split(f'id="entry-{first.id}"')[1].split("</tr>")[0]
    second_row = page.split(f'id="entry-{second.id}"')[1].split("</tr>")[0]
    assert "JS2026-0000201" in first_row and "待录入证书编号" not in first_row
    assert "待录入证书编号" in second_row
    assert "已录入1人的证书编号，尚有1人待录入" in page

    page = enter(second.applicant, "JS2026-0000202")
    assert "通过人员的证书编号已全部录入（2人）" in page and "待录入证书编号" not in page


def _check(client: Any, meeting: Meeting, data: bytes) -> Any:
    return client.post(
        f"/committees/meetings/{meeting.id}/certificates",
        data={"file": (io.BytesIO(data), "证书编号.xlsx"), "form_token": new_token()},
        content_type="multipart/form-data",
    )


def _checked(session: Session, clock: Clock, login_as: Any) -> tuple[Any, Meeting, Any, Any, str]:
    """A published meeting's sheet naming its one applicant, uploaded by the bureau's handler (303): the
    world, the meeting, the application, the handler's client and the preview page's address."""
    world, meeting = _published(session, clock)
    application = meeting.entries[0].application
    bureau = staff_login(login_as, world.bureau)
    data = _sheet([(application.applicant.name, application.applicant.id_number, "JS2026-0000101")])
    checked = _check(bureau, meeting, data)
    assert checked.status_code == 303, checked.text[:500]
    return world, meeting, application, bureau, checked.headers["Location"]


def test_the_preview_page_is_a_get_that_records_nothing(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Seen: the preview was the upload's POST answer; after 确认录入 the browser's Back showed Chromium's
    ERR_CACHE_MISS (确认重新提交表单) and a reload posted the file again."""
    world, meeting, application, bureau, url = _checked(session, clock, login_as)
    kept = session.query(CertificateImport).one()
    assert (kept.meeting_id, kept.created_by_id) == (meeting.id, world.bureau.handler.id)
    assert kept.applied_at is None
    leader = staff_login(login_as, world.bureau, StaffRole.LEADER)
    with recording(session) as statements:
        page = bureau.get(url)
        again = leader.get(url)  # the bureau's staff who see the meeting
    assert page.status_code == again.status_code == 200
    assert "可导入 1 行" in page.text and 'id="apply-numbers"' in again.text
    assert [s for s in statements if s.lstrip().split(None, 1)[0].upper() in WRITES] == []
    session.refresh(application)
    assert application.certificate_no is None


def test_the_preview_opens_only_through_its_own_meeting_and_bureau(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, meeting, application, bureau, url = _checked(session, clock, login_as)
    file_id = int(url.rsplit("/", 1)[1])
    # Another bureau's staff: the meeting is not theirs, a 404 as for a missing one.
    other = make_committee_world(session, clock.now)
    stranger = staff_login(login_as, other.bureau)
    assert stranger.get(url).status_code == 404
    refused = stranger.post(f"{url}/apply", data={"digest": "x", "form_token": new_token()})
    assert refused.status_code == 404
    # A stored file no certificate import holds, and this import seen through another meeting of the bureau.
    stray = StoredFile(sha256="0" * 64, size=1, media_type="text/csv", display_name="x.csv")
    second = Meeting(
        committee_id=meeting.committee_id, held_on=meeting.held_on, place="会议室",
        filing_due=meeting.filing_due, filing_clause=meeting.filing_clause,
        created_by_id=meeting.created_by_id, created_at=clock.now,
    )  # fmt: skip
    session.add_all([stray, second])
    session.flush()
    assert bureau.get(f"/committees/meetings/{meeting.id}/certificates/{stray.id}").status_code == 404
    assert bureau.get(f"/committees/meetings/{second.id}/certificates/{file_id}").status_code == 404
    wrong = bureau.post(
        f"/committees/meetings/{second.id}/certificates/{file_id}/apply",
        data={"digest": "x", "form_token": new_token()},
    )
    assert wrong.status_code == 404
    session.refresh(application)
    assert application.certificate_no is None


def test_a_stale_preview_is_refused_on_the_preview_page(
    session: Session, clock: Clock, login_as: Any
) -> None:
    _world, _meeting, application, bureau, url = _checked(session, clock, login_as)
    sent = bureau.post(f"{url}/apply", data={"digest": "0" * 64, "form_token": new_token()})
    assert sent.status_code == 303 and sent.headers["Location"] == url
    assert "预览结果已过时" in bureau.get(url).text
    session.refresh(application)
    assert application.certificate_no is None


def test_a_sheet_without_the_columns_is_refused_in_words(
    session: Session, clock: Clock, login_as: Any
) -> None:
    world, meeting = _published(session, clock)
    bureau = staff_login(login_as, world.bureau)
    book = Workbook()
    book.active.append(["名字", "号码"])
    out = io.BytesIO()
    book.save(out)
    refused = bureau.post(
        f"/committees/meetings/{meeting.id}/certificates",
        data={"file": (io.BytesIO(out.getvalue()), "表.xlsx"), "form_token": new_token()},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "缺少" in refused.text and "证书编号" in refused.text


def _published(session: Session, clock: Clock) -> tuple[Any, Meeting]:
    return committee_road(session, clock, published=True).world, session.query(Meeting).one()


def test_importing_with_no_file_chosen_asks_for_one(session: Session, clock: Clock, login_as: Any) -> None:
    # "上传并预览" with nothing chosen said 文件是空的（0字节）: the view's default name hid "nothing chosen".
    world, meeting = _published(session, clock)
    bureau = staff_login(login_as, world.bureau)
    sent = bureau.post(
        f"/committees/meetings/{meeting.id}/certificates",
        data={"file": (io.BytesIO(b""), ""), "form_token": new_token()},
        content_type="multipart/form-data",
    )
    page = bureau.get(sent.headers["Location"]).text
    assert "尚未选择文件，请先选择要上传的文件" in page and "文件是空的" not in page


def test_the_preview_counts_one_number_in_the_singular(session: Session, clock: Clock, login_as: Any) -> None:
    # English read "Record 1 certificate numbers".

    world, meeting = _published(session, clock)
    application = meeting.entries[0].application
    bureau = staff_login(login_as, world.bureau)
    in_english(bureau)
    data = _sheet([(application.applicant.name, application.applicant.id_number, "JS2026-0000101")])
    checked = bureau.get(_check(bureau, meeting, data).headers["Location"])
    assert checked.status_code == 200
    assert (
        "Record 1 certificate number</button>" in checked.text and "1 certificate numbers" not in checked.text
    )


def test_the_english_dossier_brackets_the_basis_and_the_publication_day_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # "Basis: 镇江市2024年度职称评审（镇职称办〔2024〕11号); pathway: …" and "文号〔2026〕1号（30 Dec 2026）":
    # Chinese brackets, outside the Chinese names, around English words.
    import re

    world, _made, application = committee_road(session, clock, published=True)
    bureau = staff_login(login_as, world.bureau)
    for page in (
        in_english(login_as(application.applicant)).get(f"/me/applications/{application.id}").text,
        in_english(bureau).get(f"/review/applications/{application.id}").text,
    ):
        assert re.search(r'Basis: <span lang="zh-CN">[^<]+</span> \(<span lang="zh-CN">[^<]+</span>\);', page)
        assert re.search(r"文号〔2026〕1号</span> \(\d+ \w+ \d{4}\)</dd>", page)


def test_entering_one_certificate_number_asks_first_as_the_import_does(
    session: Session, clock: Clock, login_as: Any
) -> None:
    # 确认录入 of the province's sheet asks first (it completes certification); the review page's own
    # 录入证书编号 for one application did the same without a word.
    import re

    world, _made, application = committee_road(session, clock, published=True)
    bureau = staff_login(login_as, world.bureau)
    page = bureau.get(f"/review/applications/{application.id}").text
    form = re.search(r'<form [^>]*id="record_certificate"[^>]*>', page)
    assert form and 'data-confirm="录入证书编号后本次申报即办结' in form.group(0)


def test_a_foreign_or_hong_kong_applicant_is_found_by_the_number_and_name_the_province_writes(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Seen: the province's sheet listed John Smith Jr. by his passport number as JOHN SMITH JR and 陈大文
    by the permit number h12345678; both rows read “身份证号码有误” (or a differing name), so neither
    could be certified from the sheet."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    people = []
    for name, document, number in (
        ("John Smith Jr.", "passport", "E98765432"),
        ("陈大文", "hk_macau_permit", "H12345678"),
    ):
        person = with_document(make_user(session, name, employer=world.enterprise.org), document, number)
        people.append(make_review_application(session, world, clock.now, applicant=person))
    for application in people:
        clock.now = to_meeting(session, world, made, application, clock.now)
    clock.now = to_published(session, world, made, people, clock.now)
    meeting = session.query(Meeting).one()
    bureau = staff_login(login_as, world.bureau)
    data = _sheet(
        [("JOHN SMITH JR", "e98765432", "JS2026-0000201"), ("陈大文", "h1234 5678", "JS2026-0000202")]
    )
    checked = bureau.get(_check(bureau, meeting, data).headers["Location"])
    assert checked.status_code == 200, checked.text[:500]
    assert "可导入 2 行" in checked.text
    assert "身份证号码有误" not in checked.text and "姓名不一致" not in checked.text


def test_a_preview_with_no_row_to_import_offers_the_upload_again(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """Walk 3, item 12: the preview said "修改表格后重新上传" but offered only "返回评审会议"; it now links to
    the upload field, and the corrected sheet goes up from there to a new preview."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    application = make_review_application(session, world, clock.now)
    clock.now = to_meeting(session, world, made, application, clock.now)
    clock.now = to_published(session, world, made, [application], clock.now)
    meeting = session.query(Meeting).one()
    bureau = staff_login(login_as, world.bureau)
    person = application.applicant
    wrong = _check(bureau, meeting, _sheet([(person.name + "某", person.id_number, "JS2026-0000101")]))
    preview = bureau.get(wrong.headers["Location"]).text
    assert 'id="nothing-to-apply"' in preview and 'id="apply-numbers"' not in preview
    link = f'id="upload-again" href="/committees/meetings/{meeting.id}#f-certificate-file"'
    assert link in preview  # to the upload field itself, on the meeting's page
    page = bureau.get(f"/committees/meetings/{meeting.id}").text
    assert 'id="f-certificate-file"' in page
    token = page.split('name="form_token" value="')[1].split('"')[0]
    right = _sheet([(person.name, person.id_number, "JS2026-0000101")])
    again = bureau.post(
        f"/committees/meetings/{meeting.id}/certificates",
        data={"form_token": token, "file": (io.BytesIO(right), "numbers.xlsx")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 303 and again.headers["Location"] != wrong.headers["Location"]
    assert "可导入 1 行" in bureau.get(again.headers["Location"]).text


def test_the_sheet_s_names_are_compared_as_the_provincial_results_import_compares_them(
    session: Session, clock: Clock, login_as: Any
) -> None:
    """The committee's import compared names by their key alone, the provincial results import as the
    roster does: 买买提艾力 for the account's 买买提·艾力 was 姓名不一致 here and the same person there. One
    comparison now (domain.roster.why_names_differ); another person's name is still refused, and named."""
    world = make_committee_world(session, clock.now)
    made = make_committee(session, world, clock.now)
    people = []
    for name, number in (("买买提·艾力", "JS2026-0000301"), ("孙嘉怡", "JS2026-0000302")):
        person = make_user(session, name, employer=world.enterprise.org)
        people.append((make_review_application(session, world, clock.now, applicant=person), number))
    for application, _ in people:
        clock.now = to_meeting(session, world, made, application, clock.now)
    clock.now = to_published(session, world, made, [a for a, _ in people], clock.now)
    meeting = session.query(Meeting).one()
    bureau = staff_login(login_as, world.bureau)
    (dotted, _), (other, _) = people
    data = _sheet(
        [
            ("买买提艾力", dotted.applicant.id_number, "JS2026-0000301"),
            ("孙嘉仪", other.applicant.id_number, "JS2026-0000302"),
        ]
    )
    checked = bureau.get(_check(bureau, meeting, data).headers["Location"])
    assert checked.status_code == 200, checked.text[:500]
    assert "可导入 1 行" in checked.text
    assert "表中姓名“孙嘉仪”与该证件号码申报人的姓名“孙嘉怡”不一致" in checked.text
    assert "买买提艾力" in checked.text and "“买买提艾力”" not in checked.text
