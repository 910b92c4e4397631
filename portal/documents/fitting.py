"""Files made to fit a provincial system's upload rules (issue 23.2): JPG/JPEG or PDF, each within the byte
cap, whatever was stored (a 12-megapixel phone photo, a 30-page scan, several files in one slot).

One slot's materials (``Source``) become one file when they can (a JPEG for a single image, else one PDF
with every page in order), or numbered parts when even the legibility floor does not fit:

1. a single file of an accepted type already within the cap is kept byte for byte;
2. otherwise raster images are re-encoded down the profile's ladder — each JPEG quality at the best
   resolution, then the next resolution — until the whole fits; a page keeps its size on paper, so the
   floor resolution (150 dpi) keeps text legible, and an image without a paper size stands for the
   ladder's paper (A4);
3. at the floor, a PDF that still does not fit is split into parts, each within the cap, pages in order;
   a page that alone stays over the cap is reported (``Unfit``: it needs a new scan) and left out, and
   the rest is still built.

A source that cannot be read (corrupt, encrypted) is reported the same way. Only images of 8 bits per
component are re-encoded (a bilevel fax scan is already small), and only when that makes them smaller:
JPEGs, and Flate images of grey or RGB samples without a predictor. Decoding is bounded by the image's
declared size (at most MAX_PIXELS; a Flate stream is inflated no further than that size holds), since an
applicant's upload over the cap is fitted here before anyone has looked at it.
PDFs are handled with pikepdf (qpdf), images with Pillow. No Flask, no database.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from PIL import Image, UnidentifiedImageError

from portal.domain.handoffs import MEDIA_TYPES, PAPERS, Ladder
from portal.domain.uploads import size_text

JPEG = MEDIA_TYPES["jpg"]
PDF = MEDIA_TYPES["pdf"]
SAMPLE_PAGES = 3  # pages encoded at every step to choose the step for the whole document
MARGIN = 0.95  # aim under the cap by this factor when choosing from estimates (then verified)
# Re-encoded: JPEG images, and Flate images of plain grey or RGB samples without a predictor (inflated by
# us within their declared size). Any other image stays as it is.
_FLATE_MODES = {"/DeviceGray": ("L", 1), "/DeviceRGB": ("RGB", 3)}
MAX_PIXELS = 40_000_000  # as an upload's image (PORTAL_MAX_IMAGE_PIXELS): an A3 page at 600 dpi is 35 MP


@dataclass(frozen=True)
class Source:
    """One stored file going into a slot: what people call it (for problems), its bytes and type."""

    label: str
    data: bytes
    media_type: str


@dataclass(frozen=True)
class Output:
    data: bytes
    media_type: str
    pages: int


@dataclass(frozen=True)
class Unfit:
    """Something left out: a page (1-based within its source; 0 = the whole file) and why, in Chinese."""

    label: str
    page: int
    why: str


@dataclass
class Fit:
    outputs: list[Output] = field(default_factory=list)
    unfit: list[Unfit] = field(default_factory=list)
    reencoded: bool = False  # something was re-encoded (the manifest says so)


class _Broken(Exception):
    """A source that cannot be read; ``str`` is the Chinese reason."""


def steps(ladder: Ladder) -> list[tuple[int, int]]:
    """(dpi, quality) best first: every quality at the best resolution, then the next resolution."""
    return [(dpi, quality) for dpi in ladder.dpi for quality in ladder.qualities]


def page_count(data: bytes, media_type: str) -> int:
    """Pages of a PDF, 1 for an image."""
    if media_type != PDF:
        return 1
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def fit(sources: list[Source], *, cap: int, types: tuple[str, ...], ladder: Ladder) -> Fit:
    """The sources of one slot as files within ``cap`` bytes of the accepted ``types`` (jpg, pdf)."""
    accepted = {MEDIA_TYPES[t] for t in types}
    if len(sources) == 1:
        one = sources[0]
        if one.media_type in accepted and len(one.data) <= cap and _readable(one):
            return Fit([Output(one.data, one.media_type, page_count(one.data, one.media_type))])
        if one.media_type != PDF and JPEG in accepted:
            return _fit_image(one, cap, ladder)
    if PDF not in accepted:  # a target taking images only: each image on its own, PDFs cannot go
        result = Fit()
        for source in sources:
            if source.media_type == PDF:
                result.unfit.append(Unfit(source.label, 0, "目标系统只收图片，PDF 无法转换，请上传照片"))
                continue
            one = _fit_image(source, cap, ladder)
            result.outputs += one.outputs
            result.unfit += one.unfit
            result.reencoded = True
        return result
    return _fit_pdf(sources, cap, ladder)


# --- images -------------------------------------------------------------------------------------------


def _open_image(source: Source) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(source.data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as broken:
        raise _Broken("图片文件损坏，无法读取，请重新上传") from broken
    return image


def _flat(image: Image.Image) -> Image.Image:
    """RGB or greyscale, transparency laid on white (JPEG has no alpha)."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("1", "I;16", "I", "F"):
        return image.convert("L")
    if image.mode == "CMYK" or ("A" not in image.getbands() and image.mode != "P"):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", image.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _long_side_px(long_inches: float, dpi: int, native: int) -> int:
    return min(native, max(1, round(long_inches * dpi)))


def _scaled(image: Image.Image, long_px: int) -> Image.Image:
    if max(image.size) <= long_px:
        return image
    ratio = long_px / max(image.size)
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _paper_long_inches(ladder: Ladder) -> float:
    return PAPERS[ladder.paper][1]


def _fit_image(source: Source, cap: int, ladder: Ladder) -> Fit:
    """One image as one JPEG within the cap, down the ladder; reported when the floor is too big."""
    try:
        image = _flat(_open_image(source))
    except _Broken as why:
        return Fit(unfit=[Unfit(source.label, 0, str(why))])
    long_inches = _paper_long_inches(ladder)
    ladder_steps = steps(ladder)
    scaled: dict[int, Image.Image] = {}
    encoded: dict[int, bytes] = {}

    def encode(index: int) -> bytes:
        if index not in encoded:
            dpi, quality = ladder_steps[index]
            long_px = _long_side_px(long_inches, dpi, max(image.size))
            if long_px not in scaled:
                scaled[long_px] = _scaled(image, long_px)
            encoded[index] = _jpeg(scaled[long_px], quality)
        return encoded[index]

    # The floor first (if even it is too big, the image needs a new scan), then halving to the first
    # step that fits (the ladder gets smaller step by step).
    low, chosen = 0, len(ladder_steps) - 1
    if len(encode(chosen)) > cap:
        return Fit(unfit=[Unfit(source.label, 1, _too_big(len(encode(chosen)), cap, ladder))])
    while low < chosen:
        middle = (low + chosen) // 2
        if len(encode(middle)) <= cap:
            chosen = middle
        else:
            low = middle + 1
    return Fit([Output(encode(chosen), JPEG, 1)], reencoded=True)


def _too_big(size: int, cap: int, ladder: Ladder) -> str:
    return (
        f"降到{ladder.floor_dpi}dpi、压缩质量{ladder.qualities[-1]}后仍有{size_text(size)}，"
        f"超过每个文件{size_text(cap)}的上限：需要重新扫描（分辨率不超过300dpi，或分几页扫描）"
    )


# --- PDFs ---------------------------------------------------------------------------------------------


def _readable(source: Source) -> bool:
    try:
        if source.media_type == PDF:
            with pikepdf.open(io.BytesIO(source.data)):
                return True
        _open_image(source)
    except (pikepdf.PdfError, _Broken):
        return False
    return True


def _image_page(pdf: pikepdf.Pdf, source: Source, ladder: Ladder) -> None:
    """An image as a page of the paper's long side (its own proportions), the JPEG embedded unchanged
    when it is one already (else encoded at the ladder's best quality)."""
    image = _open_image(source)
    if source.media_type == JPEG and image.mode in ("RGB", "L"):
        data = source.data
    else:
        image = _flat(image)
        data = _jpeg(image, ladder.qualities[0])
    long_points = _paper_long_inches(ladder) * 72
    ratio = long_points / max(image.size)
    width, height = image.width * ratio, image.height * ratio
    xobject = pikepdf.Stream(pdf, data)
    xobject.Type = pikepdf.Name.XObject
    xobject.Subtype = pikepdf.Name.Image
    xobject.Width, xobject.Height = image.width, image.height
    xobject.ColorSpace = pikepdf.Name.DeviceGray if image.mode == "L" else pikepdf.Name.DeviceRGB
    xobject.BitsPerComponent = 8
    xobject.Filter = pikepdf.Name.DCTDecode
    content = pikepdf.Stream(pdf, f"q {width:.2f} 0 0 {height:.2f} 0 0 cm /Im0 Do Q".encode())
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, round(width, 2), round(height, 2)],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject)),
        Contents=content,
    )
    pdf.pages.append(pikepdf.Page(page))


@dataclass
class _Merged:
    pdf: pikepdf.Pdf
    origin: list[tuple[int, int]]  # per page: (source index, page number within the source)


def _merge(sources: list[Source], ladder: Ladder, unfit: list[Unfit] | None) -> _Merged:
    """Every readable source's pages in order in a new PDF (corrupt or encrypted ones reported)."""
    merged = pikepdf.new()
    origin: list[tuple[int, int]] = []
    for index, source in enumerate(sources):
        try:
            if source.media_type == PDF:
                try:
                    opened = pikepdf.open(io.BytesIO(source.data))
                except pikepdf.PasswordError as locked:
                    raise _Broken("PDF 已加密，无法转换：请上传未加密的文件") from locked
                except pikepdf.PdfError as broken:
                    raise _Broken("PDF 文件损坏，无法读取：请重新上传") from broken
                with opened:
                    count = len(opened.pages)
                    merged.pages.extend(opened.pages)
            else:
                single = pikepdf.new()
                _image_page(single, source, ladder)
                count = 1
                merged.pages.extend(single.pages)
        except _Broken as why:
            if unfit is not None:
                unfit.append(Unfit(source.label, 0, str(why)))
            continue
        origin += [(index, number) for number in range(1, count + 1)]
    return _Merged(merged, origin)


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(
        out,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        linearize=False,
        deterministic_id=True,
    )
    return out.getvalue()


def _page_images(page: pikepdf.Page) -> Iterator[pikepdf.Stream]:
    for _name, raw in page.get_images().items():
        if raw.get("/SMask") is not None or raw.get("/ImageMask", False):
            continue
        if int(raw.get("/BitsPerComponent", 8)) != 8:
            continue
        # Decoding is bounded by what the image declares: a page image of more pixels than any scan has is
        # left as it is (an upload reaches here too, before anyone has looked at it).
        if not 0 < int(raw.get("/Width", 0)) * int(raw.get("/Height", 0)) <= MAX_PIXELS:
            continue
        filters = raw.get("/Filter")
        names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
        plain_flate = names == ["/FlateDecode"] and "/DecodeParms" not in raw and _colour(raw) in _FLATE_MODES
        if names == ["/DCTDecode"] or plain_flate:
            yield raw


def _colour(raw: pikepdf.Stream) -> str:
    space = raw.get("/ColorSpace")
    return str(space) if isinstance(space, pikepdf.Name) else ""


def _decode(raw: pikepdf.Stream, long_px: int) -> Image.Image:
    """The image, decoded at no more than about twice ``long_px`` when it is a JPEG (Pillow's draft mode
    decodes at 1/2, 1/4, 1/8 scale: far faster for a big scan). A Flate image is inflated to no more than
    the bytes its declared size holds: a small stream that inflates to gigabytes stops there."""
    if str(raw.get("/Filter")) == "/DCTDecode":
        image = Image.open(io.BytesIO(raw.read_raw_bytes()))
        if image.width * image.height > MAX_PIXELS:
            raise ValueError("more pixels than the image declares")
        if max(image.size) > 2 * long_px:
            ratio = long_px / max(image.size)
            image.draft(image.mode, (round(image.width * ratio), round(image.height * ratio)))
        image.load()
    else:
        mode, channels = _FLATE_MODES[_colour(raw)]
        size = (int(raw.Width), int(raw.Height))
        expected = size[0] * size[1] * channels
        pixels = zlib.decompressobj().decompress(raw.read_raw_bytes(), expected)
        if len(pixels) != expected:
            raise ValueError("the image's data does not fill its declared size")
        image = Image.frombytes(mode, size, pixels)
    return _flat(image)


def _page_long_inches(page: pikepdf.Page) -> float:
    box = [float(v) for v in page.mediabox]
    return max(abs(box[2] - box[0]), abs(box[3] - box[1])) / 72


@dataclass(frozen=True)
class _Encoded:
    data: bytes
    size: tuple[int, int]
    grey: bool


_Scaled = dict[tuple[tuple[int, int], int], Image.Image | None]


def _encode_page(
    page: pikepdf.Page, dpi: int, quality: int, scaled: _Scaled | None = None
) -> dict[tuple[int, int], _Encoded]:
    """The page's re-encodable images at this step, by object id: only those that get smaller.
    ``scaled`` keeps decoded and scaled images between steps (the estimate tries every step on a few
    pages)."""
    found: dict[tuple[int, int], _Encoded] = {}
    long_inches = _page_long_inches(page)
    for raw in _page_images(page):
        native = max(int(raw.Width), int(raw.Height))
        long_px = _long_side_px(long_inches, dpi, native)
        key = (raw.objgen, long_px)
        if scaled is not None and key in scaled:
            image = scaled[key]
        else:
            try:
                image = _scaled(_decode(raw, long_px), long_px)
            except (pikepdf.PdfError, OSError, ValueError, NotImplementedError, Image.DecompressionBombError):
                image = None  # an image Pillow cannot (or must not) decode stays as it is
            if scaled is not None:
                scaled[key] = image
        if image is None:
            continue
        data = _jpeg(image, quality)
        if len(data) < len(raw.read_raw_bytes()):
            found[raw.objgen] = _Encoded(data, image.size, image.mode == "L")
    return found


def _apply(pdf: pikepdf.Pdf, encoded: dict[tuple[int, int], _Encoded]) -> None:
    for page in pdf.pages:
        for raw in _page_images(page):
            new = encoded.get(raw.objgen)
            if new is None:
                continue
            raw.write(new.data, filter=pikepdf.Name.DCTDecode)
            raw.Width, raw.Height = new.size
            raw.ColorSpace = pikepdf.Name.DeviceGray if new.grey else pikepdf.Name.DeviceRGB
            raw.BitsPerComponent = 8
            for key in ("/DecodeParms", "/Decode"):
                if key in raw:
                    del raw[key]


def _page_bytes(page: pikepdf.Page, encoded: dict[tuple[int, int], _Encoded]) -> int:
    """The page's image bytes once ``encoded`` replaces some of them."""
    return sum(
        len(encoded[raw.objgen].data) if raw.objgen in encoded else len(raw.read_raw_bytes())
        for raw in _page_images(page)
    )


def _image_bytes(page: pikepdf.Page) -> int:
    return sum(len(raw.read_raw_bytes()) for raw in _page_images(page))


def _sample(count: int) -> list[int]:
    if count <= SAMPLE_PAGES:
        return list(range(count))
    return sorted({round(i * (count - 1) / (SAMPLE_PAGES - 1)) for i in range(SAMPLE_PAGES)})


def _fit_pdf(sources: list[Source], cap: int, ladder: Ladder) -> Fit:
    result = Fit()
    merged = _merge(sources, ladder, result.unfit)
    if not merged.origin:
        return result
    whole = _save(merged.pdf)
    result.reencoded = len(sources) > 1
    if len(whole) <= cap:
        result.outputs.append(Output(whole, PDF, len(merged.origin)))
        return result
    result.reencoded = True
    pages = list(merged.pdf.pages)
    images_total = sum(_image_bytes(page) for page in pages)
    fixed = max(0, len(whole) - images_total)  # what re-encoding does not change (text, fonts, structure)
    sample = _sample(len(pages))
    ladder_steps = steps(ladder)
    # Estimate a step from a few pages; find the first step that looks small enough by halving the ladder
    # (it gets smaller step by step), straight to the floor when even the floor will need parts; then
    # verify by saving, going further down while the whole does not fit.
    scaled: _Scaled = {}
    estimates: dict[int, float] = {}

    def estimate(index: int) -> float:
        if index not in estimates:
            dpi, quality = ladder_steps[index]
            found = [_page_bytes(pages[i], _encode_page(pages[i], dpi, quality, scaled)) for i in sample]
            estimates[index] = fixed + sum(found) / len(found) * len(pages)
        return estimates[index]

    low, chosen = 0, len(ladder_steps) - 1
    if estimate(chosen) <= cap * MARGIN:
        while low < chosen:
            middle = (low + chosen) // 2
            if estimate(middle) <= cap * MARGIN:
                chosen = middle
            else:
                low = middle + 1
    scaled.clear()
    for index in range(chosen, len(ladder_steps)):
        dpi, quality = ladder_steps[index]
        attempt = _merge(sources, ladder, None)
        encoded: dict[tuple[int, int], _Encoded] = {}
        per_page_bytes = []
        for page in attempt.pdf.pages:
            found = _encode_page(page, dpi, quality)
            encoded.update(found)
            per_page_bytes.append(_page_bytes(page, found))
        _apply(attempt.pdf, encoded)
        data = _save(attempt.pdf)
        if len(data) <= cap:
            result.outputs.append(Output(data, PDF, len(attempt.origin)))
            return result
        if index == len(ladder_steps) - 1:
            _split(attempt, per_page_bytes, fixed, cap, ladder, sources, result)
            return result
    return result  # pragma: no cover - the loop returns at the floor


def _split(
    merged: _Merged,
    page_bytes: list[int],
    fixed: int,
    cap: int,
    ladder: Ladder,
    sources: list[Source],
    result: Fit,
) -> None:
    """Pages at the floor packed in order into parts within the cap; a page that alone is over it is
    reported and left out."""
    overhead = fixed / max(1, len(page_bytes))
    groups: list[list[int]] = [[]]
    running = 0.0
    for index, size in enumerate(page_bytes):
        cost = size + overhead
        if groups[-1] and running + cost > cap * MARGIN:
            groups.append([])
            running = 0.0
        groups[-1].append(index)
        running += cost
    queue = [g for g in groups if g]
    while queue:
        group = queue.pop(0)
        part = pikepdf.new()
        part.pages.extend(merged.pdf.pages[i] for i in group)
        data = _save(part)
        if len(data) <= cap:
            result.outputs.append(Output(data, PDF, len(group)))
            continue
        if len(group) > 1:
            half = len(group) // 2
            queue[:0] = [group[:half], group[half:]]
            continue
        source_index, number = merged.origin[group[0]]
        result.unfit.append(Unfit(sources[source_index].label, number, _too_big(len(data), cap, ladder)))
