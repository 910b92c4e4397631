"""Organisations and staff: the bureau admin builds the tree; each organisation's staff manage their own."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request, url_for

from portal.domain.errors import DomainError, NotFound, ValidationFailed
from portal.extensions import db
from portal.models import Organisation, OrgKind, Ownership, StaffRole
from portal.services import organisations as service
from portal.services import standins
from portal.web.context import current_actor, now
from portal.web.forms import form_input, id_field
from portal.web.guards import admin_required, staff_required
from portal.web.htmx import hx_trigger, render_page, see_other
from portal.web.redirects import referrer_target

bp = Blueprint("admin", __name__, url_prefix="/admin")

ALL_STAFF = (StaffRole.HANDLER, StaffRole.LEADER, StaffRole.ADMIN)


def _organisations_page(
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    fragment: str | None = None,
) -> Response:
    actor = current_actor()
    orgs = service.organisations_under(db.session, actor.org_id or 0)
    return render_page(
        "pages/admin/list_organisations.html",
        fragment=fragment,
        status=status,
        orgs=orgs,
        errors=errors or {},
        form=form or {},
        kinds=[OrgKind.DEPARTMENT, OrgKind.ENTERPRISE],
        ownerships=list(Ownership),
    )


@bp.get("/orgs")
@admin_required
def list_organisations() -> Response:
    return _organisations_page()


@bp.post("/orgs")
@admin_required
def create_organisation() -> Response:
    data = form_input(service.OrganisationInput, parent_id=id_field("parent_id"))
    try:
        org = service.create_organisation(db.session, current_actor(), data, now())
    except ValidationFailed as invalid:
        db.session.rollback()
        return _organisations_page(
            errors=invalid.fields, form=request.form.to_dict(), status=422, fragment="create_form"
        )
    db.session.commit()
    flash(f"已创建{org.org_kind.title}：{org.name}，请为其添加经办人和领导", "success")
    return see_other(url_for("admin.show_organisation", org_id=org.id))


def _staff_page(
    org: Organisation,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    created: service.NewAccount | None = None,
    status: int = 200,
    fragment: str | None = None,
) -> Response:
    actor = current_actor()
    return render_page(
        "pages/admin/show_organisation.html",
        org_stand_ins=standins.of_organisation(db.session, org.id),
        can_name_stand_in=actor.is_staff and actor.org_id == org.id and actor.stand_in_for is None,
        fragment=fragment,
        status=status,
        org=org,
        staff=service.staff_of(db.session, org.id, include_ended=True),
        errors=errors or {},
        form=form or {},
        created=created,
        roles=[StaffRole.HANDLER, StaffRole.LEADER],
    )


@bp.get("/orgs/<int:org_id>")
@staff_required(roles=ALL_STAFF)
def show_organisation(org_id: int) -> Response:
    org = service.get_manageable_org(db.session, current_actor(), org_id)
    return _staff_page(org)


@bp.post("/orgs/<int:org_id>/staff")
@staff_required(roles=ALL_STAFF)
def add_staff(org_id: int) -> Response:
    actor = current_actor()
    org = service.get_manageable_org(db.session, actor, org_id)
    person = form_input(service.PersonInput)
    replaces = id_field("replaces")
    try:
        created = service.add_staff(
            db.session,
            actor,
            org.id,
            person,
            request.form.get("role", ""),
            now(),
            replace_membership_id=replaces,
        )
    except ValidationFailed as invalid:
        db.session.rollback()
        return _staff_page(
            org, errors=invalid.fields, form=request.form.to_dict(), status=422, fragment="staff_form"
        )
    db.session.commit()
    # The first password is shown once, in this response, never stored in a cookie or URL.
    return hx_trigger(_staff_page(org, created=created, fragment="staff_form"), "staff-changed")


@bp.post("/memberships/<int:membership_id>/end")
@staff_required(roles=ALL_STAFF)
def end_membership(membership_id: int) -> Response:
    try:
        membership = service.end_membership(db.session, current_actor(), membership_id, now())
    except NotFound:
        db.session.rollback()  # another tenant's id reads exactly like a missing one: 404
        raise
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return see_other(referrer_target(url_for("auth.home")))
    db.session.commit()
    flash("岗位已撤销（历史记录保留）", "success")
    return see_other(url_for("admin.show_organisation", org_id=membership.org_id))


@bp.post("/orgs/<int:org_id>/stand-ins")
@staff_required(roles=(StaffRole.HANDLER, StaffRole.LEADER))
def name_stand_in(org_id: int) -> Response:
    actor = current_actor()
    org = service.get_manageable_org(db.session, actor, org_id)
    try:
        standins.name_stand_in(
            db.session,
            actor,
            id_field("substitute_id") or 0,
            request.form.get("starts_on", ""),
            request.form.get("ends_on", ""),
            now(),
        )
    except NotFound:
        db.session.rollback()  # another tenant's id reads exactly like a missing one: 404
        raise
    except (ValidationFailed, DomainError) as refused:
        db.session.rollback()
        errors = (
            refused.fields if isinstance(refused, ValidationFailed) else {"substitute_id": refused.message}
        )
        return _staff_page(org, errors=errors, form=request.form.to_dict(), status=422)
    db.session.commit()
    flash("代理安排已保存；代理人可在页面顶部切换为代理身份办理", "success")
    return see_other(url_for("admin.show_organisation", org_id=org.id))


@bp.post("/stand-ins/<int:stand_in_id>/revoke")
@staff_required(roles=(StaffRole.HANDLER, StaffRole.LEADER))
def revoke_stand_in(stand_in_id: int) -> Response:
    stand_in = standins.revoke_stand_in(db.session, current_actor(), stand_in_id, now())
    db.session.commit()
    flash("代理安排已撤销", "success")
    return see_other(url_for("admin.show_organisation", org_id=stand_in.membership.org_id))
