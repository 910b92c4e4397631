"""Review queues: tabs (待初审 / 待签批 / 已退回 / 已通过 / 全部) with counts, filters and search that live in
the URL, keyset pagination ordered by waiting time, and a version tag so polling answers "nothing
changed" cheaply. Rows carry the actions the actor may take (computed here, not in templates).

The tags (`tags`) come from the organisation's change counter (services.versions), read in one
statement before anything else: a poll whose tag still matches is answered 304 without loading a row.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from cachetools import TTLCache
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased, lazyload

from portal.domain import glossary
from portal.domain.errors import PermissionDenied
from portal.domain.glossary import series_as_stored, state_title
from portal.domain.i18n import N_
from portal.domain.numbers import NotAWholeNumber, whole_number
from portal.domain.progress import Age, queue_age
from portal.domain.workdays import UnknownYear, WorkCalendar
from portal.domain.workflow import BULK_ACTIONS, COMMITTEE_ROAD, Action, Status
from portal.models import Application, Organisation, OrgKind, StaffRole, User
from portal.services import audit, materials, paper, policies, rulebook, staffing, versions
from portal.services.actors import Actor
from portal.services.calendar import SHANGHAI, today, work_calendar
from portal.services.keyset import beyond
from portal.services.keyset import decode as _decode
from portal.services.keyset import encode as _encode
from portal.services.rulebook import Form, Offer
from portal.services.scope import WITHOUT_LONG_TEXTS, get_application, visible_applications

PAGE_SIZE = 50

# The applicant and the enterprise a queue row names, joined as aliases built once (an alias builds its
# column proxies on first use: ~1 ms a request when made per request), so the name search's own
# subqueries on users never correlate with the join.
_APPLICANT = aliased(User, name="queue_applicant")
_ENTERPRISE = aliased(Organisation, name="queue_enterprise")


class Tab(StrEnum):
    HANDLER = "handler"
    LEADER = "leader"
    RETURNED = "returned"
    PASSED = "passed"
    ALL = "all"

    @property
    def title(self) -> str:
        return {
            "handler": N_("待初审"),
            "leader": N_("待签批"),
            "returned": N_("已退回"),
            "passed": N_("已通过"),
            "all": N_("全部"),
        }[self.value]


# What "passed by this organisation" means, per kind: the statuses beyond its own stage.
PASSED: dict[OrgKind, tuple[Status, ...]] = {
    OrgKind.ENTERPRISE: (
        Status.UNIT_APPROVED,
        Status.IN_NOTICE,
        Status.NOTICE_PASSED,
        Status.DEPT_REVIEW,
        Status.BUREAU_REVIEW,
        Status.CERTIFIED,
    ),
    OrgKind.DEPARTMENT: (Status.BUREAU_REVIEW, Status.CERTIFIED),
    OrgKind.BUREAU: (Status.CERTIFIED,),
    # The committee office: what it accepted, whatever the meeting made of it since.
    OrgKind.COMMITTEE: (*COMMITTEE_ROAD[1:], Status.CERTIFIED, Status.NOT_PASSED),
}


@dataclass(frozen=True)
class Filters:
    """Everything that narrows a queue; all of it round-trips through the URL."""

    series: str = ""
    level: str = ""
    enterprise_id: int | None = None
    status: str = ""
    min_days: int | None = None  # waiting at least this many working days (as the Waiting column counts)
    # What was typed for min_days when it is not a whole number (abc, -1): not applied, and the form shows
    # it again with the reason instead of an empty box and an unfiltered list without a word.
    days_not_read: str = ""
    q: str = ""  # applicant name, or the last characters of the ID number
    batch: str = ""
    newest_first: bool = False
    paper_overdue: bool = False  # 纸质材料逾期 (MAT-15)

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        def number(name: str) -> int | None:
            raw = (args.get(name) or "").strip()
            return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 9 else None

        status = (args.get("status") or "").strip()
        days_typed = (args.get("days") or "")[:20]
        try:  # ４０ as a Chinese IME in full-width mode types it is 40 (domain.numbers)
            min_days, days_not_read = whole_number(days_typed, max_digits=8), ""
        except NotAWholeNumber:
            min_days, days_not_read = None, days_typed.strip()
        return cls(
            series=(args.get("series") or "").strip()[:50],
            level=(args.get("level") or "").strip()[:10],
            enterprise_id=number("enterprise"),
            status=status if status in {s.value for s in Status} else "",
            min_days=min_days,
            days_not_read=days_not_read,
            q=(args.get("q") or "").strip()[:50],
            batch=(args.get("batch") or "").strip()[:40],
            newest_first=args.get("sort") == "newest",
            paper_overdue=args.get("paper") == "overdue",
        )

    def to_args(self) -> dict[str, str]:
        args = {
            "series": self.series,
            "level": self.level,
            "status": self.status,
            "q": self.q,
            "enterprise": str(self.enterprise_id or ""),
            "days": str(self.min_days or ""),
            "sort": "newest" if self.newest_first else "",
            "batch": self.batch,
            "paper": "overdue" if self.paper_overdue else "",
        }
        return {k: v for k, v in args.items() if v}

    @property
    def active(self) -> bool:
        return bool(replace(self, newest_first=False).to_args())

    @property
    def days_refusal(self) -> str:
        """Why 等待≥ was not applied, when what was typed there is not a whole number ("" otherwise)."""
        return N_("等待的工作日数应为整数，例如 5；本次未按此筛选") if self.days_not_read else ""


@dataclass(frozen=True)
class RowNote:
    """What a row without actions says instead: whose move it is (or why nobody's here), decided here."""

    text: str
    to_notices: bool = False  # links to the notices page (the handler drafts the notice there)


@dataclass(frozen=True)
class QueueRow:
    application: Application
    actions: list[Offer]  # from the rulebook: each available, or offered disabled with its reasons
    own: bool  # the reviewer's own application: someone else must act on it
    waiting_days: int = 0
    # Working days in the current step (None when the calendar lacks a year): the queue's ageing colour.
    waiting_workdays: int | None = None
    paper_overdue: bool = False  # a policy's paper follow-up is past its due day (issue 8.2)
    reviewer_kind: OrgKind | None = None  # the kind of organisation the queue belongs to
    # The names the row shows, selected with it (the applicant and the enterprise are not loaded).
    applicant_name: str = ""
    enterprise_name: str = ""
    # The case is with the reviewer's organisation and not finished: only then does its wait age here
    # (a case passed on waits in another queue, which colours it; a finished one waits on nobody).
    held_here: bool = True
    # One's own case at its unit step where the unit's staff cannot complete it without her: what the
    # unit lacks, and its row says so (services.staffing).
    shortage: staffing.Shortage | None = None

    @property
    def age(self) -> Age:
        return queue_age(self.waiting_workdays or 0) if self.held_here else Age.FRESH

    @property
    def finished(self) -> bool:
        """A final status (certified, rejected, withdrawn…): nothing is waited for, so no days are shown."""
        return self.application.state.is_final

    @property
    def note(self) -> RowNote:
        """The row's words when it offers no action: the notice step, one's own case, or whose move."""
        application = self.application
        if application.state is Status.UNIT_APPROVED and self.reviewer_kind is OrgKind.ENTERPRISE:
            return RowNote(N_("待起草公示"), to_notices=True)
        here = self.reviewer_kind is OrgKind.COMMITTEE
        if application.state in (Status.COMMITTEE_ACCEPTED, Status.VOTED) and here:
            return RowNote(N_("待起草公示"), to_notices=True)
        if application.state in (Status.IN_NOTICE, Status.COMMITTEE_NOTICE, Status.RESULT_NOTICE):
            return RowNote(N_("公示中"))
        if application.state is Status.AWAITING_MEETING:
            return RowNote(N_("待列入评审会议"))
        if application.state is Status.RESULT_NOTICED and here:
            return RowNote(N_("在评审会议页面确认结果"))
        if self.own and self.shortage:
            return RowNote(staffing.words_of(self.shortage, application.state).row)
        if self.own:
            return RowNote(N_("本人申报，须由本单位其他人员办理"))
        if application.awaiting:
            return RowNote(state_title("awaiting", application.awaiting))
        return RowNote("—")


@dataclass(frozen=True)
class Tags:
    """The ETags of a queue page's parts for one actor and URL: the whole page, the list (what the
    #queue poll sends back) and the counts (what the tabs' poll sends back)."""

    page: str
    queue: str
    counts: str
    options: str = ""  # of the filter options: the counters and the actor only (no tab, filter or hour)
    # What the tags were computed from that can change without a request: the counters read, and the
    # end of the hour they name (web/poll_shortcut.py answers an unchanged poll from these alone).
    counters: tuple[tuple[str, int], ...] = ()
    valid_until: datetime | None = None

    def of(self, part: str) -> str:
        return {"page": self.page, "queue": self.queue, "counts": self.counts}[part]


@dataclass(frozen=True)
class QueuePage:
    tab: Tab
    filters: Filters
    rows: list[QueueRow]
    counts: dict[Tab, int]
    next_cursor: str | None
    cursor: str | None
    etag: str  # of the list (what the #queue poll sends back)
    options: dict[str, list[Any]] = field(default_factory=dict)
    counts_etag: str = ""  # of the counts (what the tabs' poll sends back)
    page_etag: str = ""  # of the whole page
    # What the bulk bar offers: the bulk moves at least one row of this page can take now (`bulk_offered`;
    # none on a page whose rows wait on nobody here, as on 已退回 and 已通过, or on someone else).
    bulk_actions: list[Action] = field(default_factory=list)
    # The check 经办人初审通过 asks on some row of the page (EXP-03, by profile; `bulk_check`): the bar asks
    # it once for every ticked row.
    bulk_check: object = ""

    @property
    def bulk_check_required(self) -> bool:
        """The bar's tick is required when 经办人初审通过 is the only move it offers."""
        return bool(self.bulk_check) and self.bulk_actions == [Action.HANDLER_APPROVE]

    @property
    def bulk_note(self) -> str:
        """What the bulk bar says instead of a choice when no row of the page can take a bulk move: nothing
        on the tabs whose rows never wait on the reader (已退回, 已通过), nor on an empty list."""
        if self.bulk_actions or not self.rows or self.tab in (Tab.RETURNED, Tab.PASSED):
            return ""
        return N_("本页没有可批量办理的申报。")

    @staticmethod
    def numbers_certificates(action: Action) -> bool:
        """批量办理 asks before acting on the ticked rows, naming the action chosen and how many rows:
        认定发证 numbers the certificates, so its question says so (and only its question)."""
        return action is Action.CERTIFY


def tags(
    session: Session, actor: Actor, tab: Tab, filters: Filters, cursor: str | None, now: datetime
) -> Tags:
    """The page's ETags, from one read of the organisation's change counter (and the all-queues one).

    A tag changes when anything the part shows may have changed: a write to any application the
    organisation sees or to what its rows show (services.versions bumps the counter in that
    transaction), the hour (rows show days waited, a paper follow-up falls due, an offer's time rule
    passes), or who asks and what they asked for (actor, tab, filters, and for the list its page).
    Read first, before any row: a write committed in between makes the tag older than the rows, so
    the next poll renders again; it can never make a changed page look unchanged.
    """
    _require_reviewer(actor)
    assert actor.org_id is not None
    seen = versions.read(session, [versions.org(actor.org_id), versions.QUEUES])
    local = now.astimezone(SHANGHAI)
    hour = local.strftime("%Y%m%d%H")
    who = (actor.user_id, actor.org_id, actor.org_kind, actor.staff_role, actor.stand_in_for)
    asked = (sorted(filters.to_args().items()), filters.days_not_read)  # a refused 等待≥ says so: its own tag
    base = repr((sorted(seen.items()), hour, who, tab.value, asked))

    def tag(prefix: str, extra: str) -> str:
        return prefix + hashlib.sha256(f"{prefix}{base}{extra}".encode()).hexdigest()[:31]

    scope = repr((sorted(seen.items()), who))
    return Tags(
        page=tag("p", cursor or ""),
        queue=tag("q", cursor or ""),
        counts=tag("c", ""),
        options="o" + hashlib.sha256(scope.encode()).hexdigest()[:31],
        counters=tuple(sorted(seen.items())),
        valid_until=local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1),
    )


def _require_reviewer(actor: Actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied(N_("只有经办人或领导可以查看审核队列"))


def _tab_condition(actor: Actor, tab: Tab) -> ColumnElement[bool]:
    here = Application.current_org_id == actor.org_id
    if tab is Tab.HANDLER:
        return and_(here, Application.awaiting == "handler")
    if tab is Tab.LEADER:
        return and_(here, Application.awaiting == "leader")
    if tab is Tab.RETURNED:
        return and_(here, Application.status == Status.RETURNED.value)
    if tab is Tab.PASSED:
        assert actor.org_kind is not None
        return Application.status.in_([s.value for s in PASSED[actor.org_kind]])
    return Application.status != Status.DRAFT.value


def waiting_cutoff(session: Session, workdays: int, now: datetime) -> datetime:
    """The moment a case must have arrived before to have waited at least `workdays` working days today,
    counted as the Waiting column counts them (`_workdays_waited`: from the day after arrival up to today).

    That is the start (Shanghai midnight) of the `workdays`-th working day counting back from today,
    today included when it is one: a case that arrived the day before it has that many days in front of
    it. A year the calendar lacks falls back to calendar days (never fewer rows than asked for: a case
    waiting N working days has waited at least N calendar days), as the column shows no colour then."""
    local_today = today(now)
    try:
        calendar = work_calendar(session)
        day = local_today
        counted = 1 if calendar.is_workday(day) else 0
        # add_workdays counts forward only. A number past the known years ends in UnknownYear below.
        while counted < workdays:
            day -= timedelta(days=1)
            counted += calendar.is_workday(day)
        boundary = day
    except UnknownYear:
        boundary = local_today - timedelta(days=min(workdays, 36_500) - 1)  # a century: no date overflow
    return datetime.combine(boundary, datetime.min.time(), SHANGHAI).astimezone(UTC)


def _filter_conditions(session: Session, filters: Filters, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.series:
        # The statistics' box is typed: "Engineering" (as the English chart names it) filters on 工程.
        conditions.append(Application.series == series_as_stored(filters.series))
    if filters.level:
        conditions.append(Application.level == filters.level)
    if filters.batch:
        conditions.append(Application.batch_id == filters.batch)
    if filters.enterprise_id:
        conditions.append(Application.enterprise_id == filters.enterprise_id)
    if filters.status:
        conditions.append(Application.status == filters.status)
    if filters.min_days:
        # Working days, as the Waiting column and the colour legend count them (one read of the calendar).
        conditions.append(Application.status_changed_at < waiting_cutoff(session, filters.min_days, now))
    if filters.paper_overdue:
        conditions.append(paper.overdue_condition(now))
    if filters.q:
        term = filters.q.upper()
        by_name = select(User.id).where(User.name.contains(filters.q, autoescape=True))
        matches = [Application.applicant_id.in_(by_name)]
        if term.isascii() and term.isalnum() and len(term) <= 6:
            matches.append(Application.applicant_id.in_(select(User.id).where(User.id_number.endswith(term))))
        conditions.append(or_(*matches))
    return conditions


def _base(session: Session, actor: Actor, filters: Filters, now: datetime) -> Select[tuple[Application]]:
    return visible_applications(actor).where(*_filter_conditions(session, filters, now))


def counts(session: Session, actor: Actor, filters: Filters, now: datetime) -> dict[Tab, int]:
    """Every tab's count in one aggregate query over the filtered, scoped applications."""
    _require_reviewer(actor)
    columns = [func.coalesce(func.sum(case((_tab_condition(actor, tab), 1), else_=0)), 0) for tab in Tab]
    stmt = _base(session, actor, filters, now).with_only_columns(*columns).order_by(None)
    values = session.execute(stmt).one()
    return {tab: int(value) for tab, value in zip(Tab, values, strict=True)}


def queue(
    session: Session,
    actor: Actor,
    tab: Tab,
    filters: Filters,
    now: datetime,
    *,
    cursor: str | None = None,
    page_size: int | None = None,
    with_rows: bool = True,
    with_counts: bool = True,
    with_options: bool = True,
    page_tags: Tags | None = None,
) -> QueuePage:
    """One page of a tab, longest waiting first (or newest first), continuing after `cursor`.

    A polled fragment asks only for what it shows (`with_rows` alone for the list, `with_counts`
    alone for the tabs), so a 15-second poll costs one indexed query, not a scan of the organisation's
    whole year. `page_tags`: the tags the caller already read (else they are read here, first).
    """
    _require_reviewer(actor)
    page_tags = page_tags or tags(session, actor, tab, filters, cursor, now)
    rows: list[QueueRow] = []
    next_cursor = None
    if with_rows:
        rows, next_cursor = _rows(session, actor, tab, filters, now, cursor, page_size)
    tab_counts = _remembered(
        ("counts", page_tags.counts), lambda: counts(session, actor, filters, now), with_counts
    )
    options = _remembered(("options", page_tags.options), lambda: _options(session, actor), with_options)
    return QueuePage(
        tab,
        filters,
        rows,
        tab_counts,
        next_cursor,
        cursor,
        page_tags.queue,
        options,
        counts_etag=page_tags.counts,
        page_etag=page_tags.page,
        bulk_actions=bulk_offered(rows),
        bulk_check=bulk_check(rows),
    )


def home_tab(actor: Actor) -> Tab:
    """The tab the queue opens on: the one whose rows wait on the actor (a leader's 待签批; the handler's
    待初审 otherwise), not a tab of the other role's work with the leader's hidden behind a count."""
    return Tab.LEADER if actor.staff_role is StaffRole.LEADER else Tab.HANDLER


def bulk_offered(rows: list[QueueRow]) -> list[Action]:
    """The actions the bulk bar offers over `rows` (workflow.BULK_ACTIONS' order): each bulk move that the
    rulebook makes available on at least one of them. The rows are the page's, already loaded with their
    offers, so it costs no statement, and its tag is theirs; they are also the only rows that can be
    ticked. A move no row can take now (经办人初审通过 beside a case awaiting its certificate number, or
    on 全部 when every case there waits on someone else) would only fail on every ticked row."""
    available = {offer.action for row in rows for offer in row.actions if offer.available}
    return [action for action in BULK_ACTIONS if action in available]


def bulk_check(rows: list[QueueRow]) -> object:
    """The words of the check the bulk move 经办人初审通过 asks on these rows (EXP-03: the rows' own offers
    carry it where the profile asks), or "" when none does."""
    return next(
        (
            offer.check
            for row in rows
            for offer in row.actions
            if offer.form is Form.VERIFICATION and offer.available
        ),
        "",
    )


def _rows(
    session: Session,
    actor: Actor,
    tab: Tab,
    filters: Filters,
    now: datetime,
    cursor: str | None,
    page_size: int | None,
) -> tuple[list[QueueRow], str | None]:
    """The page's rows and the cursor of the next page (None on the last)."""
    size = page_size or PAGE_SIZE  # read at call time, so tests can shrink the page
    key = (Application.status_changed_at, Application.id)
    stmt = _base(session, actor, filters, now).where(_tab_condition(actor, tab))
    after = _decode(cursor)
    if after is not None:
        stmt = stmt.where(beyond(*key, after, descending=filters.newest_first))
    order = (key[0].desc(), key[1].desc()) if filters.newest_first else (key[0], key[1])
    # The two names the row shows as columns of the same statement, not two more entities a row (their
    # hydration was a sixth of the fragment's time, issue 20); the paper flag too (an uncorrelated IN,
    # computed once): not a query of its own.
    late = paper.overdue_condition(now).label("paper_overdue")
    stmt = (
        stmt.join(_APPLICANT, _APPLICANT.id == Application.applicant_id)
        .join(_ENTERPRISE, _ENTERPRISE.id == Application.enterprise_id)
        .add_columns(late, _APPLICANT.name, _ENTERPRISE.name)
        # Not the model's default joined load of both: the row reads the two names above only.
        .options(lazyload(Application.applicant), lazyload(Application.enterprise), *WITHOUT_LONG_TEXTS)
    )
    found = session.execute(stmt.order_by(*order).limit(size + 1)).all()
    has_more = len(found) > size
    found = found[:size]
    calendar = work_calendar(session) if found else None
    materials.expect_rows(session, [application.id for application, *_ in found])
    offers = rulebook.page_offers(session, actor, [a for a, *_ in found], now, as_reviewer=True)
    # Read once for the page, and only when the page holds the reader's own case (no statement otherwise).
    stuck = staffing.shortages(session, (a for a, *_ in found if _own_here(actor, a)), now)
    rows = [
        _row(
            session, actor, application, now, calendar,
            paper_overdue=bool(overdue), names=(name, unit), offers=offered,
            shortage=stuck.get(application.id),
        )
        for (application, overdue, name, unit), offered in zip(found, offers, strict=True)
    ]  # fmt: skip
    last = found[-1][0] if found else None
    next_cursor = _encode(last.status_changed_at, last.id) if has_more and last is not None else None
    return rows, next_cursor


# The counts and the filter options a queue page last showed, by the tag they were computed under. A tag
# holds the organisation's change counter (read first, before them), so an entry is never shown for data
# that changed since: a write bumps the counter and the next page reads a new tag. What the page shows
# from one computed under an older tag than its own, when a write commits between the counter's read and
# theirs, is newer data, never older. Per process (each gunicorn worker its own; the counter is in the
# database, shared by every instance); bounded, least recently used out first, and each kept 30 seconds at
# most: the bound on what a database recreated under a running server (a demo reset: counters start
# again) could show from before.
_REMEMBERED: TTLCache[tuple[str, str], Any] = TTLCache(maxsize=4096, ttl=30)
_REMEMBERED_LOCK = threading.Lock()


def _remembered(key: tuple[str, str], compute: Callable[[], Any], wanted: bool) -> Any:
    if not wanted:
        return {}
    with _REMEMBERED_LOCK:
        found = _REMEMBERED.get(key)
    if found is None:
        found = compute()
        with _REMEMBERED_LOCK:
            _REMEMBERED[key] = found
    # The caller's own dict and lists (their items are ints, strings and immutable rows): a page never
    # changes what the next one is shown.
    return {name: list(value) if isinstance(value, list) else value for name, value in found.items()}


def forget_remembered() -> None:
    """Drop every remembered count and option list (tests that roll back their writes call it: a rolled
    back transaction can leave a counter value to be reused by different data)."""
    with _REMEMBERED_LOCK:
        _REMEMBERED.clear()


def _options(session: Session, actor: Actor) -> dict[str, list[Any]]:
    """Values the filter selects offer: the series, batches (with their names) and enterprises this
    organisation actually sees, from one DISTINCT over the scoped applications (it was three scans)."""
    # The scope's own columns, not a subquery of whole rows: the scope index covers them (migrations 0013,
    # 0038: the batch's name kept at submission too).
    rows = session.execute(
        visible_applications(actor)
        .with_only_columns(
            Application.series, Application.batch_id, Application.batch_name, Application.enterprise_id
        )
        .distinct()
    ).all()
    series = sorted({s for s, _, _, _ in rows})
    # Each batch with the name it was submitted under (one per batch; should two differ, the same one
    # every time), for a batch the profile no longer holds (last year's, an admin's row since deleted).
    stored: dict[str, str | None] = {}
    for _, b, name, _ in rows:
        if b is not None:
            stored[b] = max(filter(None, (stored.get(b), name)), default=None)
    ids = sorted(stored)
    # (id, the name people call it): the bureau's profile is read only when there are batches to name.
    profile = policies.effective_profile(session, session.get(Organisation, actor.org_id)) if ids else None
    batches = [(b, policies.batch_title(profile, b, None, stored[b])) for b in ids]
    enterprises: list[Any] = []
    if actor.org_kind is not OrgKind.ENTERPRISE and rows:
        ids = {e for _, _, _, e in rows}
        enterprises = list(
            session.execute(
                select(Organisation.id, Organisation.name)
                .where(Organisation.id.in_(ids))
                .order_by(Organisation.name)
            )
        )
    return {"series": series, "enterprises": enterprises, "batches": batches}


def _workdays_waited(calendar: WorkCalendar, since: datetime, now: datetime) -> int | None:
    """Working days from the day after the case arrived up to today (arrived today: 0)."""
    start = since.astimezone(SHANGHAI).date() + timedelta(days=1)
    try:
        return calendar.workdays_between(start, now.astimezone(SHANGHAI).date())
    except UnknownYear:
        return None  # the ageing colour waits for the administrator to enter the year


def _own_here(actor: Actor, application: Application) -> bool:
    """The reader's own case at the step of her own unit, this queue's organisation: the one case whose row
    says what its staff lacks (services.staffing). Its words are the unit's, and the queue's tag is read
    from this organisation's counter only, which its staff's changes bump; another organisation's do not."""
    return (
        application.applicant_id == actor.user_id
        and application.current_org_id == actor.org_id
        and staffing.at_unit_step(application)
    )


def _row(
    session: Session,
    actor: Actor,
    application: Application,
    now: datetime,
    calendar: WorkCalendar | None = None,
    *,
    paper_overdue: bool = False,
    names: tuple[str, str] | None = None,
    offers: list[Offer] | None = None,
    shortage: staffing.Shortage | None = None,
) -> QueueRow:
    waiting = max((now - application.status_changed_at).days, 0)
    name, unit = names or (application.applicant.name, application.enterprise.name)
    if offers is None:
        offers = rulebook.offers(session, actor, application, now, as_reviewer=True)
    return QueueRow(
        application,
        offers,
        application.applicant_id == actor.user_id,
        waiting,
        _workdays_waited(calendar, application.status_changed_at, now) if calendar else None,
        paper_overdue,
        actor.org_kind,
        name,
        unit,
        application.current_org_id == actor.org_id and not application.state.is_final,
        shortage,
    )


def queue_row(session: Session, actor: Actor, application_id: int, now: datetime) -> QueueRow:
    """One queue row for an application the reviewer may see (after an action, the row swapped in place)."""
    _require_reviewer(actor)
    application = get_application(session, actor, application_id)
    late = paper.overdue_ids(session, [application], now)
    calendar = work_calendar(session)
    own = [application] if _own_here(actor, application) else []
    return _row(
        session, actor, application, now, calendar,
        paper_overdue=application.id in late,
        shortage=staffing.shortages(session, own, now).get(application.id),
    )  # fmt: skip


def listed_applications(
    session: Session, actor: Actor, tab: Tab, filters: Filters, now: datetime
) -> Iterator[Application]:
    """Every application of the tab as filtered on screen (the same query, without pages), streamed in
    the list's order: for callers that need the applications alone (the package of the filtered queue)."""
    _require_reviewer(actor)
    stmt = _base(session, actor, filters, now).where(_tab_condition(actor, tab))
    order = (
        (Application.status_changed_at.desc(), Application.id.desc())
        if filters.newest_first
        else (Application.status_changed_at, Application.id)
    )
    stmt = stmt.order_by(*order).options(*WITHOUT_LONG_TEXTS)
    rows = session.scalars(stmt.execution_options(yield_per=1000))
    try:
        yield from rows
    finally:  # a caller that stops early or fails mid-way: PostgreSQL's server-side cursor is closed now
        rows.close()


def export_rows(
    session: Session, actor: Actor, tab: Tab, filters: Filters, now: datetime
) -> Iterator[tuple[Application, str]]:
    """`listed_applications`, each with its batch as the filter and the case page name it ("2026年第四批",
    "" for none): the queue's Excel."""
    _require_reviewer(actor)
    profile = policies.effective_profile(session, session.get(Organisation, actor.org_id))
    for application in listed_applications(session, actor, tab, filters, now):
        batch = application.batch_id
        title = policies.batch_title(profile, batch, application.authority_code, application.batch_name)
        yield application, title if batch else ""


def record_export(
    session: Session, actor: Actor, tab: Tab, filters: Filters, rows: int, full_ids: int, now: datetime
) -> None:
    """The queue's Excel is a bulk download (with full ID numbers where the actor may see them): each one
    leaves an audit event with its tab, filters, row count and how many rows carried a full ID number."""
    audit.record(
        session, actor, "export_queue", now, object_type="applications",
        detail={"tab": tab.value, "filters": filters.to_args(), "rows": rows, "full_ids": full_ids},
    )  # fmt: skip


@dataclass(frozen=True)
class Statistics:
    total: int
    by_status: list[tuple[str, int]]
    by_series: list[tuple[str, int]]
    by_level: list[tuple[str, int]]
    by_enterprise: list[tuple[str, int]]
    by_batch: list[tuple[str, int]]
    batches: list[tuple[str, str]]  # the batch filter's choices: (id, name) of every batch the actor sees


def statistics(session: Session, actor: Actor, filters: Filters, now: datetime) -> Statistics:
    """Counts by status, series, level, enterprise and batch over what the actor may see, filtered as the
    queues are (one GROUP BY each)."""
    _require_reviewer(actor)
    base = _base(session, actor, filters, now).where(Application.status != Status.DRAFT.value).subquery()

    # Each GROUP BY reads the scope index alone (migration 0046): 33,201 rows of the largest bureau at
    # 100,000 applications are an index range, not as many reads of the table.
    def grouped(column: Any) -> list[tuple[str, int]]:
        rows = session.execute(
            select(column, func.count())
            .select_from(base)
            .group_by(column)
            .order_by(func.count().desc(), column)
        ).all()
        return [(str(k) if k is not None else N_("未分批"), int(n)) for k, n in rows]

    def by_enterprise() -> list[tuple[str, int]]:
        # Counted by id from the index, then named: joining organisations into the GROUP BY read a row of
        # it for each application (three times the time of the count alone).
        counts = dict(
            session.execute(select(base.c.enterprise_id, func.count()).group_by(base.c.enterprise_id)).all()
        )
        named: dict[str, int] = {}
        if counts:
            names = session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(counts))
            )
            for org_id, name in names:
                named[name] = named.get(name, 0) + int(counts[org_id])
        return sorted(named.items(), key=lambda item: (-item[1], item[0]))

    # By the words the rows' badges say: a certificate reached by 评审 is 评审通过，已发证, not 已认定发证
    # (Application.road_taken: a committee's once committee_id is written), in the same one GROUP BY.
    road = case((base.c.committee_id.is_not(None), glossary.COMMITTEE_ROAD), else_=glossary.BUREAU_ROAD)
    counted: dict[str, int] = {}
    for status, taken, n in session.execute(
        select(base.c.status, road, func.count()).select_from(base).group_by(base.c.status, road)
    ).all():
        title = glossary.status_words(status, taken).title
        counted[title] = counted.get(title, 0) + int(n)
    by_status = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    # Batches by the names people call them, as the filter offers them (the bureau's profile, its admin's
    # windows included, else the name kept at submission); every batch counted here is one of those.
    batches = _options(session, actor)["batches"]
    titles = dict(batches)
    by_batch = [(titles.get(k, k), n) for k, n in grouped(base.c.batch_id)]
    return Statistics(
        total=sum(n for _, n in by_status),
        by_status=by_status,
        by_series=grouped(base.c.series),
        by_level=grouped(base.c.level),
        by_enterprise=by_enterprise(),
        by_batch=by_batch,
        batches=batches,
    )
