"""The interface's language (issue 24): Flask-Babel wiring, the choice of language, translation of the
domain's messages, and locale formatting of dates, numbers and working-day counts.

Choosing: the user's saved choice (users.language), else the visitor's cookie, else the first language
of Accept-Language that the portal speaks, else Simplified Chinese. The switcher on every page posts to
`auth.set_language`, which stores the choice on the user (logged in) and in the cookie (everyone), so the
login page keeps it after logout.

Translating: msgids are the Chinese source text (portal/domain/i18n.py explains the four forms). Templates
use Jinja's `{% trans %}` and `_()`; values that come from the domain (a status title, a service's error,
a `Text` with parameters) go through the `t` filter, which looks a constant up in the catalogue and
formats a `Text`'s parameters in the reader's language. A `Text` with a message context (`NC_`: the
same Chinese word as a label and mid-sentence) is looked up with gettext's pgettext (Babel's
`Translations.upgettext`/`unpgettext`), as Jinja's `pgettext()` is. Data people entered (names, units,
opinions) is never looked up: templates show it inside `lang="zh-CN"` (the `zh` filter). A title series
is data with a word for the common ones: `series` / `series_plain` / `subject` (with its specialty) name
it as the catalogue does, the statistics chart included, else as stored. A value that may
be either (a glossary word or a recorded name) goes through `t_or_zh`; text-only places (an <option>, SVG
text, a <title>) ask the `chinese_in_english` test and put lang="zh-CN" on the element itself.

Formatting: `cn_date`/`cn_datetime` keep their names (every template uses them) and now write
2026年11月23日 or 23 Nov 2026, in Shanghai time; `number` groups digits; `workdays_left` says
"3 working days left" with the right plural.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache, wraps
from typing import Any

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    get_flashed_messages,
    has_request_context,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from portal.domain import glossary
from portal.domain.i18n import (
    DEFAULT_LANGUAGE,
    NC_,
    NT_,
    SHANGHAI,
    Clause,
    Joined,
    Label,
    Language,
    Text,
    clause_numbers,
    from_record,
    to_record,
    worded,
)
from portal.domain.identity import country_name

COOKIE = "portal_language"
COOKIE_MAX_AGE = 365 * 24 * 3600  # a year: a visitor's choice outlives many sessions

# The date patterns each language writes (CLDR patterns, Babel's syntax): the Chinese one is the
# portal's long-standing 2026年11月23日; English uses the day-month-year order of Hong Kong and Britain.
DATE_PATTERNS = {Language.ZH: "y年M月d日", Language.EN: "d MMM y"}
DATETIME_PATTERNS = {Language.ZH: "y年M月d日 HH:mm", Language.EN: "d MMM y, HH:mm"}
# What stands between the facts of one line (a status badge, then the unit, then the returns): Chinese
# pages set them apart with a full-width space (U+3000); in English that reads as a stray gap or a double
# space, so English writes a middle dot, as the page headings do.
FACT_SEPARATORS = {Language.ZH: "\u3000", Language.EN: " · "}

babel = Babel()


def _parse(value: object) -> Language | None:
    try:
        return Language(str(value))
    except ValueError:
        return None


def from_accept_language(header: str | None) -> Language | None:
    """The first language of an Accept-Language header (by quality, then order) that the portal speaks:
    any Chinese (zh, zh-CN, zh-TW, zh-Hant-HK) reads the Chinese interface, any English the English one."""
    from werkzeug.datastructures import LanguageAccept
    from werkzeug.http import parse_accept_header

    for tag, _quality in parse_accept_header(header or "", LanguageAccept):
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary == "zh":
            return Language.ZH
        if primary == "en":
            return Language.EN
    return None


def chosen_language() -> Language:
    """The language of this request (cached on g): saved choice, cookie, Accept-Language, default."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    cached = g.get("portal_language")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    language = None
    if current_user.is_authenticated and current_user.user.language:
        language = _parse(current_user.user.language)
        g.portal_language_saved = language is not None
    language = (
        language
        or _parse(request.cookies.get(COOKIE))
        or from_accept_language(request.headers.get("Accept-Language"))
        or DEFAULT_LANGUAGE
    )
    g.portal_language = language
    return language


def _catalogue() -> tuple[Language, Translations | NullTranslations]:
    """The language Babel renders in now and its catalogue, looked up once per request and locale.

    Flask-Babel resolves both through several context-local lookups per string (~15 µs); a queue page
    translates ~7 strings per row, a fifth of the fragment's time (issue 20, bench/profiles/queue-*-i18n).
    The pair is kept on Flask-Babel's own per-request namespace (`g._flask_babel`) keyed by the Locale
    object there, so `force_locale` (the English summary, the e-mails) — which swaps that object in and
    back out — is never answered from the other locale's catalogue.
    """
    if not has_request_context():
        translations = get_translations()
        locale = get_locale()
    else:
        space = getattr(g._get_current_object(), "_flask_babel", None)
        locale = getattr(space, "babel_locale", None)
        memo = getattr(space, "portal_catalogue", None)
        if memo is not None and locale is not None and memo[0] is locale:
            return memo[1], memo[2]  # type: ignore[no-any-return]
        translations = get_translations()  # resolves (and stores) the locale on first use
        locale = get_locale()
        space = g._flask_babel
    language = Language.EN if locale is not None and locale.language == "en" else Language.ZH
    if has_request_context() and locale is not None:
        space.portal_catalogue = (locale, language, translations)
    return language, translations


def current_language() -> Language:
    """The language Babel is rendering in now (a forced locale, e.g. the English summary, wins)."""
    return _catalogue()[0]


def _lookup(message: str) -> str:
    return _catalogue()[1].ugettext(message)  # type: ignore[no-any-return]


def lookup(message: str) -> str:
    """A constant msgid in the language Babel renders in now (plain text, not escaped); an `NC_` one
    under its message context."""
    if isinstance(message, Text) and message.context is not None:
        return _template(message)
    return _lookup(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _catalogue()[1].ungettext(singular, plural, count)  # type: ignore[no-any-return]


def _template(message: Text) -> str:
    """A message's template in the catalogue: by its count when it has a plural, under its message
    context (msgctxt) when it has one: pgettext, as the catalogue keeps one entry per context."""
    translations = _catalogue()[1]
    if message.context is None:
        if message.plural is not None:
            return ngettext(message.template, message.plural, message.count or 0)
        return _lookup(message.template)
    if message.plural is not None:
        found = translations.unpgettext(message.context, message.template, message.plural, message.count or 0)
    else:
        found = translations.upgettext(message.context, message.template)
    return found  # type: ignore[no-any-return]


def _has_han(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


# The words a clause's number may carry ("001 三 引言", "003 附件 序号22"), as English cites them ("001 3,
# preamble", "003 annex, row 22"); a word before a number is set apart from it ("附件2" → "annex 2").
_CLAUSE_TERMS = {"引言": NC_("clause", "引言"), "附件": NC_("clause", "附件"), "序号": NC_("clause", "序号")}
_CLAUSE_TERM = re.compile(r"(\s*)(引言|附件|序号)(\d?)")


def _reference_words(numbered: str) -> str:
    """A numbered reference with its words in the reader's language: "001 3 引言" → "001 3, preamble"."""

    def term(match: re.Match[str]) -> str:
        space, word, digit = match.groups()
        lead = ", " if space and word != "附件" else space
        return lead + _template(_CLAUSE_TERMS[word]) + (" " + digit if digit else "")

    return _CLAUSE_TERM.sub(term, numbered)


def _clause_segments(citation: str) -> list[tuple[str, bool]]:
    """A clause as a language other than Chinese cites it, as (text, still Chinese) segments: each notice's
    part numbered ("003 6(1)", "001 3, preamble"), and the words a part states after its "：" in the reader's
    language where the catalogue has them ("001 4(3): upload a scan…"), else as written, marked Chinese. A
    citation whose references keep Chinese words once numbered (a document's title, "004 附件4 申报指南")
    stays whole as written: numbered in part, it read as neither language."""
    parts = [part.partition("：") for part in citation.split("；")]
    references = [_reference_words(clause_numbers(reference.strip())) for reference, _, _ in parts]
    if any(_has_han(r) for r in references):
        return [(citation, _has_han(citation))]
    segments: list[tuple[str, bool]] = []
    for n, ((_, colon, words), numbered) in enumerate(zip(parts, references, strict=True)):
        if n:
            segments.append(("; ", False))
        segments.append((numbered, False))
        if colon and words.strip():
            found = _lookup(words.strip())
            segments += [(": ", False), (found, _has_han(found))]
    return segments


def _clause_words(citation: str) -> str:
    """A clause as a language other than Chinese cites it, in plain text (`_clause_segments`)."""
    return "".join(text for text, _ in _clause_segments(citation))


def _label(value: Label, language: Language, markup: bool) -> object:
    """A form row's label (`Label`) in the reader's language: its choice parts (本科, 助理级, "2020年")
    translated, what the person typed (a school, a title's name) as written — never looked up, as a typed
    name may happen to be a msgid — inside lang="zh-CN" where it is Chinese on a page of another language.
    Chinese pages show the label's own text."""
    if language is Language.ZH:
        return escape(str(value)) if markup else str(value)
    shown: list[object] = []
    for text, choice in value.parts:
        word = str(_translate(text, language, markup=False)) if choice else text
        shown.append(zh(word) if markup and _has_han(word) else escape(word) if markup else word)
    return Markup(" ").join(shown) if markup else " ".join(str(part) for part in shown)


def _format_param(value: object, language: Language, markup: bool) -> object:
    if isinstance(value, Label):
        return _label(value, language, markup)
    if isinstance(value, Clause):
        return clause(value) if markup else (value if language is Language.ZH else _clause_words(value))
    if isinstance(value, Text):
        return _translate(value, language, markup)
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, Joined):
        separator = _lookup(value.separator)
        parts = [_format_param(item, language, markup) for item in value.items]
        if markup:
            # Every part and the separator are escaped before they are joined: safe by construction.
            return Markup(escape(separator)).join(escape(part) for part in parts)  # nosec B704
        return separator.join(str(part) for part in parts)
    if isinstance(value, list | tuple):
        items = [_format_param(item, language, markup) for item in value]
        if not items:
            return ""
        if language is Language.ZH:
            return "、".join(str(item) for item in items)
        joined = format_list([str(escape(item) if markup else item) for item in items], locale="en")
        # Each item was escaped before Babel joined them: safe by construction.
        return Markup(joined) if markup else joined  # nosec B704
    if isinstance(value, str) and value:
        found = _lookup(value)
        if markup and language is not Language.ZH and _has_han(found):
            return Markup('<span lang="zh-CN">%s</span>') % found  # data in Chinese (a name, a unit)
        return found
    return value


def _translate(value: object, language: Language, markup: bool) -> object:
    if isinstance(value, Label):
        return _label(value, language, markup)
    if isinstance(value, Text) and language is Language.ZH:
        # The message's own text is the Chinese one (its rule may write it differently from the template,
        # e.g. a notice period omits the second year); Chinese data needs no lang mark in Chinese pages.
        return escape(str(value)) if markup else str(value)
    if isinstance(value, Text):
        template = _template(value)
        params: Mapping[str, object] = {
            key: _format_param(param, language, markup) for key, param in value.params.items()
        }
        if markup:
            return escape(template) % params if params else escape(template)
        return template % params if params else template
    if isinstance(value, str) and value:
        found = _lookup(value)
        return escape(found) if markup else found
    return value


def translate(value: object) -> object:
    """A message in the reader's language, as markup: a `Text` by its template and parameters (a date
    formatted, a nested message translated, Chinese data such as a name inside lang="zh-CN"), a constant
    by its msgid; a string that is no msgid comes back as it is, anything else unchanged."""
    return _translate(value, current_language(), markup=True)


def translate_or_zh(value: object) -> object:
    """A value that is a msgid (a glossary word) or data (a name, a recorded action): translated when the
    catalogue knows it, else shown as written inside lang="zh-CN" when it is Chinese (WCAG 3.1.2)."""
    if isinstance(value, Text | Label):
        return translate(value)
    if value is None or value == "":
        return ""
    return _format_param(str(value), current_language(), markup=True)


def country(value: object) -> Markup | str:
    """A passport holder's stored nationality as the reader's language names it, with its code as the
    passport prints it ("美国（USA）", "United States (USA)"); a Chinese name typed so stays as written."""
    language = current_language()
    name = country_name(str(value or ""), language.value)
    if name is None:
        return translate_or_zh(value)
    return f"{name}（{value}）" if language is Language.ZH else f"{name} ({value})"


def chinese_in_english(value: object) -> bool:
    """Text still Chinese on an English page (data, an official name): it must say lang="zh-CN" itself."""
    return current_language() is not Language.ZH and _has_han(str(value or ""))


# The marks `_format_param` puts around Chinese data (never nested: each wraps one plain value).
_CHINESE_DATA = re.compile(r'<span lang="zh-CN">[^<]*</span>')


def translate_finding(message: object) -> Markup:
    """A policy finding's message for the page, without the rule ids it may carry (applicants read the
    notice's clause, issue 17.9): in the reader's language, its Chinese data (regions, names, the profile's
    own wording) inside lang="zh-CN". A message the catalogue cannot translate (a plain Chinese text, such
    as findings stored before they were messages) is shown as written, marked Chinese as a whole."""
    from portal.domain.text import split_rule_ids

    shown = str(translate(message))
    if current_language() is not Language.ZH and _has_han(_CHINESE_DATA.sub("", shown)):
        return Markup('<span lang="zh-CN">%s</span>') % split_rule_ids(str(message))[0]
    # split_rule_ids removes only ASCII rule ids with their brackets and spaces (and a comma or semicolon
    # before "policy-spec"): never a "<", ">", "&" or quote, so no tag or attribute can come out of it.
    return Markup(split_rule_ids(shown)[0])  # nosec B704


def translate_plain(value: object) -> object:
    """`translate` as plain text, for an attribute (title=, data-confirm=) or a header: no markup."""
    return _translate(value, current_language(), markup=False)


def format_day(value: date | datetime | str | None) -> str:
    """A date (a datetime in Shanghai time) as the reader's language writes it; a form's stored date
    ("2016-07-15") too, and any other text as it is."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    language = current_language()
    if language is Language.ZH:  # the pattern written out: Babel's formatter costs ~20 µs a call
        return f"{value.year}年{value.month}月{value.day}日"
    return format_date(value, DATE_PATTERNS[language], locale=language.value)


def format_moment(value: datetime | None) -> str:
    """A date and time in Shanghai time, as the reader's language writes it."""
    if value is None:
        return ""
    language = current_language()
    if language is Language.ZH:
        # Written out, not Babel's formatter or strftime: a queue page formats one per row (issue 20).
        local = value.astimezone(SHANGHAI)
        return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"
    return format_datetime(value, DATETIME_PATTERNS[language], tzinfo=SHANGHAI, locale=language.value)


def format_number(value: int | float | None) -> str:
    """A number with the reader's digit grouping (12,345 in both languages)."""
    if value is None:
        return ""
    return format_decimal(value, locale=current_language().value)


def workdays_left(count: int) -> str:
    """还剩3个工作日 / 3 working days left (1 working day left)."""
    return ngettext("还剩%(num)d个工作日", "还剩%(num)d个工作日", count) % {"num": count}


def fact_gap() -> str:
    """The separator between the facts of one line, in the reader's language (FACT_SEPARATORS)."""
    return FACT_SEPARATORS[current_language()]


BRACKETS = {Language.ZH: Markup("（%s）"), Language.EN: Markup(" (%s)")}


def bracketed(value: object) -> Markup:
    """An aside in brackets of the reader's language: full-width （…） in Chinese, " (…)" in English (the
    English pages showed （…） around data and roles wherever a template wrote the brackets itself)."""
    if value is None or value == "":
        return Markup("")
    return BRACKETS[current_language()] % value


def series_word(name: object) -> str | None:
    """A title series (职称系列, stored in Chinese) as a reader of another language names it: the catalogue's
    word for it ("工程" → "Engineering", the glossary's series suggestions; as the statistics chart reads
    it), or None where it is shown as stored — in the Chinese interface, and for a series the catalogue
    does not know (any series may be typed). Form values, exports and documents keep the stored name."""
    text = str(name or "")
    if not text or current_language() is Language.ZH:
        return None
    found = _lookup(text)
    return None if found == text or _has_han(found) else found


def series_in_english(name: object) -> bool:
    """Whether the page names this series in its own words (series_word): a select option or a cell
    that stays Chinese keeps lang="zh-CN" on itself."""
    return series_word(name) is not None


def series_plain(name: object) -> str:
    """A series as plain text in the reader's language (an <option>, an attribute): its word, else as
    stored."""
    return series_word(name) or str(name or "")


def series_sorted(names: Iterable[object]) -> list[object]:
    """Series for a select, in the order a reader finds them: as given in Chinese (the services sort the
    stored names); in another language by the words shown (series_word), alphabetically, and those shown as
    stored after them in their order (the English queue's filter listed "Engineering" after "Health" because
    卫生 sorted before 工程). The values stay the stored names."""
    listed = list(names)
    if current_language() is Language.ZH:
        return listed
    words = [(series_word(name), name) for name in listed]
    ordered = sorted(words, key=lambda pair: (pair[0] is None, (pair[0] or "").casefold()))
    return [name for _word, name in ordered]


def series(name: object) -> Markup:
    """A series in the reader's language: its English word, else as stored inside lang="zh-CN" (as `zh`;
    in the Chinese interface the text as it is)."""
    word = series_word(name)
    return escape(word) if word is not None else zh(name)


def subject(name: object, specialty: object, between: str = " / ") -> Markup:
    """A series and its specialty (工程 / 机械): "Engineering / " and the specialty as written inside
    lang="zh-CN" where the series has an English word; else both as written in one lang="zh-CN" span, as
    the pages wrote them before (in both languages)."""
    word = series_word(name)
    if word is None:
        return Markup('<span lang="zh-CN">%s%s%s</span>') % (name or "", between, specialty or "")
    if specialty is None or specialty == "":
        return escape(word)
    return Markup('%s%s<span lang="zh-CN">%s</span>') % (word, between, specialty)


def zh(value: object) -> Markup:
    """Data entered in Chinese (a name, a unit, an opinion, a clause) inside lang="zh-CN" (WCAG 3.1.2);
    in the Chinese interface the page's own lang already says it, so the text stands as it is."""
    if value is None or value == "":
        return Markup("")
    if current_language() is Language.ZH:
        return escape(value)
    return Markup('<span lang="zh-CN">%s</span>') % value


def clause(value: object) -> Markup:
    """A notice's clause ("003 六(一)") as the reader's language cites it: as written in Chinese; in English
    numbered as the catalogue's sentences number clauses ("003 6(1)", domain.i18n.clause_numbers), its words
    in English ("001 3, preamble"; a slot's "001 4(3): Upload a scan…"), and what the catalogue cannot put
    in English (a profile's own words, a document's title) as written inside lang="zh-CN"."""
    if value is None or value == "":
        return Markup("")
    if current_language() is Language.ZH:
        return escape(value)
    return Markup("").join(
        zh(text) if chinese else escape(text) for text, chinese in _clause_segments(str(value))
    )


def status_words(
    status: object, road: str = glossary.BUREAU_ROAD, overruled: bool = False
) -> glossary.StatusWords:
    """The glossary's words for a workflow status of a case on ``road`` (the road the service or the
    application says it took; ``overruled``: its notice passed over objections found unfounded, as the
    service says), in the reader's language (the tone is the same)."""
    language, translations = _catalogue()
    return _status_words(language, translations, str(status), road, bool(overruled))


@lru_cache(maxsize=256)
def _status_words(
    language: Language, translations: object, status: str, road: str, overruled: bool
) -> glossary.StatusWords:
    # Once per status, road and catalogue, not per queue row (issue 20); the words are the glossary's
    # constants.
    words = glossary.status_words(status, road, overruled)
    lookup = translations.ugettext  # type: ignore[attr-defined]
    return replace(words, title=lookup(words.title), explanation=lookup(words.explanation))


def term(key: str) -> str:
    """A glossary term in the reader's language (the glossary's msgid is its Chinese word)."""
    return _lookup(glossary.term(key))


def notify(message: str, category: str = "info") -> None:
    """Flash a message (a constant msgid or a `Text`) for the next page: every flash of the portal goes
    through here. It is kept in the session as its msgid and parameters (`to_record`: JSON-safe), not as
    words, and translated when a page shows it (`flashed_messages`): a language switched in between is
    the one it is read in."""
    record = to_record(message)
    if str(from_record(record)) != str(message):
        # Chinese worded apart from its template (a period within one year omits the second year, at any
        # depth): kept as written, for a Chinese page to show it so.
        record["zh"] = str(message)
    flash(record, category)  # type: ignore[arg-type]  # a record, not words
    _keep_within_cookie()


# The flashes ride in the signed session cookie, and a browser drops a cookie past 4,096 bytes (its name,
# value and attributes) without a word: the page after a bulk action over fifty long names, each refusal a
# flash, would then show nothing and the login's cookie would be lost with it. The cookie's value is kept
# within this many bytes (the name and attributes, Expires and Secure with the __Host- name, take ~100).
COOKIE_VALUE_BUDGET = 3800


def _overflow(count: int) -> Text:
    """What stands for the flashes that did not fit (the newest left out first; one note, its count grown)."""
    return NT_("另有%(num)d条提示未能在此显示。", "另有%(num)d条提示未能在此显示。", count)


_FLASHES = "_flashes"  # where Flask's flash() keeps them in the session


def _cookie_value_size() -> int:
    """The length of the session cookie's value as Flask would write it now (signed, compressed)."""
    interface = current_app.session_interface
    if not isinstance(interface, SecureCookieSessionInterface):
        return 0
    serializer = interface.get_signing_serializer(current_app)
    return 0 if serializer is None else len(serializer.dumps(dict(session)))


def _keep_within_cookie() -> None:
    """Leave out the newest flashes, counted in one note, until the session cookie fits its budget."""
    flashes: list[tuple[str, object]] = list(session.get(_FLASHES, []))
    kept: list[tuple[str, object]] = []
    dropped, category = 0, "info"
    for kind, record in flashes:
        if isinstance(record, Mapping) and record.get("template") == _overflow(1).template:
            dropped += int(record.get("count") or 0)
            category = "error" if kind == "error" else category
        else:
            kept.append((kind, record))

    def fits() -> bool:
        note = [(category, to_record(_overflow(dropped)))] if dropped else []
        session[_FLASHES] = kept + note
        return _cookie_value_size() <= COOKIE_VALUE_BUDGET

    while not fits() and kept:
        kind, _record = kept.pop()
        dropped += 1
        category = "error" if kind == "error" else category


def flashed_messages() -> list[tuple[str, object]]:
    """The flashes waiting for this page (taken, as Flask's get_flashed_messages does), each in the reader's
    language with its Chinese data marked; one kept as words (a cookie from before) is shown as it is."""
    return [
        (category, translate(_kept(kept)) if isinstance(kept, Mapping) else kept)
        for category, kept in get_flashed_messages(with_categories=True)
    ]


def _kept(record: Mapping[str, object]) -> Text:
    message = from_record(record)
    chinese = record.get("zh")
    return worded(chinese, message) if isinstance(chinese, str) else message


def switch_back() -> str:
    """Where the switcher returns to: this page with its query, whose `next=`/`back=` are kept only when
    they are safe targets (so the switcher never repeats a hostile one). A page answering a POST (a form
    refused with 422) goes back to its URL when a GET answers it too, else to the page that URL belongs to
    (/review/applications/5/return → /review/applications/5): never to the home page, as the Referer, a
    POST-only URL, did."""
    from urllib.parse import urlencode

    from portal.web.errors import page_for
    from portal.web.redirects import safe_target

    args = [
        (key, value)
        for key, value in request.args.items(multi=True)
        if key not in ("next", "back") or safe_target(value, "")
    ]
    here = request.path + (f"?{urlencode(args)}" if args else "")
    if request.method == "GET":
        return here
    return safe_target(here, "") or page_for(request.path)


def set_cookie(response: Response, language: Language) -> None:
    """Remember `language` in this browser (the visitor's choice; a user's is also on the account)."""
    response.set_cookie(
        COOKIE,
        language.value,
        max_age=COOKIE_MAX_AGE,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


def _at_render(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter or test whose result depends on the request's language, run at every rendering. Jinja's
    optimizer folds a filter of a constant (`"新加坡"|zh`, `"003 七(一)"|zh`) into the compiled template,
    so the language of whichever request compiled it first would stay for every later reader; a
    `pass_context` callable is never folded."""

    @wraps(function)
    @pass_context
    def run(_context: Any, value: object, *args: Any, **kwargs: Any) -> Any:
        return function(value, *args, **kwargs)

    return run


def register_i18n(app: Flask) -> None:
    """Flask-Babel with the portal's catalogues (portal/translations), the filters and the globals."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE.value)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    babel.init_app(app, locale_selector=lambda: chosen_language().value)
    # Jinja's _() and {% trans %} through the per-request catalogue (Flask-Babel's own callables look
    # the context up for every string: see _catalogue).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_lookup,
        ngettext=ngettext,
        newstyle=True,
        pgettext=lambda c, s: _catalogue()[1].upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue()[1].unpgettext(c, s, p, n),
    )
    # {% trans %} blocks: whitespace and line breaks inside a block are collapsed, so a msgid is the
    # sentence as a translator reads it, not the template's indentation.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    filters: dict[str, Callable[..., Any]] = {
        "t": translate,
        "t_plain": translate_plain,
        "t_or_zh": translate_or_zh,
        "country": country,
        "finding": translate_finding,
        "cn_date": format_day,
        "cn_datetime": format_moment,
        "number": format_number,
        "workdays_left": workdays_left,
        "zh": zh,
        "clause": clause,
        "bracketed": bracketed,
        "series": series,
        "series_plain": series_plain,
        "series_sorted": series_sorted,
        "subject": subject,
    }
    app.jinja_env.filters.update({name: _at_render(function) for name, function in filters.items()})
    app.jinja_env.globals.update(
        status_words=status_words,
        certificate_date_words=glossary.certificate_date_words,
        term=term,
        switch_back=switch_back,
        fact_gap=fact_gap,
        flashed_messages=flashed_messages,
    )
    app.jinja_env.tests["chinese_in_english"] = _at_render(chinese_in_english)
    app.jinja_env.tests["series_in_english"] = _at_render(series_in_english)

    @app.after_request
    def _remember_saved_choice(response: Response) -> Response:
        # A user's saved choice also goes into this browser's cookie, so the login page after logout (or
        # after the session ended) speaks the language the user chose, on any device they logged in on.
        language = g.get("portal_language")
        if g.get("portal_language_saved") and request.cookies.get(COOKIE) != language.value:
            set_cookie(response, language)
        return response

    @app.context_processor
    def _language() -> dict[str, Any]:
        return {"languages": list(Language), "language": current_language}
