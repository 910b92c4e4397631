"""The applicant's pages: my applications, the 申报表 (saved as a draft at every step), the materials
checklist (portal.web.applicant.materials), submit, and the timeline."""

from __future__ import annotations

from dataclasses import fields

from flask import Response, abort, request, url_for

from portal.documents.certificates import CertificateView, certificate_pdf
from portal.domain import corrections as correction_rules
from portal.domain.errors import DomainError, StaleObject, ValidationFailed
from portal.domain.i18n import N_, T_, joined
from portal.domain.workflow import Action
from portal.extensions import db
from portal.models import Application
from portal.services import applications as service
from portal.services import (
    cases,
    certificates,
    eligibility,
    materials,
    notices,
    policies,
)
from portal.services.calendar import today
from portal.services.scope import get_application
from portal.web.applicant import bp
from portal.web.context import current_account, current_actor, now
from portal.web.downloads import send_bytes
from portal.web.forms import form_input, version_field
from portal.web.guards import applicant_required
from portal.web.htmx import hx_target, hx_trigger, render_page, see_other, wants_fragment
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
    upload_errors: dict[str, str] | None = None,
    upload_form: dict[str, str] | None = None,
    responses: dict[str, str] | None = None,
) -> Response:
    actor = current_actor(as_applicant=True)
    typed = None
    if form is not None:
        typed = eligibility.FormValues(
            **{f.name: form.get(f.name, "") for f in fields(eligibility.FormValues)}
        )
    case = cases.applicant_case(db.session, actor, application_id, now(), typed)
    application = case.application
    return render_page(
        "pages/applicant/show_application.html",
        fragment=fragment,
        status=status,
        case=case,
        application=application,
        # What the shared partials read (the 申报表, the materials checklist, the notice summary).
        missing=case.missing,
        editable=case.editable,
        open_fields=case.open_fields,
        checklist=case.checklist,
        notice=case.notice,
        notice_clock=case.notice_clock,
        result_url=url_for("applicant.download_notice_result", application_id=application.id),
        section_titles=SECTION_TITLES,
        errors=errors or {},
        form=form,
        values=form or form_values(application),
        optional_fields=OPTIONAL_FIELDS,
        form_action=url_for("applicant.save_form", application_id=application.id),
        message=message,
        saved=saved,
        form_fields=FORM_FIELDS,
        education_levels=service.EDUCATION_LEVELS,
        acknowledgement=acknowledgement,
        ack_error=ack_error,
        choices=CHOICES,
        material_urls=_material_urls(application.id),
        upload_errors=upload_errors or {},
        upload_form=upload_form or {},
        responses=responses or {},
        precheck_fields=[f.name for f in fields(eligibility.FormValues)],
        kinds=materials.KINDS,
    )


@bp.get("/applications/<int:application_id>")
@applicant_required
def show_application(application_id: int) -> Response:
    return _detail(application_id, fragment="materials" if hx_target() == "materials" else None)


@bp.post("/applications/<int:application_id>/precheck")
@applicant_required
def precheck_application(application_id: int) -> Response:
    """The live eligibility pre-check of the values being typed (htmx: the findings block only). A POST
    of the few fields the check reads (issue 17.11: a GET put the whole 申报表 and the CSRF token in the
    URL, so in access logs, proxies and the login redirect's next=). Writes nothing."""
    typed = {f.name: request.form.get(f.name, "") for f in fields(eligibility.FormValues)}
    return _detail(application_id, form=typed, fragment="eligibility")


@bp.post("/applications/<int:application_id>/form")
@applicant_required
def save_form(application_id: int) -> Response:
    actor = current_actor(as_applicant=True)
    facts = materials.facts_of(get_application(db.session, actor, application_id))
    try:
        service.save_form(db.session, actor, application_id, form_input(service.FormInput), now())
    except ValidationFailed as invalid:
        response = _detail(
            application_id, errors=invalid.fields, form=request.form.to_dict(), status=422, fragment="detail"
        )
        # The valid fields were saved: nothing typed correctly is lost.
        return keep(_checklist_changed(response, application_id, facts))
    if wants_fragment():
        return _checklist_changed(
            _detail(application_id, fragment="detail", saved=True), application_id, facts
        )
    notify(N_("申报表已保存"), "success")
    return see_other(url_for("applicant.show_application", application_id=application_id))


def _checklist_changed(response: Response, application_id: int, before: object) -> Response:
    """Ask the materials checklist to refresh only when the saved form changed which slots it needs
    (a refresh for nothing would reset an upload form someone is filling in)."""
    application = get_application(db.session, current_actor(as_applicant=True), application_id)
    if materials.facts_of(application) != before:
        hx_trigger(response, "dossier-changed")
    return response


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
    notify(T_("已%(action)s", action=action.title), "success")
    return see_other(url_for("applicant.show_application", application_id=application_id))


@bp.get("/applications/<int:application_id>/notice-result.pdf")
@applicant_required
def download_notice_result(application_id: int) -> Response:
    """The notice result sheet (公示结果) of the notice this application was in, once it has closed."""
    notice = notices.notice_of_application(db.session, current_actor(as_applicant=True), application_id)
    if notice is None or notice.closed_at is None:
        abort(404)
    return result_pdf_response(notice)


FORM_FIELDS = (
    ("education", N_("最高学历"), "select", ""),
    ("degree", N_("学位"), "select", N_("没有学位选“无”")),
    ("school", N_("毕业院校"), "text", ""),
    ("major", N_("所学专业"), "text", ""),
    ("graduated_on", N_("毕业时间"), "date", ""),
    ("overseas_education", N_("国（境）外学历"), "checkbox", N_("需上传教育部留学服务中心的认证书")),
    (
        "xuexin_code",
        N_("学信网在线验证码"),
        "text",
        N_("见《教育部学历证书电子注册备案表》，2002年及以后国内毕业填写"),
    ),
    ("work_started_on", N_("参加工作时间"), "date", ""),
    ("current_title", N_("现有职称"), "text", N_("没有可不填")),
    ("has_prior_employer", N_("进入本单位之前有专业技术工作经历"), "checkbox", N_("需上传此前工作经历证明")),
    ("has_internship", N_("在校期间的专业实习计入工作年限"), "checkbox", N_("需上传在校实习证明")),
    ("on_establishment", N_("事业单位在编人员"), "checkbox", N_("需上传编制册")),
    (
        "insured_unit_differs",
        N_("社保参保单位与申报单位名称不一致"),
        "checkbox",
        N_("需上传两单位盖章的隶属关系证明"),
    ),
    ("qualification_name", N_("执业（从业）资格"), "text", N_("例如 二级建造师；没有可不填")),
    ("qualification_no", N_("资格证书编号"), "text", ""),
    ("qualification_issued_on", N_("资格发证日期"), "date", ""),
    ("qualification_expires_on", N_("资格有效期至"), "date", N_("长期有效可不填")),
    ("ce_hours", N_("继续教育学时（每年）"), "text", N_("按“年份:学时”填写，例如 2024:90, 2025:96")),
    ("achievements", N_("主要业绩"), "textarea", N_("获奖、项目、论文、专利等，4000字以内")),
    ("work_summary", N_("工作总结"), "textarea", N_("任现职以来的主要工作和业绩，4000字以内")),
)
OPTIONAL_FIELDS = frozenset(
    {"current_title", "xuexin_code", "achievements", "ce_hours", "qualification_name", "qualification_no"}
    | {"qualification_issued_on", "qualification_expires_on", "degree"}
)
CHOICES = {"education": service.EDUCATION_LEVELS, "degree": service.DEGREES}


def form_values(application: Application) -> dict[str, str]:
    """The saved form as the strings its inputs show (dates ISO, flags "1" or "")."""
    values: dict[str, str] = {}
    for name, _label, kind, _hint in FORM_FIELDS:
        value = getattr(application, name)
        if kind == "checkbox":
            values[name] = "1" if value else ""
        elif hasattr(value, "isoformat"):
            values[name] = value.isoformat()
        else:
            values[name] = value or ""
    return values


def _material_urls(application_id: int) -> dict[str, str]:
    return {
        "upload": url_for("applicant.upload_material", application_id=application_id),
        "pledge": url_for("applicant.sign_pledge", application_id=application_id),
        "copy": url_for("applicant.copy_previous", application_id=application_id),
        "self": url_for("applicant.show_application", application_id=application_id),
    }


SECTION_TITLES = {s.key: s.title for s in correction_rules.SECTIONS}


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
        verify_url=url_for(
            "public.verify_certificate",
            number=number,
            code=application.certificate_code,
            _external=True,
        ),
    )
    return send_bytes(certificate_pdf(view), f"职称证书-{number}.pdf", "application/pdf")
