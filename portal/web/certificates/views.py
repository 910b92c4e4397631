"""The bureau's certificates: list with filters, revocation, the certificate Excel and the 批复 PDF."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import Response, request, url_for

from portal.domain.dates import read_day
from portal.domain.errors import DomainError
from portal.domain.i18n import N_, T_
from portal.extensions import db
from portal.models import OrgKind, StaffRole
from portal.services import certificates as service
from portal.services import year_end
from portal.services.applications import LEVELS
from portal.services.calendar import today
from portal.web import steps
from portal.web.certificates import bp
from portal.web.context import current_actor, current_membership, now
from portal.web.downloads import send_bytes
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.once import once_per_form

# A date filter or the 批复's day written otherwise than 年-月-日 (a day that is well written but not in the
# calendar is told so by dates.no_such_day).
DAY_WRITTEN = N_("日期格式应为 年-月-日，例如 2026-03-15")
# 至 before 从 matches no certificate: the list said "no certificates" as if none had been issued.
RANGE_INVERTED = N_("“至”的日期早于“发证日期从”的日期，请核对")


def _day(name: str, values: Mapping[str, str], errors: dict[str, str]) -> date | None:
    """The day typed in the field `name`, None when left empty; a day that cannot be read is None too, with
    why in `errors` under the field's name (read as every typed date is: dates.read_day)."""
    raw = values.get(name, "").strip()[:20]
    if not raw:
        return None
    day, problem = read_day(raw, DAY_WRITTEN)
    if problem:
        errors[name] = problem
    return day


def _filters(values: Mapping[str, str] | None = None) -> tuple[service.CertificateFilters, dict[str, str]]:
    """The list's filters and, by field, the dates that cannot be read: applied without them the list would
    quietly widen to every date (so the list shows none and says why beside the field); a 至 before its 从
    is refused the same way (it would list nothing, as if nothing had been issued)."""
    values = request.args if values is None else values
    errors: dict[str, str] = {}
    filters = service.CertificateFilters(
        series=values.get("series", "").strip()[:50],
        level=values.get("level", "").strip()[:10],
        since=_day("since", values, errors),
        until=_day("until", values, errors),
        authority=values.get("authority", "").strip()[:40],
        batch=values.get("batch", "").strip()[:40],
        road=road if (road := values.get("road", "")) in service.ROADS else "",
    )
    if filters.since and filters.until and filters.until < filters.since:
        errors["until"] = RANGE_INVERTED
    return filters, errors


def _list_page(
    filters: service.CertificateFilters, errors: dict[str, str], typed: Mapping[str, str]
) -> Response:
    """The list, or — a date that cannot be read in the filters or the 批复's day — the page again with no
    rows (422), why beside the field and what was typed kept in it."""
    actor = current_actor()
    listed = not ({"since", "until"} & errors.keys())
    page = (
        service.certificate_page(db.session, actor, filters, request.args.get("after", "")[:40])
        if listed
        else service.CertificatePage([], 0)
    )
    return render_page(
        "pages/certificates/list_certificates.html",
        status=422 if errors else 200,
        page=page,
        rows=page.rows,
        listed=listed,
        errors=errors,
        typed={name: typed.get(name, "")[:20] for name in ("since", "until", "day")},
        revocable={a.id for a in page.rows if service.can_revoke(actor, a)},
        words=service.list_words(db.session, actor),
        revoke_clause=service.revocation_clause(db.session, actor),
        filters=filters,
        chips=service.filter_chips(db.session, actor, filters),
        levels=LEVELS,  # a choice, as the queue's filter: a typed level matched nothing unless exact
        args=filters.to_args(),
    )


@bp.get("")
@staff_required(OrgKind.BUREAU)
def list_certificates() -> Response:
    """The bureau's certificates, newest first, a page at a time (`?after=`: the pager's cursor), the
    filters kept by the pager and by the export, which takes every page."""
    filters, errors = _filters()
    return _list_page(filters, errors, request.args)


@bp.post("/exports")
@staff_required(OrgKind.BUREAU)
@once_per_form(lambda: url_for("certificates.list_certificates"))
def export_certificates() -> Response:
    """Certificate data for the city title office (REP-01), the same filters as on screen, built by a
    background job of any size (full ID numbers: audited when the worker writes it)."""
    filters, errors = _filters(request.form)
    if errors:  # exported without the date, the file would hold every date's certificates
        return _list_page(filters, errors, request.form)
    membership = current_membership()
    job = service.start_export(
        db.session, current_actor(), filters, now(), membership_id=membership.id if membership else None
    )
    return see_other(url_for("jobs.show_job", job_id=job.id))


@bp.post("/approval.pdf")
@staff_required(OrgKind.BUREAU)
def approval_document() -> Response:
    """The 批复 of everyone the bureau 认定'd on one day, then the lists of those whose certificates came by
    评审 that day (services.certificates.day_documents). A POST: a list of people, so it is audited."""
    errors: dict[str, str] = {}
    day = _day("day", request.form, errors)
    if errors:
        filters, _ = _filters()
        return _list_page(filters, errors, request.form)
    day = day or today(now())
    pdf = service.day_documents(db.session, current_actor(), day, now())
    if pdf is None:
        notify(T_("%(day)s没有发证的人员", day=day), "error")
        # Back to the list as it was filtered (the form's action carries the filters).
        return see_other(url_for("certificates.list_certificates", **_filters()[0].to_args()))
    return send_bytes(pdf, f"批复-{day.isoformat()}.pdf", "application/pdf")


@bp.post("/<int:application_id>/revoke")
@staff_required(OrgKind.BUREAU)
def revoke_certificate(application_id: int) -> Response:
    reason, clause = request.form.get("reason", ""), request.form.get("clause", "")
    return steps.run_step(
        lambda: service.revoke_certificate(
            db.session, current_actor(), application_id, reason, clause, now()
        ),
        back=url_for("certificates.list_certificates"),
        done=N_("证书已撤销，当事人已列入诚信档案"),
    )


# --- the year-end report to the city title office (REP-01) ----------------------------------------------

BUREAU_AND_ADMIN = (StaffRole.HANDLER, StaffRole.LEADER, StaffRole.ADMIN)


def _year(values: Mapping[str, str]) -> int:
    raw = values.get("year", "")
    return int(raw) if raw.isdigit() and len(raw) == 4 else today(now()).year


def _report_url(year: int) -> str:
    return url_for("certificates.show_year_end", year=year)


@bp.get("/year-end")
@staff_required(OrgKind.BUREAU, roles=BUREAU_AND_ADMIN)
def show_year_end() -> Response:
    """年度认定报告: per authority of the bureau's profile, the year's decisions, certificates and whether
    it reported them to the city title office by the profile's deadline."""
    year = _year(request.args)
    report = year_end.year_end_report(db.session, current_actor(), year, now())
    return render_page(
        "pages/certificates/year_end.html", report=report, year=year, this_year=today(now()).year
    )


@bp.post("/year-end/approval.pdf")
@staff_required(OrgKind.BUREAU)
def year_end_approval() -> Response:
    """The 批复 of one authority's year (one batch of it when chosen). A POST: it names people, audited."""
    year = _year(request.form)
    try:
        pdf, filename = year_end.approval_document(
            db.session,
            current_actor(),
            request.form.get("authority", "")[:40],
            year,
            request.form.get("batch", "").strip()[:40],
            now(),
        )
    except DomainError as error:
        return steps.refused(_report_url(year), error)
    return send_bytes(pdf, filename, "application/pdf")


@bp.post("/year-end/reports")
@staff_required(OrgKind.BUREAU, roles=BUREAU_AND_ADMIN)
def record_year_end_report() -> Response:
    """Record that an authority sent the city title office its 批复 and certificate Excel of the year."""
    year = _year(request.form)
    return steps.run_step(
        lambda: year_end.record_report(
            db.session, current_actor(), request.form.get("authority", "")[:40], year, now()
        ),
        back=_report_url(year),
        done=N_("已记录上报市职称办"),
    )
