"""Rendering our templates/documents/*.html to PDF bytes with WeasyPrint."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "documents"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
_env.filters["cn_date"] = cn_date


def render_html(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def render_pdf(template: str, **context: Any) -> bytes:
    return pdf_from_html(render_html(template, **context))


def pdf_from_html(html: str) -> bytes:
    """A4 PDF bytes of a complete HTML document (its styles inline; relative links under documents/).
    The web layer renders the English summary with the app's own templates (they translate), then here."""
    from weasyprint import HTML  # imported here: loading Pango is slow and only PDF paths need it

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()  # type: ignore[no-any-return]
