"""Whole numbers as people type them: one reading for every field that takes a count or a number of days.

A Chinese IME in full-width mode types ４０ for 40 and ８０％ for 80% (``inputmode="numeric"`` does not stop
it): the text is NFKC-normalised first, as names and document numbers already are, so those digits are
read as the number they are. Anything else that is not a whole number (abc, -1, 9.5) is not read as one;
the caller says so at its field rather than dropping it.

Pure Python: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import unicodedata


class NotAWholeNumber(ValueError):
    """Something was typed, and it is not a whole number (its argument is the text as normalised)."""


def whole_number(raw: object, *, max_digits: int = 9, unit: str = "") -> int | None:
    """The whole number typed in ``raw``, or None when nothing was typed (only spaces, or only ``unit``).

    ``unit`` is a sign the reader may type after the number and that means nothing more (``%`` after a
    percentage). Raises NotAWholeNumber for anything else: letters, a sign, a decimal point, or more
    than ``max_digits`` digits."""
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if unit:
        text = text.removesuffix(unicodedata.normalize("NFKC", unit)).strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > max_digits:
        raise NotAWholeNumber(text)
    return int(text)
