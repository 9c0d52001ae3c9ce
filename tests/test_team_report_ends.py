"""Indicator 4's Regional Team reports by region hide the reports on time of a region whose
reports come from fewer than 3 people, and enough other regions that the hidden ones hold 3
people or more (`row_rule`); each region's reports sent are shown however few. Found by
`python -m bench.attack_reports --cases --national --seeds 0 1` (tests/case_attack.py),
seed 0, the national report of Q1 2026, checked by hand against the figures printed:
Cusco 16 sent, 9 on time; Piura 5 sent, «—»; Puno 4 sent, «—»; Tacna 6 sent, 3 on time;
total 31 sent, 21 on time. The hidden regions' on time are 21 - 9 - 3 = 9 = 5 + 4, all of
their reports: Piura's 5 and Puno's 4 were each on time, though each region's is hidden.
A sum of hidden figures at an end (0, or all they count) tells each one: the total's on
time is now hidden too (`row_rule.at_an_end`; agreements likewise)."""

from __future__ import annotations

from typing import Any

from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended
from bot.services.indicators.periods import Period
from tests.case_attack import draw_cases, seed_cases
from tests.period_attack import AFTER
from tests.test_period_disclosure import T


def at_an_end(rows: tuple[tuple[Any, ...], ...]) -> bool:
    """Whether the regions hidden send on time 0 or all their reports, by the total's."""
    *regions, total = rows
    hidden = [row for row in regions if row[2] is None]
    if not hidden or total[2] is None:
        return False
    on_time = total[2] - sum(row[2] for row in regions if row[2] is not None)
    return on_time in (0, sum(row[1] for row in hidden))


async def test_hidden_regions_reports_on_time_do_not_sum_to_an_end(db) -> None:
    await seed_cases(db, draw_cases(0))
    async with db.session() as session:
        q = await query_for(session, Period.quarter(2026, 1), None, T, now=AFTER)
        reports = (await cases_attended(q)).tables[5]
    assert not at_an_end(reports.rows)
