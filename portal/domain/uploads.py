"""Upload acceptance rules: what an uploaded file really is, decided from its bytes (never its name or
declared type), which kinds each upload takes, how a user's file name becomes display metadata, and the
vocabulary of active PDF content (security-plan §3.10, T-UP-01…06; issue 16 items 4, 5, 10).

Pure rules: no Flask, no database, no file parsing (portal.documents.inspection opens the files; the one
acceptance path is portal.services.uploads.accept_upload).

Names: NFC; control, format and bidi characters (NUL, U+202E…) are removed, not kept; paths, "..",
a leading "." or "-", Windows device names (CON, NUL, COM1…) and an executable suffix anywhere in the
name are refused; a long name is shortened to the cap, keeping its suffix. Every refusal is a precise
Chinese sentence, marked for translation (N_): the English interface shows it in English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from portal.domain.errors import DomainError
from portal.domain.i18n import N_

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", XLSX: "xlsx", CSV: "csv"}
TITLES = {PDF: "PDF", JPEG: N_("JPG 图片"), PNG: N_("PNG 图片"), XLSX: N_("Excel 文件"), CSV: N_("CSV 文件")}
SUFFIXES = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG, "xlsx": XLSX, "csv": CSV}
IMAGES = frozenset({JPEG, PNG})
MB = 1024 * 1024


class UploadKind(StrEnum):
    """What an upload form takes (each upload route names one)."""

    DOCUMENT = "document"  # materials and objection attachments: PDF, JPG, PNG
    SEAL = "seal"  # the unit's seal image: PNG (transparency kept)
    TABLE = "table"  # bulk import and roster: .xlsx or .csv
    CALENDAR = "calendar"  # the admin's holiday list: .csv

    @property
    def suffixes(self) -> frozenset[str]:
        return _KIND_SUFFIXES[self]

    @property
    def wrong_suffix(self) -> str:
        return _KIND_WRONG_SUFFIX[self]

    @property
    def suffix_decides(self) -> bool:
        """Documents and seals: the suffix must name what the content is. Tables: the content alone
        decides (exports from other systems come with any name), so their suffix is not checked."""
        return self in (UploadKind.DOCUMENT, UploadKind.SEAL)


_KIND_SUFFIXES = {
    UploadKind.DOCUMENT: frozenset({"pdf", "jpg", "jpeg", "png"}),
    UploadKind.SEAL: frozenset({"png"}),
    UploadKind.TABLE: frozenset({"xlsx", "csv"}),
    UploadKind.CALENDAR: frozenset({"csv", "txt"}),
}
_KIND_WRONG_SUFFIX = {
    UploadKind.DOCUMENT: N_("只能上传 PDF、JPG 或 PNG 文件（扩展名 .pdf .jpg .jpeg .png）"),
    UploadKind.SEAL: N_("公章图片须为 PNG 格式（扩展名 .png），最好是透明背景"),
    UploadKind.TABLE: N_("请上传 Excel 文件（.xlsx）或 CSV 文件（.csv）"),
    UploadKind.CALENDAR: N_("请上传 CSV 文件（.csv，每行：日期,放假|调休上班,名称）"),
}


def sniff(head: bytes) -> str | None:
    """The media type for a PDF, JPEG or PNG; None for anything else (HTML, executables, archives...)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int = 10 * MB
    max_pixels: int = 40_000_000  # decompression bombs: refused from the header, before any decoding
    max_pages: int = 300
    max_name_length: int = 100
    quota_files: int | None = None  # per applicant; None: no quota (e.g. the public objection form)
    quota_bytes: int | None = None


@dataclass(frozen=True)
class Usage:
    """What the uploader already stores, counted by the caller."""

    files: int = 0
    bytes: int = 0


class UploadRefused(DomainError):
    code = "upload_refused"


def size_text(n: int) -> str:
    """A file's size as people read it: "1.8 MB" from a megabyte on, else whole KB (at least 1)."""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def refuse(message: str, code: str) -> UploadRefused:
    return UploadRefused(message, code=code)


# ---------------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------------

_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
# A suffix a server or a desktop would run: refused anywhere in a name ("x.php.jpg" hides one).
_EXECUTABLE = {
    "php", "php3", "php4", "php5", "phtml", "phar", "asp", "aspx", "jsp", "jspx", "cgi", "pl", "py", "rb",
    "sh", "bash", "exe", "com", "bat", "cmd", "scr", "pif", "msi", "dll", "vbs", "vbe", "js", "jse", "wsf",
    "wsh", "hta", "ps1", "jar", "lnk", "reg", "html", "htm", "xhtml", "shtml", "svg", "xml",
}  # fmt: skip


def strip_invisible(text: str) -> str:
    """NFC, without control, format or bidi characters (NUL, U+200B…U+200F, U+202A…U+202E, U+2066…)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFC", text or "") if unicodedata.category(ch) not in ("Cc", "Cf")
    )


def clean_name(raw: str, kind: UploadKind, max_length: int = 100) -> tuple[str, str]:
    """(display name, lower-case suffix) of a user's file name, or UploadRefused.

    Invisible characters are removed (a NUL or U+202E never reaches the database, a header or a page),
    then paths, device names and executable suffixes are refused, then a long name is shortened keeping
    its suffix."""
    name = strip_invisible(raw).strip()
    if not name:
        raise refuse(N_("文件没有名称，请重新选择文件"), "no_name")
    if "/" in name or "\\" in name or ".." in name or "%00" in name or ":" in name or name[0] in ".-":
        raise refuse(N_("文件名不能包含路径、“..”“:”或以“.”“-”开头，请重命名后上传"), "name_path")
    normal = unicodedata.normalize("NFKC", name)
    stem, dot, suffix = normal.rpartition(".")
    if not dot:
        stem, suffix = normal, ""
    suffix = suffix.lower().strip()
    if kind.suffix_decides and suffix not in kind.suffixes:
        raise refuse(kind.wrong_suffix, "suffix")
    if suffix in _EXECUTABLE:
        raise refuse(N_("文件名中含有可执行程序的扩展名，请重命名后上传"), "name_executable")
    parts = [part.strip().lower() for part in stem.split(".")]
    if parts[0] in _DEVICE_NAMES:
        raise refuse(N_("文件名是系统保留名称（如 CON、NUL、COM1），请重命名后上传"), "name_device")
    if any(part in _EXECUTABLE for part in parts[1:]):
        raise refuse(N_("文件名中含有可执行程序的扩展名，请重命名后上传"), "name_executable")
    if len(name) > max_length:
        if dot:
            keep = max_length - len(suffix) - 1
            name = f"{name[: -len(suffix) - 1][:keep].rstrip(' .')}.{suffix}"
        else:
            name = name[:max_length]
    return name, suffix


def ascii_fallback(name: str, fallback: str = "file") -> str:
    """A readable ASCII name for Content-Disposition's `filename=` (RFC 6266; `filename*` carries the
    real one): accents folded, everything else non-ASCII dropped, quotes and separators replaced."""
    cleaned = strip_invisible(name)
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot:
        stem, suffix = cleaned, ""
    decomposed = unicodedata.normalize("NFKD", stem)
    folded = decomposed.encode("ascii", "ignore").decode()
    # Characters with no ASCII form (Chinese) leave a gap: name it, so "学历证书 (1)" reads "file_(1)".
    lost = any(ord(ch) > 127 and unicodedata.category(ch) != "Mn" for ch in decomposed)
    folded = re.sub(r"[^A-Za-z0-9._()\- ]+", "_", folded)
    folded = re.sub(r"[_ ]{2,}", "_", folded).strip(" ._")
    if not re.search(r"[A-Za-z0-9]", folded):
        folded = fallback
    elif lost:
        folded = f"{fallback}_{folded}"
    suffix = re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", suffix))[:10]
    return f"{folded[:80]}.{suffix}" if suffix else folded[:80]


# ---------------------------------------------------------------------------------------------------
# Active content in PDFs (checked on the parsed objects, so #xx-escaped names are caught too)
# ---------------------------------------------------------------------------------------------------

# Keys whose presence makes a viewer run, open or carry something.
ACTIVE_KEYS = frozenset(
    {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia",
     "/RichMediaContent", "/XFA"}
)  # fmt: skip
# Action types (/S) a viewer would execute.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR", "/Rendition", "/Movie",
     "/Sound", "/RichMediaExecute"}
)  # fmt: skip
# Annotation types that play, attach or embed.
ACTIVE_ANNOTATIONS = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"})

# Markup that makes a file a web page too (a polyglot), lower-case.
MARKUP = (
    b"<script",
    b"<html",
    b"<body",
    b"<iframe",
    b"<svg",
    b"<object",
    b"<embed",
    b"<?php",
    b"javascript:",
)
MARKUP_SPAN = max(len(word) for word in MARKUP)


def has_markup(chunk: bytes) -> bool:
    low = chunk.lower()
    return any(word in low for word in MARKUP)


REMOVED_TITLES = {
    "javascript": N_("脚本"),
    "action": N_("自动或启动动作"),
    "embedded": N_("内嵌文件"),
    "media": N_("多媒体内容"),
    "form": N_("XFA 动态表单"),
    "repaired": N_("损坏的文件结构（已修复）"),
    "encryption": N_("权限加密"),
    "metadata": N_("拍摄位置、设备等图片信息（EXIF）"),
}
