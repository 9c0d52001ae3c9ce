"""Timing the indicators for `bench.indicators`: which of them exist, and the wall and CPU seconds
each one and the whole report take on one database.

Apart from the bench's command line (seeding, PostgreSQL copy) and its table of figures, because
this is the measuring itself: what counts as CPU time (worker processes included), which SQL ran.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import time
import types
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, select, text

from bot.i18n import translator
from storage.db import Database
from storage.models import ArticleView, Person, Workshop
from storage.repositories.regions import list_regions

YEAR = 2026  # the period: 2026-01-01..2026-12-31
REGION = "puno"
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
        q = Query(session, period, region, regions, t, period.end(t))
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
