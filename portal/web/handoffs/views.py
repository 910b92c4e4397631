"""The hand-off page (what each target takes from this unit, one button to export it), the POST that
starts the export job, and the bureau admin's view of each hand-off profile with what is unconfirmed."""

from __future__ import annotations

from flask import Response, abort, request, url_for

from portal.domain.errors import DomainError, NotFound, ValidationFailed
from portal.domain.i18n import N_, NT_, joined
from portal.domain.identity import mask_id_number
from portal.domain.materials import SLOT_BY_KEY
from portal.extensions import db
from portal.services import handoff_profiles, handoff_results, handoffs
from portal.services.scope import get_application, note_identity_view, sees_full_identity
from portal.web import steps
from portal.web.context import current_actor, current_membership, now
from portal.web.guards import admin_required, staff_required
from portal.web.handoffs import bp
from portal.web.htmx import render_page, see_other
from portal.web.i18n import notify
from portal.web.once import created, once_per_form
from portal.web.storage import storage, uploaded_file


@bp.get("/")
@staff_required()
def show_handoffs() -> Response:
    """Per target: the applications this unit may hand off now (held here, past the stage it takes)."""
    return _handoffs_page()


def _handoffs_page(*, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    """The page; `errors` maps a target to why its results file was refused (shown at its file field)."""
    actor = current_actor()
    pages = [
        handoffs.exportable(db.session, actor, profile, after=_after(profile.id))
        for profile in handoffs.targets_of(db.session, actor)
    ]
    return render_page(
        "pages/handoffs/show_handoffs.html",
        pages=pages,
        is_handler=actor.staff_role.value == "handler",
        recent=handoffs.recent_exports(db.session, actor, now()),
        errors=errors or {},
        status=status,
    )


def _after(target: str) -> int | None:
    """Where the target's list continues (`?target=jx&after=<id>`: its pager); the others start at the top."""
    raw = request.args.get("after", "") if request.args.get("target") == target else ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@bp.post("/<target>/exports")
@staff_required()
@once_per_form(lambda **_: url_for("handoffs.show_handoffs"))
def start_export(target: str) -> Response:
    """Every application ticked (or all, when none is) as the target's ZIP, built by the worker."""
    actor = current_actor()
    ids = [int(v) for v in request.form.getlist("ids") if v.isascii() and v.isdigit() and len(v) < 10]
    membership = current_membership()
    try:
        job = handoffs.start_export(
            db.session, actor, target, ids or None, now(), membership_id=membership.id if membership else None
        )
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        return steps.refused(url_for("handoffs.show_handoffs"), invalid)
    return see_other(url_for("jobs.show_job", job_id=job.id))


@bp.get("/profiles")
@admin_required
def show_profiles() -> Response:
    """Each hand-off profile as loaded, and every value it infers (confirmed = false) with its TOML path."""
    return render_page(
        "pages/handoffs/show_profiles.html",
        profiles=list(handoff_profiles.profiles().values()),
        slot_titles={key: slot.title for key, slot in SLOT_BY_KEY.items()},  # our materials by name
    )


@bp.post("/<target>/results")
@staff_required()
@once_per_form(
    lambda **_: url_for("handoffs.show_handoffs"),
    again=lambda import_id, **_: url_for("handoffs.show_results", import_id=import_id),
)
def upload_results(target: str) -> Response:
    """The results Excel a provincial system exported: checked row by row; the preview page follows."""
    part = uploaded_file("file")
    try:
        record, _rows = handoff_results.check_results(
            db.session,
            storage(),
            current_actor(),
            target,
            part.data if part else b"",
            part.name if part else "",
            now(),
        )
    except NotFound:
        abort(404)
    except ValidationFailed as invalid:
        # Refused where it was chosen, 422: the file is not kept and nothing is recorded.
        return _handoffs_page(errors={target: joined(invalid.fields.values(), "；")}, status=422)
    created("handoff_import", record.id)  # a double click lands on this preview too
    return see_other(url_for("handoffs.show_results", import_id=record.id))


@bp.get("/results/<int:import_id>")
@staff_required()
def show_results(import_id: int) -> Response:
    """The preview: every row with its verdict, and the confirm button while it is still unapplied."""
    return steps.kept_preview(
        lambda: handoff_results.preview(db.session, storage(), current_actor(), import_id),
        back=url_for("handoffs.show_handoffs"),
        page=lambda found: render_page(
            "pages/handoffs/show_results.html", record=found[0], rows=found[1],
            system=handoffs.profile_of(found[0].target).system,
        ),
    )  # fmt: skip


@bp.post("/results/<int:import_id>/apply")
@staff_required()
@once_per_form(
    lambda import_id: url_for("handoffs.show_results", import_id=import_id),
    load=lambda import_id: handoff_results.get_import(db.session, current_actor(), import_id),
)
def apply_results(import_id: int) -> Response:
    """Record the matched rows, all in one transaction, as previewed."""
    try:
        count = handoff_results.apply_results(db.session, storage(), current_actor(), import_id, now())
    except NotFound:
        abort(404)
    except DomainError as refused:
        return steps.refused(url_for("handoffs.show_results", import_id=import_id), refused)
    notify(NT_("已登记 %(num)d 条结果", "已登记 %(num)d 条结果", count), "success")
    return see_other(url_for("handoffs.show_results", import_id=import_id))


# The copy helper glosses each field and section name of the target's form in English (`t_plain`): the
# profiles' labels are data (portal/handoffs/*.toml), so those no other page of ours says are marked here.
COPY_PAGE_LABELS = (
    N_("基本信息"),
    N_("出生年月"),
    N_("单位统一社会信用代码"),
    N_("申报信息"),
    N_("申报系列"),
    N_("申报专业"),
    N_("申报资格"),
    N_("评审委员会"),
    N_("学历学位信息"),
    N_("职业资格与继续教育"),
    N_("单位推荐及公示情况"),
    N_("单位推荐意见"),
)


@bp.get("/<target>/applications/<int:application_id>/copy")
@staff_required()
def show_copy_page(target: str, application_id: int) -> Response:
    """The copy helper: every field of the target's form in its order, each with a copy button. Any
    application in the staff member's scope (what the review page shows them). The ID number masked: a
    GET writes nothing, so it shows nothing that must be audited; the applicant's own unit asks for the
    full number with a button (reveal_copy_identity)."""
    return _copy_page(target, application_id)


@bp.post("/<target>/applications/<int:application_id>/copy/identity")
@staff_required()
def reveal_copy_identity(target: str, application_id: int) -> Response:
    """The copy helper with the full ID number to copy, for the applicant's own unit's staff only (as
    everywhere: scope.sees_full_identity), audited as a view of it (security-plan §3.2.8, T-PRIV-01)."""
    actor = current_actor()
    application = get_application(db.session, actor, application_id)
    if not sees_full_identity(actor, application):
        abort(403)
    note_identity_view(db.session, actor, application, now())  # audited: committed with the request
    return _copy_page(target, application_id, revealed=True)


def _copy_page(target: str, application_id: int, *, revealed: bool = False) -> Response:
    actor = current_actor()
    try:
        profile = handoffs.profile_of(target)
    except NotFound:
        abort(404)
    found = next((d for d in profile.documents if d.copy_page), None)
    if found is None:
        abort(404)
    application = get_application(db.session, actor, application_id)
    document = handoff_profiles.document_for(found, application)
    values = handoffs.values_of(db.session, application)
    masked = None
    if not revealed:
        values["applicant.id_number"] = masked = mask_id_number(application.applicant.id_number)
    sections, unplaced = handoffs.document_rows(document, values)
    return render_page(
        "pages/handoffs/show_copy_page.html",
        profile=profile,
        document=document,
        application=application,
        sections=sections,
        unplaced=unplaced,
        masked=masked,
        nothing=handoffs.NOTHING_TO_COPY,
        may_reveal=sees_full_identity(actor, application),
        revealed=revealed,
    )
