"""A year's report beside its quarters', all ended: each figure the year shows must be the sum
of its quarters' (`joint`'s premise), or the two, subtracted, tell what a quarter's report hid
(tests/test_agreement_year_beside_quarters for indicator 2).

Two datasets of the readings after a quarter's end, each with one act of 10 April on Puno's
one woman's record of February: her case resolved (tests/test_period_after_end, indicator 4's
«Resolved cases»), her question answered by the specialists (tests/test_escalation_after_end,
indicator 6's «Answered by specialists»). Each quarter reads its records as they stood at its
end; the year read them as they stood at the year's, so her case was resolved (her question
answered) in the year and in no quarter. Read on 5 January 2027, the year less its quarters'
sum: Puno's figure grew by 1, every other region's by 0, women's by 1 (`grew_by_her`), her
figure that Puno's reports hide. On main 29a7e7f this test failed in both cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

import pytest

from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended
from bot.services.indicators.common import Indicator
from bot.services.indicators.joint import jointly
from bot.services.indicators.periods import Period
from bot.services.indicators.toolkit import dissemination
from storage.db import Database
from tests.test_escalation_after_end import answer_hers, february_questions
from tests.test_period_after_end import february_cases, resolve_hers
from tests.two_readings import LIMA, T, column, grew_by_her

_ = T.gettext
READ = datetime(2027, 1, 5, 10, tzinfo=LIMA)  # every period read has ended
Step = Callable[[Database], Awaitable[None]]
CASES = {  # dataset, the act of 10 April, the indicator, the column
    "resolved": (february_cases, resolve_hers, cases_attended, "Resolved cases"),
    "answered": (february_questions, answer_hers, dissemination, "Answered by specialists"),
}


def summed(parts: Sequence[Mapping[str, object]], keys: Sequence[str]) -> dict[str, object]:
    """A column of the quarters added row by row (a row a quarter lacks counts 0; None where
    any quarter hides it)."""
    values = {key: [part.get(key, 0) for part in parts] for key in keys}
    return {k: None if None in v else sum(v) for k, v in values.items()}  # type: ignore[misc]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_the_year_is_its_quarters_sum(db: Database, case: str) -> None:
    dataset, act, indicator, label = CASES[case]

    async def read(period: Period) -> Indicator:
        async with db.session() as session:
            return await indicator(await query_for(session, period, None, T, READ))

    await dataset(db)
    await act(db)
    parts = [await read(Period.quarter(2026, k)) for k in range(1, 5)]
    year = jointly(await read(Period.year(2026)), parts)  # as reported
    sides = []
    for first in ("Región", "Sexo"):
        shown = column(year, first, _(label))
        sides.append([summed([column(p, first, _(label)) for p in parts], list(shown)), shown])
    assert not grew_by_her(*sides, "Puno")
    assert sides[0][1]["Puno"] == sides[0][0]["Puno"]  # hers, after Q1's end, in neither
