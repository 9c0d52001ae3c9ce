"""Jobs for tests/test_workers.py, run in a worker process (this module is imported there,
never by the tests themselves)."""

from __future__ import annotations

import os
import sys


def where() -> tuple[int, bool]:
    """The worker's process id, and whether openpyxl was loaded there on the way."""
    from bot.services.workshop_xlsx import report_xlsx  # noqa: F401  (loads openpyxl)

    return os.getpid(), "openpyxl" in sys.modules


def die() -> None:
    """A worker that ends abruptly (killed, out of memory)."""
    os._exit(1)
