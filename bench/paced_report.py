"""bench.throughput's paced runs as a table, each run beside #17's goal (no best-of: every run)."""

from __future__ import annotations

import argparse

from bot import heap

GOAL_P99_MS, GOAL_MAX_MS = 50.0, 250.0  # every paced run, on each database


def print_paced(rows: list[tuple[str, dict]], args: argparse.Namespace) -> None:
    """Every paced run as measured, each beside #17's goal (p99 and the slowest update)."""
    print(
        f"At {args.rate:g} updates/s ({args.runs} runs of {args.paced_updates} updates, same mix,"
        f" arriving evenly); goal (#17): p99 <= {GOAL_P99_MS:g} ms and max <= {GOAL_MAX_MS:g} ms"
        " in every run"
    )
    print(f"{'':<24}{'run':>4}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'late':>6}  goal")
    for name, r in rows:
        for n, run in enumerate(r["paced"], 1):
            met = run["p99"] <= GOAL_P99_MS and run["max"] <= GOAL_MAX_MS
            print(
                f"{name:<24}{n:>4}{run['p50']:>8.1f}{run['p99']:>8.1f}{run['max']:>8.1f}"
                f"{run['late']:>6.0f}  {'met' if met else 'NOT met'}"
            )
    felt = [run["bench_gc"] for _name, r in rows for run in r["paced"] if run["bench_gc"]]
    print(  # bench.own_gc: a stop of the bench process is not the bot's
        f"  the bench process's own collections over {heap.FELT_MS:g} ms in these runs: "
        f"{len(felt)}" + (f", longest {max(felt):.0f} ms" if felt else "")
    )
