"""Translations (gettext catalogs compiled in memory by Babel) and every number and date shown
to a person, formatted by Babel with the person's locale (es_PE: CLDR's Peruvian data, i.e.
decimal point and comma thousands: «1,234», «3.5», «72.7%»; dates in America/Lima).

The `.po` sources live in `bot/locales`; they are compiled when first used, so a plain
`pip install` (no build step, no `.mo` files) is enough. Message ids are English; Spanish is
the default language and its catalog is complete (a test checks it).
"""

from __future__ import annotations

import gettext
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel import __version__ as babel_version
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from knowledge import cache as files

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "minka"
LANGUAGES: dict[str, str] = {"es": "Español", "en": "English"}
_BABEL_LOCALE = {"es": "es_PE", "en": "en"}
_DATETIME_PATTERN = {"es": "EEEE d 'de' MMMM 'de' y, HH:mm", "en": "EEEE, MMMM d, y, HH:mm"}
_DATE_PATTERN = {"es": "d 'de' MMMM 'de' y", "en": "MMMM d, y"}


def babel_locale(language: str) -> Locale:
    """es → es_PE (Peru's CLDR data), en → en."""
    return Locale.parse(_BABEL_LOCALE.get(language, "es_PE"))


def _rounded(value: float, digits: int) -> Decimal:
    """Half up, as people round by hand (3.45 → 3.5), from the shortest decimal of the float."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def format_number(value: float, language: str = "es", digits: int = 0) -> str:
    """'1,234', '3.5' (es_PE), with exactly `digits` decimals."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(_rounded(value, digits), pattern, locale=babel_locale(language))


def format_share(share: float, language: str = "es", digits: int = 1) -> str:
    """A share (0.727) as CLDR's percent for the locale, with `digits` decimals: '72.7%'."""
    locale = babel_locale(language)
    pattern = locale.percent_formats[None].pattern
    decimals = "." + "0" * digits if digits else ""
    return format_percent(
        _rounded(share * 100, digits) / 100,
        pattern.replace("#,##0", "#,##0" + decimals),
        locale=locale,
    )


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(_compiled(language, path.read_bytes())))


def _compiled(language: str, source: bytes) -> bytes:
    """The `.mo` of a `.po`'s bytes, compiled once and kept with the Tool Kit's cache
    (`knowledge.cache`, under the source's digest and Babel's version): Babel's parser took
    ~0.05 CPU s of each start for the two catalogs (#17, session 31)."""
    digest = hashlib.blake2b(source + babel_version.encode(), digest_size=16).hexdigest()
    where = files.folder()
    path = where / f"catalog-{language}-{digest}.mo" if where else None
    found = files.read(path) if path else None
    if found is not None:
        return found
    catalog = read_po(io.BytesIO(source), locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    if path:
        files.write(path, buffer.getvalue())
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Translator:
    """Everything language-dependent that a reply needs: words, plurals and dates."""

    language: str
    timezone: ZoneInfo

    def gettext(self, message: str) -> str:
        return _catalog(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return _catalog(self.language).ngettext(singular, plural, count)

    def number(self, value: float, digits: int = 0) -> str:
        return format_number(value, self.language, digits)

    def share(self, share: float, digits: int = 1) -> str:
        return format_share(share, self.language, digits)

    def date(self, day: date) -> str:
        """'4 de diciembre de 2026' ('December 4, 2026'): a calendar day, no zone involved."""
        return babel_format_date(
            day, _DATE_PATTERN.get(self.language, _DATE_PATTERN["es"]), babel_locale(self.language)
        )

    def month(self, year: int, month: int) -> str:
        """'Diciembre 2026' (stand-alone month names are capitalised in Spanish CLDR)."""
        return babel_format_date(date(year, month, 1), "LLLL y", babel_locale(self.language))

    def until(self, start: datetime, end: datetime) -> str:
        """The end of something that starts at `start`: '12:30' on the same day in the zone,
        else the full date and time."""
        if start.astimezone(self.timezone).date() != end.astimezone(self.timezone).date():
            return self.datetime(end)
        return babel_format_datetime(
            end, "HH:mm", tzinfo=self.timezone, locale=babel_locale(self.language)
        )

    def datetime(self, moment: datetime) -> str:
        """'jueves 26 de noviembre de 2026, 10:00' in the configured zone (America/Lima)."""
        return babel_format_datetime(
            moment,
            _DATETIME_PATTERN.get(self.language, _DATETIME_PATTERN["es"]),
            tzinfo=self.timezone,
            locale=babel_locale(self.language),
        )


def translator(language: str, timezone: ZoneInfo) -> Translator:
    return Translator(language if language in LANGUAGES else "es", timezone)


def warm(timezone: ZoneInfo) -> None:
    """Compile every catalog and load Babel's locale data before the first update: done lazily,
    the first reply that formats a date stalled the event loop for ~190 ms (bot/stalls.py's log)."""
    for language in LANGUAGES:
        words = translator(language, timezone)
        words.gettext("")
        words.datetime(datetime(2026, 1, 1, tzinfo=timezone))
        words.number(1234.5, 1)
        words.share(0.5)
