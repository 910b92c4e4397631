"""A date as a user types it (年-月-日): read, or told apart as badly written or not in the calendar.

Every typed date in the portal reads through `typed_day`, so "2026-02-30" is answered the same way
everywhere: the format was right, the day does not exist (`no_such_day`), rather than "write it as
2026-03-15", which reads as if the format were wrong. Each field keeps its own wording for a date that is
badly written (its example, "请填写…" for a field that was left to be filled). Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from datetime import date

from portal.domain.i18n import T_, Text

# 年-月-日 as people write it: four digits for the year, one or two for the month and the day.
ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


class BadlyWritten(ValueError):
    """The text is not a date written 年-月-日 (nor any other form the fields accepted before)."""


class NoSuchDay(ValueError):
    """The text is written 年-月-日, but no such day is in the calendar (2026-02-30, 2026-13-01)."""


def typed_day(raw: str) -> date:
    """The day a typed text names (surrounding blanks ignored).

    Raises NoSuchDay for a well-written date that does not exist, BadlyWritten for anything else that is
    not a date; both are ValueErrors, so a caller that only needs "not a date" may catch that. Besides
    年-月-日 (with or without leading zeros: 2026-3-5, as the 取得时间 field always took), the forms
    `date.fromisoformat` reads are still read (20260315), so no date a field took before is refused now."""
    text = raw.strip()
    written = ISO_DAY.fullmatch(text)
    if written:
        try:
            return date(int(written[1]), int(written[2]), int(written[3]))
        except ValueError:
            raise NoSuchDay(text) from None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadlyWritten(text) from None


def no_such_day(raw: str) -> Text:
    """What the user reads for a well-written date that does not exist (as the calendar's import says it)."""
    return T_("日期“%(value)s”不存在，请核对月份和日", value=raw.strip())


def read_day(raw: str, badly_written: str) -> tuple[date | None, str]:
    """The day `raw` names and "", or None and why not: `no_such_day`, or the field's own `badly_written`
    words (a msgid or a Text) for a text that is not written as a date."""
    try:
        return typed_day(raw), ""
    except NoSuchDay:
        return None, no_such_day(raw)
    except BadlyWritten:
        return None, badly_written
