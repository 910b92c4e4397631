"""Enterprise HR: applicant accounts (created here, password shown once) and starting applications."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for

from portal.domain.errors import ValidationFailed
from portal.extensions import db
from portal.models import OrgKind
from portal.services import applications as service
from portal.services.organisations import PersonInput
from portal.web.context import current_actor, now
from portal.web.forms import form_input
from portal.web.guards import staff_required
from portal.web.htmx import hx_trigger, render_page, see_other

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


def _applicants_page(
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    created: service.NewAccount | None = None,
    status: int = 200,
    fragment: str | None = "create_form",
) -> Response:
    actor = current_actor()
    return render_page(
        "pages/enterprise/list_applicants.html",
        fragment=fragment,
        status=status,
        applicants=service.applicants_of(db.session, actor),
        errors=errors or {},
        form=form or {},
        created=created,
    )


@bp.get("/applicants")
@staff_required(OrgKind.ENTERPRISE)
def list_applicants() -> Response:
    return _applicants_page(fragment=None)


@bp.post("/applicants")
@staff_required(OrgKind.ENTERPRISE)
def create_applicant() -> Response:
    person = form_input(PersonInput)
    try:
        created = service.create_applicant(db.session, current_actor(), person, now())
    except ValidationFailed as invalid:
        db.session.rollback()
        return _applicants_page(errors=invalid.fields, form=request.form.to_dict(), status=422)
    db.session.commit()
    # The first password is shown once, in this response; it is never stored in a cookie or URL.
    return hx_trigger(_applicants_page(created=created), "applicants-changed")


@bp.get("/applicants/<int:user_id>/applications/new")
@staff_required(OrgKind.ENTERPRISE)
def new_application(user_id: int) -> Response:
    applicants = service.applicants_of(db.session, current_actor())
    if not any(applicant.id == user_id for applicant in applicants):
        abort(404)  # another employer's applicant reads exactly like a missing one
    return render_page(
        "pages/enterprise/new_application.html",
        errors={},
        form={"applicant_id": str(user_id)},
        applicants=applicants,
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
