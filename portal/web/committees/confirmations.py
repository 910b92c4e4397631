"""职称确认 on the screens (issue 22.7, 004 一(五), EQUIV-04): the applicant (or the unit's HR) asks, from a
现有职称 row of the 申报表, for a title from another province or a central unit to be confirmed; the
committee office lists its lines and sends the 《专业技术人员职称资格确认人员名单》 (Excel) to the HR bureau
before its own notice; the bureau confirms or refuses each line (a refusal with its reason), one by one or
in bulk with per-row results; the office sees each outcome before the meeting (and the meeting's agenda
says why an unconfirmed title cannot go on it). Where the profile recognises titles as they are
(Zhenjiang, 003 二(七)) the page says so and asks nothing.

Thin views: load and check through services.confirmations (scoping: another tenant's application is a
404, a role without the step a 403), call it, respond (the page, or its list block for htmx; 303 after a
plain POST, a refusal flashed and rolled back: portal/web/steps.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, request, url_for
from flask_login import login_required

from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_, NT_, T_
from portal.extensions import db
from portal.models import OrgKind, StaffRole, TitleOrigin
from portal.services import confirmations as service
from portal.web import steps
from portal.web.committees import bp
from portal.web.context import current_actor, now
from portal.web.downloads import send_temporary_file
from portal.web.forms import as_id
from portal.web.guards import staff_required
from portal.web.htmx import hx_trigger, render_page, see_other
from portal.web.i18n import notify
from portal.web.unit_of_work import discard

OFFICE = (StaffRole.HANDLER, StaffRole.LEADER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ids(name: str) -> list[int]:
    return [i for i in (as_id(raw) for raw in request.form.getlist(name)) if i is not None]


# --- the applicant's (or the unit's HR's) request ------------------------------------------------------


def _applicant_page(
    application_id: int, *, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    actor = current_actor()
    view = service.applicant_view(db.session, actor, application_id)
    back = (
        url_for("enterprise.edit_form", application_id=application_id)
        if actor.is_staff
        else url_for("applicant.show_application", application_id=application_id)
    )
    return render_page(
        "pages/committees/request_confirmation.html",
        status=status,
        view=view,
        application=view.application,
        back=back,
        origins=[(o.value, o.title) for o in TitleOrigin],
        origin_titles={o.value: o.title for o in TitleOrigin},
        errors=errors or {},
    )


@bp.get("/confirmations/applications/<int:application_id>")
@login_required
def show_request(application_id: int) -> Response:
    return _applicant_page(application_id)


@bp.post("/confirmations/applications/<int:application_id>")
@login_required
def request_confirmation(application_id: int) -> Response:
    row_id = as_id(request.form.get("row_id")) or 0
    origin = request.form.get(f"origin_{row_id}", "")
    return steps.run_step(
        lambda: service.request_from_row(db.session, current_actor(), application_id, row_id, origin, now()),
        back=url_for("committees.show_request", application_id=application_id),
        page_with_errors=lambda errors: _applicant_page(application_id, errors=errors, status=422),
        done=N_("已提出职称确认，随申报报送评委会办事机构，由其报人社局确认"),
    )


# --- the office's and the bureau's list ---------------------------------------------------------------


def _listing(asked: Mapping[str, str]) -> service.Listing:
    """The list as asked for: its tab and filter from the query string (the page, the export) or from the
    bureau's decision's form (a refused one shows the same list again)."""
    return service.listing(db.session, current_actor(), asked.get("tab", ""), asked.get("q", ""))


def _list_page(
    asked: Mapping[str, str],
    *,
    refused: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The list page (or its `lines` fragment); ``refused`` is the bureau's decision sent back with
    ``errors`` (422), so the rows stay ticked, the decision chosen and the note typed."""
    listed = _listing(asked)
    return render_page(
        "pages/committees/list_confirmations.html",
        fragment="lines",
        status=422 if refused is not None else 200,
        listed=listed,
        origin_titles={o.value: o.title for o in TitleOrigin},
        args={"tab": listed.tab, **({"q": listed.query} if listed.query else {})},
        errors=errors or {},
        form=refused or {},
    )


@bp.get("/confirmations")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def list_confirmations() -> Response:
    return _list_page(request.args)


@bp.post("/confirmations.xlsx")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def export_confirmations() -> Response:
    """What the list shows (tab and filter in the query string), as the 《专业技术人员职称资格确认人员名单》.
    A POST: a bulk download of people's data, audited (a write; never on a GET)."""
    path = service.export_list(db.session, current_actor(), _listing(request.args), now())
    return send_temporary_file(path, f"{service.LIST_TITLE}.xlsx", XLSX)


@bp.post("/confirmations/send")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def send_confirmations() -> Response:
    try:
        sent = service.send_list(db.session, current_actor(), now())
    except DomainError as refused:
        return steps.refused(url_for("committees.list_confirmations"), refused)
    message = NT_(
        "已将 %(num)d 人报送人社局确认；请导出《专业技术人员职称资格确认人员名单》随文报送",
        "已将 %(num)d 人报送人社局确认；请导出《专业技术人员职称资格确认人员名单》随文报送",
        len(sent),
    )
    notify(message, "success")
    sent_tab = url_for("committees.list_confirmations", tab="sent")
    return hx_trigger(see_other(sent_tab), "confirmations-changed")


@bp.post("/confirmations/decide")
@staff_required(OrgKind.BUREAU, roles=OFFICE)
def decide_confirmations() -> Response:
    query = request.form.get("q", "")
    tab = request.form.get("tab", "sent")
    back = url_for("committees.list_confirmations", tab=tab, **({"q": query} if query else {}))
    confirm = request.form.get("decision") == "confirm"
    try:
        rows = service.decide_many(
            db.session, current_actor(), _ids("line_ids"), confirm, request.form.get("note", ""), now()
        )
    except ValidationFailed as invalid:
        # Refused as a whole (no row ticked, 不予确认 without its reason): the list again, the rows still
        # ticked and the decision still chosen, the message beside its field.
        sent_back = {
            "line_ids": request.form.getlist("line_ids"),
            "decision": request.form.get("decision", "confirm"),
            "note": request.form.get("note", ""),
        }
        return discard(_list_page(request.form, refused=sent_back, errors=invalid.fields))
    except DomainError as refused:
        return steps.refused(back, refused)
    done = [r for r in rows if not r.why]
    if done:
        notify(
            NT_("已确认 %(num)d 人", "已确认 %(num)d 人", len(done))
            if confirm
            else NT_("已不予确认 %(num)d 人", "已不予确认 %(num)d 人", len(done)),
            "success",
        )
    for row in rows:  # per-row results: the others were decided
        if row.why:
            notify(T_("%(person)s：%(why)s", person=row.name or str(row.line_id), why=row.why), "error")
    return hx_trigger(see_other(back), "confirmations-changed")
