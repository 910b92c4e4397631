"""What the English interface's tests read a page with: the parser that finds Chinese outside an element in
Chinese (WCAG 3.1.2 Language of Parts: data people entered, official names and clause citations sit inside
lang="zh…", every other word is translated), and a client that reads in English."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from flask.testing import FlaskClient

from portal.web import i18n

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Attributes a person reads or hears (a tooltip, a placeholder, an accessible name, a confirm question).
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-confirm")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Text that is not the page's words: scripts and styles, and what a person typed into a field.
SKIPPED = {"script", "style", "textarea"}


class LanguageOfParts(HTMLParser):
    """Collects every Han run whose nearest `lang` (the element's own, else its ancestors') is not zh."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, lang in force)
        self.leaks: list[str] = []
        self.chinese: list[str] = []  # the text inside elements in Chinese: data, names, titles as written
        self.html_lang = ""

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        in_force = lang if lang is not None else self._lang()
        if tag == "html":
            self.html_lang = lang or ""
        for name in READ_ATTRIBUTES:
            self._check(values.get(name) or "", in_force, f"<{tag} {name}>")
        if tag == "input" and (values.get("type") or "") in ("submit", "button"):
            self._check(values.get("value") or "", in_force, "<input value>")
        if tag not in VOID:
            self.stack.append((tag, in_force))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if any(tag in SKIPPED for tag, _ in self.stack):
            return
        self._check(data, self._lang(), "")

    def _check(self, text: str, lang: str, where: str) -> None:
        if lang.lower().startswith("zh"):
            if HAN.search(text):
                self.chinese.append(text.strip())
            return
        for run in HAN.finditer(text):
            start, end = max(run.start() - 15, 0), min(run.end() + 15, len(text))
            self.leaks.append(f"{where}{text[start:end].strip()!r}")


def leaks(html: str) -> tuple[str, list[str]]:
    """(the page's <html lang>, every Han run outside an element in Chinese)."""
    parser = LanguageOfParts()
    parser.feed(html)
    parser.close()
    return parser.html_lang, parser.leaks


def chinese_parts(html: str) -> list[str]:
    """Every text an English page shows inside lang="zh…": what it leaves in Chinese as data."""
    parser = LanguageOfParts()
    parser.feed(html)
    parser.close()
    return parser.chinese


def in_english(client: FlaskClient) -> FlaskClient:
    """The client, reading in English from its next request on (the language cookie the switcher sets)."""
    client.set_cookie(i18n.COOKIE, i18n.Language.EN.value)
    return client


def assert_english(html: str) -> None:
    """The page says it is English and has no Chinese outside lang="zh…"."""
    lang, runs = leaks(html)
    assert lang == "en" and runs == [], runs


def sentence(page: str, start: str) -> str:
    """The page's words from ``start`` to the end of the clause the sentence cites ("… (004 1(3))"), tags
    left out and entities read: what a reader reads of one message citing a clause."""
    text = re.sub(r"<[^>]+>", "", unescape(page))
    begins = text.index(start)
    return text[begins : text.index("))", begins) + 2]
