"""The periods a report covers: whole days in Peru's calendar, bounded so that a forged
button or typed dates cannot cost minutes of work.

In the chat a report covers a whole calendar quarter or a whole calendar year (issue #13):
two reports of periods that differ by a day (or «the last 12 months» asked on two days) would
give that day's data away by subtraction. A year shows only what each of its quarters'
reports shows (`bot.services.indicators.joint`), so subtracting reports of these periods
yields nothing hidden. The CLI (`informe`), for operators who hold the database, takes any
dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.i18n import Translator

# Reports cover periods inside these dates, of at most MAX_YEARS: a forged button or typed
# dates from year 1 to 9999 would cost minutes of work per month, or overflow past 9999.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
MAX_YEARS = 10


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days, both ends included, in Peru's calendar."""

    first: date
    last: date

    @property
    def allowed(self) -> bool:
        """In order, between EARLIEST and LATEST, and at most MAX_YEARS long."""
        if not EARLIEST <= self.first <= self.last <= LATEST:
            return False
        limit = date(self.first.year + MAX_YEARS, self.first.month, 1)
        return self.last < limit + timedelta(days=self.first.day - 1)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = date(year, 3 * quarter - 2, 1)
        after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(first, after - timedelta(days=1))

    @property
    def code(self) -> str:
        """Compact and self-describing, for callback data: '20260101-20260331'."""
        return f"{self.first:%Y%m%d}-{self.last:%Y%m%d}"

    @classmethod
    def from_code(cls, code: str) -> Period | None:
        try:
            first, last = (datetime.strptime(part, "%Y%m%d").date() for part in code.split("-"))
        except ValueError:
            return None
        period = cls(first, last)
        return period if period.allowed else None

    def quarters(self) -> list[Period]:
        """The calendar quarters the period is made of, when it is a union of whole ones (a
        quarter, a half, a year...); otherwise none."""
        first, last = self.first, self.last
        if first.day != 1 or first.month % 3 != 1 or first > last:
            return []
        if (last + timedelta(days=1)).day != 1 or last.month % 3 != 0:
            return []
        start, end = first.year * 4 + first.month // 3, last.year * 4 + (last.month - 1) // 3
        return [Period.quarter(n // 4, n % 4 + 1) for n in range(start, end + 1)]

    @property
    def whole(self) -> bool:
        """A whole calendar quarter or a whole calendar year: what the chat offers."""
        return len(self.quarters()) == 1 or self == Period.year(self.first.year)

    def start(self, t: Translator) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=t.timezone)

    def end(self, t: Translator) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=t.timezone)

    def label(self, t: Translator) -> str:
        """'1 de enero de 2026 – 31 de marzo de 2026'."""
        return f"{t.date(self.first)} – {t.date(self.last)}"

    def months(self) -> list[tuple[int, int]]:
        year, month, months = self.first.year, self.first.month, []
        while (year, month) <= (self.last.year, self.last.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def offered(today: date) -> list[tuple[Period, bool]]:
    """The periods /indicadores offers, with whether each is still running: the current
    quarter and the three before it, then the current year and the one before."""
    current = today.year * 4 + (today.month - 1) // 3
    quarters = [Period.quarter(n // 4, n % 4 + 1) for n in range(current, current - 4, -1)]
    years = [Period.year(today.year), Period.year(today.year - 1)]
    return [(period, today <= period.last) for period in [*quarters, *years]]


def chosen(code: str, today: date) -> Period | None:
    """The period a button names, if the chat may report on it: a whole quarter or year,
    within the bounds, and begun by `today`. Older ones than offered stay allowed (they
    are as safe: each year still rests on its own quarters)."""
    period = Period.from_code(code)
    if period is None or not period.whole or period.first > today:
        return None
    return period
