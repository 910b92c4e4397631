"""The year-end report to the city title office (REP-01, Ganzhou 001 四(七), 000 四(六)): each county,
district, park and self-review unit of the bureau's profile finishes the year's recognition (考核认定) by
the profile's ``[year_end]`` day and reports the 批复 and the certificate Excel of those recognised to the
市职称办; 2022 adds that a late report costs points in the year-end evaluation.

The bureau's page lists, per authority and batch, the year's applications decided and undecided (those
submitted in the year and those carried over: submitted earlier, still open on 1 January) and the
certificates of the 认定 road issued in the year (what the Excel beside them lists), the deadline
(warned of from ``warn_from``), who has reported and who is late. The Excel is the certificate export
(services/certificates.py, filtered by authority and batch) of the 认定 road's certificates alone
(``EXCEL_ROAD``): the notice asks for 考核认定通过人员证书信息 (001 四(七), 000 四(六)), and a
certificate reached by 评审 was not 认定'd — as the 批复 and the Jiangxi hand-off's sheet of the same name
(certificates.recognised), it is left out; the certificate list exports those. The 批复 is
the one the hand-offs write (:func:`certificates.approval_of`, the 认定 road's certificates), followed by
the lists of those reached by 评审 (:func:`certificates.review_lists_of`). Counts are figures, not people: the
bureau's admin sees them too; the documents, which name people, are for its handlers and leaders.

Under REP-02 (Zhenjiang 003 三(一): the year's review, audit and filing finished within the year,
``reports = false``) the page shows every authority's figures, the deadline and the warning, and nothing
is reported or downloaded here. Where the committee road has a review deadline in principle (WIN-04,
Zhenjiang 003 三(二): 中级 reviewed by 11-30), the page calls out, once that day has passed, the
applications at its levels on the committee road still undecided (a warning: nothing is refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain import glossary
from portal.domain.errors import DomainError, NotFound, PermissionDenied
from portal.domain.i18n import N_, NT_, T_, Clause, Text
from portal.domain.policy import Authority, PolicyProfile, ReviewDeadline
from portal.domain.workflow import FINAL_STATUSES, Status
from portal.models import Application, Organisation, OrgKind, YearEndReport
from portal.services import audit
from portal.services import certificates as certificate_service
from portal.services.actors import Actor
from portal.services.calendar import SHANGHAI, today
from portal.services.policies import batch_title, effective_profile

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the table's CHECK: a year typed into the URL stays in it
# REP-01 (001 四(七), 000 四(六)): the year-end Excel is of "考核认定通过人员证书信息", those 认定'd on the
# bureau's road; certificates reached by 评审 (a committee's vote, the title office's published result) are
# not in it.
EXCEL_ROAD = glossary.BUREAU_ROAD
_FINAL = frozenset(s.value for s in FINAL_STATUSES)


class ReportState(StrEnum):
    """Where an authority's report of the year stands on the page."""

    DUE = "due"  # not reported, the deadline not passed
    LATE = "late"  # not reported, the deadline passed
    REPORTED = "reported"
    REPORTED_LATE = "reported_late"  # reported after the deadline (2022: costs points, 000 四(六))


@dataclass(frozen=True)
class BatchLine:
    """One batch of an authority's year: ``batch_id`` "" for applications submitted in no batch."""

    batch_id: str
    title: str
    decided: int = 0
    undecided: int = 0
    certified: int = 0  # certificates of the year on the 认定 road: the rows of its Excel (``EXCEL_ROAD``)
    carried: int = 0  # of ``undecided``, those submitted in an earlier year (结转)
    review: int = 0  # of ``undecided``, those on the committee road at a level of its review deadline
    # Certificates of the year reached by 评审: not in the Excel (nor the 批复), but in the lists of their own
    # that follow the 批复 in the year-end PDF; shown apart so the page does not lose them.
    reviewed: int = 0


@dataclass(frozen=True)
class AuthorityLine:
    """One certifying authority's year: its batches, the sums, and its report to the city office."""

    code: str
    name: str
    self_review: bool
    batches: tuple[BatchLine, ...]
    state: ReportState
    reported_by: str = ""
    reported_at: datetime | None = None

    @property
    def decided(self) -> int:
        return sum(b.decided for b in self.batches)

    @property
    def undecided(self) -> int:
        return sum(b.undecided for b in self.batches)

    @property
    def certified(self) -> int:
        return sum(b.certified for b in self.batches)

    @property
    def carried(self) -> int:
        return sum(b.carried for b in self.batches)

    @property
    def review(self) -> int:
        return sum(b.review for b in self.batches)

    @property
    def reviewed(self) -> int:
        return sum(b.reviewed for b in self.batches)


@dataclass(frozen=True)
class YearEndReportPage:
    """The bureau's year-end report of ``year``: the deadline, whether the page warns of it, and each
    reporting authority."""

    year: int
    deadline: date
    clause: str
    warns: bool
    past: bool
    authorities: tuple[AuthorityLine, ...]
    may_download: bool  # the Excel and the 批复 name people: handlers and leaders only
    reports: bool = True  # REP-01: reported to the city office; REP-02 (Zhenjiang): finished in the year only
    # WIN-04 (003 三(二)): past the review deadline in principle, what of its levels is still undecided.
    review_warning: Text | None = None
    review_levels: tuple[str, ...] = ()  # the levels it covers, as the authorities' lines name them
    excel_road: str = EXCEL_ROAD  # the road of the certificates its Excel sends (the export's `road` filter)
    # The certificate list is the bureau's handlers' and leaders' (an admin sees the figures, not the people).
    may_list: bool = False

    def certified_args(self, authority: str, batch: str = "") -> dict[str, str]:
        """The certificate list's query string for a 考核认定发证 figure: the authority's (one batch's)."""
        return self._certificates_args(authority, glossary.BUREAU_ROAD, batch)

    def reviewed_args(self, authority: str) -> dict[str, str]:
        """The certificate list's query string for an authority's 评审通过发证 figure."""
        return self._certificates_args(authority, glossary.COMMITTEE_ROAD)

    def _certificates_args(self, authority: str, road: str, batch: str = "") -> dict[str, str]:
        """The certificate list's query string for the certificates a figure of the report counts: the
        authority's (of one batch when ``batch``) issued in the year on ``road``, as the figure counts them
        (the year's Shanghai days, the committee road read as `Application.road_taken` reads it), so the
        bureau can see who is behind the number; the list's chips then name the authority, batch and road."""
        return certificate_service.CertificateFilters(
            authority=authority,
            batch=batch,
            road=road,
            since=date(self.year, 1, 1),
            until=date(self.year, 12, 31),
        ).to_args()

    @property
    def late(self) -> tuple[AuthorityLine, ...]:
        return tuple(a for a in self.authorities if a.state is ReportState.LATE)

    @property
    def unreported(self) -> tuple[AuthorityLine, ...]:
        return tuple(a for a in self.authorities if a.state in (ReportState.DUE, ReportState.LATE))

    @property
    def unfinished(self) -> tuple[AuthorityLine, ...]:
        """The authorities with applications still undecided (REP-02's warning: nothing is reported)."""
        return tuple(a for a in self.authorities if a.undecided)


def _bureau(session: Session, actor: Actor) -> Organisation:
    if actor.org_kind is not OrgKind.BUREAU or not (actor.is_staff or actor.is_admin):
        raise PermissionDenied(N_("只有人社局可以查看和记录年度认定报告"))
    bureau = session.get(Organisation, actor.org_id)
    if bureau is None:
        raise PermissionDenied(N_("只有人社局可以查看和记录年度认定报告"))
    return bureau


def _profile(session: Session, bureau: Organisation) -> PolicyProfile | None:
    profile = effective_profile(session, bureau)
    return profile if profile is not None and profile.year_end is not None else None


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(N_("没有这一年度"))


def _state(reported: YearEndReport | None, deadline: date, day: date) -> ReportState:
    if reported is not None:
        return ReportState.REPORTED_LATE if today(reported.reported_at) > deadline else ReportState.REPORTED
    return ReportState.LATE if day > deadline else ReportState.DUE


def year_end_report(session: Session, actor: Actor, year: int, now: datetime) -> YearEndReportPage | None:
    """The bureau's year-end report of ``year`` (REP-01; under REP-02 the deadline and each authority's
    figures without the report); None when its profile sets no year-end duty."""
    bureau = _bureau(session, actor)
    _check_year(year)
    profile = _profile(session, bureau)
    if profile is None or profile.year_end is None:
        return None
    reporters = profile.year_end_authorities()
    codes = [a.code for a in reporters]
    start, end = _year_bounds(year)
    submitted_in_year = and_(Application.submitted_at >= start, Application.submitted_at < end)
    # The year's work is also what earlier years left open on 1 January (结转): an application submitted
    # in 2025 and undecided in December 2026 is still the authority's to finish by 2026-12-31. Decided, as
    # everywhere on the page, is a final status; a carried one decided since 1 January became final then.
    carried_over = and_(
        Application.submitted_at < start,
        or_(Application.status.not_in(_FINAL), Application.status_changed_at >= start),
    )
    certified_in_year = and_(Application.certified_at >= start, Application.certified_at < end)
    # Decided as the year closed, not as today: an earlier year's page counts one decided in January of
    # the next as open on 31 December (a final status is never left, so the day it was reached says when).
    decided_by_end = and_(Application.status.in_(_FINAL), Application.status_changed_at < end)
    review_rule = profile.committee.review_deadline if profile.committee is not None else None
    rows = session.execute(
        select(
            Application.authority_code,
            Application.batch_id,
            Application.batch_name,
            decided_by_end,
            submitted_in_year,
            carried_over,
            certified_in_year,
            Application.certificate_no,
            Application.level,
            Application.pathway,
            Application.committee_id,
        ).where(
            Application.bureau_id == bureau.id,
            Application.authority_code.in_(codes),
            Application.status != Status.DRAFT.value,
            or_(submitted_in_year, carried_over, certified_in_year),
        )
    ).all()
    # (authority, batch) -> [decided, undecided, certified, carried over and undecided, undecided reviews
    # at a level of the review deadline, certificates reached by 评审]
    counts: dict[tuple[str, str], list[int]] = {}
    # (authority, batch) -> the name kept at submission: a batch carried over from last year is no longer
    # in the profile, and is shown by the name it was submitted under.
    names: dict[tuple[str, str], str] = {}
    for code, batch, name, decided, submitted, carried, certified, number, level, pathway, committee in rows:
        key = (code, batch or "")
        tally = counts.setdefault(key, [0, 0, 0, 0, 0, 0])
        if name:  # one name per batch; should two rows differ, the same one every time
            names[key] = max(names.get(key, name), name)
        if submitted or carried:
            tally[0 if decided else 1] += 1
            if carried and not decided:
                tally[3] += 1
            if not decided and _under_review_deadline(profile, review_rule, level, pathway):
                tally[4] += 1
        # Counted as the Excel lists them (``EXCEL_ROAD``): certificates of the year on the 认定 road, a
        # committee's (评审, `Application.road_taken`) left out as from 考核认定通过人员证书信息.
        if certified and number:
            tally[2 if committee is None else 5] += 1
    reports = {
        r.authority_code: r
        for r in session.scalars(
            select(YearEndReport).where(YearEndReport.bureau_id == bureau.id, YearEndReport.year == year)
        )
    }
    rule = profile.year_end
    deadline, day = rule.deadline(year), today(now)
    authorities = tuple(
        _line(profile, a, counts, names, reports.get(a.code), deadline, day) for a in reporters
    )
    return YearEndReportPage(
        year=year,
        deadline=deadline,
        clause=rule.citation,
        warns=day.year == year and rule.warns_on(day),
        past=day > deadline,
        authorities=authorities,
        may_download=actor.is_staff and rule.reports,
        may_list=actor.is_staff,
        reports=rule.reports,
        review_warning=_review_warning(review_rule, year, day, sum(a.review for a in authorities)),
        review_levels=review_rule.levels if review_rule is not None else (),
    )


def _under_review_deadline(
    profile: PolicyProfile, rule: ReviewDeadline | None, level: str, pathway: str | None
) -> bool:
    """Whether an application falls under the committee road's review deadline (WIN-04, 003 三(二)): a
    committee's (评审) application at one of its levels."""
    return rule is not None and rule.covers(level) and profile.road(pathway) == "committee"


def _review_warning(rule: ReviewDeadline | None, year: int, day: date, undecided: int) -> Text | None:
    """From the day after the review deadline of ``year`` (Zhenjiang: from 1 December), how many of its
    levels' reviews are still undecided, against the day and its clause; None before, or with none left."""
    if rule is None or not undecided or day <= rule.deadline(year):
        return None
    return NT_(
        "原则上各专业%(levels)s评审在%(deadline)s前完成（%(clause)s）：该日已过，尚有%(num)d件%(levels)s评审申报未办结。",
        "原则上各专业%(levels)s评审在%(deadline)s前完成（%(clause)s）：该日已过，尚有%(num)d件%(levels)s评审申报未办结。",
        undecided, levels=rule.levels, deadline=rule.deadline(year), clause=Clause(rule.citation),
    )  # fmt: skip


def _line(
    profile: PolicyProfile,
    authority: Authority,
    counts: dict[tuple[str, str], list[int]],
    names: dict[tuple[str, str], str],
    reported: YearEndReport | None,
    deadline: date,
    day: date,
) -> AuthorityLine:
    batches = tuple(
        BatchLine(
            batch,
            batch_title(profile, batch, authority.code, names.get((code, batch))) if batch else "",
            *tally,
        )
        for (code, batch), tally in sorted(counts.items())
        if code == authority.code
    )
    return AuthorityLine(
        code=authority.code,
        name=authority.name,
        self_review=authority.self_review,
        batches=batches,
        state=_state(reported, deadline, day),
        reported_by=reported.reported_by.name if reported is not None else "",
        reported_at=reported.reported_at if reported is not None else None,
    )


def _reporter(session: Session, actor: Actor, authority: str) -> tuple[Organisation, Authority]:
    bureau = _bureau(session, actor)
    profile = _profile(session, bureau)
    if profile is not None and profile.year_end is not None and not profile.year_end.reports:
        # REP-02 (Zhenjiang): each body finishes its own year; nobody reports a 批复 to the city office.
        raise NotFound(N_("本局的政策配置不要求向市职称办上报批复和证书信息"))
    found = next((a for a in profile.year_end_reporters() if a.code == authority), None) if profile else None
    if found is None:
        raise NotFound(N_("没有这个认定机构"))
    return bureau, found


def _recorded(session: Session, bureau_id: int, authority: str, year: int) -> YearEndReport | None:
    return session.scalar(
        select(YearEndReport).where(
            YearEndReport.bureau_id == bureau_id,
            YearEndReport.authority_code == authority,
            YearEndReport.year == year,
        )
    )


def _already(authority: Authority, report: YearEndReport) -> DomainError:
    return DomainError(
        T_(
            "%(authority)s的%(year)s年度报告已由%(who)s于%(when)s记录为已上报",
            authority=authority.name,
            year=report.year,
            who=report.reported_by.name,
            when=report.reported_at,
        ),
        code="already_reported",
    )


def _refused_again(
    session: Session, actor: Actor, authority: Authority, report: YearEndReport, now: datetime
) -> DomainError:
    """The refusal of a second record, audited as a denied attempt (kept if the request rolls back)."""
    audit.record_attempt(
        session, actor, "year_end_reported", now, object_type="year_end_report", object_id=report.id,
        detail={"authority": authority.code, "year": report.year, "code": "already_reported"},
    )  # fmt: skip
    return _already(authority, report)


def record_report(session: Session, actor: Actor, authority: str, year: int, now: datetime) -> YearEndReport:
    """Record that ``authority`` sent the city title office its 批复 and certificate Excel of ``year``
    (who and when, audited). Once per authority and year: a second record is refused, the first kept."""
    _check_year(year)
    bureau, found = _reporter(session, actor, authority)
    if year > today(now).year:
        raise DomainError(N_("该年度尚未开始，不能记录上报"), code="future_year")
    existing = _recorded(session, bureau.id, found.code, year)
    if existing is not None:
        raise _refused_again(session, actor, found, existing, now)
    report = YearEndReport(
        bureau_id=bureau.id,
        authority_code=found.code,
        year=year,
        reported_by_id=actor.user_id,
        reported_at=now,
    )
    try:
        # Two staff pressing 记录已上报 at once both pass the check above; the unique row decides, and in a
        # savepoint the loser's failed insert leaves the request's transaction usable (PostgreSQL aborts
        # it otherwise) so it is told who recorded it, not a 500.
        with session.begin_nested():
            session.add(report)
            session.flush()
    except IntegrityError:
        winner = _recorded(session, bureau.id, found.code, year)
        if winner is None:  # not the unique row: something else is wrong
            raise
        raise _refused_again(session, actor, found, winner, now) from None
    profile = _profile(session, bureau)
    assert profile is not None and profile.year_end is not None
    audit.record(
        session, actor, "year_end_reported", now, object_type="year_end_report", object_id=report.id,
        detail={
            "authority": found.code, "year": year,
            "late": today(now) > profile.year_end.deadline(year),
        },
    )  # fmt: skip
    return report


def approval_document(
    session: Session, actor: Actor, authority: str, year: int, batch: str, now: datetime
) -> tuple[bytes, str]:
    """The 批复 of everyone ``authority`` certified in ``year`` (of one batch when ``batch``), their
    certificates still valid: the document its year-end report sends the city office (REP-01: the 批复 of
    those recognised). Certificates of the year reached by 评审 follow it in lists of their own, by
    committee and published result (:func:`certificates.certified_documents`): they are not 认定'd, so no
    批复 names them. Audited (it names people); a DomainError when nobody is in it."""
    _check_year(year)
    _, found = _reporter(session, actor, authority)
    filters = certificate_service.CertificateFilters(
        authority=found.code, batch=batch, since=date(year, 1, 1), until=date(year, 12, 31)
    )
    chosen = [
        a
        for a in reversed(list(certificate_service.iter_certificates(session, actor, filters)))
        if a.certificate_revoked_at is None
    ]
    pdf = certificate_service.certified_documents(session, chosen)
    if pdf is None:
        raise DomainError(
            T_("%(authority)s在%(year)s年没有发证的人员", authority=found.name, year=year), code="empty"
        )
    audit.record(
        session, actor, "export_approval", now, object_type="certificates",
        detail={"authority": found.code, "year": year, "batch": batch, "rows": len(chosen)},
    )  # fmt: skip
    suffix = f"-{batch}" if batch else ""
    return pdf, f"批复-{found.code}-{year}{suffix}.pdf"
