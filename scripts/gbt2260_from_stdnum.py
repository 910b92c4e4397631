"""Regenerate portal/domain/data/gbt2260.tsv from python-stdnum's cn/loc.dat.

    pip download --no-deps python-stdnum && unzip -p python_stdnum-*.whl stdnum/cn/loc.dat > loc.dat
    python scripts/gbt2260_from_stdnum.py loc.dat 2.2 > portal/domain/data/gbt2260.tsv

loc.dat lists every county-level code of GB/T 2260 that the Chinese Wikipedia's code tables record since
1980, each name with the years it was in use ("[1983-]", "[-2010]"). The portal keeps every code, with
those years as information only: a code retired since stays valid for the people registered under it, so
the years are never compared with a birth date (stdnum's birth-year rule refuses real people).
"""

from __future__ import annotations

import re
import sys

LINE = re.compile(r'^(?P<indent>\s*)(?P<code>[0-9]+) (?:province|county)="(?P<names>.*)"\s*$')
NAME = re.compile(r"^(?:\[(?P<since>[0-9]{4})?-(?P<until>[0-9]{4})?\])?(?P<name>.+)$")


def main(path: str, version: str) -> None:
    codes: dict[str, list[tuple[str, str, str]]] = {}
    province = ""
    with open(path, encoding="utf-8") as source:
        for raw in source:
            if raw.startswith("#") or not raw.strip():
                continue
            match = LINE.match(raw)
            if match is None:
                raise SystemExit(f"unexpected line: {raw!r}")
            if not match["indent"]:
                province = match["code"]
                continue
            code = province + match["code"]
            for part in match["names"].split('" county="'):
                named = NAME.match(part)
                assert named is not None
                codes.setdefault(code, []).append((named["name"], named["since"] or "", named["until"] or ""))
    print("# GB/T 2260 中华人民共和国行政区划代码: every county-level code that has ever existed (1980-)")
    print(f"# Source: python-stdnum {version}, stdnum/cn/loc.dat (LGPL-2.1-or-later), itself compiled from")
    print("#   zh.wikipedia.org 中华人民共和国行政区划代码 (1区-8区), which cite the")
    print("#   Ministry of Civil Affairs' yearly lists.")
    print("#   Taken 2026-01 (python-stdnum 2.2); regenerate with")
    print("#   scripts/gbt2260_from_stdnum.py. Columns: code, name, first year, last year (blank: open).")
    print("# The years are information: a retired code stays valid for the people registered under it.")
    for code in sorted(codes):
        for name, since, until in codes[code]:
            print(f"{code}\t{name}\t{since}\t{until}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
