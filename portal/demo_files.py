"""Deterministic stand-ins for what applicants really upload, for the demo data, tests and the bench
(issue 23): a 12-megapixel phone photo of a document and a 30-page greyscale scan, both far over the
provincial systems' 2 MB cap, so a hand-off has something to re-encode and split. Same bytes on every run
(seeded grain, no clock), generated in a few seconds."""

from __future__ import annotations

import functools
import io
import random

from PIL import Image, ImageDraw

A4_200DPI = (1654, 2339)


def _grain(size: tuple[int, int], seed: int, low: int, spread: int, coarse: int = 1) -> Image.Image:
    """Paper grain: seeded noise in ``low``..``low + spread``, in specks of ``coarse`` pixels
    (Image.effect_noise is not seedable)."""
    small = (size[0] // coarse, size[1] // coarse)
    raw = random.Random(seed).randbytes(small[0] * small[1])
    grain = Image.frombytes("L", small, raw).point(lambda v: low + v * spread // 255)
    return grain if coarse == 1 else grain.resize(size, Image.Resampling.BILINEAR)


def _words(
    draw: ImageDraw.ImageDraw, size: tuple[int, int], seed: int, margin: int, line: int, ink: object
) -> None:
    rng = random.Random(seed)
    for y in range(margin, size[1] - margin, line):
        x = margin
        while x < size[0] - margin:
            length = rng.randint(20, 90)
            draw.rectangle([x, y, min(x + length, size[0] - margin), y + line * 4 // 10], fill=ink)
            x += length + rng.randint(12, 30)


def scan_page(seed: int, size: tuple[int, int] = A4_200DPI) -> Image.Image:
    """One greyscale A4 page at 200 dpi: grain and lines of "words" (number ``seed`` in the corner)."""
    page = _grain(size, seed, 215, 30, coarse=3)
    draw = ImageDraw.Draw(page)
    _words(draw, size, seed, 150, 52, 40)
    draw.text((60, 40), f"- {seed + 1} -", fill=0)
    return page


@functools.cache  # the same bytes every time: made once per process (tests load the demo often)
def scanned_pdf(pages: int = 30) -> bytes:
    """A scan of ``pages`` A4 pages at 200 dpi (JPEG pages, about half a megabyte each)."""
    images = [scan_page(i) for i in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=200.0, quality=85)
    return out.getvalue()


@functools.cache
def phone_photo(width: int = 4000, height: int = 3000, seed: int = 3) -> bytes:
    """A 12-megapixel phone photo of a printed document (colour, grain, JPEG quality 92)."""
    grain = _grain((width, height), seed, 0, 255)
    base = Image.new("RGB", (width, height), (214, 208, 196))
    image = Image.merge("RGB", [Image.blend(c, grain, 0.25) for c in base.split()])
    _words(ImageDraw.Draw(image), (width, height), seed, 300, 90, (40, 40, 50))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()
