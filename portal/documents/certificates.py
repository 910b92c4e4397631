"""The electronic certificate (with its verification QR), the 批复 listing those certified, and the
certificate Excel for the city title office (xlsxwriter in constant-memory mode, rows streamed; user text
always a string cell, see documents/cells.py)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import segno
from pypdf import PdfReader, PdfWriter

from portal.documents.cells import Cells, workbook
from portal.documents.rendering import render_pdf

CERTIFICATE_HEADERS = (
    "姓名",
    "身份证号码",
    "工作单位",
    "系列",
    "专业",
    "级别",
    "证书编号",
    "认定日期",
    "认定机构",
    "证书状态",
)
WIDTHS = (10, 22, 30, 10, 16, 8, 18, 12, 24, 10)


@dataclass(frozen=True)
class CertificateView:
    name: str
    id_number: str
    unit: str
    series: str
    specialty: str
    level: str
    number: str
    certified_on: date
    authority: str
    verify_url: str


def certificate_pdf(view: CertificateView) -> bytes:
    qr = segno.make(view.verify_url, error="m").svg_data_uri(scale=4, border=1)
    return render_pdf("certificate.html", c=view, qr=qr)


def approval_pdf(authority: str, day: date, rows: list[tuple[str, ...]], *, document_no: str = "") -> bytes:
    return render_pdf("approval.html", authority=authority, day=day, rows=rows, document_no=document_no)


def certificates_xlsx(rows: Iterable[tuple[object, ...]]) -> Path:
    """Write the rows to a temporary xlsx in constant memory and return its path (the caller streams it)."""
    fd, name = tempfile.mkstemp(prefix="certificates-", suffix=".xlsx")
    os.close(fd)
    book = workbook(name, constant_memory=True)
    sheet = book.add_worksheet("证书信息")
    cells = Cells(book, sheet)
    head = cells.style({"bold": True, "bg_color": "#E4E7EB", "border": 1})
    day = cells.style({"num_format": "yyyy-mm-dd"})
    for col, (title, width) in enumerate(zip(CERTIFICATE_HEADERS, WIDTHS, strict=True)):
        sheet.set_column(col, col, width)
        cells.write(0, col, title, head)
    sheet.freeze_panes(1, 0)
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            cells.write(number, col, value, day if isinstance(value, date) else None)
    book.close()
    return Path(name)


QUEUE_HEADERS = (
    "申报人",
    "证件号码",
    "工作单位",
    "系列",
    "专业",
    "级别",
    "状态",
    "批次",
    "进入当前环节",
    "等待天数",
    "单位推荐后退回次数",
)


def table_xlsx(sheet_name: str, headers: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> Path:
    """Any list as an xlsx written in constant memory to a temporary file (the caller streams it)."""
    fd, name = tempfile.mkstemp(prefix="export-", suffix=".xlsx")
    os.close(fd)
    book = workbook(name, constant_memory=True)
    sheet = book.add_worksheet(sheet_name)
    cells = Cells(book, sheet)
    head = cells.style({"bold": True, "bg_color": "#E4E7EB", "border": 1})
    stamp = cells.style({"num_format": "yyyy-mm-dd hh:mm"})
    for col, title in enumerate(headers):
        sheet.set_column(col, col, max(10, len(title) * 2 + 2))
        cells.write(0, col, title, head)
    sheet.freeze_panes(1, 0)
    for number, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            cells.write(number, col, value, stamp if isinstance(value, datetime) else None)
    book.close()
    return Path(name)


def join_pdfs(documents: list[bytes]) -> bytes:
    """Several PDFs as one, in order (one 批复 per certifying authority of the day)."""
    if len(documents) == 1:
        return documents[0]
    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(io.BytesIO(document)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
