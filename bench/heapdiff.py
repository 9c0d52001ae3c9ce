"""Where a growing RSS goes: the bot with tracemalloc, snapshots on demand, and their diff.

    python -m bench.heapdiff run            # the bot (`python -m bot run`), traced
    python -m bench.heapdiff diff A B [N]   # the N lines that grew most from snapshot A to B

With `BENCH_HEAPDIFF=DIR` set, bench.throughput starts the bot through this module and signals
it (SIGUSR1) once started, after the full load and after each soak minute. The first signal
also starts tracemalloc: traced from its first line, the bot's start-up (the Tool Kit's index)
had not ended after ten minutes on the loaded box, and what grows is allocated after it. Each
signal writes a snapshot to DIR as `NNN.snapshot`, and the traced total and RSS then to
`DIR/sizes.txt`, with SQLite's own heap (its page caches and statements: malloc'd by the
library, outside Python's view and tracemalloc's) and the pymalloc arenas in use. The bot runs
slower traced, so the latency figures of such a run do not count; with `BENCH_HEAPDIFF_SIZES=1`
only the sizes are written, nothing traced, at full speed (`=collect`: and again after a full
garbage collection, which frees what was waiting for one). Nothing of Minka is changed.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import tracemalloc
from pathlib import Path

FRAMES = 12  # enough to see which of Minka's lines called into a library that allocates


def _sqlite_mib() -> str:
    """SQLite's heap now and at its highest (sqlite3_memory_used, _highwater), in MB."""
    import _sqlite3

    try:
        library = ctypes.CDLL(_sqlite3.__file__)
        used, highest = library.sqlite3_memory_used, library.sqlite3_memory_highwater
    except (OSError, AttributeError):  # linked statically, without the symbols exported
        return "SQLite ? MB"
    used.restype = highest.restype = ctypes.c_int64
    highest.argtypes = [ctypes.c_int]
    return f"SQLite {used() / 2**20:.2f} MB (highest {highest(0) / 2**20:.2f})"


def _arenas_mib() -> str:
    """Python's small-object arenas (pymalloc) and the bytes of live objects in them, as
    sys._debugmallocstats writes them to the process's stderr (captured from its fd)."""
    import re
    import tempfile

    with tempfile.TemporaryFile() as capture:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        text = capture.read().decode(errors="replace")
    arenas = re.search(r"(\d+) arenas \* (\d+) bytes/arena", text)
    live = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", text)
    if not arenas or not live:
        return "pymalloc ?"
    mapped = int(arenas.group(1)) * int(arenas.group(2)) / 2**20
    used = int(live.group(1).replace(",", "")) / 2**20
    return f"pymalloc {mapped:.1f} MB in arenas, {used:.1f} MB in use"


def _sizes() -> str:
    from bench.soak import rss_mib

    full = gc.get_stats()[2]["collections"]
    return (
        f"RSS {rss_mib(os.getpid()):.1f} MB, {_sqlite_mib()}, {_arenas_mib()};"
        f" full collections so far {full}, gc counts {gc.get_count()}"
    )


def _dump(folder: Path) -> None:
    from bench.soak import rss_mib

    number = len(list(folder.glob("*.snapshot")) + list(folder.glob("*.sizes")))
    if mode := os.environ.get("BENCH_HEAPDIFF_SIZES"):
        (folder / f"{number:03}.sizes").touch()
        with (folder / "sizes.txt").open("a") as sizes:
            sizes.write(f"{number:03}: {_sizes()}\n")
            if mode == "collect":  # what a full collection would free now (it then has)
                found = gc.collect()
                sizes.write(f"{number:03} after gc.collect() ({found} found): {_sizes()}\n")
        return
    if not tracemalloc.is_tracing():
        tracemalloc.start(FRAMES)
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    snapshot.dump(str(folder / f"{number:03}.snapshot"))
    traced, peak = tracemalloc.get_traced_memory()
    with (folder / "sizes.txt").open("a") as sizes:
        sizes.write(
            f"{number:03}.snapshot: traced {traced / 2**20:.2f} MB (peak {peak / 2**20:.1f}),"
            f" RSS {rss_mib(os.getpid()):.1f} MB, {_sqlite_mib()}, {_arenas_mib()}\n"
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
