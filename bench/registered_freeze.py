"""The event loop held by freezing the months past (`bot.services.registered`) on SQLite, where a
write transaction's statements run in place on the loop's thread (`storage.sqlite_in_place`):
all the months missing in one transaction (`history`, as /registrados freezes and, before
session 29, as /indicadores did) against each month in its own (`freeze_months`, the report's
now). Both on a copy of one database seeded as `bench.broadcast` seeds its 10,000 people
(`bench.seed_indicators`: registered from December 2024, no month frozen yet).

Printed: the longest stretch in which a task yielding at every turn of the loop did not run
(what a reply arriving then waits at least), with the loop's thread's CPU in it; the most CPU
of the loop's thread in one stretch (the work itself, less noisy on a shared box than the
wall clock, which counts the core lost to others); the total wall time, and the rows
written.

    python -m bench.registered_freeze [--people 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.broadcast import seed
from bot.services.registered import freeze_months, history
from bot.stalls import Usage
from storage.db import Database
from storage.models import MonthEndPerson
from storage.types import utcnow

LIMA = ZoneInfo("America/Lima")


async def one_transaction(db: Database) -> None:
    async with db.session() as session:
        await history(session, utcnow(), LIMA)


async def by_month(db: Database) -> None:
    await freeze_months(db, utcnow(), LIMA)


WAYS = {"one transaction": one_transaction, "a month each": by_month}


async def measure(path: Path, way: str) -> tuple[float, float, float, float, int]:
    """(longest stretch ms, its CPU ms, most CPU ms in a stretch, wall ms, rows) for
    freezing the database at `path`."""
    db = Database(f"sqlite+aiosqlite:///{path}")
    longest, most = (0.0, 0.0), 0.0
    done = False

    async def ticker() -> None:
        nonlocal longest, most
        last, used = time.perf_counter(), Usage()
        while not done:
            await asyncio.sleep(0)
            now, usage = time.perf_counter(), Usage()
            if now - last > longest[0]:
                longest = (now - last, usage.cpu - used.cpu)
            most = max(most, usage.cpu - used.cpu)
            last, used = now, usage

    try:
        async with db.session() as session:  # the connection opened: not counted
            await session.scalar(select(func.count(MonthEndPerson.id)))
        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        started = time.perf_counter()
        await WAYS[way](db)
        wall = time.perf_counter() - started
        done = True
        await ticking
        async with db.session() as session:
            rows = await session.scalar(select(func.count(MonthEndPerson.id))) or 0
    finally:
        await db.dispose()
    return 1000 * longest[0], 1000 * longest[1], 1000 * most, 1000 * wall, rows


async def main(people: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        seeded = Path(folder) / "seeded.sqlite3"
        await seed(seeded, people)
        print(f"{people} people, SQLite; the loop's longest stretch without a turn for others")
        print(f"{'way':>16} {'run':>4} {'longest ms':>11} {'its CPU':>8} {'most CPU':>9}", end="")
        print(f" {'wall ms':>9} rows")
        for run in range(runs):
            for way in WAYS:  # alternated: the box's load shared
                copy = Path(folder) / "copy.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    source = seeded.with_name(seeded.name + suffix)
                    target = copy.with_name(copy.name + suffix)
                    target.unlink(missing_ok=True)
                    if source.exists():
                        shutil.copy(source, target)
                longest, cpu, most, wall, rows = await measure(copy, way)
                print(f"{way:>16} {run + 1:>4} {longest:>11.1f} {cpu:>8.1f} {most:>9.1f}", end="")
                print(f" {wall:>9.1f} {rows}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.people, args.runs))
