"""New files made from stored ones, never changing them: the endorsement stamp of a copy (与原件相符, the
handler's name, the date and the unit's seal, in the bottom-right corner of every page) and the visible
watermark on reviewers' downloads (仅供职称申报使用 · who · when). No Flask.

The stamp goes on a strip added below each page, so it never covers what was scanned; the page count
stays the same.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PIL import Image
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import RectangleObject

from portal.documents import overlays
from portal.documents.inspection import without_active_content
from portal.documents.rendering import render_pdf
from portal.domain.uploads import PDF, sniff

STRIP = 84.0  # points added below each page for the stamp (about 30 mm)
A4_LONG_INCHES = 11.69
WATERMARK = "仅供职称申报使用"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class StampText:
    opinion: str
    handler: str
    on: date
    unit: str


def as_pdf(data: bytes, media_type: str) -> bytes:
    """A stored file as PDF: a PDF as it is (less any active content: a file stored before every upload
    took the acceptance path may carry scripts or actions), an image as one page about the size of A4."""
    if media_type == PDF:
        return without_active_content(data)
    image = Image.open(io.BytesIO(data))
    image.load()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=max(image.size) / A4_LONG_INCHES, quality=90)
    return out.getvalue()


def _first_page(pdf: bytes) -> PageObject:
    return PdfReader(io.BytesIO(pdf)).pages[0]


def image_data_uri(image: bytes) -> str:
    """An image inlined for WeasyPrint (our PDFs fetch nothing from outside)."""
    kind = sniff(image[:16]) or "image/png"
    return f"data:{kind};base64,{base64.b64encode(image).decode()}"


def _writer(pdf: bytes) -> PdfWriter:
    """A writer holding a copy of the pages (pypdf merges only into pages attached to a writer)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamp(data: bytes, media_type: str, text: StampText, seal: bytes) -> bytes:
    """The endorsed copy: every page of the original with the stamp on a strip below it."""
    overlays: dict[int, PageObject] = {}
    seal_uri = image_data_uri(seal)
    writer = _writer(as_pdf(data, media_type))
    for page in writer.pages:
        box = page.mediabox
        width, left, bottom = float(box.width), float(box.left), float(box.bottom)
        key = round(width)
        if key not in overlays:
            overlays[key] = _first_page(
                render_pdf("endorsement_stamp.html", width=width, height=STRIP, text=text, seal_uri=seal_uri)
            )
        grown = RectangleObject([left, bottom - STRIP, float(box.right), float(box.top)])
        page.mediabox = grown
        page.cropbox = RectangleObject(grown)
        page.merge_transformed_page(overlays[key], Transformation().translate(left, bottom - STRIP))
    return _bytes(writer)


def watermark(data: bytes, media_type: str, text: str) -> bytes:
    """The file as the reviewer downloads it: every page under a diagonal, repeated visible notice, laid over
    as a form XObject (the text rendered once; the page's own content is not rewritten)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(as_pdf(data, media_type))))
    shapes = [overlays.shown(page) for page in writer.pages]
    sizes = overlays.page_sizes([(s.width, s.height) for s in shapes], "w")
    tile = overlays.Tile(text)
    rendered = PdfReader(io.BytesIO(render_pdf("watermark.html", tile=tile, text=text)))
    marks = overlays.watermark_forms(writer, rendered.pages[0], tile, list(sizes.values()))
    save = overlays.save_stream(writer)
    for page, where in zip(writer.pages, shapes, strict=True):
        overlays.lay_over(writer, page, [marks[overlays.nearest(marks, where)]], save)
    return _bytes(writer)


def watermark_text(name: str, moment: datetime) -> str:
    """仅供职称申报使用 · who · when (Beijing time, to the minute): the same words on every download."""
    return f"{WATERMARK} · {name} · {moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
