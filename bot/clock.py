"""Minka's notion of "now". Tests move it forward instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        """`offset` (settings' CLOCK_OFFSET_SECONDS, tests only): how far Minka's clock runs
        from the machine's, so that a test sees the calendar of the day it chose."""
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta
