"""Opening an uploaded file to decide whether the portal takes it, working on the file, never on all of
its bytes in memory (issue 20: "uploads on files, not bytes"). No Flask, no database.

PDFs are parsed with qpdf (pikepdf): it reads the cross-reference table and the objects, including
those inside compressed object streams, with #xx-escaped names decoded (/J#61vaScript is /JavaScript),
and reads a stream's data only when asked, so a 20 MB scan costs a few hundred kilobytes to check. A PDF
with active content (scripts, automatic or launch actions, embedded files, rich media, XFA), a structure
qpdf had to repair, or owner-password encryption is neutralised: its active entries are deleted and it is
re-written by qpdf (only objects reachable from its catalogue, no comments, no trailing bytes), then the
re-written file is checked again and refused if anything remains. A clean PDF is kept byte for byte.
Password-protected, empty, truncated or over-long PDFs are refused.

Images are decoded in full (a truncated one fails), bounded in pixels from the header before decoding,
turned upright by their EXIF orientation and re-encoded by Pillow, which writes no EXIF, GPS, device,
XMP or text metadata. Markup (a web page inside the file) and an appended ZIP archive are refused as
polyglots; markup is looked for outside a PDF's stream data (which is opaque image or page data) and in
an image's first and last 64 KB, since the re-encoded image keeps none of the original bytes anyway.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import pikepdf
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.documents.spreadsheets import sniff_table
from portal.domain.i18n import N_, NT_, T_
from portal.domain.tables import TableError
from portal.domain.uploads import (
    ACTIVE_ACTIONS,
    ACTIVE_ANNOTATIONS,
    ACTIVE_KEYS,
    EXTENSIONS,
    IMAGES,
    JPEG,
    MARKUP_SPAN,
    MB,
    PDF,
    PNG,
    SUFFIXES,
    TITLES,
    XLSX,
    UploadKind,
    UploadLimits,
    Usage,
    clean_name,
    has_markup,
    refuse,
    sniff,
)

BinaryFile = IO[bytes]
CHUNK = 1024 * 1024
EDGE = 64 * 1024  # bytes at each end of an image looked at for markup; a PDF's tail for its %%EOF
THUMB_SIDE = 240
# A thumbnail decodes the first page's JPEG at 1/8 scale, which still reads all of its entropy-coded
# data (~23 ms per MB of a noisy scan): bigger first-page images get no thumbnail rather than a slow upload.
THUMB_SOURCE_MAX = 4 * 1024 * 1024


def size_of(file: BinaryFile) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def read_at(file: BinaryFile, offset: int, length: int) -> bytes:
    file.seek(max(offset, 0))
    return file.read(length)


def read_all(file: BinaryFile) -> bytes:
    """The whole content of a small file, leaving it at its start."""
    file.seek(0)
    data = file.read()
    file.seek(0)
    return data


def sha256_of(file: BinaryFile) -> str:
    """The file's SHA-256 (the store's key for it), read in chunks, leaving it at its start; an upload
    staged with its hash known (portal.web.spooling) is not read again."""
    known = getattr(file, "staged_sha256", None)
    if isinstance(known, str):
        return known
    digest = hashlib.sha256()
    file.seek(0)
    while chunk := file.read(CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def spool() -> BinaryFile:
    """Where a re-written file goes: memory. Only neutralised PDFs (rare, and qpdf holds their streams
    while writing anyway) and re-encoded images (bounded by the pixel cap) are re-written; a clean PDF,
    the large upload, stays in the request's own spooled file."""
    return io.BytesIO()


def markup_in(file: BinaryFile, ranges: list[tuple[int, int]]) -> bool:
    """Whether any of the byte ranges holds markup, read in chunks that overlap by a word's length."""
    for start, end in ranges:
        position = start
        while position < end:
            chunk = read_at(file, position, min(CHUNK, end - position) + MARKUP_SPAN)
            if not chunk:
                break
            if has_markup(chunk):
                return True
            position += CHUNK
    return False


def is_zip(file: BinaryFile) -> bool:
    """An archive hidden in (usually appended to) the file: a ZIP's end record near its end."""
    try:
        return zipfile.is_zipfile(file)
    finally:
        file.seek(0)


@dataclass
class Inspected:
    """An accepted upload: `file` holds what will be stored (the upload itself, or its neutralised or
    re-encoded copy), read from its start by the store; and what was found and removed."""

    file: BinaryFile
    media_type: str
    size: int  # of what will be stored
    pages: int = 1
    thumbnail: bytes | None = None
    removed: tuple[str, ...] = ()  # what neutralising took out (keys of domain.uploads.REMOVED_TITLES)
    image: Image.Image | None = field(default=None, repr=False)  # images: decoded, upright, no metadata
    rewritten: bool = False
    display_name: str = ""

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.media_type, "bin")

    @property
    def sha256(self) -> str:
        """The content's SHA-256, read in chunks (the store computes its key the same way)."""
        return sha256_of(self.file)

    @property
    def data(self) -> bytes:
        """The whole content (small files only: a seal, a table, a test's corpus)."""
        return read_all(self.file)


# ---------------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------------


def _walk(value: Any) -> Iterator[pikepdf.Dictionary]:
    """Every dictionary of an object, following direct (inline) values only: each indirect object is
    visited on its own by the caller's walk over all objects."""
    if isinstance(value, pikepdf.Stream):
        yield value.stream_dict
        children = list(value.stream_dict.values())
    elif isinstance(value, pikepdf.Dictionary):
        yield value
        children = list(value.values())
    elif isinstance(value, pikepdf.Array):
        children = list(value)
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            yield from _walk(child)


def _category(key: str) -> str:
    if key in ("/JavaScript", "/JS"):
        return "javascript"
    if key in ("/EmbeddedFiles", "/EmbeddedFile"):
        return "embedded"
    if key in ("/RichMedia", "/RichMediaContent"):
        return "media"
    if key == "/XFA":
        return "form"
    return "action"


def _is_active_action(value: Any) -> bool:
    return isinstance(value, pikepdf.Dictionary) and str(value.get("/S", "")) in ACTIVE_ACTIONS


def active_content(pdf: pikepdf.Pdf) -> set[str]:
    """What in the document a viewer would run, open or carry (categories of REMOVED_TITLES)."""
    found: set[str] = set()
    for obj in pdf.objects:
        for dictionary in _walk(obj):
            for key in dictionary.keys():  # noqa: SIM118 - pikepdf dictionaries iterate differently
                if key in ACTIVE_KEYS:
                    found.add(_category(key))
            action = str(dictionary.get("/S", ""))
            if action in ACTIVE_ACTIONS:
                found.add("javascript" if action == "/JavaScript" else "action")
            if str(dictionary.get("/Subtype", "")) in ACTIVE_ANNOTATIONS:
                found.add("media")
            if "/EF" in dictionary:
                found.add("embedded")
    return found


def _neutralise(pdf: pikepdf.Pdf) -> None:
    """Deletes, in place, every entry active_content() reports (an action becomes an empty dictionary,
    an active annotation leaves its page)."""
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if isinstance(annotations, pikepdf.Array):
            kept = [
                a
                for a in annotations
                if not (
                    isinstance(a, pikepdf.Dictionary) and str(a.get("/Subtype", "")) in ACTIVE_ANNOTATIONS
                )
            ]
            page.obj["/Annots"] = pikepdf.Array(kept)
    for obj in list(pdf.objects):
        for dictionary in list(_walk(obj)):
            if str(dictionary.get("/S", "")) in ACTIVE_ACTIONS:
                for key in list(dictionary.keys()):
                    del dictionary[key]
                continue
            for key in list(dictionary.keys()):
                if key in ACTIVE_KEYS or key == "/EF" or (key in ("/A", "/Next") and _is_active_action(
                    dictionary[key]
                )):  # fmt: skip
                    del dictionary[key]


def without_active_content(data: bytes) -> bytes:
    """A stored PDF with any active content deleted (files stored before every upload took the acceptance
    path may carry some): used for what staff download and what is stamped; a clean PDF is returned as it
    is, an unreadable one too (the caller's own parser then reports it)."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if not active_content(pdf):
                return data
            _neutralise(pdf)
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True, fix_metadata_version=False)
            return out.getvalue()
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError):
        return data


def _stream_ranges(file: BinaryFile, pdf: pikepdf.Pdf, size: int) -> list[tuple[int, int]]:
    """(start, end) of every stream's data in the file, found from the cross-reference offsets."""
    ranges = []
    for (number, generation), entry in pdf.get_xref_table().items():
        if entry.type != 1:
            continue
        try:
            obj = pdf.get_object(number, generation)
        except (pikepdf.PdfError, ValueError):
            continue
        if not isinstance(obj, pikepdf.Stream):
            continue
        window = read_at(file, entry.offset, EDGE)
        keyword = re.search(rb"stream(?:\r\n|\n|\r)", window)
        try:
            length = int(obj.stream_dict.get("/Length", -1))
        except (TypeError, ValueError):
            continue
        if keyword is None or length < 0:
            continue
        start = entry.offset + keyword.end()
        ranges.append((start, min(start + length, size)))
    return sorted(ranges)


def _outside(ranges: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    gaps, position = [], 0
    for start, end in ranges:
        if start > position:
            gaps.append((position, start))
        position = max(position, end)
    if position < size:
        gaps.append((position, size))
    return gaps


def _first_page_jpeg(pdf: pikepdf.Pdf, limits: UploadLimits) -> tuple[int, int] | None:
    """(offset, length) in the file of the first page's JPEG image, when small enough to thumbnail."""
    try:
        resources = pdf.pages[0].obj.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(xobjects, pikepdf.Dictionary):
            return None
        xref = pdf.get_xref_table()
        for image in xobjects.values():
            if not isinstance(image, pikepdf.Stream) or str(image.get("/Subtype")) != "/Image":
                continue
            filters = image.get("/Filter")
            names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
            if names != ["/DCTDecode"]:
                continue
            length = int(image.get("/Length", 0))
            pixels = int(image.get("/Width", 0)) * int(image.get("/Height", 0))
            entry = xref.get(image.objgen)
            if entry is None or entry.type != 1 or not 0 < length <= THUMB_SOURCE_MAX:
                return None
            if pixels > limits.max_pixels:
                return None
            return entry.offset, length
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, IndexError):
        return None
    return None


def _pdf_thumbnail(file: BinaryFile, where: tuple[int, int] | None) -> bytes | None:
    """The first page's JPEG decoded at reduced scale (Pillow's draft: 1/2…1/8 inside libjpeg)."""
    if where is None:
        return None
    offset, length = where
    window = read_at(file, offset, EDGE)
    keyword = re.search(rb"stream(?:\r\n|\n|\r)", window)
    if keyword is None:
        return None
    data = read_at(file, offset + keyword.end(), length)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=["JPEG"])
            image.draft("RGB", (THUMB_SIDE, THUMB_SIDE))
            return thumbnail(image.convert("RGB"))
    except Exception:  # a thumbnail is a convenience: a page Pillow cannot read simply has none
        return None


def _open_pdf(file: BinaryFile) -> pikepdf.Pdf:
    try:
        return pikepdf.open(file, access_mode=pikepdf.AccessMode.stream)
    except pikepdf.PasswordError:
        raise refuse(N_("PDF 已加密或设置了打开密码，请取消密码后上传"), "pdf_encrypted") from None
    except (pikepdf.PdfError, ValueError, OSError, RuntimeError):
        raise refuse(N_("PDF 文件已损坏，无法打开，请重新导出后上传"), "pdf_broken") from None


def inspect_pdf(file: BinaryFile, limits: UploadLimits, *, may_rewrite: bool = True) -> Inspected:
    """The PDF as the portal keeps it (see the module docstring), or UploadRefused."""
    size = size_of(file)
    tail = read_at(file, size - EDGE, EDGE)
    end = tail.rfind(b"%%EOF")
    if end < 0 or tail[end + 5 :].strip(b"\r\n\t\x0c\x00 "):
        if is_zip(file) or has_markup(tail):
            raise refuse(N_("PDF 末尾夹带了压缩包或网页代码，不能上传；请“打印为PDF”后重新上传"), "polyglot")
        if end >= 0:
            raise refuse(N_("PDF 末尾夹带了其他内容，不能上传；请“打印为PDF”后重新上传"), "polyglot")
        raise refuse(N_("PDF 文件不完整（可能上传中断或已损坏），请重新导出后上传"), "pdf_truncated")
    if is_zip(file):
        raise refuse(N_("文件中夹带了压缩包，不能上传"), "polyglot")
    pdf = _open_pdf(file)
    try:
        pages = len(pdf.pages)
        if pages == 0:
            raise refuse(N_("PDF 没有页面"), "pdf_empty")
        if pages > limits.max_pages:
            raise refuse(
                T_(
                    "PDF 页数过多（%(pages)d页，不超过%(most)d页），请拆分后上传",
                    pages=pages,
                    most=limits.max_pages,
                ),
                "pdf_pages",
            )
        found = active_content(pdf)
        if pdf.is_encrypted:
            found.add("encryption")
        if pdf.get_warnings():
            found.add("repaired")
        markup = markup_in(file, _outside(_stream_ranges(file, pdf, size), size))
        if found or markup:
            if not may_rewrite:
                raise refuse(
                    N_(
                        "PDF 含有脚本、自动动作、内嵌文件或网页代码，无法清除，不能上传；"
                        "请“打印为PDF”后重新上传"
                    ),
                    "pdf_active",
                )
            _neutralise(pdf)
            out = spool()
            pdf.save(out, deterministic_id=True, fix_metadata_version=False)
        else:
            where = _first_page_jpeg(pdf, limits)
    except pikepdf.PdfError:
        raise refuse(N_("PDF 文件已损坏，无法打开，请重新导出后上传"), "pdf_broken") from None
    finally:
        pdf.close()
    if found or markup:
        again = inspect_pdf(out, limits, may_rewrite=False)
        again.removed, again.rewritten = tuple(sorted(found)), True
        return again
    file.seek(0)
    return Inspected(file, PDF, size, pages, _pdf_thumbnail(file, where))


# ---------------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------------


def thumbnail(image: Image.Image) -> bytes:
    small = image.copy() if max(image.size) > THUMB_SIDE else image
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()


class _EndWatch(io.RawIOBase):
    """The upload seen by Pillow, noting whether decoding ran out of bytes. WeasyPrint sets Pillow's
    process-wide LOAD_TRUNCATED_IMAGES on import, after which Pillow quietly pads a truncated image
    instead of failing: running out of bytes while decoding is how a truncated image shows then."""

    def __init__(self, file: BinaryFile) -> None:
        super().__init__()
        self.file = file
        self.ran_out = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        if size != 0 and not data:
            self.ran_out = True
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.file.seek(offset, whence)

    def tell(self) -> int:
        return self.file.tell()


_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "Description", "Author", "Software")


def inspect_image(
    file: BinaryFile, media_type: str, limits: UploadLimits, *, side: int | None = None
) -> Inspected:
    """The image decoded, upright and without metadata (Inspected.image; encode() writes it), or
    UploadRefused. `side`: a JPEG may be decoded at a reduced scale down to that many pixels (the caller
    shrinks it anyway), which bounds memory and time for large photos."""
    size = size_of(file)
    head, tail = read_at(file, 0, EDGE), read_at(file, size - EDGE, EDGE)
    if has_markup(head) or has_markup(tail):
        raise refuse(N_("文件中夹带网页或脚本代码，不能上传"), "markup")
    if is_zip(file):
        raise refuse(N_("图片中夹带了压缩包，不能上传"), "polyglot")
    expected = {JPEG: "JPEG", PNG: "PNG"}[media_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            watched = _EndWatch(file)
            image = Image.open(watched, formats=[expected])
            width, height = image.size
            if width * height > limits.max_pixels:
                most = limits.max_pixels // 1_000_000
                raise refuse(
                    NT_(
                        "图片像素过大（%(width)d×%(height)d），请缩小到%(num)d百万像素以内",
                        "图片像素过大（%(width)d×%(height)d），请缩小到%(num)d百万像素以内",
                        most,
                        width=width,
                        height=height,
                    ),
                    "image_pixels",
                )
            if side and expected == "JPEG" and max(width, height) > side:
                image.draft(image.mode if image.mode in ("RGB", "L") else "RGB", (side, side))
            watched.ran_out = False  # reading the header may look past the end of a tiny file
            image.load()  # decodes every pixel: corrupt data fails here, truncated data runs out
            if watched.ran_out:
                raise OSError("image file is truncated")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        raise refuse(N_("图片文件已损坏或不完整，无法打开，请重新拍摄或导出后上传"), "image_broken") from None
    had_metadata = bool(image.getexif()) or any(key in image.info for key in _METADATA)
    upright = ImageOps.exif_transpose(image)
    if expected == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    # Only what drawing the pixels needs survives (a PNG's transparency, the colour profile).
    upright.info = {key: image.info[key] for key in ("transparency", "icc_profile") if key in image.info}
    file.seek(0)
    return Inspected(file, media_type, size, 1, None, ("metadata",) if had_metadata else (), upright, True)


def encode(image: Image.Image, media_type: str, *, quality: int = 90) -> BinaryFile:
    """The image written afresh by Pillow: pixels (and a PNG's transparency, the colour profile) only."""
    out = spool()
    options: dict[str, Any] = {}
    if "icc_profile" in image.info:
        options["icc_profile"] = image.info["icc_profile"]
    if media_type == JPEG:
        rgb = image if image.mode in ("RGB", "L") else image.convert("RGB")
        rgb.save(out, format="JPEG", quality=quality, **options)
    else:
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        image.save(out, format="PNG", **options)
    out.seek(0)
    return out


def inspect(
    file: BinaryFile,
    media_type: str,
    limits: UploadLimits,
    *,
    encode_images: bool = True,
    side: int | None = None,
) -> Inspected:
    """A PDF, JPEG or PNG (already sniffed) as the portal keeps it; images re-encoded unless the caller
    encodes them itself (`encode_images=False`: the materials path shrinks or combines them)."""
    if media_type == PDF:
        return inspect_pdf(file, limits)
    assert media_type in IMAGES
    inspected = inspect_image(file, media_type, limits, side=side)
    if encode_images and inspected.image is not None:
        inspected.file = encode(inspected.image, media_type)
        inspected.size = size_of(inspected.file)
    return inspected


# ---------------------------------------------------------------------------------------------------
# The acceptance path (portal.services.uploads.accept_upload / accept_table wrap these)
# ---------------------------------------------------------------------------------------------------

# An .xlsx is a ZIP: what it may unpack to (a "zip bomb" of a few KB unpacks to gigabytes).
XLSX_MAX_UNPACKED = 100 * MB
XLSX_MAX_MEMBERS = 2000


def as_file(upload: bytes | BinaryFile) -> BinaryFile:
    return io.BytesIO(bytes(upload)) if isinstance(upload, bytes | bytearray) else upload


def check_chosen(filename: str, size: int) -> None:
    """A form posted without a file (no name and no bytes: nothing was chosen) is asked to choose one,
    not told that its file has no name (clean_name's refusal, for a chosen file whose name is empty)."""
    if size == 0 and not filename.strip():
        raise refuse(N_("尚未选择文件，请先选择要上传的文件"), "no_file")


def check_size(size: int, limits: UploadLimits, usage: Usage = Usage()) -> None:  # noqa: B008 - frozen
    if size == 0:
        raise refuse(N_("文件是空的（0字节），请重新选择文件"), "empty")
    if size > limits.max_bytes:
        raise refuse(T_("文件超过%(size)sMB，请压缩后上传", size=f"{limits.max_bytes / MB:g}"), "too_large")
    if limits.quota_files is not None and usage.files + 1 > limits.quota_files:
        raise refuse(
            NT_(
                "已达到上传数量上限（每位申报人%(num)d个文件），请先删除不需要的文件",
                "已达到上传数量上限（每位申报人%(num)d个文件），请先删除不需要的文件",
                limits.quota_files,
            ),
            "quota_files",
        )
    if limits.quota_bytes is not None and usage.bytes + size > limits.quota_bytes:
        raise refuse(
            T_(
                "已达到上传容量上限（每位申报人%(size)sMB），请先删除不需要的文件",
                size=f"{limits.quota_bytes / MB:g}",
            ),
            "quota_bytes",
        )


def accept(
    upload: bytes | BinaryFile,
    filename: str,
    limits: UploadLimits,
    usage: Usage = Usage(),  # noqa: B008 - frozen dataclass, never mutated
    *,
    kind: UploadKind = UploadKind.DOCUMENT,
    encode_images: bool = True,
    image_side: int | None = None,
) -> Inspected:
    """A PDF, JPEG or PNG upload as the portal keeps it, or UploadRefused: the name cleaned, the size from
    the file, the type from the first bytes (and it must match the suffix), then inspect()."""
    file = as_file(upload)
    size = size_of(file)
    check_chosen(filename, size)
    check_size(size, limits, usage)  # before the name: an empty file is said to be empty, whatever its name
    name, suffix = clean_name(filename, kind, limits.max_name_length)
    media_type = sniff(read_at(file, 0, 16))
    file.seek(0)
    if media_type is None:
        raise refuse(N_("文件内容不是 PDF、JPG 或 PNG（按文件内容识别，与文件名无关）"), "content")
    if SUFFIXES[suffix] != media_type:
        raise refuse(
            T_(
                "文件内容是%(kind)s，与扩展名“.%(suffix)s”不符，请改正扩展名后上传",
                kind=TITLES[media_type],
                suffix=suffix,
            ),
            "mismatch",
        )
    inspected = inspect(file, media_type, limits, encode_images=encode_images, side=image_side)
    inspected.display_name = name
    return inspected


def accept_table(
    upload: bytes | BinaryFile, filename: str, limits: UploadLimits, kind: UploadKind
) -> Inspected:
    """A spreadsheet (.xlsx or .csv; the calendar: .csv) kept as uploaded: the same name and size rules,
    the type from the content, an .xlsx's archive bounded (no zip bomb, no macros). Tables are small (a
    few MB): the caller parses `.data`."""
    file = as_file(upload)
    size = size_of(file)
    check_chosen(filename, size)
    check_size(size, limits)  # before the name, as for a scan: an empty file is said to be empty
    name, _ = clean_name(filename, kind, limits.max_name_length)
    head = read_at(file, 0, 4096)
    file.seek(0)
    try:
        media_type = sniff_table(head)
    except TableError as problem:
        raise refuse(problem.message, problem.code) from None
    if media_type == XLSX:
        if kind is UploadKind.CALENDAR:
            raise refuse(kind.wrong_suffix, "suffix")
        _check_xlsx_archive(file)
    return Inspected(file, media_type, size, display_name=name)


def _check_xlsx_archive(file: BinaryFile) -> None:
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refuse(
            N_("该文件不是有效的 Excel（.xlsx）文件，可能已损坏，请重新保存后上传"), "not_a_table"
        ) from None
    finally:
        file.seek(0)
    if len(members) > XLSX_MAX_MEMBERS or sum(m.file_size for m in members) > XLSX_MAX_UNPACKED:
        raise refuse(N_("Excel 文件解压后过大，不能读取；请只保留需要的工作表和行后重新保存"), "xlsx_bomb")
    if any(m.filename.lower().endswith("vbaproject.bin") for m in members):
        raise refuse(N_("Excel 文件含有宏，不能上传；请另存为不含宏的 .xlsx 后上传"), "xlsx_macro")
