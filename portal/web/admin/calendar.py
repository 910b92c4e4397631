"""The working-day calendar screens for bureau admins: years, holidays, 调休, import, and the convention."""

from __future__ import annotations

from datetime import date

from flask import Response, request, url_for

from portal.domain.dates import read_day
from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_, NT_, T_
from portal.extensions import db
from portal.services import calendar as service
from portal.web.admin import bp
from portal.web.context import current_actor, now
from portal.web.guards import admin_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.storage import uploaded_file


def _year() -> int:
    year = request.values.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else service.today(now()).year


def _page(
    year: int, *, errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    this_year = service.today(now()).year
    return render_page(
        "pages/admin/show_calendar.html",
        status=status,
        view=service.year_view(db.session, year),
        years=list(range(this_year - 1, this_year + 3)),
        missing=service.missing_next_year(db.session, now()),
        start_counts=service.start_counts(db.session),
        errors=errors or {},
        form=form or {},
    )


@bp.get("/calendar")
@admin_required
def show_calendar() -> Response:
    return _page(_year())


@bp.post("/calendar/days")
@admin_required
def add_calendar_day() -> Response:
    year = _year()
    day, problem = read_day(request.form.get("day", ""), N_("请填写日期，例如 2027-01-01"))
    if day is None:
        return _page(year, errors={"day": problem}, form=request.form.to_dict(), status=422)
    try:
        service.add_day(
            db.session,
            current_actor(),
            day,
            request.form.get("kind", ""),
            request.form.get("name", ""),
            now(),
        )
    except ValidationFailed as invalid:
        return _page(year, errors=invalid.fields, form=request.form.to_dict(), status=422)
    notify(T_("已录入 %(day)s", day=day), "success")
    return see_other(url_for("admin.show_calendar", year=day.year))


@bp.post("/calendar/days/<day>/delete")
@admin_required
def remove_calendar_day(day: str) -> Response:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return _page(_year(), status=404)
    service.remove_day(db.session, current_actor(), parsed, now())
    notify(T_("已删除 %(day)s 的录入", day=parsed), "success")
    return see_other(url_for("admin.show_calendar", year=parsed.year))


@bp.post("/calendar/years/<int(min=2000, max=2100):year>/confirm")  # as _year() accepts
@admin_required
def confirm_calendar_year(year: int) -> Response:
    try:
        service.confirm_year(db.session, current_actor(), year, request.form.get("source_ref", ""), now())
    except ValidationFailed as invalid:
        return _page(year, errors=invalid.fields, form=request.form.to_dict(), status=422)
    notify(T_("%(year)s年工作日历已确认，可用于计算公示期", year=year), "success")
    return see_other(url_for("admin.show_calendar", year=year))


@bp.post("/calendar/import")
@admin_required
def import_calendar() -> Response:
    year = _year()
    part = uploaded_file("file")
    try:
        count = service.import_file(
            db.session, current_actor(), part.data if part else b"", part.name if part else "", now()
        )
    except ValidationFailed as invalid:
        return _page(year, errors=invalid.fields, status=422)
    notify(
        NT_("已导入 %(num)d 天，请核对后确认该年度", "已导入 %(num)d 天，请核对后确认该年度", count),
        "success",
    )
    return see_other(url_for("admin.show_calendar", year=year))


@bp.post("/calendar/convention")
@admin_required
def set_calendar_convention() -> Response:
    service.set_start_counts(db.session, current_actor(), request.form.get("start_counts") == "1", now())
    notify(N_("公示期计算口径已保存"), "success")
    return see_other(url_for("admin.show_calendar", year=_year()))
