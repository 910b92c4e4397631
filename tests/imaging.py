"""Test inputs made on the spot: phone-like photos, PDFs of n pages, a seal image, hand-built PDFs with
whatever catalog and page entries a test needs, a pixel bomb."""

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


def raw_pdf(
    catalog: bytes = b"", page: bytes = b"", *extra: bytes, preamble: bytes = b"", tail: bytes = b""
) -> bytes:
    """A hand-built, well-formed PDF whose catalog and page carry `catalog` / `page` entries, `extra`
    objects numbered from 4; `preamble` goes after the header line, `tail` after %%EOF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page + b" >>",
        *extra,
    ]
    out = b"%PDF-1.7\n" + preamble
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out + tail


def pixel_bomb() -> bytes:
    """A PNG header claiming 30000×30000 (900 MP), with a token image body."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
