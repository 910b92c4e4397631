"""自行注册账号 (ACC-04): the bureau admin's list of the bureau's self-registered accounts no unit attached
yet, with a search, and the void of one with a written reason (services.registration_voids)."""

from __future__ import annotations

from flask import Response, request, url_for

from portal.domain.i18n import N_
from portal.domain.text import LIMITS
from portal.extensions import db
from portal.services import registration_voids as service
from portal.web import steps
from portal.web.admin import bp
from portal.web.context import current_actor, now
from portal.web.forms import as_id
from portal.web.guards import admin_required
from portal.web.htmx import render_page


def _query() -> str:
    return request.args.get("q", "")[:100]


def _page(*, errors: dict[str, str] | None = None, failed: int | None = None, status: int = 200) -> Response:
    q, before = _query(), as_id(request.args.get("before"))
    listing = service.waiting_registrations(db.session, current_actor(), q=q, before=before)
    return render_page(
        "pages/admin/list_registrations.html",
        status=status,
        rows=listing.rows,
        next_before=listing.next_before,
        q=q,
        before=before,  # with q: where a void's form posts, so a refused one comes back to the same rows
        errors=errors or {},
        failed=failed,  # the row whose form comes back with its errors (and its reason as typed)
        form=request.form.to_dict() if request.method == "POST" else {},
        limit=LIMITS["void_reason"],
    )


@bp.get("/registrations")
@admin_required
def list_registrations() -> Response:
    return _page()


@bp.post("/registrations/<int:account_id>/void")
@admin_required
def void_registration(account_id: int) -> Response:
    """One registration voided, with its reason (audited by the service)."""
    back = url_for(
        "admin.list_registrations", q=_query() or None, before=as_id(request.args.get("before")) or None
    )
    return steps.run_step(
        lambda: service.void_registration(
            db.session, current_actor(), account_id, request.form.get("reason", ""), now()
        ),
        back=back,
        page_with_errors=lambda errors: _page(errors=errors, failed=account_id, status=422),
        done=N_("已作废该注册：账号不能再登录，其证件号码和手机号可以重新注册或由单位开设账号"),
    )
