"""bench.broadcast's moment of creation: the second after «Enviar», measured apart.

Minka confirms, writes the broadcast's copies (its outbox rows), starts the first workbook and
the first claims in that second, and the copies alone are written in a fraction of it: at the
steady rate only one to four questions fall there, too few for a p99. So for `INSTANT` seconds
after «Enviar» the people ask at `--instant-rate` (about 15 replies), and with BENCH_PYSPY
py-spy samples Minka over that second (or BENCH_PYSPY_SECONDS after «Enviar»).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time

from bench import observe
from bench.observe import Completions

# Seconds after «Enviar» measured apart, at --instant-rate: 15 questions a second. Their
# replies (1.2 messages each) and the two coordinators' (preview, summary, edits, the scope
# question) must fit in the 29.5 messages a second Minka may send in all: at 20 or 25 questions
# a second replies queued in Minka's rate limiter, 34 ms apart, whatever the event loop did.
INSTANT = 1.0
WRITTEN = "copies written"  # Minka's log line once a broadcast's outbox rows are all written

Windows = dict[str, list[tuple[float, float]]]


class Instant:
    """When «Enviar» was pressed; the questions' rate around it; the (a) and (a') windows."""

    def __init__(self, rate: float, instant_rate: float) -> None:
        self.steady, self.instant_rate = rate, instant_rate
        self.pressed = float("inf")
        self.spy: asyncio.subprocess.Process | None = None

    def rate(self) -> float:
        """Questions per second now: `instant_rate` in the `INSTANT` s after «Enviar»."""
        within = 0 <= time.perf_counter() - self.pressed < INSTANT
        return self.instant_rate if within else self.steady

    async def press(self, pid: int, windows: Windows) -> float:
        """Just before «Enviar» is pressed: py-spy (BENCH_PYSPY) starts on Minka's `pid` for the
        instant, the (a') window opens; returns when."""
        self.spy = await observe.py_spy(pid)
        self.pressed = time.perf_counter()
        windows["instant"].append((self.pressed, self.pressed + INSTANT))
        if self.spy is not None:
            seconds = float(os.environ.get("BENCH_PYSPY_SECONDS") or INSTANT + 1)
            asyncio.get_running_loop().call_later(seconds, self.spy.send_signal, signal.SIGINT)
        return self.pressed

    def written(self, done: Completions, windows: Windows) -> None:
        """Window (a), from «Enviar» to Minka's log saying the copies are all written."""
        if (seen := done.seen.get(WRITTEN)) and not windows["creation"]:
            windows["creation"].append((self.pressed, seen))

    def written_in(self, windows: Windows) -> float:
        """Seconds from «Enviar» to the copies written (nan: never seen)."""
        return (windows["creation"] or [(0.0, float("nan"))])[0][1] - self.pressed

    async def finish(self) -> None:
        """py-spy's samples written (it stops itself a second after the instant)."""
        if self.spy is not None:
            await self.spy.wait()
