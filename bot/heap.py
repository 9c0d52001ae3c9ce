"""The process's heap and the garbage collector: what keeps a full collection short.

A full collection walks every tracked object that is still alive. After start-up those are
mostly the modules, the Tool Kit and its index (the Spanish word list alone is a 65,000-word
set): about 150,000 objects that live as long as the process, and a full collection over them
took 170–210 ms on the 2-core machine (more when it is busy), with the event loop stopped and
every reply waiting. `settle` moves them out of the collector's reach (`gc.freeze`), so
collections walk only what handlers create; `watch` logs any pause long enough to be felt."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

FELT_MS = 50.0  # a pause this long shows in a reply's latency
_started: list[float] = []


def settle() -> None:
    """After loading (start-up, a Tool Kit reload): collect what loading left behind, give
    the freed memory back to the system (glibc keeps it otherwise, about 6 MB of RSS), and
    freeze the survivors. Unfreezing first lets the collection free a replaced Tool Kit,
    whose objects refer to each other and would otherwise stay frozen for good."""
    gc.unfreeze()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    gc.freeze()
    gc.enable()  # after `hold`: collections from now on walk only what is new


def hold() -> None:
    """At the very start of `python -m bot`: no collection until `settle` (or `release`).
    Loading the modules and the Tool Kit makes ~250,000 objects that all live on, and the
    collector walked them ~400 times meanwhile, finding next to nothing: 0.15-0.25 CPU s of a
    1.2 s start (#17, session 31); `settle`'s one collection finds what loading left."""
    gc.disable()


def release() -> None:
    """`hold` ended without `settle`: a CLI order, the demo (they never settle)."""
    gc.enable()


ARENAS = 2  # glibc's default is 8 per core: each thread that allocates may take its own
_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)
# Blocks of this size and more get their own mapping, given back to the system when freed.
# glibc's default starts at the same 128 KiB but rises to the largest block freed (up to 32
# MB): after the Tool Kit's loading freed its big temporaries, blocks that large came from the
# heap and stayed there as holes. Fixed, the Tool Kit loaded left RSS 1.9 MB lower (131.7 ->
# 129.8 MB after `settle`, the bot's imports loaded, the same both times, #17).
MMAP_THRESHOLD = 128 * 1024
_M_MMAP_THRESHOLD = -3


def limit_arenas() -> None:
    """Before any thread starts: threads share `ARENAS` malloc arenas instead of each taking
    its own, whose freed space stays mapped (after 10,000 updates RSS grew 8 MB with the
    default, 4 MB with two; Python's own small objects do not use them); and blocks of
    `MMAP_THRESHOLD` or more are mapped apart, whatever was freed before."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, ARENAS)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def _timed(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[:] = [time.perf_counter()]
    elif _started:
        paused = 1000 * (time.perf_counter() - _started.pop())
        if paused >= FELT_MS:
            log.warning(
                "garbage collection paused the event loop for %.0f ms (generation %s, %s freed)",
                paused,
                info.get("generation"),
                info.get("collected"),
                extra={"pause_ms": round(paused, 1)},
            )


def watch() -> None:
    """Log collections that stop the process long enough to delay a reply (once)."""
    if _timed not in gc.callbacks:
        gc.callbacks.append(_timed)
