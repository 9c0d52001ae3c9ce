"""bench.throughput's full-load phase as a table: each bot's updates per second beside the echo
bots' (the framework's ceiling), latency, memory, CPU and PostgreSQL round trips, then each
Minka run beside issue #17's goals."""

from __future__ import annotations

import argparse
import statistics

from bench.soak import GOAL_RSS_MIB, RSS_AFTER

ECHO_VARIANTS = (("echo bot, PTB's httpx", "httpx"), ("echo bot, aiohttp", "aiohttp"))
# Issue #17's goals, printed beside what was measured (never assumed).
GOAL_VS_HTTPX = 1.0  # full load: at least the bare PTB echo bot (httpx)


def print_full_load(rounds: list[dict[str, dict[str, float]]], args: argparse.Namespace) -> None:
    """The last round's table; with several rounds, the ratio to the echo bot is theirs."""
    rows = list(rounds[-1].items())  # the last round's: the paced runs, the soak, aiohttp
    ceilings = {name: r["rate"] for name, r in rows if name.startswith("echo")}
    print(f"Full load: {args.updates} updates, {args.users} people acting at once; mix {args.mix}")
    print(
        f"{'':<24}{'updates/s':>10}"
        + "".join(f"{'vs ' + name.split(', ')[1]:>16}" for name in ceilings)
        + f"{'p50 ms':>8}{'p99 ms':>8}{'RSS start':>11}{'RSS end':>9}{'bot CPU':>9}"
        f"{'CPU s/1k':>10}{'PG trips':>10}{'PG s/1k':>9}"
    )
    for name, r in rows:
        print(
            f"{name:<24}{r['rate']:>10.1f}"
            + "".join(f"{r['rate'] / ceiling:>16.0%}" for ceiling in ceilings.values())
            + f"{r['p50']:>8.1f}{r['p99']:>8.1f}{r['rss_start']:>10.1f}M{r['rss_end']:>8.1f}M"
            f"{r['cpu']:>9.0%}{r['cpu_per_k']:>10.2f}"
            + (f"{r['trips']:>10.2f}" if "trips" in r else f"{'':>10}")
            + (f"{r['server_per_k']:>9.2f}" if "server_per_k" in r else "")
        )
    httpx = ceilings.get(ECHO_VARIANTS[0][0])
    for name, r in rows:
        if name.startswith("Minka"):
            ratio = f"{r['rate'] / httpx:.0%}" if httpx else "not measured (--no-echo)"
            if httpx and len(rounds) > 1:
                ratios = [each[name]["rate"] / each[ECHO_VARIANTS[0][0]]["rate"] for each in rounds]
                ratio = (
                    f"median {statistics.median(ratios):.0%}, min {min(ratios):.0%}"
                    f" over {len(rounds)} rounds"
                )
            rss = (
                f"{r['rss_end']:.1f} MB"
                if args.updates >= RSS_AFTER
                else f"not measured (--updates {args.updates})"
            )
            print(
                f"  goal (#17) {name}: >= {GOAL_VS_HTTPX:.0%} of the httpx echo bot: {ratio}; "
                f"RSS <= {GOAL_RSS_MIB:.0f} MB after {RSS_AFTER:,} updates: {rss}"
            )
