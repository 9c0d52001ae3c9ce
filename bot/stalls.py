"""Event-loop stalls, logged: how long the loop did not come back, and what it was running.

Every reply waits while the event loop runs something else, so a stretch of CPU work on the
loop (or a blocking call) is felt by everyone writing at that moment, whatever it was. A
heartbeat on the loop (`BEAT` s apart) notes the time; a stall is the heartbeat coming back
`STALL_MS` or more late, and is logged then (a WARNING with `stall_ms`, one JSON line). What
was running is known without any cost to the loop: a watcher thread, waking when the beat
would be `STALL_MS` overdue, sees it is and records the loop thread's stack at that moment
(`sys._current_frames`) and the task it was in; the loop's next heartbeat logs both. Cost:
`1 / BEAT` callbacks a second on the loop, about `1000 / STALL_MS` wake-ups of the thread, and
nothing per update. A garbage collection's pause is also a stall (bot/heap.py names it).

The line also says what the loop's thread did meanwhile (`Usage`, read at each heartbeat from
its own resource usage): its CPU, how often it waited (for the GIL, a lock or the disk) and
how often the system took its core away, and its page faults. A stall of 147 ms inside an
in-place SQLite statement (bench.broadcast, #17) could have been any of those; the line did
not say which.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

STALL_MS = 100.0  # felt: a reply that waits this long is a slow reply
BEAT = 0.05  # seconds between heartbeats (and between the watcher's looks)
# Innermost frames of the project's own code named in the log line: eight, so that a stall
# inside a SQLite statement names who ran it, past the four frames of storage/sqlite_turns.py
# (with four, session 28's 124 ms stall read as the broadcast's copies; it was the months'
# freeze, `bot/services/registered.py`).
FRAMES = 8
_ROOT = str(Path(__file__).resolve().parent.parent)  # the project's folder, for its frames
_STDLIB = sysconfig.get_paths()["stdlib"]


class Usage:
    """The calling thread's resource usage so far (Linux's RUSAGE_THREAD: about a microsecond
    to read), and what it did between two readings."""

    __slots__ = ("cpu", "faults", "preempted", "waits")

    def __init__(self) -> None:
        used = resource.getrusage(resource.RUSAGE_THREAD)
        self.cpu = used.ru_utime + used.ru_stime
        self.waits = used.ru_nvcsw  # gave its core up: waited for the GIL, a lock, the disk
        self.preempted = used.ru_nivcsw  # the system gave its core to another thread
        self.faults = used.ru_minflt + used.ru_majflt

    def since(self, before: Usage) -> dict[str, float]:
        return {
            "cpu_ms": round(1000 * (self.cpu - before.cpu), 1),
            "waits": self.waits - before.waits,
            "preempted": self.preempted - before.preempted,
            "faults": self.faults - before.faults,
        }


class Monitor:
    """A heartbeat on `loop` and a watcher thread; `stop` ends both."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stall_ms: float = STALL_MS) -> None:
        self.loop, self.stall = loop, stall_ms / 1000
        self.thread_id = threading.get_ident()  # the loop's thread: created on the loop
        greenlets = sys.modules.get("greenlet")  # SQLAlchemy's; this thread's main one
        self.greenlet = greenlets.getcurrent() if greenlets is not None else None
        self.beaten = time.monotonic()  # the heartbeat's last run
        self.used = Usage()  # the loop's thread's, at the heartbeat's last run
        self.running: str | None = None  # what the watcher saw during the current stall
        self.stopped = threading.Event()
        self.handle: asyncio.TimerHandle | None = loop.call_later(BEAT, self._beat)
        self.watcher = threading.Thread(target=self._watch, name="stall watch", daemon=True)
        self.watcher.start()

    def _beat(self) -> None:
        now, used = time.monotonic(), Usage()
        late = now - self.beaten - BEAT
        if late >= self.stall:
            stall_ms = round(1000 * late, 1)  # the message says the field's figure, rounded
            meanwhile = used.since(self.used)  # over the beat's whole interval
            log.warning(
                "event loop stalled for %.0f ms (the loop's thread: CPU %.0f ms, %d waits, "
                "%d preempted, %d page faults)%s",
                stall_ms,
                *meanwhile.values(),
                f" (running: {self.running})" if self.running else "",
                extra={"stall_ms": stall_ms, "running": self.running or "", **meanwhile},
            )
        self.beaten, self.used, self.running = now, used, None
        self.handle = self.loop.call_later(BEAT, self._beat)

    def _watch(self) -> None:
        """On the watcher thread: it sleeps until the heartbeat would be `stall` overdue (so
        it wakes about every `stall` s while the loop keeps up, not every beat) and then, if it
        is, records what the loop's thread is running, once per stall."""
        while not self.stopped.is_set() and not self.loop.is_closed():
            wait = self.beaten + BEAT + self.stall - time.monotonic()
            if wait > 0:
                self.stopped.wait(wait)
            elif self.running is None:
                self.running = running(self.thread_id, self.loop, self.greenlet)
            else:
                self.stopped.wait(BEAT)  # seen: until the loop is back

    def stop(self) -> None:
        self.stopped.set()
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


def running(thread_id: int, loop: asyncio.AbstractEventLoop, greenlet: Any = None) -> str:
    """The task the loop is in and the innermost frames of the project's own code, innermost
    first ("handlers/x.py:12 f < bot/y.py:40 g"), after the innermost frame when it is a
    library's. Read while this thread holds the GIL, so the loop's thread is still; no source
    line is read. SQLAlchemy runs its work in a greenlet, whose frames the thread does not
    show: the loop thread's main `greenlet`, suspended meanwhile, shows where it left ours."""
    frame = sys._current_frames().get(thread_id)
    if frame is None and greenlet is not None:
        frame = greenlet.gr_frame  # None while it runs (then the thread shows its frames)
    stack = list(_frames(frame))  # innermost first
    ours = [f for f in stack if _ours(f)][:FRAMES]
    if stack and (not ours or ours[0] is not stack[0]):
        ours = [stack[0], *ours[: FRAMES - 1]]  # where it was, though not in our code
    where = " < ".join(
        f"{_name(f.f_code.co_filename)}:{f.f_lineno} {f.f_code.co_name}" for f in ours
    )
    task = None
    with contextlib.suppress(RuntimeError):
        task = asyncio.tasks._current_tasks.get(loop)  # read only: a dict look-up
    return f"{task.get_name()}: {where or '?'}" if task is not None else where or "?"


def _frames(frame: FrameType | None) -> Iterator[FrameType]:
    while frame is not None:
        yield frame
        frame = frame.f_back


def _ours(frame: FrameType) -> bool:
    name = frame.f_code.co_filename
    return name.startswith(_ROOT) and "site-packages" not in name


def _name(filename: str) -> str:
    """Relative to the project's folder, site-packages (sqlalchemy/orm/session.py) or the
    standard library (asyncio/base_events.py)."""
    if "site-packages/" in filename:
        return filename.rsplit("site-packages/", 1)[1]
    for folder in (_ROOT, _STDLIB):
        if filename.startswith(folder + "/"):
            return filename[len(folder) + 1 :]
    return filename


_monitor: Monitor | None = None


def watch(stall_ms: float = STALL_MS) -> Monitor:
    """Start the monitor on the running loop (once per loop: an application started again in
    the same process, as the tests do, gets a new one and the old one stops)."""
    global _monitor
    loop = asyncio.get_running_loop()
    if _monitor is not None and _monitor.loop is loop and not _monitor.stopped.is_set():
        return _monitor
    stop()
    _monitor = Monitor(loop, stall_ms)
    return _monitor


def stop() -> None:
    global _monitor
    if _monitor is not None:
        _monitor.stop()
        _monitor = None
