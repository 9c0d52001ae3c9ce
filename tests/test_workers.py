"""CPU-heavy work (workbooks, charts, the small-cell check) runs in a worker process: not in
the bot's, whose replies must not wait for it; a dead worker is replaced; idle ones exit."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bot import workers


@pytest.fixture(autouse=True)
def fresh_pool():
    workers.stop()
    yield
    workers.stop()


async def test_work_runs_in_another_process_and_its_modules_stay_there() -> None:
    assert "tests.worker_jobs" not in sys.modules
    pid, loaded = await workers.run("tests.worker_jobs:where")
    assert pid != os.getpid()
    assert loaded  # openpyxl was imported in the worker...
    assert "tests.worker_jobs" not in sys.modules  # ...and the job's module never here


async def test_workers_decompose_matrices_on_one_thread(monkeypatch) -> None:
    """OpenBLAS's threads spin while they wait for each other: on a busy machine the small-cell
    check's decompositions took seven times the CPU on two threads (bot/workers.py). The
    workers are told so even when the bot's own process was not (`bot/__init__.py` keeps an
    operator's setting)."""
    for name in workers.ONE_THREAD:
        monkeypatch.delenv(name)
    for name in workers.ONE_THREAD:
        assert await workers.run("os:getenv", name) == "1"


async def test_workers_yield_the_cpu_to_the_bot() -> None:
    """A workbook is background work: on a busy machine the bot's replies get the CPU first
    (during bench.broadcast's workbooks replies waited 0.5-1.3 s at p99)."""
    workers.prepare()  # WORKER_NICE's default (a test's bot may have left a pool at 0)
    niceness = await workers.run("os:nice", 0)
    assert niceness >= os.nice(0) + workers.NICE


async def test_the_workers_niceness_is_a_setting() -> None:
    """WORKER_NICE (the tests' bots set 0) replaces an idle pool of another niceness."""
    workers.prepare(3)
    try:
        assert await workers.run("os:nice", 0) == os.nice(0) + 3
    finally:
        workers.prepare()


async def test_a_dead_worker_fails_its_job_and_the_next_job_gets_a_new_one() -> None:
    with pytest.raises(BrokenProcessPool):
        await workers.run("tests.worker_jobs:die")
    pid, _loaded = await workers.run("tests.worker_jobs:where")
    assert pid != os.getpid()


async def test_a_job_tells_its_caller_how_far_it_got(monkeypatch) -> None:
    monkeypatch.setattr(workers, "PROGRESS_POLL", 0.1)
    heard: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        heard.append((done, total))

    assert await workers.run("tests.worker_jobs:steps", 5, progress=progress) == 5
    assert heard and all(total == 5 for _done, total in heard)
    assert [done for done, _total in heard] == sorted({done for done, _total in heard})
    assert heard[0][0] < 5  # heard while the job ran, not only at its end


async def test_a_job_that_runs_a_job_runs_it_in_its_own_process() -> None:
    """The indicator report, built in a worker, applies its small-cell rules there."""
    outer, inner = await workers.run("tests.worker_jobs:nested")
    assert outer == inner != os.getpid()


def _gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "State:\tZ" in status.read_text()


async def test_idle_workers_exit_and_give_their_memory_back(monkeypatch) -> None:
    monkeypatch.setattr(workers, "IDLE_SECONDS", 0.2)
    pid, _loaded = await workers.run("tests.worker_jobs:where")
    assert not _gone(pid)
    for _ in range(100):
        await asyncio.sleep(0.1)
        if _gone(pid):
            break
    assert _gone(pid)


async def test_idle_workers_outlive_a_stopped_bot_and_busy_ones_do_not(monkeypatch) -> None:
    """A bot started again in the same process (each test starts one) finds its idle
    workers up; a bot that stops with a job under way ends that job and lets the pool go
    (the process's exit would otherwise wait for the job: bot/workers.py `released`)."""
    first, _loaded = await workers.run("tests.worker_jobs:where")
    workers.released()
    again, _loaded = await workers.run("tests.worker_jobs:where")
    assert again == first
    monkeypatch.setattr(workers, "PROGRESS_POLL", 0.1)
    started = asyncio.Event()

    async def progress(_done: int, _total: int) -> None:
        started.set()

    job = asyncio.create_task(workers.run("tests.worker_jobs:steps", 5, progress=progress))
    await started.wait()
    workers.released()
    with pytest.raises(BrokenProcessPool):  # the running job ended with its worker...
        await job
    after, _loaded = await workers.run("tests.worker_jobs:where")
    assert after != first  # ...and a new pool does the next


BOT = """
import asyncio, sys, time
from bot import workers

async def main():
    pid, _loaded = await workers.run("tests.worker_jobs:where")
    print(pid, flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_workers_end_with_a_killed_bot() -> None:
    """kill -9 of the bot must not leave its workers running (memory, the bot's output)."""
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BOT, stdout=asyncio.subprocess.PIPE
    )
    assert bot.stdout is not None
    worker = int(await asyncio.wait_for(bot.stdout.readline(), 60))
    bot.kill()
    for _ in range(100):
        if _gone(worker):
            break
        await asyncio.sleep(0.1)
    gone = _gone(worker)
    if not gone:
        os.kill(worker, 9)  # it holds the bot's output open: the bot's end would never come
    # Read the pipe to its end: a transport left open is closed by the garbage collector after
    # the loop, and Python 3.11 then fails pytest at exit («AST constructor recursion depth
    # mismatch», python/cpython#106905) while it formats the «Event loop is closed» warning.
    await asyncio.wait_for(bot.stdout.read(), 60)
    await bot.wait()
    assert gone


async def test_a_workers_warning_reaches_the_log_as_the_bots_own_lines(capfd) -> None:
    """A warning logged in a worker (the rating check past its safety net) is one of the log's
    JSON lines, as an operator's tools read them; without set-up in the spawned process it went
    to stderr as bare text through Python's last resort."""
    from bot.logs import setup_logging

    setup_logging(json_lines=True)
    try:
        await workers.run("tests.worker_jobs:warn", "revisión agotada")
    finally:
        setup_logging()
    lines = [line for line in capfd.readouterr().err.splitlines() if "revisión agotada" in line]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "WARNING" and entry["message"] == "revisión agotada"
    assert entry["logger"] == "bot.services.indicators.training_exact"
