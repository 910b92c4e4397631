"""A case as one actor sees it (issue 18, item 6): everything a page shows and offers about one
application, computed by one service call into one typed view, so the page renders it instead of
assembling it from fifteen calls. What the actor may do comes from the rulebook (`offers`); what they may
see (the full ID number, the paper follow-up, the endorsement controls) is decided here, not in templates.

Two views: :func:`review_case` for a reviewer (the review page), :func:`applicant_case` for the applicant
on their own application (the applicant's page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from portal.domain.corrections import Change, Choice
from portal.domain.i18n import T_
from portal.domain.materials import Gap, Source
from portal.domain.policy import Threshold
from portal.domain.roster import RosterMatch
from portal.domain.workflow import Action, Status
from portal.models import (
    Application,
    CertificateLookup,
    CommitteeException,
    Correction,
    Notice,
    UnitOpinion,
)
from portal.services import (
    applications,
    certificates,
    committee_exceptions,
    committees,
    corrections,
    eligibility,
    endorsements,
    forms,
    handoff_profiles,
    materials,
    meetings,
    notices,
    packages,
    paper,
    policies,
    printing,
    results,
    rosters,
    rulebook,
    staffing,
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
    batch: str  # the batch it was submitted in, by name ("" before its first submission)
    return_choices: list[Choice]  # what a return may name: sections, rows, flat parts, slots (issue 21.4)
    printed: printing.PrintedForm  # the 申报表 in the province's order (issue 21.7)
    opinion: UnitOpinion | None  # the unit's opinion (基层单位意见, issue 21.8)
    can_record_opinion: bool
    notice_outcome: str  # for the opinion, from the notice record (PUB-05)
    opinion_clauses: unit_opinions.OpinionClauses  # what the opinion's hint cites: the profile's, or none
    originals_refusal: str | None  # why the originals' ZIP is not this actor's (None: it is)
    routing: committees.Routing | None = None  # 送评委会评审 is offered: the committees it may go to
    result_sheet: results.ResultSheet | None = None  # the committee's published result (评审结果)
    # The meeting whose agenda holds it: a meeting's step (公布评审结果…) is done on that meeting's page.
    meeting_id: int | None = None
    # The bureau admin's exception to one committee a year (CHAN-01, 原则上): who, when, why.
    committee_exception: CommitteeException | None = None
    # What the exception's line cites: the profile's CHAN-01 (Zhenjiang's 003 四), "" where it has none.
    committee_exception_clause: str = ""
    # The provincial system's result imported on the hand-off page (its certificate number beside ours).
    provincial: handoff_profiles.ProvincialCertificate | None = None

    @property
    def notice_closed(self) -> bool:
        return self.notice is not None and self.notice.closed_at is not None

    @property
    def notice_overruled(self) -> bool:
        """Its unit's notice ended over objections found unfounded (the history's step says so): the status
        line says that, not 公示无异议."""
        return any(e.overruled for e in self.timeline)

    @property
    def return_prefill(self) -> dict[str, object]:
        """What the 退回补正 form starts with when the dossier lacks a required material while the actor may
        return it: each such slot ticked, with why it is asked for (the reviewer may untick or reword it),
        so the return lists what the approving steps' buttons say is missing (walk5, finding 2)."""
        if not any(o.action is Action.RETURN and o.available for o in self.offers):
            return {}
        missing = [g for g in self.checklist.gaps if g.slot.source is Source.UPLOAD]
        return {
            "sections": [g.slot.section_key for g in missing],
            **{f"reason_{g.slot.section_key}": T_("%(why)s，请补传", why=g.why) for g in missing},
        }

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
    evaluation = eligibility.evaluate(session, application, now)
    return ReviewCase(
        application=application,
        offers=offers,
        full_identity=sees_full_identity(actor, application),
        evaluation=evaluation,
        timeline=timeline,
        route=route_view(application, timeline, blocked=staffing.reviewer_words(session, application, now)),
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
        batch=policies.batch_title(
            evaluation.profile, application.batch_id, application.authority_code, application.batch_name
        )
        if application.batch_id
        else "",
        return_choices=corrections.return_choices(session, application),
        # The ID number masked: staff reveal it on request, audited (the identity block of the page).
        printed=printing.printed_form(session, None, application),
        opinion=unit_opinions.opinion_of(session, application.id),
        can_record_opinion=unit_opinions.may_record(actor, application),
        notice_outcome=unit_opinions.notice_outcome(session, application.id),
        opinion_clauses=unit_opinions.clauses_under(evaluation.profile),
        originals_refusal=packages.originals_refusal(actor, application),
        routing=committees.routing(session, application, now) if sending else None,
        result_sheet=results.result_sheet(session, application),
        meeting_id=meetings.meeting_id_of(session, application.id),
        committee_exception=committee_exceptions.exception_for(session, application.id),
        committee_exception_clause=committee_exceptions.exception_clause(evaluation.profile),
        provincial=handoff_profiles.provincial_certificate(session, application),
    )


@dataclass(frozen=True)
class ApplicantCase:
    """The applicant's own application as they see it now, with what they may do to it (the rulebook's
    offers) and what the page asks before a submission; the page renders it and decides nothing."""

    application: Application
    offers: list[rulebook.Offer]
    timeline: list[TimelineEntry]
    route: RouteView
    evaluation: eligibility.Evaluation  # of the saved form, or of the values being typed
    checklist: materials.Checklist
    missing: list[str]  # the 申报表's required fields and sections still empty (their titles)
    editable: bool  # the 申报表 may be changed now (a draft, or returned for correction)
    can_copy_previous: bool  # a draft that may start from the applicant's previous application
    correction: Correction | None  # the open correction list (退回补正), if any
    deadline: corrections.DeadlineView | None  # of that correction
    section_titles: dict[str, str]  # the title of each key its items name (a row, a part, a slot)
    notice: Notice | None
    notice_clock: notices.NoticeClock | None
    certificate: bool  # the electronic certificate may be downloaded (issued, not revoked)
    lookups: list[CertificateLookup]  # the certificate's recent public verifications
    provincial: handoff_profiles.ProvincialCertificate | None  # the provincial system's result
    result_sheet: results.ResultSheet | None = None  # the committee's published result (评审结果)

    @property
    def notice_overruled(self) -> bool:
        """Its unit's notice ended over objections found unfounded (the history's step says so): the status
        line says that, not 公示无异议."""
        return any(e.overruled for e in self.timeline)

    @property
    def submission(self) -> rulebook.Offer | None:
        """The submit (or resubmit) offer: the form with the pre-check, the acknowledgement and replies."""
        return next((o for o in self.offers if o.form is rulebook.Form.SUBMISSION), None)

    @property
    def other_offers(self) -> list[rulebook.Offer]:
        """The offers that are one button (withdraw, …)."""
        return [o for o in self.offers if o.form is not rulebook.Form.SUBMISSION]

    @property
    def missing_before_submit(self) -> list[str]:
        """The form's empty required fields, said next to the submit button (only while it is offered)."""
        return self.missing if self.submission is not None else []

    @property
    def gaps_before_submit(self) -> list[Gap]:
        """The materials still missing, said next to the actions (only while a submission is offered)."""
        return list(self.checklist.gaps) if self.submission is not None else []

    @property
    def window_message(self) -> str:
        """Why a first submission would be outside a window (and the next one), else ""."""
        offer = self.submission
        return self.evaluation.window_message if offer is not None and offer.action is Action.SUBMIT else ""

    @property
    def asks_responses(self) -> bool:
        """A resubmission replies item by item to the correction list (17.1)."""
        offer = self.submission
        return offer is not None and offer.action is Action.RESUBMIT and self.correction is not None

    @property
    def blocked(self) -> bool:
        """A finding 不符合 stands: the submission is refused (said in the form)."""
        return bool(self.evaluation.blocks)

    @property
    def asks_acknowledgement(self) -> bool:
        """Warnings without a block: the submission asks for a written acknowledgement of them."""
        return not self.evaluation.blocks and bool(self.evaluation.warnings)


def applicant_case(
    session: Session,
    actor: Actor,
    application_id: int,
    now: datetime,
    typed: forms.FormState | None = None,
) -> ApplicantCase:
    """The applicant's own application (NotFound for any other), with the rulebook's offers and the
    eligibility findings of the saved form, or of ``typed`` values (the live pre-check). Read only."""
    application = get_application(session, actor, application_id)
    timeline = applications.timeline(session, actor, application.id)
    notice = notices.notice_of_application(session, actor, application.id)  # read only: the job closes it
    correction = corrections.open_correction(session, application.id)
    certified = application.certificate_no is not None
    return ApplicantCase(
        application=application,
        offers=rulebook.offers(session, actor, application, now),
        timeline=timeline,
        route=route_view(application, timeline, blocked=staffing.applicant_words(session, application, now)),
        evaluation=eligibility.evaluate(session, application, now, typed),
        checklist=materials.checklist(
            session,
            actor,
            application,
            now,
            notice_closed=notice is not None and notice.closed_at is not None,
        ),
        missing=applications.missing_for_submit(session, application),
        editable=applications.is_editable(application),
        can_copy_previous=application.state is Status.DRAFT
        and applications.previous_application(session, application) is not None,
        correction=correction,
        deadline=corrections.deadline_view(session, correction, now) if correction else None,
        section_titles=corrections.item_titles(session, application) if correction else {},
        notice=notice,
        notice_clock=notices.notice_clock(session, notice, now) if notice is not None else None,
        certificate=certified and application.certificate_revoked_at is None,
        lookups=certificates.lookups_for(session, actor, application.id) if certified else [],
        provincial=handoff_profiles.provincial_certificate(session, application),
        result_sheet=results.result_sheet(session, application),
    )
