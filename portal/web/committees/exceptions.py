"""送评例外 (CHAN-01, Zhenjiang's 003 四): the bureau admin's list of applications that one committee a year
holds back, and the exception recorded for one of them with a written reason (services.committee_exceptions);
the rule's clause is the bureau's profile's, none where its notice states none."""

from __future__ import annotations

from flask import Response, request, url_for

from portal.domain.i18n import N_
from portal.domain.text import LIMITS
from portal.extensions import db
from portal.models import OrgKind, StaffRole
from portal.services import committee_exceptions as service
from portal.web import steps
from portal.web.committees import bp
from portal.web.context import current_actor, now
from portal.web.guards import staff_required
from portal.web.htmx import render_page

ADMIN = (StaffRole.ADMIN,)


def _page(*, errors: dict[str, str] | None = None, failed: int | None = None, status: int = 200) -> Response:
    return render_page(
        "pages/committees/list_exceptions.html",
        status=status,
        rows=service.exception_rows(db.session, current_actor(), now()),
        errors=errors or {},
        failed=failed,  # the row whose form comes back with its errors (and its reason as typed)
        form=request.form.to_dict() if request.method == "POST" else {},
        limit=LIMITS["exception_reason"],
        clause=service.admins_clause(db.session, current_actor()),  # the bureau's own notice's, or ""
    )


@bp.get("/exceptions")
@staff_required(OrgKind.BUREAU, roles=ADMIN)
def list_exceptions() -> Response:
    return _page()


@bp.post("/exceptions/<int:application_id>")
@staff_required(OrgKind.BUREAU, roles=ADMIN)
def record_exception(application_id: int) -> Response:
    """One application's exception, with its reason (audited by the service)."""
    return steps.run_step(
        lambda: service.record_exception(
            db.session, current_actor(), application_id, request.form.get("reason", ""), now()
        ),
        back=url_for("committees.list_exceptions"),
        page_with_errors=lambda errors: _page(errors=errors, failed=application_id, status=422),
        done=N_("已登记例外：该申报可由人社局领导送评委会评审"),
    )
