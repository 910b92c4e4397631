"""Enterprise HR: applicant accounts (checked as HR types, password shown once), the applicant's detail
view (full identity numbers, audited; a forgotten password reset, the new one shown once; the name or
mobile corrected) and transfers of accounts between enterprises."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, request, url_for

from portal.domain.accounts import AccountChange, ApplicantDraft, EmploymentType, PermitKind
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_, T_, Text, joined
from portal.domain.identity import DocumentType
from portal.extensions import db
from portal.models import OrgKind
from portal.services import accounts as service
from portal.services import organisations, policies
from portal.services.organisations import NewAccount
from portal.web import steps
from portal.web.context import current_actor, now
from portal.web.enterprise import bp
from portal.web.forms import form_input
from portal.web.guards import staff_required
from portal.web.htmx import hx_trigger, render_page, see_other, wants_fragment
from portal.web.i18n import notify
from portal.web.once import once_per_form
from portal.web.unit_of_work import discard

# Fields checked live, and the fragment (a block of the page) each one re-renders.
LIVE_FIELDS = {
    "name": "check_name",
    "document_type": "identity_fields",
    "id_number": "check_id_number",
    "nationality": "check_nationality",
    "permit_kind": "check_permit_kind",
    "permit_no": "check_permit_no",
    "phone": "check_phone",
    "employment_type": "check_employment_type",
}
CHOICES = {
    "document_types": [(t.value, t.title) for t in DocumentType],
    "number_labels": {t.value: t.number_label for t in DocumentType},
    "employment_types": [(t.value, t.title) for t in EmploymentType],
    "permit_kinds": [(t.value, t.title) for t in PermitKind],
}


def _applicants_page(
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    check: service.ApplicantCheck | None = None,
    created: NewAccount | None = None,
    message: str = "",
    status: int = 200,
    fragment: str | None = "create_form",
    live: bool = False,
) -> Response:
    actor = current_actor()
    return render_page(
        "pages/enterprise/list_applicants.html",
        fragment=fragment,
        status=status,
        page=None if live else service.applicant_page(db.session, actor, _after(), _search()),
        search=_search(),
        open_transfers=service.open_outgoing_count(db.session, actor) if not live else 0,
        errors=errors or {},
        # After an account is opened (or a transfer asked), the form starts empty for the next person.
        form=(
            form
            if form and not created and not message
            else {"document_type": DocumentType.RESIDENT_ID.value}
        ),
        values=check.checked.values if check and not created else {},
        check=check,
        created=created,
        message=message,
        live=live,
        windows=[]
        if live
        else policies.current_windows(db.session, organisations.own_organisation(db.session, actor), now()),
        year_end=None if live else policies.year_end_duty(db.session, actor, now()),
        **CHOICES,
    )


def _after() -> int | None:
    """Where the list continues (`?after=<account id>`: its pager); the first page otherwise."""
    raw = request.args.get("after", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _search() -> str:
    """What HR typed in the list's search box (`?q=`): a name, part of one, an identity number or mobile."""
    return request.args.get("q", "").strip()[:40]


@bp.get("/applicants")
@staff_required(OrgKind.ENTERPRISE)
def list_applicants() -> Response:
    return _applicants_page(fragment=None)


@bp.post("/applicants")
@staff_required(OrgKind.ENTERPRISE)
def create_applicant() -> Response:
    draft = form_input(ApplicantDraft)
    try:
        created = service.create_applicant(db.session, current_actor(), draft, now())
    except service.ApplicantInvalid as invalid:
        return _applicants_page(
            errors=invalid.fields, form=request.form.to_dict(), check=invalid.check, status=422
        )
    # The first password is shown once, in this response; it is never stored in a cookie or URL. A
    # self-registered account attached (ACC-04) gets one too: its registration was nobody's proof of who.
    message = (
        T_(
            "%(name)s已自行注册账号，现已关联到本单位；登录手机号以本次填写的为准，原密码已失效，"
            "请把下面的初始密码当面交给本人",
            name=created.user.name,
        )
        if created.user.registered_with_id is not None
        else ""
    )
    return hx_trigger(_applicants_page(created=created, message=message), "applicants-changed")


@bp.post("/applicants/validate")
@staff_required(OrgKind.ENTERPRISE)
def validate_applicant() -> Response:
    """Live check of one field while HR types (htmx, debounced): re-renders that field's block only.
    The whole form is checked, but only the asked field's message is shown (the others are not typed yet)."""
    field = request.args.get("field", "")
    if field not in LIVE_FIELDS:
        abort(400)
    check = service.check_applicant_input(db.session, current_actor(), form_input(ApplicantDraft), now())
    shown = [field]
    if field == "document_type":
        shown = [
            name for name in ("id_number", "nationality", "permit_no") if request.form.get(name, "").strip()
        ]
    errors = {name: check.problems[name] for name in shown if name in check.problems}
    return discard(  # a check leaves nothing behind, whatever it looked up
        _applicants_page(
            errors=errors, form=request.form.to_dict(), check=check, fragment=LIVE_FIELDS[field], live=True
        )
    )


@bp.get("/applicants/<int:user_id>")
@staff_required(OrgKind.ENTERPRISE)
def show_applicant(user_id: int) -> Response:
    """The record with identity numbers masked (a GET writes nothing, so it shows nothing audited)."""
    detail = service.show_applicant(db.session, current_actor(), user_id, now())
    return render_page("pages/enterprise/show_applicant.html", detail=detail, revealed=False)


@bp.post("/applicants/<int:user_id>/identity")
@staff_required(OrgKind.ENTERPRISE)
def reveal_applicant(user_id: int) -> Response:
    """The full ID number and phone, asked for with a button: audited, then shown (htmx: the identity
    card alone; without JS: the page again, in this response, so the numbers never sit in a URL)."""
    detail = service.show_applicant(db.session, current_actor(), user_id, now(), reveal=True)
    return render_page(
        "pages/enterprise/show_applicant.html", fragment="identity", detail=detail, revealed=True
    )


@bp.post("/applicants/<int:user_id>/password")
@staff_required(OrgKind.ENTERPRISE)
@once_per_form(
    lambda user_id: url_for("enterprise.show_applicant", user_id=user_id),
    load=lambda user_id: service.get_applicant(db.session, current_actor(), user_id),
)
def reset_applicant_password(user_id: int) -> Response:
    """A forgotten password: a new first password, shown once in this response (never in a cookie, a URL
    or a log), the applicant's sessions ended. One per rendered form (a double click resets once: the
    second post is told so and shows no password). A refusal is flashed on the applicant's page."""
    try:
        reset = service.reset_applicant_password(db.session, current_actor(), user_id, now())
    except DomainError as refused:
        return steps.refused(url_for("enterprise.show_applicant", user_id=user_id), refused)
    detail = service.show_applicant(db.session, current_actor(), user_id, now())
    return render_page("pages/enterprise/show_applicant.html", detail=detail, revealed=False, reset=reset)


@bp.post("/applicants/<int:user_id>/account")
@staff_required(OrgKind.ENTERPRISE)
def update_applicant_account(user_id: int) -> Response:
    """A typo in the name or a changed mobile corrected: back to the applicant's page with what changed
    (its roster badge read again against the corrected name); a bad field: the page again with the
    message beside it (422); a refusal: flashed on the page. Sent again, nothing differs any more: told so."""
    change = form_input(AccountChange)
    back = url_for("enterprise.show_applicant", user_id=user_id)

    def page_with_errors(errors: dict[str, str]) -> Response:
        detail = service.show_applicant(db.session, current_actor(), user_id, now())
        return render_page(
            "pages/enterprise/show_applicant.html",
            status=422,
            detail=detail,
            revealed=False,
            account_errors=errors,
            account_form={"name": change.name, "phone": change.phone},
        )

    return steps.run_step(
        lambda: service.update_applicant_account(db.session, current_actor(), user_id, change, now()),
        back=back,
        then=f"{back}#account",
        done=_changed_words,
        page_with_errors=page_with_errors,
    )


def _changed_words(update: service.AccountUpdate) -> Text:
    """The confirmation: each changed field, before → after."""
    words = {"name": N_("姓名由“%(before)s”改为“%(after)s”"), "phone": N_("手机号由%(before)s改为%(after)s")}
    return T_(
        "已修改账号信息：%(changes)s",
        changes=joined(
            [T_(words[key], before=was, after=to) for key, (was, to) in update.changes.items()], "；"
        ),
    )


# ---------------------------------------------------------------------------------------------------
# Transfers
# ---------------------------------------------------------------------------------------------------


@bp.post("/transfers")
@staff_required(OrgKind.ENTERPRISE)
def request_transfer() -> Response:
    """From the account form: ask the enterprise holding this identity to release the account."""
    try:
        transfer = service.request_transfer(db.session, current_actor(), form_input(ApplicantDraft), now())
    except ValidationFailed as invalid:
        return _applicants_page(errors=invalid.fields, form=request.form.to_dict(), status=422)
    text = T_(
        "已向“%(org)s”提出转入申请；原单位放行后，%(name)s的账号将转到本单位",
        org=transfer.from_org.name,
        name=transfer.user.name,
    )
    if wants_fragment():
        return _applicants_page(message=text)
    notify(text, "success")
    return see_other(url_for("enterprise.list_transfers"))


@bp.get("/transfers")
@staff_required(OrgKind.ENTERPRISE)
def list_transfers() -> Response:
    incoming, outgoing = service.transfers_of(db.session, current_actor())
    return render_page("pages/enterprise/list_transfers.html", incoming=incoming, outgoing=outgoing)


def _decided(run: Callable[[], object], done: str) -> Response:
    return steps.run_step(run, back=url_for("enterprise.list_transfers"), done=done)


@bp.post("/transfers/<int:transfer_id>/release")
@staff_required(OrgKind.ENTERPRISE)
def release_transfer(transfer_id: int) -> Response:
    return _decided(
        lambda: service.release_transfer(db.session, current_actor(), transfer_id, now()),
        N_("已同意转出，该申报人的账号已转到新单位（本单位的历史记录保留）"),
    )


@bp.post("/transfers/<int:transfer_id>/refuse")
@staff_required(OrgKind.ENTERPRISE)
def refuse_transfer(transfer_id: int) -> Response:
    note = request.form.get("note", "")
    return _decided(
        lambda: service.refuse_transfer(db.session, current_actor(), transfer_id, note, now()),
        N_("已告知对方单位不同意转出"),
    )


@bp.post("/transfers/<int:transfer_id>/cancel")
@staff_required(OrgKind.ENTERPRISE)
def cancel_transfer(transfer_id: int) -> Response:
    return _decided(
        lambda: service.cancel_transfer(db.session, current_actor(), transfer_id, now()), N_("已撤销转入申请")
    )
