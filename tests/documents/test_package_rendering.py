"""The package PDF's machinery without a database: one render whose 装订目录 and 共 N 页 come out right,
page numbers and watermarks laid over the materials upright whatever their /Rotate, user text in the
page margin printed as typed, and the check that tells an operator when PDFs will be slow (issue 20)."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from portal.documents import packages as documents
from portal.documents import rendering, stamps
from tests import imaging

WATERMARK = "仅供职称申报使用 · 谢晓燕 · 2026-09-28 10:00"
SECTIONS = [documents.Section("封面", "cover"), documents.Section("申报表", "form"),
            documents.Section("各级审核意见", "opinions")]  # fmt: skip


def _context() -> dict[str, Any]:
    return {"facts": [("申报人", "王五")], "generated": {"at": "2026-09-28 10:00", "by": "谢晓燕"},
            "sections": [("基本信息", [("姓名", "王五")])], "groups": [], "notice": None}  # fmt: skip


def _page(width: int, height: int, rotation: int = 0) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PDF", resolution=72)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    if rotation:
        writer.pages[0].rotate(rotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _bind(materials: list[documents.Material], label: str = "王五 申报材料") -> PdfReader:
    bound = documents.bind(
        SECTIONS, materials, title="王五 职称申报材料", label=label, watermark=WATERMARK, context=_context()
    )
    reader = PdfReader(io.BytesIO(bound.data))
    assert len(reader.pages) == bound.pages
    return reader


def test_the_contents_and_the_page_numbers_are_right_in_one_render() -> None:
    scans = [
        documents.Material(("申报材料", "身份证件", "1. 身份证"), imaging.pdf(3)),
        documents.Material(("申报材料", "学历证书", "2. 毕业证"), imaging.pdf(2)),
    ]
    reader = _bind(scans)
    total = len(reader.pages)
    own = total - 5  # the cover, the form and the opinions, then five scanned pages
    assert own == 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"第 {number} 页，共 {total} 页" in text and WATERMARK in text
    contents = reader.pages[0].extract_text()
    # 装订目录: each line's page is where its part starts
    for title, page in (
        ("申报表", 2),
        ("各级审核意见", 3),
        ("身份证件", 4),
        ("1. 身份证", 4),
        ("2. 毕业证", 7),
    ):
        assert re.search(rf"{re.escape(title)}\s*{page}\b", contents), title


def test_the_parts_after_the_cover_are_bound_in_the_order_given() -> None:
    # A committee's 装订目录 lists opinions before the form: the pages followed the template's fixed order
    # while the contents followed the binding (page numbers out of order, the first part missing).
    sections = [SECTIONS[0], SECTIONS[2], SECTIONS[1]]
    bound = documents.bind(
        sections,
        [],
        title="王五 职称申报材料",
        label="王五 申报材料",
        watermark=WATERMARK,
        context=_context(),
    )
    reader = PdfReader(io.BytesIO(bound.data))
    assert "专业技术资格申报材料" in reader.pages[0].extract_text()
    assert (
        "各级审核意见" in reader.pages[1].extract_text()
        and "专业技术资格申报表" in reader.pages[2].extract_text()
    )
    contents = reader.pages[0].extract_text()
    assert re.search(r"各级审核意见\s*2\b", contents) and re.search(r"申报表\s*3\b", contents)
    with pytest.raises(ValueError):
        documents.bind(sections[1:], [], title="t", label="l", watermark=WATERMARK, context=_context())


def test_the_label_is_printed_as_typed_whatever_it_holds() -> None:
    label = '王"五\\ </style>{color:red} 申报材料'
    reader = _bind([], label=label)
    assert f"{label}\u3000第 1 页" in reader.pages[0].extract_text()


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_overlays_sit_upright_at_the_bottom_of_a_rotated_page(rotation: int) -> None:
    reader = _bind([documents.Material(("申报材料", "其他", "扫描"), _page(600, 400, rotation))])
    page = reader.pages[-1]
    assert page.rotation == rotation and float(page.mediabox.width) == 600  # the page as it came
    width, height = (400, 600) if rotation in (90, 270) else (600, 400)  # as it is shown
    streams = page["/Contents"]
    drawn = streams[-1].get_object().get_data().decode()
    a, b, c, d, e, f = (
        float(v) for v in re.search(r"q ([-\d. ]+) cm /PortalOverlay0 Do", drawn).group(1).split()
    )

    def shown(x: float, y: float) -> tuple[float, float]:
        """The overlay's point, placed by our matrix, then turned as a viewer turns the page."""
        ux, uy = a * x + c * y + e, b * x + d * y + f
        return {0: (ux, uy), 90: (uy, 600 - ux), 180: (600 - ux, 400 - uy), 270: (400 - uy, ux)}[rotation]

    assert shown(width / 2, 0) == pytest.approx((width / 2, 0), abs=0.01)  # the page number's baseline
    assert shown(width, height) == pytest.approx((width, height), abs=0.01)  # the top-right corner


def test_a_download_of_mixed_page_sizes_is_watermarked_on_every_page() -> None:
    writer = PdfWriter()
    for size in ((595, 842), (842, 595), (300, 200)):
        writer.append(PdfReader(io.BytesIO(_page(*size))))
    out = io.BytesIO()
    writer.write(out)
    marked = PdfReader(io.BytesIO(stamps.watermark(out.getvalue(), "application/pdf", WATERMARK)))
    assert len(marked.pages) == 3
    assert all(WATERMARK in page.extract_text() for page in marked.pages)


def test_font_subsetting_by_harfbuzz_is_checked_and_its_absence_named(caplog: Any) -> None:
    assert rendering.subsetting_problem() is None  # scripts/ensure-system-packages.sh installs it
    missing = {"subset_names": ("libportal-no-such-harfbuzz-subset.so.0",)}
    problem = rendering.subsetting_problem(**missing)
    assert problem is not None and "libharfbuzz-subset0" in problem
    logger = logging.getLogger("portal.test")
    with caplog.at_level(logging.WARNING, logger="portal.test"):
        assert rendering.warn_if_slow(logger, **missing) == problem
    assert any("PDF rendering will be slow" in r.getMessage() for r in caplog.records)
