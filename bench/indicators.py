"""The seven indicators on a year of a large programme: time per indicator and per report.

    python -m bench.indicators [--people 100000] [--db PATH] [--keep] [--queries] [--postgres]

Seeds a synthetic database (see `bench.seed_indicators`; every count scales with --people)
in a child process, then, for 2026-01-01..2026-12-31, times each indicator function on its
own (`await function(q)`), then the whole report (`build_report` plus the XLSX writer), for
all regions and for Puno. Targets: each indicator ≤ 2 s, the whole report ≤ 10 s. Each figure
is wall time, then the CPU time of the same work, in this process and its worker processes
(on a shared, loaded machine the wall time includes waiting for a core; CPU time does not).

--db PATH reuses the database at PATH when it exists (else seeds it there and keeps it);
without it the database lives in a temporary folder, removed unless --keep. --queries lists,
per indicator, the slowest SQL statements and their plan (SQLite's EXPLAIN QUERY PLAN,
PostgreSQL's EXPLAIN ANALYZE).

--postgres then starts a throwaway PostgreSQL server as the tests do, migrates a database there,
copies every row of the SQLite database into it (see `bench.postgres_copy`), runs the same
timings against it and prints them next to SQLite's, checks that both computed the same figures,
and stops the server, deleting its data folder.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import postgres_copy
from bench.indicator_table import compare, print_table
from bench.indicator_timing import Scopes, Suite
from bench.seed_indicators import BASE_PEOPLE, seed
from storage.db import Database
from storage.migrate import upgrade


def seed_child(path: Path, people: int) -> None:
    """Runs in a child process, so that the peak memory printed at the end is the report's."""
    started = time.perf_counter()
    database = Database(f"sqlite+aiosqlite:///{path}")
    asyncio.run(upgrade(database.engine))
    asyncio.run(database.dispose())
    seeder = seed(path, people)
    elapsed = time.perf_counter() - started
    for table, seconds in seeder.seconds.items():
        print(f"  {table:<22}{seeder.counts.get(table, 0):>11,}{seconds:>8.1f} s")
    rows = sum(seeder.counts.values())
    size = path.stat().st_size / 2**20
    print(f"Seeded {rows:,} rows for {people:,} people in {elapsed:.1f} s ({size:.0f} MiB)")


def on_postgres(path: Path, suite: Suite, queries: bool) -> tuple[Scopes, dict[str | None, Any]]:
    """Copy the SQLite database into a throwaway server and time the same things there."""
    with postgres_copy.server() as server:
        copy = postgres_copy.Copy(path, server)
        started = time.perf_counter()
        asyncio.run(copy.run())
        elapsed = time.perf_counter() - started
        rows = sum(copy.counts.values())
        print(f"\nCopied {rows:,} rows into PostgreSQL in {elapsed:.1f} s (server {server.root}):")
        print(copy.summary())
        started = time.perf_counter()
        timings = asyncio.run(suite.run(copy.url, queries))
        print(f"PostgreSQL timings took {time.perf_counter() - started:.1f} s")
    print(f"PostgreSQL stopped; {server.root} deleted")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Tiempo de cada indicador y del informe")
    parser.add_argument("--people", type=int, default=BASE_PEOPLE)
    parser.add_argument("--db", type=Path, help="base a reutilizar (o a crear y conservar)")
    parser.add_argument("--keep", action="store_true", help="conserva la base temporal")
    parser.add_argument("--queries", action="store_true", help="consultas más lentas y su plan")
    parser.add_argument(
        "--postgres", action="store_true", help="copia la base a PostgreSQL y mide también allí"
    )
    args = parser.parse_args(argv)
    folder = None if args.db else Path(tempfile.mkdtemp(prefix="minka-indicators-"))
    path: Path = args.db or Path(str(folder)) / "indicators.sqlite3"
    seeding = not path.exists()
    try:
        if not seeding:
            print(f"Reusing {path} (delete it to seed again)")
        else:
            child = multiprocessing.get_context("fork").Process(
                target=seed_child, args=(path, args.people)
            )
            child.start()
            child.join()
            if child.exitcode:
                print(f"! seeding failed (exit code {child.exitcode}); {path} removed")
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                return 1
        suite = Suite()
        started = time.perf_counter()
        results, reports = {}, {}
        results["SQLite"], reports["SQLite"] = asyncio.run(
            suite.run(f"sqlite+aiosqlite:///{path}", args.queries)
        )
        print(f"SQLite timings took {time.perf_counter() - started:.1f} s")
        if args.postgres:
            try:
                results["PostgreSQL"], reports["PostgreSQL"] = on_postgres(
                    path, suite, args.queries
                )
            except RuntimeError as error:  # no PostgreSQL binaries, or it did not start
                print(f"! PostgreSQL: {error}")
        print_table(results, suite.functions)
        if "PostgreSQL" in reports:
            compare(reports["SQLite"], reports["PostgreSQL"])
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\nPeak RSS: {own:.0f} MiB (indicators and report)", end="")
        seeder_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"; seeding process {seeder_rss:.0f} MiB" if seeding else "")
    finally:
        if folder is not None and not args.keep:
            for leftover in folder.iterdir():
                leftover.unlink()
            folder.rmdir()
        else:
            print(f"Database kept at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
