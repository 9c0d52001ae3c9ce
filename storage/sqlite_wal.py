"""SQLite commits made durable together (group commit): the fdatasync of the WAL that a commit
waits for, one on a database thread for every commit made meanwhile.

Apart from the connection (`storage.sqlite_turns`), which only reports its commits and waits,
because this is the file system's side: which WAL file, its descriptor, its folder synced.
"""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from storage.waits import WAITS


class WalSync:
    """Commits made durable together (group commit). With synchronous=NORMAL a WAL commit
    only writes its pages to the file (the operating system's cache); each commit then waits
    here until an fdatasync of the WAL that began after it has finished, as synchronous=FULL
    would have it wait inside the commit. One fdatasync, on a database thread, serves every
    commit made while the previous one ran: under load one trip to a thread for many updates
    instead of one each, and the write turn is not held while the disk works.

    fdatasync flushes the file, whichever descriptor wrote it. A WAL file new to us (the first,
    or one SQLite deleted when its last connection closed, after copying it back and syncing)
    also has its folder synced, so that its name survives a power cut."""

    def __init__(self) -> None:
        self.path: str | None = None  # the WAL file; None: nothing to sync (in memory)
        self._committed = 0  # commits written to the WAL by this process
        self._synced = 0  # how many of them are known to be on disk
        self._syncing: asyncio.Future[None] | None = None
        self._fd = -1
        self._file: tuple[int, int] | None = None  # (device, inode) that _fd is open on
        self._closer: weakref.finalize | None = None

    def committed(self) -> None:
        self._committed += 1

    async def durable(self, on_thread: Callable[[Callable[[], None]], Awaitable[Any]]) -> None:
        """Return once every commit made so far is on disk; `on_thread` runs a function on a
        database thread. A sync that fails (an I/O error) fails its waiters."""
        target = self._committed
        if self._synced >= target or self.path is None:
            return
        started, waits = time.perf_counter(), WAITS.get()
        try:
            while self._synced < target and self.path is not None:
                if self._syncing is None:
                    self._syncing = asyncio.ensure_future(self._sync(on_thread))
                await asyncio.shield(self._syncing)
        finally:
            if waits is not None:
                waits.sync += time.perf_counter() - started

    async def _sync(self, on_thread: Callable[[Callable[[], None]], Awaitable[Any]]) -> None:
        covers = self._committed  # all written before the fdatasync below begins
        try:
            await on_thread(self._fdatasync)
            self._synced = max(self._synced, covers)
        finally:
            self._syncing = None

    def _fdatasync(self) -> None:
        assert self.path is not None
        try:
            found = os.stat(self.path)
            if self._file != (found.st_dev, found.st_ino):
                self._reopen()
        except FileNotFoundError:
            return  # no WAL: SQLite copied it back into the database file and synced that
        getattr(os, "fdatasync", os.fsync)(self._fd)  # macOS has only fsync

    def _reopen(self) -> None:
        """Open the WAL file as it is now (closing the one before) and sync its folder."""
        assert self.path is not None
        fd = os.open(self.path, os.O_RDONLY)
        found = os.fstat(fd)
        folder = os.open(os.path.dirname(self.path) or ".", os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
        if self._closer is not None:
            self._closer()
        # Held open (so its inode cannot be reused unseen) until the next one or until this
        # object goes with its engine.
        self._closer = weakref.finalize(self, os.close, fd)
        self._fd, self._file = fd, (found.st_dev, found.st_ino)
