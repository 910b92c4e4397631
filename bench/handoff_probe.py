"""The JX hand-off of one application with a 30-page scan and a 12-megapixel phone photo (issue 23), in a
fresh process: ``ours`` fits both to 江西省职称申报评审系统's rules (each file JPG or PDF ≤ 2 MB: the photo
down the ladder, the scan re-encoded and split) through documents/fitting.py with the jx profile; the
``floor`` only opens and re-saves the same files (pikepdf, Pillow), the least any hand-off does.

Prints one JSON line: seconds, growth_mb (peak resident memory over the process after reading the inputs),
files, largest_bytes.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main(mode: str) -> None:
    import pikepdf
    from PIL import Image

    from portal.demo_files import phone_photo, scanned_pdf
    from portal.documents.fitting import Source, fit
    from portal.domain.handoffs import load_profiles

    rules = load_profiles()["jx"].files
    scan, photo = scanned_pdf(30), phone_photo()
    base = _rss_kb("VmRSS")
    start = time.perf_counter()
    sizes: list[int] = []
    if mode == "ours":
        for source in (Source("身份证", photo, "image/jpeg"), Source("劳动合同", scan, "application/pdf")):
            fitted = fit([source], cap=rules.max_bytes, types=rules.types, ladder=rules.ladder)
            sizes += [len(o.data) for o in fitted.outputs]
    else:
        with pikepdf.open(io.BytesIO(scan)) as pdf:
            out = io.BytesIO()
            pdf.save(out)
            sizes.append(len(out.getvalue()))
        image = Image.open(io.BytesIO(photo))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        sizes.append(len(out.getvalue()))
    seconds = time.perf_counter() - start
    growth = max(0, _rss_kb("VmHWM") - base) / 1024
    print(
        json.dumps(
            {"seconds": seconds, "growth_mb": growth, "files": len(sizes), "largest_bytes": max(sizes)}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
