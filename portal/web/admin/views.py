"""Organisations and staff: the bureau admin builds the tree; admins manage the staff of their organisation
and of those below it (the rulebook lives in portal.domain.staffing, applied by portal.services.staff)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, request, url_for

from portal.domain.accounts import OWN_DOCUMENTS
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_
from portal.extensions import db
from portal.models import OrgKind, Ownership, StaffChange, StaffRole
from portal.services import organisations as service
from portal.services import staff, staffing, standins
from portal.services.actors import Actor
from portal.services.organisations import NewAccount, PersonInput
from portal.web import steps
from portal.web.admin import bp
from portal.web.context import current_actor, now
from portal.web.forms import form_input, id_field
from portal.web.guards import admin_required, staff_required
from portal.web.htmx import hx_trigger, render_page, see_other
from portal.web.i18n import notify
from portal.web.once import once_per_form
from portal.web.unit_of_work import discard

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
        can_create=actor.is_admin,
    )


@bp.get("/orgs")
@staff_required(roles=(StaffRole.ADMIN,))
def list_organisations() -> Response:
    """Every admin: their organisation and those below it (staff links); the bureau's also creates them."""
    return _organisations_page()


@bp.post("/orgs")
@admin_required
def create_organisation() -> Response:
    data = form_input(service.OrganisationInput, parent_id=id_field("parent_id"))
    try:
        org = service.create_organisation(db.session, current_actor(), data, now())
    except ValidationFailed as invalid:
        return _organisations_page(
            errors=invalid.fields, form=request.form.to_dict(), status=422, fragment="create_form"
        )
    notify(
        T_("已创建%(kind)s：%(name)s，请为其添加经办人和领导", kind=org.org_kind.title, name=org.name),
        "success",
    )
    return see_other(url_for("admin.show_organisation", org_id=org.id))


# The 证件类型 of the 添加人员 form: HR's applicant form's documents but a passport (services.staff).
STAFF_DOCUMENTS = [(kind.value, kind.title) for kind in OWN_DOCUMENTS]


def _staff_page(
    org_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    added: staff.Added | None = None,
    reset: NewAccount | None = None,
    status: int = 200,
    fragment: str | None = None,
    also: tuple[str, ...] = (),
) -> Response:
    actor = current_actor()
    page = staff.staff_page(db.session, actor, org_id)
    return render_page(
        "pages/admin/show_organisation.html",
        org_stand_ins=standins.of_organisation(db.session, org_id),
        can_name_stand_in=actor.is_staff and actor.org_id == org_id and actor.stand_in_for is None,
        fragment=fragment,
        also=also,
        status=status,
        org=page.org,
        page=page,
        staff=[row.membership for row in page.rows],
        can_send_onward=service.has_both_signers([row.membership for row in page.rows]),
        # The cases it holds that its staff cannot move, and what to do (services.staffing).
        stuck=staffing.held_without_staff(db.session, page.org.id, now()),
        errors=errors or {},
        form=form or {},
        added=added,
        reset=reset,
        document_types=STAFF_DOCUMENTS,
    )


@bp.get("/orgs/<int:org_id>")
@staff_required(roles=ALL_STAFF)
def show_organisation(org_id: int) -> Response:
    return _staff_page(org_id)


@bp.post("/orgs/<int:org_id>/staff")
@staff_required(roles=ALL_STAFF)
def add_staff(org_id: int) -> Response:
    """Only admins of the organisation or above (the rulebook, services.staff); 404 where the actor cannot
    see the organisation, 403 where they see it but may not manage it."""
    try:
        added = staff.add_staff(
            db.session,
            current_actor(),
            org_id,
            form_input(PersonInput),
            request.form.get("role", ""),
            now(),
            replace_membership_id=id_field("replaces"),
        )
    except (NotFound, PermissionDenied):
        raise
    except DomainError as refused:
        errors = refused.fields if isinstance(refused, ValidationFailed) else {"__all__": refused.message}
        return _staff_page(
            org_id, errors=errors, form=request.form.to_dict(), status=422, fragment="staff_form"
        )
    # The first password is shown once, in this response, never stored in a cookie or URL. The list above
    # the form comes with it (out of band): the person just added is listed without a reload.
    page = _staff_page(org_id, added=added, fragment="staff_form", also=("staff_list",))
    return hx_trigger(page, "staff-changed")


def _back_to_staff(org_id: int) -> Response:
    return see_other(url_for("admin.show_organisation", org_id=org_id) + "#staff-changes")


def _refused(refused: DomainError, org_id: int | None) -> Response:
    notify(refused.message, "error")
    if org_id is None:
        return discard(see_other(url_for("auth.home")))
    return discard(_back_to_staff(org_id))


@bp.post("/memberships/<int:membership_id>/end")
@staff_required(roles=ALL_STAFF)
def end_membership(membership_id: int) -> Response:
    """A handler's role ends at once; one's own, a leader's or an admin's waits for a second admin."""
    try:
        ended = staff.end_membership(db.session, current_actor(), membership_id, now())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as refused:
        return _refused(refused, staff.org_of_membership(db.session, membership_id))
    name, role = ended.membership.user.name, ended.membership.staff_role.title
    if ended.pending:
        notify(
            T_("已提出撤销%(name)s的%(role)s岗位，须由另一名管理员确认后生效", name=name, role=role),
            "success",
        )
    else:
        notify(T_("已撤销%(name)s的%(role)s岗位（历史记录保留）", name=name, role=role), "success")
    return _back_to_staff(ended.membership.org_id)


def _staff_url(org_id: int, anchor: str) -> str:
    return url_for("admin.show_organisation", org_id=org_id) + anchor


def _membership_org(membership_id: int) -> int:
    """The organisation of a membership whose password this admin may reset (404/403 otherwise)."""
    return staff.membership_to_reset(db.session, current_actor(), membership_id)[1].id


def _expert_office(expert_id: int) -> int:
    """The office of an expert whose password this admin may reset (404/403 otherwise)."""
    return staff.expert_to_manage(db.session, current_actor(), expert_id)[1].id


def _reset_and_show(reset: Callable[[], NewAccount], org_id: int, anchor: str) -> Response:
    """The staff page with the new first password's slip (this response only), or the refusal flashed
    on it (the service audited it)."""
    try:
        account = reset()
    except DomainError as refused:
        return steps.refused(_staff_url(org_id, anchor), refused)
    return _staff_page(org_id, reset=account)


@bp.post("/memberships/<int:membership_id>/password")
@staff_required(roles=ALL_STAFF)
@once_per_form(
    lambda membership_id: _staff_url(_membership_org(membership_id), "#staff"),
    load=lambda membership_id: staff.membership_to_reset(db.session, current_actor(), membership_id),
)
def reset_staff_password(membership_id: int) -> Response:
    """A staff member forgot their password: a new first password, shown once in this response (never in
    a cookie, a URL or a log), every session of the account ended. One per rendered form (a double click
    resets once); a refusal is flashed on the staff page (the service audited it)."""
    return _reset_and_show(
        lambda: staff.reset_staff_password(db.session, current_actor(), membership_id, now()),
        _membership_org(membership_id),
        "#staff",
    )


@bp.post("/experts/<int:expert_id>/password")
@staff_required(roles=(StaffRole.ADMIN,))
@once_per_form(
    lambda expert_id: _staff_url(_expert_office(expert_id), "#experts"),
    load=lambda expert_id: staff.expert_to_manage(db.session, current_actor(), expert_id),
)
def reset_expert_password(expert_id: int) -> Response:
    """An expert of a committee's pool forgot their password: its office's admin (or one above it) gives a
    new first password, as for staff (`reset_staff_password`), from the office's staff page."""
    return _reset_and_show(
        lambda: staff.reset_expert_password(db.session, current_actor(), expert_id, now()),
        _expert_office(expert_id),
        "#experts",
    )


def _decide(
    decide: Callable[[Any, Actor, int, datetime], StaffChange],
    change_id: int,
    done: Callable[[StaffChange], str],
) -> Response:
    try:
        change = decide(db.session, current_actor(), change_id, now())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as refused:
        return _refused(refused, staff.org_of_change(db.session, change_id))
    notify(done(change), "success")
    return _back_to_staff(change.org_id)


@bp.post("/staff-changes/<int:change_id>/confirm")
@staff_required(roles=(StaffRole.ADMIN,))
def confirm_staff_change(change_id: int) -> Response:
    """The second admin confirms a request to end a role; never the admin who asked."""
    return _decide(
        staff.confirm_change,
        change_id,
        lambda c: T_(
            "已确认：%(name)s的%(role)s岗位已撤销",
            name=c.membership.user.name,
            role=c.membership.staff_role.title,
        ),
    )


@bp.post("/staff-changes/<int:change_id>/cancel")
@staff_required(roles=(StaffRole.ADMIN,))
def cancel_staff_change(change_id: int) -> Response:
    """The admin who asked, or one who could confirm, withdraws the request; the role stays."""
    return _decide(staff.cancel_change, change_id, lambda c: N_("已取消撤销岗位的请求，岗位保留"))


@bp.post("/orgs/<int:org_id>/stand-ins")
@staff_required(roles=(StaffRole.HANDLER, StaffRole.LEADER))
def name_stand_in(org_id: int) -> Response:
    actor = current_actor()
    org = staff.viewable_org(db.session, actor, org_id)
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
        raise
    except (ValidationFailed, DomainError) as refused:
        errors = (
            refused.fields if isinstance(refused, ValidationFailed) else {"substitute_id": refused.message}
        )
        return _staff_page(org.id, errors=errors, form=request.form.to_dict(), status=422)
    notify(N_("代理安排已保存；代理人可在页面顶部切换为代理身份办理"), "success")
    return see_other(url_for("admin.show_organisation", org_id=org.id))


@bp.post("/stand-ins/<int:stand_in_id>/revoke")
@staff_required(roles=(StaffRole.HANDLER, StaffRole.LEADER))
def revoke_stand_in(stand_in_id: int) -> Response:
    stand_in = standins.revoke_stand_in(db.session, current_actor(), stand_in_id, now())
    notify(N_("代理安排已撤销"), "success")
    return see_other(url_for("admin.show_organisation", org_id=stand_in.membership.org_id))
