"""The catalogues (issue 24): up to date with the code, and every message has its English.

`make messages` is run here into a copy of portal/translations, so a string marked (or changed) without
running it fails; then every msgid of the English catalogue must have a translation that gettext will
use: not empty, not fuzzy (compile skips fuzzy entries, the page would show Chinese), the same %(name)s
placeholders as the msgid, and no Chinese left in it (a pasted msgid is not a translation).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from scripts import messages

ENGLISH = messages.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _english() -> Catalog:
    with ENGLISH.open("rb") as handle:
        return read_po(handle, locale="en")


def test_make_messages_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(messages.TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.chdir(messages.ROOT)  # babel.cfg's patterns are relative to the repository
    messages.extract(tmp_path / "messages.pot")
    messages.update(tmp_path / "messages.pot", copy)
    stale = [
        str(po.relative_to(copy))
        for po in sorted(copy.glob("*/LC_MESSAGES/messages.po"))
        if po.read_text(encoding="utf-8")
        != (messages.TRANSLATIONS / po.relative_to(copy)).read_text(encoding="utf-8")
    ]
    assert stale == [], f"run `make messages` and translate what it adds: {stale} are out of date"


def test_every_message_has_its_english_translation() -> None:
    catalog = _english()
    missing = []
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.fuzzy or not all(strings):
            missing.append(f"{'fuzzy' if message.fuzzy else 'untranslated'}: {msgid}")
            continue
        if any(HAN.search(text) for text in strings):
            missing.append(f"Chinese left in the English of: {msgid}")
        wanted = set(PLACEHOLDER.findall(msgid))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                missing.append(f"placeholders differ ({sorted(wanted)}): {msgid} → {text}")
    assert len(catalog) > 1
    assert missing == [], "portal/translations/en/LC_MESSAGES/messages.po:\n" + "\n".join(missing)


def test_the_catalogue_has_no_errors_babel_finds() -> None:
    """Babel's own checks: python-format placeholders usable with the msgid's, plural forms complete."""
    problems = [
        f"{message.id}: {'; '.join(str(error) for error in errors)}" for message, errors in _english().check()
    ]
    assert problems == []
