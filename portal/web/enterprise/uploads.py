"""Enterprise HR: bulk applicant accounts from a spreadsheet (template, check, confirm, passwords once)
and the unit's social-insurance roster (upload, history; badges on the applicant list)."""

from __future__ import annotations

from typing import IO

from flask import Response, url_for

from portal.documents.spreadsheets import XLSX, import_template_xlsx
from portal.domain.errors import DomainError, StaleObject, ValidationFailed
from portal.domain.i18n import T_, joined
from portal.domain.identity import complete_resident_id
from portal.extensions import db
from portal.models import OrgKind
from portal.services import imports, rosters, sealing
from portal.web import steps
from portal.web.context import current_actor, current_membership, now
from portal.web.downloads import send_bytes
from portal.web.enterprise import bp
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.jobs import remember_import_key
from portal.web.once import created, once_per_form
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
@once_per_form(
    lambda: url_for("enterprise.new_import"),
    again=lambda batch_id: url_for("enterprise.show_import", batch_id=batch_id),
)
def create_import() -> Response:
    data, filename = _upload()
    try:
        batch = imports.check_upload(db.session, storage(), current_actor(), data, filename, now())
    except ValidationFailed as invalid:
        return _new_import_page(errors=invalid.fields, status=422)
    created("import_batch", batch.id)  # a double click lands on this preview too
    return see_other(url_for("enterprise.show_import", batch_id=batch.id))


@bp.get("/imports/<int:batch_id>")
@staff_required(OrgKind.ENTERPRISE)
def show_import(batch_id: int) -> Response:
    # The report re-checks the kept file; whatever that looked up is not kept (nothing is imported here).
    return steps.kept_preview(
        lambda: imports.import_report(db.session, storage(), current_actor(), batch_id, now()),
        back=url_for("enterprise.new_import"),
        page=lambda report: render_page(
            "pages/enterprise/show_import.html", report=report, result=None, message=""
        ),
    )


@bp.post("/imports/<int:batch_id>/confirm")
@staff_required(OrgKind.ENTERPRISE)
def confirm_import(batch_id: int) -> Response:
    """HR confirms: a background job opens the accounts (all good rows in one transaction). Its first
    passwords are sealed to a key this browser alone keeps (in its session cookie), shown on the job's
    page, never stored readable."""
    actor = current_actor()
    started = imports.running_import(db.session, actor, batch_id)
    if started is not None:  # a double click, or a second tab: one import
        return see_other(url_for("jobs.show_job", job_id=started.id))
    private_key, public_key = sealing.new_key_pair()
    membership = current_membership()
    try:
        job = imports.start_import(
            db.session, storage(), actor, batch_id, now(), public_key=public_key,
            membership_id=membership.id if membership else None,
        )  # fmt: skip
    except (ValidationFailed, StaleObject, DomainError) as refused:
        text = (
            joined(refused.fields.values(), "；")
            if isinstance(refused, ValidationFailed)
            else refused.message
        )
        report = imports.import_report(db.session, storage(), actor, batch_id, now())
        status = 409 if isinstance(refused, StaleObject) else 422
        return render_page(
            "pages/enterprise/show_import.html", status=status, report=report, result=None, message=text
        )
    remember_import_key(job.id, private_key)
    return see_other(url_for("jobs.show_job", job_id=job.id))


# ---------------------------------------------------------------------------------------------------
# Social-insurance roster
# ---------------------------------------------------------------------------------------------------


def _roster_page(*, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = current_actor()
    return render_page(
        "pages/enterprise/show_roster.html",
        fragment="upload_form",
        status=status,
        errors=errors or {},
        history=rosters.roster_history(db.session, actor),
        counts=rosters.badge_counts(db.session, actor),
    )


@bp.get("/roster")
@staff_required(OrgKind.ENTERPRISE)
def show_roster() -> Response:
    return _roster_page()


@bp.post("/roster")
@staff_required(OrgKind.ENTERPRISE)
@once_per_form(lambda: url_for("enterprise.show_roster"))
def upload_roster() -> Response:
    data, filename = _upload()
    try:
        upload = rosters.upload_roster(db.session, storage(), current_actor(), data, filename, now())
    except ValidationFailed as invalid:
        return _roster_page(errors=invalid.fields, status=422)
    text = T_("参保人员名单已导入：%(count)s人", count=upload.roster.row_count)
    if upload.skipped:
        shown = joined(
            [
                T_("第%(line)s行%(column)s：%(problem)s", line=p.line, column=p.column, problem=p.message)
                for p in upload.skipped[:5]
            ],
            "；",
        )
        skipped = (
            T_("以下行未能识别，已跳过等%(count)s行：%(rows)s", count=len(upload.skipped), rows=shown)
            if len(upload.skipped) > 5
            else T_("以下行未能识别，已跳过：%(rows)s", rows=shown)
        )
        text = T_("%(imported)s。%(skipped)s", imported=text, skipped=skipped)
    notify(text, "success")
    return see_other(url_for("enterprise.list_applicants"))
