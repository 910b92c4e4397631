"""Laying a rendered overlay page (a page number, a watermark, a stamp) over a page with pypdf, without
touching the page's own content: the overlay becomes a form XObject once, and each page it goes on gets
two short content streams around its own ("q" before, "Q … Do" after) and one entry in its resources.

pypdf's `merge_page` does the same job by parsing both content streams and rewriting them into one,
for every page: on a scanned page that is cheap, but a watermark overlay holds thousands of glyph
operators, and parsing it again for each of 44 pages costs more than the whole render. Here the
overlay is copied once, and a page's own content stays byte for byte as it came.

A page shown rotated (/Rotate) keeps its rotation: the overlay is drawn through the inverse of the
rotation, so it reads upright where the page is read upright. No Flask.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pypdf import PageObject, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    RectangleObject,
)

Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class Shown:
    """A page as a reader sees it: its width and height after rotation, and the matrix that maps that
    upright view's coordinates (origin at its bottom-left corner) into the page's own user space."""

    width: float
    height: float
    matrix: Matrix


def _inverse(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def shown(page: PageObject) -> Shown:
    """How the page is shown (the crop box, turned by the page's /Rotate)."""
    box = RectangleObject(page.cropbox)
    rotation = page.rotation % 360
    if not rotation:
        return Shown(float(box.width), float(box.height), (1, 0, 0, 1, float(box.left), float(box.bottom)))
    # The transformation pypdf's transfer_rotation_to_content would apply to the content, inverted.
    media = RectangleObject(page.mediabox)
    turn = (
        Transformation()
        .translate(-float(media.left + media.width / 2), -float(media.bottom + media.height / 2))
        .rotate(-rotation)
    )
    corners = [turn.apply_on(media.lower_left), turn.apply_on(media.upper_right)]
    turn = turn.translate(-min(x for x, _ in corners), -min(y for _, y in corners))
    crop = [turn.apply_on(box.lower_left), turn.apply_on(box.upper_right)]
    left, bottom = min(x for x, _ in crop), min(y for _, y in crop)
    width, height = max(x for x, _ in crop) - left, max(y for _, y in crop) - bottom
    place = Transformation().translate(left, bottom).transform(Transformation(_inverse(turn.ctm)))
    return Shown(width, height, tuple(float(v) for v in place.ctm))  # type: ignore[arg-type]


def form(writer: PdfWriter, page: PageObject) -> IndirectObject:
    """The page (of any reader) as a form XObject of `writer`, its fonts and images copied over once."""
    contents = page.get("/Contents")
    data = b""
    if contents is not None:
        contents = contents.get_object()
        streams = contents if isinstance(contents, ArrayObject) else [contents]
        data = b"\n".join(stream.get_object().get_data() for stream in streams)
    resources = page.get("/Resources", DictionaryObject()).get_object().clone(writer)
    return _form_of(writer, data, [float(v) for v in RectangleObject(page.mediabox)], resources)


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def lay_over(
    writer: PdfWriter, page: PageObject, layers: Sequence[IndirectObject], save: IndirectObject
) -> None:
    """Draws each layer (a form of `writer`) over a page of `writer`, upright as the page is shown, in the
    order given. `save` is the shared "q" stream of `save_stream`."""
    where = shown(page)
    resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    matrix = " ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in where.matrix)
    drawn = [b"\nQ"]
    for index, layer in enumerate(layers):
        name = f"/PortalOverlay{index}"
        xobjects[NameObject(name)] = layer
        drawn.append(f"q {matrix} cm {name} Do Q".encode())
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    contents = page.get("/Contents")
    own = []
    if contents is not None:
        resolved = contents.get_object()
        own = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([save, *own, _stream(writer, b"\n".join(drawn) + b"\n")])


def save_stream(writer: PdfWriter) -> IndirectObject:
    """One "q" stream, shared by every page `lay_over` touches (the page's own content runs inside q … Q,
    so whatever graphics state it leaves behind does not move or tint the overlays)."""
    return _stream(writer, b"q\n")


@dataclass(frozen=True)
class PageSize:
    """A page size that occurs in a document, named for the CSS page rule of the overlay pages made for it."""

    name: str
    width: float
    height: float


def page_sizes(sizes: Sequence[tuple[float, float]], prefix: str) -> dict[tuple[int, int], PageSize]:
    """One PageSize per distinct (rounded) size, in order of first appearance."""
    found: dict[tuple[int, int], PageSize] = {}
    for width, height in sizes:
        key = (round(width), round(height))
        if key not in found:
            found[key] = PageSize(f"{prefix}{len(found)}", round(width, 2), round(height, 2))
    return found


def size_key(where: Shown) -> tuple[int, int]:
    """A page size rounded to the point: pages whose sizes differ by less share their overlay pages."""
    return (round(where.width), round(where.height))


def nearest(marks: dict[tuple[int, int], IndirectObject], where: Shown) -> tuple[int, int]:
    """The overlay made for this page's size (sizes are rounded to the point; else the closest one)."""
    key = size_key(where)
    if key in marks:
        return key
    return min(marks, key=lambda k: abs(k[0] - where.width) + abs(k[1] - where.height))


# --- the watermark ------------------------------------------------------------------------------------

TILE_SIZE = 20.0  # pt: the diagonal text as rendered; scaled to each page's size when laid
HEAD_SIZE = 7.0  # pt: the line at the top of every page, never scaled
ANGLE = 30  # degrees, counter-clockwise: the text rises to the right
REPEATS = 5


@dataclass(frozen=True)
class Tile:
    """The page the watermark's text is rendered on once (templates/documents/_watermark.html): wide enough
    for the text REPEATS times on one line at TILE_SIZE (CJK is one em a character, the widest there is)."""

    text: str

    size: float = TILE_SIZE
    head_size: float = HEAD_SIZE
    repeats: int = REPEATS

    @property
    def line(self) -> float:
        return self.size * 1.6

    @property
    def head_line(self) -> float:
        return self.head_size * 1.6

    @property
    def width(self) -> float:
        return round((len(self.text) + 3) * self.size * self.repeats + self.size * 4, 1)

    @property
    def height(self) -> float:
        return self.line + self.head_line


def _form_of(
    writer: PdfWriter, data: bytes, box: Sequence[float], resources: DictionaryObject
) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in box),
            NameObject("/Resources"): resources,
        }
    )
    return writer._add_object(stream.flate_encode())


def _cm(transformation: Transformation) -> str:
    return " ".join(f"{v:.4f}".rstrip("0").rstrip(".") for v in transformation.ctm)


def watermark_forms(
    writer: PdfWriter, tile_page: PageObject, tile: Tile, sizes: Sequence[PageSize]
) -> dict[tuple[int, int], IndirectObject]:
    """For each page size, a form XObject that covers the page with the tile's diagonal line (turned by
    ANGLE, scaled to a thirtieth of the page's short side, never under 9 pt, repeated a line every five type
    sizes across the page's diagonal) and puts the small line at the top centre."""
    tile_form = form(writer, tile_page)
    resources = DictionaryObject({NameObject("/XObject"): DictionaryObject({NameObject("/T"): tile_form})})
    # The two lines of the tile as forms of their own: the tile drawn through a clip of its line's strip.
    strips = {
        "/D": (0.0, tile.head_line, tile.width, tile.height),  # the diagonal line is the tile's top one
        "/H": (0.0, 0.0, tile.width, tile.head_line),
    }
    lines = DictionaryObject(
        {NameObject(name): _form_of(writer, b"/T Do", box, resources) for name, box in strips.items()}
    )
    made: dict[tuple[int, int], IndirectObject] = {}
    for size in sizes:
        scale = max(min(size.width, size.height) / 30, 9.0) / tile.size
        step = tile.size * scale * 5
        diagonal = (size.width**2 + size.height**2) ** 0.5
        rows = int(diagonal / 2 / step) + 2
        cos, sin = math.cos(math.radians(ANGLE)), math.sin(math.radians(ANGLE))
        ops = []
        for row in range(-rows, rows + 1):
            along = (row % 3) * step  # stagger the rows so the repetitions do not line up in columns
            x = size.width / 2 - row * step * sin + along * cos
            y = size.height / 2 + row * step * cos + along * sin
            place = (
                Transformation()
                .translate(-tile.width / 2, -(tile.head_line + tile.line / 2))
                .scale(scale, scale)
                .rotate(ANGLE)
                .translate(x, y)
            )
            ops.append(f"q {_cm(place)} cm /D Do Q")
        head = Transformation().translate(size.width / 2 - tile.width / 2, size.height - 4 - tile.head_line)
        ops.append(f"q {_cm(head)} cm /H Do Q")
        made[(round(size.width), round(size.height))] = _form_of(
            writer,
            "\n".join(ops).encode(),
            (0, 0, size.width, size.height),
            DictionaryObject({NameObject("/XObject"): lines}),
        )
    return made
