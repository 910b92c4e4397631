"""The province's certificate numbers of a published meeting, from its spreadsheet (issue 22.6, PUB-04): the
bureau's staff download the template (姓名 / 身份证号 / 证书编号), upload the provincial system's sheet, read
the preview (each row's verdict; nothing recorded), then apply it once. The numbers go through the
rulebook's 录入证书编号, as on the review page.

Post/Redirect/Get: the upload's POST keeps the file and answers 303 to the preview page, a GET that
re-reads the kept file (/meetings/<id>/certificates/<file_id>), so Back after the apply and a reload show
the preview again (its rows read as recorded then) instead of Chromium's "Confirm Form Resubmission".

Thin views over services/certificate_numbers.py; each form is posted once (its one-time token, 17.2).
"""

from __future__ import annotations

from flask import Response, request, url_for

from portal.documents.certificates import table_xlsx
from portal.domain.errors import DomainError
from portal.domain.i18n import NT_
from portal.extensions import db
from portal.models import OrgKind, StaffRole
from portal.services import certificate_numbers as service
from portal.services import meetings
from portal.web import steps
from portal.web.committees import bp
from portal.web.context import current_actor, now
from portal.web.downloads import send_temporary_file
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.once import created, once_per_form
from portal.web.storage import storage, uploaded_file

STAFF = (StaffRole.HANDLER, StaffRole.LEADER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _back(meeting_id: int) -> str:
    return url_for("committees.show_meeting", meeting_id=meeting_id) + "#certificates"


@bp.get("/certificates/template.xlsx")
@staff_required(OrgKind.BUREAU, roles=STAFF)
def certificate_template() -> Response:
    """The empty sheet the import reads (its column titles): no one's data, so a plain GET."""
    path = table_xlsx("证书编号", service.TEMPLATE_HEADERS, iter(()))
    return send_temporary_file(path, "证书编号导入模板.xlsx", XLSX)


def _load(meeting_id: int) -> object:
    return meetings.get_meeting(db.session, current_actor(), meeting_id)


@bp.post("/meetings/<int:meeting_id>/certificates")
@staff_required(OrgKind.BUREAU, roles=STAFF)
@once_per_form(_back, load=_load, again=lambda file_id, meeting_id: _preview(meeting_id, file_id))
def check_certificate_numbers(meeting_id: int) -> Response:
    """The sheet checked row by row and kept (nothing recorded); on to its preview page (303). The same
    form posted again (a double click) lands on that preview too, keeping no second file."""
    part = uploaded_file("file")
    try:
        preview = service.check_numbers(
            db.session, storage(), current_actor(), meeting_id,
            part.data if part else b"", part.name if part else "", now(),
        )  # fmt: skip
    except DomainError as refused:
        return steps.refused(_back(meeting_id), refused)
    created("certificate_import", preview.file_id)  # the import is named by its kept file in the URLs
    return see_other(_preview(meeting_id, preview.file_id))


def _preview(meeting_id: int, file_id: int) -> str:
    return url_for("committees.show_certificate_numbers", meeting_id=meeting_id, file_id=file_id)


def _load_import(meeting_id: int, file_id: int) -> object:
    return service.get_import(db.session, current_actor(), meeting_id, file_id)


@bp.get("/meetings/<int:meeting_id>/certificates/<int:file_id>")
@staff_required(OrgKind.BUREAU, roles=STAFF)
def show_certificate_numbers(meeting_id: int, file_id: int) -> Response:
    """The preview: each row's verdict as the kept file reads now, and the apply form while it is still
    unapplied (once applied, who applied it; the rows read as recorded). Records nothing."""
    return steps.kept_preview(
        lambda: service.preview(db.session, storage(), current_actor(), meeting_id, file_id),
        back=_back(meeting_id),
        page=lambda found: render_page(
            "pages/committees/certificate_numbers.html", meeting=found[0].meeting, kept=found[0],
            preview=found[1],
        ),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/certificates/<int:file_id>/apply")
@staff_required(OrgKind.BUREAU, roles=STAFF)
@once_per_form(_preview, load=_load_import)
def apply_certificate_numbers(meeting_id: int, file_id: int) -> Response:
    """Record the matched rows as previewed, all in one transaction; a changed file or state, or an import
    already applied: nothing, and the reason on the preview page."""
    try:
        count = service.apply_numbers(
            db.session, storage(), current_actor(), meeting_id, file_id, request.form.get("digest", ""), now()
        )
    except DomainError as refused:
        return steps.refused(_preview(meeting_id, file_id), refused)
    notify(NT_("已录入 %(num)d 个证书编号", "已录入 %(num)d 个证书编号", count), "success")
    return see_other(_back(meeting_id))
