"""Words: the templates use the glossary's terms, not their variants, and show dates as 2026年9月29日.

A scan of every template's text (Jinja comments removed) for the variants portal.domain.glossary lists,
and for dates that would reach the user as ISO text: a date-like expression printed without the
`cn_date`/`cn_datetime` filter, or `.isoformat()` outside a URL or a form value.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from portal.domain import glossary
from portal.domain.workflow import ACTION_TITLES, STATUS_TITLES, Action, Status

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Documents (PDFs) are printed texts with their own wording; pages and partials are what clerks read.
SCANNED = sorted(p for p in TEMPLATES.rglob("*.html") if "documents" not in p.parts)

COMMENT = re.compile(r"\{#.*?#\}", re.S)
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
# A printed expression that names a date or a time by the project's naming (…_on, …_at, …date, deadline).
DATE_LIKE = re.compile(r"(_on|_at|date|deadline|cutoff|\.day)\s*$")
FORMATTED = re.compile(r"\|\s*(cn_date|cn_datetime)\b")


def _text(path: Path) -> str:
    return COMMENT.sub("", path.read_text(encoding="utf-8"))


def test_there_are_templates_to_scan() -> None:
    assert len(SCANNED) > 20


@pytest.mark.parametrize("variant", glossary.VARIANTS, ids=lambda v: v.use)
def test_no_template_uses_a_variant_of_a_glossary_term(variant: glossary.Variant) -> None:
    pattern = re.compile(variant.pattern)
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:80]}"
        for path in SCANNED
        for number, line in enumerate(_text(path).splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, f"use “{variant.use}” ({variant.why}):\n" + "\n".join(found)


def test_the_variant_patterns_catch_what_they_are_for() -> None:
    # The scan is only as good as its patterns: each must refuse its variant and allow the term itself.
    samples = {
        "经办人初审": ("单位初审", "经办人初审"),
        "领导签批": ("领导审批", "领导签批"),
        "退回补正": ("退回修改", "退回补正"),
        "申报人": ("申请人", "申报人"),
        "人社局": ("请联系人社部门", "请联系人社局"),
    }
    by_use = {v.use: re.compile(v.pattern) for v in glossary.VARIANTS}
    for use, (bad, good) in samples.items():
        assert by_use[use].search(bad) and not by_use[use].search(good), use


def test_status_and_action_titles_come_from_the_glossary_and_use_its_terms() -> None:
    assert {s: STATUS_TITLES[s] for s in Status} == {s: glossary.STATUSES[s.value].title for s in Status}
    assert {a: ACTION_TITLES[a] for a in Action} == {a: glossary.ACTION_TITLES[a.value] for a in Action}
    for title in [*STATUS_TITLES.values(), *ACTION_TITLES.values()]:
        for variant in glossary.VARIANTS:
            assert not re.search(variant.pattern, title), (title, variant.use)


def _iso_dates_shown(text: str) -> list[str]:
    shown: list[str] = []
    for match in EXPRESSION.finditer(text):
        expression = match.group(1).strip()
        before = text[max(0, match.start() - 8) : match.start()]
        in_value = before.endswith('value="')  # a date input's value is ISO by HTML's rule
        if in_value:
            continue
        iso_call = ".isoformat()" in expression and "url_for" not in expression
        unformatted = DATE_LIKE.search(expression) is not None and not FORMATTED.search(expression)
        if iso_call or unformatted:
            shown.append(expression)
    return shown


def test_no_template_shows_a_date_as_iso_text() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {{{{ {expression} }}}}"
        for path in SCANNED
        for expression in _iso_dates_shown(_text(path))
    ]
    assert not found, "show dates with |cn_date (2026年9月29日) or |cn_datetime:\n" + "\n".join(found)


def test_the_date_scan_catches_an_iso_date_and_allows_urls_and_form_values() -> None:
    assert _iso_dates_shown("<p>截止 {{ c.deadline }}</p>")
    assert _iso_dates_shown('<p data-confirm="删除 {{ d.day.isoformat() }}？">')
    assert not _iso_dates_shown("<p>{{ c.deadline|cn_date }}</p>")
    assert not _iso_dates_shown("<a href=\"{{ url_for('x', day=d.day.isoformat()) }}\">")
    assert not _iso_dates_shown('<input type="date" value="{{ form.deadline }}">')


PORTAL = TEMPLATES.parent / "portal"
# An f-string with Chinese text that interpolates an ISO date: a message a person reads.
ISO_IN_MESSAGE = re.compile(
    r"f[\"'][^\"']*[\u4e00-\u9fff][^\"']*\{[^}]*\.isoformat\(\)[^}]*\}|"
    r"f[\"'][^\"']*\{[^}]*\.isoformat\(\)[^}]*\}[^\"']*[\u4e00-\u9fff]"
)


def test_no_message_in_the_code_writes_a_date_as_iso_text() -> None:
    found = [
        f"{path.relative_to(PORTAL.parent)}:{number}: {line.strip()[:90]}"
        for path in sorted(PORTAL.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ISO_IN_MESSAGE.search(line) and "send_bytes" not in line  # a file name may be ISO
    ]
    assert not found, "write dates in messages with glossary.cn_date (2026年9月29日):\n" + "\n".join(found)
    assert glossary.cn_date(date(2026, 9, 29)) == "2026年9月29日"
