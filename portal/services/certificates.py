"""Certificates: numbers per authority and year (never reused, no gaps under concurrent issue), the
public verification a QR code leads to (each lookup logged for the holder), revocation and the integrity
record it creates (INT-01..03: 3 years by default), and the bureau's lists, 批复 and exports.

The public check (issue 16.13): the QR carries a random 192-bit code stored with the certificate, so a
guessed number finds nothing; the number + name form confirms a certificate whose holder's name matches.
Either way the answer holds only what the certificate itself shows (holder, series, specialty, level,
number, date, authority) and whether it is still valid — never why it was revoked, nor anything else
about the person. The web layer rate-limits both per address.

Numbers are taken by an atomic increment inside the certifying transaction, so a rolled-back
certification gives its number back and two concurrent ones serialise on the sequence row.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from portal.documents.certificates import approval_pdf, join_pdfs, review_list_pdf
from portal.domain import glossary
from portal.domain.accounts import normalize_name
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.glossary import series_as_stored
from portal.domain.i18n import N_, NC_, T_, Text
from portal.domain.identity import DocumentType, mask_id_number
from portal.domain.materials import PLEDGE_CLAUSE, add_months, notice_clause
from portal.domain.text import LIMITS
from portal.domain.workflow import Status
from portal.models import (
    Application,
    CertificateLookup,
    CertificateSequence,
    IntegrityRecord,
    Job,
    JobKind,
    Meeting,
    MeetingEntry,
    MeetingStatus,
    Organisation,
    OrgKind,
    User,
)
from portal.services import audit, jobs, keyset
from portal.services.actors import Actor
from portal.services.notifications import notify
from portal.services.policies import batch_title, effective_profile
from portal.services.scope import WITHOUT_LONG_TEXTS, get_application, visible_applications

SHANGHAI = ZoneInfo("Asia/Shanghai")
INTEGRITY_YEARS = 3  # 002 五(三), 003 七(三)


AuthorityNames = dict[tuple[int, str | None], str]


def certifying_authority(
    session: Session, application: Application, cache: AuthorityNames | None = None
) -> str:
    """The one answer to "who certifies this application" (issue 17.7), for every page, document and
    export: the authority chosen when the application was started (its ``authority_code`` in the bureau's
    policy profile, with the name the bureau's admin corrected), else the bureau itself (no profile, a
    pathway the profile does not cover). The review page, the certificate, the public check, the
    certificate list and Excel, the 批复 and the package cover all ask it."""
    return authority_name(session, application.bureau_id, application.authority_code, cache)


def authority_name(
    session: Session, bureau_id: int, authority_code: str | None, cache: AuthorityNames | None = None
) -> str:
    """:func:`certifying_authority` from the two columns (exports stream plain rows); ``cache`` keeps
    the answer per bureau and code for a long export."""
    key = (bureau_id, authority_code)
    if cache is not None and key in cache:
        return cache[key]
    bureau = session.get(Organisation, bureau_id)
    assert bureau is not None
    name = bureau.name
    profile = effective_profile(session, bureau) if authority_code else None
    if profile is not None:
        found = next((a for a in profile.authorities if a.code == authority_code), None)
        if found is not None:
            name = found.name
    if cache is not None:
        cache[key] = name
    return name


def issue_certificate_number(session: Session, authority_id: int, now: datetime) -> str:
    """The next certificate number of the authority for this year: one counter row per authority and year,
    incremented in one UPDATE, so concurrent issues never share a number."""
    year = now.astimezone(SHANGHAI).year
    exists = session.scalar(
        select(CertificateSequence.last_value).where(
            CertificateSequence.authority_id == authority_id, CertificateSequence.year == year
        )
    )
    if exists is None:
        try:
            with session.begin_nested():
                session.add(CertificateSequence(authority_id=authority_id, year=year, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first; the increment below serialises on it
    value = session.execute(
        update(CertificateSequence)
        .where(CertificateSequence.authority_id == authority_id, CertificateSequence.year == year)
        .values(last_value=CertificateSequence.last_value + 1)
        .returning(CertificateSequence.last_value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    authority = session.get(Organisation, authority_id)
    assert authority is not None
    return format_number(authority.certificate_pattern, year, authority.code or f"A{authority_id}", value)


def format_number(pattern: str, year: int, code: str, seq: int) -> str:
    """A certificate number from the authority's pattern; a pattern that cannot be filled is a DomainError."""
    try:
        return pattern.format(year=year, code=code.upper(), seq=seq)
    except (KeyError, IndexError, ValueError) as bad:
        raise DomainError(f"证书编号规则“{pattern}”无效，请联系管理员", code="bad_pattern") from bad


def check_pattern(pattern: str) -> str:
    """A numbering pattern must contain {seq} and format cleanly (admins set it per authority)."""
    if "{seq" not in pattern:
        raise ValidationFailed(
            {"certificate_pattern": "编号规则须包含序号 {seq}，例如 {year}{code}{seq:05d}"}
        )
    format_number(pattern, 2026, "GZ", 1)
    return pattern


CODE_BYTES = 24  # 192 random bits, 32 URL-safe characters


def new_verification_code() -> str:
    """The key the certificate's QR carries: random, so neither the number nor any secret gives it away."""
    return secrets.token_urlsafe(CODE_BYTES)


@dataclass(frozen=True)
class Verification:
    """What the public check answers: only what is printed on the certificate, and its state."""

    status: str  # valid | revoked | unknown
    number: str
    masked_name: str = ""
    series: str = ""
    specialty: str = ""
    level: str = ""
    certified_on: date | None = None
    authority: str = ""
    date_label: str = glossary.CERTIFICATE_DATE_WORDS[glossary.BUREAU_ROAD]  # what that date is called
    application_id: int | None = None  # never shown: what the lookup log refers to


def _mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def _same_name(typed: str, holder: str) -> bool:
    def canonical(value: str) -> str:
        # The accounts' comparison key (a passport's JOHN O'BRIEN is John O’Brien typed on a phone), and
        # spaces never count.
        return "".join(normalize_name(value).split())

    return bool(typed.strip()) and hmac.compare_digest(canonical(typed).encode(), canonical(holder).encode())


def lookup_record(
    application_id: int | None, number: str, via: str, ip: str, now: datetime
) -> CertificateLookup:
    """The log row of one public check (the holder sees when and how their certificate was checked)."""
    return CertificateLookup(
        application_id=application_id, number=number, found=application_id is not None, via=via, ip=ip, at=now
    )


def verify(
    session: Session,
    number: str,
    now: datetime,
    *,
    code: str = "",
    name: str = "",
    via: str = "form",
    ip: str = "",
    record: bool = True,
) -> Verification:
    """Public check of a certificate: by the QR's code, or by number and the holder's full name. A wrong
    code or name reads exactly like a number that does not exist.

    Every check is logged for the holder to see (CertificateLookup); with `record=False` the caller
    logs it another way (a GET hands `lookup_record(...)` to the queue: no GET writes)."""
    number = number.strip().upper()[:40]
    application = session.scalars(select(Application).where(Application.certificate_no == number)).first()
    stored = application.certificate_code if application is not None else None
    matches = application is not None and (
        (bool(code) and stored is not None and hmac.compare_digest(code.encode(), stored.encode()))
        or (bool(name) and _same_name(name, application.applicant.name))
    )
    found_id = application.id if matches and application else None
    if record:
        session.add(lookup_record(found_id, number, via, ip, now))
        session.flush()
    if not matches or application is None:
        return Verification("unknown", number)
    assert application.certified_at is not None
    return Verification(
        "revoked" if application.certificate_revoked_at else "valid",
        number,
        _mask_name(application.applicant.name),
        application.series,
        application.specialty,
        application.level,
        application.certified_at.astimezone(SHANGHAI).date(),
        certifying_authority(session, application),
        date_label=date_label(application),
        application_id=application.id,
    )


def lookups_for(session: Session, actor: Actor, application_id: int) -> list[CertificateLookup]:
    """The holder sees when their certificate was checked (and how)."""
    application = get_application(session, actor, application_id)
    return list(
        session.scalars(
            select(CertificateLookup)
            .where(CertificateLookup.application_id == application.id)
            .order_by(CertificateLookup.id.desc())
            .limit(50)
        )
    )


def _require_bureau(actor: Actor, *, leader: bool = False) -> None:
    if not (actor.is_staff and actor.org_kind is OrgKind.BUREAU):
        raise PermissionDenied("只有人社局（认定机构）可以办理证书")
    if leader and (actor.staff_role is None or actor.staff_role.value != "leader"):
        raise PermissionDenied("撤销证书须由人社局领导办理")


def can_revoke(actor: Actor, application: Application) -> bool:
    """Whether the actor may revoke this certificate now: a bureau leader, a valid certificate. The page
    offers 撤销 exactly when this holds; revoke_certificate refuses otherwise."""
    is_leader = actor.staff_role is not None and actor.staff_role.value == "leader"
    return (
        actor.is_staff
        and actor.org_kind is OrgKind.BUREAU
        and is_leader
        and application.state is Status.CERTIFIED
        and application.certificate_revoked_at is None
    )


def revoke_certificate(
    session: Session,
    actor: Actor,
    application_id: int,
    reason: str,
    clause: str,
    now: datetime,
    *,
    years: int = INTEGRITY_YEARS,
) -> IntegrityRecord:
    """Revoke for fraud: the public check shows 已撤销 and the person is on the integrity record."""
    _require_bureau(actor)
    application = get_application(session, actor, application_id)  # another tenant's: 404 before anything
    _require_bureau(actor, leader=True)
    if application.state is not Status.CERTIFIED or application.certificate_revoked_at is not None:
        raise DomainError(N_("该申报没有可撤销的有效证书"), code="not_certified")
    if not reason.strip():
        raise ValidationFailed({"reason": N_("请写明撤销原因（如提供虚假材料）")})
    if len(reason.strip()) > LIMITS["reason"]:
        raise ValidationFailed(
            {
                "reason": T_(
                    "撤销原因不能超过%(limit)s字（现有%(count)s字）",
                    limit=LIMITS["reason"],
                    count=len(reason.strip()),
                )
            }
        )
    application.certificate_revoked_at = now
    application.certificate_revoked_reason = reason.strip()
    start = now.astimezone(SHANGHAI).date()
    record = IntegrityRecord(
        user_id=application.applicant_id,
        application_id=application.id,
        reason=reason.strip(),
        clause=clause.strip() or revocation_clause(session, actor),
        starts_on=start,
        # The day before the anniversary; a 29 February start has its anniversary on the 28th (add_months).
        ends_on=add_months(start, 12 * years) - timedelta(days=1),
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        "revoke_certificate",
        now,
        object_type="application",
        object_id=application.id,
        reason=reason.strip(),
        detail={"certificate_no": application.certificate_no, "integrity_record_id": record.id},
    )
    notify(
        session,
        [application.applicant_id],
        "revoked",
        T_(
            "您的证书 %(number)s 已被撤销：%(reason)s",
            number=application.certificate_no,
            reason=reason.strip(),
        ),
        f"/me/applications/{application.id}",
        now,
    )
    return record


def active_integrity_record(session: Session, user_id: int, on: date) -> IntegrityRecord | None:
    """The person's integrity record (诚信档案) in force on `on`, the longest-running first, if any."""
    return session.scalars(
        select(IntegrityRecord)
        .where(
            IntegrityRecord.user_id == user_id, IntegrityRecord.starts_on <= on, IntegrityRecord.ends_on >= on
        )
        .order_by(IntegrityRecord.ends_on.desc())
    ).first()


def integrity_notice(record: IntegrityRecord, who: str = N_("该申报人")) -> Text:
    """What the record says, in the words every refusal uses: the reason, until when, the clause (the
    reason and the clause as recorded, so they stay Chinese in the English interface)."""
    return T_(
        "%(who)s因“%(reason)s”列入诚信档案，%(day)s前不得申报（%(clause)s）",
        who=who,
        reason=record.reason,
        day=record.ends_on,
        clause=record.clause,
    )


def refuse_if_on_record(session: Session, user_id: int, now: datetime) -> None:
    """Refuse (DomainError naming the record, its end and clause) a person on an integrity record today."""
    record = active_integrity_record(session, user_id, now.astimezone(SHANGHAI).date())
    if record is not None:
        raise DomainError(integrity_notice(record), code="integrity_record")


def listed_holders(session: Session, user_ids: Collection[int], on: date) -> dict[int, IntegrityRecord]:
    """The active record (the one lasting longest) of each of these accounts that is on one, in one query:
    the record follows the account, and the account is keyed by the canonical identity number, so every
    spelling of a listed number (lowercase x, full-width, spaces) lands on it."""
    records: dict[int, IntegrityRecord] = {}
    if not user_ids:
        return records
    stmt = (
        select(IntegrityRecord)
        .where(
            IntegrityRecord.user_id.in_(list(user_ids)),
            IntegrityRecord.starts_on <= on,
            IntegrityRecord.ends_on >= on,
        )
        .order_by(IntegrityRecord.ends_on)
    )
    for record in session.scalars(stmt):
        records[record.user_id] = record  # ascending: the longest-lasting one wins
    return records


@dataclass(frozen=True)
class CertificateFilters:
    series: str = ""
    level: str = ""
    since: date | None = None
    until: date | None = None
    # One certifying authority's certificates, of one batch (REP-01: its year-end report to the city office).
    authority: str = ""
    batch: str = ""
    # The road the certificates came by: "" both, glossary.BUREAU_ROAD those 认定'd (考核认定: the year-end
    # report's 考核认定通过人员证书信息, REP-01 001 四(七)), glossary.COMMITTEE_ROAD those reached by 评审.
    road: str = ""

    def to_args(self) -> dict[str, str]:
        """The filters as the list's query string (the pager's links and the export form keep them)."""
        values = {
            "series": self.series,
            "level": self.level,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "authority": self.authority,
            "batch": self.batch,
            "road": self.road,
        }
        return {name: value for name, value in values.items() if value}


# The values of CertificateFilters.road a form may send.
ROADS = frozenset({glossary.BUREAU_ROAD, glossary.COMMITTEE_ROAD})


@dataclass(frozen=True)
class FilterChip:
    """A filter the list's form has no field for (the year-end report's authority, batch and road): shown
    by the form as what it is set to, kept by it as a hidden field, with a link that drops it."""

    name: str  # the query string's name (CertificateFilters.to_args)
    label: str | Text  # a msgid: what the filter is, or the road's own words
    value: str  # as people call it (data, Chinese): the authority's name, the batch's title; "" for a road
    without: dict[str, str]  # the list's query string with this filter dropped


# The road filter's words: as the year-end report heads its columns (考核认定发证 / 评审通过发证).
ROAD_WORDS: dict[str, Text] = {
    glossary.BUREAU_ROAD: NC_("year-end", "考核认定发证"),
    glossary.COMMITTEE_ROAD: NC_("year-end", "评审通过发证"),
}


def filter_chips(session: Session, actor: Actor, filters: CertificateFilters) -> list[FilterChip]:
    """The filters set that the form has no field for, named as the year-end report names them (the
    authority of the bureau's profile, the batch's title), each with the query string that drops it: a
    form resubmitted with another series or name must not lose the batch it was reached with."""
    _require_bureau(actor)
    args = filters.to_args()
    profile = effective_profile(session, session.get(Organisation, actor.org_id))
    authority = (
        next((a.name for a in profile.authorities if a.code == filters.authority), filters.authority)
        if profile is not None
        else filters.authority
    )
    shown: list[tuple[str, str | Text, str]] = [
        ("authority", NC_("year-end", "认定机构"), authority),
        ("batch", N_("批次"), batch_title(profile, filters.batch, filters.authority or None)),
        ("road", ROAD_WORDS.get(filters.road, ""), ""),
    ]
    return [
        FilterChip(name, label, value, {k: v for k, v in args.items() if k != name})
        for name, label, value in shown
        if name in args
    ]


def certificates_query(actor: Actor, filters: CertificateFilters) -> Select[tuple[Application]]:
    """The bureau's certificates, newest first: the list on screen and the Excel export share it
    (index ix_applications_certificates serves the order)."""
    _require_bureau(actor)
    stmt = visible_applications(actor).where(Application.certificate_no.is_not(None))
    if filters.series:
        # A typed box: a suggested series in English ("Engineering") filters on its stored name (工程).
        stmt = stmt.where(Application.series == series_as_stored(filters.series))
    if filters.level:
        stmt = stmt.where(Application.level == filters.level)
    if filters.authority:
        stmt = stmt.where(Application.authority_code == filters.authority)
    if filters.batch:
        stmt = stmt.where(Application.batch_id == filters.batch)
    # As Application.road_taken reads it: a committee's once the bureau sent it to one.
    if filters.road == glossary.BUREAU_ROAD:
        stmt = stmt.where(Application.committee_id.is_(None))
    elif filters.road == glossary.COMMITTEE_ROAD:
        stmt = stmt.where(Application.committee_id.is_not(None))
    if filters.since:
        stmt = stmt.where(Application.certified_at >= _start_of(filters.since))
    if filters.until:
        stmt = stmt.where(Application.certified_at < _start_of(filters.until + timedelta(days=1)))
    return stmt.order_by(Application.certified_at.desc(), Application.id.desc())


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def certificates(
    session: Session, actor: Actor, filters: CertificateFilters, *, limit: int = 200
) -> list[Application]:
    """The certified applications the actor's bureau may list, filtered, newest first, at most `limit`."""
    return list(session.scalars(certificates_query(actor, filters).limit(limit)))


# Rows of the certificate list a page: a bureau lists every certificate it ever issued (at 20,000
# applications in a province, the largest bureau's first 200 alone were 222 KB with their revoke forms;
# bench/README.md). The Excel export still takes every one the filters match.
PAGE_SIZE = 100


@dataclass(frozen=True)
class CertificatePage:
    """One page of the certificate list, newest first, and how many certificates the filters match in all
    (what the export writes)."""

    rows: list[Application]
    total: int
    cursor: str | None = None  # where this page starts (None on the first)
    next_cursor: str | None = None  # where the next one starts (None on the last)


def certificate_page(
    session: Session, actor: Actor, filters: CertificateFilters, cursor: str | None = None
) -> CertificatePage:
    """The page of the list after ``cursor`` (keyset on the date of issue and id, the order of the index
    ix_applications_certificates, so a deep page reads as little as the first), with the count of all. The
    rows bring their holder and unit in the same statement and leave the form's long texts unread."""
    query = certificates_query(actor, filters)
    after = keyset.decode(cursor)
    page = (
        query
        if after is None
        else query.where(keyset.beyond(Application.certified_at, Application.id, after, descending=True))
    )
    found = list(session.scalars(page.limit(PAGE_SIZE + 1).options(*WITHOUT_LONG_TEXTS)))
    rows, last = found[:PAGE_SIZE], found[PAGE_SIZE - 1] if len(found) > PAGE_SIZE else None
    following = keyset.encode(last.certified_at, last.id) if last is not None and last.certified_at else None
    return CertificatePage(
        rows, count_certificates(session, actor, filters), cursor if after else None, following
    )


def iter_certificates(session: Session, actor: Actor, filters: CertificateFilters) -> Iterator[Application]:
    """Every matching certificate, streamed in chunks (the export never holds them all)."""
    yield from session.scalars(certificates_query(actor, filters).execution_options(yield_per=1000))


def _export_stmt(actor: Actor, filters: CertificateFilters) -> Select[tuple[object, ...]]:
    listed = certificates_query(actor, filters).order_by(None).subquery()
    enterprise = aliased(Organisation)
    return (
        select(
            User.name,
            User.document_type,
            User.id_number,
            enterprise.name,
            listed.c.series,
            listed.c.specialty,
            listed.c.level,
            listed.c.certificate_no,
            listed.c.certified_at,
            listed.c.bureau_id,
            listed.c.authority_code,
            listed.c.certificate_revoked_at,
            listed.c.id,
        )
        .join(User, User.id == listed.c.applicant_id)
        .join(enterprise, enterprise.id == listed.c.enterprise_id)
        .order_by(listed.c.certified_at.desc(), listed.c.id.desc())
    )


# Positions in _export_stmt's columns that the keyset cursor reads.
_CERTIFIED_AT, _ROW_ID = 8, 12


def _export_row(session: Session, raw: Any, full_id: bool, names: AuthorityNames) -> tuple[object, ...]:
    (
        name,
        document,
        number,
        unit,
        series,
        specialty,
        level,
        cert_no,
        certified_at,
        bureau_id,
        code,
        revoked,
        _id,
    ) = raw
    return (
        name,
        DocumentType(document).title,
        number if full_id else mask_id_number(number),
        unit,
        series,
        specialty,
        level,
        cert_no,
        certified_at.astimezone(SHANGHAI).date(),
        authority_name(session, bureau_id, code, names),
        "已撤销" if revoked else "有效",
    )


def export_rows(
    session: Session, actor: Actor, filters: CertificateFilters, *, full_id: bool = True
) -> Iterator[tuple[object, ...]]:
    """The certificate Excel's rows (CertificateRow's order) for the same query as the list, streamed.

    Plain columns, not ORM objects: at 100,000 rows building and identity-mapping an Application, a User
    and two Organisations per row cost more than writing the spreadsheet. yield_per streams on both
    engines (a server-side cursor on PostgreSQL), so memory stays flat however many rows there are.
    """
    names: AuthorityNames = {}
    for raw in session.execute(_export_stmt(actor, filters).execution_options(yield_per=2000)):
        yield _export_row(session, raw, full_id, names)


ExportCursor = tuple[datetime, int]


def start_export(
    session: Session,
    actor: Actor,
    filters: CertificateFilters,
    now: datetime,
    *,
    membership_id: int | None = None,
) -> Job:
    """A background job writing the certificate Excel for these filters (portal/jobs/runners.py)."""
    _require_bureau(actor)
    params = {
        "filters": {
            "series": filters.series,
            "level": filters.level,
            "since": filters.since.isoformat() if filters.since else None,
            "until": filters.until.isoformat() if filters.until else None,
            "authority": filters.authority,
            "batch": filters.batch,
            "road": filters.road,
        }
    }
    return jobs.create_job(
        session, actor, JobKind.CERTIFICATE_EXPORT, params, now, membership_id=membership_id
    )


def export_filters(job: Job) -> CertificateFilters:
    """The filters a certificate export job was started with, as `start_export` recorded them in its
    params: what the worker writes, and what the job's page links back to the list with."""
    recorded: dict[str, Any] = job.params.get("filters") or {}

    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return CertificateFilters(
        series=recorded.get("series", ""),
        level=recorded.get("level", ""),
        since=day(recorded.get("since")),
        until=day(recorded.get("until")),
        authority=recorded.get("authority", ""),  # absent from jobs queued before REP-01's report page
        batch=recorded.get("batch", ""),
        # absent from jobs queued before the year-end Excel was narrowed to 认定
        road=recorded.get("road", ""),
    )


def export_name(filters: CertificateFilters) -> str:
    """The export's file name: for the 认定 road's certificates alone, as the year-end report sends them,
    the notice's own name (001 四(七), 000 四(六): 考核认定通过人员证书信息)."""
    return "考核认定通过人员证书信息.xlsx" if filters.road == glossary.BUREAU_ROAD else "证书信息.xlsx"


def count_certificates(session: Session, actor: Actor, filters: CertificateFilters) -> int:
    """How many certificates the list (and so the export) holds for these filters: the export job's total."""
    listed = certificates_query(actor, filters).order_by(None).subquery()
    return int(session.scalar(select(func.count()).select_from(listed)) or 0)


def export_page(
    session: Session,
    actor: Actor,
    filters: CertificateFilters,
    after: ExportCursor | None,
    size: int = 5000,
    *,
    full_id: bool = True,
) -> tuple[list[tuple[object, ...]], ExportCursor | None]:
    """One page of the export's rows after `after` (keyset on certified_at, id), and the next cursor
    (None at the end). The background export reads page by page, each in its own short transaction,
    so a 100,000-row export never holds a transaction (on SQLite: the write lock) for its whole run."""
    stmt = _export_stmt(actor, filters)
    if after is not None:
        columns = stmt.selected_columns
        certified, row_id = columns[_CERTIFIED_AT], columns[_ROW_ID]
        stmt = stmt.where(or_(certified < after[0], and_(certified == after[0], row_id < after[1])))
    raws = session.execute(stmt.limit(size)).all()
    names: AuthorityNames = {}
    rows = [_export_row(session, raw, full_id, names) for raw in raws]
    following = (raws[-1][_CERTIFIED_AT], raws[-1][_ROW_ID]) if len(raws) == size else None
    return rows, following


@dataclass(frozen=True)
class CertificateRow:
    name: str
    document: str  # the identity document's title (居民身份证, 护照…): the number is that document's
    id_number: str
    unit: str
    series: str
    specialty: str
    level: str
    number: str
    certified_on: date
    authority: str
    status: str


def record_approval_export(session: Session, actor: Actor, day: date, rows: int, now: datetime) -> None:
    """The 批复 lists everyone certified on a day: each download leaves an audit event."""
    audit.record(
        session, actor, "export_approval", now, object_type="certificates",
        detail={"day": day.isoformat(), "rows": rows},
    )  # fmt: skip


def _approval_row(a: Application) -> tuple[str, ...]:
    return (a.applicant.name, a.enterprise.name, f"{a.series}/{a.specialty}", a.level, a.certificate_no or "")


def _issued(applications: Iterable[Application]) -> Iterator[Application]:
    for a in applications:
        if a.state is Status.CERTIFIED and a.certified_at is not None:
            yield a


def recognised(applications: Iterable[Application]) -> Iterator[Application]:
    """Those of ``applications`` certified on the bureau's road (考核认定: 认定发证), in their order: whom
    the 批复 names and the Jiangxi hand-off's 考核认定通过人员证书信息 lists (services.handoffs, a sheet
    with ``rows = "recognised"``). A certificate reached by 评审 is not among them (see
    :func:`approval_of`)."""
    for a in _issued(applications):
        if a.road_taken == glossary.BUREAU_ROAD:
            yield a


def approval_of(session: Session, applications: Iterable[Application]) -> bytes | None:
    """The 批复 of those of ``applications`` the bureau's road certified (考核认定: 认定发证), one per
    certifying authority and day (documents/certificates.py), joined into one PDF; None when none is.

    A certificate reached by 评审 is not in it: the 批复 says its people "符合专业技术资格考核认定条件，同意
    认定", and nobody 认定'd that one — a committee passed it and the title office published the result
    under its own 文号 (003 六(二)); :func:`review_lists_of` lists those. The hand-off export's 批复文件
    (000 四(六), 001 四(七)) is this alone; the year-end report and the day's download add the lists
    (:func:`certified_documents`)."""
    groups: dict[tuple[str, date], list[tuple[str, ...]]] = {}
    for a in recognised(applications):
        key = (certifying_authority(session, a), a.certified_at.astimezone(SHANGHAI).date())  # type: ignore[union-attr]
        groups.setdefault(key, []).append(_approval_row(a))
    if not groups:
        return None
    return join_pdfs(
        [approval_pdf(authority, day, rows) for (authority, day), rows in sorted(groups.items())]
    )


def review_lists_of(session: Session, applications: Iterable[Application]) -> bytes | None:
    """The certificates of ``applications`` reached by 评审, listed apart from any 批复: one list per review
    committee and published result (the committee named, the 文号 under which the title office published
    its results, 003 六(二)), each row with its certificate number and 取得资格时间 (the day the province's
    number was recorded); None when there is none. One statement for the publications, however many."""
    passed = [a for a in _issued(applications) if a.road_taken == glossary.COMMITTEE_ROAD]
    if not passed:
        return None
    published = dict(
        session.execute(
            select(MeetingEntry.application_id, Meeting.document_no)
            .join(Meeting, Meeting.id == MeetingEntry.meeting_id)
            .where(
                MeetingEntry.application_id.in_([a.id for a in passed]),
                Meeting.status == MeetingStatus.PUBLISHED.value,
            )
        ).all()
    )
    groups: dict[tuple[str, str, str], list[tuple[object, ...]]] = {}
    for a in passed:
        assert a.committee is not None and a.certified_at is not None
        key = (a.committee.name, published.get(a.id) or "", a.committee.bureau.name)
        groups.setdefault(key, []).append((*_approval_row(a), a.certified_at.astimezone(SHANGHAI).date()))
    return join_pdfs(
        [
            review_list_pdf(committee, document_no, publisher, rows)
            for (committee, document_no, publisher), rows in sorted(groups.items())
        ]
    )


def certified_documents(session: Session, applications: Iterable[Application]) -> bytes | None:
    """The 批复 of the 认定 certificates among ``applications`` (:func:`approval_of`) followed by the lists
    of those reached by 评审 (:func:`review_lists_of`), one PDF; None when neither has anyone. What the
    year-end report and the day's download give: every certificate issued, each in its road's document."""
    chosen = list(applications)
    parts = [d for d in (approval_of(session, chosen), review_lists_of(session, chosen)) if d is not None]
    return join_pdfs(parts) if parts else None


def day_documents(session: Session, actor: Actor, day: date, now: datetime) -> bytes | None:
    """The day's 批复 and 评审 lists (:func:`certified_documents`) of the valid certificates the actor's
    bureau issued on ``day``, oldest first; audited (it names people). None, and nothing audited, when
    nobody was certified that day."""
    chosen = [
        a
        for a in reversed(list(iter_certificates(session, actor, CertificateFilters(since=day, until=day))))
        if a.certificate_revoked_at is None
    ]
    pdf = certified_documents(session, chosen)
    if pdf is not None:
        record_approval_export(session, actor, day, len(chosen), now)
    return pdf


def row_of(session: Session, application: Application, *, full_id: bool) -> CertificateRow:
    """One certificate as a table row; the ID number masked unless `full_id`."""
    assert application.certified_at is not None and application.certificate_no is not None
    number = application.applicant.id_number
    return CertificateRow(
        application.applicant.name,
        application.applicant.document_title,
        number if full_id else mask_id_number(number),
        application.enterprise.name,
        application.series,
        application.specialty,
        application.level,
        application.certificate_no,
        application.certified_at.astimezone(SHANGHAI).date(),
        certifying_authority(session, application),
        "已撤销" if application.certificate_revoked_at else "有效",
    )


# What the empty certificate list says comes next, by the roads the bureau's profile takes (its pathways'
# ``road``): a certificate is listed once the leader 认定发证 on the bureau's road, once the province's number
# is recorded after a published pass on the committee's (no leader 认定's anything there).
EMPTY_HINTS: dict[frozenset[str], str] = {
    frozenset({glossary.BUREAU_ROAD}): N_("人社局领导认定发证后，证书会列在这里。"),
    frozenset({glossary.COMMITTEE_ROAD}): N_("评审结果公布、录入证书编号后，证书会列在这里。"),
    frozenset({glossary.BUREAU_ROAD, glossary.COMMITTEE_ROAD}): N_(
        "人社局领导认定发证，或评审结果公布后录入证书编号，证书会列在这里。"
    ),
}


# The day's download (day_documents) holds the 批复 of the 认定 road and the 评审 lists: its button names what
# the bureau's roads put in it.
DAY_DOCUMENTS: dict[frozenset[str], str] = {
    frozenset({glossary.BUREAU_ROAD}): N_("生成当日批复（PDF）"),
    frozenset({glossary.COMMITTEE_ROAD}): N_("生成当日评审通过人员名单（PDF）"),
    frozenset({glossary.BUREAU_ROAD, glossary.COMMITTEE_ROAD}): N_("生成当日批复及评审通过人员名单（PDF）"),
}


@dataclass(frozen=True)
class ListWords:
    """What the bureau's certificate list says that depends on the roads its profile takes."""

    empty_hint: str  # the empty list: how certificates come to it
    day_documents: str  # the button of the day's download


def _roads(session: Session, actor: Actor) -> frozenset[str]:
    profile = effective_profile(session, session.get(Organisation, actor.org_id))
    roads = frozenset(p.road for p in profile.pathways) if profile is not None else frozenset()
    return roads if roads in EMPTY_HINTS else frozenset({glossary.BUREAU_ROAD})


def revocation_clause(session: Session, actor: Actor) -> str:
    """The clause a revocation's integrity record cites by default: the integrity rule of the bureau's own
    notice (INT-01/02: Nantong's 002 五(三), Zhenjiang's 003 七(三), as the pledge cites it), "" where its
    profile's notice states none (every bureau's form offered Nantong's)."""
    profile = effective_profile(session, session.get(Organisation, actor.org_id))
    return notice_clause(PLEDGE_CLAUSE, profile.source) if profile is not None else ""


def list_words(session: Session, actor: Actor) -> ListWords:
    """The certificate list's words for the actor's bureau, by the roads its policy profile's pathways take
    (the bureau's own 认定 without a profile)."""
    _require_bureau(actor)
    roads = _roads(session, actor)
    return ListWords(EMPTY_HINTS[roads], DAY_DOCUMENTS[roads])


def date_label(application: Application) -> str:
    """What the certificate's date is called, by the road the application took: 认定日期 where the bureau
    certified it, 取得资格时间 where it passed a committee's review (glossary.certificate_date_words). The
    Excel export keeps the province's column heads whatever the road."""
    return glossary.certificate_date_words(application.road_taken)


def id_label(holder: User) -> str:
    """What the certificate calls the holder's number: 身份证号码 for a resident ID, else the document's own
    name (护照号码, 港澳居民来往内地通行证号码…): a foreign or Hong Kong, Macau or Taiwan holder's number is
    not an ID card's. Always Chinese, as the certificate is."""
    return DocumentType(holder.document_type).number_label


def certificate_of(session: Session, actor: Actor, application_id: int) -> Application:
    """An application the actor may see that has a certificate; NotFound otherwise."""
    application = get_application(session, actor, application_id)
    if application.certificate_no is None:
        raise NotFound(N_("该申报尚无证书"))
    return application
