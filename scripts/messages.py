"""`make messages`: extract every marked string into a template, merge it into each catalogue, compile.

The arguments live here once, for the Makefile and for tests/test_translations.py (which runs the same
extraction and merge into a copy and fails when the committed catalogues differ: someone marked or changed
a string and did not run `make messages`). Deterministic on purpose, so a clean tree gives no diff:
locations name the file only (no line numbers that move with every edit), no wrapping, entries in file
order, the template's creation date ignored, obsolete entries dropped.

    python scripts/messages.py            # extract + update + compile (what `make messages` runs)
    python scripts/messages.py compile    # compile only (what install and the tests need)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
# T_ and NT_ build portal.domain.i18n.Text messages; N_ (a Babel default) marks constants; NC_ marks a
# constant with its message context (msgctxt, the first argument: "1c").
KEYWORDS = ["-k", "T_", "-k", "NT_:1,2", "-k", "NC_:1c,2", "-k", "lazy_gettext"]


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(pot: Path) -> None:
    """Every marked string of the code and the page templates (babel.cfg) into the template `pot`."""
    pot.parent.mkdir(parents=True, exist_ok=True)
    if str(ROOT) not in sys.path:
        # babel.cfg names an extraction method of this checkout (portal.domain.profile_texts): import it from
        # here, not from wherever the environment installed the package (another worktree's).
        sys.path.insert(0, str(ROOT))
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *KEYWORDS,
        "--add-location=file",
        "--no-wrap",
        "--sort-by-file",
        "--project=title-portal",
        "--version=0.1.0",
        "-o",
        str(pot),
        ".",
    )


def update(pot: Path, directory: Path = TRANSLATIONS) -> None:
    """Merge the template into every catalogue under `directory` (new msgids arrive untranslated)."""
    _pybabel(
        "update",
        "-i",
        str(pot),
        "-d",
        str(directory),
        "--no-wrap",
        "--ignore-pot-creation-date",
        "--ignore-obsolete",
    )


def compile_catalogues(directory: Path = TRANSLATIONS) -> None:
    """Each messages.po to the messages.mo gettext reads (built, never committed)."""
    _pybabel("compile", "-d", str(directory))


def compile_if_stale(directory: Path = TRANSLATIONS) -> None:
    """Compile when a catalogue is newer than its .mo (a merge or an edit since the last `make`): the test
    suites call this at start, so a run never reads an old translation."""
    for po in directory.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            compile_catalogues(directory)
            return


def main(argv: list[str]) -> int:
    import os

    os.chdir(ROOT)  # babel.cfg's patterns and the locations written are relative to the repository
    if argv[1:] != ["compile"]:
        pot = ROOT / "build" / "messages.pot"
        extract(pot)
        update(pot)
    compile_catalogues()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
