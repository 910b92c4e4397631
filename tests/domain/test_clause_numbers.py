"""A notice's clause in English is numbered as the catalogue's sentences number clauses ("004 1(7)")."""

from __future__ import annotations

import pytest

from portal.domain.i18n import clause_numbers


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("003 六(一)", "003 6(1)"),
        ("004 一(七)", "004 1(7)"),
        ("004 二(十)", "004 2(10)"),
        ("001 三(二十三)", "001 3(23)"),
        ("003 四、七(一)", "003 4, 7(1)"),
        ("003 二(四)(七)；004 一(五)(十)", "003 2(4)(7); 004 1(5)(10)"),
        ("CHAN-01、003 四", "CHAN-01, 003 4"),
        ("EXAM-06，003 七(一)", "EXAM-06, 003 7(1)"),
        ("003 二 引言", "003 2 引言"),  # a word, not a number: stays (the page marks it Chinese)
        ("003 附件 序号1", "003 附件 序号1"),
        ("第四十条", "第四十条"),  # a numeral inside a word stays
    ],
)
def test_a_clause_is_numbered_in_digits(chinese: str, english: str) -> None:
    assert clause_numbers(chinese) == english
