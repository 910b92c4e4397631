"""What the bar charts need beyond the data: a label fitted to the chart's label column.

The column is 144 SVG units wide at 12px: twelve Chinese characters, or about twenty-two Latin letters.
Cutting every label at twelve characters (as the chart did) left English labels at half the column and
cut mid-word with no sign of it ("Recognised,"); a label is now measured by its characters' widths and,
when it does not fit, ends with "…" (the bar's tooltip and the table for screen readers keep it whole).
"""

from __future__ import annotations

import unicodedata

LABEL_COLUMN = 144.0  # SVG units: x=0 to the bars at x=150, less a gap
_WIDE = 12.0  # a Chinese character or another full-width one at 12px
_NARROW = 6.6  # an average Latin letter, digit or space at 12px (Noto Sans)
_ELLIPSIS = "…"


def _width(char: str) -> float:
    return _WIDE if unicodedata.east_asian_width(char) in ("W", "F") else _NARROW


def fit_label(text: str, column: float = LABEL_COLUMN) -> str:
    """`text` whole if it fits the column, else as much as fits followed by "…" (trailing spaces and
    punctuation before the cut dropped, so it never reads "Recognised,…")."""
    if sum(_width(char) for char in text) <= column:
        return text
    room, kept = column - _NARROW, []
    for char in text:
        room -= _width(char)
        if room < 0:
            break
        kept.append(char)
    return "".join(kept).rstrip(" ,;:，；：、") + _ELLIPSIS
