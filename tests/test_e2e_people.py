"""The e2e journeys share one database: every person they open, with the phone and the ID number they
type, is listed once in e2e.factories.PEOPLE, which refuses a clash when imported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from e2e.factories import NOBODY, PEOPLE, Person, _checked

E2E = Path(__file__).resolve().parent.parent / "e2e"
# A resident ID number, or the 14 to 17 digits it is completed from, written in a journey.
DIGITS = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx]?(?![0-9])")


def test_the_journeys_type_only_id_numbers_the_registry_holds() -> None:
    written = {
        path.name: DIGITS.findall(path.read_text(encoding="utf-8")) for path in sorted(E2E.glob("test_*.py"))
    }
    assert {name: found for name, found in written.items() if found} == {}


def test_an_id_number_given_twice_is_refused() -> None:
    staff = PEOPLE["staff"].typed_number
    with pytest.raises(ValueError, match="given twice"):
        _checked({**PEOPLE, "other": Person("某甲", "13970708899", id_number=staff)}, set(), NOBODY)
    with pytest.raises(ValueError, match="given twice"):
        _checked(PEOPLE, set(), {**NOBODY, "roster.other": staff})
    with pytest.raises(ValueError, match="not a valid"):
        _checked({"other": Person("某甲", "13970708899", id_number=staff[:-1] + "0")}, set())
    with pytest.raises(ValueError, match="demo's numbers"):
        _checked({"other": Person("某甲", "13970708899", id_number="360702199001010010")}, set())
