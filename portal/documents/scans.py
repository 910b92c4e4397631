"""Uploaded scans and phone photos made fit for the dossier: the type decided by content, large photos
turned upright, downscaled and recompressed under the per-file cap (the Jiangxi system takes 2 MB), several
images combined into one PDF in upload order, the page count, and a small thumbnail. No Flask.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter

from portal.domain.uploads import JPEG, PDF, PNG, TITLES, sniff

MAX_SIDE = 2480  # pixels: A4 at 300 dpi is plenty for a certificate or a contract page
THUMB_SIDE = 240
QUALITIES = (85, 75, 65, 55, 45)
MAX_PARTS = 20


class ScanRejected(Exception):
    """The upload cannot be used; `.message` says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Part:
    name: str
    data: bytes


@dataclass(frozen=True)
class Prepared:
    data: bytes
    media_type: str
    pages: int
    thumbnail: bytes | None  # a small JPEG, when one could be made
    combined: int  # how many uploaded files went into it
    recompressed: bool


def _kb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def _open_image(part: Part) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(part.data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ScanRejected(f"“{part.name}”的像素过多，请降低分辨率后再上传") from None
    except Exception:
        raise ScanRejected(f"“{part.name}”无法作为图片打开，文件可能已损坏") from None
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    return image


def _fit(image: Image.Image, side: int) -> Image.Image:
    if max(image.size) <= side:
        return image
    scaled = image.copy()
    scaled.thumbnail((side, side), Image.Resampling.LANCZOS)
    return scaled


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _images_pdf(images: list[Image.Image], quality: int) -> bytes:
    out = io.BytesIO()
    first, *rest = images
    first.save(out, format="PDF", save_all=True, append_images=rest, resolution=200.0, quality=quality)
    return out.getvalue()


def _squeeze(images: list[Image.Image], limit: int, *, as_pdf: bool) -> bytes | None:
    """The images as one JPEG (or one PDF), at the best quality that fits `limit` bytes; None if even
    small and coarse it does not."""
    side = MAX_SIDE
    while side >= 600:
        fitted = [_fit(image, side) for image in images]
        for quality in QUALITIES:
            data = _images_pdf(fitted, quality) if as_pdf else _jpeg(fitted[0], quality)
            if len(data) <= limit:
                return data
        side = int(side * 0.75)
    return None


def _thumbnail(image: Image.Image) -> bytes:
    return _jpeg(_fit(image, THUMB_SIDE), 70)


def _pdf_pages(part: Part) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(part.data))
        if reader.is_encrypted:
            raise ScanRejected(f"“{part.name}”是加密的 PDF，请去掉密码后再上传")
        if len(reader.pages) == 0:
            raise ScanRejected(f"“{part.name}”没有页面")
    except ScanRejected:
        raise
    except Exception:
        raise ScanRejected(f"“{part.name}”不是有效的 PDF 文件，可能已损坏") from None
    return reader


def _pdf_thumbnail(reader: PdfReader) -> bytes | None:
    """A scanned PDF's first page is usually one JPEG image: that image, small. Otherwise none.

    The JPEG is read straight from the page's resources and decoded at reduced scale (Pillow's draft):
    pypdf's `page.images` decodes every image of the page at full size first (~80 MB for one phone scan).
    """
    try:
        resources = reader.pages[0].get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        for ref in xobjects.get_object().values() if xobjects else []:
            xobject = ref.get_object()
            if xobject.get("/Subtype") != "/Image" or xobject.get("/Filter") not in (
                "/DCTDecode",
                ["/DCTDecode"],
            ):
                continue
            image = Image.open(io.BytesIO(xobject.get_data()), formats=["JPEG"])
            image.draft("RGB", (THUMB_SIDE, THUMB_SIDE))
            return _thumbnail(image.convert("RGB"))
    except Exception:
        return None
    return None


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def prepare(parts: list[Part], *, max_upload: int, limit: int) -> Prepared:
    """One stored file from one or more uploaded files.

    Each file's type is sniffed from its bytes (a .pdf that is really HTML or an executable is refused);
    each may be at most `max_upload` bytes. One image: kept if it fits `limit`, else downscaled and
    recompressed until it does. Several images: one PDF, a page per image in upload order. PDFs (alone or
    with images) are joined as they are; a PDF over `limit` is refused with the size to reach.
    """
    if not parts:
        raise ScanRejected("请选择要上传的文件")
    if len(parts) > MAX_PARTS:
        raise ScanRejected(f"一次最多合并{MAX_PARTS}个文件")
    kinds: list[str] = []
    for part in parts:
        if len(part.data) > max_upload:
            raise ScanRejected(f"“{part.name}”有{_kb(len(part.data))}，单个文件不能超过{_kb(max_upload)}")
        kind = sniff(part.data[:16])
        if kind is None:
            raise ScanRejected(f"“{part.name}”不是 PDF、JPG 或 PNG 文件（按文件内容判断，与文件名无关）")
        kinds.append(kind)

    if all(kind in (JPEG, PNG) for kind in kinds):
        images = [_open_image(part) for part in parts]
        thumb = _thumbnail(images[0])
        if len(parts) == 1:
            if len(parts[0].data) <= limit and max(images[0].size) <= MAX_SIDE:
                return Prepared(parts[0].data, kinds[0], 1, thumb, 1, False)
            data = _squeeze(images, limit, as_pdf=False)
            if data is None:
                raise ScanRejected(f"“{parts[0].name}”压缩后仍超过{_kb(limit)}，请裁剪后再上传")
            return Prepared(data, JPEG, 1, thumb, 1, True)
        data = _squeeze(images, limit, as_pdf=True)
        if data is None:
            raise ScanRejected(f"{len(parts)}张图片合成后超过{_kb(limit)}，请分几次上传或减少张数")
        return Prepared(data, PDF, len(images), thumb, len(parts), True)

    if len(parts) == 1:  # one PDF: checked and kept as it is (copying its pages would only cost memory)
        reader = _pdf_pages(parts[0])
        if len(parts[0].data) > limit:
            raise _pdf_too_large(len(parts[0].data), limit)
        return Prepared(parts[0].data, PDF, len(reader.pages), _pdf_thumbnail(reader), 1, False)

    # Several files, at least one PDF: join everything in order, images as pages of their own.
    writer = PdfWriter()
    thumb: bytes | None = None
    for part, kind in zip(parts, kinds, strict=True):
        if kind == PDF:
            reader = _pdf_pages(part)
            thumb = thumb or _pdf_thumbnail(reader)
            writer.append(reader)
        else:
            image = _open_image(part)
            thumb = thumb or _thumbnail(image)
            page = _squeeze([image], limit, as_pdf=True)
            if page is None:
                raise ScanRejected(f"“{part.name}”压缩后仍超过{_kb(limit)}")
            writer.append(PdfReader(io.BytesIO(page)))
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    if len(data) > limit:
        raise _pdf_too_large(len(data), limit)
    return Prepared(data, PDF, len(writer.pages), thumb, len(parts), True)


def _pdf_too_large(size: int, limit: int) -> ScanRejected:
    return ScanRejected(
        f"PDF 有{_kb(size)}，超过了每个文件{_kb(limit)}的上限；请降低扫描分辨率，或上传照片由系统压缩"
    )


def describe(media_type: str) -> str:
    return TITLES.get(media_type, media_type)
