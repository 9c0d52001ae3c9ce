"""Memory for bench.throughput: resident memory of a process, and the soak (`--soak`).

Issue #17's goal: RSS <= 150 MB after 10,000 updates with the full Tool Kit loaded, and flat
over a 30-minute soak at 25 updates/s.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

from bench import heapdiff
from bench.load import Actor, Step, open_loop

GOAL_RSS_MIB = 150.0  # after 10,000 updates and over the soak, full kit loaded
RSS_AFTER = 10_000  # updates after which the goal applies
SOAK_FLAT_MIB = 1.0  # RSS gained over the soak's second half that still counts as flat


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def typed(question: str, rng: random.Random) -> str:
    """The question as someone might type it: half the time one letter of one word dropped
    or swapped with the next, so texts and misspellings keep being new, as in real use (a
    cache that grows with new texts shows in the soak)."""
    words = question.split()
    long = [i for i, w in enumerate(words) if len(w) > 4]
    if not long or rng.random() < 0.5:
        return question
    i = rng.choice(long)
    word, at = words[i], rng.randrange(1, len(words[i]) - 1)
    if rng.random() < 0.5:
        words[i] = word[:at] + word[at + 1 :]
    else:
        words[i] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)


async def soak(
    actors: list[Actor], step: Step, pid: int, args: argparse.Namespace
) -> list[tuple[float, dict[str, float]]]:
    """`args.soak` minutes at `args.rate` updates/s (questions typed as people do, see
    `typed`), RSS and that minute's latency printed as each minute ends."""
    minutes = []
    start = rss_mib(pid)
    print(f"  soak: {args.soak} min at {args.rate:g} updates/s; RSS {start:.1f} MB", flush=True)
    for minute in range(1, args.soak + 1):
        run = await open_loop(actors, step, round(60 * args.rate), args.rate)
        minutes.append((rss_mib(pid), run))
        heapdiff.snapshot(pid)
        print(
            f"  soak minute {minute:>3}: RSS {minutes[-1][0]:6.1f} MB; {run['rate']:.1f} updates/s"
            f" ({run['late']:.0f} late); p50 {run['p50']:.1f} ms, p99 {run['p99']:.1f} ms,"
            f" max {run['max']:.1f} ms; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    return minutes


def print_soak(rows: list[tuple[str, dict]], args: argparse.Namespace) -> None:
    """RSS over the soak: flat means no more than `SOAK_FLAT_MIB` gained in its second half
    (caches that fill up level off; a leak keeps growing)."""
    for name, r in rows:
        minutes = r.get("soak")
        if not minutes:
            continue
        rss = [m[0] for m in minutes]
        half = rss[(len(rss) - 1) // 2]
        worst = max(m[1]["p99"] for m in minutes)
        flat = rss[-1] - half <= SOAK_FLAT_MIB and max(rss) <= GOAL_RSS_MIB
        print(
            f"Soak {name}: {args.soak} min at {args.rate:g} updates/s, RSS "
            + " ".join(f"{v:.0f}" for v in rss)
            + f" MB; second half +{rss[-1] - half:.1f} MB; worst minute's p99 {worst:.1f} ms;"
            f" goal (#17) flat (<= +{SOAK_FLAT_MIB:g} MB) and <= {GOAL_RSS_MIB:g} MB: "
            + ("met" if flat else "NOT met")
        )
