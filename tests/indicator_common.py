"""What the indicator tests worked out by hand share: Lima's time and the Spanish they read,
the fourth quarter of 2026 (their period) and its bounds, people registered long before it,
an indicator computed as the report does, and a table's rows by their first cell."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator, Query, Table
from bot.services.indicators.periods import Period
from storage.db import Database

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
Q4 = Period.quarter(2026, 4)
START = datetime(2026, 10, 1, tzinfo=LIMA)
END = datetime(2027, 1, 1, tzinfo=LIMA)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)


def rows(table: Table) -> dict[object, tuple[object, ...]]:
    """Each row's figures by its label."""
    return {row[0]: row[1:] for row in table.rows}


async def computed(
    db: Database,
    function: Callable[[Query], Awaitable[Indicator]],
    period: Period = Q4,
    region: str | None = None,
    at: datetime | None = None,
) -> Indicator:
    """`function`'s indicator for `period` and `region` (None: the national one), read `at`,
    by default at the period's end: an ended period, whatever the machine's clock says."""
    async with db.session() as session:
        return await function(await query_for(session, period, region, T, at or period.end(T)))
