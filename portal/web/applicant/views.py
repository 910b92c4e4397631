"""The applicant's pages: my applications, the short form (saved as a draft), submit, and the timeline."""

from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, Response, abort, flash, request, url_for

from portal.documents.certificates import CertificateView, certificate_pdf
from portal.domain import corrections as correction_rules
from portal.domain.errors import DomainError, NotFound, StaleObject, ValidationFailed
from portal.domain.workflow import Action
from portal.extensions import db
from portal.models import Application
from portal.services import applications as service
from portal.services import certificates, corrections, eligibility, notices, policies
from portal.services.actors import Actor
from portal.services.calendar import today
from portal.services.scope import get_application
from portal.services.transitions import available_actions
from portal.web.certificates.views import verify_key
from portal.web.context import current_account, current_actor, now
from portal.web.downloads import send_bytes
from portal.web.forms import form_input, version_field
from portal.web.guards import applicant_required
from portal.web.htmx import render_page, see_other, wants_fragment
from portal.web.notice_documents import result_pdf_response

bp = Blueprint("applicant", __name__, url_prefix="/me")


@bp.get("/applications")
@applicant_required
def list_applications() -> Response:
    actor = current_actor(as_applicant=True)
    return render_page(
        "pages/applicant/list_applications.html",
        applications=service.applications_of_applicant(db.session, actor),
        windows=policies.current_windows(db.session, current_account().employer, now()),
    )


def _detail(
    application_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    fragment: str | None = None,
    message: str = "",
    saved: bool = False,
    acknowledgement: str = "",
    ack_error: str = "",
) -> Response:
    actor = current_actor(as_applicant=True)
    application = get_application(db.session, actor, application_id)
    typed = None
    if form is not None:
        typed = eligibility.FormValues(
            **{f.name: form.get(f.name, "") for f in fields(eligibility.FormValues)}
        )
    return render_page(
        "pages/applicant/show_application.html",
        fragment=fragment,
        status=status,
        application=application,
        actions=available_actions(actor, application),
        timeline=service.timeline(db.session, actor, application.id),
        missing=service.missing_for_submit(application),
        editable=application.state in service.EDITABLE,
        errors=errors or {},
        form=form,
        message=message,
        saved=saved,
        **_notice_context(actor, application.id),
        **_correction_context(application),
        lookups=certificates.lookups_for(db.session, actor, application.id)
        if application.certificate_no
        else [],
        form_fields=FORM_FIELDS,
        education_levels=service.EDUCATION_LEVELS,
        evaluation=eligibility.evaluate(db.session, application, now(), typed),
        acknowledgement=acknowledgement,
        ack_error=ack_error,
    )


@bp.get("/applications/<int:application_id>")
@applicant_required
def show_application(application_id: int) -> Response:
    return _detail(application_id)


@bp.get("/applications/<int:application_id>/precheck")
@applicant_required
def precheck_application(application_id: int) -> Response:
    """The live eligibility pre-check of the values being typed (htmx: the findings block only)."""
    return _detail(application_id, form=request.args.to_dict(), fragment="eligibility")


@bp.post("/applications/<int:application_id>/form")
@applicant_required
def save_form(application_id: int) -> Response:
    actor = current_actor(as_applicant=True)
    try:
        service.save_form(db.session, actor, application_id, form_input(service.FormInput), now())
    except ValidationFailed as invalid:
        db.session.rollback()
        return _detail(
            application_id, errors=invalid.fields, form=request.form.to_dict(), status=422, fragment="detail"
        )
    db.session.commit()
    if wants_fragment():
        return _detail(application_id, fragment="detail", saved=True)
    flash("申报表已保存", "success")
    return see_other(url_for("applicant.show_application", application_id=application_id))


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
        )
    except NotFound:
        db.session.rollback()  # another tenant's id reads exactly like a missing one: 404
        raise
    except (ValidationFailed, StaleObject, DomainError) as refused:
        db.session.commit()  # keeps the audit event of the refused attempt; nothing else was written
        text = (
            "；".join(refused.fields.values()) if isinstance(refused, ValidationFailed) else refused.message
        )
        return _detail(
            application_id,
            status=409 if isinstance(refused, StaleObject) else 422,
            message=text,
            acknowledgement=acknowledgement,
            ack_error=refused.fields.get("acknowledgement", "")
            if isinstance(refused, ValidationFailed)
            else "",
        )
    db.session.commit()
    flash(f"已{action.title}", "success")
    return see_other(url_for("applicant.show_application", application_id=application_id))


@bp.get("/applications/<int:application_id>/notice-result.pdf")
@applicant_required
def download_notice_result(application_id: int) -> Response:
    """The notice result sheet (公示结果) of the notice this application was in, once it has closed."""
    notice = notices.notice_of_application(db.session, current_actor(as_applicant=True), application_id)
    if notice is None or notice.closed_at is None:
        abort(404)
    return result_pdf_response(notice)


def _notice_context(actor: Actor, application_id: int) -> dict[str, object]:
    notice = notices.notice_of_application(db.session, actor, application_id)
    if notice is None:
        return {"notice": None}
    if notices.close_if_due(db.session, notice, now()):
        db.session.commit()
    return {
        "notice": notice,
        "notice_clock": notices.notice_clock(db.session, notice, now()),
        "result_url": url_for("applicant.download_notice_result", application_id=application_id),
    }


FORM_FIELDS = (
    ("education", "最高学历", "select", ""),
    ("school", "毕业院校", "text", ""),
    ("major", "所学专业", "text", ""),
    ("graduated_on", "毕业时间", "date", ""),
    ("work_started_on", "参加工作时间", "date", ""),
    ("current_title", "现有职称", "text", "没有可不填"),
    ("work_summary", "工作总结", "textarea", "任现职以来的主要工作和业绩，4000字以内"),
)


def _correction_context(application: Application) -> dict[str, object]:
    correction = corrections.open_correction(db.session, application.id)
    return {
        "correction": correction,
        "deadline": corrections.deadline_view(db.session, correction, now()) if correction else None,
        "open_fields": corrections.editable_fields(db.session, application),
        "section_titles": {s.key: s.title for s in correction_rules.SECTIONS},
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
        authority=application.bureau.name,
        verify_url=url_for(
            "public.verify_certificate",
            number=number,
            code=certificates.verification_code(number, verify_key()),
            _external=True,
        ),
    )
    return send_bytes(certificate_pdf(view), f"职称证书-{number}.pdf", "application/pdf")
