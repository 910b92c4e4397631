"""The package PDF: parts already made as PDF (our WeasyPrint pages, the notice result sheet, the
materials, stamped where endorsed) bound into one file with a bookmark tree and a page number on every
page. No Flask, no database.

Page numbers are drawn by one WeasyPrint render of an overlay page per page (the sizes of scanned pages
vary), merged onto each page; the bound pages keep their own content and count, so the page count of the
package is exactly the sum of its parts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import IndirectObject

from portal.documents.rendering import render_pdf
from portal.documents.stamps import as_pdf


@dataclass(frozen=True)
class Piece:
    """One bound part: its place in the bookmark tree (outer to inner titles) and its PDF."""

    path: tuple[str, ...]
    pdf: bytes
    page_marks: bool = False  # a bookmark for each page under the piece's own one (materials)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def material_pdf(data: bytes, media_type: str) -> bytes:
    """A stored material (PDF, JPG or PNG) as PDF pages."""
    return as_pdf(data, media_type)


def render_part(template: str, **context: Any) -> bytes:
    return render_pdf(template, **context)


def _number_pages(writer: PdfWriter, label: str) -> None:
    sizes = []
    for page in writer.pages:
        box = page.cropbox
        sizes.append((float(box.width), float(box.height)))
    names = {size: f"s{index}" for index, size in enumerate(dict.fromkeys(sizes))}
    overlay = PdfReader(
        io.BytesIO(
            render_pdf(
                "package_page_numbers.html",
                pages=[names[size] for size in sizes],
                sizes=[(name, w, h) for (w, h), name in names.items()],
                total=len(sizes),
                label=label,
            )
        )
    )
    for page, stamp in zip(writer.pages, overlay.pages, strict=True):
        box = page.cropbox
        page.merge_transformed_page(stamp, Transformation().translate(float(box.left), float(box.bottom)))


def bind(pieces: Sequence[Piece], *, title: str, label: str) -> bytes:
    """The pieces in the order given, one bookmark per distinct path prefix, page numbers on every page."""
    writer = PdfWriter()
    starts: list[int] = []
    for piece in pieces:
        starts.append(len(writer.pages))
        writer.append(PdfReader(io.BytesIO(piece.pdf)), import_outline=False)
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()  # the number goes at the bottom as the page is read
    _number_pages(writer, label)
    parents: dict[tuple[str, ...], IndirectObject] = {}
    for piece, start in zip(pieces, starts, strict=True):
        for depth in range(1, len(piece.path) + 1):
            prefix = piece.path[:depth]
            if prefix in parents:
                continue
            parent = parents.get(prefix[:-1])
            parents[prefix] = writer.add_outline_item(title=prefix[-1], page_number=start, parent=parent)
        pages = page_count(piece.pdf)
        if piece.page_marks and pages > 1:
            for offset in range(pages):
                writer.add_outline_item(
                    title=f"第{offset + 1}页", page_number=start + offset, parent=parents[piece.path]
                )
    writer.add_metadata({"/Title": title, "/Producer": "职称申报服务平台"})
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
