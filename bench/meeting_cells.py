"""What indicator 1 hides, on tests/test_union_random's random datasets: its people invited by
region and by sex (invited, confirmed, delegated, attended) and each meeting's answers
(confirmed, delegated, answered no, attended), hidden and shown, in the national report and
each region's, summed over the seeds; the CPU of `meeting_rule.meeting_hides` (once a dataset:
every report reads the same answer) and of each report besides it.

    python -m bench.meeting_cells [--seeds 0 90]

Only cells of a row with someone invited are counted (a row of nobody shows its 0); the
rates are left out (they follow the counts) and so are the totals' rows. Each seed: a fresh
SQLite file, the people, meetings and answers of tests/test_union_random's `Dataset(seed)`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.tally import print_ms, print_tally
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.meeting_rule import meeting_hides
from storage.db import Database
from storage.migrate import upgrade
from tests.test_case_support_disclosure import QUARTER
from tests.test_period_disclosure import T
from tests.test_union_random import Dataset, installed
from tests.union_dataset import REGIONS, SEXES, seed_database

# `bot.services.indicators` exports the function of the same name.
participation = importlib.import_module("bot.services.indicators.participation")
PEOPLE_COLUMNS = range(1, 5)  # invited, confirmed, delegated, attended
MEETING_COLUMNS = range(4, 8)  # confirmed, delegated, answered no, attended


def _invited(data: Dataset, scope: str | None) -> dict[str, Counter[str]]:
    """The people invited in `scope` per row label of each table (region, sex, meeting)."""
    rows: dict[str, Counter[str]] = {"region": Counter(), "sex": Counter(), "meeting": Counter()}
    for title, names in data.meetings.items():
        for name in names:
            region, sex = data.people[name]
            if scope in (None, region):
                rows["region"][REGIONS[region]] += 1
                rows["sex"][SEXES[sex]] += 1
                rows["meeting"][title] += 1
    return rows


def _count(tally: Counter[str], scope: str | None, indicator: Indicator, data: Dataset) -> None:
    """Adds the report's hidden and shown cells to `tally` (keys «scope table hidden»)."""
    where = "national" if scope is None else "regional"
    regions, sexes, meetings = indicator.tables
    invited = _invited(data, scope)
    for name, table, label, columns in (
        ("region", regions, 0, PEOPLE_COLUMNS),
        ("sex", sexes, 0, PEOPLE_COLUMNS),
        ("meeting", meetings, 1, MEETING_COLUMNS),
    ):
        for row in table.rows:
            if invited[name][row[label]]:  # a row of nobody (or the totals') is not counted
                for column in columns:
                    state = "hidden" if row[column] is None else "shown"
                    tally[f"{where} by {name} {state}"] += 1


async def _seed(seed: int, folder: Path, tally: Counter[str], cpu: dict[str, list[float]]) -> None:
    db = Database(f"sqlite+aiosqlite:///{folder / f'seed{seed}.sqlite3'}")
    await upgrade(db.engine)
    data = Dataset(seed)
    try:
        with installed(data):
            await seed_database(db)
            for scope in [None, *REGIONS]:
                async with db.session() as session:
                    q = await query_for(session, QUARTER, scope, T, QUARTER.end(T))
                    if scope is None:  # the rule, here rather than in a worker: timed
                        invitations = await participation._invitations(q)
                        started = time.process_time()
                        hides = meeting_hides(invitations)
                        cpu["rule"].append(time.process_time() - started)
                        participation._RULES.clear()
                        participation._RULES[tuple(invitations)] = hides
                    started = time.process_time()
                    indicator = await participation.participation(q)
                    cpu["report"].append(time.process_time() - started)
                _count(tally, scope, indicator, data)
    finally:
        await db.dispose()


async def main(first: int, last: int) -> None:
    tally: Counter[str] = Counter()
    cpu: dict[str, list[float]] = {"rule": [], "report": []}
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, last):
            await _seed(seed, Path(folder), tally, cpu)
    print(f"seeds {first}-{last - 1}: {last - first} datasets, {len(cpu['report'])} reports")
    print_tally(tally, 26)
    for name, what in (("rule, a dataset", "rule"), ("report besides", "report")):
        print_ms(f"CPU ms ({name})", cpu[what])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", nargs=2, type=int, default=[0, 90], metavar=("FROM", "TO"))
    arguments = parser.parse_args(sys.argv[1:])
    asyncio.run(main(*arguments.seeds))
