"""CPU-heavy work in a process of its own: workbooks, charts, the small-cell rule's exact check.

A thread of the bot's process does not keep replies flowing: pure-Python work holds the GIL,
and the event loop waits up to the switch interval (5 ms) each time it wants it back, several
times per reply; work on the loop itself (indicator 3's small-cell check took 20–40 s for a
year of 10,000 people on the 2-core machine) stops every reply outright. In a worker process
the work only shares the CPU, and what it loads (openpyxl, matplotlib: tens of MB, and about
100,000 objects that every full garbage collection of the bot would otherwise walk, 140–180 ms
each) never enters the bot's process. The pool is made ahead (`prepare`: at the bot's start,
and again when idle workers exit), its processes on first use (spawn: each imports what it
needs, about a second); they stop after `IDLE_SECONDS` without work, giving their memory back,
or when the bot stops with a job under way (`released`).
A job may tell how far it got (`progress`), and a job that itself calls `run` (the indicator
report's small-cell rules, when the whole report is built in a worker) does that work in place.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot import logs

WORKERS = 2  # the second starts only while the first is busy (another coordinator's report)
IDLE_SECONDS = 120.0
# Workers run at a lower priority: on a busy machine a workbook took the CPU the bot's replies
# needed (bench.broadcast: replies p99 0.5-1.3 s while workbooks were built on 2 cores).
NICE = 10  # WORKER_NICE's default
PROGRESS_POLL = 0.5  # seconds between looks at what the workers said of their progress
# One BLAS thread in a worker. The exact small-cell check (bot/services/recoverable.py) is
# numpy decompositions, which OpenBLAS ran on a thread per core; its threads wait for each
# other by spinning, and on a busy machine they spin while the others wait for a core: for a
# year of 10,000 people (load 12-18, 2 cores) the SVDs took 8.3-9.0 s of CPU on two threads
# against 1.1-1.2 s on one, the whole report 12.4-12.8 s against 4.2-5.4 s. At nice 10 that
# spinning got the CPU last: the yearly workbook took 96-346 s in bench.broadcast. OpenBLAS
# reads this when numpy loads, and a spawned worker loads it before any job (bot.cli imports
# it): so it is set in the bot's environment, which the workers inherit (the bot's numpy is
# loaded already).
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

Progress = Callable[[int, int], Awaitable[None]]


class _Pool:
    def __init__(self) -> None:
        self.executor: ProcessPoolExecutor | None = None
        self.busy = 0
        self.idle: threading.Timer | None = None
        self.said: Any = None  # the pool's queue of (job, done, total), from its workers
        self.listeners: dict[int, Progress] = {}
        self.jobs = itertools.count()
        self.nice = NICE  # of the workers this pool starts (`prepare`)


class _Worker:
    """In a worker process: the queue for `progress`, and the job being run."""

    said: Any = None
    job: int | None = None


_pool = _Pool()
_lock = threading.Lock()  # the pool is shared with the idle timer's thread


def _start(parent: int, said: Any, shape: tuple[int, bool], nice: int) -> None:
    """In each worker, from its start: yield the CPU to the bot (`nice`), log as the bot does
    (`shape`: a spawned process starts with no logging set up), and end when the bot's
    process is gone. A worker of a killed bot (kill -9, out of memory) otherwise lives
    on, waiting for work that never comes, with its memory and the bot's output (a service's
    log pipe) held open."""
    os.nice(nice)
    _Worker.said = said
    logs.setup_worker_logging(*shape)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()


def _call(target: str, args: tuple[Any, ...], job: int | None = None) -> Any:
    module, name = target.split(":")
    _Worker.job = job
    try:
        return getattr(importlib.import_module(module), name)(*args)
    finally:
        _Worker.job = None


def progress(done: int, total: int) -> None:
    """Inside a job: `done` of `total` steps, for the `progress` its caller gave `run`."""
    if _Worker.said is not None and _Worker.job is not None:
        _Worker.said.put((_Worker.job, done, total))


async def run(target: str, *args: Any, progress: Progress | None = None) -> Any:
    """`module:function` called with `args` in a worker process; arguments and result are
    pickled (records, tuples, bytes, a `Translator`). Named, not passed: the bot's process
    never imports the module (nor openpyxl or matplotlib with it). `progress(done, total)` is
    awaited here, at most every `PROGRESS_POLL` s, with what the job last said of itself."""
    if _Worker.said is not None:  # already in a worker: no worker of a worker
        return _call(target, args, _Worker.job)
    loop = asyncio.get_running_loop()
    with _lock:
        _cancel_idle()
        _prepare()
        executor, said, job = _pool.executor, _pool.said, next(_pool.jobs)
        _pool.busy += 1
    if progress is not None:
        _pool.listeners[job] = progress
    future: asyncio.Future[Any] | None = None
    try:
        future = loop.run_in_executor(executor, _call, target, args, job)
        while progress is not None and not future.done():
            await asyncio.wait([future], timeout=PROGRESS_POLL)
            await _heard(said)
        return await future
    except asyncio.CancelledError:  # the caller gave up (a stopping bot): nobody's result
        if future is not None:
            future.cancel()  # else its failure, if the pool breaks, is logged as unheard
        raise
    except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool next time
        with _lock:
            if _pool.executor is executor:
                _pool.executor = None
        raise
    finally:
        _pool.listeners.pop(job, None)
        with _lock:
            _pool.busy -= 1
            if _pool.busy == 0 and _pool.executor is not None:
                # A thread's timer, not the loop's: it must outlive the loop (see `released`).
                timer = threading.Timer(IDLE_SECONDS, _idle, [_pool.executor])
                timer.daemon = True  # never delays the process's exit
                _pool.idle = timer
                timer.start()


def prepare(nice: int = NICE) -> None:
    """The pool, without its processes, ahead of the first job: made by the first `run`, it
    took 4.7-5.7 ms of the event loop's CPU (multiprocessing's modules, the call and progress
    queues with their locks, the resource tracker process the first lock starts) inside the
    update that asked for the report, e.g. in the second after a broadcast's «Enviar»; made
    ahead, the first job costs the loop 1.9-2.1 ms (its process's spawn). No process starts
    before a job comes: workers' memory is spent only while there is work. `nice`: how far
    its workers yield the CPU (WORKER_NICE); an idle pool of another niceness is replaced."""
    with _lock:
        if _pool.nice != nice and _pool.busy == 0:
            _shut_down()
            _pool.nice = nice
        _prepare()


def _prepare() -> None:
    if _pool.executor is None:
        os.environ.update(ONE_THREAD)
        context = multiprocessing.get_context("spawn")
        _pool.said = context.Queue()
        _pool.executor = ProcessPoolExecutor(
            WORKERS,
            mp_context=context,
            initializer=_start,
            initargs=(os.getpid(), _pool.said, logs.shape(), _pool.nice),
        )


def _idle(executor: ProcessPoolExecutor) -> None:
    """`IDLE_SECONDS` without work (in the timer's thread): the workers exit, and the next
    pool waits ready; unless a job came meanwhile or the pool is another one by now."""
    with _lock:
        if _pool.busy == 0 and _pool.executor is executor:
            _shut_down()
            _prepare()


async def _heard(said: Any) -> None:
    """What the workers said of their progress since the last look, told to each job's
    caller (the last word per job only). Never blocks: the queue is read while it has data."""
    latest: dict[int, tuple[int, int]] = {}
    while True:
        try:
            job, done, total = said.get_nowait()
        except (queue.Empty, OSError, ValueError):  # empty, or closed with its pool
            break
        latest[job] = (done, total)
    for job, (done, total) in latest.items():
        if (listener := _pool.listeners.get(job)) is not None:
            await listener(done, total)


def _cancel_idle() -> None:
    if _pool.idle is not None:
        _pool.idle.cancel()
        _pool.idle = None


def _shut_down(end_jobs: bool = False) -> None:
    executor, _pool.executor = _pool.executor, None
    _cancel_idle()
    if executor is None:
        return
    if end_jobs:
        # The pool's exit hook (concurrent.futures' at interpreter exit) joins its manager
        # thread, which waits for every job under way: a stopping bot would wait for the
        # report it abandons (over 15 s in CI). Python 3.14 has `terminate_workers`; 3.11
        # keeps the processes in `_processes`.
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


def stop() -> None:
    """Let the workers exit now (queued jobs are cancelled; a running one ends its work)."""
    with _lock:
        _shut_down()


def released() -> None:
    """The bot stops. Jobs still under way are abandoned with their pool, their workers
    ended (a SIGTERM must not wait for a report: its coordinator is told after the restart,
    bot/follow_ups.py). Idle
    workers are left to their timer: a bot started again in this process finds them up
    instead of paying their start (1.5-3 CPU s of imports each); at the process's exit they
    end at once. (The tests start one bot per test: each that built a report or a workbook
    paid for new workers.)"""
    with _lock:
        if _pool.busy > 0:
            _shut_down(end_jobs=True)
