"""The committee's call (评审通知, issue 22.8; 004 一(三), WIN-07) on the screens: the office drafts its call
with the materials and requirements (an intake opening too soon is refused on its field with the earliest
day and the clause), its leader files it with the district HR bureau, the bureau accepts the filing or
refuses it with a reason (corrected and filed again), then the office's leader publishes it; published, it
is on the public page (portal/web/public/calls.py).

Thin views over services/calls.py: load (its scoping helper), call (it refuses with a reason and audits),
respond (portal/web/steps.py: 303 after a POST; field errors: the page again, 422, nothing kept; any other
refusal, a step that is not this person's included: its reason flashed, the request rolled back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response, request, url_for

from portal.documents.certificates import table_xlsx
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_
from portal.extensions import db
from portal.models import CallStatus, OrgKind, StaffRole
from portal.services import calls as service
from portal.web import steps
from portal.web.committees import bp
from portal.web.context import current_actor, now
from portal.web.downloads import send_temporary_file
from portal.web.forms import form_input
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.once import once_per_form
from portal.web.unit_of_work import discard

OFFICE = (StaffRole.HANDLER, StaffRole.LEADER)
T = TypeVar("T")


def _list_page(
    *, errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    actor = current_actor()
    rule = service.call_rule(db.session, actor)
    return render_page(
        "pages/committees/list_calls.html",
        fragment="calls",
        status=status,
        listed=service.calls_of(db.session, actor, request.args.get("tab", "all")),
        tabs=service.TABS,
        office=actor.org_kind is OrgKind.COMMITTEE,
        rule=rule,
        stated=service.stated_rule(db.session, actor),  # the rule the page states, with its clause
        earliest=service.earliest_intake(rule, now()) if rule else None,
        errors=errors or {},
        form=form or {},
    )


@bp.get("/calls")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def list_calls() -> Response:
    return _list_page()


CALL_HEADERS = ("标题", "评委会", "受理开始日", "受理截止日", "状态", "报备时间", "发布时间", "依据")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/calls.xlsx")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def export_calls() -> Response:
    """The calls as listed (the same tab), as Excel: published texts and dates, no one's personal data."""
    listed = service.calls_of(db.session, current_actor(), request.args.get("tab", "all"))
    rows = (
        (c.title, c.committee.name, c.intake_opens, c.intake_closes, c.state.title, c.filed_at,
         c.published_at, c.citation)
        for c in listed.calls
    )  # fmt: skip
    return send_temporary_file(table_xlsx("评审通知", CALL_HEADERS, rows), "评审通知.xlsx", XLSX)


@bp.post("/calls")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
@once_per_form(lambda: url_for("committees.list_calls"))  # a new call per post: once per form (17.2)
def draft_call() -> Response:
    try:
        call = service.draft_call(db.session, current_actor(), form_input(service.CallInput), now())
    except ValidationFailed as invalid:
        return discard(_list_page(errors=invalid.fields, form=request.form.to_dict(), status=422))
    except DomainError as refused:  # a profile without a call rule
        return steps.refused(url_for("committees.list_calls"), refused)
    notify(N_("已起草评审通知；请由办事机构领导报人社局备案"), "success")
    return see_other(url_for("committees.show_call", call_id=call.id))


def _call_page(call_id: int, *, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = current_actor()
    call = service.get_call(db.session, actor, call_id)
    office = actor.org_id == call.committee.office_id
    leader = actor.staff_role is StaffRole.LEADER
    return render_page(
        "pages/committees/show_call.html",
        status=status,
        call=call,
        office=office,
        can_file=office and leader and call.state in (CallStatus.DRAFT, CallStatus.REFUSED),
        can_decide=not office and call.state is CallStatus.FILED,
        can_publish=office and leader and call.state is CallStatus.ACCEPTED,
        states=CallStatus,
        errors=errors or {},
        form=request.form.to_dict() if request.method == "POST" else {},
    )


@bp.get("/calls/<int:call_id>")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def show_call(call_id: int) -> Response:
    return _call_page(call_id)


def _step(call_id: int, step: Callable[[], T], done: str | Callable[[T], str]) -> Response:
    """One step of the call, back to the call's page (portal/web/steps.py)."""
    return steps.run_step(
        step,
        back=url_for("committees.show_call", call_id=call_id),
        page_with_errors=lambda errors: _call_page(call_id, errors=errors, status=422),
        done=done,
    )


@bp.post("/calls/<int:call_id>/file")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def file_call(call_id: int) -> Response:
    return _step(
        call_id, lambda: service.file_call(db.session, current_actor(), call_id, now()),
        N_("已报人社局备案，待确认；备案通过后才能发布"),
    )  # fmt: skip


@bp.post("/calls/<int:call_id>/decide")
@staff_required(OrgKind.BUREAU, roles=OFFICE)
def decide_call(call_id: int) -> Response:
    accept, note = request.form.get("decision") == "accept", request.form.get("note", "")
    return _step(
        call_id,
        lambda: service.decide_call(db.session, current_actor(), call_id, accept, note, now()),
        N_("已确认备案，办事机构可以发布") if accept else N_("已不予备案，办事机构将按意见修改后重新报备"),
    )


def _published(published: service.Published) -> str:
    """The message of a published call, its warning first when it was published late (WIN-07)."""
    if published.warning:
        notify(published.warning, "info")
    return N_("已发布评审通知，公众可在“评审通知”公开页面查看")


@bp.post("/calls/<int:call_id>/publish")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def publish_call(call_id: int) -> Response:
    return _step(
        call_id, lambda: service.publish_call(db.session, current_actor(), call_id, now()), _published
    )
