"""Where a growing RSS goes: the bot with tracemalloc, snapshots on demand, and their diff.

    python -m bench.heapdiff run            # the bot (`python -m bot run`), traced
    python -m bench.heapdiff diff A B [N]   # the N lines that grew most from snapshot A to B

With `BENCH_HEAPDIFF=DIR` set, bench.throughput starts the bot through this module and signals
it (SIGUSR1) once started, after the full load and after each soak minute. The first signal
also starts tracemalloc: traced from its first line, the bot's start-up (the Tool Kit's index)
had not ended after ten minutes on the loaded box, and what grows is allocated after it. Each
signal writes a snapshot to DIR as `NNN.snapshot`, and the traced total and RSS then to
`DIR/sizes.txt`. The bot runs slower traced, so the latency figures of such a run do not
count. Nothing of Minka is changed.
"""

from __future__ import annotations

import os
import signal
import sys
import tracemalloc
from pathlib import Path

FRAMES = 12  # enough to see which of Minka's lines called into a library that allocates


def _dump(folder: Path) -> None:
    from bench.soak import rss_mib

    if not tracemalloc.is_tracing():
        tracemalloc.start(FRAMES)
    number = len(list(folder.glob("*.snapshot")))
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    snapshot.dump(str(folder / f"{number:03}.snapshot"))
    traced, peak = tracemalloc.get_traced_memory()
    with (folder / "sizes.txt").open("a") as sizes:
        sizes.write(
            f"{number:03}.snapshot: traced {traced / 2**20:.2f} MB (peak {peak / 2**20:.1f}),"
            f" RSS {rss_mib(os.getpid()):.1f} MB\n"
        )


def snapshot(pid: int) -> None:
    """Ask a bot started through this module for a snapshot (nothing without BENCH_HEAPDIFF)."""
    if os.environ.get("BENCH_HEAPDIFF"):
        os.kill(pid, signal.SIGUSR1)


def diff(first: Path, second: Path, limit: int = 25) -> None:
    """The allocations that grew most between two snapshots, by their innermost lines."""
    a, b = tracemalloc.Snapshot.load(str(first)), tracemalloc.Snapshot.load(str(second))
    grown = b.compare_to(a, "traceback")
    total = sum(s.size_diff for s in grown)
    print(f"{first.name} -> {second.name}: {total / 2**20:+.2f} MB traced in all")
    for stat in grown[:limit]:
        print(f"{stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks")
        for frame in stat.traceback.format(limit=FRAMES, most_recent_first=True)[::2]:
            print(f"      {frame.strip()}")


def run() -> int:
    folder = Path(os.environ["BENCH_HEAPDIFF"])
    folder.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGUSR1, lambda *_: _dump(folder))
    from bot.cli import main

    sys.argv[0] = "bot"
    return main()


if __name__ == "__main__":
    if sys.argv[1:2] == ["diff"]:
        diff(Path(sys.argv[2]), Path(sys.argv[3]), *(int(n) for n in sys.argv[4:5]))
    else:
        sys.exit(run())
