"""Change counters (portal.models.Version): what makes an unchanged queue poll a 304 from one indexed read
instead of the whole page's work (issue 20).

Guarantees:
- `org:<id>` goes up in the same transaction as any write to an application of that organisation
  (enterprise, department or bureau) or to what its queue rows show: the application itself, its
  materials and endorsements, its paper follow-up, notice entries, corrections and review steps. An ORM
  `after_flush` hook on every session notes what each flush wrote, and a `before_commit` hook bumps the
  noted counters once, at the end of the transaction, so no service can forget it; a bulk Core write
  (`session.execute(update(Application)…)`) must call `bump_applications` itself.
- `queues` goes up when a name a queue page shows changes (a user's, an organisation's, a batch's: any
  write to an admin's window row, since the filter's batch names come from them): rare, so every queue's
  version moves with it.
- `org:<id>` also goes up with any write to the organisation's staff (a membership added or ended, a
  stand-in named or revoked): a row of one's own case says whether the unit has another handler for it
  (services.staffing), and those words must not outlive the staff they were read from.
- `meetings:<bureau id>` goes up with any write to a review meeting of that bureau's committees or to its
  agenda (what the meetings list shows): ORM writes through the same hook; the meeting's compare-and-set
  (a Core update, services.meetings._advance) notes it with `note`, and so does the certificate number
  recorded for a passed person (services.applications.act: the list says how far they are entered).
- A counter only goes up; readers compare it with the value they saw. Concurrent bumps serialise on the
  row (an upsert). All of a transaction's bumps are made together just before it commits, in one fixed
  order of names: two transactions cannot deadlock on them (bumping after each flush could, when two
  transactions' flushes touch the same organisations in different orders), and the rows stay locked only
  for the commit itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.models import (
    Application,
    Committee,
    Correction,
    Endorsement,
    Material,
    Meeting,
    MeetingEntry,
    Membership,
    NoticeEntry,
    Organisation,
    PaperFollowup,
    PaperItem,
    PolicyWindow,
    ReviewStep,
    StandIn,
    User,
    Version,
)

QUEUES = "queues"  # every queue at once (a name shown in rows changed)

_SCOPE_COLUMNS = ("enterprise_id", "department_id", "bureau_id", "current_org_id")
_WITH_APPLICATION = (Material, PaperFollowup, NoticeEntry, Correction, ReviewStep)


def org(org_id: int) -> str:
    """The counter of the applications organisation `org_id` sees in its queues."""
    return f"org:{org_id}"


def meetings(bureau_id: int) -> str:
    """The counter of the review meetings of bureau `bureau_id`'s committees (the meetings lists)."""
    return f"meetings:{bureau_id}"


def note(session: Session, names: Iterable[str]) -> None:
    """Bump these counters when the transaction commits (for a Core write the flush hook cannot see)."""
    session.info.setdefault(_PENDING, set()).update(names)


def read(session: Session, names: Iterable[str]) -> dict[str, int]:
    """The current value of each name (0 for a name never bumped), in one statement."""
    wanted = sorted(set(names))
    found = dict(session.execute(select(Version.name, Version.value).where(Version.name.in_(wanted))).all())
    return {name: int(found.get(name, 0)) for name in wanted}


def bump(session: Session, names: Iterable[str]) -> None:
    """Add one to each counter (created at 1), in this transaction; one statement per name, in order."""
    upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    connection = session.connection()
    for name in sorted(set(names)):
        statement = upsert(Version).values(name=name, value=1)
        connection.execute(
            statement.on_conflict_do_update(index_elements=[Version.name], set_={"value": Version.value + 1})
        )


def bump_applications(session: Session, application_ids: Iterable[int]) -> None:
    """Bump the queues of every organisation that sees these applications (for bulk Core writes)."""
    ids = sorted(set(application_ids))
    if not ids:
        return
    orgs: set[int] = set()
    for row in session.execute(
        select(*(getattr(Application, c) for c in _SCOPE_COLUMNS)).where(Application.id.in_(ids))
    ):
        orgs.update(value for value in row if value is not None)
    bump(session, (org(o) for o in orgs))


def _changed_name(item: Any) -> bool:
    return bool(inspect(item).attrs.name.history.deleted)


_PENDING = "portal_versions_pending"


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """Flush what is left (its after_flush notes it), then bump every noted counter, in name order."""
    session.flush()
    names: set[str] = session.info.pop(_PENDING, set())
    if names:
        bump(session, names)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)  # the writes are gone, and so is the reason to bump


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    """Note the counters this flush's writes touch; `_before_commit` bumps them (module's guarantees)."""
    names: set[str] = set()
    application_ids: set[int] = set()
    materials: set[int] = set()
    followups: set[int] = set()
    committees: set[int] = set()
    meeting_ids: set[int] = set()
    stand_ins: set[int] = set()  # the memberships stood in for
    # Objects merely touched (an attribute set to the value it had) are in `dirty` too: not a change.
    changed = [item for item in session.dirty if session.is_modified(item, include_collections=False)]
    for item in (*session.new, *changed, *session.deleted):
        if isinstance(item, Application):
            state = inspect(item)
            for column in _SCOPE_COLUMNS:
                value = getattr(item, column)
                if value is not None:
                    names.add(org(value))
                names.update(org(old) for old in state.attrs[column].history.deleted if old is not None)
        elif isinstance(item, _WITH_APPLICATION):
            application_ids.add(item.application_id)
        elif isinstance(item, Endorsement):
            materials.add(item.material_id)
        elif isinstance(item, PaperItem):
            followups.add(item.followup_id)
        elif isinstance(item, Meeting):
            committees.add(item.committee_id)
        elif isinstance(item, MeetingEntry):
            meeting_ids.add(item.meeting_id)
        elif isinstance(item, Membership):
            names.add(org(item.org_id))
        elif isinstance(item, StandIn):
            stand_ins.add(item.membership_id)
        elif isinstance(item, User | Organisation) and item not in session.new and _changed_name(item):
            names.add(QUEUES)
        elif isinstance(item, PolicyWindow):
            names.add(QUEUES)  # a batch named, renamed or dropped: the queue filter's options name it
    if materials:
        application_ids.update(
            session.scalars(select(Material.application_id).where(Material.id.in_(sorted(materials))))
        )
    if followups:
        application_ids.update(
            session.scalars(
                select(PaperFollowup.application_id).where(PaperFollowup.id.in_(sorted(followups)))
            )
        )
    if stand_ins:
        names.update(
            org(o)
            for o in session.scalars(select(Membership.org_id).where(Membership.id.in_(sorted(stand_ins))))
        )
    if meeting_ids:
        committees.update(
            session.scalars(select(Meeting.committee_id).where(Meeting.id.in_(sorted(meeting_ids))))
        )
    if committees:
        names.update(
            meetings(b)
            for b in session.scalars(select(Committee.bureau_id).where(Committee.id.in_(sorted(committees))))
        )
    application_ids.discard(None)  # type: ignore[arg-type]
    if application_ids:
        for row in session.execute(
            select(*(getattr(Application, c) for c in _SCOPE_COLUMNS)).where(
                Application.id.in_(sorted(application_ids))
            )
        ):
            names.update(org(value) for value in row if value is not None)
    if names:
        session.info.setdefault(_PENDING, set()).update(names)
