"""The 职称系列 field in the reader's language: the suggestions with their English beside them, and a
suggested series typed in English ("engineering") taken back as the Chinese name that is stored, printed
on the 申报表 and compared with the policy profile's series (glossary.series_as_stored, which the expert
pool's services call themselves). Any other text is passed on as typed."""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.glossary import SERIES_SUGGESTIONS, series_as_stored
from portal.web.i18n import lookup


@dataclass(frozen=True)
class SeriesOption:
    value: str  # the Chinese name, as stored
    label: str  # in the reader's language (the same in Chinese)


def suggestions() -> list[SeriesOption]:
    """The datalist's options: the value typed into the field is always the Chinese name."""
    return [SeriesOption(name, lookup(name)) for name in SERIES_SUGGESTIONS]


def as_written(typed: str) -> str:
    """The Chinese name of a suggested series typed as a language of the interface names it (case and
    spaces aside); anything else unchanged."""
    return series_as_stored(typed)
