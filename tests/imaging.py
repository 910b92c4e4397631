"""Test inputs made on the spot: phone-like photos, PDFs of n pages, a seal image."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from pypdf import PdfWriter


def photo(width: int = 3000, height: int = 4000, *, noisy: bool = False, colour: str = "#d8d2c4") -> bytes:
    """A JPEG like a phone's: big; `noisy` makes it hard to compress (worst case)."""
    if noisy:
        image = Image.effect_noise((width, height), 90).convert("RGB")
    else:
        image = Image.new("RGB", (width, height), colour)
        draw = ImageDraw.Draw(image)
        for y in range(100, height - 100, 120):
            draw.line([(150, y), (width - 150, y)], fill="#333333", width=6)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


def png(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#eeeeee").save(out, format="PNG")
    return out.getvalue()


def pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seal() -> bytes:
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([6, 6, 194, 194], outline=(200, 30, 30, 255), width=12)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


HTML_AS_PDF = b"<!doctype html><html><script>alert(1)</script></html>"
EXE_AS_PDF = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
