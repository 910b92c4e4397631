"""Files made to fit a target's upload rules (issue 23.2): kept as they are when they fit; photos down the
quality/resolution ladder, never below the legibility floor; PDFs re-encoded, then split into numbered
parts in page order; a page that cannot fit even alone is named (it needs a new scan) and the rest still
built; corrupt and encrypted files reported."""

from __future__ import annotations

import io
import random
import tracemalloc
import zlib

import pikepdf
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from portal.documents import fitting
from portal.documents.fitting import JPEG, PDF, Source
from portal.domain.handoffs import Ladder
from tests.imaging import image_page, image_pdf

LADDER = Ladder(qualities=(85, 75, 65, 55, 45), dpi=(300, 200, 150), paper="A4", source="test")
MB2 = 2_097_152


def scan_page(seed: int, size: tuple[int, int] = (1240, 1754), noise: int = 14) -> Image.Image:
    """A greyscale page like a scan: paper grain and lines of "words"."""
    rng = random.Random(seed)
    page = Image.effect_noise(size, noise).point(lambda v: min(255, v + 150))
    draw = ImageDraw.Draw(page)
    for y in range(120, size[1] - 120, 40):
        x = 100
        while x < size[0] - 160:
            length = rng.randint(20, 80)
            draw.rectangle([x, y, x + length, y + 16], fill=rng.randint(20, 60))
            x += length + rng.randint(10, 24)
    return page


def scan_pdf(pages: int, *, size: tuple[int, int] = (1240, 1754), dpi: float = 150.0) -> bytes:
    """A scanned PDF whose page i is a little taller than page i-1 (so the order can be read back)."""
    pdf = pikepdf.new()
    for i in range(pages):
        out = io.BytesIO()
        scan_page(i % 3, size).save(out, "JPEG", quality=90)
        box = (size[0] * 72 / dpi, size[1] * 72 / dpi + i)
        pdf.pages.append(
            image_page(pdf, out.getvalue(), size, filter="/DCTDecode", colour="/DeviceGray", box=box)
        )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def photo(width: int, height: int) -> bytes:
    """A phone photo of a document: colour, grain, text lines; about 3-4 MB at 12 megapixels."""
    base = Image.new("RGB", (width, height), (214, 208, 196))
    grain = Image.effect_noise((width, height), 30)
    image = Image.merge("RGB", [Image.blend(c, grain, 0.25) for c in base.split()])
    draw = ImageDraw.Draw(image)
    for y in range(height // 10, height - height // 10, height // 30):
        draw.rectangle([width // 10, y, width - width // 10, y + height // 90], fill=(40, 40, 50))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def _fit(*sources: Source, cap: int = MB2, types: tuple[str, ...] = ("jpg", "pdf")) -> fitting.Fit:
    return fitting.fit(list(sources), cap=cap, types=types, ladder=LADDER)


def test_a_file_that_fits_is_kept_byte_for_byte() -> None:
    data = scan_pdf(2)
    result = _fit(Source("扫描件", data, PDF))
    assert [o.data for o in result.outputs] == [data] and not result.reencoded and not result.unfit
    assert result.outputs[0].pages == 2


def test_a_12_megapixel_phone_photo_comes_down_the_ladder_to_one_jpeg_under_2_mb() -> None:
    data = photo(4000, 3000)
    assert len(data) > MB2
    result = _fit(Source("劳动合同照片", data, JPEG))
    (out,) = result.outputs
    assert out.media_type == JPEG and len(out.data) <= MB2 and result.reencoded
    with Image.open(io.BytesIO(out.data)) as image:
        image.load()
        # never below the floor: A4's long side (11.69 in) at 150 dpi
        assert max(image.size) >= round(11.69 * 150) and image.format == "JPEG"


def test_a_png_is_turned_into_a_jpeg_for_a_target_that_takes_jpg_and_pdf() -> None:
    out = io.BytesIO()
    scan_page(1, (600, 800)).convert("RGB").save(out, "PNG")
    (jpeg,) = _fit(Source("截图", out.getvalue(), "image/png")).outputs
    assert jpeg.media_type == JPEG and jpeg.data[:3] == b"\xff\xd8\xff"


def test_a_scan_too_big_is_re_encoded_then_split_into_parts_in_page_order() -> None:
    data = scan_pdf(12)
    cap = 400 * 1024
    assert len(data) > cap
    result = _fit(Source("工作业绩", data, PDF), cap=cap)
    assert len(result.outputs) > 1 and not result.unfit
    heights = []
    for out in result.outputs:
        assert len(out.data) <= cap and out.media_type == PDF
        reader = PdfReader(io.BytesIO(out.data))
        assert len(reader.pages) == out.pages
        heights += [round(float(p.mediabox.height)) for p in reader.pages]
    assert heights == sorted(heights) and len(heights) == 12  # every page, in order


def test_re_encoding_alone_is_enough_when_the_floor_fits() -> None:
    data = scan_pdf(3, size=(2480, 3508), dpi=300.0)  # A4 at 300 dpi: room to come down
    cap = len(data) // 3
    (out,) = _fit(Source("学历证书", data, PDF), cap=cap).outputs
    assert len(out.data) <= cap and out.pages == 3
    with pikepdf.open(io.BytesIO(out.data)) as pdf:
        for page in pdf.pages:
            (image,) = page.get_images().values()
            assert max(int(image.Width), int(image.Height)) >= round(11.69 * 150)  # legible: ≥ 150 dpi


def test_several_files_of_one_slot_become_one_pdf_in_order() -> None:
    small = io.BytesIO()
    scan_page(2, (600, 850)).save(small, "JPEG", quality=80)
    result = _fit(Source("合同第1份", scan_pdf(2), PDF), Source("合同第2份", small.getvalue(), JPEG))
    (out,) = result.outputs
    assert out.media_type == PDF and out.pages == 3 and result.reencoded
    assert len(PdfReader(io.BytesIO(out.data)).pages) == 3


def test_a_page_that_cannot_fit_even_alone_is_named_and_the_rest_is_built() -> None:
    """A drawing scanned on a page so large that at the 150 dpi floor it keeps all its detail (a 40-megapixel
    A0 sheet against 2 MB; here a smaller one against a smaller cap)."""
    huge = Image.effect_noise((1600, 2300), 90)
    out = io.BytesIO()
    huge.save(out, "PDF", resolution=40.0, quality=90)  # 40 x 57.5 inches: the floor is the page itself
    small = scan_pdf(1, size=(400, 560))
    result = _fit(Source("图纸", out.getvalue(), PDF), Source("身份证", small, PDF), cap=400 * 1024)
    assert [(u.label, u.page) for u in result.unfit] == [("图纸", 1)]
    assert "需要重新扫描" in result.unfit[0].why and "150dpi" in result.unfit[0].why
    assert len(result.outputs) == 1 and result.outputs[0].pages == 1  # the ID card is still there


def test_corrupt_and_encrypted_files_are_reported_and_the_rest_built() -> None:
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(scan_pdf(1))) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="u"))
    good = scan_pdf(1)
    result = _fit(
        Source("加密的", locked.getvalue(), PDF),
        Source("坏的", b"%PDF-1.7\n garbage", PDF),
        Source("好的", good, PDF),
        cap=len(good) + 10_000,
    )
    reasons = {u.label: u.why for u in result.unfit}
    assert "已加密" in reasons["加密的"] and "损坏" in reasons["坏的"]
    assert len(result.outputs) == 1 and result.outputs[0].pages == 1


@pytest.mark.parametrize("noise", [90])
def test_a_photo_that_stays_over_the_cap_at_the_floor_is_named(noise: int) -> None:
    image = Image.effect_noise((2000, 2800), noise).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    result = _fit(Source("照片", out.getvalue(), JPEG), cap=100 * 1024)
    assert result.outputs == [] and result.unfit[0].page == 1 and "重新扫描" in result.unfit[0].why


def test_a_flate_image_is_inflated_no_further_than_its_declared_size() -> None:
    # An applicant's PDF over the cap is fitted as it is uploaded: a 1000 × 1000 image whose small stream
    # inflates to 400 MB must not be inflated whole (it was: pikepdf read the stream to its end).
    squeeze = zlib.compressobj(9)
    bomb = b"".join(squeeze.compress(b"\0" * 4_000_000) for _ in range(100)) + squeeze.flush()
    data = image_pdf(bomb, (1000, 1000))
    assert len(data) < 1_000_000
    tracemalloc.start()
    try:
        result = _fit(Source("炸弹.pdf", data, PDF), cap=len(data) // 2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60_000_000, peak  # the declared 3 MB of pixels and their JPEG, not 400 MB
    assert result.unfit or all(len(o.data) <= len(data) // 2 for o in result.outputs)
    # A plain Flate page (a PNG-like scan) is still re-encoded to fit.
    page = scan_page(1).convert("RGB")
    plain = image_pdf(zlib.compress(page.tobytes()), page.size)
    fitted = _fit(Source("扫描件.pdf", plain, PDF), cap=400_000)
    assert len(fitted.outputs) == 1 and len(fitted.outputs[0].data) <= 400_000 and not fitted.unfit


def test_a_jpeg_whose_header_declares_a_pixel_bomb_is_left_as_it_is() -> None:
    out = io.BytesIO()
    scan_page(2, (400, 400)).save(out, "JPEG", quality=95)
    jpeg = bytearray(out.getvalue())
    sof = jpeg.index(b"\xff\xc0")
    jpeg[sof + 5 : sof + 9] = (20000).to_bytes(2, "big") + (10000).to_bytes(2, "big")  # 200 MP declared
    # The page declares 400 × 400; the JPEG itself says otherwise.
    saved = image_pdf(bytes(jpeg), (400, 400), filter="/DCTDecode", colour="/DeviceGray")
    result = _fit(Source("bomb.pdf", saved, PDF), cap=len(saved) // 2)
    assert result.unfit and not result.outputs  # reported (needs a new scan), not an exception
