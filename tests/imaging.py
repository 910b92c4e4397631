"""Test inputs made on the spot: phone-like photos, PDFs of n pages, a seal image, hand-built PDFs with
whatever catalog and page entries a test needs, PDFs whose pages are one image stream as given, a pixel
bomb."""

from __future__ import annotations

import io

import pikepdf
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


def image_page(
    pdf: pikepdf.Pdf,
    stream: bytes,
    size: tuple[int, int],
    *,
    filter: str = "/FlateDecode",
    colour: str = "/DeviceRGB",
    box: tuple[float, float] = (595, 842),
) -> pikepdf.Page:
    """A page of `pdf` (`box` points, A4 by default) filled by one 8-bit image: `stream` as given,
    declared `size` pixels, encoded with `filter` in `colour`. Nothing checks that the stream is what it
    declares, so a test can hand the reader a bomb or a lie."""
    image = pikepdf.Stream(pdf, stream)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = size
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name(colour), 8
    image.Filter = pikepdf.Name(filter)
    width, height = box
    return pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, width, height],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=pikepdf.Stream(pdf, f"q {width} 0 0 {height} 0 0 cm /Im0 Do Q".encode()),
        )
    )


def image_pdf(stream: bytes, size: tuple[int, int], **page: str) -> bytes:
    """A one-page A4 PDF of `image_page` (its `filter` and `colour` as keywords)."""
    pdf = pikepdf.new()
    pdf.pages.append(image_page(pdf, stream, size, **page))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


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
