"""Notices (公示) of any reviewing organisation: draft, publish, objections, sheets, the QR code.

The enterprise's notice is the unit notice before sending onward (003 五(一), 004 二(七)); departments
and bureaus use the same screens for their own notices (a committee office's, 003 五(三)). Opening a
notice also closes it when its period has ended ("checked on access"), so a page never shows a stale
state when cron has not run yet.
"""

from __future__ import annotations

from flask import Response, request, url_for

from portal.documents.notice_sheet import notice_sheet_pdf, notice_sheet_xlsx
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_, T_, joined
from portal.domain.uploads import EXTENSIONS
from portal.extensions import db
from portal.models import Notice, NoticeStatus
from portal.services import files
from portal.services import notices as service
from portal.storage import FileCorrupted, FileMissing
from portal.web.context import current_actor, current_membership, now
from portal.web.downloads import send_bytes
from portal.web.errors import error_response
from portal.web.forms import form_input, id_list
from portal.web.guards import staff_required
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.notice_documents import qr_svg, result_pdf_response
from portal.web.notices import bp
from portal.web.storage import storage


def _list_page(
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    chosen: list[int] | None = None,
    status: int = 200,
    fragment: str | None = None,
) -> Response:
    actor = current_actor()
    moment = now()
    items = service.notices_of(db.session, actor)
    membership = current_membership()
    org_name = membership.org.name if membership else ""
    # Only the drafter's form lists them (a bureau's leader was made to wait 0.2 s for 1,168 it never sees).
    ready = service.ready_for_notice(db.session, actor) if service.can_draft(actor) else []
    first = service.draft_form(actor, org_name, ready, moment)
    if chosen is None:  # after a POST the boxes are shown as sent, none included
        chosen = first.chosen
    return render_page(
        "pages/notices/list_notices.html",
        fragment=fragment,
        status=status,
        notices=items,
        ready=ready,
        can_draft=service.can_draft(actor),
        errors=errors or {},
        form=form or first.fields,
        chosen=set(chosen),  # looked up once per ready row
        clocks={n.id: service.notice_clock(db.session, n, moment) for n in items},
        words=service.page_words(db.session, actor),
    )


@bp.get("")
@staff_required()
def list_notices() -> Response:
    return _list_page()


@bp.post("")
@staff_required()
def draft_notice() -> Response:
    chosen = id_list("application_ids")
    try:
        notice = service.draft_notice(
            db.session, current_actor(), form_input(service.NoticeInput), chosen, now()
        )
    except ValidationFailed as invalid:
        return _list_page(
            errors=invalid.fields,
            form=request.form.to_dict(),
            chosen=chosen,
            status=422,
            fragment="draft_form",
        )
    notify(service.draft_saved(notice), "success")  # who publishes next: the service names them
    return see_other(url_for("notices.show_notice", notice_id=notice.id))


def _detail(
    notice: Notice,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[int, str] | None = None,
    status: int = 200,
    fragment: str | None = None,
    message: str = "",
) -> Response:
    actor = current_actor()
    return render_page(
        "pages/notices/show_notice.html",
        fragment=fragment,
        status=status,
        notice=notice,
        clock=service.notice_clock(db.session, notice, now()),
        errors=errors or {},
        typed=typed or {},  # an objection's handling as typed, shown back with its refusal
        message=message,
        public_url=url_for("public.show_notice", token=notice.public_token, _external=True),
        # Past it, the public page says only that the notice ended: no QR code to print, no link to follow.
        is_public=service.is_public(db.session, notice, now()),
        public_until=service.public_until(db.session, notice),
        can_publish=service.can_publish(actor, notice),
        publisher=service.draft_waits(notice),
        can_discard=notice.state is NoticeStatus.DRAFT,
    )


def _load(notice_id: int) -> Notice:
    return service.get_notice(db.session, current_actor(), notice_id)


@bp.get("/<int:notice_id>")
@staff_required()
def show_notice(notice_id: int) -> Response:
    return _detail(_load(notice_id))


@bp.post("/<int:notice_id>/publish")
@staff_required()
def publish_notice(notice_id: int) -> Response:
    try:
        notice = service.publish_notice(db.session, current_actor(), notice_id, now())
    except (ValidationFailed, DomainError) as refused:
        text = (
            joined(refused.fields.values(), "；")
            if isinstance(refused, ValidationFailed)
            else refused.message
        )
        return _detail(_load(notice_id), status=422, message=text)
    notify(
        T_(
            "公示已发布：%(period)s",
            period=service.period_message(notice.first_day, notice.last_day, notice.days),
        ),
        "success",
    )
    return see_other(url_for("notices.show_notice", notice_id=notice.id))


@bp.post("/<int:notice_id>/discard")
@staff_required()
def discard_notice(notice_id: int) -> Response:
    service.discard_draft(db.session, current_actor(), notice_id, now())
    notify(N_("公示草稿已删除"), "success")
    return see_other(url_for("notices.list_notices"))


@bp.post("/objections/<int:objection_id>/resolve")
@staff_required()
def resolve_objection(objection_id: int) -> Response:
    actor = current_actor()
    try:
        objection = service.resolve_objection(
            db.session,
            actor,
            objection_id,
            request.form.get("decision", ""),
            request.form.get("handling", ""),
            now(),
        )
    except ValidationFailed as invalid:
        notice = _objection_notice(objection_id)
        return _detail(
            notice,
            errors={f"{objection_id}-{k}": v for k, v in invalid.fields.items()},
            typed={objection_id: request.form.get("handling", "")},
            status=422,
            fragment="objections",
        )
    notify(N_("异议处理意见已记录"), "success")
    return see_other(url_for("notices.show_notice", notice_id=objection.notice_id))


def _objection_notice(objection_id: int) -> Notice:
    return service.get_objection(db.session, current_actor(), objection_id).notice


@bp.post("/objections/<int:objection_id>/attachment")
@staff_required()
def download_objection_attachment(objection_id: int) -> Response:
    """The attachment as filed, verified against its hash; a changed file is reported, never served."""
    actor = current_actor()
    stored = service.objection_attachment(db.session, actor, objection_id)
    try:
        data = files.read_verified(db.session, storage(), actor, stored, now())
    except (FileCorrupted, FileMissing):
        return error_response(
            500, N_("该文件校验失败（内容与存档时不一致或已丢失），已记录并报告管理员，文件未发送。")
        )
    name = stored.display_name or f"异议附件-{objection_id}.{EXTENSIONS.get(stored.media_type, 'bin')}"
    return send_bytes(data, name, stored.media_type)


@bp.post("/<int:notice_id>/sheet.pdf")
@staff_required()
def download_sheet_pdf(notice_id: int) -> Response:
    notice = _load(notice_id)
    data = notice_sheet_pdf(*service.sheet(db.session, notice))
    service.record_export(db.session, current_actor(), notice, "sheet.pdf", now())
    return send_bytes(data, f"公示表-{notice.id}.pdf", "application/pdf")


@bp.post("/<int:notice_id>/sheet.xlsx")
@staff_required()
def download_sheet_xlsx(notice_id: int) -> Response:
    notice = _load(notice_id)
    service.record_export(db.session, current_actor(), notice, "sheet.xlsx", now())
    return send_bytes(
        notice_sheet_xlsx(*service.sheet(db.session, notice)),
        f"公示表-{notice.id}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.get("/<int:notice_id>/result.pdf")
@staff_required()
def download_result_pdf(notice_id: int) -> Response:
    notice = _load(notice_id)
    if notice.state is not NoticeStatus.CLOSED:
        raise DomainError(N_("公示结束并处理完全部异议后，才能生成公示结果"), code="not_closed")
    return result_pdf_response(notice)


@bp.get("/<int:notice_id>/qr.svg")
@staff_required()
def notice_qr(notice_id: int) -> Response:
    notice = service.get_notice(db.session, current_actor(), notice_id)
    return qr_svg(url_for("public.show_notice", token=notice.public_token, _external=True))
