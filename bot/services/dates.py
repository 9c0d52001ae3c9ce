"""Dates and times as coordinators type them, read as Lima wall time."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DATE_TIME = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})$"), ("y", "m", "d", "H", "M")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})$"), ("d", "m", "y", "H", "M")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}) (\d{1,2}):(\d{2})$"), ("d", "m", "yy", "H", "M")),
    (re.compile(r"^(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{2})$"), ("d", "m", "H", "M")),
]
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DURATION = re.compile(r"^(\d{1,3})\s*(h|horas?|m|min|minutos?|d|d[ií]as?)$")


def parse_datetime(text: str, zone: ZoneInfo, today: date) -> datetime | None:
    """'2026-12-03 09:00', '03/12/2026 09:00', '3/12/26 9:00' or '3/12 9:00' (this year)."""
    text = " ".join(text.split())
    for pattern, fields in _DATE_TIME:
        match = pattern.match(text)
        if not match:
            continue
        parts = dict(zip(fields, (int(v) for v in match.groups()), strict=True))
        year = parts.get("y") or (2000 + parts["yy"] if "yy" in parts else today.year)
        try:
            return datetime(year, parts["m"], parts["d"], parts["H"], parts["M"], tzinfo=zone)
        except ValueError:
            return None
    return None


def parse_end(text: str, start: datetime, zone: ZoneInfo) -> datetime | None:
    """The end as a full date and time, a time on the start's day ('13:00'), or a duration
    ('3h', '90 min', '8d' or '8 días' for a study visit's return)."""
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
    only_time = _TIME.match(cleaned)
    if only_time:
        hour, minute = int(only_time.group(1)), int(only_time.group(2))
        if hour > 23 or minute > 59:
            return None
        local = start.astimezone(zone)
        return datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    return parse_datetime(text, zone, start.astimezone(zone).date())
