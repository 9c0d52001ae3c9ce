"""What indicator 4 hides, on tests/test_case_support_disclosure's random datasets: its cells
of cases with the regional team's support (by month, by region, by sex, the headline) and
its table by status, hidden and shown, in the national report and each region's, summed
over the seeds; and the milliseconds each report (`cases_attended`) took, wall and CPU.

    python -m bench.case_months [--seeds 0 30]

A month, status or row of nobody (no case) shows its 0 and is not counted: only cells
with cases behind them are. Each seed: a fresh SQLite file, the people of
tests/test_union_random's `Dataset(seed)`, each case drawn as the disclosure test draws it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.tally import print_ms, print_tally
from bot.services.indicators import query_for
from bot.services.indicators.cases import cases_attended
from bot.services.indicators.common import Indicator
from storage.db import Database
from storage.migrate import upgrade
from tests.test_case_support_disclosure import QUARTER, _draw_cases
from tests.test_period_disclosure import T
from tests.test_union_random import Dataset, installed
from tests.union_dataset import REGIONS, seed_database

SUPPORTED = 2  # the column of cases with support in the tables by month, region and sex


def _count(tally: Counter[str], scope: str, indicator: Indicator) -> None:
    """Adds the report's hidden and shown cells to `tally` (keys «scope table hidden»)."""
    _types, statuses, months, by_region, by_sex, _reports = indicator.tables
    where = "national" if scope is None else "regional"

    def cell(table: str, value: object, behind: object) -> None:
        if behind:  # a cell of nobody shows its 0: not counted
            tally[f"{where} {table} {'hidden' if value is None else 'shown'}"] += 1

    for row in months.rows:
        cell("months supported", row[SUPPORTED], row[1])
    for row in statuses.rows[:-1]:
        cell("status", row[1], statuses.rows[-1][1])
    for row in by_region.rows:
        cell("region supported", row[SUPPORTED], row[1])
    for row in by_sex.rows:
        cell("sex supported", row[SUPPORTED], row[1])
    cell("headline supported", indicator.headlines[1].value, indicator.headlines[0].value)


async def _seed(
    seed: int, folder: Path, tally: Counter[str], seconds: list[tuple[float, float]]
) -> None:
    db = Database(f"sqlite+aiosqlite:///{folder / f'seed{seed}.sqlite3'}")
    await upgrade(db.engine)
    try:
        with installed(Dataset(seed)):
            await seed_database(db)
            await _draw_cases(db, seed)
            for scope in [None, *REGIONS]:
                async with db.session() as session:
                    started, cpu = time.perf_counter(), time.process_time()
                    q = await query_for(session, QUARTER, scope, T, QUARTER.end(T))
                    indicator = await cases_attended(q)
                    seconds.append((time.perf_counter() - started, time.process_time() - cpu))
                _count(tally, scope, indicator)
    finally:
        await db.dispose()


async def main(first: int, last: int) -> None:
    tally: Counter[str] = Counter()
    seconds: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, last):
            await _seed(seed, Path(folder), tally, seconds)
    print(f"seeds {first}-{last - 1}: {last - first} datasets, {len(seconds)} reports")
    print_tally(tally, 38)
    for name, index in (("wall", 0), ("CPU", 1)):
        print_ms(f"ms per report ({name})", (pair[index] for pair in seconds))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs=2, type=int, default=[0, 30], metavar=("FROM", "TO"))
    arguments = parser.parse_args(sys.argv[1:])
    asyncio.run(main(*arguments.seeds))
