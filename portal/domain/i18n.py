"""Words that are translated without the rules knowing how (issue 24): the languages of the interface,
the marker for constant msgids, and `Text`, a message that carries its template and parameters.

The source language of every message is Simplified Chinese (the msgid is the Chinese text), so a rule
writes what it always wrote; the web layer looks the msgid up in the user's catalogue (gettext through
Flask-Babel, portal/web/i18n.py). Four forms, each found by `make messages` (scripts/messages.py's
keywords):

- ``N_("草稿")``: a constant (a glossary title, a table of labels) marked for extraction; it returns its
  argument unchanged, and the web layer translates the value when it shows it.
- ``T_("补正期限为%(day)s", day=deadline)``: a message built from parameters. It *is* the Chinese text
  (a ``str``), so logs, audit rows, exceptions and documents to authorities read as before, and it keeps
  its template and parameters so the web layer can translate the template and format the parameters
  (dates, numbers, lists, nested messages) in the reader's language.
- ``NT_("还剩%(num)d个工作日", "还剩%(num)d个工作日", n)``: the same with a count, for languages whose
  plural differs (English: "1 working day left", "3 working days left").
- ``NC_("in a sentence", "所学专业")``: a constant with a message context (gettext's msgctxt), for a
  Chinese word that other languages write differently in different places: the label "Field of study" on
  the form, "the major studied" inside a finding's sentence. Its value is the Chinese word (a `Text`, so
  logs, audit rows and documents read as before), and the web layer translates it with `pgettext`, so the
  catalogue holds one entry per context. Write the context as a literal (extraction reads only literals);
  the contexts in use: "in a sentence", a noun a finding puts mid-sentence ("the major studied", "none")
  where the same msgid elsewhere is a label or a value on its own ("Field of study", "None"); "history
  event", a step of an application's history (创建申报: "Application started") where a template's
  button says the same Chinese as an action (``pgettext("button", "创建申报")``: "Start the application");
  "audit object", the kind of object an audit event is about (评审会议 #7: "Review meeting #7") where the
  same msgid is a menu's plural elsewhere ("Review meetings").

One way back: `wordings` reads a constant in every language of the interface from the compiled
catalogues (the standard library's gettext), so a service can take a word typed in the reader's language
back as its Chinese msgid (`glossary.series_as_stored`) for any caller, not only for one view.

Pure Python: no Flask, no Babel. A rule must never build a user-facing message with an f-string or `+`:
the result is plain text, which the English interface can only show as it is (the crawl test in
tests/web/test_english.py finds such leaks).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
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
# The compiled catalogues (`make messages`; installed as package data): the web layer's Flask-Babel reads
# the same files.
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@cache
def _catalogue(language: Language) -> gettext.NullTranslations:
    return gettext.translation("messages", TRANSLATIONS, [language.value], fallback=True)


def wordings(message: str) -> tuple[str, ...]:
    """A constant msgid as each language of the interface writes it, Chinese (the msgid) first; a
    language whose catalogue lacks it (or is not compiled) writes the msgid."""
    return tuple(dict.fromkeys(_catalogue(language).gettext(message) for language in Language))


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


class Clause(str):
    """A clause of a notice cited as a message's parameter ("003 六(一)"): Chinese text shows it as written;
    the other languages number it as their messages write the notices' clauses, "003 6(1)"
    (`clause_numbers`), as the catalogue's own sentences do ("(004 1(7))")."""


_CLAUSE_NUMERALS = re.compile(r"(?<![\u3400-\u9fff])[一二三四五六七八九十]+(?![\u3400-\u9fff])")
_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", start=1)}


def _numeral(chinese: str) -> str:
    """一 … 九十九 as digits: 十 is 10, 十一 11, 二十 20, 二十三 23."""
    tens, _, units = chinese.rpartition("十")
    if "十" not in chinese:
        return str(_DIGITS[chinese]) if chinese in _DIGITS else chinese
    value = (_DIGITS.get(tens, 0) if tens else 1) * 10 + (_DIGITS.get(units, 0) if units else 0)
    return str(value)


def clause_numbers(citation: str) -> str:
    """A citation with its Chinese clause numbers in digits, its 、 and ， as ", " and its ； as "; ":
    "003 六(一)" → "003 6(1)", "003 四、七(一)" → "003 4, 7(1)", "004 二(十)" → "004 2(10)". A numeral
    inside a word (第四条, 一次) is part of the word and stays; so does every other character (引言, 附件
    are words, not numbers)."""
    numbered = _CLAUSE_NUMERALS.sub(lambda m: _numeral(m.group(0)), citation)
    return re.sub(r"\s*；\s*", "; ", re.sub(r"\s*[、，]\s*", ", ", numbered))


# The separators a Joined may use, marked so the catalogue translates them.
SEPARATORS = (N_("、"), N_("；"), N_("，"), N_("或"))


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
    """A message: the Chinese text, plus the template and parameters to translate it with, and the
    message context (msgctxt) its template is looked up under, if any (`NC_`)."""

    template: str
    plural: str | None
    count: int | None
    params: Mapping[str, object]
    context: str | None = None  # also for a Text made with str.__new__ (a service's own Chinese wording)

    def __new__(
        cls,
        template: str,
        params: Mapping[str, object],
        plural: str | None = None,
        count: int | None = None,
        context: str | None = None,
    ) -> Text:
        values = {**params, **({"num": count} if count is not None else {})}
        chosen = template if plural is None or count == 1 else plural
        text = chosen % {key: _zh(value) for key, value in values.items()} if values else chosen
        made = super().__new__(cls, text)
        made.template, made.plural, made.count, made.context = template, plural, count, context
        made.params = values
        return made

    def __reduce__(self) -> tuple[object, ...]:
        # A str subclass with attributes: pickle them too, and the Chinese text itself (a `worded` one is
        # not its template's filling).
        return (
            _unpickle,
            (str(self), self.template, dict(self.params), self.plural, self.count, self.context),
        )


class Label(str):
    """A short name made of data and words: a form row's label ("江西理工大学 本科", portal.domain.form),
    kept as its parts: what the person typed (a school, a title's name) and the form's own words (a choice
    value such as 本科 or 助理级, a `Text` such as "2020年").

    As a ``str`` it is the Chinese text, the parts joined by a space, as every caller wrote it before: audit
    rows, hand-offs, PDFs and snapshots read it so. The web layer shows it part by part (portal.web.i18n):
    a choice part in the reader's language (it is a msgid, or a `Text`), a typed part as written.
    """

    parts: tuple[tuple[str, bool], ...]  # (text, is_choice), empty parts left out

    def __new__(cls, *parts: tuple[object, bool]) -> Label:
        # A typed value is stored as a string (or a number); a choice part is a msgid or a `Text` ("2020年").
        kept = tuple(
            (value if isinstance(value, str) else str(value), choice)
            for value, choice in parts
            if value is not None and value != ""
        )
        made = super().__new__(cls, " ".join(str(value) for value, _ in kept))
        made.parts = kept
        return made

    def __reduce__(self) -> tuple[object, ...]:
        # A str subclass with an attribute: pickle the parts, not only the text.
        return (_label_of, (self.parts,))


def _label_of(parts: tuple[tuple[str, bool], ...]) -> Label:
    return Label(*parts)


def worded(chinese: str, message: Text) -> Text:
    """`message` whose Chinese text is `chinese`: for a rule that writes the Chinese differently from the
    template (a period within one year omits the second year: 2027年1月20日至2月20日), while the other
    languages translate the template and its parameters."""
    made = str.__new__(Text, chinese)
    made.template, made.plural, made.count, made.params, made.context = (
        message.template,
        message.plural,
        message.count,
        message.params,
        message.context,
    )
    return made


def _unpickle(
    chinese: str,
    template: str,
    params: Mapping[str, object],
    plural: str | None,
    count: int | None,
    context: str | None = None,  # absent from a Text pickled before contexts
) -> Text:
    return worded(chinese, Text(template, params, plural, count, context))


def T_(template: str, /, **params: object) -> Text:
    """A message from a %-template (``%(name)s``) and its parameters; the Chinese text is filled at once."""
    return Text(template, params)


def NT_(singular: str, plural: str, count: int, /, **params: object) -> Text:
    """A message with a count: ``%(num)d`` in the templates is the count."""
    return Text(singular, params, plural, count)


def NC_(context: str, message: str, /) -> Text:
    """A constant msgid under a message context (``msgctxt``): its value is the Chinese `message`, and the
    web layer translates it with pgettext(context, message). Extracted as ``NC_:1c,2``."""
    return Text(message, {}, context=context)


# A message kept in the database (an inbox notification, a job's progress) is stored as its msgid and
# parameters, so each reader sees it in their own language; the Chinese text is stored beside it for the
# e-mails, the logs and the rows written before messages were kept so.
Record = dict[str, object]


def _param_record(value: object) -> object:
    if isinstance(value, Label):
        return {"label": [[_param_record(text), choice] for text, choice in value.parts]}
    if isinstance(value, Text):
        return {"text": to_record(value)}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Joined):
        return {"joined": [_param_record(item) for item in value.items], "separator": value.separator}
    if isinstance(value, Clause):
        return {"clause": str(value)}
    if isinstance(value, list | tuple):
        return {"list": [_param_record(item) for item in value]}
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _param_value(value: object) -> object:
    if isinstance(value, dict):
        if "text" in value:
            return from_record(value["text"])
        if "datetime" in value:
            return datetime.fromisoformat(str(value["datetime"]))
        if "date" in value:
            return date.fromisoformat(str(value["date"]))
        if "joined" in value:
            return Joined(tuple(_param_value(item) for item in value["joined"]), str(value["separator"]))
        if "list" in value:
            return [_param_value(item) for item in value["list"]]
        if "clause" in value:
            return Clause(str(value["clause"]))
        if "label" in value:
            return Label(*((_param_value(text), bool(choice)) for text, choice in value["label"]))
    return value


def to_record(message: str) -> Record:
    """A message as JSON-ready data: its msgid (the template), parameters, plural form and count, and
    message context; a plain string (a constant msgid) is its own template."""
    if not isinstance(message, Text):
        return {"template": str(message)}
    record: Record = {
        "template": message.template,
        "params": {
            key: _param_record(value)
            for key, value in message.params.items()
            if not (key == "num" and message.count is not None)
        },
    }
    if message.plural is not None:
        record.update(plural=message.plural, count=message.count)
    if message.context is not None:
        record["context"] = message.context
    return record


# Stored messages whose wording changed since: the old msgid is read as the new one, so a message kept in
# the inbox or the audit trail reads in today's words and keeps its translation (the catalogue holds only
# the new msgid).
REWORDED: Mapping[str, str] = {
    # the series and the specialty ran together ("工程建设工程")
    "%(name)s · %(series)s%(specialty)s · %(level)s": "%(name)s · %(series)s / %(specialty)s · %(level)s",
}


def from_record(record: Mapping[str, object]) -> Text:
    """The message `to_record` stored (its Chinese text filled again from the template, in today's wording
    where it was reworded since)."""
    params = record.get("params") or {}
    assert isinstance(params, Mapping)
    values = {str(key): _param_value(value) for key, value in params.items()}
    plural, count, context = record.get("plural"), record.get("count"), record.get("context")
    template = str(record["template"])
    return Text(
        REWORDED.get(template, template),
        values,
        str(plural) if plural is not None else None,
        int(count) if isinstance(count, int) else None,
        str(context) if context is not None else None,
    )
