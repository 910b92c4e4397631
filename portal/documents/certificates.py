"""The electronic certificate (with its verification QR), the 批复 listing those certified, and the
certificate Excel for the city title office (xlsxwriter in constant-memory mode, rows streamed; user text
always a string cell, see documents/cells.py)."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import segno
import xlsxwriter
from pypdf import PdfReader, PdfWriter

from portal.documents.cells import Cells, workbook
from portal.documents.rendering import render_pdf

# The number is the applicant's identity document's: a passport or a permit for foreign and Hong Kong,
# Macau and Taiwan applicants. So 证件类型 and 证件号码, not 身份证号码 (the certificate-number import
# still reads the old header: services.certificate_numbers).
CERTIFICATE_HEADERS = (
    "姓名",
    "证件类型",
    "证件号码",
    "工作单位",
    "系列",
    "专业",
    "级别",
    "证书编号",
    "认定日期",
    "认定机构",
    "证书状态",
)
WIDTHS = (10, 20, 22, 30, 10, 16, 8, 18, 12, 24, 10)


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
    date_label: str = "认定日期"  # services.certificates.date_label: 取得资格时间 on the 评审 road
    id_label: str = "身份证号码"  # services.certificates.id_label: 护照号码 and the like for other documents


def certificate_pdf(view: CertificateView) -> bytes:
    qr = segno.make(view.verify_url, error="m").svg_data_uri(scale=4, border=1)
    return render_pdf("certificate.html", c=view, qr=qr)


def approval_pdf(authority: str, day: date, rows: list[tuple[str, ...]], *, document_no: str = "") -> bytes:
    return render_pdf("approval.html", authority=authority, day=day, rows=rows, document_no=document_no)


def review_list_pdf(
    committee: str, document_no: str, publisher: str, rows: list[tuple[object, ...]]
) -> bytes:
    """The list of those a review committee passed whose certificates were issued (评审通过人员名单): the
    committee named, the result's 文号 and who published it; rows as the 批复's, with the date last."""
    return render_pdf(
        "review_list.html", committee=committee, document_no=document_no, publisher=publisher, rows=rows
    )


def certificates_xlsx(rows: Iterable[tuple[object, ...]]) -> Path:
    """Write the rows to a temporary xlsx in constant memory and return its path (the caller streams it)."""
    return _sheet_file(
        "certificates-", "证书信息", zip(CERTIFICATE_HEADERS, WIDTHS, strict=True), rows, date, "yyyy-mm-dd"
    )


def _sheet_file(
    prefix: str,
    sheet_name: str,
    columns: Iterable[tuple[str, int]],
    rows: Iterable[tuple[object, ...]],
    dated: type,
    date_format: str,
) -> Path:
    """One sheet, a bold frozen header of ``columns`` (title, width), then the rows; values of type
    ``dated`` take ``date_format``."""
    with _temporary_book(prefix) as (book, path):
        sheet = book.add_worksheet(sheet_name)
        cells = Cells(book, sheet)
        head = cells.style({"bold": True, "bg_color": "#E4E7EB", "border": 1})
        day = cells.style({"num_format": date_format})
        for col, (title, width) in enumerate(columns):
            sheet.set_column(col, col, width)
            cells.write(0, col, title, head)
        sheet.freeze_panes(1, 0)
        for number, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                cells.write(number, col, value, day if isinstance(value, dated) else None)
    return path


@contextmanager
def _temporary_book(prefix: str) -> Iterator[tuple[xlsxwriter.Workbook, Path]]:
    """A constant-memory workbook in a new temporary file, closed when the block ends. The rows are read
    from the database while they are written, so the block can fail half way (a page's query, a worker
    stopped): the file is then removed, and so are the row files xlsxwriter keeps until it closes (in a
    directory of their own, which only ``close`` would empty)."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".xlsx")
    os.close(fd)
    path = Path(name)
    with tempfile.TemporaryDirectory(prefix="xlsx-rows-") as rows_dir:
        book = workbook(path, constant_memory=True, tmpdir=rows_dir)
        try:
            yield book, path
            book.close()
        except BaseException:
            for sheet in book.worksheets():
                if sheet.row_data_fh is not None:  # open until close() assembles the sheet
                    sheet.row_data_fh.close()
            path.unlink(missing_ok=True)
            raise


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
    columns = ((title, max(10, len(title) * 2 + 2)) for title in headers)
    return _sheet_file("export-", sheet_name, columns, rows, datetime, "yyyy-mm-dd hh:mm")


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
