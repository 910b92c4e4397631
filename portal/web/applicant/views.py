"""The applicant's pages: my applications, the 申报表 (saved as a draft at every step), the materials
checklist (portal.web.applicant.materials), submit, and the timeline."""

from __future__ import annotations

from flask import Response, abort, request, url_for

from portal.documents.certificates import CertificateView, certificate_pdf
from portal.domain import form as form_rules
from portal.domain.errors import DomainError, StaleObject, ValidationFailed
from portal.domain.i18n import N_, joined
from portal.domain.workflow import Action
from portal.extensions import db
from portal.services import applications as service
from portal.services import (
    cases,
    certificates,
    confirmations,
    forms,
    materials,
    notices,
    policies,
    printing,
)
from portal.services.calendar import today
from portal.services.scope import get_application
from portal.web.applicant import bp
from portal.web.context import current_account, current_actor, now
from portal.web.dossier import posted_form, save_posted_form
from portal.web.downloads import send_bytes
from portal.web.forms import version_field
from portal.web.guards import applicant_required
from portal.web.htmx import hx_target, render_page, see_other, wants_fragment
from portal.web.i18n import notify
from portal.web.notice_documents import result_pdf_response
from portal.web.unit_of_work import keep


@bp.get("/applications")
@applicant_required
def list_applications() -> Response:
    actor = current_actor(as_applicant=True)
    applications = service.applications_of_applicant(db.session, actor)
    return render_page(
        "pages/applicant/list_applications.html",
        applications=applications,
        editable={a.id for a in applications if service.is_editable(a)},
        windows=policies.current_windows(db.session, current_account().employer, now()),
        employer=current_account().employer,
    )


def _detail(
    application_id: int,
    *,
    status: int = 200,
    fragment: str | None = None,
    message: str = "",
    saved: bool = False,
    acknowledgement: str = "",
    ack_error: str = "",
    upload_errors: dict[str, str] | None = None,
    upload_form: dict[str, str] | None = None,
    responses: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    form_view: forms.FormView | None = None,
    typed: forms.FormState | None = None,
    also: tuple[str, ...] = (),
) -> Response:
    actor = current_actor(as_applicant=True)
    case = cases.applicant_case(db.session, actor, application_id, now(), typed)
    application = case.application
    return render_page(
        "pages/applicant/show_application.html",
        fragment=fragment,
        also=also,
        status=status,
        case=case,
        application=application,
        # What the shared partials read (the 申报表, the materials checklist, the notice summary).
        missing=case.missing,
        editable=case.editable,
        checklist=case.checklist,
        notice=case.notice,
        notice_clock=case.notice_clock,
        result_url=url_for("applicant.download_notice_result", application_id=application.id),
        section_titles=case.section_titles,
        errors=errors or {},
        fv=form_view or (forms.form_view(db.session, application) if case.editable else None),
        printed=None if case.editable else printing.printed_form(db.session, actor, application),
        form_action=url_for("applicant.save_form", application_id=application.id),
        precheck_url=url_for("applicant.precheck_application", application_id=application.id),
        message=message,
        saved=saved,
        acknowledgement=acknowledgement,
        ack_error=ack_error,
        material_urls=_material_urls(application.id),
        upload_errors=upload_errors or {},
        upload_form=upload_form or {},
        responses=responses or {},
        kinds=materials.KINDS,
        confirmation_rule=confirmations.offered(db.session, application),
    )


@bp.get("/applications/<int:application_id>")
@applicant_required
def show_application(application_id: int) -> Response:
    return _detail(application_id, fragment="materials" if hx_target() == "materials" else None)


@bp.post("/applications/<int:application_id>/precheck")
@applicant_required
def precheck_application(application_id: int) -> Response:
    """The live eligibility pre-check (htmx: the findings block only): the section that changed, POSTed
    alone (issue 21.3: never the whole form, never in a URL), laid over the saved form. Writes nothing."""
    application = get_application(db.session, current_actor(as_applicant=True), application_id)
    parsed = form_rules.parse_form(posted_form(), today(now()), forms.clauses_for(db.session, application))
    typed = forms.overlay(forms.state_of(db.session, application), parsed)
    return _detail(application_id, typed=typed, fragment="eligibility")


@bp.post("/applications/<int:application_id>/form")
@applicant_required
def save_form(application_id: int) -> Response:
    actor = current_actor(as_applicant=True)
    application = get_application(db.session, actor, application_id)
    before = materials.facts_of(db.session, application)
    outcome = save_posted_form(actor, application_id)
    if outcome.stale is not None:  # nothing was saved: the unit of work rolls back
        return _detail(
            application_id, errors=outcome.errors, form_view=outcome.view, status=409, fragment="detail"
        )
    # The checklist changes with the answer when the saved form changed which slots it needs, never by
    # a refresh of its own afterwards: that could land while an upload form is being filled in, and
    # reset it. Unchanged, it is left alone for the same reason.
    also = ("materials",) if _slots_changed(application_id, before) else ()
    if outcome.refused is not None:
        response = _detail(
            application_id,
            errors=outcome.errors,
            form_view=outcome.view,
            status=422,
            fragment="detail",
            also=also,
        )
        return keep(response)  # the valid fields were saved
    if wants_fragment() or outcome.add:
        return _detail(
            application_id,
            fragment="detail" if wants_fragment() else None,
            saved=True,
            form_view=outcome.view,
            also=also,
        )
    notify(N_("申报表已保存"), "success")
    return see_other(
        url_for("applicant.show_application", application_id=application_id) + "#application-form"
    )


def _slots_changed(application_id: int, before: object) -> bool:
    application = get_application(db.session, current_actor(as_applicant=True), application_id)
    return materials.facts_of(db.session, application) != before


@bp.post("/applications/<int:application_id>/act")
@applicant_required
def act(application_id: int) -> Response:
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        abort(400)
    actor = current_actor(as_applicant=True)
    acknowledgement = request.form.get("acknowledgement", "")
    try:
        service.act(
            db.session,
            actor,
            application_id,
            action,
            now(),
            expected_version=version_field(),
            acknowledgement=acknowledgement,
            responses={
                key.removeprefix("response_"): value
                for key, value in request.form.items()
                if key.startswith("response_")
            },
        )
    except (ValidationFailed, StaleObject, DomainError) as refused:
        invalid = isinstance(refused, ValidationFailed)
        text = joined(refused.fields.values(), "；") if invalid else refused.message
        return _detail(
            application_id,
            status=409 if isinstance(refused, StaleObject) else 422,
            message=refused.fields.get("__all__", text) if isinstance(refused, ValidationFailed) else text,
            errors=refused.fields if isinstance(refused, ValidationFailed) else None,
            responses={k: v for k, v in request.form.items() if k.startswith("response_")},
            acknowledgement=acknowledgement,
            ack_error=refused.fields.get("acknowledgement", "")
            if isinstance(refused, ValidationFailed)
            else "",
        )
    notify(action.done, "success")
    return see_other(url_for("applicant.show_application", application_id=application_id))


@bp.get("/applications/<int:application_id>/notice-result.pdf")
@applicant_required
def download_notice_result(application_id: int) -> Response:
    """The notice result sheet (公示结果) of the notice this application was in, once it has closed."""
    notice = notices.notice_of_application(db.session, current_actor(as_applicant=True), application_id)
    if notice is None or notice.closed_at is None:
        abort(404)
    return result_pdf_response(notice)


def _material_urls(application_id: int) -> dict[str, str]:
    return {
        "upload": url_for("applicant.upload_material", application_id=application_id),
        "pledge": url_for("applicant.sign_pledge", application_id=application_id),
        "copy": url_for("applicant.copy_previous", application_id=application_id),
        "self": url_for("applicant.show_application", application_id=application_id),
    }


@bp.get("/applications/<int:application_id>/certificate.pdf")
@applicant_required
def download_certificate(application_id: int) -> Response:
    """The electronic certificate, with the QR code that verifies it publicly."""
    application = certificates.certificate_of(db.session, current_actor(as_applicant=True), application_id)
    if application.certificate_revoked_at is not None or application.certificate_no is None:
        abort(404)
    assert application.certified_at is not None
    number = application.certificate_no
    view = CertificateView(
        name=application.applicant.name,
        id_number=application.applicant.id_number,
        unit=application.enterprise.name,
        series=application.series,
        specialty=application.specialty,
        level=application.level,
        number=number,
        certified_on=today(application.certified_at),
        authority=certificates.certifying_authority(db.session, application),
        date_label=certificates.date_label(application),
        id_label=certificates.id_label(application.applicant),
        verify_url=url_for(
            "public.verify_certificate",
            number=number,
            code=application.certificate_code,
            _external=True,
        ),
    )
    return send_bytes(certificate_pdf(view), f"职称证书-{number}.pdf", "application/pdf")
