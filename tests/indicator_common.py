"""What the indicator tests worked out by hand share: Lima's time and the Spanish they read,
the fourth quarter of 2026 (their period) and its bounds, people registered long before it,
and a table's rows by their first cell."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import translator
from bot.services.indicators.common import Table
from bot.services.indicators.periods import Period

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
Q4 = Period.quarter(2026, 4)
START = datetime(2026, 10, 1, tzinfo=LIMA)
END = datetime(2027, 1, 1, tzinfo=LIMA)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)


def rows(table: Table) -> dict[object, tuple[object, ...]]:
    """Each row's figures by its label."""
    return {row[0]: row[1:] for row in table.rows}
