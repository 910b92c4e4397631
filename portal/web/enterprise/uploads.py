"""Enterprise HR: bulk applicant accounts from a spreadsheet (template, check, confirm, passwords once)
and the unit's social-insurance roster (upload, history; badges on the applicant list)."""

from __future__ import annotations

import base64
from typing import IO

from flask import Response, flash, url_for

from portal.documents.spreadsheets import XLSX, import_template_xlsx, passwords_xlsx
from portal.domain.errors import DomainError, StaleObject, ValidationFailed
from portal.domain.identity import complete_resident_id, mask_id_number
from portal.domain.roster import RosterBadge
from portal.extensions import db
from portal.models import OrgKind
from portal.services import accounts, imports, rosters
from portal.web.context import current_actor, now
from portal.web.downloads import send_bytes
from portal.web.enterprise.views import bp
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.storage import storage, uploaded_file


def _upload() -> tuple[bytes | IO[bytes], str]:
    """The chosen file as the request's spooled file (the acceptance path reads what it needs)."""
    part = uploaded_file("file")
    return (part.data, part.name) if part else (b"", "")


def _new_import_page(*, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    return render_page(
        "pages/enterprise/new_import.html", fragment="upload_form", status=status, errors=errors or {}
    )


@bp.get("/applicants/import")
@staff_required(OrgKind.ENTERPRISE)
def new_import() -> Response:
    return render_page("pages/enterprise/new_import.html", errors={})


@bp.get("/applicants/import/template.xlsx")
@staff_required(OrgKind.ENTERPRISE)
def download_import_template() -> Response:
    return send_bytes(
        import_template_xlsx(complete_resident_id("36070219900101123")), "申报人批量导入模板.xlsx", XLSX
    )


@bp.post("/imports")
@staff_required(OrgKind.ENTERPRISE)
def create_import() -> Response:
    data, filename = _upload()
    try:
        batch = imports.check_upload(db.session, storage(), current_actor(), data, filename, now())
    except ValidationFailed as invalid:
        db.session.rollback()
        return _new_import_page(errors=invalid.fields, status=422)
    db.session.commit()
    return see_other(url_for("enterprise.show_import", batch_id=batch.id))


@bp.get("/imports/<int:batch_id>")
@staff_required(OrgKind.ENTERPRISE)
def show_import(batch_id: int) -> Response:
    report = imports.import_report(db.session, storage(), current_actor(), batch_id, now())
    db.session.rollback()
    return render_page("pages/enterprise/show_import.html", report=report, result=None, message="")


@bp.post("/imports/<int:batch_id>/confirm")
@staff_required(OrgKind.ENTERPRISE)
def confirm_import(batch_id: int) -> Response:
    actor = current_actor()
    try:
        result = imports.confirm_import(db.session, storage(), actor, batch_id, now())
    except (ValidationFailed, StaleObject, DomainError) as refused:
        db.session.rollback()
        text = (
            "；".join(refused.fields.values()) if isinstance(refused, ValidationFailed) else refused.message
        )
        report = imports.import_report(db.session, storage(), actor, batch_id, now())
        db.session.rollback()
        status = 409 if isinstance(refused, StaleObject) else 422
        return render_page(
            "pages/enterprise/show_import.html", status=status, report=report, result=None, message=text
        )
    db.session.commit()
    # The first passwords are shown once, in this response (slips, and the same list as a spreadsheet
    # embedded as a data: link), never stored.
    sheet = passwords_xlsx(
        (a.user.name, a.user.phone, mask_id_number(a.user.id_number), a.password) for a in result.accounts
    )
    return render_page(
        "pages/enterprise/show_import.html",
        report=imports.ImportReport(result.batch, None),
        result=result,
        passwords_href=f"data:{XLSX};base64,{base64.b64encode(sheet).decode()}",
        message="",
    )


# ---------------------------------------------------------------------------------------------------
# Social-insurance roster
# ---------------------------------------------------------------------------------------------------


def _roster_page(*, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = current_actor()
    rows = accounts.applicant_rows(db.session, actor, now())
    counts = {badge: 0 for badge in RosterBadge}
    for row in rows:
        counts[row.roster.badge] += 1
    return render_page(
        "pages/enterprise/show_roster.html",
        fragment="upload_form",
        status=status,
        errors=errors or {},
        history=rosters.roster_history(db.session, actor),
        counts=[(badge, n) for badge, n in counts.items() if n],
    )


@bp.get("/roster")
@staff_required(OrgKind.ENTERPRISE)
def show_roster() -> Response:
    return _roster_page()


@bp.post("/roster")
@staff_required(OrgKind.ENTERPRISE)
def upload_roster() -> Response:
    data, filename = _upload()
    try:
        upload = rosters.upload_roster(db.session, storage(), current_actor(), data, filename, now())
    except ValidationFailed as invalid:
        db.session.rollback()
        return _roster_page(errors=invalid.fields, status=422)
    db.session.commit()
    text = f"参保人员名单已导入：{upload.roster.row_count}人"
    if upload.skipped:
        shown = "；".join(f"第{p.line}行{p.column}：{p.message}" for p in upload.skipped[:5])
        more = f"等{len(upload.skipped)}行" if len(upload.skipped) > 5 else ""
        text += f"。以下行未能识别，已跳过{more}：{shown}"
    flash(text, "success")
    return see_other(url_for("enterprise.list_applicants"))
