"""The audit viewer for bureau admins: filters in the URL, keyset pages, and the same rows as Excel."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request, url_for

from portal.domain import audit_words
from portal.domain.errors import ValidationFailed
from portal.extensions import db
from portal.services import audit_trail as service
from portal.web.admin import bp
from portal.web.context import current_actor, now
from portal.web.downloads import send_bytes
from portal.web.forms import as_id, form_input
from portal.web.guards import admin_required
from portal.web.htmx import render_page
from portal.web.i18n import translate_plain
from portal.web.steps import refused


def _filters() -> service.AuditQuery:
    return form_input(
        service.AuditQuery,
        **{f: request.args.get(f, "")[:100] for f in service.AuditQuery.__dataclass_fields__},
    )


@bp.get("/audit")
@admin_required
def list_audit_events() -> Response:
    filters = _filters()
    actor = current_actor()
    errors: dict[str, str] = {}
    try:
        rows, next_before = service.page(db.session, actor, filters, before=as_id(request.args.get("before")))
    except ValidationFailed as invalid:  # named by its field, and no rows: not the whole log unfiltered
        rows, next_before, errors = [], None, invalid.fields
    options = service.filter_options(db.session, actor)
    return render_page(
        "pages/admin/list_audit_events.html",
        fragment="rows",
        status=422 if errors else 200,
        errors=errors,
        filters=filters,
        rows=rows,
        next_before=next_before,
        actions=_choices(options.actions, audit_words.action_title, filters.action),
        object_types=_choices(options.object_types, audit_words.object_type_title, filters.object_type),
        outcomes=service.OUTCOMES,
        words=audit_words,
        actor_label=service.actor_label,  # 系统 or 未登录 for an event with no user behind it
    )


def _choices(
    codes: list[str], title_of: Callable[[str], str | None], chosen: str
) -> list[tuple[str, str, bool]]:
    """A filter's options: each recorded code (an action, a kind of object) by its name in the reader's
    language, in the order of those names; a code nobody names any more keeps its code (marked, as it is no
    word of the language). The filter's value stays chosen after the submit even where no row of the
    admin's has it (typed into the URL, or gone): listed as written, the list does not claim 全部."""
    chosen = chosen.strip()
    choices = []
    for code in [*codes, *([chosen] if chosen and chosen not in codes else [])]:
        title = title_of(code)
        choices.append((code, str(translate_plain(title)) if title else code, title is not None))
    return sorted(choices, key=lambda choice: (not choice[2], choice[1]))


@bp.post("/audit.xlsx")
@admin_required
def export_audit_events() -> Response:
    moment = now()
    filters = _filters()
    try:
        data = service.export_xlsx(db.session, current_actor(), filters, moment)
    except ValidationFailed as invalid:
        return refused(url_for("admin.list_audit_events", **filters.as_args()), invalid)
    return send_bytes(
        data,
        f"审计日志-{moment:%Y%m%d-%H%M}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
