"""Reading the audit trail: the bureau admin's viewer and its Excel export (等保 安全审计).

Rule: only a bureau's admin reads it, and only the events of their own tree: actors acting for an
organisation under the bureau, applicants employed there, and events without an actor (the system's jobs,
the public's objections, the deployment's own acts) about an object of the tree — read from the object in
SQL (`_about_the_tree`), as such a row names no organisation. Only a failed login of an account nobody
holds concerns no bureau: every admin reads those. The export reuses the viewer's query, so the
spreadsheet is what the screen shows; every value is written as text, never as a formula, and text that
starts like one is quote-prefixed (documents/cells.py, T-PRIV-03); every export is itself audited.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, union
from sqlalchemy.orm import Session, aliased

from portal.documents.cells import Cells, workbook
from portal.domain import audit_words
from portal.domain.dates import read_day
from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.i18n import N_
from portal.models import Application, AuditEvent, AuditOutcome, Committee, Meeting, Notice, User
from portal.services import audit
from portal.services.actors import Actor
from portal.services.organisations import organisations_under

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
OUTCOMES = {outcome.value: outcome.title for outcome in AuditOutcome}


@dataclass(frozen=True)
class AuditQuery:
    """The viewer's filters, as typed in the URL (empty means no filter)."""

    start: str = ""  # YYYY-MM-DD, Shanghai date
    end: str = ""
    actor: str = ""  # name or phone
    action: str = ""
    outcome: str = ""
    object_type: str = ""
    object_id: str = ""

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _day(raw: str) -> date | None:
    return read_day(raw, "")[0] if raw.strip() else None


def filter_problems(filters: AuditQuery) -> dict[str, str]:
    """The filters that cannot be applied, by field, each with why: a date that is none (written otherwise,
    or well written but not in the calendar), an end before its start, an object number that is not a
    number. Applied anyway they would quietly widen the list."""
    problems: dict[str, str] = {}
    for name in ("start", "end"):
        raw = getattr(filters, name).strip()
        if raw:
            # A day that does not exist (2026-02-30) is said so (dates.no_such_day), not "write it as
            # 2026-03-15", which reads as if the format were wrong.
            _, problem = read_day(raw, N_("日期格式应为 年-月-日，例如 2026-03-15"))
            if problem:
                problems[name] = problem
    start, end = _day(filters.start), _day(filters.end)
    if start and end and end < start:
        problems["end"] = N_("截止日期不能早于起始日期")
    raw_id = filters.object_id.strip()
    # At most 18 digits: a longer number overflows the database's 64-bit integer (a 500 on SQLite).
    if raw_id and not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        problems["object_id"] = N_("对象编号应为数字")
    return problems


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin or actor.org_id is None:
        raise PermissionDenied(N_("只有人社局系统管理员可以查看审计日志"))


def _about_the_tree(orgs: list[int]) -> ColumnElement[bool]:
    """An event without an actor (recorded by the system: a vote's count, a notice closed by the scheduled
    job, an abandoned correction; by the public: an objection; by the deployment: a bureau and its first
    admin) names no organisation: it is the tree's when the object it is about belongs to the tree. Any
    other kind of object is nobody's here (closed by default: a new system event is shown to no bureau
    until its kind is added, never to every bureau)."""
    about = AuditEvent.object_id
    kind = AuditEvent.object_type
    return or_(
        and_(
            kind == "application",
            exists().where(Application.id == about, Application.bureau_id.in_(orgs)),
        ),
        and_(kind == "notice", exists().where(Notice.id == about, Notice.org_id.in_(orgs))),
        and_(
            kind == "meeting",
            exists().where(
                Meeting.id == about,
                Committee.id == Meeting.committee_id,
                or_(Committee.bureau_id.in_(orgs), Committee.office_id.in_(orgs)),
            ),
        ),
        and_(kind == "organisation", about.in_(orgs)),
        # A refused self-registration (ACC-04) is about no account yet: it names the bureau it was made with.
        and_(
            kind == "user",
            about.is_(None),
            AuditEvent.detail["bureau_id"].as_integer().in_(orgs),
        ),
        # A failed login of an account nobody holds: no bureau's, so every admin's (a guessing attempt).
        and_(AuditEvent.action == "login", kind == "user", about.is_(None)),
    )


def query(session: Session, actor: Actor, filters: AuditQuery) -> Select[tuple[AuditEvent]]:
    """The audit events the admin's bureau may read (its own tree), narrowed by the filters; filters that
    cannot be applied are refused (ValidationFailed, by field), never dropped."""
    _require_admin(actor)
    if problems := filter_problems(filters):
        raise ValidationFailed(problems)
    assert actor.org_id is not None
    orgs = [org.id for org in organisations_under(session, actor.org_id)]
    who = aliased(User)
    stmt = (
        select(AuditEvent)
        .outerjoin(who, who.id == AuditEvent.actor_id)
        .where(
            or_(
                AuditEvent.org_id.in_(orgs),
                who.employer_id.in_(orgs),
                # A person who registered with the bureau (ACC-04) while no unit holds the account: their
                # registration and logins are the bureau's to read (its admin voids such registrations).
                # Once a unit holds it, the unit's bureau reads them (the employer clause), not this one.
                and_(who.registered_with_id.in_(orgs), who.employer_id.is_(None)),
                and_(AuditEvent.actor_id.is_(None), AuditEvent.org_id.is_(None), _about_the_tree(orgs)),
            )
        )
    )
    if start := _day(filters.start):
        stmt = stmt.where(AuditEvent.at >= datetime.combine(start, time(), SHANGHAI))
    if end := _day(filters.end):
        stmt = stmt.where(AuditEvent.at < datetime.combine(end + timedelta(days=1), time(), SHANGHAI))
    if filters.actor.strip():
        text = filters.actor.strip()
        named = or_(who.name.contains(text, autoescape=True), who.phone == text)
        if (label := audit_words.unnamed_actor_named(text)) is not None:
            # 系统 or 未登录 as the list shows an event with no user behind it (`actor_label`): those
            # events, as far as the scope above reads them (another bureau's stay out: `_about_the_tree`).
            public = AuditEvent.action.in_(audit_words.NOT_LOGGED_IN_ACTIONS)
            which = public if label == audit_words.NOT_LOGGED_IN else ~public
            named = or_(named, and_(AuditEvent.actor_id.is_(None), which))
        stmt = stmt.where(named)
    if filters.action.strip():
        stmt = stmt.where(AuditEvent.action == filters.action.strip())
    if filters.outcome in OUTCOMES:
        stmt = stmt.where(AuditEvent.outcome == filters.outcome)
    if filters.object_type.strip():
        stmt = stmt.where(AuditEvent.object_type == filters.object_type.strip())
    if raw_id := filters.object_id.strip():
        stmt = stmt.where(AuditEvent.object_id == int(raw_id))
    return stmt


# Newest first by the time recorded, the id breaking ties. Not by id alone: an id is the order rows were
# written, and a row's time is the use case's `now`, which need not follow it (a refused attempt written
# again after its rollback, a job's step, the demo's backdated history: "7 Dec, 27 Oct, 4 Dec …").
NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def page(
    session: Session, actor: Actor, filters: AuditQuery, *, before: int | None = None
) -> tuple[list[AuditEvent], int | None]:
    """Newest first by time, PAGE_SIZE at a time; returns the rows and the next page's `before`: the id of
    the last row shown, the keyset (its time, its id) the next page continues after.

    The cursor's time is read through the same query as the rows (the admin's tree, the filters): an
    event outside it — another bureau's, or one the filters leave out — is treated as a missing one
    (nothing after it). Read by id alone, another bureau's event id would place its time among the
    admin's own rows, and which of them followed would tell that time."""
    stmt = query(session, actor, filters)
    if before:
        cursor = stmt.with_only_columns(AuditEvent.at).where(AuditEvent.id == before)
        last = session.execute(cursor).scalar_one_or_none()
        if last is None:  # no such event in this list: nothing comes after it
            return [], None
        stmt = stmt.where(or_(AuditEvent.at < last, and_(AuditEvent.at == last, AuditEvent.id < before)))
    rows = list(session.scalars(stmt.order_by(*NEWEST_FIRST).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].id if more and rows else None)


@dataclass(frozen=True)
class FilterOptions:
    """What the viewer's two lists offer: the actions and the kinds of object that occur in what the admin
    may see, each once, in code order."""

    actions: list[str]
    object_types: list[str]


def filter_options(session: Session, actor: Actor) -> FilterOptions:
    """The actions and kinds of object that occur in the admin's tree (`query` without filters), read in
    one statement.

    Not as a DISTINCT over `query`: that evaluates its OR (the actor's employer through a join, the
    actor-less rows' objects) on every row of the whole trail, every bureau's — 2.6 and 9.2 s for the two
    lists at a million events (bench/README.md, "the audit viewer's lists"). The same scope as a UNION of
    its branches, each read from an index that ends with (action, object_type) — the acting organisation's
    rows, the rows of actors employed in the tree or registered with it, and the actor-less rows about the
    tree — reads only the tree's own index entries (`tests/security/test_audit.py` holds it equal to
    the DISTINCT over `query`). Each branch is de-duplicated on its own first: the UNION's own de-duplication
    of the branches' rows made PostgreSQL sort ~940,000 of them on disk (650 ms; 280 ms so)."""
    _require_admin(actor)
    assert actor.org_id is not None
    orgs = [org.id for org in organisations_under(session, actor.org_id)]
    kinds = (AuditEvent.action, AuditEvent.object_type)
    employed = select(User.id).where(User.employer_id.in_(orgs))
    registered = select(User.id).where(User.registered_with_id.in_(orgs), User.employer_id.is_(None))
    stmt = union(
        select(*kinds).where(AuditEvent.org_id.in_(orgs)).distinct(),
        select(*kinds).where(AuditEvent.actor_id.in_(employed)).distinct(),
        select(*kinds).where(AuditEvent.actor_id.in_(registered)).distinct(),
        select(*kinds).where(
            AuditEvent.actor_id.is_(None), AuditEvent.org_id.is_(None), _about_the_tree(orgs)
        ),
    )
    pairs = session.execute(stmt).all()
    return FilterOptions(
        actions=sorted({action for action, _ in pairs}), object_types=sorted({kind for _, kind in pairs})
    )


def actor_label(event: AuditEvent) -> str | None:
    """Who an event with no user behind it was recorded by, as the list and the export name it (a msgid):
    the system's own (系统) or a person not logged in (未登录), by what was done; None when a user did it
    (their name is shown)."""
    return None if event.actor_id is not None else audit_words.unnamed_actor(event.action)


HEADER = ("编号", "时间（北京时间）", "操作人", "单位编号", "身份", "操作", "操作代码", "对象类型",
          "对象编号", "结果", "原状态", "新状态", "理由", "IP", "请求编号", "链序号")  # fmt: skip


def _named(title: str | None, code: str | None) -> str:
    """A code's name in Chinese (the msgid; a Text's own Chinese text), or the code as written where nobody
    names it (an older release's)."""
    return str(title) if title else (code or "")


def export_xlsx(session: Session, actor: Actor, filters: AuditQuery, now: datetime) -> bytes:
    """The filtered audit log as Excel (formulas neutralised, capped at EXPORT_LIMIT rows); the export is
    audited. Its words are the viewer's, in Chinese (audit_words: the action, the role, the kind of object,
    the statuses, the outcome), the action's code beside its name as the viewer shows it; the ids stay
    numbers (编号, 单位编号, 对象编号, 链序号)."""
    stmt = query(session, actor, filters).order_by(*NEWEST_FIRST).limit(EXPORT_LIMIT)
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("审计日志")
    cells = Cells(book, sheet)
    cells.write_row(0, HEADER, cells.style({"bold": True}))
    count = 0
    for count, event in enumerate(session.scalars(stmt), start=1):
        row = (
            event.id,
            event.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor.name if event.actor else actor_label(event),
            event.org_id or "",
            _named(audit_words.role_title(event.role), event.role),
            _named(audit_words.action_title(event.action), event.action),
            event.action,
            _named(audit_words.object_type_title(event.object_type), event.object_type),
            event.object_id if event.object_id is not None else "",
            OUTCOMES.get(event.outcome, event.outcome),
            _named(audit_words.status_title(event.object_type, event.from_status), event.from_status),
            _named(audit_words.status_title(event.object_type, event.to_status), event.to_status),
            event.reason,
            event.ip,
            event.request_id,
            event.chain_seq or "",
        )
        cells.write_row(count, row)
    sheet.freeze_panes(1, 0)
    book.close()
    audit.record(
        session,
        actor,
        "export_audit",
        now,
        object_type="audit_events",
        detail={"rows": count, "filters": filters.as_args()},
    )
    return buffer.getvalue()
