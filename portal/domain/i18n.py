"""Words that are translated without the rules knowing how (issue 24): the languages of the interface,
the marker for constant msgids, and `Text`, a message that carries its template and parameters.

The source language of every message is Simplified Chinese (the msgid is the Chinese text), so a rule
writes what it always wrote; the web layer looks the msgid up in the user's catalogue (gettext through
Flask-Babel, portal/web/i18n.py). Three forms, each found by `make messages` (babel.cfg's keywords):

- ``N_("草稿")``: a constant (a glossary title, a table of labels) marked for extraction; it returns its
  argument unchanged, and the web layer translates the value when it shows it.
- ``T_("补正期限为%(day)s", day=deadline)``: a message built from parameters. It *is* the Chinese text
  (a ``str``), so logs, audit rows, exceptions and documents to authorities read as before, and it keeps
  its template and parameters so the web layer can translate the template and format the parameters
  (dates, numbers, lists, nested messages) in the reader's language.
- ``NT_("还剩%(num)d个工作日", "还剩%(num)d个工作日", n)``: the same with a count, for languages whose
  plural differs (English: "1 working day left", "3 working days left").

Pure Python: no Flask, no Babel. A rule must never build a user-facing message with an f-string or `+`:
the result is plain text, which the English interface can only show as it is (the crawl test in
tests/web/test_english.py finds such leaks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Language(StrEnum):
    """A language of the interface: the Babel locale identifier, stored on the user and in the cookie."""

    ZH = "zh_Hans_CN"  # the default, and the language of every document that goes to an authority
    EN = "en"

    @property
    def html_lang(self) -> str:
        """The BCP 47 tag for <html lang> and lang= attributes."""
        return "zh-CN" if self is Language.ZH else "en"

    @property
    def label(self) -> str:
        """The language's own name, as the switcher shows it (each in its own language)."""
        return "中文" if self is Language.ZH else "English"


DEFAULT_LANGUAGE = Language.ZH


def N_(message: str) -> str:
    """Mark a constant for extraction; the web layer translates it where it is shown."""
    return message


def zh_date(value: date | datetime) -> str:
    """A date as Chinese documents and messages write it: 2026年9月29日 (a datetime in Shanghai time)."""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class Joined:
    """Items a message lists, with the separator Chinese writes between them (a msgid itself: 、 ；，),
    so the English interface writes ", " or "; " instead."""

    items: tuple[object, ...]
    separator: str = "、"

    def __str__(self) -> str:
        return self.separator.join(str(_zh(item)) for item in self.items)


# The separators a Joined may use, marked so the catalogue translates them.
SEPARATORS = (N_("、"), N_("；"), N_("，"))


def joined(items: Iterable[object], separator: str = "、") -> Text:
    """A message that is just the items, joined (the Chinese separator given, translated for English)."""
    if separator not in SEPARATORS:
        raise ValueError(f"unknown separator {separator!r}: add it to SEPARATORS")
    return Text("%(items)s", {"items": Joined(tuple(items), separator)})


def _zh(value: object) -> object:
    """A parameter as the Chinese text shows it."""
    if isinstance(value, datetime):
        local = value.astimezone(SHANGHAI)
        return f"{zh_date(local)} {local:%H:%M}"
    if isinstance(value, date):
        return zh_date(value)
    if isinstance(value, Joined):
        return str(value)
    if isinstance(value, list | tuple):
        return "、".join(str(_zh(item)) for item in value)
    return value


class Text(str):
    """A message: the Chinese text, plus the template and parameters to translate it with."""

    template: str
    plural: str | None
    count: int | None
    params: Mapping[str, object]

    def __new__(
        cls, template: str, params: Mapping[str, object], plural: str | None = None, count: int | None = None
    ) -> Text:
        values = {**params, **({"num": count} if count is not None else {})}
        chosen = template if plural is None or count == 1 else plural
        text = chosen % {key: _zh(value) for key, value in values.items()} if values else chosen
        made = super().__new__(cls, text)
        made.template, made.plural, made.count = template, plural, count
        made.params = values
        return made

    def __reduce__(self) -> tuple[object, ...]:  # a str subclass with attributes: pickle them too
        return (Text, (self.template, dict(self.params), self.plural, self.count))


def T_(template: str, /, **params: object) -> Text:
    """A message from a %-template (``%(name)s``) and its parameters; the Chinese text is filled at once."""
    return Text(template, params)


def NT_(singular: str, plural: str, count: int, /, **params: object) -> Text:
    """A message with a count: ``%(num)d`` in the templates is the count."""
    return Text(singular, params, plural, count)
