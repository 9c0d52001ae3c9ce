"""What a bot process costs under bench.throughput's load, seen from outside it: its CPU time
(from /proc, so it counts every thread), py-spy's samples of where that time goes, and the Bot
API calls it makes per update (each one a request to build and an answer to parse), and when
each update was done, read from its JSON log (`Completions`, shared with bench.broadcast),
with the garbage collections and event-loop stalls it logged.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    return sum(_stat(pid)[11:13]) / os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[int]:
    """/proc/PID/stat's fields after the command's name, the state as 0: [1] the parent's
    pid, [11] and [12] user and system ticks, [13] and [14] those of its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return [0, *map(int, fields[1:])]


def server_cpu_seconds(datadir: Path) -> float:
    """CPU time a PostgreSQL server has used so far: its postmaster's, its live processes'
    (one backend per pooled connection of the bot, the checkpointer, the WAL writer...) and
    its exited children's. With SQLite that work (statements, commits) is done inside the
    bot's process and counted in its CPU; on PostgreSQL it is this process tree's, which the
    bot's CPU per update leaves out."""
    postmaster = int((datadir / "postmaster.pid").read_text().split()[0])
    fields = _stat(postmaster)
    ticks = sum(fields[11:15])  # its own time, and its reaped children's
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                child = _stat(int(entry.name))
            except (OSError, ValueError):
                continue  # gone meanwhile
            if child[1] == postmaster:
                ticks += child[11] + child[12]
    return ticks / os.sysconf("SC_CLK_TCK")


async def py_spy(pid: int) -> asyncio.subprocess.Process | None:
    """With BENCH_PYSPY=PREFIX, py-spy samples the bot during the full load (CPU only, without
    pausing it) into PREFIX.PID.txt, one line per stack and its count (`-f raw`). On a shared
    box py-spy counts a thread waiting for a core or for the GIL as busy: with BENCH_PYSPY_GIL=1
    only the thread holding the GIL is sampled, which is where the bot's Python CPU goes."""
    prefix = os.environ.get("BENCH_PYSPY")
    if not prefix:
        return None
    spy = Path(sys.executable).with_name("py-spy")
    return await asyncio.create_subprocess_exec(
        str(spy),
        "record",
        *(["--gil"] if os.environ.get("BENCH_PYSPY_GIL") else []),
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


def _lag(entry: dict[str, object]) -> float:
    """Seconds since `entry` was logged (its "time", to the millisecond; 0 if unreadable)."""
    try:
        logged = datetime.fromisoformat(str(entry["time"])).timestamp()
    except (KeyError, ValueError):
        return 0.0
    return max(0.0, time.time() - logged)


class Completions:
    """Reads Minka's JSON log: "update handled" (written once every reply of the update has
    been sent) tells when the update a person is waiting for is done. A message containing
    one of `watch` is remembered with when it was read (`seen`)."""

    def __init__(self, watch: tuple[str, ...] = ()) -> None:
        # Each resolves to how late the line was read (s): Minka writes its log in batches
        # (bot/logs.py, up to BATCH_SECONDS later), and the person's wait ended when it was logged.
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.durations: dict[str, list[float]] = {}  # handler -> milliseconds inside Minka
        self.gc_pauses: list[float] = []  # collections Minka logged as felt (bot/heap.py)
        # (ms, what ran, what the loop's thread did meanwhile) Minka logged (bot/stalls.py)
        self.stalls: list[tuple[float, str, str]] = []
        # Updates Minka logged as slow, with their time by cause (handlers/dispatch.py)
        self.slow: list[dict[str, object]] = []
        self.watch = watch
        # watched text -> time.perf_counter() when Minka logged it (its line is read up to
        # bot/logs.py's BATCH_SECONDS later)
        self.seen: dict[str, float] = {}

    async def follow(self, stream: asyncio.StreamReader, log: Path) -> None:
        with log.open("ab") as copy:
            while line := await stream.readline():
                copy.write(line)
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if "pause_ms" in entry:
                    self.gc_pauses.append(entry["pause_ms"])
                if "stall_ms" in entry:
                    self.stalls.append((entry["stall_ms"], entry.get("running", ""), _did(entry)))
                for text in self.watch:
                    if text in entry.get("message", ""):
                        self.seen.setdefault(text, time.perf_counter() - _lag(entry))
                if entry.get("message") == "update handled" and "commit_ms" in entry:
                    self.slow.append(entry)
                if entry.get("message") == "update handled":
                    handler = entry.get("handler", "?")
                    self.durations.setdefault(handler, []).append(entry.get("duration_ms", 0))
                    future = self.waiting.pop(entry.get("user_id"), None)
                    if future is not None and not future.done():
                        future.set_result(_lag(entry))

    def expect(self, user_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[user_id] = future
        return future

    def slow_lines(
        self, since: float, most: int = 5, during: str = "in the paced runs"
    ) -> list[str]:
        """How many updates Minka logged as slow since `since` (time.time(): the paced runs,
        not the full load, where most are; a broadcast from «Enviar» on), and the slowest
        with their time by cause."""
        slow = [e for e in self.slow if time.time() - _lag(e) >= since]
        slowest = sorted(slow, key=lambda e: -float(e.get("duration_ms", 0)))  # type: ignore[arg-type]
        lines = [
            f"updates logged as slow {during}: {len(slow)}" + (", the slowest:" if slow else "")
        ]
        for e in slowest[:most]:
            lines.append(
                f"  {e.get('handler')}: {e.get('duration_ms')} ms = transaction "
                f"{e.get('transaction_ms', '-')} (write turn {e.get('turn_ms')}, commits "
                f"{e.get('commit_ms')}, of them WAL fdatasync {e.get('sync_ms')}) + send "
                f"{e.get('send_ms', '-')}, at {e.get('time')}"
            )
        return lines

    def stall_line(self) -> str:
        """How many event-loop stalls Minka logged (bot/stalls.py), the longest and what ran."""
        if not self.stalls:
            return "event-loop stalls logged: 0"
        longest, running, did = max(self.stalls)
        return f"event-loop stalls logged: {len(self.stalls)}, longest {longest:.0f} ms" + (
            f" ({did}{'; ' if did and running else ''}{running})" if did or running else ""
        )


def _did(entry: dict[str, object]) -> str:
    """What the loop's thread did during a stall, as Minka logged it (bot/stalls.py `Usage`)."""
    if "cpu_ms" not in entry:
        return ""
    return (
        f"CPU {entry['cpu_ms']} ms, {entry.get('waits')} waits, {entry.get('preempted')} "
        f"preempted, {entry.get('faults')} page faults"
    )
