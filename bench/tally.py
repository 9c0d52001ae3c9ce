"""What the disclosure benches (`case_months`, `meeting_cells`) print alike: how many figures
each table hid and showed over their datasets, and times in milliseconds."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable


def print_tally(tally: Counter[str], width: int) -> None:
    """Per table (keys «TABLE hidden» and «TABLE shown»), its figures hidden and shown."""
    print(f"{'table':{width}} {'hidden':>7} {'shown':>7}")
    for table in sorted({key.rsplit(" ", 1)[0] for key in tally}):
        print(f"{table:{width}} {tally[table + ' hidden']:7} {tally[table + ' shown']:7}")


def print_ms(label: str, seconds: Iterable[float]) -> None:
    """`label`: the median, 90th percentile and largest of `seconds`, in milliseconds."""
    ms = sorted(value * 1000 for value in seconds)
    print(
        f"{label}: median {statistics.median(ms):.1f}, "
        f"p90 {ms[int(len(ms) * 0.9)]:.1f}, max {ms[-1]:.1f}"
    )
