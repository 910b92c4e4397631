"""The applicant's materials: upload into a checklist slot (several photos become one PDF), remove, sign
the integrity pledge, copy from the previous application. Routes on the applicant blueprint."""

from __future__ import annotations

from flask import Response, request, url_for

from portal.domain.errors import ValidationFailed
from portal.domain.i18n import N_, T_, Joined
from portal.domain.uploads import REMOVED_TITLES, size_text
from portal.extensions import db
from portal.services import applications as applications_service
from portal.services import materials as service
from portal.services.scope import get_application
from portal.web import steps
from portal.web.applicant import bp
from portal.web.applicant.views import _detail
from portal.web.context import current_actor, now
from portal.web.forms import form_input
from portal.web.guards import applicant_required
from portal.web.htmx import see_other
from portal.web.i18n import notify
from portal.web.once import once_per_form
from portal.web.storage import storage, upload_limits, uploaded_parts
from portal.web.unit_of_work import discard


def _back(application_id: int) -> str:
    # No "#materials": htmx's redirect to the same URL with only a new hash would not reload the page.
    return url_for("applicant.show_application", application_id=application_id)


@bp.post("/applications/<int:application_id>/materials")
@applicant_required
@once_per_form(
    lambda application_id: _back(application_id),
    load=lambda application_id: get_application(db.session, current_actor(as_applicant=True), application_id),
)
def upload_material(application_id: int) -> Response:
    # One box a returned slot holding files: the ticked ones (only the chosen slot's is acted on).
    data = form_input(service.UploadInput, replace=",".join(request.form.getlist("replace")))
    try:
        material = service.upload_material(
            db.session,
            current_actor(as_applicant=True),
            storage(),
            application_id,
            data,
            uploaded_parts(),
            now(),
            upload_limits(),
        )
    except ValidationFailed as invalid:
        return _detail(
            application_id,
            upload_errors=invalid.fields,
            upload_form={**request.form.to_dict(), "replace": ",".join(request.form.getlist("replace"))},
            status=422,
            fragment="materials",
        )
    except service.AlreadyUploaded as kept:
        # Nothing was stored: the page the upload leads to, with the file kept in its slot. A refusal: rolled
        # back (the form's token too), its audited attempt kept.
        notify(kept.message, "info")
        return discard(see_other(_back(application_id)))
    combined = (
        # Files, not images: a PDF chosen beside photos is combined too.
        T_("，%(files)d个文件已合成为一份%(pages)d页的 PDF", files=material.combined, pages=material.pages)
        if material.combined > 1
        else T_("，已压缩为%(size)s", size=size_text(material.file.size))
        if material.recompressed_on_upload
        else ""
    )
    removed = (
        T_(
            "；已清除其中的%(removed)s",
            removed=Joined(tuple(REMOVED_TITLES.get(item, item) for item in material.removed_on_upload)),
        )
        if material.removed_on_upload
        else ""
    )
    replaced = (
        T_(
            "；已替换退回的文件“%(names)s”（原文件留存在办理记录中）",
            names=Joined(material.replaced_on_upload),
        )
        if material.replaced_on_upload
        else ""
    )
    # The slot as the checklist names it: a row's slot carries its row ("学历证书（南昌大学 本科）").
    shown = {
        slot.key: slot
        for slot in service.rules.slots_for(
            service.facts_of(
                db.session, get_application(db.session, current_actor(as_applicant=True), application_id)
            )
        )
    }
    notify(
        T_(
            "已上传“%(slot)s”%(combined)s%(removed)s%(replaced)s",
            slot=service.rules.slot_title(material.slot, shown),
            combined=combined,
            removed=removed,
            replaced=replaced,
        ),
        "success",
    )
    return see_other(_back(application_id))


@bp.post("/applications/<int:application_id>/materials/<int:material_id>/remove")
@applicant_required
def remove_material(application_id: int, material_id: int) -> Response:
    service.remove_material(db.session, current_actor(as_applicant=True), application_id, material_id, now())
    notify(N_("已删除该材料"), "success")
    return see_other(_back(application_id))


@bp.post("/applications/<int:application_id>/pledge")
@applicant_required
def sign_pledge(application_id: int) -> Response:
    if request.form.get("agree") != "1":
        return _detail(
            application_id,
            upload_errors={"agree": N_("请阅读并勾选“本人已阅读并承诺”")},
            status=422,
            fragment="materials",
        )
    service.sign_pledge(db.session, current_actor(as_applicant=True), application_id, now())
    notify(N_("已签署诚信承诺书"), "success")
    return see_other(_back(application_id))


@bp.post("/applications/<int:application_id>/copy-previous")
@applicant_required
def copy_previous(application_id: int) -> Response:
    return steps.run_step(
        lambda: applications_service.copy_from_previous(
            db.session, current_actor(as_applicant=True), application_id, now()
        ),
        back=url_for("applicant.show_application", application_id=application_id),
        done=N_("已从上次申报复制填写内容和材料；复印件须重新核对签章，诚信承诺书须重新签署"),
    )
