"""The working-day calendar as the product uses it: the chinesecalendar package's years plus the years an
admin entered and confirmed (policy-spec §7.3), and the notice-counting convention setting.

A period that reaches a year nobody confirmed raises UnknownYear: never a weekends-only guess.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, String, delete, null, select, union_all
from sqlalchemy.orm import Session

from portal.domain.dates import BadlyWritten, NoSuchDay, typed_day
from portal.domain.errors import PermissionDenied, ValidationFailed
from portal.domain.i18n import N_, T_, Text, joined
from portal.domain.workdays import CalendarEntry, UnknownYear, WorkCalendar
from portal.models import CalendarDay, CalendarYear, Setting
from portal.services import audit, session_memo, uploads
from portal.services.actors import Actor

SHANGHAI = ZoneInfo("Asia/Shanghai")
START_COUNTS = "notice_start_counts"
KIND_WORDS = {
    "holiday": "holiday",
    "放假": "holiday",
    "休": "holiday",
    "workday": "workday",
    "上班": "workday",
    "班": "workday",
    "调休上班": "workday",
}


def today(now: datetime) -> date:
    """The calendar day in Shanghai at `now`: the day every date rule is counted from."""
    return now.astimezone(SHANGHAI).date()


def unknown_year_message(unknown: UnknownYear) -> Text:
    """What the user reads when a date cannot be counted in working days: UnknownYear's own message is
    plain Chinese (portal.domain.workdays imports nothing of the portal), so every place that shows it
    to a user shows this message instead, which the English interface translates (naming the year)."""
    return T_(
        "尚未录入%(year)s年的法定节假日和调休安排，无法按工作日计算日期。"
        "请管理员在「工作日历」中录入%(year)s年的安排后再试。",
        year=str(unknown.year),
    )


def work_calendar(session: Session) -> WorkCalendar:
    """The working-day calendar: chinesecalendar's years plus every year an admin entered and confirmed.

    One small read (the confirmed years and the admin's days); the calendar itself — every working day
    of ~23 years, 15-20 ms to compute — is built once per process for each distinct content of those
    rows and reused until an admin changes them (issue 20: it was rebuilt on every queue request). The
    read is kept on the session until its next write: a page of notices asked it once per notice."""
    read = session_memo.memo(session, _READ)
    if "calendar" not in read:
        read["calendar"] = _read(session)
    calendar: WorkCalendar = read["calendar"]
    return calendar


_READ = session_memo.register("portal.calendar.work_calendar")


def _read(session: Session) -> WorkCalendar:
    # One statement: the admin's days, then the confirmed years (NULL-padded to the same columns).
    days = select(null().cast(Integer).label("year"), CalendarDay.day, CalendarDay.kind, CalendarDay.name)
    confirmed = select(CalendarYear.year, null().cast(Date), null().cast(String), null().cast(String)).where(
        CalendarYear.confirmed_at.is_not(None)
    )
    rows = session.execute(union_all(days, confirmed)).all()
    years = frozenset(year for year, day, _, _ in rows if day is None)
    entries = tuple(
        sorted(
            (CalendarEntry(day, kind, name) for _, day, kind, name in rows if day and day.year in years),
            key=lambda entry: entry.day,
        )
    )
    return _built(entries, years)


@lru_cache(maxsize=8)
def _built(entries: tuple[CalendarEntry, ...], years: frozenset[int]) -> WorkCalendar:
    """WorkCalendar is immutable once built, so processes and requests may share one per content."""
    return WorkCalendar.default(entries, extra_years=years)


def start_counts(session: Session) -> bool:
    """The counting convention: does a notice's start day count as day 1 when it is a working day?"""
    value = session.get(Setting, START_COUNTS)
    return value is None or value.value == "1"


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(N_("只有系统管理员可以维护工作日历"))


def set_start_counts(session: Session, actor: Actor, value: bool, now: datetime) -> None:
    """Save the notice-counting convention (whether the start day counts); admin only, audited."""
    _require_admin(actor)
    setting = session.get(Setting, START_COUNTS) or Setting(key=START_COUNTS, value="1")
    setting.value = "1" if value else "0"
    setting.updated_by_id = actor.user_id
    setting.updated_at = now
    session.add(setting)
    audit.record(
        session, actor, "set_notice_convention", now, object_type="setting", detail={"start_counts": value}
    )
    session.flush()


# chinesecalendar's holidays by its own (English) key, named as the calendar page names them: msgids, so
# the English page reads them through the catalogue (the package's English names). A holiday the package
# adds later (a one-off like 2015's 70th anniversary) falls back to the package's Chinese name, as written.
HOLIDAY_NAMES: dict[str, str] = {
    "New Year's Day": N_("元旦"),
    "Spring Festival": N_("春节"),
    "Tomb-sweeping Day": N_("清明节"),
    "Labour Day": N_("劳动节"),
    "Dragon Boat Festival": N_("端午节"),
    "National Day": N_("国庆节"),
    "Mid-autumn Festival": N_("中秋节"),
}


def package_holiday_name(day: date) -> str:
    """The holiday `day` belongs to in chinesecalendar (a rest day, or a working day moved for it, 调休上班),
    in Chinese (a msgid for the known ones); "" when the package names none."""
    from chinese_calendar import get_holiday_detail
    from chinese_calendar.constants import Holiday

    try:
        _, key = get_holiday_detail(day)
    except NotImplementedError:  # a year the package does not know
        return ""
    if not key:
        return ""
    return HOLIDAY_NAMES.get(key) or next((h.chinese for h in Holiday if h.value == key), str(key))


@dataclass(frozen=True)
class SpecialDay:
    day: date
    kind: str  # holiday | workday
    name: str
    source: str  # package | admin


@dataclass(frozen=True)
class YearView:
    year: int
    known: bool
    from_package: bool
    confirmed: CalendarYear | None
    special_days: list[SpecialDay]


def year_view(session: Session, year: int) -> YearView:
    """A year's days that differ from Monday-to-Friday: from the package, or as the admin entered them."""
    package = _built((), frozenset())
    confirmed = session.get(CalendarYear, year)
    admin_days = {
        d.day: d
        for d in session.scalars(
            select(CalendarDay).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        )
    }
    special: list[SpecialDay] = []
    if package.knows(year):
        day = date(year, 1, 1)
        while day.year == year:
            workday = package.is_workday(day)
            if workday == (day.weekday() >= 5) and day not in admin_days:
                kind = "workday" if workday else "holiday"
                special.append(SpecialDay(day, kind, package_holiday_name(day), "package"))
            day += timedelta(days=1)
    special += [SpecialDay(d.day, d.kind, d.name, "admin") for d in admin_days.values()]
    special.sort(key=lambda s: s.day)
    is_confirmed = confirmed is not None and confirmed.confirmed_at is not None
    return YearView(year, package.knows(year) or is_confirmed, package.knows(year), confirmed, special)


def missing_next_year(session: Session, now: datetime) -> int | None:
    """From 1 November, next year's number while nobody has entered its holidays (the admin's banner)."""
    day = today(now)
    if day.month < 11:
        return None
    return None if work_calendar(session).knows(day.year + 1) else day.year + 1


def add_day(session: Session, actor: Actor, day: date, kind: str, name: str, now: datetime) -> CalendarDay:
    """Record one holiday or adjusted working day (admin only, audited); a day that is already so by the week
    is refused."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    kind = KIND_WORDS.get(kind.strip(), "")
    if not kind:
        errors["kind"] = N_("请选择“放假”或“调休上班”")
    elif kind == "holiday" and day.weekday() >= 5:
        errors["day"] = T_("%(day)s本是周末，无须录入为放假日", day=day)
    elif kind == "workday" and day.weekday() < 5:
        errors["day"] = T_("%(day)s本是工作日，无须录入为调休上班", day=day)
    if errors:
        raise ValidationFailed(errors)
    row = session.get(CalendarDay, day) or CalendarDay(day=day)
    row.kind, row.name, row.created_by_id, row.created_at = kind, name.strip()[:50], actor.user_id, now
    session.add(row)
    audit.record(
        session,
        actor,
        "calendar_day",
        now,
        object_type="calendar",
        detail={"day": day.isoformat(), "kind": kind, "name": row.name},
    )
    session.flush()
    return row


def remove_day(session: Session, actor: Actor, day: date, now: datetime) -> None:
    """Remove an admin's entry for one day (admin only, audited); confirm the year again to count it."""
    _require_admin(actor)
    session.execute(delete(CalendarDay).where(CalendarDay.day == day))
    audit.record(
        session, actor, "calendar_day_removed", now, object_type="calendar", detail={"day": day.isoformat()}
    )


def confirm_year(session: Session, actor: Actor, year: int, source_ref: str, now: datetime) -> CalendarYear:
    """Mark a year complete: from now on periods may reach into it (audited)."""
    _require_admin(actor)
    if not source_ref.strip():
        raise ValidationFailed(
            {"source_ref": N_("请填写依据，例如“国务院办公厅关于2027年部分节假日安排的通知”")}
        )
    if not work_calendar(session).knows(year) and not _holidays_entered(session, year):
        # Every year has its 元旦 and 春节 rest days: a year confirmed with none would count them as working
        # days, the weekends-only fallback the calendar never makes (policy-spec 7.3).
        raise ValidationFailed(
            {
                "source_ref": T_(
                    "%(year)s年还没有录入任何放假日期，不能确认为完整；请先按国务院办公厅通知录入或导入",
                    year=str(year),
                )
            }
        )
    row = session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source_ref, row.confirmed_by_id, row.confirmed_at = source_ref.strip()[:200], actor.user_id, now
    session.add(row)
    audit.record(
        session,
        actor,
        "calendar_year_confirmed",
        now,
        object_type="calendar",
        detail={"year": year, "source_ref": row.source_ref},
    )
    session.flush()
    return row


def _holidays_entered(session: Session, year: int) -> bool:
    first = session.scalar(
        select(CalendarDay.day).where(
            CalendarDay.kind == "holiday", CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))
        )
    )
    return first is not None


def import_file(
    session: Session, actor: Actor, upload: bytes | IO[bytes], filename: str, now: datetime
) -> int:
    """An uploaded holiday CSV (UTF-8 or GB18030) through the one acceptance path for tables
    (services.uploads.accept_table, kind CALENDAR), then import_days. The file itself is not kept."""
    _require_admin(actor)
    try:
        accepted = uploads.accept_table(upload, filename, uploads.UploadKind.CALENDAR)
    except uploads.UploadRefused as refused:
        raise ValidationFailed({"file": refused.message}) from None
    raw = accepted.data
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return import_days(session, actor, raw.decode(encoding), now)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed({"file": N_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件")})


def import_days(session: Session, actor: Actor, text: str, now: datetime) -> int:
    """Rows of `日期,类型,名称` (类型: 放假 / 调休上班), all checked before any is written."""
    _require_admin(actor)
    rows: list[tuple[date, str, str]] = []
    problems: list[Text] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip() in ("日期", "date"):
            continue
        value = row[0].strip()
        try:
            day = typed_day(value)
        except NoSuchDay:
            # Written as it should be, but no such day (2027-02-30): "write it as 2027-01-01" read as if
            # the format were wrong.
            problems.append(
                T_("第%(number)s行：日期“%(value)s”不存在，请核对月份和日", number=number, value=value)
            )
            continue
        except BadlyWritten:
            problems.append(
                T_("第%(number)s行：日期“%(value)s”应写作 2027-01-01", number=number, value=value)
            )
            continue
        kind = KIND_WORDS.get(row[1].strip() if len(row) > 1 else "", "")
        if not kind:
            problems.append(T_("第%(number)s行：类型应为“放假”或“调休上班”", number=number))
            continue
        rows.append((day, kind, row[2].strip() if len(row) > 2 else ""))
    if problems:
        raise ValidationFailed({"file": joined(problems, "；")})
    if not rows:
        raise ValidationFailed({"file": N_("文件中没有可导入的日期")})
    for day, kind, name in rows:
        add_day(session, actor, day, "holiday" if kind == "holiday" else "workday", name, now)
    return len(rows)
