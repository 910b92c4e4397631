"""Rendering our templates/documents/*.html to PDF bytes with WeasyPrint, with what is costly set up once.

WeasyPrint is imported on first use (loading Pango and parsing its C declarations takes about a second);
the font configuration (fontconfig and Pango's font map, which keep the Noto CJK faces loaded) is made
once per thread and reused by every render, instead of once per render. `warm_up()` does all of it ahead
of the first request (a preloading server calls it before forking its workers).

Every render also applies `fonts.css` (as the user's stylesheet, parsed once per thread with the font
configuration): English text in a Latin face (Liberation Sans) with Noto CJK as the fallback for Han
characters; Chinese documents keep their own fonts.

WeasyPrint subsets the embedded CJK font with HarfBuzz's subset library when it can load it
(Debian's libharfbuzz-subset0); without it, it falls back to fontTools in Python, about 30 times
slower (1.4 s instead of 0.05 s for one paragraph). `subsetting_problem()` checks for it the way
WeasyPrint loads it, and `create_app` logs its answer as a warning at start.
"""

from __future__ import annotations

import ctypes
import logging
import re
import threading
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

if TYPE_CHECKING:
    from weasyprint import Document

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "documents"
FONTS_CSS = TEMPLATES / "fonts.css"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# The names WeasyPrint 70 tries (weasyprint/text/ffi.py), Linux first; 4.1.0 is the oldest HarfBuzz it
# subsets with (it needs hb_set_add_sorted_array).
HARFBUZZ_SUBSET_NAMES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset-0", "harfbuzz-subset")
HARFBUZZ_NAMES = ("libharfbuzz.so.0", "libharfbuzz-0", "harfbuzz")
HARFBUZZ_MINIMUM = (4, 1, 0)


def cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


def css_string(value: object) -> Markup:
    """Any text as one quoted CSS string (for `content:` in page margins): quotes, backslashes, line breaks
    and every other non-printable character escaped, so user text can never end the string or the rule."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in "\"\\'<>&" else f"\\{ord(ch):x} " for ch in str(value)
    )
    # Every character that could end the string or the markup is escaped above: safe by construction.
    return Markup(f'"{escaped}"')  # nosec B704


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
_env.filters["cn_date"] = cn_date
_env.filters["css_string"] = css_string
_local = threading.local()  # Pango's font map is not shared between threads


def render_html(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def _font_config() -> Any:
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration  # first use: loads Pango (about a second)

        config = _local.font_config = FontConfiguration()
    return config


def _render_options() -> dict[str, Any]:
    """What every render is given: this thread's font configuration and the shared fonts.css."""
    fonts = getattr(_local, "fonts_css", None)
    if fonts is None:
        from weasyprint import CSS

        fonts = _local.fonts_css = CSS(filename=str(FONTS_CSS), font_config=_font_config())
    return {"font_config": _font_config(), "stylesheets": [fonts]}


def render_document(template: str, **context: Any) -> Document:
    """The template laid out as pages (for callers that read where anchors landed before writing)."""
    from weasyprint import HTML

    html = HTML(string=render_html(template, **context), base_url=str(TEMPLATES))
    return html.render(**_render_options())


def render_pdf(template: str, **context: Any) -> bytes:
    return render_document(template, **context).write_pdf()  # type: ignore[no-any-return]


def pdf_from_html(html: str) -> bytes:
    """A4 PDF bytes of a complete HTML document (its styles inline; relative links under documents/).
    The web layer renders the English summary with the app's own templates (they translate), then here."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES)).render(**_render_options()).write_pdf()  # type: ignore[no-any-return]


def warm_up() -> None:
    """Import WeasyPrint, set up the fonts and lay out one line of CJK text, so the first document a worker
    renders costs what every later one does."""
    render_pdf("placeholder_material.html", title="职称申报")


def _loads(names: Sequence[str]) -> ctypes.CDLL | None:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def subsetting_problem(
    subset_names: Sequence[str] = HARFBUZZ_SUBSET_NAMES, harfbuzz_names: Sequence[str] = HARFBUZZ_NAMES
) -> str | None:
    """Why WeasyPrint would subset fonts the slow way on this machine, or None when it will use HarfBuzz."""
    if _loads(subset_names) is None:
        return (
            "libharfbuzz-subset0 is not installed: WeasyPrint subsets the CJK font in Python, and every PDF "
            "takes about 30 times longer (install it: bash scripts/ensure-system-packages.sh)"
        )
    harfbuzz = _loads(harfbuzz_names)
    if harfbuzz is not None:
        harfbuzz.hb_version_string.restype = ctypes.c_char_p
        found = re.findall(r"\d+", harfbuzz.hb_version_string().decode())
        version = tuple(int(part) for part in found[:3])
        if version < HARFBUZZ_MINIMUM:
            return (
                f"HarfBuzz {'.'.join(map(str, version))} is older than 4.1.0: WeasyPrint subsets the CJK "
                "font in Python, and every PDF takes about 30 times longer"
            )
    return None


def warn_if_slow(logger: logging.Logger, **names: Sequence[str]) -> str | None:
    """Logs (and returns) the subsetting problem, if there is one."""
    problem = subsetting_problem(**names)
    if problem:
        logger.warning("PDF rendering will be slow: %s", problem)
    return problem
