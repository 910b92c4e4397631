"""The notice sheet (公示表) as PDF and Excel, and the notice result sheet (公示结果) as PDF.

Only what colleagues need to challenge goes on it (PUB-07): ID numbers masked, no phone numbers. Each
number goes with its document's name (证件类型, as the certificate Excel has it): a foreign colleague's
passport or a Hong Kong, Macau or Taiwan resident's permit number reads as nobody's ID card number.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from portal.documents.cells import Cells, workbook
from portal.documents.rendering import render_pdf
from portal.documents.stamps import image_data_uri

HEADERS = (
    "序号",
    "姓名",
    "证件类型",
    "证件号码",
    "工作单位",
    "申报系列/专业",
    "申报级别",
    "学历及专业",
    "现有职称",
    "专业工作年限",
    "主要业绩",
)


@dataclass(frozen=True)
class SheetRow:
    name: str
    document: str  # the document's Chinese name (DocumentType.title): 居民身份证, 护照, …
    masked_id: str
    unit: str
    series: str
    level: str
    education: str
    current_title: str
    years: str
    achievements: str


@dataclass(frozen=True)
class SheetHeader:
    title: str
    unit: str
    period: str
    location: str
    contact: str


@dataclass(frozen=True)
class ResultRow:
    name: str
    series: str
    level: str
    result: str


def full_years(start: date | None, end: date) -> int | None:
    """Whole years (周年) from `start` to `end`."""
    if start is None:
        return None
    years = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    return max(years, 0)


def notice_sheet_pdf(header: SheetHeader, rows: list[SheetRow]) -> bytes:
    return render_pdf("notice_sheet.html", header=header, rows=rows, headers=HEADERS)


def notice_sheet_xlsx(header: SheetHeader, rows: list[SheetRow]) -> bytes:
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("公示表")
    cells = Cells(book, sheet)
    title = cells.style({"bold": True, "font_size": 14, "align": "center"})
    head = cells.style(
        {"bold": True, "bg_color": "#E4E7EB", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    cell = cells.style({"border": 1, "text_wrap": True, "valign": "top"})
    last = len(HEADERS) - 1
    # merge_range would write its text with write(); the merged cell is written again as text instead.
    sheet.merge_range(0, 0, 0, last, "", title.plain)
    cells.write(0, 0, header.title, title)
    sheet.merge_range(1, 0, 1, last, "")
    cells.write(1, 0, f"公示期：{header.period}　张贴地点：{header.location}　异议受理：{header.contact}")
    for col, text in enumerate(HEADERS):
        cells.write(2, col, text, head)
    for number, row in enumerate(rows, start=1):
        values = (
            number,
            row.name,
            row.document,
            row.masked_id,
            row.unit,
            row.series,
            row.level,
            row.education,
            row.current_title,
            row.years,
            row.achievements,
        )
        for col, value in enumerate(values):
            cells.write(2 + number, col, value, cell)
    for col, width in enumerate((6, 10, 14, 22, 24, 18, 10, 26, 14, 12, 48)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(3, 0)
    sheet.repeat_rows(2)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    book.close()
    return buffer.getvalue()


def notice_result_pdf(
    header: SheetHeader, rows: list[ResultRow], *, closed_on: date, signer: str, seal: bytes | None = None
) -> bytes:
    """The result sheet for the dossier, sealed with the unit's seal image when the unit has uploaded one."""
    seal_uri = image_data_uri(seal) if seal else None
    return render_pdf(
        "notice_result.html", header=header, rows=rows, closed_on=closed_on, signer=signer, seal_uri=seal_uri
    )
