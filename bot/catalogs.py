"""Maintainers' tool: re-extract messages and merge them into the catalogs.

    python -m bot.catalogs

Runs `pybabel extract` into bot/locales/minka.pot, then `pybabel update` for every language;
new Spanish messages appear untranslated in bot/locales/es/LC_MESSAGES/minka.po (the test
suite fails until they are translated). The English catalog copies each msgid.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "locales"
KEYWORDS = ["-k", "_", "-k", "N_", "-k", "gettext", "-k", "ngettext:1,2"]


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def main() -> None:
    pot = LOCALES / "minka.pot"
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        *KEYWORDS,
        "--no-wrap",
        "--sort-by-file",
        "--project=minka",
        "-o",
        str(pot),
        ".",
    )
    for language in ("es", "en"):
        po = LOCALES / language / "LC_MESSAGES" / "minka.po"
        # No fuzzy matching: a guessed translation of a similar text reads as a wrong one.
        # Messages no longer in the code are dropped, not kept as «#~» comments.
        update = ["update", "--no-fuzzy-matching", "--ignore-obsolete"]
        command = update if po.exists() else ["init"]
        pybabel(
            *command, "-D", "minka", "-i", str(pot), "-d", str(LOCALES), "-l", language, "--no-wrap"
        )
    english = LOCALES / "en" / "LC_MESSAGES" / "minka.po"
    with english.open("rb") as file:
        catalog = read_po(file, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id  # English msgids are the English text
        message.flags.discard("fuzzy")
    catalog.obsolete.clear()
    with english.open("wb") as file:
        write_po(file, catalog, width=0)


if __name__ == "__main__":
    main()
