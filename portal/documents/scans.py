"""Uploaded scans and phone photos made fit for the dossier: each file accepted by the one acceptance path
(documents.inspection.accept: type by content, active PDF content neutralised, images decoded upright
without metadata), photos downscaled and recompressed under the per-file cap (the Jiangxi system takes
2 MB), several files combined into one PDF in upload order, the page count, and a small thumbnail.
A single PDF within the cap is kept as it is (or as neutralised) and never read whole into memory; a PDF
over it (a scan at 600 dpi) has its page images re-encoded down the hand-offs' ladder (documents.fitting)
until it fits, text kept legible at 150 dpi; only one that still does not fit is refused. No Flask.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from typing import IO

from PIL import Image
from pypdf import PdfReader, PdfWriter

from portal.documents import fitting, inspection
from portal.documents.inspection import THUMB_SIDE, thumbnail
from portal.domain.handoffs import Ladder
from portal.domain.i18n import N_, T_
from portal.domain.uploads import JPEG, PDF, TITLES, UploadLimits, UploadRefused, size_text, strip_invisible

MAX_SIDE = 2480  # pixels: A4 at 300 dpi is plenty for a certificate or a contract page
QUALITIES = (85, 75, 65, 55, 45)
MAX_PARTS = 20
# A scanned PDF over the cap is re-encoded down these steps (the Jiangxi hand-off's ladder, issue 23): each
# quality at 300 dpi, then 200, then the legibility floor of 150 dpi.
PDF_LADDER = Ladder(
    qualities=QUALITIES,
    dpi=(300, 200, 150),
    paper="A4",
    source="issue 23：按质量/分辨率阶梯压缩，150dpi 下文字仍清晰",
)
__all__ = ["MAX_PARTS", "MAX_SIDE", "THUMB_SIDE", "Part", "Prepared", "ScanRejected", "prepare"]


class ScanRejected(Exception):
    """The upload cannot be used; `.message` says why, in Chinese (a marked msgid or a `Text`, which the
    English interface shows in English)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Part:
    """One uploaded file: its name as the browser sent it and its content (the request's spooled file,
    or bytes in tests and demo data)."""

    name: str
    data: bytes | IO[bytes]


@dataclass(frozen=True)
class Prepared:
    file: IO[bytes]  # what to store, read from its start
    size: int
    media_type: str
    pages: int
    thumbnail: bytes | None  # a small JPEG, when one could be made
    combined: int  # how many uploaded files went into it
    recompressed: bool  # downscaled or recompressed to fit the cap, or combined
    removed: tuple[str, ...] = ()  # what was taken out (domain.uploads.REMOVED_TITLES keys)
    name: str = ""  # a single upload's cleaned name (NUL and bidi characters removed)

    @property
    def data(self) -> bytes:
        return inspection.read_all(self.file)

    @property
    def sha256(self) -> str:
        """What the store will key it by: the same upload prepared again has the same one."""
        return inspection.sha256_of(self.file)


def _flat(image: Image.Image) -> Image.Image:
    """RGB or greyscale, transparency laid on white (JPEG and the PDF pages have no alpha)."""
    if image.mode in ("RGB", "L"):
        return image
    background = Image.new("RGB", image.size, "white")
    rgba = image.convert("RGBA")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _fit(image: Image.Image, side: int) -> Image.Image:
    image = _flat(image)
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
    # No creation or modification date (Pillow writes the clock's by default): the same photos combined
    # again make the same bytes, so an upload sent twice is recognised by its hash (services.materials).
    first.save(
        out,
        format="PDF",
        save_all=True,
        append_images=rest,
        resolution=200.0,
        quality=quality,
        creationDate=None,
        modDate=None,
    )
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


def _accept(part: Part, max_upload: int, limits: UploadLimits) -> inspection.Inspected:
    file = inspection.as_file(part.data)
    size = inspection.size_of(file)
    shown = strip_invisible(part.name)[:60] or N_("文件")
    if size > max_upload:
        raise ScanRejected(
            T_(
                "“%(name)s”有%(size)s，单个文件不能超过%(most)s",
                name=shown,
                size=size_text(size),
                most=size_text(max_upload),
            )
        )
    try:
        return inspection.accept(
            file, part.name, replace(limits, max_bytes=max_upload), encode_images=False, image_side=MAX_SIDE
        )
    except UploadRefused as refused:
        if refused.code == "content":
            message = T_("“%(name)s”不是 PDF、JPG 或 PNG 文件（按文件内容判断，与文件名无关）", name=shown)
            raise ScanRejected(message) from None
        # The problem is a sentence of its own (its English starts with a capital): the English template
        # ends its sentence before it ("… was not accepted. The file is empty…"), never ": The file…".
        raise ScanRejected(T_("“%(name)s”：%(problem)s", name=shown, problem=refused.message)) from None


def _as_file(data: bytes) -> IO[bytes]:
    return io.BytesIO(data)


def _encoded(image: Image.Image, media_type: str, quality: int = 90) -> bytes:
    out = inspection.encode(image, media_type, quality=quality)
    return out.read()


def prepare(
    parts: list[Part],
    *,
    max_upload: int,
    limit: int,
    limits: UploadLimits = UploadLimits(),  # noqa: B008 - frozen dataclass, never mutated
) -> Prepared:
    """One stored file from one or more uploaded files.

    Each file goes through the acceptance path (inspection.accept with `limits`, each at most
    `max_upload` bytes). One image: re-encoded (no EXIF, turned upright), downscaled and recompressed if
    it does not fit `limit`. Several images: one PDF, a page per image in upload order. One PDF: kept as
    accepted (never read whole); over `limit` its page images are re-encoded to fit, and it is refused
    with the size to reach only when even the legibility floor does not. PDFs with images: joined in
    order, images as pages of their own (the joined file fitted the same way).
    """
    if not parts:
        raise ScanRejected(N_("请选择要上传的文件"))
    if len(parts) > MAX_PARTS:
        raise ScanRejected(T_("一次最多合并%(most)d个文件", most=MAX_PARTS))
    accepted = [_accept(part, max_upload, limits) for part in parts]
    removed = tuple(sorted({item for a in accepted for item in a.removed}))
    name = accepted[0].display_name if len(accepted) == 1 else ""

    if all(a.image is not None for a in accepted):
        images = [a.image for a in accepted if a.image is not None]
        thumb = thumbnail(images[0])
        if len(images) == 1:
            image, kind = images[0], accepted[0].media_type
            if max(image.size) <= MAX_SIDE:
                data = _encoded(image, kind)
                if len(data) <= limit:
                    return Prepared(_as_file(data), len(data), kind, 1, thumb, 1, False, removed, name)
            squeezed = _squeeze(images, limit, as_pdf=False)
            if squeezed is None:
                raise ScanRejected(
                    T_(
                        "“%(name)s”压缩后仍超过%(most)s，请裁剪后再上传",
                        name=strip_invisible(parts[0].name),
                        most=size_text(limit),
                    )
                )
            return Prepared(_as_file(squeezed), len(squeezed), JPEG, 1, thumb, 1, True, removed, name)
        squeezed = _squeeze(images, limit, as_pdf=True)
        if squeezed is None:
            raise ScanRejected(
                T_(
                    "%(count)d张图片合成后超过%(most)s，请分几次上传或减少张数",
                    count=len(parts),
                    most=size_text(limit),
                )
            )
        return Prepared(_as_file(squeezed), len(squeezed), PDF, len(images), thumb, len(parts), True, removed)

    if len(accepted) == 1:  # one PDF: kept as accepted, straight from its file
        one = accepted[0]
        if one.size > limit:
            shrunk = _shrunk_pdf(inspection.read_all(one.file), one.size, limit, name)
            return Prepared(
                _as_file(shrunk), len(shrunk), PDF, one.pages, one.thumbnail, 1, True, removed, name
            )
        return Prepared(one.file, one.size, PDF, one.pages, one.thumbnail, 1, False, removed, name)

    # Several files, at least one PDF: join everything in order, images as pages of their own.
    writer = PdfWriter()
    thumb: bytes | None = None
    for part, one in zip(parts, accepted, strict=True):
        if one.image is None:
            thumb = thumb or one.thumbnail
            writer.append(PdfReader(one.file))
        else:
            thumb = thumb or thumbnail(one.image)
            page = _squeeze([one.image], limit, as_pdf=True)
            if page is None:
                raise ScanRejected(
                    T_(
                        "“%(name)s”压缩后仍超过%(most)s",
                        name=strip_invisible(part.name),
                        most=size_text(limit),
                    )
                )
            writer.append(PdfReader(io.BytesIO(page)))
    out = io.BytesIO()
    writer.write(out)
    size = out.tell()
    if size > limit:
        joined = _shrunk_pdf(out.getvalue(), size, limit, "")
        return Prepared(
            _as_file(joined), len(joined), PDF, len(writer.pages), thumb, len(parts), True, removed
        )
    out.seek(0)
    return Prepared(out, size, PDF, len(writer.pages), thumb, len(parts), True, removed)


def _shrunk_pdf(data: bytes, size: int, limit: int, name: str) -> bytes:
    """The PDF with its page images re-encoded down PDF_LADDER until it fits `limit` in one file; refused
    with the size to reach when even the floor does not (or a page would have to be left out)."""
    fitted = fitting.fit(
        [fitting.Source(name or "PDF", data, PDF)], cap=limit, types=("pdf",), ladder=PDF_LADDER
    )
    if len(fitted.outputs) == 1 and not fitted.unfit and len(fitted.outputs[0].data) <= limit:
        return fitted.outputs[0].data
    raise _pdf_too_large(size, limit)


def _pdf_too_large(size: int, limit: int) -> ScanRejected:
    return ScanRejected(
        T_(
            "PDF 有%(size)s，压缩后仍超过每个文件%(most)s的上限；请降低扫描分辨率，或上传照片由系统压缩",
            size=size_text(size),
            most=size_text(limit),
        )
    )


def describe(media_type: str) -> str:
    return TITLES.get(media_type, media_type)
