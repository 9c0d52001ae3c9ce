"""What an erasure's wipe costs on PostgreSQL (`Database.wipe_erased`): the tables erasure
changes (`WIPED`) rewritten, VACUUM FULL, so that no old version of a row stays in
their files; the whole wipe, and each table's rewrite, during which that table's readers and
writers wait (the longest is the stall an update may meet). On the indicators bench's
synthetic database (`bench.seed_indicators`, copied by `bench.postgres_copy`), at --people
(every count scales with it).

    python -m bench.erasure_wipe --people 10000
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench import postgres_copy
from bench.seed_indicators import seed
from storage.db import Database
from storage.migrate import upgrade
from storage.repositories.erasure import WIPED


async def _timed(url: str, copy: postgres_copy.Copy) -> None:
    database = Database(url)
    try:
        started = time.perf_counter()
        wiped = await database.wipe_erased(WIPED)
        print(f"wipe_erased: {time.perf_counter() - started:.2f} s (every table: {wiped})")
    finally:
        await database.dispose()
    connection = await copy.connect()
    try:
        seconds = {}
        for table in sorted(WIPED):
            started = time.perf_counter()
            await connection.execute(f'VACUUM FULL "{table}"')
            seconds[table] = time.perf_counter() - started
    finally:
        await connection.close()
    print("the longest rewrites (a table locked meanwhile):")
    for table, spent in sorted(seconds.items(), key=lambda item: -item[1])[:5]:
        print(f"  {table:<28}{copy.counts.get(table, 0):>11,} rows {1000 * spent:>8.0f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        database = Database(f"sqlite+aiosqlite:///{path}")
        asyncio.run(upgrade(database.engine))
        asyncio.run(database.dispose())
        seed(path, options.people)
        with postgres_copy.server() as server:
            copy = postgres_copy.Copy(path, server)
            asyncio.run(copy.run())
            print(f"{sum(copy.counts.values()):,} rows for {options.people:,} people")
            asyncio.run(_timed(copy.url, copy))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
