"""What a bot process costs under bench.throughput's load, seen from outside it: its CPU time
(from /proc, so it counts every thread), py-spy's samples of where that time goes, and the Bot
API calls it makes per update (each one a request to build and an answer to parse).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def py_spy(pid: int) -> asyncio.subprocess.Process | None:
    """With BENCH_PYSPY=PREFIX, py-spy samples the bot during the full load (CPU only, without
    pausing it) into PREFIX.PID.txt, one line per stack and its count (`-f raw`)."""
    prefix = os.environ.get("BENCH_PYSPY")
    if not prefix:
        return None
    spy = Path(sys.executable).with_name("py-spy")
    return await asyncio.create_subprocess_exec(
        str(spy),
        "record",
        "--nonblocking",
        "-r",
        "200",
        "-f",
        "raw",
        "-p",
        str(pid),
        "-o",
        f"{prefix}.{pid}.txt",
        stdout=asyncio.subprocess.DEVNULL,
    )


def print_calls(calls: list[tuple[str, dict[str, object]]], updates: float) -> None:
    """Bot API calls per update, by method: each one costs the bot a request and a parse."""
    counts: dict[str, int] = {}
    for method, _params in calls:
        counts[method] = counts.get(method, 0) + 1
    summary = ", ".join(f"{m} {n / updates:.2f}" for m, n in sorted(counts.items()))
    print(f"  Bot API calls per update: {len(calls) / updates:.2f} ({summary})", file=sys.stderr)


def print_round_trips(requests: int, result: dict[str, float]) -> float:
    """Requests to PostgreSQL per update (bench.roundtrips counts them in the bot): each one a
    round trip the bot waits for and the server works on."""
    per_update = requests / result["updates"]
    print(f"  PostgreSQL round trips per update: {per_update:.2f}", file=sys.stderr)
    return per_update
