"""bench.throughput's alternated full-load rounds (`--rounds N`) as a table.

This box has moved the ratio of Minka to the httpx echo bot by 15-20 % between sessions on the
same code, more than the margin over #17's goal: one run each cannot tell a change from the
box. Each round runs the echo bot, then Minka on each database, back to back, and each Minka
run is compared with the echo run of its own round; the median and the lowest of those
ratios say how steady the figure is (a wide spread is a noisy box, not a faster bot).
"""

from __future__ import annotations

import statistics

ECHO = "echo bot, PTB's httpx"


def print_rounds(rounds: list[dict[str, dict[str, float]]], goal: float) -> None:
    """Each round's updates/s and CPU s/1k, each Minka run beside its round's echo run, then
    the median and the minimum ratio per database (the goal printed beside them)."""
    names = [name for name in rounds[0] if name == ECHO or name.startswith("Minka")]
    print(f"Full load alternated, {len(rounds)} rounds (each ratio against its round's echo run)")
    print(f"{'round':<7}" + "".join(f"{name:>36}" for name in names))
    for n, results in enumerate(rounds, 1):
        echo = results.get(ECHO)
        cells = []
        for name in names:
            r = results[name]
            ratio = f" {r['rate'] / echo['rate']:>4.0%}" if echo and name != ECHO else ""
            cells.append(f"{r['rate']:.1f} u/s, {r['cpu_per_k']:.2f} CPU s/1k{ratio}")
        print(f"{n:<7}" + "".join(f"{cell:>36}" for cell in cells))
    for name in names:
        cpu = [results[name]["cpu_per_k"] for results in rounds]
        spread = f"{min(cpu):.2f}-{max(cpu):.2f}"
        line = f"  {name}: CPU s/1k median {statistics.median(cpu):.2f} ({spread})"
        if name != ECHO and ECHO in rounds[0]:
            ratios = [results[name]["rate"] / results[ECHO]["rate"] for results in rounds]
            line += (
                f"; vs the httpx echo bot median {statistics.median(ratios):.0%}, min"
                f" {min(ratios):.0%}, max {max(ratios):.0%} (goal (#17) >= {goal:.0%})"
            )
        print(line)
