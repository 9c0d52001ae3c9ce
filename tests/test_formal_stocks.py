"""Indicator 5 prints stocks at the period's end (formalization cases registered by then,
formalized by then) beside flows in the period (registered in it, formalized in it). Cases
are not deleted and a formalized case stays so, so for one region or sex, between a quarter
and the next:

    cases(Q2) = cases(Q1) + registered in Q2;  formalized(Q2) = formalized(Q1) + formalized in Q2

and a figure one report hides is the others' sum or difference when they are shown. Found by
`python -m bench.attack_reports --cases --national --seeds 0 1` (tests/case_attack.py), on
seed 0's programme, the national reports of Q1 and Q2 2026, checked by hand against the
figures printed:

- «Prefiero no decir»: Q1 hides its formalization cases; Q2 prints 3, 1 registered in Q2:
  Q1's were 3 - 1 = 2 (Cusco's one and Piura's one «Prefiero no decir» official, both
  registered formalized in January).
- «Mujer»: Q2 hides its formalized in the period; Q2 prints 3 formalized, Q1 1: 3 - 1 = 2,
  and the Q2 total formalized in the period is 2, so no other sex had one (Tacna's
  «Hombre» two and «Prefiero no decir» one: 0).
- Piura: Q1 hides its formalized; Q2 prints 1 formalized, 0 of them in Q2: Q1's was
  1 - 0 = 1, of its 2 formalization cases.
- Seed 1, Q1 hides, Q2 prints (stock, its part in Q2): «Mujer» formalized 4 - 2 = 2 (Puno's
  one woman's two cases, registered formalized in February) and formalization cases
  6 - 1 = 5; «Prefiero no decir» formalized 2 - 2 = 0; the total formalized 11 - 8 = 3.
- Seed 2 (session 24, `--cases --seeds 2 3`, checked by hand): Q1 hides «Hombre» whole; Q2
  prints its 4 formalization cases, 2 registered in Q2: Q1's were 4 - 2 = 2 (Piura's man's
  two, registered in Q1), and so were Q1's men registered in Q1 (the first quarter with a
  case: its cases are those registered in it).
- Seed 10 (session 26, `--cases --seeds 10 11`, checked by hand): Q1 prints the total
  formalized 0, so every sex's was 0; Q2 prints «Hombre» 1 formalized and hides his
  formalized in Q2: 1 - 0 = 1 (and «Prefiero no decir»'s 0 - 0). `formal_chain` knew a stock
  by sums and differences only, not a part of a total printed at 0: a strict xfail on main
  (eac4e2c); Q2's own rule printed that flow, the chain hid it as of a stock not known at the
  start; now it knows the parts of a stock printed at 0, and prints it.

The rule of each report read its own period alone (`cases.formalization`): a strict xfail
that failed on main (76ca6ad, seeds 0, 1 and 2 on both databases) until a quarter's report
hid besides the flows whose stock is not known at both ends, and the stocks at the end of
the flows its own rule hides (`formal_chain`, `formal_reads`). The first quarter with a case
(Q1 2026 here: the cases are drawn from January) is read beside nothing: its stocks are its
flows. Seed 2 beside the whole-number attacker (`bench.attack_reports --cases --seeds 2 3`)
still pins Q1's «Hombre» and «Sin dato» formalization cases with the other indicators'
figures (indicator 5's alone leave «Hombre» between 1 and 3): README, indicator 5."""

from __future__ import annotations

from typing import Any

import pytest

from bot.services.indicators import query_for
from bot.services.indicators.cases import formalization
from bot.services.indicators.periods import Period
from tests.case_attack import draw_cases, seed_cases
from tests.period_attack import AFTER
from tests.test_period_disclosure import T

STOCK, DONE, NEW, NOW = 1, 2, 4, 5  # columns of 5's tables by region and by sex


async def _rows(db: Any, period: Period) -> dict[str, tuple[Any, ...]]:
    """Indicator 5's national rows by region and by sex, by label."""
    async with db.session() as session:
        indicator = await formalization(await query_for(session, period, None, T, now=AFTER))
    _steps, by_region, by_sex = indicator.tables
    return {str(row[0]): row for table in (by_region, by_sex) for row in table.rows}


def given_back(before: dict[str, tuple[Any, ...]], after: dict[str, tuple[Any, ...]]) -> list:
    """Each figure one quarter hides that the two quarters' printed figures give back; a
    total printed at 0 gives each row's at 0 (seed 10)."""
    found = []
    for label, row in after.items():
        old = before.get(label)
        if old is None:
            continue
        for stock, flow in ((STOCK, NEW), (DONE, NOW)):
            earlier, later, moved = old[stock], row[stock], row[flow]
            earlier = 0 if before["Total"][stock] == 0 else earlier
            if earlier is None and None not in (later, moved):
                found.append(f"{label} Q1 column {stock} = {later} - {moved}")
            if moved is None and None not in (earlier, later):
                found.append(f"{label} Q2 column {flow} = {later} - {earlier}")
    return found


@pytest.mark.parametrize("seed", [0, 1, 2, 10])
async def test_a_quarter_beside_the_one_before_gives_no_formalization_figure_back(
    db, seed: int
) -> None:
    await seed_cases(db, draw_cases(seed))
    first, second = (
        await _rows(db, Period.quarter(2026, 1)),
        await _rows(db, Period.quarter(2026, 2)),
    )
    nothing = {label: (label, 0, 0, 0, 0, 0) for label in first}  # before the first case
    assert given_back(nothing, first) == []
    assert given_back(first, second) == []
