"""Enterprise HR: starting applications (accounts: accounts.py; bulk files and rosters: uploads.py)."""

from __future__ import annotations

from flask import Response, abort, request, url_for

from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_
from portal.domain.policy import EDUCATION_LEVELS, LEVELS, PATHWAYS
from portal.extensions import db
from portal.models import Organisation, OrgKind
from portal.services import applications as service
from portal.services import eligibility, organisations, policies
from portal.web import series
from portal.web.context import current_actor, now
from portal.web.enterprise import bp
from portal.web.forms import form_input, id_field
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify


def _enterprise() -> Organisation | None:
    return organisations.own_organisation(db.session, current_actor())


def _start_page(form: dict[str, str], errors: dict[str, str] | None = None, status: int = 200) -> Response:
    profile = policies.effective_profile(db.session, policies.bureau_of(_enterprise()))
    if profile is not None and not form.get("pathway"):
        form = {**form, "pathway": profile.pathway_names[0]}
    return render_page(
        "pages/enterprise/new_application.html",
        status=status,
        errors=errors or {},
        form=form,
        applicants=service.applicants_of(db.session, current_actor()),
        levels=service.LEVELS,
        series_options=series.suggestions(),
        pathways=PATHWAYS,
        profile=profile,
    )


@bp.get("/applicants/<int:user_id>/applications/new")
@staff_required(OrgKind.ENTERPRISE)
def new_application(user_id: int) -> Response:
    if not any(applicant.id == user_id for applicant in service.applicants_of(db.session, current_actor())):
        abort(404)  # another employer's applicant reads exactly like a missing one
    return _start_page({"applicant_id": str(user_id)})


@bp.post("/applications")
@staff_required(OrgKind.ENTERPRISE)
def start_application() -> Response:
    data = form_input(
        service.StartInput,
        applicant_id=id_field("applicant_id") or 0,
        series=request.form.get("series", ""),
    )
    try:
        application = service.start_application(db.session, current_actor(), data, now())
    except ValidationFailed as invalid:
        return _start_page(request.form.to_dict(), invalid.fields, 422)
    # To the new draft (where HR may also fill the form in for the applicant), told what comes next.
    notify(N_("申报已创建，申报人登录后即可填写申报表并提交"), "success")
    return see_other(url_for("review.show_application", application_id=application.id))


@bp.get("/eligibility-check")
@staff_required(OrgKind.ENTERPRISE)
def check_eligibility() -> Response:
    """HR's dry run for a candidate without an account: findings and the earliest batch. Nothing is
    stored, so it is a GET whose URL can be bookmarked or shared."""
    form = request.args.to_dict()
    result = None
    errors: dict[str, str] = {}
    status = 200
    if form:
        data = eligibility.DryRunInput(
            **{f: form.get(f, "") for f in eligibility.DryRunInput.__dataclass_fields__}
        )
        try:
            result = eligibility.dry_run(db.session, current_actor(), data, now())
            form["series"] = result.series  # the form comes back with the name the rules compared
        except ValidationFailed as invalid:
            errors, status = invalid.fields, 422
    enterprise = _enterprise()
    if not form:  # the first view preselects the bureau's own pathway, as 发起申报 does
        profile = policies.effective_profile(db.session, policies.bureau_of(enterprise))
        form = {"pathway": profile.pathway_names[0]} if profile is not None else {}
    return render_page(
        "pages/enterprise/check_eligibility.html",
        fragment="result",
        status=status,
        form=form,
        errors=errors,
        result=result,
        enterprise=enterprise,
        pathways=PATHWAYS,
        levels=LEVELS,
        education_levels=EDUCATION_LEVELS,
        series_options=series.suggestions(),
    )
