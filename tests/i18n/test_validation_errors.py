"""The identity, account, roster and upload refusals in English (issue 24): every family of error the
domain raises while HR opens accounts, imports a roster or a bulk file, the bureau registers an
enterprise, or anyone uploads a file, read in English with no Chinese left outside its parameters (what
the user typed, a region's or a document's official name, a column title of the Chinese file, a clause
citation — each inside lang="zh-CN", as the pages show them).

Each case raises the real error from the real rule; `english()` renders its message as a page does (the
`t` filter), and `leaks()` (the crawl's parser) finds any Han outside an element in Chinese: a message
left as an f-string, or a msgid without an English translation, fails here."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale
from PIL import Image
from sqlalchemy.orm import Session

from portal.documents import inspection
from portal.domain import accounts, identity, roster
from portal.domain.accounts import ApplicantDraft, PermitKind
from portal.domain.errors import DomainError
from portal.domain.i18n import Language
from portal.domain.identity import IdentityError, complete_resident_id, complete_uscc
from portal.domain.tables import TableError
from portal.domain.uploads import UploadKind, UploadLimits, UploadRefused, Usage, clean_name
from portal.models import IntegrityRecord
from portal.services import accounts as service_accounts
from portal.services import uploads
from portal.services.submissions import new_token
from portal.web import i18n
from tests import imaging
from tests.conftest import Clock
from tests.factories import make_world, tiny_pdf
from tests.i18n.reading import in_english, leaks
from tests.security.test_uploads import active, encrypted_pdf, jpeg, malformed
from tests.web.test_accounts import HX, _person, _upload
from tests.web.test_accounts import _xlsx as workbook
from tests.web.test_dossier import bare_draft, files

TODAY = date(2026, 1, 1)
GOOD_ID = complete_resident_id("11010119900307451")
GOOD_USCC = complete_uscc("91360703MA35ABCD1")
WRONG_USCC_CHECK = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")
UNLISTED_REGION_ID = complete_resident_id("11019919900307451")  # 110199: in no edition of GB/T 2260


def english(app: Flask, message: str) -> str:
    """The message as an English page shows it (markup: Chinese parameters inside lang="zh-CN"), with
    the escaped apostrophes read back."""
    with app.test_request_context(), force_locale(Language.EN.value):
        return str(i18n.translate(message)).replace("&#39;", "'")


def assert_english(app: Flask, message: str) -> str:
    shown = english(app, message)
    assert leaks(f'<html lang="en"><body><p>{shown}</p></body></html>')[1] == [], (str(message), shown)
    return shown


def refusal(run: Callable[[], object]) -> str:
    """The message of the error a rule raises (every family raises one of these)."""
    with pytest.raises((IdentityError, TableError, DomainError)) as raised:
        run()
    return raised.value.message  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------------
# Identity numbers: each rule of each document
# ---------------------------------------------------------------------------------------------------

IDENTITY: dict[str, Callable[[], object]] = {
    "resident empty": lambda: identity.normalize_resident_id("", today=TODAY),
    "resident 15 digits": lambda: identity.normalize_resident_id("110101900307451", today=TODAY),
    "resident letters": lambda: identity.normalize_resident_id("11010119900307451a", today=TODAY),
    "resident X inside": lambda: identity.normalize_resident_id("110101X99003074514", today=TODAY),
    "resident length": lambda: identity.normalize_resident_id("1101011990030745", today=TODAY),
    "resident is an HMT permit": lambda: identity.normalize_resident_id("810000199003074514", today=TODAY),
    "resident province": lambda: identity.normalize_resident_id("99010119900307451X", today=TODAY),
    "resident 81 prefix": lambda: identity.normalize_resident_id("81123419900307451X", today=TODAY),
    "resident birth date": lambda: identity.normalize_resident_id("110101199013074514", today=TODAY),
    "resident future birth": lambda: identity.normalize_resident_id(
        complete_resident_id("11010130000307451"), today=TODAY
    ),
    "resident before 1900": lambda: identity.normalize_resident_id(
        complete_resident_id("11010118000307451"), today=TODAY
    ),
    "resident check char": lambda: identity.normalize_resident_id(GOOD_ID[:-1] + "0", today=TODAY),
    "resident unlisted region": lambda: identity.normalize_resident_id(UNLISTED_REGION_ID, today=TODAY),
    "hmt permit region": lambda: identity.normalize_hmt_residence_permit(GOOD_ID, today=TODAY),
    "uscc empty": lambda: identity.normalize_uscc(""),
    "uscc confusable letters": lambda: identity.normalize_uscc("9136O7O3MA35ABCDSV"),
    "uscc a Chinese character": lambda: identity.normalize_uscc("91360703MA35ABCD号1"),
    "uscc length": lambda: identity.normalize_uscc("91360703MA35ABCD1"),
    "uscc authority": lambda: identity.normalize_uscc("H1360703MA35ABCD12"),
    "uscc category": lambda: identity.normalize_uscc("90360703MA35ABCD12"),
    "uscc region": lambda: identity.normalize_uscc("91AB0703MA35ABCD12"),
    "uscc check char": lambda: identity.normalize_uscc(WRONG_USCC_CHECK),
    "foreign PR empty": lambda: identity.normalize_foreign_permanent_residence("", today=TODAY),
    "foreign PR old letters": lambda: identity.normalize_foreign_permanent_residence(
        "USA12345678901A", today=TODAY
    ),
    "foreign PR old birth date": lambda: identity.normalize_foreign_permanent_residence(
        "USA123499999012", today=TODAY
    ),
    "foreign PR prefix": lambda: identity.normalize_foreign_permanent_residence(
        "812345678901234567", today=TODAY
    ),
    "foreign PR province": lambda: identity.normalize_foreign_permanent_residence(
        "992345678901234567", today=TODAY
    ),
    "foreign PR length": lambda: identity.normalize_foreign_permanent_residence("12345", today=TODAY),
    "HK/Macau empty": lambda: identity.normalize_hk_macau_permit(""),
    "HK/Macau prefix": lambda: identity.normalize_hk_macau_permit("X1234567"),
    "HK/Macau letters": lambda: identity.normalize_hk_macau_permit("H12345A78"),
    "HK/Macau length": lambda: identity.normalize_hk_macau_permit("H123456"),
    "Taiwan empty": lambda: identity.normalize_taiwan_permit(""),
    "Taiwan characters": lambda: identity.normalize_taiwan_permit("12345(78"),
    "Taiwan length": lambda: identity.normalize_taiwan_permit("1234567"),
    "Taiwan first 8": lambda: identity.normalize_taiwan_permit("ABCDEFGH"),
    "passport empty": lambda: identity.normalize_passport("", "USA"),
    "passport characters": lambda: identity.normalize_passport("E12345#7", "USA"),
    "passport length": lambda: identity.normalize_passport("E12", "USA"),
    "nationality missing": lambda: identity.normalize_nationality(""),
    "nationality bad": lambda: identity.normalize_nationality("S1G"),
    "mobile empty": lambda: identity.normalize_mobile(""),
    "mobile characters": lambda: identity.normalize_mobile("1397070990a"),
    "mobile length": lambda: identity.normalize_mobile("1397070990"),
    "mobile prefix": lambda: identity.normalize_mobile("12970709901"),
}


@pytest.mark.parametrize("case", IDENTITY, ids=list(IDENTITY))
def test_every_identity_error_reads_in_english(app: Flask, case: str) -> None:
    assert_english(app, refusal(IDENTITY[case]))


def test_the_typed_characters_and_official_names_stay_as_written_in_the_english(app: Flask) -> None:
    confusable = refusal(IDENTITY["uscc confusable letters"])
    assert str(confusable) == (  # the Chinese, as before the messages were marked
        "统一社会信用代码只包含数字和大写字母（不含I、O、S、V、Z），其中出现了不允许的字符：O、S、V"
        "（常见误写：O应为0，S应为5，V应为U），请对照营业执照核对后重新输入"
    )
    assert english(app, confusable) == (
        "A unified social credit code has only digits and capital letters (never I, O, S, V or Z); it"
        " contains characters that are not allowed: O, S, V (common slips: O should be 0, S should be 5,"
        " V should be U). Please check it against the business licence and enter it again"
    )
    chinese_character = english(app, refusal(IDENTITY["uscc a Chinese character"]))
    assert 'not allowed: <span lang="zh-CN">号</span>. Please check' in chinese_character
    permit = english(app, refusal(IDENTITY["resident is an HMT permit"]))
    assert permit.startswith("A number starting with 810000 is a residence permit number")
    assert '(a resident of <span lang="zh-CN">香港特别行政区</span>)' in permit
    unlisted = english(app, refusal(IDENTITY["resident unlisted region"]))
    assert unlisted.startswith(
        "ID card number: the first 6 digits (110199) are not a county-level region code"
    )
    assert '(<span lang="zh-CN">北京市</span> has no such code)' in unlisted
    assert english(app, refusal(IDENTITY["HK/Macau length"])) == (
        "A mainland travel permit number for Hong Kong and Macao residents is the letter H or M and 8 or 10"
        " digits; you entered 6 digits after the letter. Please check and enter it again"
    )


# ---------------------------------------------------------------------------------------------------
# Applicant accounts: one applicant, and a bulk file
# ---------------------------------------------------------------------------------------------------

ACCOUNTS: dict[str, Callable[[], object]] = {
    "name empty": lambda: accounts.check_name(""),
    "name too long": lambda: accounts.check_name("A" * (accounts.NAME_LIMIT + 1)),
    "name character": lambda: accounts.check_name("周#文博"),
    "employment missing": lambda: accounts.check_employment(""),
    "employment excluded": lambda: accounts.check_employment("civil_servant"),
    "document type": lambda: accounts.check_document_type("driving_licence"),
    "permit kind": lambda: accounts.check_permit_kind(""),
    "permit number missing": lambda: accounts.check_permit_no(PermitKind.WORK_PERMIT, "", today=TODAY),
    "permit number bad": lambda: accounts.check_permit_no(PermitKind.TALENT_RESIDENCE, "A-1", today=TODAY),
    "too many rows": lambda: accounts.check_import_rows(
        [["姓名", "证件号码", "手机号码", "用工类型"], ["甲", "1", "2", "3"], ["乙", "1", "2", "3"]],
        today=TODAY,
        max_rows=1,
    ),
}


@pytest.mark.parametrize("case", ACCOUNTS, ids=list(ACCOUNTS))
def test_every_account_error_reads_in_english(app: Flask, case: str) -> None:
    assert_english(app, refusal(ACCOUNTS[case]))


def test_the_region_confirmation_and_the_bulk_file_s_row_problems_read_in_english(app: Flask) -> None:
    unconfirmed = ApplicantDraft(
        name="周文博",
        id_number=UNLISTED_REGION_ID,
        phone="13970709901",
        employment_type="labour_contract",
        region_confirmed="1",
    )
    no_reason = accounts.check_applicant(unconfirmed, today=TODAY).problems["region_reason"]
    assert english(app, no_reason).startswith("Please say how you checked the physical card")
    long_reason = replace(unconfirmed, region_reason="核" * 201)
    too_long = accounts.check_applicant(long_reason, today=TODAY).problems["region_reason"]
    assert english(app, too_long) == "The note on the check can have at most 200 characters"

    header = ["姓名", "证件类型", "证件号码", "手机号码", "用工类型"]
    rows = [
        header,
        ["周文博", "身份证", GOOD_ID, "13970709901", "劳动合同"],
        ["李雷", "身份证", GOOD_ID, "13970709902", "劳动合同"],
        ["韩梅梅", "身份证", "3.60702E+17", "13970709901", "退休"],
    ]
    checked = accounts.check_import_rows(rows, today=TODAY)
    problems = [problem.message for problem in checked.problems]
    assert len(problems) == 4  # the repeated ID, the number Excel spoiled, the repeated phone, the retiree
    for message in problems:
        assert_english(app, message)
    assert english(app, checked.rows[1].checked.problems["id_number"]) == (
        "Same document number as line 2; one person can have only one account"
    )
    assert english(app, checked.rows[2].checked.problems["employment_type"]).startswith(
        "Retiree (including re-hired retirees): may not apply for a professional title"
    )


def test_a_person_on_the_integrity_record_is_refused_in_english_with_the_record_as_written(
    app: Flask,
) -> None:
    record = IntegrityRecord(reason="提供虚假材料", clause="003 七(三)", ends_on=date(2029, 3, 31))
    message = service_accounts.listed_message(record, "1101**********451X")
    assert str(message) == (  # the Chinese, as before the message was marked
        "证件号码1101**********451X的持有人因“提供虚假材料”列入诚信档案，"
        "2029年3月31日前不得申报（003 七(三)），在此之前不能为其开设账号或申报。"
    )
    assert assert_english(app, message) == (
        "The holder of document number 1101**********451X is on the integrity record for"
        ' “<span lang="zh-CN">提供虚假材料</span>” and may not apply before 31 Mar 2029'
        ' (<span lang="zh-CN">003 七(三)</span>); until then no account can be opened for them and they'
        " cannot apply."
    )


# ---------------------------------------------------------------------------------------------------
# The social insurance roster
# ---------------------------------------------------------------------------------------------------


def test_the_roster_s_refusals_and_row_problems_read_in_english(app: Flask) -> None:
    without_months = [["姓名", "身份证号码", "参保单位"], ["周文博", GOOD_ID, "某公司"]]
    missing = refusal(lambda: roster.parse_roster(without_months, as_of=TODAY))
    assert str(missing) == "参保人员名单须有“缴费月数”或“参保年月”列，请从社保系统导出含该列的名单"
    assert english(app, missing) == (
        'The social insurance roster needs a <span lang="zh-CN">“缴费月数”</span> or'
        ' <span lang="zh-CN">“参保年月”</span> column; please export a roster with one from the social'
        " insurance system"
    )
    assert_english(app, missing)
    rows = [
        ["姓名", "身份证号码", "参保单位", "缴费月数"],
        ["周文博", GOOD_ID, "某公司", "十二"],
        ["李雷", "11010119900307451", "某公司", "12"],
    ]
    parsed = roster.parse_roster(rows, as_of=TODAY)
    assert [problem.line for problem in parsed.skipped] == [2, 3]
    for problem in parsed.skipped:
        assert_english(app, problem.message)
    assert english(app, parsed.skipped[0].message) == (
        'The months paid, “<span lang="zh-CN">十二</span>”, is not a number'
    )
    record = roster.RosterRecord(2, "周文博", GOOD_ID, "另一公司", 3)
    matched = roster.match(
        name="周文博", id_number=GOOD_ID, unit_name="某公司", record=record, minimum_months=6
    )
    unmatched = roster.match(
        name="周文博", id_number=GOOD_ID, unit_name="某公司", record=None, minimum_months=6
    )
    for message in (*matched.problems, *unmatched.problems):
        assert_english(app, message)


# ---------------------------------------------------------------------------------------------------
# Uploads: names, sizes, quotas, content
# ---------------------------------------------------------------------------------------------------

NAMES = {
    "no name": ("\u200b", UploadKind.DOCUMENT),
    "path": ("../a.pdf", UploadKind.DOCUMENT),
    "executable suffix": ("x.php.pdf", UploadKind.DOCUMENT),
    "device name": ("CON.pdf", UploadKind.DOCUMENT),
    "document suffix": ("a.docx", UploadKind.DOCUMENT),
    "seal suffix": ("seal.jpg", UploadKind.SEAL),
    "table suffix": ("list.exe", UploadKind.TABLE),
}


@pytest.mark.parametrize("case", NAMES, ids=list(NAMES))
def test_every_file_name_refusal_reads_in_english(app: Flask, case: str) -> None:
    name, kind = NAMES[case]
    message = refusal(lambda: clean_name(name, kind))
    assert_english(app, message)


@pytest.mark.parametrize(("label", "name", "data"), malformed(), ids=[m[0] for m in malformed()])
def test_every_refused_upload_reads_in_english(app: Flask, label: str, name: str, data: bytes) -> None:
    with pytest.raises(UploadRefused) as refused:
        uploads.accept_upload(data, name, "image/jpeg", uploads.OBJECTION_LIMITS)
    assert_english(app, refused.value.message)


def archive_of(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


def test_the_other_upload_refusals_read_in_english(app: Flask) -> None:
    limits = UploadLimits(quota_files=3, quota_bytes=5 * 1024 * 1024, max_pixels=1_000_000)
    big_image = io.BytesIO()
    Image.new("RGB", (1001, 1000)).save(big_image, "PNG")
    cases: dict[str, Callable[[], object]] = {
        "quota of files": lambda: inspection.check_size(10, limits, Usage(files=3)),
        "quota of bytes": lambda: inspection.check_size(10, limits, Usage(bytes=5 * 1024 * 1024)),
        "pixels": lambda: inspection.accept(big_image.getvalue(), "a.png", limits),
        "active content kept": lambda: inspection.inspect_pdf(
            io.BytesIO(active()[0][2]), UploadLimits(), may_rewrite=False
        ),
        "too many pages": lambda: inspection.inspect_pdf(
            io.BytesIO(tiny_pdf(pages=2)), UploadLimits(max_pages=1)
        ),
        "macros": lambda: uploads.accept_table(
            archive_of("[Content_Types].xml", "xl/vbaProject.bin"), "a.xlsx"
        ),
        "not an xlsx": lambda: uploads.accept_table(b"PK\x03\x04broken", "a.xlsx"),
        "calendar as xlsx": lambda: uploads.accept_table(
            archive_of("[Content_Types].xml"), "a.csv", UploadKind.CALENDAR
        ),
    }
    for label, run in cases.items():
        shown = assert_english(app, refusal(run))
        assert shown, label
    assert english(app, refusal(cases["pixels"])) == (
        "The image is too large (1001×1000 pixels); please reduce it to at most 1 megapixel"
    )
    assert english(app, refusal(lambda: inspection.accept(jpeg(), "photo.png", UploadLimits()))) == (
        "The file's content is a JPG image, which does not match the extension “.png”; please correct the"
        " extension and upload it again"
    )
    assert english(app, refusal(lambda: inspection.accept(encrypted_pdf(), "a.pdf", UploadLimits()))) == (
        "The PDF is encrypted or has an opening password; please remove the password and upload it again"
    )


# ---------------------------------------------------------------------------------------------------
# On the pages, in English: HR's account form, the bureau's organisation form, the applicant's upload
# ---------------------------------------------------------------------------------------------------


def english_browser(login_as: Any, user: object) -> Any:
    """A logged-in client that chose English."""
    browser = login_as(user)
    in_english(browser)
    return browser


def refused_in_english(browser: Any, url: str, data: dict[str, Any], **options: Any) -> str:
    """The fragment a refused htmx POST answers (422), checked for Chinese outside lang="zh…"."""
    response = browser.post(url, data=data, headers=HX, **options)
    assert response.status_code == 422, response.text[-300:]
    assert leaks(f'<html lang="en">{response.text}</html>')[1] == []
    return response.get_data(as_text=True)


def test_hr_reads_a_bad_hong_kong_macau_permit_number_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    browser = english_browser(login_as, make_world(session).enterprise.handler)
    permit = {"document_type": "hk_macau_permit"}
    wrong_letter = refused_in_english(
        browser, "/enterprise/applicants", _person(**permit, id_number="X1234567")
    )
    assert (
        "A mainland travel permit number for Hong Kong and Macao residents starts with the letter H"
        " (Hong Kong residents) or M (Macao residents)" in wrong_letter
    )
    too_short = refused_in_english(browser, "/enterprise/applicants", _person(**permit, id_number="h123456"))
    assert "you entered 6 digits after the letter" in too_short


def test_the_bureau_reads_a_bad_credit_code_in_english(session: Session, login_as: Any) -> None:
    world = make_world(session)
    browser = english_browser(login_as, world.admin)
    form = {
        "kind": "enterprise",
        "name": "某公司",
        "parent_id": world.department.org.id,
        "ownership": "state",
    }
    wrong_check = refused_in_english(browser, "/admin/orgs", form | {"uscc": WRONG_USCC_CHECK})
    assert (
        f"The check character of the unified social credit code is wrong (it should be {GOOD_USCC[-1]},"
        f" you entered {WRONG_USCC_CHECK[-1]})" in wrong_check
    )
    confusable = refused_in_english(browser, "/admin/orgs", form | {"uscc": "9136O7O3MA35ABCD1I"})
    assert "(common slips: I should be 1, O should be 0)" in confusable


def test_the_applicant_reads_a_refused_upload_in_english(
    session: Session, clock: Clock, login_as: Any
) -> None:
    application = bare_draft(session, make_world(session), clock)
    browser = english_browser(login_as, application.applicant)
    url = f"/me/applications/{application.id}/materials"

    def upload(data: bytes, name: str) -> str:
        posted = {
            "slot": "id_card",
            "kind": "original",
            "files": files((data, name)),
            "form_token": new_token(),
        }
        return refused_in_english(browser, url, posted, content_type="multipart/form-data")

    assert (
        'The upload failed: “<span lang="zh-CN">身份证.pdf</span>” is not a PDF, JPG or PNG file'
        in upload(imaging.HTML_AS_PDF, "身份证.pdf")
    )
    # Two sentences, not "“scan.pdf”: The PDF…" (a capital after a colon).
    encrypted = upload(encrypted_pdf(), "scan.pdf")
    assert "“scan.pdf” was not accepted. The PDF is encrypted or has an opening password" in encrypted


def test_a_transfer_request_s_refusals_read_in_english(session: Session, clock: Clock, login_as: Any) -> None:
    """Asking for another unit's account checks the number as opening one does; a document type the form
    does not offer is named as such (not Python's "'x' is not a valid DocumentType")."""
    browser = english_browser(login_as, make_world(session).enterprise.handler)
    permit = _person(document_type="hk_macau_permit", id_number="M12")
    assert "you entered 2 digits after the letter" in refused_in_english(
        browser, "/enterprise/transfers", permit
    )
    unknown = refused_in_english(browser, "/enterprise/transfers", _person(document_type="driving_licence"))
    assert "Please choose the document type" in unknown and "DocumentType" not in unknown


def test_hr_reads_the_roster_s_skipped_rows_and_a_roster_without_months_in_english(
    session: Session, login_as: Any
) -> None:
    world = make_world(session)
    browser = english_browser(login_as, world.enterprise.handler)
    unit = world.enterprise.org.name
    rows = [
        ["姓名", "公民身份号码", "参保单位名称", "缴费月数"],
        ["李雷", complete_resident_id("36070219800101123"), unit, "60"],
        ["周文博", GOOD_ID, unit, "十二"],
        ["坏行", "12345", unit, "1"],
    ]
    assert _upload(browser, workbook(rows), "roster.xlsx", url="/enterprise/roster").status_code == 303
    page = browser.get("/enterprise/applicants").get_data(as_text=True)
    assert "The months paid, “" in page and "is not a number" in page
    assert "ID card number: 18 characters are needed, you entered 5" in page
    assert leaks(page)[1] == []
    without_months = [["姓名", "公民身份号码", "参保单位名称"], ["周文博", GOOD_ID, unit]]
    refused = _upload(browser, workbook(without_months), "roster.xlsx", url="/enterprise/roster", headers=HX)
    assert refused.status_code == 422
    assert "The social insurance roster needs a" in refused.text
    assert leaks(f'<html lang="en">{refused.text}</html>')[1] == []
