"""Which months of indicator 4's table by month hide their cases with the regional team's
support. Each region's report shows its own months (cases, however few, and supported), so
the national months less the regions shown leave the hidden regions' supported month by
month, and their cases by month bound each one's: that can tell a hidden region's supported
where the table by region hides it (tests/test_case_support_disclosure.py). A hidden
region's own report hides its months' supported (its total is hidden); the national report
those of the months in which a hidden region registered a case, where that leaves anything
to tell: in two months or more, or in one while the total is hidden (otherwise that month's
hidden regions' supported is their total, which the table by region tells anyway). A month
with no case shows its 0."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select

from bot.services.indicators.common import Measure, Query, is_hidden
from bot.services.indicators.months import month_bucket
from storage.models import Case


async def months_hidden(
    q: Query, supported: Measure, hides: Mapping[Any, Any]
) -> Callable[[int], bool]:
    """Whether the month (its index in the period) hides its supported cases. `supported`:
    the table by region's measure and `hides` what it hides (`measure_hides`)."""
    total = is_hidden(supported, hides, "total", None)
    if q.region is not None:
        return lambda _index: total
    groups = hides.get((supported.people, *(supported.bounds or ()))) or hides[supported.people]
    if not groups.rows:
        return lambda _index: total
    bucket = month_bucket(q, Case.created_at)
    statement = (  # a case always has a region
        select(bucket, func.count())
        .where(Case.created_at >= q.start, Case.created_at < q.end)
        .where(Case.region_code.in_(groups.rows))
        .group_by(bucket)
    )
    months = {index for index, n in await q.session.execute(statement) if n}
    if total or len(months) > 1:
        return lambda index: index in months
    return lambda _index: False
