"""One package PDF in a fresh process, so its time and peak RSS are its own: prints a JSON line.

python -m bench.package_probe ours|cold|floor DATABASE_URL BUREAU_ID PAGES [PROFILE.prof]

Every mode first gives one application at the bureau's review real scans: its materials' files (bench-seed
writes metadata only) become PDFs of phone-scan-like A4 pages, PAGES in all, in a temporary file store.
`ours` then builds the package PDF through the service (cover, 装订目录, 申报表, opinions and notice
result in one WeasyPrint render with the page numbers and the watermark, every material, bookmarks) as a
worker in its steady state does: PDF rendering set up at start (`rendering.warm_up()`: WeasyPrint
imported, fonts loaded — what a preloading server does once per process) and one package built before
(SQLAlchemy's compiled statements cached; the session is rolled back, so every row is read again);
`cold` builds it as the first PDF of a fresh process, paying for all of that set-up too; `floor` only
joins the same material PDFs with pypdf — the least any package of those pages costs. With PROFILE, the
measured call runs under cProfile, saved there.

BENCH_WITHOUT_HARFBUZZ_SUBSET=1 makes WeasyPrint believe libharfbuzz-subset0 is missing (it then subsets
the CJK font with fontTools, as on a machine set up without it): what issue 20 measured at 50 s.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from bench.seed import staff_of
from portal import create_app
from portal.documents import rendering
from portal.extensions import db
from portal.models import Application, Endorsement, Material, Membership, StoredFile, UnitSeal
from portal.services import packages
from portal.services.actors import actor_for
from portal.storage.local import LocalStorage


def _reset_peak() -> None:
    """Start the high-water mark afresh (Linux: 5 > clear_refs), so preparing the scans is not counted."""
    Path("/proc/self/clear_refs").write_text("5")


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _scan_page(rng: random.Random) -> Image.Image:
    """An A4 page at 150 dpi that looks like a scanned document: paper tone, lines of 'text', a stamp."""
    page = Image.new("RGB", (1240, 1754), (246, 244, 238))
    draw = ImageDraw.Draw(page)
    y = 160
    while y < 1600:
        x = 120
        while x < 1100:
            width = rng.randrange(20, 90)
            draw.rectangle([x, y, x + width, y + 18], fill=(rng.randrange(30, 80),) * 3)
            x += width + rng.randrange(8, 20)
        y += rng.randrange(34, 48)
    draw.ellipse([880, 1380, 1100, 1600], outline=(200, 40, 40), width=8)
    return page


def _scan_pdf(rng: random.Random, pages: int) -> bytes:
    images = [_scan_page(rng) for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], quality=80, resolution=150)
    return out.getvalue()


def _prepare(bureau: int, pages: int, store: Path) -> tuple[int, list[bytes]]:
    """Real bytes for one application's materials; returns its id and the material PDFs in order."""
    rng = random.Random(30)
    storage = LocalStorage(store)
    application = db.session.scalars(
        select(Application)
        .where(Application.bureau_id == bureau, Application.status == "bureau_review")
        .order_by(Application.id)
        .limit(1)
    ).one()
    materials = list(
        db.session.scalars(
            select(Material).where(Material.application_id == application.id).order_by(Material.id)
        )
    )
    share = [
        pages // len(materials) + (1 if i < pages % len(materials) else 0) for i in range(len(materials))
    ]
    made: list[bytes] = []
    for material, count in zip(materials, share, strict=True):
        data = _scan_pdf(rng, count)
        made.append(data)
        digest = storage.put(data)
        files = [material.file_id] + [
            e.stamped_file_id
            for e in db.session.scalars(select(Endorsement).where(Endorsement.material_id == material.id))
        ]
        for file_id in files:
            stored = db.session.get(StoredFile, file_id)
            assert stored is not None
            stored.sha256, stored.size, stored.media_type = digest, len(data), "application/pdf"
        material.pages = count
    seal_png = io.BytesIO()
    seal = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(seal).ellipse([6, 6, 194, 194], outline=(200, 30, 30, 255), width=12)
    seal.save(seal_png, "PNG")
    for unit_seal in db.session.scalars(select(UnitSeal).where(UnitSeal.org_id == application.enterprise_id)):
        stored = db.session.get(StoredFile, unit_seal.file_id)
        assert stored is not None  # the notice result sheet carries the unit's seal image
        stored.sha256, stored.size = storage.put(seal_png.getvalue()), len(seal_png.getvalue())
    db.session.commit()
    return application.id, made


def _without_harfbuzz_subset() -> None:
    """WeasyPrint's font code checks `harfbuzz_subset` (None when the library could not be loaded) at each
    subset: set to None, it falls back to fontTools exactly as on a machine without the library."""
    import weasyprint.pdf.fonts
    import weasyprint.text.ffi

    weasyprint.text.ffi.harfbuzz_subset = None
    weasyprint.pdf.fonts.harfbuzz_subset = None  # type: ignore[attr-defined]


def main() -> None:
    mode, url, bureau, pages = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    profile_to = sys.argv[5] if len(sys.argv) > 5 else ""
    if os.environ.get("BENCH_WITHOUT_HARFBUZZ_SUBSET"):
        _without_harfbuzz_subset()
    with tempfile.TemporaryDirectory(prefix="portal-bench-store-") as folder:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "PORTAL_STORAGE_DIR": folder})
        with app.app_context():
            application_id, parts = _prepare(bureau, pages, Path(folder))
            handler, _ = staff_of(db.session, bureau)
            membership = db.session.scalars(select(Membership).where(Membership.user_id == handler.id)).one()
            actor = actor_for(handler, membership)
            application = db.session.get(Application, application_id)
            assert application is not None
            if mode == "ours":  # a worker in its steady state: rendering set up, this code run before
                rendering.warm_up()
                packages.build_pdf(
                    db.session, LocalStorage(Path(folder)), actor, application, datetime.now(UTC)
                )
                db.session.rollback()  # nothing of it stays loaded: the measured call reads everything again
                application = db.session.get(Application, application_id)
                assert application is not None
            profiler = cProfile.Profile() if profile_to else None
            _reset_peak()
            before = _status_mb("VmRSS")
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            if mode in ("ours", "cold"):
                storage = LocalStorage(Path(folder))
                built = packages.build_pdf(db.session, storage, actor, application, datetime.now(UTC))
                size, total = len(built.data), built.pages
            else:
                writer = PdfWriter()
                for part in parts:
                    writer.append(PdfReader(io.BytesIO(part)))
                out = io.BytesIO()
                writer.write(out)
                size, total = len(out.getvalue()), len(writer.pages)
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile_to)
            seconds = time.perf_counter() - started
            growth = _status_mb("VmHWM") - before
            db.session.rollback()
    print(json.dumps({"seconds": seconds, "growth_mb": growth, "pages": total, "bytes": size}))


if __name__ == "__main__":
    main()
