"""The committee road's screens (issue 22.4-22.6): the office plans a meeting, puts on its agenda the
applications whose 评前公示 has passed, draws the panel from its expert pool (seeded, with recusal), files
the preparation with the bureau by the deadline the profile sets (the clause shown), opens and closes the
secret vote (only totals are ever shown), sees the pass rate before it confirms the results; the bureau
accepts or refuses the filing and publishes the results. The experts acknowledge the conditions and vote on
their own page.

Thin views: load (the service's scoping helper), check and call (the service, which refuses with a
reason and audits), respond (the page, or its named block for htmx; 303 after a plain POST). A refusal is
answered on the page with its reason and nothing is changed (portal/web/steps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from flask import Response, request, url_for
from flask_login import login_required

from portal.documents.certificates import table_xlsx
from portal.domain.errors import DomainError, ValidationFailed
from portal.domain.i18n import N_, NT_, T_, joined
from portal.domain.policy import LEVELS
from portal.extensions import db
from portal.models import BallotChoice, Meeting, MeetingStatus, OrgKind, StaffRole
from portal.services import certificate_numbers, confirmations, results, seats, votes
from portal.services import meetings as service
from portal.services.calendar import today
from portal.web import poll_shortcut, steps
from portal.web import series as series_words
from portal.web.committees import bp
from portal.web.context import current_account, current_actor, now
from portal.web.downloads import send_temporary_file
from portal.web.forms import as_id, form_input
from portal.web.guards import staff_required
from portal.web.htmx import not_modified, render_page, see_other, wants_fragment
from portal.web.i18n import current_language, notify
from portal.web.once import once_per_form
from portal.web.unit_of_work import discard

OFFICE = (StaffRole.HANDLER, StaffRole.LEADER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
T = TypeVar("T")


def _ids(name: str) -> list[int]:
    return [i for i in (as_id(raw) for raw in request.form.getlist(name)) if i is not None]


# --- the meetings list ---------------------------------------------------------------------------------


def _tab() -> str:
    tab = request.args.get("tab", "all")
    return tab if tab in service.Tab.TABS else "all"


def _list_tag() -> tuple[str, service.ListVersion]:
    """The list's ETag — the meetings counter of the reader's bureau, the reader, the tab, the language —
    with the counter it was read from."""
    actor = current_actor()
    version = service.list_version(db.session, actor)
    return f"meetings-{version}-{actor.user_id}-{actor.org_id}-{_tab()}-{current_language().value}", version


def _list_page(
    *, errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    actor = current_actor()
    tag, _version = _list_tag()  # read before the list: a write in between makes the next poll fetch it again
    listed = service.meetings_of(db.session, actor, _tab())
    response = render_page(
        "pages/committees/list_meetings.html",
        fragment="meetings",
        status=status,
        listed=listed,
        tabs=service.Tab.TABS,
        can_plan=actor.org_kind is OrgKind.COMMITTEE,
        filing_hint=service.filing_hint(db.session, actor) if actor.org_kind is OrgKind.COMMITTEE else None,
        review_hint=service.review_deadline_hint(db.session, actor, now())
        if actor.org_kind is OrgKind.COMMITTEE
        else None,
        errors=errors or {},
        form=form or {},
        etag=tag,
    )
    if status == 200:
        response.set_etag(tag)
    return response


@bp.get("/meetings")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def list_meetings() -> Response:
    """The meetings list; its htmx poll (every 15 s) is a 304 from one counter read while nothing changed,
    and the next identical poll is answered before Flask (web/poll_shortcut.py) while the counter holds.
    The tag names no time, so it holds until the counter moves; the hour is only a bound on memory."""
    tag, version = _list_tag()
    if wants_fragment():
        poll_shortcut.remember(tag, version.counters, now() + timedelta(hours=1), current_account())
    if request.if_none_match.contains_weak(tag):  # weak: gzip marks it so
        return not_modified(tag)
    return _list_page()


MEETING_HEADERS = ("会议日期", "会议地点", "评委会", "议程人数", "报备截止日", "依据", "状态", "证书编号录入")


@bp.get("/meetings.xlsx")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def export_meetings() -> Response:
    """The meetings list as shown (the same tab), as Excel: no one's personal data, so a plain GET. A
    published meeting's row says, as its row on the page, how far its certificate numbers are entered (the
    list's own count: one grouped statement for all of them); other rows leave that column empty."""
    listed = service.meetings_of(db.session, current_actor(), _tab())
    rows = (
        (m.held_on, m.place, m.committee.name, len(m.entries), m.filing_due, m.filing_clause, m.state.title)
        + ((listed.numbers[m.id].words,) if m.id in listed.numbers else ("",))
        for m in listed.meetings
    )
    path = table_xlsx("评审会议", MEETING_HEADERS, rows)
    return send_temporary_file(path, "评审会议.xlsx", XLSX)


@bp.post("/meetings")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
@once_per_form(lambda: url_for("committees.list_meetings"))  # a new meeting per post: once per form (17.2)
def plan_meeting() -> Response:
    try:
        meeting = service.plan_meeting(db.session, current_actor(), form_input(service.MeetingInput), now())
    except ValidationFailed as invalid:
        return discard(_list_page(errors=invalid.fields, form=request.form.to_dict(), status=422))
    notify(N_("已安排评审会议，报备截止日已按政策配置算出"), "success")
    return see_other(url_for("committees.show_meeting", meeting_id=meeting.id))


# --- one meeting -----------------------------------------------------------------------------------------


def _meeting_page(
    meeting_id: int, *, errors: dict[str, str] | None = None, status: int = 200, fragment: str | None = None
) -> Response:
    actor = current_actor()
    meeting = service.get_meeting(db.session, actor, meeting_id)
    office = actor.org_id == meeting.committee.office_id
    state = meeting.state
    preparing = state in service.EDITABLE
    try:
        items = service.filing_items(db.session, meeting)
    except DomainError:
        items = []  # a bureau without a committee road: nothing to file against
    panel = votes.panel(db.session, meeting)
    tallied = state in (MeetingStatus.TALLIED, MeetingStatus.CONFIRMED, MeetingStatus.PUBLISHED)
    candidates = service.agenda_candidates(db.session, actor, meeting) if office and preparing else []
    return render_page(
        "pages/committees/show_meeting.html",
        fragment=fragment,
        status=status,
        meeting=meeting,
        office=office,
        leader=actor.staff_role is StaffRole.LEADER,
        preparing=office and preparing,
        candidates=candidates,
        # Each step offered is one it may take now; otherwise the page says why (no refusal after a confirm).
        draw_blocked=votes.why_not_draw(meeting) if office and preparing else None,
        filing_blocked=service.why_not_file(db.session, meeting, now()) if office and preparing else None,
        # 取消会议: before filing, the office's staff; accepted, its leader (until the vote opens).
        can_cancel=office and service.may_cancel(actor, meeting),
        cancel_leader=office and state in service.LEADER_CANCELS and service.why_not_cancel(meeting) is None,
        # 撤回备案: the office's leader while the bureau has not decided; the filings withdrawn before.
        can_withdraw=office
        and actor.staff_role is StaffRole.LEADER
        and service.why_not_withdraw(meeting) is None,
        withdraw_warning=service.withdrawal_warning(meeting, now()) if office else None,
        withdrawals=service.withdrawals(db.session, meeting),
        cancellation=service.cancellation(db.session, meeting),  # its former agenda and panel, if cancelled
        confirm_blocked=results.why_not_confirm(db.session, meeting) if office else None,
        blocked=confirmations.agenda_notes(db.session, candidates),  # 004 一(五): shown before adding
        items=items,
        review_warning=service.review_deadline_warning(db.session, meeting),  # 003 三(二): warns only
        panel=panel,
        gone=votes.gone_members(panel),  # drawn, since taken out of the pool: flagged, to be replaced
        # Before the vote opens: the quorum against the panel as filed (deactivated members count, absent).
        quorum=votes.quorum(db.session, meeting) if office and state is MeetingStatus.ACCEPTED else None,
        open_blocked=votes.why_not_open_yet(meeting, now()) if state is MeetingStatus.ACCEPTED else None,
        study=votes.study_clause(db.session, meeting),  # the experts' confirmed study (CHAN-06), if asked
        check=votes.verify_draw(db.session, meeting) if meeting.draw_seed else None,
        cast=votes.ballots_cast(db.session, meeting) if state is MeetingStatus.VOTING else 0,
        rate=votes.pass_rate(db.session, meeting) if tallied else None,
        rate_clause=votes.pass_rate_clause(db.session, meeting) if office and preparing else "",
        words={e.id: votes.entry_words(db.session, meeting, e.id) for e in meeting.entries}
        if tallied
        else {},
        can_decide_filing=not office and state is MeetingStatus.FILED,
        can_publish=not office and actor.staff_role is StaffRole.LEADER and state is MeetingStatus.CONFIRMED,
        can_import_numbers=certificate_numbers.can_import(actor, meeting),
        numbers=certificate_numbers.numbers_entered(meeting),  # once published: entered, left, awaiting
        errors=errors or {},
        form=_page_form(meeting),
        states=MeetingStatus,
    )


def _page_form(meeting: Meeting) -> dict[str, object]:
    """The values of the page's forms: each starts from the meeting as saved (an ISO date is a form
    value, never text), and a refused form (the POST answered with its errors) shows what was typed in
    it. Only the refused form's own fields are taken from the post: a refused 取消会议 once came back
    with the 会议筹备 form empty, and the next 保存 wiped the saved plan and pass rate."""
    form: dict[str, object] = {
        "held_on": meeting.held_on.isoformat(),
        "place": meeting.place,
        "plan": meeting.plan,
        "pass_rate_limit": meeting.pass_rate_limit or "",
        "size": meeting.panel_size or 7,
    }
    if request.method == "POST":
        form.update(request.form.to_dict())  # the fields the refused form sent, and no other form's
        if request.endpoint == "committees.open_voting":
            # The experts ticked present (a list): the absent are not ticked again behind the leader's back.
            form["present"] = request.form.getlist("present")
    return form


def _back(meeting_id: int, anchor: str) -> str:
    return url_for("committees.show_meeting", meeting_id=meeting_id) + anchor


@bp.get("/meetings/<int:meeting_id>")
@staff_required(OrgKind.BUREAU, OrgKind.COMMITTEE, roles=OFFICE)
def show_meeting(meeting_id: int) -> Response:
    return _meeting_page(meeting_id, fragment=request.args.get("block") if request.args.get("block") in (
        "agenda", "panel", "vote") else None)  # fmt: skip


def _step(meeting_id: int, anchor: str, call: Callable[[], T], done: str | Callable[[T], str]) -> Response:
    """Run one step of the meeting and come back to its section (portal/web/steps.py)."""
    return steps.run_step(
        call,
        back=_back(meeting_id, anchor),
        page_with_errors=lambda errors: _meeting_page(meeting_id, errors=errors, status=422),
        done=done,
    )


@bp.post("/meetings/<int:meeting_id>/plan")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def save_plan(meeting_id: int) -> Response:
    data = form_input(service.PlanInput)
    return _step(
        meeting_id, "#plan", lambda: service.save_plan(db.session, current_actor(), meeting_id, data, now()),
        N_("已保存会议筹备情况"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/agenda")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def add_to_agenda(meeting_id: int) -> Response:
    try:
        outcome = service.add_to_agenda(
            db.session, current_actor(), meeting_id, _ids("application_ids"), now()
        )
    except DomainError as refused:
        return steps.refused(_back(meeting_id, "#agenda"), refused)
    if outcome.done:
        notify(T_("已列入议程 %(n)d 人", n=len(outcome.done)), "success")
    for row in outcome.failed:  # per-row results: the others were added
        notify(T_("%(person)s：%(why)s", person=row.name, why=row.why), "error")
    return see_other(_back(meeting_id, "#agenda"))


@bp.post("/meetings/<int:meeting_id>/agenda/<int:application_id>/remove")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def remove_from_agenda(meeting_id: int, application_id: int) -> Response:
    return _step(
        meeting_id, "#agenda",
        lambda: service.remove_from_agenda(db.session, current_actor(), meeting_id, application_id, now()),
        N_("已移出议程"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/draw")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
@once_per_form(
    lambda meeting_id: _back(meeting_id, "#panel"),
    load=lambda meeting_id: service.get_meeting(db.session, current_actor(), meeting_id),
)  # a draw replaces the panel: a re-draw is a new rendering of the form, never its replay (17.2)
def draw_panel(meeting_id: int) -> Response:
    size = as_id(request.form.get("size"))
    if size is None or size > 999:
        return discard(_meeting_page(meeting_id, errors={"size": N_("请填写抽取人数（奇数）")}, status=422))
    seed = request.form.get("seed", "")[:32]
    return _step(
        meeting_id, "#panel",
        lambda: votes.draw_panel(db.session, current_actor(), meeting_id, size, now(), seed=seed),
        N_("已随机抽取评审专家，抽取种子已记录，可据此复核"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/file")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def file_meeting(meeting_id: int) -> Response:
    return _step(
        meeting_id, "#filing", lambda: service.file_meeting(db.session, current_actor(), meeting_id, now()),
        N_("已报人社局备案，待确认"),
    )  # fmt: skip


def _reasoned_step(
    meeting_id: int, field: str, anchor: str, call: Callable[[str], T], done: str | Callable[[T], str]
) -> Response:
    """A step taken with a written reason (the form's ``field``); a refusal keeps the reason typed."""
    reason = request.form.get(field, "")
    return _step(meeting_id, anchor, lambda: call(reason), done)


def _cancelled_words(done: service.Cancelled) -> str:
    """The message of a cancel, saying only what it did: the agenda returned and the experts released (how
    many of each, where there were any), who was told of an accepted meeting's cancellation; just that it
    is cancelled when the meeting had neither agenda nor panel."""
    parts: list[str] = []
    if done.returned:
        parts.append(
            NT_(
                "议程中的%(num)d份申报已退回待列入评审会议",
                "议程中的%(num)d份申报已退回待列入评审会议",
                done.returned,
            )
        )
    if done.released:
        parts.append(NT_("抽取的%(num)d名专家已释放", "抽取的%(num)d名专家已释放", done.released))
    if done.accepted:
        parts.append(N_("人社局和专家已收到通知") if done.experts_told else N_("人社局已收到通知"))
    if not parts:
        return N_("已取消评审会议")
    what = joined(parts, "，")
    return (
        T_("已取消已备案的评审会议：%(what)s", what=what)
        if done.accepted
        else T_("已取消评审会议：%(what)s", what=what)
    )


@bp.post("/meetings/<int:meeting_id>/cancel")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def cancel_meeting(meeting_id: int) -> Response:
    """Cancel a meeting not yet filed, or one accepted whose vote has not opened (a reason required)."""
    return _reasoned_step(
        meeting_id, "cancel_reason", "",
        lambda reason: service.cancel_meeting(db.session, current_actor(), meeting_id, reason, now()),
        _cancelled_words,
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/withdraw")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def withdraw_filing(meeting_id: int) -> Response:
    """Withdraw a filing the bureau has not decided (a reason required)."""
    return _reasoned_step(
        meeting_id, "withdraw_reason", "#filing",
        lambda reason: service.withdraw_filing(db.session, current_actor(), meeting_id, reason, now()),
        N_("已撤回备案：会议回到筹备中，可修改后重新报备，或取消会议"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/filing")
@staff_required(OrgKind.BUREAU, roles=OFFICE)
def decide_filing(meeting_id: int) -> Response:
    accept, note = request.form.get("decision") == "accept", request.form.get("note", "")
    return _step(
        meeting_id, "#filing",
        lambda: service.decide_filing(db.session, current_actor(), meeting_id, accept, note, now()),
        N_("已确认备案") if accept else N_("已不予备案，办事机构将按意见修改后重新报备"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/open")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def open_voting(meeting_id: int) -> Response:
    present = _ids("present")
    return _step(
        meeting_id, "#vote",
        lambda: votes.open_voting(db.session, current_actor(), meeting_id, present, now()),
        N_("表决已开始：出席专家在“我的评审会议”页面投票"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/close")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def close_voting(meeting_id: int) -> Response:
    return _step(
        meeting_id, "#vote", lambda: votes.close_voting(db.session, current_actor(), meeting_id, now()),
        N_("已计票；请发布评审结果公示，期满后确认结果"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/confirm")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def confirm_results(meeting_id: int) -> Response:
    note = request.form.get("note", "")
    return _step(
        meeting_id, "#results",
        lambda: results.confirm_results(db.session, current_actor(), meeting_id, note, now()),
        N_("已确认评审结果，待人社局公布"),
    )  # fmt: skip


@bp.post("/meetings/<int:meeting_id>/publish")
@staff_required(OrgKind.BUREAU, roles=OFFICE)
def publish_results(meeting_id: int) -> Response:
    number = request.form.get("document_no", "")
    return _step(
        meeting_id, "#results",
        lambda: results.publish_results(db.session, current_actor(), meeting_id, number, now()),
        N_("已公布评审结果；通过人员待录入省统一证书编号"),
    )  # fmt: skip


# --- the expert pool -------------------------------------------------------------------------------------


def _pool_filters(values: dict[str, str]) -> dict[str, str]:
    """The pool's filters as the page (query) or the export (form) sends them, bounded."""
    filters = {k: (values.get(k) or "").strip()[:50] for k in ("series", "specialty", "q")}
    standing = values.get("standing", "")
    filters["standing"] = standing if standing in votes.Standing.CHOICES else ""
    return filters


def _subject_options() -> dict[str, object]:
    """The expert forms' lists: the series as the start form offers them (English beside the Chinese) and
    those the committee's applications use, and the specialties the committee receives."""
    known = votes.office_subjects(db.session, current_actor())
    offered = series_words.suggestions()
    listed = {o.value for o in offered}
    more = [series_words.SeriesOption(name, name) for name in known.series if name not in listed]
    return {"series_options": offered + more, "specialty_options": known.specialties}


def _expert_input() -> votes.ExpertInput:
    """The form as typed (the service takes a series typed in English back as its Chinese name)."""
    return form_input(votes.ExpertInput)


def _experts_page(
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    created: votes.AddedExpert | None = None,
    status: int = 200,
) -> Response:
    filters = _pool_filters(request.args.to_dict())
    actor, moment = current_actor(), now()
    return render_page(
        "pages/committees/list_experts.html",
        fragment="pool",
        status=status,
        experts=votes.experts_of(db.session, actor, **filters, day=today(moment)),
        health=votes.pool_health(db.session, actor, moment),
        flags=votes.subject_flags(db.session, actor),
        **_subject_options(),
        today=today(moment),
        levels=LEVELS,
        filters=filters,
        errors=errors or {},
        form=form or {"appointed_on": today(moment).isoformat()},  # a new appointment starts today
        created=created,
    )


@bp.get("/experts")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def list_experts() -> Response:
    return _experts_page()


@bp.post("/experts")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def add_expert() -> Response:
    try:
        added = votes.add_expert(db.session, current_actor(), _expert_input(), now())
    except ValidationFailed as invalid:
        return discard(_experts_page(errors=invalid.fields, form=request.form.to_dict(), status=422))
    # A new login's first password is shown once, on this answer (as for staff accounts), not redirected.
    return _experts_page(created=added)


def _expert_page(expert_id: int, *, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    moment = now()
    expert = votes.get_expert(db.session, current_actor(), expert_id)
    return render_page(
        "pages/committees/show_expert.html",
        status=status,
        expert=expert,
        ended=votes.term_ended(expert, today(moment)),
        flags=votes.subject_flags(db.session, current_actor()).get(expert.id, {}),
        seats=votes.open_seats(db.session, expert),  # the panels a deactivation leaves to replace
        voting=MeetingStatus.VOTING,
        **_subject_options(),
        levels=LEVELS,
        errors=errors or {},
        form=request.form.to_dict() if request.method == "POST" else {},
    )


@bp.post("/experts.xlsx")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def export_experts() -> Response:
    """The pool as filtered on the page, as Excel: names and employers of who may judge, so a POST
    (audited by the service), like every download of people's details."""
    filters = _pool_filters(request.form.to_dict())
    rows = votes.expert_rows(db.session, current_actor(), now(), filters=filters)
    path = table_xlsx("评审专家库", votes.EXPERT_HEADERS, rows)
    return send_temporary_file(path, "评审专家库.xlsx", XLSX)


@bp.get("/experts/<int:expert_id>")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def show_expert(expert_id: int) -> Response:
    """One expert of the pool: their term (renewed here) and the level of their title (filled in here)."""
    return _expert_page(expert_id)


@bp.post("/experts/<int:expert_id>/renew")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def renew_expert(expert_id: int) -> Response:
    return steps.run_step(
        lambda: votes.renew_expert(
            db.session, current_actor(), expert_id, form_input(votes.TermInput), now()
        ),
        back=url_for("committees.show_expert", expert_id=expert_id),
        done=N_("已续聘：新的任期已记录"),
        page_with_errors=lambda fields: _expert_page(expert_id, errors=fields, status=422),
    )


@bp.post("/experts/<int:expert_id>/level")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def set_expert_level(expert_id: int) -> Response:
    level = request.form.get("title_level", "")
    return steps.run_step(
        lambda: votes.set_title_level(db.session, current_actor(), expert_id, level, now()),
        back=url_for("committees.show_expert", expert_id=expert_id),
        done=N_("已记录现有职称层级"),
        page_with_errors=lambda fields: _expert_page(expert_id, errors=fields, status=422),
    )


@bp.post("/experts/<int:expert_id>/subject")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def set_expert_subject(expert_id: int) -> Response:
    series = request.form.get("series", "")
    specialty = request.form.get("specialty", "")
    return steps.run_step(
        lambda: votes.set_subject(db.session, current_actor(), expert_id, series, specialty, now()),
        back=url_for("committees.show_expert", expert_id=expert_id),
        done=N_("已修改系列 / 专业"),
        page_with_errors=lambda fields: _expert_page(expert_id, errors=fields, status=422),
    )


@bp.post("/experts/<int:expert_id>/deactivate")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def deactivate_expert(expert_id: int) -> Response:
    """Take an expert out of the pool (a reason required, confirmed first)."""
    reason = request.form.get("deactivation_reason", "")
    return steps.run_step(
        lambda: votes.deactivate_expert(db.session, current_actor(), expert_id, reason, now()),
        back=url_for("committees.show_expert", expert_id=expert_id),
        done=N_("已停用：该专家不再参加抽取；其所在的尚未表决的会议，请在会议页面重新抽取专家"),
        page_with_errors=lambda fields: _expert_page(expert_id, errors=fields, status=422),
    )


@bp.post("/experts/<int:expert_id>/restore")
@staff_required(OrgKind.COMMITTEE, roles=OFFICE)
def restore_expert(expert_id: int) -> Response:
    """Put a deactivated expert back in the pool (confirmed first)."""
    return steps.run_step(
        lambda: votes.restore_expert(db.session, current_actor(), expert_id, now()),
        back=url_for("committees.show_expert", expert_id=expert_id),
        done=N_("已恢复：该专家重新在专家库中"),
    )


# --- the expert's own pages ------------------------------------------------------------------------------


def _panels_page(*, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = current_actor()
    seats = [
        votes.member_for(db.session, actor, m.meeting_id) for m in votes.memberships_of(db.session, actor)
    ]
    return render_page(
        "pages/committees/my_panels.html",
        status=status,
        seats=seats,
        voted={m.id for m, seat in seats if votes.has_voted(db.session, seat)},
        voting=MeetingStatus.VOTING,
        over=(MeetingStatus.TALLIED, MeetingStatus.CONFIRMED, MeetingStatus.PUBLISHED),
        choices=list(BallotChoice),
        # What each meeting's experts confirm having studied: "" where the profile asks nothing (CHAN-06).
        pledges={meeting.id: votes.acknowledgement(db.session, meeting) for meeting, _seat in seats},
        errors=errors or {},
        # A refused ballot (one applicant left out) comes back with the expert's other choices kept.
        form=request.form.to_dict() if request.method == "POST" else {},
    )


@bp.get("/panels")
@login_required
def my_panels() -> Response:
    """The panels the logged-in expert sits on (an expert may hold no staff role: login is the guard;
    the service shows only the actor's own seats)."""
    return _panels_page()


def _seat_page(meeting_id: int, *, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    view = seats.seat(db.session, current_actor(), meeting_id)  # NotFound (404) unless the actor sits on it
    meeting = view.meeting
    return render_page(
        "pages/committees/show_panel.html",
        status=status,
        view=view,
        meeting=meeting,
        seat=view.member,
        # The card's forms (partials/seat_actions.html) read these as 我的评审会议 passes them.
        voted={meeting.id} if view.voted else set(),
        pledges={meeting.id: view.pledge},
        voting=MeetingStatus.VOTING,
        over=seats.COUNTED,
        choices=list(BallotChoice),
        errors=errors or {},
        form=request.form.to_dict() if request.method == "POST" else {},
    )


@bp.get("/panels/<int:meeting_id>")
@login_required
def show_panel(meeting_id: int) -> Response:
    """The expert's own page of one meeting they sit on: the agenda, their steps, the totals once counted
    (another panel's meeting, a deactivated expert's, anyone not on the panel: 404)."""
    return _seat_page(meeting_id)


def _seat_return(meeting_id: int, anchor: str) -> tuple[str, str]:
    """Where an expert's step goes back to (a refusal) and on to (done): the meeting's own page when the
    form came from it and the seat still opens it, else 我的评审会议's card as before."""
    if request.form.get("from") == "meeting" and seats.holds_seat(db.session, current_actor(), meeting_id):
        page = url_for("committees.show_panel", meeting_id=meeting_id)
        return page, page + anchor
    return url_for("committees.my_panels"), url_for("committees.my_panels") + f"#seat-{meeting_id}"


@bp.post("/panels/<int:meeting_id>/acknowledge")
@login_required
def acknowledge(meeting_id: int) -> Response:
    back, then = _seat_return(meeting_id, "#vote")
    return steps.run_step(
        lambda: votes.acknowledge(db.session, current_actor(), meeting_id, now()),
        back=back,
        then=then,
        done=N_("已确认学习评价标准条件"),
    )


@bp.post("/panels/<int:meeting_id>/ballot")
@login_required
def cast_ballot(meeting_id: int) -> Response:
    choices = {
        entry_id: value
        for key, value in request.form.items()
        if key.startswith("choice_") and (entry_id := as_id(key.removeprefix("choice_"))) is not None
    }
    back, then = _seat_return(meeting_id, "#vote")
    on_meeting = back != url_for("committees.my_panels")
    return steps.run_step(
        lambda: votes.cast_ballot(db.session, current_actor(), meeting_id, choices, now()),
        back=back,
        then=then,
        page_with_errors=lambda errors: (
            _seat_page(meeting_id, errors=errors, status=422)
            if on_meeting
            else _panels_page(errors=errors, status=422)
        ),
        done=N_("已投票。您的选择不记名保存，任何人只能看到汇总票数"),
    )
