"""The bureau admin's 受理批次 screens (issue #5): the profile the bureau follows, its windows (this year's
from the policy file, next year's entered here), rest-day closings flagged, authority contacts, and the
written filing of a self-review unit's window (SCOPE-13, WIN-02 001 一) without which it does not open."""

from __future__ import annotations

from flask import Response, request, url_for

from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_, T_
from portal.domain.policy import LEVELS
from portal.extensions import db
from portal.services import policies as service
from portal.web import steps
from portal.web.admin import bp
from portal.web.context import current_actor, now
from portal.web.forms import as_id, form_input
from portal.web.guards import admin_required
from portal.web.htmx import hx_trigger, render_page, see_other
from portal.web.i18n import notify


def _page(
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    contact_errors: dict[str, str] | None = None,
    contact_form: dict[str, str] | None = None,
    editing: int | None = None,
    filing: int | None = None,
    filing_batch: tuple[str, str] | None = None,
    filing_errors: dict[str, str] | None = None,
    filing_form: dict[str, str] | None = None,
    status: int = 200,
    fragment: str | None = None,
) -> Response:
    view = service.overview(db.session, current_actor(), now())
    return render_page(
        "pages/admin/show_policy.html",
        fragment=fragment,
        status=status,
        view=view,
        errors=errors or {},
        form=form or {},
        contact_errors=contact_errors or {},
        contact_form=contact_form or {},
        editing=editing,
        filing=next(
            (
                w
                for w in view.windows
                if (filing and w.admin_row_id == filing and w.self_review)
                or (w.in_file and (w.window.batch_id, w.window.authority) == filing_batch)
            ),
            None,
        ),
        filing_errors=filing_errors or {},
        filing_form=filing_form or {},
        levels=LEVELS,
    )


def _window_form() -> dict[str, str]:
    form = request.form.to_dict()
    form["levels"] = ",".join(request.form.getlist("levels"))
    return form


@bp.get("/policy")
@admin_required
def show_policy() -> Response:
    editing = as_id(request.args.get("edit"))
    form: dict[str, str] = {}
    if editing is not None:
        view = service.overview(db.session, current_actor(), now())
        row = next((r for r in view.rows if r.id == editing), None)
        if row is not None:
            form = {
                "batch_id": row.batch_id,
                "batch_name": row.name,
                "authority": row.authority,
                "levels": row.levels,
                "opens": row.opens.isoformat(),
                "closes": row.closes.isoformat(),
                "cutoff": row.cutoff.isoformat() if row.cutoff else "",
                "citation": row.citation,
                "note": row.note,
            }
        else:
            editing = None
    in_file = (request.args.get("filing_batch", ""), request.args.get("filing_authority", ""))
    return _page(form=form, editing=editing, filing=as_id(request.args.get("filing")), filing_batch=in_file)


@bp.post("/policy/profile")
@admin_required
def set_policy_profile() -> Response:
    try:
        service.set_profile(db.session, current_actor(), request.form.get("policy_profile", ""), now())
    except ValidationFailed as invalid:
        return steps.refused(url_for("admin.show_policy"), invalid)
    notify(N_("政策配置已保存"), "success")
    return see_other(url_for("admin.show_policy"))


def _save_window(window_id: int | None) -> Response:
    form = _window_form()
    data = form_input(service.WindowInput, levels=form["levels"])
    try:
        row = service.save_window(db.session, current_actor(), data, now(), window_id=window_id)
    except ValidationFailed as invalid:
        return _page(errors=invalid.fields, form=form, editing=window_id, status=422, fragment="window_form")
    notify(
        T_("已保存受理批次：%(name)s（%(start)s至%(end)s）", name=row.name, start=row.opens, end=row.closes),
        "success",
    )
    status = next(
        (w for w in service.overview(db.session, current_actor(), now()).windows if w.admin_row_id == row.id),
        None,
    )
    if status is not None and status.closes_on_rest_day:
        if status.last_workday:
            notify(
                T_(
                    "注意：截止日 %(day)s 是休息日，受理期内最后一个工作日为%(last)s",
                    day=row.closes,
                    last=status.last_workday,
                ),
                "error",
            )
        else:
            notify(T_("注意：截止日 %(day)s 是休息日", day=row.closes), "error")
    if status is not None and status.awaits_filing:
        notify(N_("本批次属自主评审单位：录入其向同级职称部门的书面报备后才开放受理"), "error")
    return hx_trigger(see_other(url_for("admin.show_policy")), "windows-changed")


@bp.post("/policy/windows")
@admin_required
def create_policy_window() -> Response:
    return _save_window(None)


@bp.post("/policy/windows/<int:window_id>")
@admin_required
def update_policy_window(window_id: int) -> Response:
    return _save_window(window_id)


@bp.post("/policy/windows/<int:window_id>/delete")
@admin_required
def delete_policy_window(window_id: int) -> Response:
    return steps.run_step(
        lambda: service.delete_window(db.session, current_actor(), window_id, now()),
        back=url_for("admin.show_policy"),
        done=N_("已删除该受理批次"),
    )


@bp.post("/policy/windows/<int:window_id>/filing")
@admin_required
def record_window_filing(window_id: int) -> Response:
    def again(fields: dict[str, str]) -> Response:
        form = request.form.to_dict()
        return _page(
            filing=window_id, filing_errors=fields, filing_form=form, status=422, fragment="filing_form"
        )

    return steps.run_step(
        lambda: service.record_filing(
            db.session, current_actor(), window_id, form_input(service.FilingInput), now()
        ),
        back=url_for("admin.show_policy"),
        then=url_for("admin.show_policy") + "#policy-windows",
        done=lambda row: T_("已录入书面报备：%(name)s自%(start)s起开放受理", name=row.name, start=row.opens),
        page_with_errors=again,
    )


@bp.post("/policy/filings")
@admin_required
def record_profile_filing() -> Response:
    """The filing of a self-review unit's window written in the profile's file (no row of the bureau yet):
    the service keeps it on a row of this bureau copying the window."""
    batch_id, authority = request.form.get("batch_id", ""), request.form.get("authority", "")

    def again(fields: dict[str, str]) -> Response:
        return _page(
            filing_batch=(batch_id, authority),
            filing_errors=fields,
            filing_form=request.form.to_dict(),
            status=422,
            fragment="filing_form",
        )

    return steps.run_step(
        lambda: service.record_profile_filing(
            db.session, current_actor(), batch_id, authority, form_input(service.FilingInput), now()
        ),
        back=url_for("admin.show_policy"),
        then=url_for("admin.show_policy") + "#policy-windows",
        done=lambda row: T_("已录入书面报备：%(name)s自%(start)s起开放受理", name=row.name, start=row.opens),
        page_with_errors=again,
    )


@bp.post("/policy/contacts")
@admin_required
def save_authority_contact() -> Response:
    data = form_input(service.ContactInput)
    try:
        service.save_contact(db.session, current_actor(), data, now())
    except ValidationFailed as invalid:
        return _page(
            contact_errors=invalid.fields,
            contact_form=request.form.to_dict(),
            status=422,
            fragment="contact_form",
        )
    notify(N_("认定机构联系方式已保存"), "success")
    return see_other(url_for("admin.show_policy") + "#authorities")
