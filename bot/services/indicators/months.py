"""The months of a report's period (Lima time): their first moments, a SQL bucket for a
timestamp's month that is the same on SQLite and PostgreSQL, and their names."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case

from bot.services.indicators.common import Query


def month_starts(q: Query) -> list[datetime]:
    """The first moment of every month of the period (Lima time), then the period's end."""
    starts = [datetime(y, m, 1, tzinfo=q.t.timezone) for y, m in q.period.months()]
    starts[0] = max(starts[0], q.start)
    return [*starts, q.end]


def month_bucket(q: Query, column: Any) -> Any:
    """A SQL expression numbering the period's month `column` falls in (0, 1, ...), the same
    on SQLite and PostgreSQL: month boundaries are computed here, in Lima time."""
    boundaries = month_starts(q)[1:]
    return case(*((column < moment, index) for index, moment in enumerate(boundaries)), else_=-1)


def month_label(q: Query, year: int, month: int) -> str:
    """'Enero 2026'."""
    return q.t.month(year, month)
