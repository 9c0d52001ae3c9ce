"""What the exact reader of indicator 3 (`bot.services.indicators.training_exact`) adds to the
indicators report and its workbook, on the synthetic year of `bench.indicators`.

    python -m bench.exact_timing [--people 100000] [--db PATH] [--rounds 3]

Seeds the database as `bench.indicators` does (or reuses --db PATH), then, for all regions
and for Puno, builds the whole report and its XLSX workbook `--rounds` times with the exact
reader and as many without it (its call replaced by one that hides nothing more),
alternating, and prints: the seconds inside the exact reader per report (its calls, one
per criterion, the national figures' for a region's report too), the best wall time of the
report and workbook either way, and the groups it hid that the other rules showed.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.indicator_timing import YEAR, load_outputs
from bench.indicators import seed_child
from bench.seed_indicators import BASE_PEOPLE
from bot.i18n import translator
from storage.db import Database


class Spy:
    """Wraps `exactly_hidden`: its seconds and the groups it adds, or none (`on` False)."""

    def __init__(self, real: Any) -> None:
        self.real, self.on, self.seconds, self.calls = real, True, 0.0, 0
        self.added: set[tuple[str, Any]] = set()
        self.cells = 0  # of region × sex × workshop, most in one call

    def __call__(self, fine: Any, cells: Any, name: str, hidden: Any, *rest: Any) -> Any:
        if not self.on:
            return hidden
        rated = sum(1 for groups in fine.values() for v in groups.values() if v[f"n_{name}"])
        self.cells = max(self.cells, rated)
        started = time.perf_counter()
        result = self.real(fine, cells, name, hidden, *rest)
        self.seconds += time.perf_counter() - started
        self.calls += 1
        if result.total and not hidden.total:
            self.added.add((name, "total"))
        self.added.update((name, row) for row in result.rows - hidden.rows)
        self.added.update((name, column) for column in result.columns - hidden.columns)
        return result


async def one_report(url: str, region: str | None) -> float:
    from bot.services import indicators
    from bot.services.indicators.periods import Period

    database = Database(url)
    t = translator("es", ZoneInfo("America/Lima"))
    try:
        started = time.perf_counter()
        async with database.session() as session:
            report = await indicators.build_report(
                session, Period.year(YEAR), region, t, datetime.now(UTC)
            )
        for output in load_outputs().values():
            output(*(report, t)[: len(inspect.signature(output).parameters)])
        return time.perf_counter() - started
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lo que el lector exacto suma al informe")
    parser.add_argument("--people", type=int, default=BASE_PEOPLE)
    parser.add_argument("--db", type=Path, help="base a reutilizar (o a crear y conservar)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    path: Path = args.db or Path(tempfile.mkdtemp(prefix="minka-exact-")) / "indicators.sqlite3"
    if not path.exists():
        child = multiprocessing.get_context("fork").Process(
            target=seed_child, args=(path, args.people)
        )
        child.start()
        child.join()
        if child.exitcode:
            return 1
    from bot.services.indicators import training_bounds

    spy = Spy(training_bounds.exactly_hidden)
    training_bounds.exactly_hidden = spy  # type: ignore[assignment]
    url = f"sqlite+aiosqlite:///{path}"
    for region in (None, "puno"):
        best = {True: float("inf"), False: float("inf")}
        inside: list[float] = []
        for _round in range(args.rounds):
            for on in (True, False):
                spy.on, spy.seconds, spy.calls = on, 0.0, 0
                best[on] = min(best[on], asyncio.run(one_report(url, region)))
                if on:
                    inside.append(spy.seconds)
        scope = region or "all regions"
        print(
            f"{scope}: {spy.cells} cells, exact reader {1000 * min(inside):.1f} ms per report "
            f"(best of {args.rounds}; {', '.join(f'{1000 * s:.1f}' for s in inside)} ms), "
            f"report + workbook {best[True]:.2f} s with it, {best[False]:.2f} s without"
        )
    print(f"Groups it hid beyond the other rules (criterion, group): {sorted(spy.added, key=str)}")
    print(f"Database kept at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
