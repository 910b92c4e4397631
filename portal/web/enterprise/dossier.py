"""Enterprise HR and the dossier: the unit's seal image (uploaded once by the leader), and filling in an
applicant's 申报表 on their behalf (audited as HR's change). Routes on the enterprise blueprint."""

from __future__ import annotations

from flask import Response, url_for

from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_
from portal.extensions import db
from portal.models import OrgKind, StaffRole
from portal.services import applications as applications_service
from portal.services import confirmations, endorsements, forms
from portal.services.scope import get_application
from portal.web.context import current_actor, now
from portal.web.dossier import save_posted_form
from portal.web.enterprise import bp
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other, wants_fragment
from portal.web.i18n import notify
from portal.web.once import once_per_form
from portal.web.storage import storage, uploaded_parts
from portal.web.unit_of_work import keep


def _seal_page(*, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = current_actor()
    assert actor.org_id is not None
    return render_page(
        "pages/enterprise/show_seal.html",
        status=status,
        seal=endorsements.current_seal(db.session, actor.org_id),
        can_upload=actor.staff_role is StaffRole.LEADER,
        errors=errors or {},
    )


@bp.get("/seal")
@staff_required(OrgKind.ENTERPRISE)
def show_seal() -> Response:
    return _seal_page()


@bp.post("/seal")
@staff_required(OrgKind.ENTERPRISE, roles=(StaffRole.LEADER,))
@once_per_form(lambda: url_for("enterprise.show_seal"))
def upload_seal() -> Response:
    parts = uploaded_parts("seal")
    try:
        endorsements.upload_seal(
            db.session,
            current_actor(),
            storage(),
            parts[0].data if parts else b"",
            parts[0].name if parts else "",
            now(),
        )
    except ValidationFailed as invalid:
        return _seal_page(errors=invalid.fields, status=422)
    notify(N_("单位公章图片已上传，经办人核对复印件时将使用它"), "success")
    return see_other(url_for("enterprise.show_seal"))


def _form_page(
    application_id: int,
    *,
    status: int = 200,
    fragment: str | None = None,
    form_view: forms.FormView | None = None,
    saved: bool = False,
) -> Response:
    application = get_application(db.session, current_actor(), application_id)
    editable = application.state in applications_service.EDITABLE
    return render_page(
        "pages/enterprise/edit_application.html",
        fragment=fragment,
        status=status,
        application=application,
        editable=editable,
        saved=saved,
        fv=form_view or (forms.form_view(db.session, application) if editable else None),
        precheck_url=None,
        form_action=url_for("enterprise.save_form", application_id=application.id),
        confirmation_rule=confirmations.offered(db.session, application),
    )


@bp.get("/applications/<int:application_id>/form")
@staff_required(OrgKind.ENTERPRISE)
def edit_form(application_id: int) -> Response:
    return _form_page(application_id)


@bp.post("/applications/<int:application_id>/form")
@staff_required(OrgKind.ENTERPRISE)
def save_form(application_id: int) -> Response:
    """HR fills in for the applicant: the audit event records HR as the author of each change."""
    outcome = save_posted_form(current_actor(), application_id)
    if outcome.stale is not None:
        return _form_page(application_id, form_view=outcome.view, status=409, fragment="detail")
    if outcome.refused is not None:
        page = _form_page(application_id, form_view=outcome.view, status=422, fragment="detail")
        return keep(page)  # the valid fields were saved
    if outcome.add or wants_fragment():
        return _form_page(
            application_id,
            form_view=outcome.view,
            saved=True,
            fragment="detail" if wants_fragment() else None,
        )
    notify(N_("已代为保存申报表（记录为经办人修改）"), "success")
    return see_other(url_for("enterprise.edit_form", application_id=application_id))
