"""When an event's records close: at the end of the calendar quarter it starts in (Lima).

A meeting's attendance (`meeting_attendance`) and a study visit's travellers and leaders
(`visits.marks_closed`) are people counted by region and sex in that quarter's reports, and
the staff could mark or unmark them at any time: a change after the quarter's end would move
an ended quarter, and two readings of it, subtracted, would tell whose it was
(tests/test_attendance_after_end, tests/test_visit_after_end). Closed with the quarter, they
also read the same in the quarter's report and its year's."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.indicators.periods import Period


def its_quarter(start: datetime, zone: ZoneInfo) -> Period:
    """The calendar quarter `start` falls in, on `zone`'s calendar."""
    day = start.astimezone(zone).date()
    return Period.quarter(day.year, (day.month - 1) // 3 + 1)


def closed(start: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """Whether the quarter of an event starting at `start` has ended at `now`."""
    after = its_quarter(start, zone).last + timedelta(days=1)
    return now >= datetime.combine(after, time(), zone)
