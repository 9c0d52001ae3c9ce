"""`python -m bench.cpu_profile OUT run`: Minka under cProfile, timing the event loop thread's
CPU (`time.thread_time`) rather than the wall clock. On a shared box a function that waited
for a core is otherwise charged for the wait; here each function is charged only the CPU its
thread used (bench.throughput runs the bot so with `BENCH_PROFILE=OUT`). Read it with
`python -m pstats OUT` (cumulative times are per call tree of the loop thread)."""

from __future__ import annotations

import cProfile
import sys
import time

from bot.cli import main as bot_main


def main(argv: list[str]) -> int:
    out, *args = argv
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    try:
        return bot_main(args)
    finally:
        profiler.disable()
        profiler.dump_stats(out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
