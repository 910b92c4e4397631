"""The bureau's certificates: list with filters, revocation, the certificate Excel and the 批复 PDF."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Blueprint, Response, current_app, flash, request, url_for

from portal.documents.certificates import approval_pdf, certificates_xlsx
from portal.domain.errors import DomainError, PermissionDenied, ValidationFailed
from portal.domain.glossary import cn_date
from portal.extensions import db
from portal.models import OrgKind
from portal.services import certificates as service
from portal.services.calendar import today
from portal.web.context import current_actor, now
from portal.web.downloads import Counted, send_bytes, send_temporary_file
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other

bp = Blueprint("certificates", __name__, url_prefix="/certificates")


def verify_key() -> str:
    return str(current_app.config.get("PORTAL_VERIFY_KEY") or current_app.config["SECRET_KEY"])


def _day(name: str, source: Mapping[str, str] | None = None) -> date | None:
    try:
        return date.fromisoformat((request.args if source is None else source).get(name, ""))
    except ValueError:
        return None


def _filters() -> service.CertificateFilters:
    return service.CertificateFilters(
        series=request.args.get("series", "").strip()[:50],
        level=request.args.get("level", "").strip()[:10],
        since=_day("since"),
        until=_day("until"),
    )


@bp.get("")
@staff_required(OrgKind.BUREAU)
def list_certificates() -> Response:
    filters = _filters()
    rows = service.certificates(db.session, current_actor(), filters)
    return render_page(
        "pages/certificates/list_certificates.html",
        rows=rows,
        filters=filters,
        args={k: v for k, v in request.args.items() if v},
    )


@bp.post("/export.xlsx")
@staff_required(OrgKind.BUREAU)
def export_certificates() -> Response:
    """Certificate data for the city title office (REP-01), the same filters as on screen (in the query
    string). A POST: it carries full ID numbers, so each download is audited (a write; never on a GET)."""
    actor = current_actor()
    filters = _filters()
    written = Counted(service.export_rows(db.session, actor, filters, full_id=True))
    path = certificates_xlsx(written)
    try:
        service.record_export(db.session, actor, filters, written.count, now(), full_id=True)
        db.session.commit()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_temporary_file(path, "证书信息.xlsx", xlsx)


@bp.post("/approval.pdf")
@staff_required(OrgKind.BUREAU)
def approval_document() -> Response:
    """The 批复 listing everyone certified on one day. A POST: a list of people, so it is audited."""
    day = _day("day", request.form) or today(now())
    actor = current_actor()
    chosen = [
        a
        for a in service.iter_certificates(
            db.session, actor, service.CertificateFilters(since=day, until=day)
        )
        if a.certificate_revoked_at is None
    ]
    if not chosen:
        flash(f"{cn_date(day)}没有认定发证的人员", "error")
        return see_other(url_for("certificates.list_certificates"))
    rows = [
        (a.applicant.name, a.enterprise.name, f"{a.series}/{a.specialty}", a.level, a.certificate_no or "")
        for a in reversed(chosen)
    ]
    pdf = approval_pdf(chosen[0].bureau.name, day, rows)
    service.record_approval_export(db.session, actor, day, len(rows), now())
    db.session.commit()
    return send_bytes(pdf, f"批复-{day.isoformat()}.pdf", "application/pdf")


@bp.post("/<int:application_id>/revoke")
@staff_required(OrgKind.BUREAU)
def revoke_certificate(application_id: int) -> Response:
    try:
        service.revoke_certificate(
            db.session,
            current_actor(),
            application_id,
            request.form.get("reason", ""),
            request.form.get("clause", ""),
            now(),
        )
    except (ValidationFailed, DomainError, PermissionDenied) as refused:
        db.session.rollback()
        text = (
            "；".join(refused.fields.values()) if isinstance(refused, ValidationFailed) else refused.message
        )
        flash(text, "error")
        return see_other(url_for("certificates.list_certificates"))
    db.session.commit()
    flash("证书已撤销，当事人已列入诚信档案", "success")
    return see_other(url_for("certificates.list_certificates"))
