"""A meeting's results (issue 22.6): after the result notice (评审结果公示, ≥ the profile's working days,
objections handled by services.notices) the committee office's leader confirms the meeting's results, the
pass rate against its setting shown first (CHAN-06, 004 一(七)); the bureau's title office publishes them
(003 六(二)); the province numbers the e-certificate and the bureau enters that number.

Guarantees: nothing is confirmed while an entry's result notice still runs (every entry still in the
meeting is then refused together, audited, nothing changed); a pass rate over the meeting's setting is
confirmed only with a written note; a failure is confirmed with the vote's totals as its reason (it is on
the applicant's timeline); each step on the meeting is a compare-and-set (two clicks: one effect); a
certificate number is entered once, never two applications with the same number. Services flush, never
commit.
Transitions caused: result_noticed → result_confirmed (CONFIRM_PASS) or not_passed (CONFIRM_FAIL),
result_confirmed → result_published (PUBLISH_RESULT), result_published → certified (RECORD_CERTIFICATE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_, Clause, joined
from portal.domain.workflow import FINAL_STATUSES, Action, Status
from portal.models import Application, EntryResult, Meeting, MeetingEntry, MeetingStatus, OrgKind, StaffRole
from portal.services import applications, audit, committees, meetings, transitions, votes
from portal.services.actors import Actor


def _notice_running(session: Session, meeting: Meeting) -> str | None:
    """Who on the agenda has not yet come through the result notice, as the refusal says it, or None. The
    clause is the result notice's in the profile of the committee's bureau (Zhenjiang's 003 六(二),
    Dongchuan's 004 一(一)), left out where it has none."""
    waiting = [
        e
        for e in meeting.entries
        if e.application.state not in FINAL_STATUSES and e.application.state is not Status.RESULT_NOTICED
    ]
    if not waiting:
        return None
    names = joined(e.application.applicant.name for e in waiting)
    _profile, rules = committees.rules_for(session, meeting.committee.bureau)
    clause = rules.result_notice_workdays.citation if rules is not None else ""
    if not clause:
        return T_(
            "%(names)s的评审结果公示尚未结束（或尚未发布），公示期满且异议处理完毕后才能确认结果", names=names
        )
    return T_(
        "%(names)s的评审结果公示尚未结束（或尚未发布），公示期满且异议处理完毕后才能确认结果（%(clause)s）",
        names=names,
        clause=Clause(clause),
    )


def why_not_confirm(session: Session, meeting: Meeting) -> str | None:
    """What stops the office's leader confirming a tallied meeting's results now, or None.

    The meeting page shows it beside a disabled 确认评审结果: the leader no longer types a note and
    confirms a dialog only to be told the result notice has not ended (and lose the note).
    """
    return _notice_running(session, meeting) if meeting.state is MeetingStatus.TALLIED else None


def confirm_results(session: Session, actor: Actor, meeting_id: int, note: str, now: datetime) -> Meeting:
    """The office's leader confirms every result of a tallied meeting whose result notice has ended: a pass
    goes to the title office, a failure ends the application with the totals as its reason. Entries ended
    by an upheld objection in the notice are left as they are."""
    meeting = meetings._mine(session, actor, meeting_id)
    if actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("评审结果由办事机构领导确认"))
    note = note.strip()
    if len(note) > 500:
        raise ValidationFailed({"note": T_("说明不能超过500字（现有%(n)s字）", n=len(note))})
    if meeting.state is not MeetingStatus.TALLIED:
        meetings._refuse(
            session, actor, meeting, "confirm_results", "not_tallied",
            T_("会议%(title)s，没有待确认的评审结果", title=meeting.state.title), now,
        )  # fmt: skip
    live = [e for e in meeting.entries if e.application.state not in FINAL_STATUSES]
    why = _notice_running(session, meeting)
    if why is not None:
        meetings._refuse(session, actor, meeting, "confirm_results", "notice_running", why, now)
    rate = votes.pass_rate(session, meeting)
    if rate.over and not note:
        meetings._refuse(
            session, actor, meeting, "confirm_results", "over_pass_rate",
            T_(
                "通过率%(percent)s%%高于本次设定的%(limit)s%%（%(clause)s），确认前须写明说明",
                percent=rate.percent, limit=rate.limit, clause=Clause(rate.clause),
            ) if rate.clause else T_(
                "通过率%(percent)s%%高于本次设定的%(limit)s%%，确认前须写明说明",
                percent=rate.percent, limit=rate.limit,
            ), now,
        )  # fmt: skip
    meetings._advance(
        session, meeting, {MeetingStatus.TALLIED}, status=MeetingStatus.CONFIRMED.value,
        confirmed_by_id=actor.user_id, confirmed_at=now, confirm_note=note,
    )  # fmt: skip
    for entry in live:
        if entry.result == EntryResult.PASSED.value:
            transitions.apply(session, actor, entry.application, Action.CONFIRM_PASS, now)
        else:
            words = votes.entry_words(session, meeting, entry.id)
            transitions.apply(session, actor, entry.application, Action.CONFIRM_FAIL, now, reason=words)
    audit.record(
        session, actor, "confirm_results", now, object_type="meeting", object_id=meeting.id, reason=note,
        detail={"passed": rate.passed, "total": rate.total, "limit": rate.limit},
    )  # fmt: skip
    return meeting


def publish_results(
    session: Session, actor: Actor, meeting_id: int, document_no: str, now: datetime
) -> Meeting:
    """The bureau's leader (the title office) publishes a confirmed meeting's passes under a document
    number (文号, 003 六(二)); each passed application then waits for its certificate number."""
    meeting = meetings.get_meeting(session, actor, meeting_id)
    if not (actor.org_kind is OrgKind.BUREAU and actor.org_id == meeting.committee.bureau_id):
        raise PermissionDenied(N_("评审结果由人社局职称办公布"))
    if actor.staff_role is not StaffRole.LEADER:
        raise PermissionDenied(N_("评审结果由人社局领导签发公布"))
    document_no = document_no.strip()
    if not document_no:
        raise ValidationFailed({"document_no": N_("请填写公布评审结果的文号")})
    if len(document_no) > 60:
        raise ValidationFailed({"document_no": T_("文号不能超过60字（现有%(n)s字）", n=len(document_no))})
    if meeting.state is not MeetingStatus.CONFIRMED:
        meetings._refuse(
            session, actor, meeting, "publish_results", "not_confirmed",
            T_("会议%(title)s，评审结果须经评委会办事机构确认后才能公布", title=meeting.state.title), now,
        )  # fmt: skip
    meetings._advance(
        session, meeting, {MeetingStatus.CONFIRMED}, status=MeetingStatus.PUBLISHED.value,
        published_by_id=actor.user_id, published_at=now, document_no=document_no,
    )  # fmt: skip
    for entry in meeting.entries:
        if entry.application.state is Status.RESULT_CONFIRMED:
            transitions.apply(
                session, actor, entry.application, Action.PUBLISH_RESULT, now, reason=document_no
            )
    audit.record(
        session,
        actor,
        "publish_results",
        now,
        object_type="meeting",
        object_id=meeting.id,
        reason=document_no,
    )
    return meeting


def record_certificate(
    session: Session,
    actor: Actor,
    application_id: int,
    number: str,
    now: datetime,
    *,
    expected_version: int | None = None,
) -> Application:
    """The bureau's staff enter the province's e-certificate number of a published pass (the review page's
    录入证书编号 form goes through the same rulebook): a malformed number or one another application holds
    is refused (audited) and nothing changes."""
    return applications.act(
        session, actor, application_id, Action.RECORD_CERTIFICATE, now,
        expected_version=expected_version, certificate_no=number,
    )  # fmt: skip


@dataclass(frozen=True)
class ResultSheet:
    """The committee's result of one application (评审结果, 003 六(二)), as the dossier shows it once the
    title office published the meeting's results: the vote's totals, the outcome, the document number."""

    committee: str
    held_on: date
    present: int
    yes: int
    no: int
    abstain: int
    passed: bool
    words: str  # the totals and the threshold in words (services.votes.entry_words)
    document_no: str
    published_at: datetime
    certificate_no: str | None


def result_sheet(session: Session, application: Application) -> ResultSheet | None:
    """The result sheet of the application's meeting once its results are published (None before, or for an
    application no meeting decided). Only totals: ballots are secret."""
    entry = session.scalars(
        select(MeetingEntry)
        .join(Meeting, Meeting.id == MeetingEntry.meeting_id)
        .where(
            MeetingEntry.application_id == application.id,
            Meeting.status == MeetingStatus.PUBLISHED.value,
        )
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).first()
    if entry is None:
        return None
    meeting = entry.meeting
    assert meeting.published_at is not None
    return ResultSheet(
        committee=meeting.committee.name, held_on=meeting.held_on, present=meeting.present or 0,
        yes=entry.yes, no=entry.no, abstain=entry.abstain, passed=entry.result == EntryResult.PASSED.value,
        words=votes.entry_words(session, meeting, entry.id), document_no=meeting.document_no or "",
        published_at=meeting.published_at, certificate_no=application.certificate_no,
    )  # fmt: skip
