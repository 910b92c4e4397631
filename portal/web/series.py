"""The 职称系列 field in the reader's language: the suggestions with their English beside them. A suggested
series typed in English ("engineering") is taken back as the Chinese name that is stored, printed on the
申报表 and compared with the policy profile's series by the services themselves (glossary.series_as_stored:
starting an application, HR's dry run, the expert pool)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.glossary import SERIES_SUGGESTIONS
from portal.web.i18n import lookup


@dataclass(frozen=True)
class SeriesOption:
    value: str  # the Chinese name, as stored
    label: str  # in the reader's language (the same in Chinese)


def suggestions() -> list[SeriesOption]:
    """The datalist's options: the value typed into the field is always the Chinese name."""
    return [SeriesOption(name, lookup(name)) for name in SERIES_SUGGESTIONS]
