"""Spreadsheets in and out: reading an uploaded .xlsx or .csv into rows of text (by content, never by
file name), the bulk-import template, and the list of first passwords after a bulk import."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from portal.documents.cells import Cells, workbook
from portal.domain.accounts import EXAMPLE_PREFIX, IMPORT_COLUMNS, EmploymentType, PermitKind
from portal.domain.i18n import N_, T_
from portal.domain.identity import DocumentType
from portal.domain.tables import HEADER_SEARCH_ROWS, TableError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 40
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"

_NOT_A_TABLE = N_("无法识别该文件：请上传 Excel 文件（.xlsx）或 CSV 文件（UTF-8 或 GBK 编码）")
# Text without a single separated cell (a note, a log, a .txt renamed .csv) decodes as a one-column CSV;
# every table the portal reads has several columns, so such a file is no table at all, not a table
# lacking columns (which is what the header search would otherwise say).
_PLAIN_TEXT = N_("该文件不是 Excel/CSV 文件，请使用模板填写后上传")


def sniff_table(data: bytes) -> str:
    """XLSX or CSV from the content; TableError with the reason for anything else."""
    if not data:
        raise TableError("empty", N_("上传的文件是空的，请选择填好的文件"))
    if len(data) > MAX_BYTES:
        raise TableError(
            "too_large", T_("文件超过%(size)sMB，请拆分后分批上传", size=MAX_BYTES // 1024 // 1024)
        )
    if data.startswith(b"PK\x03\x04"):
        return XLSX
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(
            "old_excel", N_("这是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后上传")
        )
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff")) or b"\x00" in data[:4096]:
        raise TableError("not_a_table", _NOT_A_TABLE)
    return CSV


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel keeps numbers as doubles: 18-digit ID numbers typed as numbers have lost digits
        # ("3.60702199203151e+17"), which the ID check then reports with a hint.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".15g")
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        with warnings.catch_warnings():
            # Files saved by WPS and other tools make openpyxl warn about styles it ignores anyway.
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise TableError(
            "not_a_table", N_("该文件不是有效的 Excel（.xlsx）文件，可能已损坏，请重新保存后上传")
        ) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            iterator = list(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_ROWS + 1))
        for values in iterator:
            if len(rows) >= MAX_ROWS:
                raise TableError("too_many_rows", T_("文件超过%(rows)s行，请拆分后分批上传", rows=MAX_ROWS))
            rows.append([_text(v) for v in values])
        return rows
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string
        raise TableError("not_a_table", _NOT_A_TABLE)
    if any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08"):
        raise TableError("not_a_table", _NOT_A_TABLE)
    rows: list[list[str]] = []
    try:
        for values in csv.reader(io.StringIO(text)):
            if len(rows) >= MAX_ROWS:
                raise TableError("too_many_rows", T_("文件超过%(rows)s行，请拆分后分批上传", rows=MAX_ROWS))
            rows.append([v.strip() for v in values[:MAX_COLUMNS]])
    except csv.Error:
        raise TableError("not_a_table", _NOT_A_TABLE) from None
    filled = [row for row in rows if any(row)][:HEADER_SEARCH_ROWS]
    if filled and not any(sum(1 for value in row if value) > 1 for row in filled):
        raise TableError("not_a_table", _PLAIN_TEXT)
    return rows


def read_rows(data: bytes) -> list[list[str]]:
    """The first sheet of an .xlsx, or a CSV (UTF-8 with or without BOM, else GBK/GB18030), as text."""
    return _xlsx_rows(data) if sniff_table(data) == XLSX else _csv_rows(data)


# ---------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------

_NOTES = {
    "name": "与证件及社保登记一致",
    "document_type": "下拉选择，默认居民身份证",
    "id_number": "文本格式，末位X大写",
    "phone": "11位",
    "employment_type": "下拉选择",
    "nationality": "仅护照填写",
    "permit_kind": "仅护照填写",
    "permit_no": "仅护照填写",
}


def import_template_xlsx(example_id: str) -> bytes:
    """The bulk-import template: a Chinese header row, drop-down lists, text-formatted number
    columns (so Excel keeps all 18 digits) and one example row the import skips."""
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("申报人")
    head = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
    text = book.add_format({"num_format": "@"})
    example = book.add_format({"num_format": "@", "italic": True, "font_color": "#808080"})
    lists = book.add_worksheet("选项")
    choices = {
        "document_type": [t.title for t in DocumentType],
        "employment_type": [t.title for t in EmploymentType],
        "permit_kind": [t.title for t in PermitKind],
    }
    for col, (key, values) in enumerate(choices.items()):
        lists.write_column(0, col, values)
        book.define_name(f"{key}_list", f"=选项!${chr(65 + col)}$1:${chr(65 + col)}${len(values)}")
    lists.hide()
    for col, header in enumerate(IMPORT_COLUMNS):
        title = f"{header.title}（{_NOTES[header.key]}）"
        sheet.write_string(0, col, ("*" if header.required else "") + title, head)
        sheet.set_column(col, col, 22, text)
        if header.key in choices:
            sheet.data_validation(1, col, 5000, col, {"validate": "list", "source": f"={header.key}_list"})
        elif header.key in ("id_number", "phone"):
            sheet.data_validation(
                1,
                col,
                5000,
                col,
                {
                    "validate": "length",
                    "criteria": "between",
                    "minimum": 5 if header.key == "id_number" else 11,
                    "maximum": 18 if header.key == "id_number" else 11,
                    "error_message": "证件号码5-18位，手机号码11位",
                },
            )
    sheet.set_row(0, 36)
    row = [
        f"{EXAMPLE_PREFIX}：张三",
        DocumentType.RESIDENT_ID.title,
        example_id,
        "13900000000",
        EmploymentType.LABOUR_CONTRACT.title,
        "",
        "",
        "",
    ]
    for col, value in enumerate(row):
        sheet.write_string(1, col, value, example)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def passwords_xlsx(rows: Iterable[tuple[str, str, str, str, str]]) -> bytes:
    """姓名, 登录手机号, 证件类型, 证件号码 (masked), 初始密码: handed out once after a bulk import. The
    document's name goes with the number (a passport's or a permit's is no ID card's); empty for an import
    sealed before the document was kept."""
    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("初始密码")
    cells = Cells(book, sheet)
    head = cells.style({"bold": True, "border": 1})
    for col, title in enumerate(("姓名", "登录手机号", "证件类型", "证件号码", "初始密码（首次登录须修改）")):
        cells.write(0, col, title, head)
        sheet.set_column(col, col, 24)
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            # Strings, never numbers or formulas: a name starting with "=" stays text (T-PRIV-03).
            cells.write(r, col, str(value))
    book.close()
    return buffer.getvalue()
