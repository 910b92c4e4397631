"""The package PDF: our own sections and the materials, bound into one file with a bookmark tree, a page
number on every page and the reviewer's watermark over every page. No Flask, no database.

One WeasyPrint render makes everything that is ours (templates/documents/package.html): the cover with its
装订目录, the 申报表, each level's opinions and the notice result sheet; then, for every page of every
material, an empty page of that page's size carrying only its page number; then the watermark's text on
one tile page. The table of contents and "共 N 页" are counters of the same render (`target-counter`), so
they are right the first time, whatever the length of each section.

The materials are copied in as they are (pypdf appends their pages, no content is parsed or re-encoded);
each material page gets its page-number page laid over it, and every page the watermark made for its size
from the tile, each as a form XObject (portal/documents/overlays.py). The page count of the package is
exactly the sum of its parts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject

from portal.documents import overlays
from portal.documents.rendering import render_document
from portal.documents.stamps import as_pdf


@dataclass(frozen=True)
class Section:
    """One of our own sections of package.html: its bookmark title and the id the template gives it."""

    title: str
    anchor: str


@dataclass(frozen=True)
class Material:
    """One bound material: its place in the bookmark tree (outer to inner titles) and its PDF."""

    path: tuple[str, ...]
    pdf: bytes


@dataclass
class Bound:
    data: bytes
    pages: int
    starts: dict[str, int] = field(default_factory=dict)  # anchor -> 0-based first page


def material_pdf(data: bytes, media_type: str) -> bytes:
    """A stored material (PDF, JPG or PNG) as PDF pages."""
    return as_pdf(data, media_type)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _contents(
    sections: Sequence[Section], materials: Sequence[Material], anchors: Sequence[str]
) -> list[tuple[int, str, str]]:
    """The cover's 装订目录: (depth, title, anchor of its first page) for each section after the cover, each
    slot heading and each material."""
    lines = [(0, section.title, section.anchor) for section in sections[1:]]
    seen: set[tuple[str, ...]] = set()
    for material, anchor in zip(materials, anchors, strict=True):
        for depth in range(1, len(material.path) + 1):
            prefix = material.path[:depth]
            if prefix not in seen:
                seen.add(prefix)
                lines.append((depth - 1, prefix[-1], anchor))
    return lines


def bind(
    sections: Sequence[Section],
    materials: Sequence[Material],
    *,
    title: str,
    label: str,
    watermark: str,
    context: dict[str, Any],
) -> Bound:
    """The sections (rendered from package.html with `context`) and the materials in the order given, one
    bookmark per section and distinct material path prefix (and per page of a material of several pages),
    `label` 第 n 页，共 N 页 on every page and `watermark` over every page. The first section is the cover
    (it carries the 装订目录); the others are rendered in the order given."""
    if not sections or sections[0].anchor != "cover":
        raise ValueError("the package opens on its cover")
    readers = [PdfReader(io.BytesIO(material.pdf)) for material in materials]
    shapes = [[overlays.shown(page) for page in reader.pages] for reader in readers]
    material_sizes = overlays.page_sizes([(s.width, s.height) for pages in shapes for s in pages], "m")
    tile = overlays.Tile(watermark)
    anchors = [f"material-{index}" for index in range(len(materials))]
    document = render_document(
        "package.html",
        title=title,
        label=label,
        contents=_contents(sections, materials, anchors),
        front=[section.anchor for section in sections[1:]],
        materials=[
            {"anchor": anchor, "sizes": [material_sizes[overlays.size_key(s)].name for s in pages]}
            for anchor, pages in zip(anchors, shapes, strict=True)
        ],
        material_sizes=list(material_sizes.values()),
        tile=tile,
        watermark_text=watermark,
        **context,
    )
    starts: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            starts.setdefault(anchor, index)
    material_pages = sum(len(pages) for pages in shapes)
    bound_pages = len(document.pages) - 1  # the last page is the watermark's tile
    front = bound_pages - material_pages
    rendered = PdfReader(io.BytesIO(document.write_pdf()))

    writer = PdfWriter()
    for index in range(front):
        writer.add_page(rendered.pages[index])
    for reader in readers:
        writer.append(reader, import_outline=False)
    shown = [overlays.shown(page) for page in writer.pages]
    sizes = overlays.page_sizes([(where.width, where.height) for where in shown], "w")
    marks = overlays.watermark_forms(writer, rendered.pages[bound_pages], tile, list(sizes.values()))
    save = overlays.save_stream(writer)
    for index, page in enumerate(writer.pages):
        layers: list[IndirectObject] = []
        if index >= front:  # a material's page: its page number comes from its own overlay page
            layers.append(overlays.form(writer, rendered.pages[index]))
        layers.append(marks[overlays.nearest(marks, shown[index])])
        overlays.lay_over(writer, page, layers, save)

    parents: dict[tuple[str, ...], IndirectObject] = {}
    for section in sections:
        parents[(section.title,)] = writer.add_outline_item(
            title=section.title, page_number=starts[section.anchor]
        )
    for material, anchor, pages in zip(materials, anchors, shapes, strict=True):
        if anchor not in starts:
            continue  # a material without pages has no page to point to
        start = starts[anchor]
        for depth in range(1, len(material.path) + 1):
            prefix = material.path[:depth]
            if prefix not in parents:
                parents[prefix] = writer.add_outline_item(
                    title=prefix[-1], page_number=start, parent=parents.get(prefix[:-1])
                )
        if len(pages) > 1:
            for offset in range(len(pages)):
                writer.add_outline_item(
                    title=f"第{offset + 1}页", page_number=start + offset, parent=parents[material.path]
                )
    writer.add_metadata({"/Title": title, "/Producer": "职称申报服务平台"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return Bound(out.getvalue(), len(writer.pages), starts)
