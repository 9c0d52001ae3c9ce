"""CPU-heavy work in a process of its own: workbooks, charts, the small-cell rule's exact check.

A thread of the bot's process does not keep replies flowing: pure-Python work holds the GIL,
and the event loop waits up to the switch interval (5 ms) each time it wants it back, several
times per reply; work on the loop itself (indicator 3's small-cell check took 20–40 s for a
year of 10,000 people on the 2-core machine) stops every reply outright. In a worker process
the work only shares the CPU, and what it loads (openpyxl, matplotlib: tens of MB, and about
100,000 objects that every full garbage collection of the bot would otherwise walk, 140–180 ms
each) never enters the bot's process. The workers start on first use (spawn: each imports what
it needs, about a second) and stop after `IDLE_SECONDS` without work, giving their memory back.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

WORKERS = 2  # the second starts only while the first is busy (another coordinator's report)
IDLE_SECONDS = 120.0
# Workers run at a lower priority: on a busy machine a workbook took the CPU the bot's replies
# needed (bench.broadcast: replies p99 0.5-1.3 s while workbooks were built on 2 cores).
NICE = 10


class _Pool:
    executor: ProcessPoolExecutor | None = None
    busy = 0
    idle: asyncio.TimerHandle | None = None


_pool = _Pool()


def _start(parent: int) -> None:
    """In each worker, from its start: yield the CPU to the bot (`NICE`), and end when the
    bot's process is gone. A worker of a killed bot (kill -9, out of memory) otherwise lives
    on, waiting for work that never comes, with its memory and the bot's output (a service's
    log pipe) held open."""
    os.nice(NICE)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()


def _call(target: str, args: tuple[Any, ...]) -> Any:
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)(*args)


async def run(target: str, *args: Any) -> Any:
    """`module:function` called with `args` in a worker process; arguments and result are
    pickled (records, tuples, bytes, a `Translator`). Named, not passed: the bot's process
    never imports the module (nor openpyxl or matplotlib with it)."""
    loop = asyncio.get_running_loop()
    if _pool.idle is not None:
        _pool.idle.cancel()
        _pool.idle = None
    if _pool.executor is None:
        _pool.executor = ProcessPoolExecutor(
            WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(os.getpid(),),
        )
    executor = _pool.executor
    _pool.busy += 1
    try:
        return await loop.run_in_executor(executor, _call, target, args)
    except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool next time
        if _pool.executor is executor:
            _pool.executor = None
        raise
    finally:
        _pool.busy -= 1
        if _pool.busy == 0:
            _pool.idle = loop.call_later(IDLE_SECONDS, stop)


def stop() -> None:
    """Let the workers exit once idle (after `IDLE_SECONDS`, and when the bot stops)."""
    executor, _pool.executor = _pool.executor, None
    if _pool.idle is not None:
        _pool.idle.cancel()
        _pool.idle = None
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)
