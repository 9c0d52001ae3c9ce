"""Dates and times as coordinators type them, read as Lima wall time.

Peruvians write the day first («15/01 10:00»), name the month («15 de enero, 10 a. m.») or
say «mañana a las 9». A date typed without its year is never one long gone: «15/01» written
in December is next January.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS = {
    **dict.fromkeys(("enero", "ene"), 1),
    **dict.fromkeys(("febrero", "feb"), 2),
    **dict.fromkeys(("marzo", "mar"), 3),
    **dict.fromkeys(("abril", "abr"), 4),
    **dict.fromkeys(("mayo", "may"), 5),
    **dict.fromkeys(("junio", "jun"), 6),
    **dict.fromkeys(("julio", "jul"), 7),
    **dict.fromkeys(("agosto", "ago"), 8),
    **dict.fromkeys(("septiembre", "setiembre", "sep", "sept", "set"), 9),
    **dict.fromkeys(("octubre", "oct"), 10),
    **dict.fromkeys(("noviembre", "nov"), 11),
    **dict.fromkeys(("diciembre", "dic"), 12),
}
WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")
RELATIVE = {"hoy": 0, "manana": 1, "pasado manana": 2}
# A date typed without its year and gone by less than this is this year's, so that a slip
# is told as past (or a workshop registered late is today's); older, it is next year's.
RECENT = timedelta(days=31)

# The years a typed date may name. Nothing Minka plans or records lies centuries away, and a
# year near 9999 cannot even be written in UTC or shown (OverflowError: «31/12/9999 20:00»
# failed /nueva_reunion at its summary); forms, the CLI and the workshops CSV refuse the rest.
FIRST_YEAR, LAST_YEAR = 2000, 2199


def plausible(day: date) -> bool:
    """Whether a typed date lies within the years Minka reads (`FIRST_YEAR`-`LAST_YEAR`)."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?")
_NAMED = re.compile(r"(\d{1,2})(?: de)? ([a-z]+)\.?(?:(?: de| del)? (\d{4}))?")
# The time at the end: «10:00», «9.30», «9h30», «10 am», «3 p. m.», «10 h», «10:00 hrs»; a bare
# hour only after «a las» («mañana a las 9»).
_TIME = re.compile(
    r"(?:^|(?<=\s))(?P<at>(?:a|de) las? )?(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?"
    r" ?(?P<suffix>a\. ?m\.?|p\. ?m\.?|am|pm|hrs?\.?|horas|h)?$"
)
_DURATION = re.compile(r"^(\d{1,3})\s*(h|horas?|m|min|minutos?|d|d[ií]as?)$")


def _folded(text: str) -> str:
    """Lower case, no accents, commas and «del»-style filler as spaces, one space apart."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"(\d)t(\d)", r"\1 \2", text)  # 2026-12-03T09:00
    return " ".join(text.replace(",", " ").split())


def parse_time(text: str) -> time | None:
    """A time of day alone: «13:00», «1 pm», «9h30», «a las 10»."""
    folded = _folded(text)
    match = _TIME.match(folded)
    return _time_of(match) if match else None


def _time_of(match: re.Match[str]) -> time | None:
    hour, minute, suffix = int(match["hour"]), int(match["minute"] or 0), match["suffix"] or ""
    if match["minute"] is None and not suffix and not match["at"]:
        return None  # «15 de enero 10»: a number, not clearly an hour
    if suffix.startswith(("a", "p")):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix.startswith("p") else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _day_of(text: str, today: date) -> date | None:
    """The date part: ISO, day/month[/year], «15 de enero [de 2027]», hoy/mañana/pasado
    mañana, or a weekday (the next one). Without a year, this year's unless
    it is over a month gone (then next year's)."""
    words = text.split()
    while words and words[0] in ("el", "la", "este", "esta", "proximo", "proxima"):
        words = words[1:]
    if len(words) > 1 and words[0] in WEEKDAYS:  # «jueves 15 de enero»: the date says it
        words = words[1:]
    text = " ".join(words)
    if text in RELATIVE:
        return today + timedelta(days=RELATIVE[text])
    if text in WEEKDAYS:
        ahead = (WEEKDAYS.index(text) - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    year: int | None
    if match := _ISO.fullmatch(text):
        year, month, day = (int(v) for v in match.groups())
    elif match := _NUMERIC.fullmatch(text):
        day, month = int(match[1]), int(match[2])
        year = int(match[3]) if match[3] else None
    elif (match := _NAMED.fullmatch(text)) and match[2] in MONTHS:
        day, month = int(match[1]), MONTHS[match[2]]
        year = int(match[3]) if match[3] else None
    else:
        return None
    if year is not None:
        return _date(year + 2000 if year < 100 else year, month, day)
    this_year = _date(today.year, month, day)
    if this_year is not None and this_year >= today - RECENT:
        return this_year  # «03/12» on 5 December: two days ago (then told it has passed)
    return _date(today.year + 1, month, day)  # «15/01» in December: next January


def _date(year: int, month: int, day: int) -> date | None:
    try:
        typed = date(year, month, day)
    except ValueError:
        return None
    return typed if plausible(typed) else None


def parse_date(text: str, today: date) -> date | None:
    """A day alone, as people write it: «2026-12-20», «20/12/2026», «15/1», «15 de enero»,
    «mañana», «el viernes». A date without its year is this year's unless it is over a month
    before `today` (then next year's)."""
    return _day_of(_folded(text).removesuffix("."), today)


def parse_datetime(text: str, zone: ZoneInfo, today: date) -> datetime | None:
    """A day and a time, as people write them: «2026-12-03 09:00», «03/12/2026 9:00»,
    «3/12/26 9:00», «15/01 10:00», «15 de enero 10 am», «jueves 15 de enero de 2027, 3 p. m.»,
    «mañana a las 9». A date without its year is this year's unless it is over
    a month before `today` (in December, «15/01» is next January)."""
    folded = _folded(text)
    match = _TIME.search(folded)
    if match is None or (moment := _time_of(match)) is None:
        return None
    rest = folded[: match.start()].strip()
    for filler in (" a", " -", " de"):  # «el 15 de enero a las…» read «a las» as the time's
        rest = rest.removesuffix(filler)
    day = _day_of(rest.strip(), today)
    return None if day is None else datetime.combine(day, moment, tzinfo=zone)


def parse_end(text: str, start: datetime, zone: ZoneInfo) -> datetime | None:
    """The end as a full date and time, a time on the start's day ('13:00', '1 pm'), or a
    duration ('3h', '90 min', '8d' or '8 días' for a study visit's return)."""
    cleaned = text.strip().lower()
    duration = _DURATION.match(cleaned)
    if duration:
        amount = int(duration.group(1))
        unit = duration.group(2)
        if unit.startswith("d"):
            return start + timedelta(days=amount)
        return start + (
            timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount)
        )
    only_time = parse_time(text)
    if only_time is not None:
        local = start.astimezone(zone)
        return datetime.combine(local.date(), only_time, tzinfo=zone)
    return parse_datetime(text, zone, start.astimezone(zone).date())
