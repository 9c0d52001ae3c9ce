"""Translations (gettext catalogs compiled in memory by Babel) and Peru's date formatting.

The `.po` sources live in `bot/locales`; they are compiled when first used, so a plain
`pip install` (no build step, no `.mo` files) is enough. Message ids are English; Spanish is
the default language and its catalog is complete (a test checks it).
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "minka"
LANGUAGES: dict[str, str] = {"es": "Español", "en": "English"}
_BABEL_LOCALE = {"es": "es_PE", "en": "en"}
_DATETIME_PATTERN = {"es": "EEEE d 'de' MMMM 'de' y, HH:mm", "en": "EEEE, MMMM d, y, HH:mm"}


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True, slots=True)
class Translator:
    """Everything language-dependent that a reply needs: words, plurals and dates."""

    language: str
    timezone: ZoneInfo

    def gettext(self, message: str) -> str:
        return _catalog(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return _catalog(self.language).ngettext(singular, plural, count)

    def datetime(self, moment: datetime) -> str:
        """'jueves 26 de noviembre de 2026, 10:00' in the configured zone (America/Lima)."""
        return babel_format_datetime(
            moment,
            _DATETIME_PATTERN.get(self.language, _DATETIME_PATTERN["es"]),
            tzinfo=self.timezone,
            locale=Locale.parse(_BABEL_LOCALE.get(self.language, "es_PE")),
        )


def translator(language: str, timezone: ZoneInfo) -> Translator:
    return Translator(language if language in LANGUAGES else "es", timezone)
