"""Jobs for tests/test_workers.py, run in a worker process (this module is imported there,
never by the tests themselves)."""

from __future__ import annotations

import asyncio
import os
import sys
import time


def where() -> tuple[int, bool]:
    """The worker's process id, and whether openpyxl was loaded there on the way."""
    from bot.services.workshop_xlsx import report_xlsx  # noqa: F401  (loads openpyxl)

    return os.getpid(), "openpyxl" in sys.modules


def die() -> None:
    """A worker that ends abruptly (killed, out of memory)."""
    os._exit(1)


def steps(count: int) -> int:
    """A job that says how far it got after each of `count` steps (0.2 s each)."""
    from bot import workers

    for done in range(1, count + 1):
        time.sleep(0.2)
        workers.progress(done, count)
    return count


def nested() -> tuple[int, int]:
    """The worker's process id, and that of the process a job started from it runs in."""
    from bot import workers

    return os.getpid(), asyncio.run(workers.run("os:getpid"))


def loaded(module: str) -> tuple[int, bool]:
    """The worker's process id, and whether `module` was imported there by an earlier job."""
    return os.getpid(), module in sys.modules


def warn(text: str) -> None:
    """A job that logs a warning, as the rating check does past its safety net."""
    import logging

    logging.getLogger("bot.services.indicators.training_exact").warning("%s", text)
