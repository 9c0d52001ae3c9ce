"""The bench process's own garbage collections, kept out of the bot's latency.

The bench process is the simulated Telegram (bot/local_api: every call, message and event of
the run, kept for assertions) and the simulated people: about 250,000 tracked objects after
13,000 updates. A full collection walking all of them stopped the process 130-300 ms on a
quiet box (864 ms at load 11, session 25): an update waited in the server or an answer
already sent waited to be read, and it was counted as the bot's latency, as sending (Minka's
slow-update log: 277.8 ms in the HTTP call) or as nothing inside Minka at all. That was the
one outlier of a run in sessions 23-25, in the echo bots' runs too (#17). `settle` before each
phase takes what earlier phases left out of the collector's reach, as Minka does for itself
(bot/heap.py); `longest_since` tells any collection still long enough to be felt, so that a
run's slowest update can be told from the bench's own stop.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from bot import heap

_pauses: list[tuple[float, float]] = []  # (time.perf_counter() at its start, ms)
_started: list[float] = []


def _timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[:] = [time.perf_counter()]
    elif _started:
        began = _started.pop()
        paused = 1000 * (time.perf_counter() - began)
        if paused >= heap.FELT_MS:
            _pauses.append((began, paused))


def settle() -> None:
    """Before a phase: collect the bench's heap (nothing is measured meanwhile) and freeze
    the survivors; from then on collections walk only what the phase itself creates."""
    heap.settle()
    if _timed not in gc.callbacks:
        gc.callbacks.append(_timed)


def longest_since(since: float) -> float:
    """The longest collection of the bench process since `since` (time.perf_counter()), in
    ms, if one was long enough to be felt (bot/heap.py's FELT_MS); else 0."""
    return max((paused for began, paused in _pauses if began >= since), default=0.0)
