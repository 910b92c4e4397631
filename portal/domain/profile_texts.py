"""The policy profiles' sentences that pages put into their own: messages in the catalogue, like the code's.

A category's message (the whole finding), a rule's note (an unconfirmed finding's "（该项政策数据未经确认：
…）") and the committee's filing office ("%(office)s须在会议召开前收到报备") are written in
portal/policies/*.toml, in Chinese, and reach English pages as a message's parameter: `portal.web.i18n` looks
every string parameter up in the catalogue, so once they are msgids they read in English (they read half
Chinese: "… in 江西省: 外地取得的职称继续有效…"). `extract` is the Babel extraction method babel.cfg names for
those files, so `make messages` puts them in the catalogue with the code's strings and the catalogue test asks
each for its English.

Other profile strings (authorities' names, sources, citations) are the notice's own words and stay Chinese
data, marked lang="zh-CN" where a page shows them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

# The keys whose value a page writes into a sentence of its own (see the module's docstring).
SHOWN_KEYS = frozenset({"message", "note", "office"})


def _has_han(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


def shown_texts(data: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, str]]:
    """Each Chinese string under a shown key in a profile's parsed TOML, with its path ("exams[2].note")."""
    for key, value in data.items():
        here = f"{path}.{key}" if path else key
        if isinstance(value, Mapping):
            yield from shown_texts(value, here)
        elif isinstance(value, list):
            for n, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from shown_texts(item, f"{here}[{n}]")
        elif key in SHOWN_KEYS and isinstance(value, str) and _has_han(value):
            yield here, value


def extract(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extraction method for a policy profile: each shown text, in the file's order, as a msgid."""
    del keywords, comment_tags, options  # the texts are found by their keys, not by a marking function
    source = fileobj.read().decode("utf-8")
    lines = source.splitlines()
    for path, text in shown_texts(tomllib.loads(source)):
        # The line is for a reader of the .pot only (the catalogues keep the file name, not the line).
        line = next((n for n, row in enumerate(lines, 1) if text in row), 0)
        yield line, None, text, [path]
