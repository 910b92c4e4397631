"""Uploads made fit for the dossier (type by content, compression, combining) and the stamp/watermark."""

from __future__ import annotations

import io
import time
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image, ImageDraw, PdfImagePlugin
from pypdf import PdfReader

from portal.documents import inspection, scans, stamps
from portal.domain.uploads import UploadKind, UploadLimits, UploadRefused
from tests import imaging

MB = 1024 * 1024


def test_a_file_named_pdf_that_is_html_or_an_executable_is_refused() -> None:
    for data in (imaging.HTML_AS_PDF, imaging.EXE_AS_PDF):
        with pytest.raises(scans.ScanRejected) as info:
            scans.prepare([scans.Part("身份证.pdf", data)], max_upload=20 * MB, limit=2 * MB)
        assert "不是 PDF、JPG 或 PNG" in info.value.message and "身份证.pdf" in info.value.message


def test_a_broken_pdf_and_an_oversized_upload_are_refused_with_a_clear_message() -> None:
    with pytest.raises(scans.ScanRejected, match="PDF 文件不完整"):
        scans.prepare([scans.Part("a.pdf", b"%PDF-1.7 nonsense")], max_upload=20 * MB, limit=2 * MB)
    with pytest.raises(scans.ScanRejected, match="PDF 文件已损坏"):
        scans.prepare([scans.Part("a.pdf", b"%PDF-1.7 nonsense\n%%EOF\n")], max_upload=20 * MB, limit=2 * MB)
    with pytest.raises(scans.ScanRejected, match=r"单个文件不能超过1\.0 MB"):
        scans.prepare([scans.Part("big.pdf", imaging.pdf(1) + b"\0" * MB)], max_upload=MB, limit=2 * MB)


def test_an_oversized_photo_is_compressed_under_the_limit() -> None:
    raw = imaging.photo(4000, 3000, noisy=True)
    assert len(raw) > 2 * MB
    prepared = scans.prepare([scans.Part("IMG_0001.jpg", raw)], max_upload=20 * MB, limit=2 * MB)
    assert prepared.media_type == "image/jpeg" and len(prepared.data) <= 2 * MB and prepared.recompressed
    assert prepared.pages == 1 and prepared.thumbnail and prepared.thumbnail[:3] == b"\xff\xd8\xff"


def test_a_small_photo_keeps_its_size_but_is_re_encoded_upright_without_its_exif() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held sideways: "rotate 90° clockwise to view"
    exif[0x010F] = "PhoneMaker"  # Make: device metadata
    out = io.BytesIO()
    Image.open(io.BytesIO(imaging.photo(1200, 1600))).save(out, "JPEG", exif=exif.tobytes(), quality=90)
    prepared = scans.prepare([scans.Part("a.jpg", out.getvalue())], max_upload=20 * MB, limit=2 * MB)
    image = Image.open(io.BytesIO(prepared.data))
    assert prepared.data != out.getvalue() and not prepared.recompressed and prepared.removed == ("metadata",)
    assert image.size == (1600, 1200) and not image.getexif() and b"PhoneMaker" not in prepared.data


def test_several_photos_become_one_pdf_in_upload_order() -> None:
    colours = ("#ff0000", "#00ff00", "#0000ff")
    parts = [scans.Part(f"{i}.jpg", imaging.photo(1500, 2000, colour=c)) for i, c in enumerate(colours)]
    prepared = scans.prepare(parts, max_upload=20 * MB, limit=2 * MB)
    assert prepared.media_type == "application/pdf" and prepared.pages == 3 and prepared.combined == 3
    reader = PdfReader(io.BytesIO(prepared.data))
    firsts = []
    for page in reader.pages:
        image = page.images[0].image.convert("RGB")
        firsts.append(image.getpixel((5, 5)))
    assert [max(range(3), key=lambda k, p=p: p[k]) for p in firsts] == [0, 1, 2]  # red, green, blue


def test_the_same_photos_combined_again_are_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    # Services.materials knows an upload sent twice by the stored file's hash: Pillow's PDF wrote the
    # clock's time in it, so the same photos a second later were other bytes (finding F8).
    seconds = iter(range(1_800_000_000, 1_900_000_000, 3600))
    clock = SimpleNamespace(gmtime=lambda *_: time.gmtime(next(seconds)))
    monkeypatch.setattr(PdfImagePlugin, "time", clock)
    photos = [scans.Part(f"IMG_{i}.jpg", imaging.photo(900, 1200)) for i in range(2)]
    first, again = (scans.prepare(photos, max_upload=20 * MB, limit=2 * MB) for _ in range(2))
    assert first.media_type == "application/pdf" and first.combined == 2
    assert first.data == again.data and first.sha256 == again.sha256


def test_a_pdf_and_a_photo_are_joined_and_counted() -> None:
    parts = [scans.Part("a.pdf", imaging.pdf(2)), scans.Part("b.png", imaging.png())]
    prepared = scans.prepare(parts, max_upload=20 * MB, limit=2 * MB)
    assert prepared.pages == 3 and prepared.media_type == "application/pdf"


def test_the_stamp_keeps_the_page_count_and_adds_the_words() -> None:
    original = imaging.pdf(3)
    text = stamps.StampText("与原件相符", "黄丽华", date(2026, 9, 28), "测试单位")
    stamped = stamps.stamp(original, "application/pdf", text, imaging.seal())
    reader = PdfReader(io.BytesIO(stamped))
    assert len(reader.pages) == 3
    assert float(reader.pages[0].mediabox.height) == pytest.approx(842 + stamps.STRIP)
    assert "与原件相符" in reader.pages[2].extract_text() and "黄丽华" in reader.pages[2].extract_text()


def test_the_watermark_names_the_downloader() -> None:
    marked = stamps.watermark(
        imaging.photo(1200, 1600), "image/jpeg", "仅供职称申报使用 · 谢晓燕 · 2026-09-28"
    )
    page = PdfReader(io.BytesIO(marked)).pages[0]
    assert "仅供职称申报使用" in page.extract_text() and "谢晓燕" in page.extract_text()


def test_a_scanned_pdf_is_kept_as_it_is_with_a_thumbnail_of_its_first_page() -> None:
    photo = Image.new("RGB", (3000, 2000), "#3366aa")  # a phone scan: one large JPEG per page
    out = io.BytesIO()
    photo.save(out, "PDF", save_all=True, append_images=[photo], quality=90)
    scan = out.getvalue()
    prepared = scans.prepare([scans.Part("扫描件.pdf", scan)], max_upload=20 * MB, limit=20 * MB)
    assert prepared.data == scan and prepared.pages == 2 and not prepared.recompressed
    assert prepared.thumbnail is not None
    thumbnail = Image.open(io.BytesIO(prepared.thumbnail))
    assert max(thumbnail.size) <= scans.THUMB_SIDE and thumbnail.getpixel((10, 10))[2] > 150  # the blue page


def test_a_scanned_pdf_over_the_cap_is_re_encoded_to_fit_and_refused_only_when_it_cannot() -> None:
    # A 300 dpi scan of three A4 pages (paper's grain, lines of text) was refused outright over the 2 MB cap,
    # while a photo of the same page was compressed to fit.
    page = Image.blend(
        Image.new("L", (2480, 3508), 235), Image.effect_noise((620, 877), 12).resize((2480, 3508)), 0.25
    ).convert("RGB")
    draw = ImageDraw.Draw(page)
    for y in range(100, 3400, 80):
        draw.line([(150, y), (2330, y)], fill="#333333", width=4)
    out = io.BytesIO()
    page.save(out, "PDF", save_all=True, append_images=[page, page], resolution=300.0, quality=95)
    scan = out.getvalue()
    assert len(scan) > 2 * MB
    prepared = scans.prepare([scans.Part("学历证书.pdf", scan)], max_upload=20 * MB, limit=2 * MB)
    assert prepared.media_type == "application/pdf" and prepared.recompressed
    assert prepared.size == len(prepared.data) <= 2 * MB and prepared.pages == 3
    assert len(PdfReader(io.BytesIO(prepared.data)).pages) == 3 and prepared.name == "学历证书.pdf"
    joined = scans.prepare(
        [scans.Part("a.pdf", scan), scans.Part("b.png", imaging.png())], max_upload=20 * MB, limit=2 * MB
    )
    assert joined.pages == 4 and joined.size <= 2 * MB and joined.recompressed
    with pytest.raises(scans.ScanRejected) as info:  # even at 150 dpi a page is over 20 KB
        scans.prepare([scans.Part("学历证书.pdf", scan)], max_upload=20 * MB, limit=20 * 1024)
    assert "压缩后仍超过每个文件20 KB的上限" in info.value.message


@pytest.mark.parametrize(
    ("accept", "name", "kind"),
    [
        (inspection.accept, "x.pdf", UploadKind.SEAL),  # a seal must be a PNG: still, empty comes first
        (inspection.accept_table, "x.pdf", UploadKind.TABLE),  # a table must be .xlsx/.csv
        (inspection.accept_table, "名单.xlsx", UploadKind.TABLE),
    ],
)
def test_an_empty_file_is_said_to_be_empty_whatever_its_name(
    accept: Any, name: str, kind: UploadKind
) -> None:
    with pytest.raises(UploadRefused) as refused:
        accept(io.BytesIO(b""), name, UploadLimits(), kind=kind)
    assert refused.value.code == "empty" and "文件是空的（0字节）" in refused.value.message
