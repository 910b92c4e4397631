"""Committees and their scope (issue 22.2): the bureau's admin sets up committees (or loads the profile's
申报计划安排表) and keeps each committee's scope; the bureau's and the office's staff read them."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, request, url_for

from portal.documents.certificates import table_xlsx
from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.policy import LEVELS
from portal.extensions import db
from portal.models import CommitteeKind, OrgKind, StaffRole
from portal.services import committees as service
from portal.services import staff
from portal.web import steps
from portal.web.committees import bp
from portal.web.context import current_actor, now
from portal.web.downloads import send_temporary_file
from portal.web.forms import form_input
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify

ALL_ROLES = (StaffRole.HANDLER, StaffRole.LEADER, StaffRole.ADMIN)
SCOPE_HEADERS = ("序号", "受理专业", "受理地", "级别", "网上申报时间", "依据", "备注", "来源")


def _list_page(
    *, errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    actor = current_actor()
    committees = service.committees_of(db.session, actor)
    return render_page(
        "pages/committees/list_committees.html",
        status=status,
        committees=committees,
        staff_pages={c.id for c in committees if staff.may_view_staff(actor, c.office)},
        can_create=actor.is_admin,
        can_load=actor.is_admin and service.can_load_from_profile(db.session, actor),
        provincial=service.provincial_windows(db.session, actor),  # WIN-05: its days and clause, if any
        rule_clause=service.listing_clause(db.session, actor),  # the profile's CHAN-01 and EXAM-06, or ""
        scope_table=service.scope_table(db.session, actor),  # the notice's name for it, or neutral words
        kinds=list(CommitteeKind),
        errors=errors or {},
        form=form or {"kind": CommitteeKind.CITY.value},
    )


@bp.get("")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=ALL_ROLES)
def list_committees() -> Response:
    return _list_page()


@bp.post("")
@staff_required(OrgKind.BUREAU, roles=(StaffRole.ADMIN,))
def create_committee() -> Response:
    try:
        committee = service.create_committee(
            db.session, current_actor(), form_input(service.CommitteeInput), now()
        )
    except ValidationFailed as invalid:
        return _list_page(errors=invalid.fields, form=request.form.to_dict(), status=422)
    notify(
        T_("已设立“%(name)s”及其办事机构；请在办事机构的人员页面开设经办人、领导账号", name=committee.name),
        "success",
    )
    return see_other(url_for("committees.show_committee", committee_id=committee.id))


@bp.post("/load")
@staff_required(OrgKind.BUREAU, roles=(StaffRole.ADMIN,))
def load_committees() -> Response:
    try:
        report = service.load_from_profile(db.session, current_actor(), now())
    except ValidationFailed as invalid:
        return steps.refused(url_for("committees.list_committees"), invalid)
    if report.committees:
        notify(
            T_(
                "已载入 %(committees)d 个评委会、%(rows)d 行受理范围",
                committees=len(report.committees),
                rows=report.rows,
            ),
            "success",
        )
    else:
        table = service.scope_table(db.session, current_actor()).word
        notify(T_("%(table)s已载入过，未重复载入；各评委会的受理范围请在其页面维护", table=table), "info")
    return see_other(url_for("committees.list_committees"))


def _filters() -> dict[str, str]:
    level = (request.args.get("level") or "").strip()
    return {
        "specialty": (request.args.get("specialty") or "").strip()[:50],
        "place": (request.args.get("place") or "").strip()[:50],
        "level": level if level in LEVELS else "",
    }


def _show_page(
    committee_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    editing: int | None = None,
    status: int = 200,
) -> Response:
    actor = current_actor()
    committee = service.get_committee(db.session, actor, committee_id)
    filters = _filters()
    rows = service.scope_rows(committee, **filters)
    return render_page(
        "pages/committees/show_committee.html",
        status=status,
        committee=committee,
        name_basis=service.name_basis(committee),
        note=service.committee_note(committee),
        rows=rows,
        total=len(committee.scopes),
        filters=filters,
        levels=LEVELS,
        can_edit=actor.is_admin and committee.bureau_id == actor.org_id,
        staff_page=staff.may_view_staff(actor, committee.office),
        errors=errors or {},
        form=form or {},
        editing=editing,
    )


@bp.get("/<int:committee_id>")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=ALL_ROLES)
def show_committee(committee_id: int) -> Response:
    return _show_page(committee_id)


@bp.get("/<int:committee_id>/scopes.xlsx")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=ALL_ROLES)
def export_scopes(committee_id: int) -> Response:
    """The scope as filtered on the page, as Excel."""
    committee = service.get_committee(db.session, current_actor(), committee_id)

    def rows() -> Iterator[tuple[object, ...]]:
        for r in service.scope_rows(committee, **_filters()):
            window = "依据文件时间申报" if r.pending else f"{r.opens}至{r.closes}"
            yield (
                r.row_no,
                r.specialties,
                r.place,
                "、".join(r.level_list),
                window,
                r.citation,
                r.note,
                r.source,
            )

    path = table_xlsx("受理范围", SCOPE_HEADERS, rows())
    return send_temporary_file(
        path,
        f"{committee.name}受理范围.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _scope_input() -> service.ScopeInput:
    return form_input(service.ScopeInput, levels=tuple(request.form.getlist("levels")))


@bp.post("/<int:committee_id>/scopes")
@staff_required(OrgKind.BUREAU, roles=(StaffRole.ADMIN,))
def add_scope(committee_id: int) -> Response:
    try:
        service.save_scope(db.session, current_actor(), committee_id, _scope_input(), now())
    except ValidationFailed as invalid:
        form = {**request.form.to_dict(), "levels": request.form.getlist("levels")}
        return _show_page(committee_id, errors=invalid.fields, form=form, status=422)
    notify(N_("已添加受理范围"), "success")
    return see_other(url_for("committees.show_committee", committee_id=committee_id) + "#scope")


@bp.post("/scopes/<int:scope_id>")
@staff_required(OrgKind.BUREAU, roles=(StaffRole.ADMIN,))
def update_scope(scope_id: int) -> Response:
    actor = current_actor()
    row = service.get_scope(db.session, actor, scope_id)
    try:
        service.save_scope(db.session, actor, row.committee_id, _scope_input(), now(), scope_id=scope_id)
    except ValidationFailed as invalid:
        form = {**request.form.to_dict(), "levels": request.form.getlist("levels")}
        return _show_page(row.committee_id, errors=invalid.fields, form=form, editing=scope_id, status=422)
    notify(N_("已修改受理范围"), "success")
    return see_other(url_for("committees.show_committee", committee_id=row.committee_id) + "#scope")


@bp.post("/scopes/<int:scope_id>/delete")
@staff_required(OrgKind.BUREAU, roles=(StaffRole.ADMIN,))
def delete_scope(scope_id: int) -> Response:
    actor = current_actor()
    row = service.get_scope(db.session, actor, scope_id)
    committee_id = row.committee_id
    service.delete_scope(db.session, actor, scope_id, now())
    notify(N_("已删除该行受理范围"), "success")
    return see_other(url_for("committees.show_committee", committee_id=committee_id) + "#scope")
