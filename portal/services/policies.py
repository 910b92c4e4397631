"""Policy in use: which profile a bureau follows, the windows and contacts its admin adds on top of the
TOML files, and the open and upcoming windows people see (issue #5).

Rules enforced here: only the bureau's admin changes its windows, contacts and profile; a window needs a
source, closes on or after it opens, names a known authority and at least one level, and never overlaps
another window of the same authority and level (WIN-01..04); every change is audited. Admin rows are used
in addition to the profile's batches and replace the one with the same batch id and authority. A
self-review unit's window (SCOPE-13) is neither open nor next until the admin records the unit's written
filing with the title office of its level, dated before the window opens (WIN-02 001 一); changing its
dates drops the filing. No status transitions.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.dates import read_day
from portal.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_, Clause, Text, joined
from portal.domain.policy import (
    ALL,
    LEVELS,
    Authority,
    PolicyProfile,
    Window,
    expand_levels,
    last_workday_in,
    load_profiles,
    window_closes_on_rest_day,
)
from portal.domain.text import LIMITS
from portal.domain.workdays import UnknownYear
from portal.domain.workflow import FINAL_STATUSES, Status
from portal.models import Application, AuthorityContact, Organisation, OrgKind, PolicyWindow
from portal.services import audit, locks, session_memo
from portal.services.actors import Actor
from portal.services.calendar import today, work_calendar
from portal.services.scope import visible_applications

_BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


@functools.cache
def profiles() -> dict[str, PolicyProfile]:
    """Every profile in portal/policies, loaded and validated once per process."""
    return load_profiles()


def bureau_of(org: Organisation | None) -> Organisation | None:
    """The bureau at the top of ``org``'s branch of the tree."""
    while org is not None and org.kind != OrgKind.BUREAU.value:
        org = org.parent
    return org


def _rows(session: Session, bureau: Organisation, profile_id: str) -> list[PolicyWindow]:
    return list(
        session.scalars(
            select(PolicyWindow)
            .where(PolicyWindow.bureau_id == bureau.id, PolicyWindow.profile_id == profile_id)
            .order_by(PolicyWindow.opens, PolicyWindow.id)
        )
    )


def as_window(row: PolicyWindow) -> Window:
    """An admin-entered window row as the policy model's Window."""
    return Window(
        batch_id=row.batch_id,
        name=row.name,
        authority=row.authority,
        levels=expand_levels(row.level_list),
        opens=row.opens,
        closes=row.closes,
        cutoff=row.cutoff,
        cutoff_citation=row.citation if row.cutoff else "",
        citation=row.citation,
        note=row.note,
        filed_on=row.filed_on,
        filed_with=row.filed_with or "",
        filing_ref=row.filing_ref or "",
    )


# The session's effective profiles by bureau, forgotten at its next write (session_memo): a queue page asks
# for the profile of every row's bureau — the rulebook's guards, the committee routing — and each was two
# reads (the admin's windows, the authority contacts) per row (issue 20).
_EFFECTIVE = session_memo.register("portal.policies.effective_profile")


def effective_profile(session: Session, bureau: Organisation | None) -> PolicyProfile | None:
    """The bureau's profile with its admin's windows added (replacing a batch with the same id and
    authority) and its authority contacts corrected; None when the bureau follows no profile. Read once
    per bureau until the session next writes (a profile is immutable: every caller may share it)."""
    bureau = bureau_of(bureau)
    if bureau is None or not bureau.policy_profile:
        return None
    read: dict[tuple[int, str], PolicyProfile | None] = session_memo.memo(session, _EFFECTIVE)
    key = (bureau.id, bureau.policy_profile)
    if key not in read:
        read[key] = _effective(session, bureau)
    return read[key]


def _effective(session: Session, bureau: Organisation) -> PolicyProfile | None:
    base = profiles().get(bureau.policy_profile)
    if base is None:
        return None
    added = [as_window(r) for r in _rows(session, bureau, base.id)]
    keys = {(w.batch_id, w.authority) for w in added}
    batches = tuple(w for w in base.batches if (w.batch_id, w.authority) not in keys) + tuple(added)
    contacts = {
        c.authority_code: c
        for c in session.scalars(
            select(AuthorityContact).where(
                AuthorityContact.bureau_id == bureau.id, AuthorityContact.profile_id == base.id
            )
        )
    }
    authorities = tuple(
        replace(
            a, name=contacts[a.code].name, phone=contacts[a.code].phone, area=contacts[a.code].area or a.area
        )
        if a.code in contacts
        else a
        for a in base.authorities
    )
    return replace(base, batches=batches, authorities=authorities)


# --- what people see -----------------------------------------------------------------------------------


def format_period(opens: date, closes: date) -> str:
    """2027年1月20日至2月20日 (the year again only when it changes)."""
    end = (
        f"{closes.month}月{closes.day}日"
        if closes.year == opens.year
        else f"{closes.year}年{closes.month}月{closes.day}日"
    )
    return f"{opens.year}年{opens.month}月{opens.day}日至{end}"


def period_message(opens: date, closes: date) -> Text:
    """The period as a message: its Chinese text is `format_period`'s (the closing year omitted within one
    year), and the English interface writes it from the two dates."""
    message = T_("%(opens)s至%(closes)s", opens=opens, closes=closes)
    chinese = str.__new__(Text, format_period(opens, closes))
    chinese.template, chinese.plural, chinese.count = message.template, message.plural, message.count
    chinese.params = message.params
    return chinese


def window_title(window: Window) -> str:
    """A window's name with its year, as the UI shows it."""
    year = window.opens.year if window.opens else ""
    return window.name if str(year) in window.name else f"{year}年{window.name}"


def batch_title(
    profile: PolicyProfile | None, batch_id: str, authority: str | None, stored: str | None = None
) -> str:
    """The batch an application was submitted in as people call it ("2026年第一批"): the window of its
    authority, else the shared one, else any with that id, so an admin's rename shows at once; when the
    profile no longer holds it (last year's batch, an admin's row since deleted) the name ``stored`` on
    the application at its submission, else the id itself (submitted before the name was kept)."""
    found = [w for w in profile.batches if w.batch_id == batch_id] if profile is not None else []
    for window in sorted(found, key=lambda w: (w.authority != authority, w.authority != ALL)):
        return window_title(window)
    return stored or batch_id


# A countdown turns into a warning in the window's last week: earlier, "30 days left" in red read as an alarm.
CLOSING_SOON_DAYS = 7


@dataclass(frozen=True)
class WindowStatus:
    """One window as a home page or the admin list shows it."""

    window: Window
    title: str
    authority_name: str
    period: str
    is_open: bool
    days_left: int  # to the closing day (open windows)
    days_until: int  # to the opening day (upcoming windows)
    admin_row_id: int | None = None
    closes_on_rest_day: bool | None = None  # None: the calendar does not know the year
    last_workday: date | None = None
    awaits_filing: bool = False  # a self-review unit's window without its recorded filing: not open
    self_review: bool = False  # the window of a self-review unit (its filing is shown or asked for)
    # A shared window shown to a self-review unit's enterprise: for whom of its staff it holds (SCOPE-13).
    applies_note: str | None = None
    # A shared window on the admin's page: the self-review units whose own staff it is not for, with levels.
    units_apart: str | None = None
    # A self-review unit's window written in the profile's file (no row of the bureau): its filing is
    # recorded through record_profile_filing.
    in_file: bool = False

    @property
    def closing_soon(self) -> bool:
        """An open window in its last week: the countdown is then a warning (red), not just a date."""
        return self.is_open and self.days_left < CLOSING_SOON_DAYS


def _authority_name(profile: PolicyProfile, code: str) -> str:
    if code == ALL:
        return N_("各认定机构")
    try:
        return profile.authority(code).name
    except ValueError:
        return code


def _applies_note(w: Window, unit: Authority) -> str | None:
    """For a self-review unit's enterprise, which of its staff a shared window is for: the unit certifies
    its levels (in its series) itself on its own filed dates (SCOPE-13, WIN-02 001 一), so the shared batch
    holds for the other levels (and series) only. None for the unit's own windows."""
    if w.authority == unit.code:
        return None
    own = [lv for lv in w.levels if lv in unit.levels]
    others = [lv for lv in w.levels if lv not in unit.levels]
    if not own:
        return None
    if unit.series:
        return T_(
            "本单位%(series)s系列的%(own)s由%(unit)s自主认定，不按本批次申报；本单位其他人员按本批次申报",
            series=joined(unit.series),
            own=joined(own),
            unit=unit.name,
        )
    if not others:
        return None  # not listed to the unit's enterprise (current_windows leaves it out)
    return T_(
        "本单位仅%(levels)s按本批次申报；%(own)s由%(unit)s自主认定，受理时间以其书面报备为准",
        levels=joined(others),
        own=joined(own),
        unit=unit.name,
    )


def _units_apart(profile: PolicyProfile, w: Window) -> str | None:
    """A shared window on the admin's page: the self-review units certifying some of its levels for their
    own staff on their own dates (SCOPE-13, WIN-02 001 一), each with those levels; None if there are none."""
    if w.authority != ALL:
        return None
    units = [
        T_("%(unit)s（%(levels)s）", unit=a.name, levels=joined(lv for lv in w.levels if lv in a.levels))
        if not a.series
        else T_(
            "%(unit)s（%(series)s系列%(levels)s）",
            unit=a.name,
            series=joined(a.series),
            levels=joined(lv for lv in w.levels if lv in a.levels),
        )
        for a in profile.authorities
        if a.self_review and set(w.levels) & set(a.levels)
    ]
    if not units:
        return None
    return T_(
        "不适用于自主评审单位的本单位人员：%(units)s（自定受理时间，%(clause)s）",
        units=joined(units, "；"),
        clause="001 一",
    )


def _status(
    session: Session,
    profile: PolicyProfile,
    w: Window,
    day: date,
    row_ids: dict[tuple[str, str], int],
    unit: Authority | None = None,
) -> WindowStatus:
    assert w.opens is not None and w.closes is not None
    rest: bool | None = None
    last: date | None = None
    try:
        calendar = work_calendar(session)
        rest = window_closes_on_rest_day(w, calendar)
        last = last_workday_in(w, calendar) if rest else None
    except UnknownYear:
        rest = None
    return WindowStatus(
        window=w,
        title=window_title(w),
        authority_name=_authority_name(profile, w.authority),
        period=format_period(w.opens, w.closes),
        is_open=w.contains(day) and not profile.awaits_filing(w),
        days_left=(w.closes - day).days,
        days_until=(w.opens - day).days,
        admin_row_id=row_ids.get((w.batch_id, w.authority)),
        closes_on_rest_day=rest,
        last_workday=last,
        awaits_filing=profile.awaits_filing(w),
        self_review=profile.is_self_review(w.authority),
        applies_note=_applies_note(w, unit) if unit is not None else None,
        units_apart=_units_apart(profile, w) if unit is None else None,
        in_file=(w.batch_id, w.authority) not in row_ids
        and profile.is_self_review(w.authority)
        and profile_window(profile, w.batch_id, w.authority) is not None,
    )


def _dated(profile: PolicyProfile, years: tuple[int, ...]) -> list[Window]:
    seen: set[tuple[str, str]] = set()
    out: list[Window] = []
    for year in years:
        for level in LEVELS:
            for w in profile.windows_for(None, level, year):
                if (w.batch_id, w.authority) not in seen and w.opens and w.closes:
                    seen.add((w.batch_id, w.authority))
                    out.append(w)
    return sorted(out, key=lambda w: (w.opens or date.max, w.authority, w.batch_id))


@dataclass(frozen=True)
class WindowsOn:
    """The windows open on a day and those still to open, as every page names them (issue 17.6)."""

    open: tuple[Window, ...]  # the current one first
    upcoming: tuple[Window, ...]  # by opening day
    unfiled: tuple[Window, ...] = ()  # a self-review unit's windows open or to come but not filed (WIN-02)

    @property
    def awaiting_filing(self) -> Window | None:
        """The unfiled self-review window that would be open on the day, if any (the refusal names it)."""
        return self.unfiled[0] if self.unfiled else None

    @property
    def current(self) -> Window | None:
        """The window an application submitted today goes into: where windows overlap, the one opened
        last (a supplementary batch opened inside a longer one is the batch now being run), then the one
        closing first."""
        return self.open[0] if self.open else None

    @property
    def next(self) -> Window | None:
        """The first window opening after the day (None: nothing published yet)."""
        return self.upcoming[0] if self.upcoming else None


def windows_on(
    profile: PolicyProfile,
    day: date,
    *,
    level: str | None = None,
    authority: str | None = None,
    pathway: str | None = None,
    specialty: str | None = None,
) -> WindowsOn:
    """The one answer to "which window is open now, and which is next" for a profile (with its admin's
    windows: pass :func:`effective_profile`). ``level`` None: every level (home pages); ``authority`` an
    unknown code or None: every authority. A window closed early is one whose closing day the admin moved
    forward: after that day it is neither open nor next. Windows of last year that run into this one count.

    A self-review unit's window concerns its own staff only: it is left out unless ``authority`` names the
    unit, and then it is open or next only once its written filing is recorded (WIN-02 001 一); an unfiled
    one open on the day is ``unfiled``."""
    code = authority if authority and any(a.code == authority for a in profile.authorities) else None
    seen: set[tuple[str, str, date | None]] = set()
    dated: list[Window] = []
    for year in (day.year - 1, day.year, day.year + 1):
        for lv in (level,) if level else LEVELS:
            if lv not in LEVELS:
                continue
            for w in profile.windows_for(code, lv, year, pathway=pathway, specialty=specialty):
                key = (w.batch_id, w.authority, w.opens)
                if code is None and profile.is_self_review(w.authority):
                    continue  # another unit's own dates: not the shared picture
                if w.opens is not None and w.closes is not None and key not in seen:
                    seen.add(key)
                    dated.append(w)
    unfiled = tuple(w for w in dated if w.contains(day) and profile.awaits_filing(w))
    dated = [w for w in dated if not profile.awaits_filing(w)]
    now_open = sorted(
        (w for w in dated if w.contains(day)),
        key=lambda w: (-w.opens.toordinal(), w.closes, w.authority, w.batch_id),  # type: ignore[union-attr]
    )
    later = sorted(
        (w for w in dated if w.opens > day),  # type: ignore[operator]
        key=lambda w: (w.opens, w.authority, w.batch_id),
    )
    return WindowsOn(tuple(now_open), tuple(later), unfiled)


def current_windows(
    session: Session, org: Organisation | None, now: datetime, limit: int = 4
) -> list[WindowStatus]:
    """The open and upcoming windows for ``org``'s bureau (home pages: "距截止还有N天"): the open ones
    first, the current one at the top, then the next ones (:func:`windows_on`). For an enterprise with a
    self-review unit (SCOPE-13) its unit's filed windows, and the shared ones only for levels the unit
    does not certify."""
    profile = effective_profile(session, bureau_of(org))
    if profile is None:
        return []
    day = today(now)
    found = windows_on(profile, day)
    unit = profile.self_review_unit(org.uscc if org is not None else None)
    if unit is not None:
        own = windows_on(profile, day, authority=unit.code)
        # A shared window is still theirs for a level the unit does not certify, or in a series it does not.
        others = [
            w for w in (*found.open, *found.upcoming) if unit.series or set(w.levels) - set(unit.levels)
        ]
        opened = sorted(
            [*own.open, *(w for w in others if w.contains(day))],
            key=lambda w: (-w.opens.toordinal(), w.closes),  # type: ignore[union-attr]
        )
        later = sorted([*own.upcoming, *(w for w in others if not w.contains(day))], key=lambda w: w.opens)  # type: ignore[arg-type, return-value]
        found = WindowsOn(tuple(opened), tuple(later))
    return [_status(session, profile, w, day, {}, unit) for w in (*found.open, *found.upcoming)[:limit]]


@dataclass(frozen=True)
class YearEndDuty:
    """A self-review unit's year-end duty as its enterprise's home shows it (REP-01, 001 四(七)): finish
    the year's recognition by ``deadline`` and report it to the city title office; ``unfinished`` are this
    enterprise's submitted applications the unit certifies that are not yet decided."""

    unit_name: str
    deadline: date
    clause: str
    unfinished: tuple[Application, ...]


def year_end_duty(session: Session, actor: Actor, now: datetime) -> YearEndDuty | None:
    """For the staff of a self-review unit's enterprise, from the profile's warning day to the year's
    deadline: the deadline and what is still unfinished (REP-01 "WARN from December"); otherwise None."""
    if not actor.is_staff or actor.org_kind is not OrgKind.ENTERPRISE or actor.org_id is None:
        return None
    org = session.get(Organisation, actor.org_id)
    profile = effective_profile(session, bureau_of(org))
    if org is None or profile is None or profile.year_end is None:
        return None
    unit = profile.self_review_unit(org.uscc)
    day = today(now)
    if unit is None or not profile.year_end.warns_on(day):
        return None
    unfinished = session.scalars(
        visible_applications(actor)
        .where(
            Application.authority_code == unit.code,
            Application.status.not_in([s.value for s in (*FINAL_STATUSES, Status.DRAFT)]),
        )
        .order_by(Application.id)
    ).all()
    return YearEndDuty(
        unit.name, profile.year_end.deadline(day.year), profile.year_end.citation, tuple(unfinished)
    )


# --- the bureau admin's screens --------------------------------------------------------------------------


def _admin_bureau(session: Session, actor: Actor) -> Organisation:
    if not actor.is_admin:
        raise PermissionDenied(N_("只有人社局系统管理员可以维护受理批次和认定机构"))
    bureau = session.get(Organisation, actor.org_id)
    if bureau is None or bureau.kind != OrgKind.BUREAU.value:
        raise PermissionDenied(N_("只有人社局系统管理员可以维护受理批次和认定机构"))
    return bureau


@dataclass(frozen=True)
class PolicyOverview:
    bureau: Organisation
    profile: PolicyProfile | None
    windows: list[WindowStatus]
    rows: list[PolicyWindow]
    contacts: dict[str, AuthorityContact]
    profile_ids: list[str]


def overview(session: Session, actor: Actor, now: datetime) -> PolicyOverview:
    """Everything the admin's 受理批次 page lists: this year's and next year's windows (admin rows marked,
    closing days on rest days flagged), the authorities and the profiles one may choose."""
    bureau = _admin_bureau(session, actor)
    profile = effective_profile(session, bureau)
    windows: list[WindowStatus] = []
    rows: list[PolicyWindow] = []
    contacts: dict[str, AuthorityContact] = {}
    if profile is not None:
        day = today(now)
        rows = _rows(session, bureau, profile.id)
        ids = {(r.batch_id, r.authority): r.id for r in rows}
        windows = [_status(session, profile, w, day, ids) for w in _dated(profile, (day.year, day.year + 1))]
        contacts = {
            c.authority_code: c
            for c in session.scalars(
                select(AuthorityContact).where(
                    AuthorityContact.bureau_id == bureau.id, AuthorityContact.profile_id == profile.id
                )
            )
        }
    return PolicyOverview(bureau, profile, windows, rows, contacts, list(profiles()))


def set_profile(session: Session, actor: Actor, profile_id: str, now: datetime) -> Organisation:
    """The bureau follows another profile (e.g. next year's notice once its file is added)."""
    bureau = _admin_bureau(session, actor)
    if profile_id not in profiles():
        raise ValidationFailed({"policy_profile": N_("请选择政策配置")})
    before = bureau.policy_profile
    bureau.policy_profile = profile_id
    audit.record(
        session,
        actor,
        "set_policy_profile",
        now,
        object_type="organisation",
        object_id=bureau.id,
        detail={"before": before, "after": profile_id},
    )
    session.flush()
    return bureau


@dataclass(frozen=True)
class WindowInput:
    batch_id: str
    batch_name: str
    authority: str
    levels: str  # comma-separated, as the form's checkboxes give them
    opens: str
    closes: str
    cutoff: str = ""
    citation: str = ""
    note: str = ""


def _day(raw: str, field: str, errors: dict[str, str], *, required: bool = True) -> date | None:
    raw = raw.strip()
    if not raw:
        if required:
            errors[field] = N_("请填写日期，例如 2027-01-20")
        return None
    day, problem = read_day(raw, N_("日期格式应为 年-月-日，例如 2027-01-20"))
    if problem:
        errors[field] = problem
    return day


def _row_snapshot(row: PolicyWindow) -> dict[str, Any]:
    return {
        "batch_id": row.batch_id,
        "name": row.name,
        "authority": row.authority,
        "levels": row.levels,
        "opens": row.opens.isoformat(),
        "closes": row.closes.isoformat(),
        "cutoff": row.cutoff.isoformat() if row.cutoff else None,
        "citation": row.citation,
        "filed_on": row.filed_on.isoformat() if row.filed_on else None,
        "filed_with": row.filed_with,
        "filing_ref": row.filing_ref,
    }


def save_window(
    session: Session, actor: Actor, data: WindowInput, now: datetime, *, window_id: int | None = None
) -> PolicyWindow:
    """Add (or, with ``window_id``, change) one of the bureau's windows. Refused with a message per field:
    a missing source or name, unknown authority or level, dates out of order, or an overlap with another
    window of the same authority and level."""
    bureau = _admin_bureau(session, actor)
    # "No overlap" and "not entered yet" are read, then written: one change at a time per bureau, taken
    # before the windows are read (issue 16 item 8).
    locks.hold(session, "policy-windows", bureau.id)
    row = None
    if window_id is not None:  # first: another bureau's window reads as missing, whatever the form says
        row = session.get(PolicyWindow, window_id)
        if row is None or row.bureau_id != bureau.id:
            raise NotFound(N_("找不到该受理批次"))
    profile = effective_profile(session, bureau)
    if profile is None:
        raise ValidationFailed({"__all__": N_("请先为本局选择政策配置")})
    errors: dict[str, str] = {}
    batch_id, name, citation = data.batch_id.strip(), data.batch_name.strip(), data.citation.strip()
    if not _BATCH_ID.match(batch_id):
        errors["batch_id"] = N_("批次编号只用字母、数字和连字符，例如 2027-1")
    if not name:
        errors["batch_name"] = N_("请填写批次名称，例如 2027年第一批")
    authority = data.authority.strip() or ALL
    if authority != ALL and authority not in {a.code for a in profile.authorities}:
        errors["authority"] = N_("请选择认定机构")
    try:
        levels = expand_levels(x for x in data.levels.split(",") if x.strip())
    except ValueError:
        levels = ()
    if not levels:
        errors["levels"] = N_("请至少选择一个级别")
    opens = _day(data.opens, "opens", errors)
    closes = _day(data.closes, "closes", errors)
    cutoff = _day(data.cutoff, "cutoff", errors, required=False)
    if opens and closes and closes < opens:
        errors["closes"] = N_("截止日期不能早于开始日期")
    if cutoff and opens and cutoff < opens:
        errors["cutoff"] = N_("终算时间不能早于受理开始日期")
    deadline = profile.year_end_of(authority, opens) if opens else None
    if "closes" not in errors and closes and deadline and closes > deadline:
        # REP-01 (001 四(七)): the unit finishes the year's recognition by the year end, so its window
        # closes by then; what it accepts later could not be decided within the year.
        errors["closes"] = T_(
            "自主评审单位须于%(deadline)s前完成当年度考核认定（%(clause)s）：受理截止日期不能晚于%(deadline)s",
            deadline=deadline,
            clause=Clause(profile.year_end.citation if profile.year_end else ""),
        )
    if not citation:
        errors["citation"] = N_("请填写依据（通知文号及条款），例如 赣市人社字〔2027〕1号 附件")
    if len(data.note.strip()) > LIMITS["window_note"]:
        errors["note"] = T_(
            "备注不能超过%(limit)s字（现有%(n)s字）", limit=LIMITS["window_note"], n=len(data.note.strip())
        )
    if not errors and opens and closes:
        clash = _overlap(profile, batch_id, authority, levels, opens, closes)
        if clash is not None:
            errors["opens"] = T_(
                "与%(window)s（%(period)s，%(authority)s）重叠：同一认定机构同一级别的受理期不能重叠",
                window=window_title(clash),
                period=period_message(clash.opens, clash.closes),  # type: ignore[arg-type]
                authority=_authority_name(profile, clash.authority),
            )
    if row is None and not errors:
        taken = session.scalars(
            select(PolicyWindow.id).where(
                PolicyWindow.bureau_id == bureau.id,
                PolicyWindow.profile_id == profile.id,
                PolicyWindow.batch_id == batch_id,
                PolicyWindow.authority == authority,
            )
        ).first()
        if taken is not None:
            errors["batch_id"] = N_("该批次已录入，请在列表中修改")
    if errors:
        raise ValidationFailed(errors)
    assert opens is not None and closes is not None
    before = _row_snapshot(row) if row is not None else None
    if row is None:
        row = PolicyWindow(
            bureau_id=bureau.id, profile_id=profile.id, created_by_id=actor.user_id, created_at=now
        )
        session.add(row)
    if row.filed_on is not None and (row.authority, row.opens, row.closes) != (authority, opens, closes):
        # The filing was of the old dates (WIN-02 001 一): new dates are filed anew before they open.
        row.filed_on, row.filed_with, row.filing_ref = None, None, None
    row.batch_id, row.name, row.authority = batch_id, name[:100], authority
    row.levels = ",".join(levels)
    row.opens, row.closes, row.cutoff = opens, closes, cutoff
    row.citation, row.note = citation[:200], data.note.strip()
    row.updated_by_id, row.updated_at = actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor,
        "policy_window_update" if before else "policy_window_add",
        now,
        object_type="policy_window",
        object_id=row.id,
        detail={"before": before, "after": _row_snapshot(row)},
    )
    return row


def _overlap(
    profile: PolicyProfile, batch_id: str, authority: str, levels: tuple[str, ...], opens: date, closes: date
) -> Window | None:
    for level in levels:
        for year in sorted({opens.year, closes.year, opens.year - 1}):
            for w in profile.windows_for(None, level, year):
                if w.batch_id == batch_id or w.opens is None or w.closes is None:
                    continue  # the same batch: a per-authority row specialises it by design
                if authority != ALL and w.authority not in (ALL, authority):
                    continue
                if w.authority != authority and (
                    profile.is_self_review(w.authority) or profile.is_self_review(authority)
                ):
                    continue  # a self-review unit keeps its own dates: the shared ones do not apply to it
                if w.opens <= closes and opens <= w.closes:
                    return w
    return None


def delete_window(session: Session, actor: Actor, window_id: int, now: datetime) -> None:
    """Remove one of the bureau's own windows (the profile's TOML batches are not removable here)."""
    bureau = _admin_bureau(session, actor)
    row = session.get(PolicyWindow, window_id)
    if row is None or row.bureau_id != bureau.id:
        raise NotFound(N_("找不到该受理批次"))
    snapshot = _row_snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(
        session,
        actor,
        "policy_window_delete",
        now,
        object_type="policy_window",
        object_id=window_id,
        detail={"before": snapshot},
    )


FILING_LIMIT = 200  # policy_windows.filed_with and filing_ref


@dataclass(frozen=True)
class FilingInput:
    filed_on: str
    filed_with: str
    filing_ref: str


def _checked_filing(data: FilingInput, opens: date, now: datetime) -> tuple[date, str, str]:
    """The filing's day, office and document number, or ValidationFailed with a message per field: a
    missing office or document number, a filing dated on or after the opening day or later than today."""
    errors: dict[str, str] = {}
    filed_on = _day(data.filed_on, "filed_on", errors)
    filed_with, filing_ref = data.filed_with.strip(), data.filing_ref.strip()
    if filed_on is not None and filed_on >= opens:
        errors["filed_on"] = T_(
            "报备须在考核认定开展前：报备日期应早于受理开始日期%(opens)s（%(clause)s）",
            opens=opens,
            clause="001 一",
        )
    elif filed_on is not None and filed_on > today(now):
        errors["filed_on"] = N_("报备日期不能晚于今天")
    if not filed_with:
        errors["filed_with"] = N_("请填写报备的职称部门，例如 赣州市职称工作办公室")
    if not filing_ref:
        errors["filing_ref"] = N_("请填写报备文件的文号")
    for key, text in (("filed_with", filed_with), ("filing_ref", filing_ref)):
        if len(text) > FILING_LIMIT:  # the columns' length: refused, never cut short without a word
            errors[key] = T_("报备内容不能超过%(limit)s字（现有%(n)s字）", limit=FILING_LIMIT, n=len(text))
    if errors:
        raise ValidationFailed(errors)
    assert filed_on is not None
    return filed_on, filed_with, filing_ref


def record_filing(
    session: Session, actor: Actor, window_id: int, data: FilingInput, now: datetime
) -> PolicyWindow:
    """Record that a self-review unit filed this window's dates in writing with the title office of its
    level (WIN-02 001 一: before the recognition starts): from then on the window opens on its dates.
    Refused with a message per field: a window that is no self-review unit's, a missing office or
    document number, a filing dated on or after the opening day or later than today."""
    bureau = _admin_bureau(session, actor)
    locks.hold(session, "policy-windows", bureau.id)
    row = session.get(PolicyWindow, window_id)
    if row is None or row.bureau_id != bureau.id:
        raise NotFound(N_("找不到该受理批次"))
    profile = effective_profile(session, bureau)
    if profile is None or not profile.is_self_review(row.authority):
        raise DomainError(N_("只有自主评审单位的受理批次需要录入书面报备"), code="not_self_review")
    return _file(session, actor, row, _checked_filing(data, row.opens, now), now, _row_snapshot(row))


def _file(
    session: Session,
    actor: Actor,
    row: PolicyWindow,
    filing: tuple[date, str, str],
    now: datetime,
    before: dict[str, Any],
) -> PolicyWindow:
    row.filed_on, row.filed_with, row.filing_ref = filing
    row.updated_by_id, row.updated_at = actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor,
        "policy_window_filing",
        now,
        object_type="policy_window",
        object_id=row.id,
        detail={"before": before, "after": _row_snapshot(row)},
    )
    return row


def profile_window(profile: PolicyProfile, batch_id: str, authority: str) -> Window | None:
    """A dated batch of the profile (not a generated one) for ``authority``, if there is one: with no row of
    the bureau for it, the file's own."""
    return next(
        (
            w
            for w in profile.batches
            if (w.batch_id, w.authority) == (batch_id, authority) and w.opens and w.closes
        ),
        None,
    )


def record_profile_filing(
    session: Session, actor: Actor, batch_id: str, authority: str, data: FilingInput, now: datetime
) -> PolicyWindow:
    """Record the written filing (WIN-02 001 一) of a self-review unit's window written in the profile's
    TOML file. The file is shared by every bureau that follows it and is not edited from the portal, so the
    filing is kept where the bureau's own windows are: a row of this bureau copying the file's window
    (batch, authority, levels, dates, cutoff, source) with the filing on it, which takes the file's place
    for this bureau as any admin row with the same batch and authority does. Audited as every filing, its
    "before" the file's window. A row already entered for the window takes the filing itself (a second
    post sets what is set). Refused: a window that is not in the file or no self-review unit's (not found),
    and the filing's own field checks."""
    bureau = _admin_bureau(session, actor)
    locks.hold(session, "policy-windows", bureau.id)
    profile = effective_profile(session, bureau)
    if profile is None:
        raise NotFound("找不到该受理批次")
    row = session.scalars(
        select(PolicyWindow).where(
            PolicyWindow.bureau_id == bureau.id,
            PolicyWindow.profile_id == profile.id,
            PolicyWindow.batch_id == batch_id,
            PolicyWindow.authority == authority,
        )
    ).first()
    if row is not None:
        return record_filing(session, actor, row.id, data, now)
    window = profile_window(profile, batch_id, authority)
    if window is None or not profile.is_self_review(authority):
        raise NotFound("找不到该受理批次")
    assert window.opens is not None and window.closes is not None
    filing = _checked_filing(data, window.opens, now)
    row = PolicyWindow(
        bureau_id=bureau.id,
        profile_id=profile.id,
        batch_id=window.batch_id,
        name=window.name[:100],
        authority=window.authority,
        levels=",".join(window.levels),
        opens=window.opens,
        closes=window.closes,
        cutoff=window.cutoff,
        citation=window.citation[:200],
        note=window.note[: LIMITS["window_note"]],  # the file's notes are short; the column's CHECK holds
        created_by_id=actor.user_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    before = {**_row_snapshot(row), "source": "profile"}
    return _file(session, actor, row, filing, now, before)


@dataclass(frozen=True)
class ContactInput:
    authority_code: str
    name: str
    phone: str
    area: str = ""
    source: str = ""


def save_contact(session: Session, actor: Actor, data: ContactInput, now: datetime) -> AuthorityContact:
    """Correct a certifying authority's name, phone or area as the bureau's staff see them."""
    bureau = _admin_bureau(session, actor)
    profile = effective_profile(session, bureau)
    if profile is None:
        raise ValidationFailed({"__all__": N_("请先为本局选择政策配置")})
    errors: dict[str, str] = {}
    authority: Authority | None = next(
        (a for a in profile.authorities if a.code == data.authority_code), None
    )
    if authority is None:
        errors["authority_code"] = N_("请选择认定机构")
    name, phone, area, source = data.name.strip(), data.phone.strip(), data.area.strip(), data.source.strip()
    if not name:
        errors["name"] = N_("请填写机构名称")
    # The columns' lengths: refused, never cut short without a word (as the filing's fields are).
    limits = (("name", name, 200), ("phone", phone, 100), ("area", area, 200), ("source", source, 200))
    for key, typed, limit in limits:
        if len(typed) > limit:
            errors[key] = T_("不能超过%(limit)s字（现有%(n)s字）", limit=limit, n=len(typed))
    if errors:
        raise ValidationFailed(errors)
    assert authority is not None
    row = session.scalars(
        select(AuthorityContact).where(
            AuthorityContact.bureau_id == bureau.id,
            AuthorityContact.profile_id == profile.id,
            AuthorityContact.authority_code == authority.code,
        )
    ).first()
    before = {"name": authority.name, "phone": authority.phone, "area": authority.area}
    if row is None:
        row = AuthorityContact(bureau_id=bureau.id, profile_id=profile.id, authority_code=authority.code)
        session.add(row)
    row.name, row.phone, row.area = name, phone, area or authority.area
    row.source = source
    row.updated_by_id, row.updated_at = actor.user_id, now
    session.flush()
    audit.record(
        session,
        actor,
        "authority_contact_update",
        now,
        object_type="authority_contact",
        object_id=row.id,
        detail={
            "authority": authority.code,
            "before": before,
            "after": {"name": row.name, "phone": row.phone, "area": row.area},
            "source": row.source,
        },
    )
    return row
