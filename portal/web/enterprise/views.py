"""Enterprise HR: starting applications (accounts: accounts.py; bulk files and rosters: uploads.py)."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for

from portal.domain.errors import ValidationFailed
from portal.extensions import db
from portal.models import OrgKind
from portal.services import applications as service
from portal.web.context import current_actor, now
from portal.web.forms import form_input
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other

bp = Blueprint("enterprise", __name__, url_prefix="/enterprise")

SERIES_SUGGESTIONS = (
    "工程",
    "经济",
    "会计",
    "统计",
    "卫生",
    "农业",
    "中小学教师",
    "工艺美术",
    "新闻",
    "档案",
)


@bp.get("/applicants/<int:user_id>/applications/new")
@staff_required(OrgKind.ENTERPRISE)
def new_application(user_id: int) -> Response:
    return render_page(
        "pages/enterprise/new_application.html",
        errors={},
        form={"applicant_id": str(user_id)},
        applicants=service.applicants_of(db.session, current_actor()),
        levels=service.LEVELS,
        series_options=SERIES_SUGGESTIONS,
    )


@bp.post("/applications")
@staff_required(OrgKind.ENTERPRISE)
def start_application() -> Response:
    data = form_input(service.StartInput, applicant_id=request.form.get("applicant_id", type=int) or 0)
    try:
        service.start_application(db.session, current_actor(), data, now())
    except ValidationFailed as invalid:
        db.session.rollback()
        return render_page(
            "pages/enterprise/new_application.html",
            status=422,
            errors=invalid.fields,
            form=request.form.to_dict(),
            applicants=service.applicants_of(db.session, current_actor()),
            levels=service.LEVELS,
            series_options=SERIES_SUGGESTIONS,
        )
    db.session.commit()
    return see_other(url_for("enterprise.list_applicants"))
