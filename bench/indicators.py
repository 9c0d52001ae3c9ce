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
import importlib
import inspect
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import types
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select, text

from bench import postgres_copy
from bench.seed_indicators import BASE_PEOPLE, seed
from bot.i18n import translator
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ArticleView, Person, Workshop
from storage.repositories.regions import list_regions

YEAR = 2026  # the period: 2026-01-01..2026-12-31
REGION = "puno"
INDICATOR_TARGET = 2.0
REPORT_TARGET = 10.0
# Where each indicator lives, to time the ones that exist while others are still being written.
MODULES = {
    "meetings": ("participation", "meeting_regularity"),
    "training": ("training",),
    "cases": ("cases_attended", "formalization"),
    "toolkit": ("dissemination",),
    "women": ("women",),
}
PACKAGE = "bot.services.indicators"  # imported late: while a module is missing, it cannot be
Fn = Callable[[Any], Awaitable[Any]]
Seconds = tuple[float, float]  # wall, CPU (this process)
Scopes = dict[str | None, dict[str, Seconds]]  # seconds per indicator (and report) per scope


def load_indicators() -> tuple[list[Fn], list[str], Any]:
    """The indicator functions in report order, what is missing, and the package (or None).

    When the package itself cannot be imported (one of its modules is missing), the modules
    that exist are loaded one by one under a bare stand-in for the package."""
    try:
        package = importlib.import_module(PACKAGE)
        return list(package.INDICATORS), [], package
    except ImportError as error:
        print(f"! {PACKAGE} cannot be imported ({error}); timing the modules that exist")
    import bot.services

    stand_in = types.ModuleType(PACKAGE)
    stand_in.__path__ = [str(Path(bot.services.__file__).parent / "indicators")]
    sys.modules[PACKAGE] = stand_in
    functions: list[Fn] = []
    missing: list[str] = []
    for module, names in MODULES.items():
        try:
            loaded = importlib.import_module(f"{PACKAGE}.{module}")
        except ImportError as error:
            missing += [f"{name} ({PACKAGE}.{module}: {error})" for name in names]
            continue
        for name in names:
            if hasattr(loaded, name):
                functions.append(getattr(loaded, name))
            else:
                missing.append(f"{name} (not in {PACKAGE}.{module})")
    return functions, missing, None


def load_outputs() -> dict[str, Callable[..., Any]]:
    """The XLSX writer and the chart images (which /indicadores also sends), when they exist."""
    outputs = {}
    for key, module, name in (
        ("xlsx", "xlsx", "report_xlsx"),
        ("charts", "charts", "chart_images"),
    ):
        try:
            outputs[key] = getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
        except (ImportError, AttributeError) as error:
            print(f"! no {PACKAGE}.{module}.{name} ({error}); the report is timed without it")
    return outputs


def cpu_seconds() -> float:
    """CPU time of this process and of its worker processes (`bot.workers`, where the exact
    checks run), read from /proc: a worker's CPU is not this process's, and it is not counted
    as its child's either until it exits."""
    from bot import workers

    seconds = time.process_time()
    executor = workers._pool.executor
    for pid in getattr(executor, "_processes", None) or {}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone (or not Linux)
            continue
        seconds += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


class Stopwatch:
    """Wall and CPU seconds (`cpu_seconds`) since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), cpu_seconds()

    def read(self) -> Seconds:
        return time.perf_counter() - self.wall, cpu_seconds() - self.cpu


NAN: Seconds = (float("nan"), float("nan"))


class Statements:
    """Every SQL statement the engine runs, with its duration (for --queries)."""

    def __init__(self, database: Database) -> None:
        self.log: list[tuple[float, str, Any]] = []
        engine = database.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, _sql: str, _params: Any, *_: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        self.log.append((time.perf_counter() - conn.info.pop("bench_started"), sql, params))

    def take(self) -> list[tuple[float, str, Any]]:
        taken, self.log = self.log, []
        return taken


async def explain(database: Database, slowest: list[tuple[float, str, Any]]) -> None:
    async with database.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        for seconds, sql, params in slowest:
            print(f"    {seconds:6.2f} s  {' '.join(sql.split())[:400]}")
            if database.engine.dialect.name == "postgresql":  # asyncpg: $1 placeholders
                plan = [row[0] for row in await raw.fetch(f"EXPLAIN ANALYZE {sql}", *params)]
            else:
                cursor = await raw.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = [row[-1] for row in await cursor.fetchall()]
            for line in plan:
                print(f"             plan: {line}")


async def time_scope(
    database: Database,
    period: Any,
    functions: list[Fn],
    package: Any,
    outputs: dict[str, Callable[..., Any]],
    region: str | None,
    statements: Statements | None,
) -> tuple[dict[str, Seconds], Any]:
    """Seconds (wall, CPU) per indicator, then for the report ('report', 'xlsx'), for one
    scope; and the report's indicators (None without the package), to compare across databases."""
    from bot.services.indicators.common import Query

    seconds: dict[str, Seconds] = {}
    t = translator("es", ZoneInfo("America/Lima"))
    async with database.session() as session:
        regions = {r.code: r.name for r in await list_regions(session)}
        q = Query(session, period, region, regions, t)
        for function in functions:
            if statements is not None:
                statements.take()  # forget what ran before this indicator
            watch = Stopwatch()
            try:
                await function(q)
            except Exception as error:  # an indicator being written may still be broken
                print(f"! {function.__name__}: {type(error).__name__}: {error}")
                seconds[function.__name__] = NAN
                continue
            seconds[function.__name__] = watch.read()
            if statements is not None:
                slowest = sorted(statements.take(), key=lambda s: s[0], reverse=True)[:3]
                print(f"  {function.__name__} ({region or 'all regions'}), slowest statements:")
                await explain(database, slowest)
    if package is None:
        return seconds, None
    async with database.session() as session:
        watch = Stopwatch()
        now = datetime.now(UTC)
        report = await package.build_report(session, period, region, t, now)
        seconds["report"] = watch.read()
    for key, output in outputs.items():
        watch = Stopwatch()
        arguments = (report, t)[: len(inspect.signature(output).parameters)]
        output(*arguments)
        seconds[key] = watch.read()
    return seconds, report.indicators


STATS_SQL = {
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'",
    "postgresql": "SELECT count(*) FROM pg_stats WHERE schemaname = 'public'",
}


async def sanity(database: Database, period: Any) -> None:
    """Read the seeded rows back through SQLAlchemy: aware datetimes, period filters work."""
    t = translator("es", ZoneInfo("America/Lima"))
    async with database.session() as session:
        people = await session.scalar(select(func.count(Person.id)))
        views = await session.scalar(select(func.count(ArticleView.id)))
        in_period = await session.scalar(
            select(func.count(ArticleView.id)).where(
                ArticleView.at >= period.start(t), ArticleView.at < period.end(t)
            )
        )
        first = await session.scalar(select(func.min(Workshop.starts_at)))
        stats = await session.scalar(text(STATS_SQL[database.engine.dialect.name]))
    assert first is None or first.tzinfo is not None, "datetimes came back naive"
    print(
        f"Database: {people:,} people, {views:,} article views ({in_period:,} in {YEAR}), "
        f"first workshop {first:%Y-%m-%d %H:%M} UTC, ANALYZE statistics: {'yes' if stats else 'no'}"
    )
    if database.engine.dialect.name == "postgresql":
        async with database.session() as session:
            settings = [
                f"{name} {await session.scalar(text(f'SHOW {name}'))}"
                for name in ("server_version", "shared_buffers", "work_mem")
            ]
        print(f"PostgreSQL: {', '.join(settings)}")


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


def verdict(seconds: float, target: float) -> str:
    if seconds != seconds:  # NaN: failed
        return "FAILED"
    return "ok" if seconds <= target else "SLOW"


WIDTH = 20  # "  12.34 s /  10.12 s"


def cell(seconds: Seconds) -> str:
    return f"{seconds[0]:>8.2f} s /{seconds[1]:>6.2f} s"


def print_table(results: dict[str, Scopes], functions: list[Fn]) -> None:
    """One column per database and scope (wall / CPU seconds); with several databases, a line
    naming each first. The verdicts are on CPU time: on a shared machine wall time includes
    waiting for a core."""
    columns = [(base, scope) for base, scopes in results.items() for scope in scopes]
    timed = {column: results[column[0]][column[1]] for column in columns}
    print()
    if len(results) > 1:
        print(" " * 24 + "".join(f"{base:>{WIDTH * len(results[base])}}" for base in results))
    header = "".join(
        f"{(scope or 'all regions') + ' wall / CPU':>{WIDTH}}" for _b, scope in columns
    )
    print(f"{'indicator':<24}{header}   target (CPU)")
    for name in (f.__name__ for f in functions):
        cells = "".join(cell(timed[c].get(name, NAN)) for c in columns)
        marks = "/".join(verdict(timed[c].get(name, NAN)[1], INDICATOR_TARGET) for c in columns)
        print(f"{name:<24}{cells}   ≤ {INDICATOR_TARGET:.0f} s: {marks}")
    first = timed[columns[0]]
    if "report" not in first:
        print("(no whole report: the indicators package does not import yet)")
        return
    labels = {"report": "build_report", "xlsx": "XLSX writer", "charts": "chart PNGs"}
    for key, label in labels.items():
        if key in first:
            print(f"{label:<24}" + "".join(cell(timed[c][key]) for c in columns))
    totals = [("whole report", ("report", "xlsx"))]
    if "charts" in first:
        totals.append(("+ chart PNGs", ("report", "xlsx", "charts")))  # as /indicadores
    for label, keys in totals:
        sums = {
            c: (sum(timed[c][key][0] for key in keys), sum(timed[c][key][1] for key in keys))
            for c in columns
        }
        cells = "".join(cell(sums[c]) for c in columns)
        marks = "/".join(verdict(sums[c][1], REPORT_TARGET) for c in columns)
        print(f"{label:<24}{cells}   ≤ {REPORT_TARGET:.0f} s: {marks}")
    if "xlsx" not in first:
        print("(whole report without the XLSX writer: it does not import yet)")
    print(f"Load average when done: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


class Suite:
    """What is timed: the indicators (as far as they exist), the package and its outputs."""

    def __init__(self) -> None:
        self.functions, missing, self.package = load_indicators()
        for name in missing:
            print(f"! missing indicator: {name}")
        self.outputs = load_outputs() if self.package is not None else {}
        self.period = importlib.import_module(f"{PACKAGE}.periods").Period.year(YEAR)

    async def run(self, url: str, queries: bool) -> tuple[Scopes, dict[str | None, Any]]:
        """Seconds per scope, and each scope's report (None without the package)."""
        database = Database(url)
        try:
            await sanity(database, self.period)
            statements = Statements(database) if queries else None
            results: Scopes = {}
            reports: dict[str | None, Any] = {}
            for region in (None, REGION):
                results[region], reports[region] = await time_scope(
                    database, self.period, self.functions, self.package, self.outputs, region,
                    statements,
                )  # fmt: skip
            return results, reports
        finally:
            await database.dispose()


def compare(first: dict[str | None, Any], second: dict[str | None, Any]) -> None:
    """Both databases must give the very same figures (titles, tables, charts, headlines)."""
    if any(report is None for report in (*first.values(), *second.values())):
        return
    differing = [
        f"{one.title} ({region or 'all regions'})"
        for region in first
        for one, other in zip(first[region], second[region], strict=True)
        if one != other
    ]
    print(f"! figures differ on PostgreSQL: {'; '.join(differing)}" if differing else
          "Same figures on SQLite and PostgreSQL (every indicator, both scopes)")  # fmt: skip


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
