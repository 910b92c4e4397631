"""An expert's own page of one meeting they sit on (我的评审会议 → the meeting): what they need to review
and do there, and nothing they should not see.

The agenda (each applicant's name, unit, series, specialty and level: no identity number, no phone), the
study to confirm where the bureau's profile asks it (CHAN-06), the ballot while the vote is open and they
were registered present, and once the vote is counted each application's totals and result. Ballots are
secret: only the totals the count wrote on the agenda's entries are shown, never who voted what (the
ballots carry no name). The seat is the one `votes.member_for` finds: an expert of the panel still active
in the pool, on a meeting whose filing the bureau has accepted; anyone else (another panel's expert, a
deactivated one, staff, an applicant) finds no such meeting (NotFound, a 404).

When: the page (and the meeting's card on 我的评审会议) opens from the bureau's acceptance of the filing,
the moment the experts are told (`meetings.decide_filing` sends the draw's notice, linking here). While the
meeting is prepared, filed and awaiting the bureau, refused, or withdrawn to be filed again, the draw is the
office's working list: it can be drawn again, or the meeting cancelled and the panel released, and who was
drawn is not told to anyone, the drawn expert included — so their page is a 404 then, exactly as for a
meeting they do not sit on (`votes.SEEN_BY_PANEL`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.models import Meeting, MeetingStatus, PanelMember
from portal.services import votes
from portal.services.actors import Actor

# The meeting's states once the vote is counted: the totals are on the entries, the ballot is over.
COUNTED = (MeetingStatus.TALLIED, MeetingStatus.CONFIRMED, MeetingStatus.PUBLISHED)
# Before the vote opens (the filing accepted: earlier the page does not open): the ballot comes here then.
BEFORE_VOTE = (MeetingStatus.ACCEPTED,)


@dataclass(frozen=True)
class Seat:
    """One expert's seat on one meeting, with what their page shows and offers."""

    meeting: Meeting
    member: PanelMember
    voted: bool  # their receipt exists (never what they chose)
    pledge: str  # the study they confirm ("" where the profile asks none)
    counted: bool  # the vote is counted: each entry's totals and result are shown
    before_vote: bool  # the vote has not opened yet


def seat(session: Session, actor: Actor, meeting_id: int) -> Seat:
    """The actor's seat on the meeting, as their page shows it; NotFound unless they sit on its panel, are
    active in the pool and the bureau has accepted the meeting's filing."""
    meeting, member = votes.member_for(session, actor, meeting_id)
    state = meeting.state
    return Seat(
        meeting=meeting,
        member=member,
        voted=votes.has_voted(session, member),
        pledge=votes.acknowledgement(session, meeting),
        counted=state in COUNTED,
        before_vote=state in BEFORE_VOTE,
    )


def holds_seat(session: Session, actor: Actor, meeting_id: int) -> bool:
    """Whether the actor's page of this meeting opens (an active expert of its panel, the filing accepted)."""
    return any(m.meeting_id == meeting_id for m in votes.memberships_of(session, actor))
