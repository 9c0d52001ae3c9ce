"""What indicator 5 hides beside the quarters before it (`formal_chain`), and its CPU, on
tests/case_attack.py's random programmes: per seed, for each quarter of 2026 and scope
(national, each region's own), the «—» of its tables by region and by sex by its own rule
and as printed, and the CPU of building the printed report (worker processes included).

    python -m bench.formal_chain [--seeds 0 4]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bench.indicator_timing import cpu_seconds
from bot.services.indicators import query_for
from bot.services.indicators.cases import _formalization, formalization
from bot.services.indicators.common import Indicator
from bot.services.indicators.periods import Period
from storage.db import Database
from storage.migrate import upgrade
from tests.case_attack import draw_cases, seed_cases
from tests.period_attack import AFTER, REGIONS
from tests.test_period_disclosure import T


def _dashes(indicator: Indicator) -> int:
    return sum(value is None for table in indicator.tables[1:] for row in table.rows
               for value in row[1:])  # fmt: skip


async def _seed(seed: int, folder: Path) -> tuple[int, int, float, int]:
    db = Database(f"sqlite+aiosqlite:///{folder / f'seed{seed}.sqlite3'}")
    await upgrade(db.engine)
    before = after = reports = 0
    cpu = alone = 0.0
    try:
        await seed_cases(db, draw_cases(seed))
        for quarter in range(1, 5):
            for scope in (None, *REGIONS):
                async with db.session() as session:
                    q = await query_for(session, Period.quarter(2026, quarter), scope, T, now=AFTER)
                    started = cpu_seconds()
                    own, _cells = await _formalization(q, {})
                    alone += cpu_seconds() - started
                    started = cpu_seconds()
                    printed = await formalization(q)
                    cpu += cpu_seconds() - started
                before, after = before + _dashes(own), after + _dashes(printed)
                reports += 1
    finally:
        await db.dispose()
    print(f"seed {seed}: «—» {before} -> {after} in {reports} reports, {cpu:.1f} CPU s "
          f"(by its own rule alone {alone:.1f})", flush=True)  # fmt: skip
    return before, after, cpu, reports


async def main(first: int, last: int) -> None:
    totals = [0, 0, 0.0, 0]
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, last):
            for i, value in enumerate(await _seed(seed, Path(folder))):
                totals[i] += value
    before, after, cpu, reports = totals
    print(f"seeds {first}-{last - 1}: «—» {before} -> {after}, {reports} reports, "
          f"{cpu:.1f} CPU s ({cpu / max(reports, 1):.2f} per report)")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs=2, type=int, default=[0, 4], metavar=("FIRST", "END"))
    arguments = parser.parse_args()
    asyncio.run(main(*arguments.seeds))
