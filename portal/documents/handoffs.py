"""The documents and spreadsheets of a hand-off (issue 23), made from values the service resolved:

- ``document_pdf``: the 申报表 in a target's field order (Jiangsu), Kunming's 《综合情况（公示）表》 with the
  notice's period and result written out and the unit's seal stamped (004 二(七)), the 个人承诺书 as signed
  online (Jiangxi), all from templates/documents/handoff_document.html;
- ``copy_page_html``: the same fields as a page of its own for the ZIP (a click selects a value; no
  script, so it opens anywhere);
- ``sheet_xlsx``: a spreadsheet in the target's column layout (the certificate Excel for the city title
  office, 000 四(六), 001 四(七)), through the one workbook factory (documents/cells.py): ID numbers and all
  text as text cells, dates as dates.

No Flask, no database.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from portal.documents.cells import Cells, workbook
from portal.documents.rendering import render_html, render_pdf
from portal.documents.stamps import image_data_uri
from portal.domain.handoffs import Sheet

Rows = Sequence[tuple[str, str]]
Sections = Sequence[tuple[str, Rows]]


@dataclass(frozen=True)
class Signature:
    """The foot of a document: lines (who signed), the unit with its seal image, the day."""

    lines: tuple[str, ...] = ()
    unit: str = ""
    seal: bytes | None = None
    seal_box: bool = False  # draw the seal's place when there is no image
    day: date | None = None


def document_pdf(
    title: str,
    sections: Sections,
    *,
    meta: str = "",
    pledge: str = "",
    note: str = "",
    signature: Signature | None = None,
) -> bytes:
    """A titled document of label/value tables, with an optional pledge paragraph and signature."""
    foot = None
    if signature is not None:
        foot = {
            "lines": signature.lines,
            "unit": signature.unit,
            "seal_uri": image_data_uri(signature.seal) if signature.seal else None,
            "seal_box": signature.seal_box,
            "day": signature.day,
        }
    return render_pdf(
        "handoff_document.html",
        title=title,
        meta=meta,
        sections=sections,
        pledge=pledge,
        note=note,
        signature=foot,
    )


def copy_page_html(
    title: str, system: str, applicant: str, sections: Sections, unplaced: Rows, generated: str
) -> bytes:
    """The copy helper as a standalone HTML file (UTF-8)."""
    html = render_html(
        "handoff_copy.html",
        title=title,
        system=system,
        applicant=applicant,
        sections=sections,
        unplaced=unplaced,
        generated=generated,
    )
    return html.encode()


def sheet_xlsx(sheet: Sheet, rows: Iterable[dict[str, object]]) -> bytes:
    """The rows (value name → value) in the sheet's columns: text as text (ID numbers never become
    numbers), dates as dates, numbers as numbers."""
    out = io.BytesIO()
    book = workbook(out)
    worksheet = book.add_worksheet(sheet.sheet)
    cells = Cells(book, worksheet)
    head = cells.style({"bold": True, "bg_color": "#E4E7EB", "border": 1})
    day = cells.style({"num_format": "yyyy-mm-dd"})
    for col, column in enumerate(sheet.columns):
        worksheet.set_column(col, col, column.width)
        cells.write(0, col, column.header, head)
    worksheet.freeze_panes(1, 0)
    for number, row in enumerate(rows, start=1):
        for col, column in enumerate(sheet.columns):
            value = row.get(column.value)
            if column.format == "date":
                cells.write(number, col, value if isinstance(value, date | datetime) else None, day)
            elif column.format == "number":
                cells.write(number, col, value if isinstance(value, int | float) else None)
            else:
                cells.write(number, col, "" if value is None else str(value))
    book.close()
    return out.getvalue()
