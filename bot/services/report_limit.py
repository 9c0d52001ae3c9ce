"""The indicator report's own limit (REPORT_SECONDS), for every check whose work grows with
the data: indicator 3's exact reader (`exact_cells`), the linear systems of `recoverable`
(indicators 1, 2, 3 and 9), indicator 4's officials (`linked_counts`) and months
(`case_month_moves`), the sexes /registrados' zeros make 4 and 5 hide (`registered_zeros`).

`indicators.build_report` sets `UNTIL` (a `time.monotonic()`; a context variable, so the
building task's alone) and `SHORT` around the indicators. A check past `UNTIL` reads
nothing more and answers as though what it had not read gave someone away: its caller
hides more (at most everything it decides on), never less, so two downloads put together
read nothing a full reading would hide; it records why in `SHORT`, and the report tells
the coordinator in one line (`Report.cut_short`). Outside a report (`UNTIL` None), no limit:
a check's own counts of work decide, the same on a busy machine as on a quiet one."""

from __future__ import annotations

import importlib
import logging
import time
from contextvars import ContextVar
from typing import Any

UNTIL: ContextVar[float | None] = ContextVar("report_until", default=None)
# What stopped short in the report being built (indicator 3's criteria, or a check's name):
# a set the task's context holds, filled in place, so every reading of the report adds to it.
SHORT: ContextVar[set[str] | None] = ContextVar("report_short", default=None)
log = logging.getLogger(__name__)


def past() -> bool:
    """Whether the report being built is past its limit (never outside a report)."""
    until = UNTIL.get()
    return until is not None and time.monotonic() >= until


def left() -> float:
    """Seconds left to the report's limit (infinite outside a report): a solver's own time
    limit, so that no single program runs past it."""
    until = UNTIL.get()
    return float("inf") if until is None else max(0.0, until - time.monotonic())


def stopped(what: str) -> bool:
    """Whether the check `what` must stop (`past`); if so, noted for the report and logged
    once per report: its caller then hides as though everything it had not read gave
    someone away. Cheap enough for every step of a loop (a clock read)."""
    if not past():
        return False
    short = SHORT.get()
    if short is None or what not in short:
        log.warning("%s: past the report's limit (REPORT_SECONDS); it hides more", what)
    if short is not None:
        short.add(what)
    return True


async def run(target: str, *args: Any) -> tuple[Any, bool]:
    """`workers.run(target, *args)` within this report's limit, and whether it stopped short
    (then noted here too). The CLI builds its report in its own process and sends the rules
    to a worker, where this task's context is not: the limit goes with the job (the machine's
    monotonic clock is the same in every process), what stopped comes back with the answer."""
    from bot import workers

    result, short = await workers.run(f"{__name__}:within", UNTIL.get(), target, *args)
    if short and (mine := SHORT.get()) is not None:
        mine.update(short)
    return result, bool(short)


def within(until: float | None, target: str, *args: Any) -> tuple[Any, set[str]]:
    """`target` (`module:function`) called with `args` under the limit `until`: its answer,
    and what stopped short."""
    module, name = target.split(":")
    short: set[str] = set()
    limit, told = UNTIL.set(until), SHORT.set(short)
    try:
        return getattr(importlib.import_module(module), name)(*args), short
    finally:
        SHORT.reset(told)
        UNTIL.reset(limit)
