"""The table `bench.indicators` prints: wall / CPU seconds per indicator, database and scope,
with verdicts against the targets; and whether SQLite and PostgreSQL gave the same figures.

Apart from the timing (`bench.indicator_timing`), as it only reads what was measured.
"""

from __future__ import annotations

import os
from typing import Any

from bench.indicator_timing import NAN, Fn, Scopes, Seconds

INDICATOR_TARGET = 2.0
REPORT_TARGET = 10.0


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
