"""What an update waited for in the database layer, told in the log line of a slow update
(#17: at 25 updates/s about one update a run took ~250 ms with no event-loop stall and no
garbage collection logged: SQLite's write turn, a commit waiting for the disk, or the send?).
The update's task sets a `Waits` (handlers/dispatch.py); the database layer adds to it only
while one is set: a few clock reads per update. Tasks the update starts share its `Waits`."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class Waits:
    """Seconds an update spent so far, by cause."""

    turn: float = 0.0  # waiting for SQLite's write turn (another transaction writing)
    commit: float = 0.0  # in commits (PostgreSQL: the round trip, with the server's fsync)
    sync: float = 0.0  # SQLite: of the commits, waiting for the WAL's fdatasync
    ended: float = 0.0  # when the update's transaction ended (time.perf_counter; 0: not yet)


WAITS: ContextVar[Waits | None] = ContextVar("waits", default=None)
