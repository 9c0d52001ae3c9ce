"""A stretch of work that keeps the event loop from coming back is logged, with what ran."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time

import pytest
from sqlalchemy.util import greenlet_spawn

from bot import stalls
from bot.logs import JsonLines


def hold_the_loop(seconds: float) -> None:
    """Blocking work on the event loop's thread, as a slow callback would be."""
    time.sleep(seconds)


def spin(seconds: float) -> None:
    """Pure-Python work that holds the GIL all along."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def stalled(work, seconds: float, before=None) -> list[logging.LogRecord]:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("bot.stalls")
    logger.addHandler(handler)
    try:
        stalls.watch()
        await asyncio.sleep(2 * stalls.BEAT)
        if before is not None:
            await before
        work(seconds)
        await asyncio.sleep(2 * stalls.BEAT)  # the heartbeat comes back and tells
    finally:
        stalls.stop()
        logger.removeHandler(handler)
    return [r for r in records if r.levelno == logging.WARNING]


@pytest.mark.parametrize("work", [hold_the_loop, spin])
def test_a_stall_is_logged_with_what_was_running(work) -> None:
    records = asyncio.run(stalled(work, 0.4))
    # a busy machine may add a stall of its own; this one is the longest
    record = max(records, key=lambda r: r.stall_ms)
    assert record.stall_ms >= 350
    # the task, the innermost frame (the function that held the loop), then its caller
    where = (
        rf"^Task-\d+: tests/test_stalls.py:\d+ {work.__name__} < tests/test_stalls.py:\d+ stalled"
    )
    assert re.match(where, record.running), record.running
    entry = json.loads(JsonLines().format(record))  # the bot's JSON log line
    assert entry["level"] == "WARNING" and entry["logger"] == "bot.stalls"
    assert entry["stall_ms"] == record.stall_ms and work.__name__ in entry["running"]
    assert entry["message"].startswith(f"event loop stalled for {record.stall_ms:.0f} ms")


def test_a_stall_says_whether_the_loop_worked_or_waited() -> None:
    """The line tells a stall of work on the loop (its thread's CPU) from one where the loop
    waited (for the GIL, a lock, the disk: a voluntary switch) or lost its core: an in-place
    SQLite statement stalled 147 ms in bench.broadcast and its line could not say which."""
    slept = max(asyncio.run(stalled(hold_the_loop, 0.4)), key=lambda r: r.stall_ms)
    assert slept.waits >= 1  # the thread gave its core up to sleep
    assert slept.cpu_ms < slept.stall_ms / 2  # and did not work meanwhile
    worked = max(asyncio.run(stalled(spin, 0.4)), key=lambda r: r.stall_ms)
    assert worked.cpu_ms > slept.cpu_ms  # the spin's CPU, however much a busy box left it
    entry = json.loads(JsonLines().format(worked))
    assert {"cpu_ms", "waits", "preempted", "faults"} <= entry.keys()
    assert f"CPU {worked.cpu_ms:.0f} ms" in entry["message"]


async def in_greenlet(seconds: float) -> None:
    """SQLAlchemy's way: sync work in a greenlet, whose stack does not reach this coroutine."""
    await greenlet_spawn(time.sleep, seconds)


def test_a_stall_in_sqlalchemys_greenlet_names_the_code_that_awaits_it() -> None:
    records = asyncio.run(stalled(lambda seconds: None, 0, before=in_greenlet(0.4)))
    record = max(records, key=lambda r: r.stall_ms)
    assert record.stall_ms >= 350
    where = r"^Task-\d+: sqlalchemy/\S+ greenlet_spawn < tests/test_stalls.py:\d+ in_greenlet < "
    assert re.match(where + r"tests/test_stalls.py:\d+ stalled", record.running), record.running


def test_one_monitor_per_loop_and_none_after_stop() -> None:
    async def twice() -> tuple[stalls.Monitor, stalls.Monitor]:
        first, again = stalls.watch(), stalls.watch()
        stalls.stop()
        return first, again

    first, again = asyncio.run(twice())
    assert first is again and first.stopped.is_set() and first.handle is None
    first.watcher.join(timeout=5 * stalls.BEAT)
    assert not first.watcher.is_alive()
    second, _ = asyncio.run(twice())  # a new loop, a new monitor
    assert second is not first
