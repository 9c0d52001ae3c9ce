"""The periods a report covers: whole days in Peru's calendar, bounded so that a forged
button or typed dates cannot cost minutes of work."""

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
