"""The working-day calendar screens for bureau admins: years, holidays, 调休, import, and the convention."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, request, url_for

from portal.domain.errors import ValidationFailed
from portal.domain.glossary import cn_date
from portal.extensions import db
from portal.services import calendar as service
from portal.web.admin import bp
from portal.web.context import current_actor, now
from portal.web.guards import admin_required
from portal.web.htmx import render_page, see_other
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
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        return _page(
            year, errors={"day": "请填写日期，例如 2027-01-01"}, form=request.form.to_dict(), status=422
        )
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
    flash(f"已录入 {cn_date(day)}", "success")
    return see_other(url_for("admin.show_calendar", year=day.year))


@bp.post("/calendar/days/<day>/delete")
@admin_required
def remove_calendar_day(day: str) -> Response:
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return _page(_year(), status=404)
    service.remove_day(db.session, current_actor(), parsed, now())
    flash(f"已删除 {cn_date(parsed)} 的录入", "success")
    return see_other(url_for("admin.show_calendar", year=parsed.year))


@bp.post("/calendar/years/<int(min=2000, max=2100):year>/confirm")  # as _year() accepts
@admin_required
def confirm_calendar_year(year: int) -> Response:
    try:
        service.confirm_year(db.session, current_actor(), year, request.form.get("source_ref", ""), now())
    except ValidationFailed as invalid:
        return _page(year, errors=invalid.fields, form=request.form.to_dict(), status=422)
    flash(f"{year}年工作日历已确认，可用于计算公示期", "success")
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
    flash(f"已导入 {count} 天，请核对后确认该年度", "success")
    return see_other(url_for("admin.show_calendar", year=year))


@bp.post("/calendar/convention")
@admin_required
def set_calendar_convention() -> Response:
    service.set_start_counts(db.session, current_actor(), request.form.get("start_counts") == "1", now())
    flash("公示期计算口径已保存", "success")
    return see_other(url_for("admin.show_calendar", year=_year()))
