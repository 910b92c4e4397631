"""A case as one reviewer sees it (issue 18, item 6): everything the review page shows and offers about
one application, computed by one service call into one typed view, so the page renders it instead of
assembling it from fifteen calls. What the actor may do comes from the rulebook (`offers`); what they may
see (the full ID number, the paper follow-up, the endorsement controls) is decided here, not in templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.domain.corrections import Change, Choice
from portal.domain.policy import Threshold
from portal.domain.roster import RosterMatch
from portal.domain.workflow import Action, Status
from portal.models import Application, Correction, Notice, UnitOpinion
from portal.services import (
    applications,
    certificates,
    committees,
    corrections,
    eligibility,
    endorsements,
    materials,
    notices,
    packages,
    paper,
    printing,
    rosters,
    rulebook,
    unit_opinions,
)
from portal.services.actors import Actor
from portal.services.applications import TimelineEntry
from portal.services.progress import RouteView, route_view
from portal.services.scope import get_application, sees_full_identity


@dataclass(frozen=True)
class ReviewCase:
    """One application as a reviewer sees it now, with what they may do to it."""

    application: Application
    offers: list[rulebook.Offer]
    full_identity: bool  # the full ID number, not the mask (the applicant's own enterprise's staff)
    evaluation: eligibility.Evaluation
    timeline: list[TimelineEntry]
    route: RouteView
    changes: list[Change]  # what the applicant changed since the last return
    history: list[Correction]
    return_limit: Threshold | None
    roster: RosterMatch
    default_deadline: date  # of a return's correction list
    paper: paper.PaperView | None
    notice: Notice | None
    notice_clock: notices.NoticeClock | None
    checklist: materials.Checklist
    can_endorse: bool  # check copies against their originals and stamp them
    can_revoke_endorsement: bool
    can_fill_for_applicant: bool  # HR fills in the 申报表 on the applicant's behalf (audited)
    has_seal: bool  # the actor's organisation has a seal image for stamping copies
    new_materials: frozenset[int]  # materials uploaded since the last return
    authority: str  # the certifying authority (services.certificates.certifying_authority)
    return_choices: list[Choice]  # what a return may name: sections, rows, flat parts, slots (issue 21.4)
    printed: printing.PrintedForm  # the 申报表 in the province's order (issue 21.7)
    opinion: UnitOpinion | None  # the unit's opinion (基层单位意见, issue 21.8)
    can_record_opinion: bool
    notice_outcome: str  # for the opinion, from the notice record (PUB-05)
    originals_refusal: str | None  # why the originals' ZIP is not this actor's (None: it is)
    routing: committees.Routing | None = None  # 送评委会评审 is offered: the committees it may go to

    @property
    def notice_closed(self) -> bool:
        return self.notice is not None and self.notice.closed_at is not None

    @property
    def forward_waits_for_notice(self) -> bool:
        """The unit's notice still runs: 报送 only once it has ended (said where the button would be)."""
        return self.notice is not None and self.application.state is Status.IN_NOTICE


def review_case(session: Session, actor: Actor, application_id: int, now: datetime) -> ReviewCase:
    """The application as the reviewer may see it (NotFound for one they may not), with the rulebook's
    offers. Read only: a notice whose period has ended shows as closing until the scheduled job closes it."""
    application = get_application(session, actor, application_id)
    offers = rulebook.offers(session, actor, application, now, as_reviewer=True)
    sending = any(o.action is Action.SEND_TO_COMMITTEE for o in offers)
    notice = notices.notice_of_application(session, actor, application.id)  # read only: the job closes it
    timeline = applications.timeline(session, actor, application.id)
    notice_closed = notice is not None and notice.closed_at is not None
    return ReviewCase(
        application=application,
        offers=offers,
        full_identity=sees_full_identity(actor, application),
        evaluation=eligibility.evaluate(session, application, now),
        timeline=timeline,
        route=route_view(application, timeline),
        changes=corrections.changes_since_return(session, application),
        history=corrections.history(session, application.id),
        return_limit=corrections.return_limit(session, application),
        roster=rosters.matches_for(session, application.enterprise_id, [application.applicant])[
            application.applicant_id
        ],
        default_deadline=corrections.default_deadline(session, now),
        paper=paper.paper_view(session, actor, application, now),
        notice=notice,
        notice_clock=notices.notice_clock(session, notice, now) if notice is not None else None,
        checklist=materials.checklist(session, actor, application, now, notice_closed=notice_closed),
        can_endorse=endorsements.can_endorse(actor, application.enterprise_id, application.applicant_id)
        and application.state in endorsements.ENDORSABLE,
        can_revoke_endorsement=actor.is_staff and actor.org_id == application.enterprise_id,
        can_fill_for_applicant=actor.is_staff
        and applications.may_fill(actor, application)
        and applications.is_editable(application),
        has_seal=actor.org_id is not None and endorsements.current_seal(session, actor.org_id) is not None,
        new_materials=corrections.materials_since_return(session, application),
        authority=certificates.certifying_authority(session, application),
        return_choices=corrections.return_choices(session, application),
        # The ID number masked: staff reveal it on request, audited (the identity block of the page).
        printed=printing.printed_form(session, None, application),
        opinion=unit_opinions.opinion_of(session, application.id),
        can_record_opinion=unit_opinions.may_record(actor, application),
        notice_outcome=unit_opinions.notice_outcome(session, application.id),
        originals_refusal=packages.originals_refusal(actor, application),
        routing=committees.routing(session, application, now) if sending else None,
    )
