"""Paper follow-up (纸质材料报送): when a policy asks for the paper dossier after the online approval
(Zhenjiang: "网报审核通过后原则上10个工作日内报送纸质材料", 003 附件 备注3, policy-spec MAT-15), what the
receiving office ticks off and when the paper is due, counted on the working-day calendar.

"原则上" makes the deadline a warning, never a block: an overdue dossier is flagged, not refused.
Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from portal.domain.materials import Slot
from portal.domain.workdays import WorkCalendar

REMARK_MAX = 500

# Zhenjiang's applicants print the 申报表 from the provincial system and hand it in signed (003 四(一)).
APPLICATION_FORM = ("application_form", "《专业技术资格评审申报表》（系统打印，本人签字、单位盖章）")


@dataclass(frozen=True)
class ItemState:
    received: bool
    originals_checked: bool


def checklist_titles(slots: Iterable[Slot]) -> list[tuple[str, str]]:
    """(key, title) of every paper item: the printed 申报表 first, then the materials checklist's slots."""
    return [APPLICATION_FORM, *((slot.key, slot.title) for slot in slots)]


def due_date(calendar: WorkCalendar, approved_on: date, workdays: int) -> date:
    """The last day the paper may arrive: the ``workdays``-th working day after the approval day.

    "审核通过后…10个工作日内": the approval day itself is not counted, as with any period that runs
    "after" an event; an approval on a rest day starts counting on the next working day.
    Raises UnknownYear when the calendar does not know a year the count needs.
    """
    return calendar.add_workdays(approved_on, workdays)


def all_received(items: Iterable[ItemState]) -> bool:
    return all(item.received for item in items)


def is_overdue(due_on: date | None, today: date, items: Iterable[ItemState]) -> bool:
    """Overdue once the due day has passed with any item still not received (unknown due day: never)."""
    return due_on is not None and today > due_on and not all_received(items)


def workdays_left(calendar: WorkCalendar, today: date, due_on: date) -> int:
    """Working days still open after today, the due day included (0 on the due day and after it)."""
    if today >= due_on:
        return 0
    return calendar.workdays_between(today + timedelta(days=1), due_on)


def check_item(received: bool, originals_checked: bool, remark: str) -> dict[str, str]:
    """Field errors of one item's record (empty when it may be stored)."""
    errors: dict[str, str] = {}
    if originals_checked and not received:
        errors["originals_checked"] = "尚未收到纸质材料，不能记录为已核对原件；请先勾选“已收到”"
    if len(remark) > REMARK_MAX:
        errors["remark"] = f"备注最多{REMARK_MAX}字，现有{len(remark)}字，请精简后再保存"
    return errors
