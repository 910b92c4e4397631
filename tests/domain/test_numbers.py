"""One reading of a whole number as people type it (walk 5, finding 9; walk 4, F5)."""

from __future__ import annotations

import pytest

from portal.domain.numbers import NotAWholeNumber, whole_number


@pytest.mark.parametrize(
    ("typed", "read"),
    [("40", 40), ("４０", 40), (" ９ ", 9), ("", None), ("   ", None), (None, None), ("007", 7)],
)
def test_digits_half_or_full_width_are_the_number_and_nothing_typed_is_none(typed: str, read: int) -> None:
    assert whole_number(typed) == read


def test_a_unit_after_the_number_means_nothing_more() -> None:
    assert whole_number("８０％", unit="%") == 80
    assert whole_number("9 人", unit="人") == 9
    assert whole_number("%", unit="%") is None


@pytest.mark.parametrize("typed", ["abc", "-1", "4.5", "九", "1 0", "１２３４５", "9人"])
def test_anything_else_is_said_to_be_no_whole_number(typed: str) -> None:
    with pytest.raises(NotAWholeNumber):
        whole_number(typed, max_digits=4)
