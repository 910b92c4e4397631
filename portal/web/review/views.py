"""Review queues for every reviewing organisation, the review page, and the actions on one application."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, abort, request, url_for

from portal.documents.certificates import QUEUE_HEADERS, table_xlsx
from portal.domain import glossary
from portal.domain.errors import DomainError, StaleObject, ValidationFailed
from portal.domain.i18n import N_, NT_, T_, joined
from portal.domain.identity import mask_id_number
from portal.domain.workflow import Action
from portal.extensions import db
from portal.models import OrgKind, Recommendation, RecommendationMethod, UnitOpinion
from portal.services import applications as applications_service
from portal.services import cases, corrections, notices, queues, unit_opinions
from portal.services.calendar import SHANGHAI
from portal.services.scope import get_application, note_identity_view, sees_full_identity
from portal.web import poll_shortcut, steps
from portal.web.context import current_account, current_actor, now
from portal.web.downloads import Counted, send_temporary_file
from portal.web.forms import form_input, id_field, id_list, version_field
from portal.web.guards import staff_required
from portal.web.htmx import hx_target, hx_trigger, not_modified, render_page, see_other, wants_fragment
from portal.web.i18n import notify, translate_plain
from portal.web.notice_documents import result_pdf_response
from portal.web.redirects import safe_target
from portal.web.review import bp
from portal.web.unit_of_work import discard


def _tab() -> queues.Tab:
    try:
        return queues.Tab(request.args.get("tab") or queues.home_tab(current_actor()).value)
    except ValueError:
        abort(404)


@bp.get("/queue")
@staff_required()
def show_queue() -> Response:
    actor = current_actor()
    tab = _tab()
    filters = queues.Filters.from_args(request.args)
    cursor = request.args.get("after")
    moment = now()
    # A poll of one fragment computes only that fragment: the list polls every 15 s, the tabs too; and
    # an unchanged poll is answered from the organisation's change counter alone, before any row.
    part = ("counts" if hx_target() == "queue-counts" else "queue") if wants_fragment() else "page"
    tags = queues.tags(db.session, actor, tab, filters, cursor, moment)
    etag = tags.of(part)
    if part != "page":  # the next identical poll is answered before Flask while nothing changes
        poll_shortcut.remember(etag, tags.counters, tags.valid_until, current_account())
    if request.if_none_match.contains_weak(etag):  # weak: gzip marks it so
        return not_modified(etag)
    page = queues.queue(
        db.session,
        actor,
        tab,
        filters,
        moment,
        cursor=cursor,
        with_rows=part != "counts",
        with_counts=part != "queue",
        with_options=part == "page",
        page_tags=tags,
    )
    response = render_page(
        "pages/review/show_queue.html",
        fragment=None if part == "page" else part,
        # The bulk bar's choice is the rows' (QueuePage.bulk_actions) but sits outside the polled list.
        also=("bulk_choice",) if part == "queue" else (),
        page=page,
        rows=page.rows,
        tabs=list(queues.Tab),
        home_tab=queues.home_tab(actor),  # where new work arrives for this reader (the empty list says so)
        levels=applications_service.LEVELS,
        statuses=glossary.status_choices(),
    )
    response.set_etag(etag)
    return response


def _review_page(
    application_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    status: int = 200,
    paper_errors: dict[str, str] | None = None,
    paper_form: dict[str, object] | None = None,
    opinion_errors: dict[str, str] | None = None,
    opinion_form: dict[str, str] | None = None,
    revealed: bool = False,
    fragment: str | None = None,
) -> Response:
    """The review page renders one typed view of the case (services.cases.review_case)."""
    case = cases.review_case(db.session, current_actor(), application_id, now())
    return render_page(
        "pages/review/show_application.html",
        fragment=fragment,
        status=status,
        revealed=revealed,
        case=case,
        # The paper block is also rendered alone (review/paper.py), from these two.
        application=case.application,
        paper_view=case.paper,
        result_url=url_for("review.download_notice_result", application_id=case.application.id),
        seal_url=url_for("enterprise.show_seal"),
        section_titles=corrections.item_titles(db.session, case.application),
        errors=errors or {},
        form=form or _return_form(case),
        paper_errors=paper_errors or {},
        paper_form=paper_form or {},
        opinion_errors=opinion_errors or {},
        opinion_form=opinion_form or _opinion_values(case.opinion),
        methods=[(m.value, m.title) for m in RecommendationMethod],
        recommendations=[(r.value, r.title) for r in Recommendation],
    )


def _opinion_values(opinion: UnitOpinion | None) -> dict[str, str]:
    if opinion is None:
        return {}
    return {
        "evaluation": opinion.evaluation,
        "method": opinion.method,
        "participants": opinion.participants,
        "participants_count": str(opinion.participants_count),
        "votes_for": "" if opinion.votes_for is None else str(opinion.votes_for),
        "recommendation": opinion.recommendation,
        "formation": opinion.formation,
        "assessment": opinion.assessment,
        "assessment_passed": "yes" if opinion.assessment_passed else "no",
    }


@bp.post("/applications/<int:application_id>/opinion")
@staff_required(OrgKind.ENTERPRISE)
def record_opinion(application_id: int) -> Response:
    """The unit's opinion (基层单位意见, EXP-04): recorded by the enterprise's handler or leader."""
    try:
        unit_opinions.record_opinion(
            db.session, current_actor(), application_id, form_input(unit_opinions.OpinionInput), now()
        )
    except ValidationFailed as invalid:
        return _review_page(
            application_id, opinion_errors=invalid.fields, opinion_form=request.form.to_dict(), status=422
        )
    except DomainError as refused:
        return steps.refused(url_for("review.show_application", application_id=application_id), refused)
    notify(N_("基层单位意见已保存"), "success")
    return see_other(url_for("review.show_application", application_id=application_id) + "#unit-opinion")


def _return_form(case: cases.ReviewCase) -> dict[str, object]:
    """The 退回补正 form as first shown: the default deadline, and the missing slots ticked with their reason
    in the reader's language (the service's `return_prefill`), as text the reviewer may edit."""
    prefill = {
        key: value if key == "sections" else translate_plain(value)
        for key, value in case.return_prefill.items()
    }
    return {"deadline": case.default_deadline.isoformat(), **prefill}


@bp.get("/applications/<int:application_id>")
@staff_required()
def show_application(application_id: int) -> Response:
    """The case, the ID number masked: a GET writes nothing, so it shows nothing that must be audited."""
    return _review_page(application_id)


@bp.post("/applications/<int:application_id>/identity")
@staff_required()
def reveal_identity(application_id: int) -> Response:
    """The full ID number for the applicant's own enterprise staff, asked for with a button: audited in
    this transaction, then shown (htmx: the number alone; without JS: the page, in this response)."""
    actor = current_actor()
    application = get_application(db.session, actor, application_id)
    if not sees_full_identity(actor, application):
        abort(403)
    note_identity_view(db.session, actor, application, now())  # audited: committed with the request
    return _review_page(application_id, revealed=True, fragment="identity")


@bp.post("/applications/<int:application_id>/return")
@staff_required()
def return_application(application_id: int) -> Response:
    """A return listing every item to correct at once, with a deadline (一次性告知)."""
    ticked = request.form.getlist("sections")
    items = {key: request.form.get(f"reason_{key}", "") for key in ticked}
    unticked = tuple(
        name.removeprefix("reason_")
        for name, reason in request.form.items()
        if name.startswith("reason_") and reason.strip() and name.removeprefix("reason_") not in items
    )
    data = corrections.ReturnInput(
        items,
        request.form.get("deadline", ""),
        confirm_belated=request.form.get("confirm_belated") == "1",
        unticked=unticked,
    )
    try:
        corrections.return_for_correction(
            db.session, current_actor(), application_id, data, now(), expected_version=version_field()
        )
    except ValidationFailed as invalid:
        form = {**request.form.to_dict(), "sections": ticked}
        return _review_page(application_id, errors=invalid.fields, form=form, status=422)
    except DomainError as refused:
        return steps.refused(url_for("review.show_application", application_id=application_id), refused)
    notify(N_("已退回补正，申报人将收到完整的补正清单"), "success")
    return see_other(url_for("review.show_queue"))


@bp.post("/applications/<int:application_id>/act")
@staff_required()
def act(application_id: int) -> Response:
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        abort(400)
    actor = current_actor()
    reason = request.form.get("reason", "")
    back = _safe_back(request.form.get("back"))
    try:
        applications_service.act(
            db.session,
            actor,
            application_id,
            action,
            now(),
            expected_version=version_field(),
            reason=reason,
            committee_id=id_field("committee_id"),
            certificate_no=request.form.get("certificate_no", "")[:60],
            verified=request.form.get("verified") == "1",
        )
    except DomainError as refused:
        status = 409 if isinstance(refused, StaleObject) else 422
        if wants_fragment():
            row = queues.queue_row(db.session, actor, application_id, now())
            return render_page(
                "pages/review/show_queue.html",
                fragment="rows",
                status=status,
                rows=[row],
                row_error=refused.message,
                reason=reason,
            )
        notify(refused.message, "error")
        return discard(see_other(back))
    if wants_fragment():
        row = queues.queue_row(db.session, actor, application_id, now())
        response = render_page(
            "pages/review/show_queue.html",
            fragment="rows",
            rows=[row],
            row_notice=action.done,
        )
        return hx_trigger(response, "application-changed")
    notify(action.done, "success")
    return see_other(back)


# The applications a bulk action's flashes name one by one (done, and refused with their reason).
BULK_NAMED = 10


@bp.post("/bulk")
@staff_required()
def bulk_act() -> Response:
    """Many rows, one action: each checked by the same guards; the failures are listed with their reason."""
    try:
        action = Action(request.form.get("action", ""))
    except ValueError:
        abort(400)
    ids = id_list("ids")
    back = _safe_back(request.form.get("back"))
    try:
        outcome = applications_service.act_many(
            db.session, current_actor(), ids, action, now(), verified=request.form.get("verified") == "1"
        )
    except DomainError as refused:
        return steps.refused(back, refused)
    # A page holds 50 rows, and a name may run to 100 characters: the flashes name the first few, count the
    # rest (the session cookie carrying them holds 4 KB; notify keeps it there whatever comes).
    done = [name for _, name in outcome.done]
    if len(done) > BULK_NAMED:
        notify(
            NT_(
                "%(done)s：%(names)s等%(num)d件",
                "%(done)s：%(names)s等%(num)d件",
                len(done),
                done=action.done,
                names=joined(done[:BULK_NAMED]),
            ),
            "success",
        )
    elif done:
        notify(T_("%(done)s：%(names)s", done=action.done, names=joined(done)), "success")
    for _, name, why in outcome.failed[:BULK_NAMED]:
        notify(T_("%(name)s未能办理：%(why)s", name=name or N_("（无权查看的申报）"), why=why), "error")
    if len(outcome.failed) > BULK_NAMED:
        rest = len(outcome.failed) - BULK_NAMED
        notify(
            NT_(
                "另有%(num)d件未能办理，原因见各件申报的页面。",
                "另有%(num)d件未能办理，原因见各件申报的页面。",
                rest,
            ),
            "error",
        )
    response = see_other(back)
    return hx_trigger(response, "application-changed")


def _safe_back(value: str | None) -> str:
    return safe_target(value, url_for("review.show_queue"))


@bp.get("/applications/<int:application_id>/notice-result.pdf")
@staff_required()
def download_notice_result(application_id: int) -> Response:
    """The notice result sheet (公示结果) of the notice this application was in, once it has closed."""
    notice = notices.notice_of_application(db.session, current_actor(), application_id)
    if notice is None or notice.closed_at is None:
        abort(404)
    return result_pdf_response(notice)


@bp.post("/queue.xlsx")
@staff_required()
def export_queue() -> Response:
    """The queue as filtered on screen (tab and filters in the query string), every page of it, as Excel
    (the same query as the list). A POST: a bulk download, audited (a write; never on a GET)."""
    actor = current_actor()
    moment = now()
    tab = _tab()
    filters = queues.Filters.from_args(request.args)
    full_ids = 0

    def rows() -> Iterator[tuple[object, ...]]:
        nonlocal full_ids
        for a, batch in queues.export_rows(db.session, actor, tab, filters, moment):
            full = sees_full_identity(actor, a)
            full_ids += full
            yield (
                a.applicant.name,
                a.applicant.id_number if full else mask_id_number(a.applicant.id_number),
                a.enterprise.name,
                a.series,
                a.specialty,
                a.level,
                glossary.status_words(a.status, a.road_taken).title,  # as the row's badge: by its road
                batch,
                a.status_changed_at.astimezone(SHANGHAI),
                (moment - a.status_changed_at).days,
                a.counted_returns,
            )

    written = Counted(rows())
    path = table_xlsx("审核队列", QUEUE_HEADERS, written)
    try:
        queues.record_export(db.session, actor, tab, filters, written.count, full_ids, moment)
        db.session.flush()  # the audit event is in: a failure here leaves no file behind
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return send_temporary_file(
        path, "审核队列.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@bp.get("/statistics")
@staff_required()
def show_statistics() -> Response:
    filters = queues.Filters.from_args(request.args)
    stats = queues.statistics(db.session, current_actor(), filters, now())
    return render_page(
        "pages/review/show_statistics.html",
        stats=stats,
        filters=filters,
        levels=applications_service.LEVELS,
        # the by-status chart colours each bar as the status badge of that status
        status_tones=glossary.status_tones(),
    )
