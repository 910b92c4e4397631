"""The step diagram of one application: the domain's route steps with the names of its own organisations.

portal.domain.progress decides which steps are done and who holds the application; this module adds what
only the database knows (the enterprise, department and bureau of this application's route, and where a
stopped application stopped, from its timeline) so the template only draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.i18n import N_, T_
from portal.domain.progress import NextStep, Progress, Step, progress
from portal.domain.workflow import HOLDER, Level, Role, Status
from portal.models import Application
from portal.services.applications import TimelineEntry

# Statuses only the committee road has (an application in one is on it, whatever its pathway says).
COMMITTEE_ONLY = frozenset(
    s.value for s, level in HOLDER.items() if level is Level.COMMITTEE or s.value.startswith("result_")
) | {Status.NOT_PASSED.value}


@dataclass(frozen=True)
class RouteView:
    progress: Progress
    org_names: dict[str, str]  # Level value -> this application's organisation at that level
    # Why the holder cannot act, in the reader's words (a Text: the web translates it); "" when it can.
    blocked: str = ""

    def org_of(self, step: Step) -> str:
        return self.org_names[step.level.value] if step.level else N_("申报人本人")

    @property
    def holder_text(self) -> str:
        """Who holds the application now, in words: organisation and role (a Text: the web translates it)."""
        p = self.progress
        if p.holder_role is Role.APPLICANT:
            return N_("申报人本人")
        if p.holder_level is None:
            return ""
        org = self.org_names[p.holder_level.value]
        if p.holder_role is None:
            notice = (Status.IN_NOTICE, Status.COMMITTEE_NOTICE, Status.RESULT_NOTICE)
            if p.status in notice:
                return T_("%(org)s（公示期间，无需办理）", org=org)
            return T_("%(org)s", org=org)
        return T_("%(org)s · %(role)s", org=org, role=p.holder_role.title)

    def move_text(self, move: NextStep | None) -> str:
        """A move of the route in words: who (organisation · role, or the applicant) and what."""
        if move is None:
            return ""
        if move.level is None:
            return T_("申报人本人：%(move)s", move=move.words)
        org = self.org_names[move.level.value]
        if move.role is Role.SYSTEM:
            return T_("%(org)s：%(move)s", org=org, move=move.words)
        return T_("%(org)s · %(role)s：%(move)s", org=org, role=move.role.title, move=move.words)

    @property
    def next_text(self) -> str:
        """What 下一步 says: the move after the one awaited now, from the transition table (issue 17.8)."""
        return self.move_text(self.progress.next)


def route_view(application: Application, timeline: list[TimelineEntry], *, blocked: str = "") -> RouteView:
    """The application's route as steps (done, current, next, stopped), with who holds it now and, in
    `blocked`, why the holder cannot act (the caller's words for its reader)."""
    status = application.state
    stopped_at: Status | None = None
    if status.is_final and timeline and timeline[-1].from_status:
        stopped_at = Status(timeline[-1].from_status)
    returned_from = Status(application.returned_from) if application.returned_from else None
    # The 评审 road once a committee holds it, or for a 评审 application still on its way there.
    committee = application.committee
    steps = progress(
        status,
        handler_signed=application.handler_signed_by_id is not None,
        returned_from=returned_from,
        stopped_at=stopped_at,
        committee=committee is not None or application.pathway == "评审" or status.value in COMMITTEE_ONLY,
    )
    names = {
        Level.ENTERPRISE.value: application.enterprise.name,
        Level.DEPARTMENT.value: application.department.name,
        Level.BUREAU.value: application.bureau.name,
        # No committee yet: a placeholder in words (a msgid, translated where shown), not an organisation.
        Level.COMMITTEE.value: committee.name if committee is not None else N_("评委会（人社局审核后确定）"),
    }
    return RouteView(steps, names, blocked)
