"""Upload acceptance: what an uploaded file really is, decided from its bytes (never its name or declared
type), and whether the portal takes it (security-plan §3.10, T-UP-01…04).

Only PDF, JPEG and PNG. The name is display metadata: it must not carry a path, control or bidi
characters, a device name or a second, executable suffix. The content must match the name's suffix,
parse completely, carry no markup (polyglots), and for PDFs no script, launch action, embedded file or
encryption; images are bounded in pixels. The per-applicant quota is checked here too, from the usage
the caller counted. Every refusal is a precise Chinese sentence; nothing is stored before acceptance.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from portal.domain.errors import DomainError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
TITLES = {PDF: "PDF", JPEG: "JPG 图片", PNG: "PNG 图片"}
SUFFIXES = {"pdf": PDF, "jpg": JPEG, "jpeg": JPEG, "png": PNG}
MB = 1024 * 1024


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
    max_pixels: int = 40_000_000
    max_pages: int = 50
    max_name_length: int = 100
    quota_files: int | None = None  # per applicant; None: no quota (e.g. the public objection form)
    quota_bytes: int | None = None


@dataclass(frozen=True)
class Usage:
    """What the uploader already stores, counted by the caller."""

    files: int = 0
    bytes: int = 0


@dataclass(frozen=True)
class AcceptedFile:
    data: bytes
    media_type: str
    extension: str
    display_name: str
    size: int
    sha256: str


class UploadRefused(DomainError):
    code = "upload_refused"


_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_PDF_DANGER = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|OpenAction|AA|XFA)(?![A-Za-z0-9])"
)
_MARKUP = re.compile(rb"<\s*(script|html|body|iframe|svg|object|embed)\b|<\?php|javascript:", re.IGNORECASE)
_PDF_DANGER_KEYS = ("/OpenAction", "/AA", "/JavaScript", "/EmbeddedFiles", "/RichMedia", "/XFA")


def _refuse(message: str, code: str) -> UploadRefused:
    return UploadRefused(message, code=code)


def clean_name(raw: str, limits: UploadLimits) -> tuple[str, str]:
    """(display name in NFC, lower-case suffix); refuses names that are paths, hide characters, name a
    device or end in anything but pdf/jpg/jpeg/png."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise _refuse("文件没有名称，请重新选择文件", "no_name")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise _refuse("文件名含有不可见的控制字符或文字方向字符，请重命名后上传", "name_control")
    if "/" in name or "\\" in name or ".." in name or "%00" in name or name[0] in ".-":
        raise _refuse("文件名不能包含路径、“..”或以“.”“-”开头，请重命名后上传", "name_path")
    if len(name) > limits.max_name_length:
        raise _refuse(f"文件名过长（不超过{limits.max_name_length}个字符），请重命名后上传", "name_length")
    stem, dot, suffix = unicodedata.normalize("NFKC", name).rpartition(".")
    suffix = suffix.lower()
    if not dot or suffix not in SUFFIXES:
        raise _refuse("只能上传 PDF、JPG 或 PNG 文件（扩展名 .pdf .jpg .jpeg .png）", "suffix")
    if stem.split(".")[0].strip().lower() in _DEVICE_NAMES:
        raise _refuse("文件名是系统保留名称，请重命名后上传", "name_device")
    return name, suffix


def _check_pdf(data: bytes, limits: UploadLimits) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in data[-2048:]:
        raise _refuse("PDF 文件不完整（可能上传中断或已损坏），请重新导出后上传", "pdf_truncated")
    if _PDF_DANGER.search(data):
        raise _refuse(
            "PDF 含有脚本、自动动作、启动程序或内嵌文件，不能上传；请“打印为PDF”后重新上传", "pdf_active"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise _refuse("PDF 已加密或设置了密码，请取消密码后上传", "pdf_encrypted")
            root = reader.trailer["/Root"]
            names = root.get("/Names", {})
            if any(key in root for key in _PDF_DANGER_KEYS) or any(key in names for key in _PDF_DANGER_KEYS):
                raise _refuse("PDF 含有脚本、自动动作或内嵌文件，不能上传", "pdf_active")
            pages = len(reader.pages)
    except UploadRefused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        raise _refuse("PDF 文件已损坏，无法打开，请重新导出后上传", "pdf_broken") from None
    if pages == 0:
        raise _refuse("PDF 没有页面", "pdf_empty")
    if pages > limits.max_pages:
        raise _refuse(f"PDF 页数过多（{pages}页，不超过{limits.max_pages}页），请拆分后上传", "pdf_pages")


def _check_image(data: bytes, media_type: str, limits: UploadLimits) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: our pixel limit is stricter
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > limits.max_pixels:
                    most = limits.max_pixels // 1_000_000
                    raise _refuse(
                        f"图片像素过大（{width}×{height}），请缩小到{most}百万像素以内", "image_pixels"
                    )
                expected = {JPEG: "JPEG", PNG: "PNG"}[media_type]
                if image.format != expected:
                    raise _refuse("图片格式与文件内容不符", "image_format")
                image.load()  # decodes every pixel: truncated or corrupt data fails here
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _refuse("图片文件已损坏或不完整，无法打开，请重新拍摄或导出后上传", "image_broken") from None


def accept(
    data: bytes,
    filename: str,
    declared_type: str | None,
    limits: UploadLimits,
    usage: Usage = Usage(),
) -> AcceptedFile:
    """The file as the portal will store it, or UploadRefused. `declared_type` (the browser's
    Content-Type) is deliberately ignored: it is whatever the client says."""
    del declared_type
    name, suffix = clean_name(filename, limits)
    size = len(data)
    if size == 0:
        raise _refuse("文件是空的（0字节），请重新选择文件", "empty")
    if size > limits.max_bytes:
        raise _refuse(f"文件超过{limits.max_bytes / MB:g}MB，请压缩后上传", "too_large")
    if limits.quota_files is not None and usage.files + 1 > limits.quota_files:
        raise _refuse(
            f"已达到上传数量上限（每位申报人{limits.quota_files}个文件），请先删除不需要的文件", "quota_files"
        )
    if limits.quota_bytes is not None and usage.bytes + size > limits.quota_bytes:
        raise _refuse(
            f"已达到上传容量上限（每位申报人{limits.quota_bytes / MB:g}MB），请先删除不需要的文件",
            "quota_bytes",
        )
    media_type = sniff(data[:16])
    if media_type is None:
        raise _refuse("文件内容不是 PDF、JPG 或 PNG（按文件内容识别，与文件名无关）", "content")
    if SUFFIXES[suffix] != media_type:
        raise _refuse(
            f"文件内容是{TITLES[media_type]}，与扩展名“.{suffix}”不符，请改正扩展名后上传", "mismatch"
        )
    if _MARKUP.search(data):
        raise _refuse("文件中夹带网页或脚本代码，不能上传", "markup")
    if media_type == PDF:
        _check_pdf(data, limits)
    else:
        _check_image(data, media_type, limits)
    return AcceptedFile(
        data, media_type, EXTENSIONS[media_type], name, size, hashlib.sha256(data).hexdigest()
    )
