"""SQLite commits made durable together (group commit): the fdatasync of the WAL that a commit
waits for, one on a thread of its own for every commit made meanwhile.

Apart from the connection (`storage.sqlite_turns`), which only reports its commits and waits,
because this is the file system's side: which WAL file, its descriptor, its folder synced.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import threading
import time
import weakref

from storage.waits import WAITS

# The sync thread ends after this many seconds without a sync to do (an engine disposed leaves
# no thread behind), and starts again at the next.
IDLE_SECONDS = 5.0


class WalSync:
    """Commits made durable together (group commit). With synchronous=NORMAL a WAL commit
    only writes its pages to the file (the operating system's cache); each commit then waits
    here until an fdatasync of the WAL that began after it has finished, as synchronous=FULL
    would have it wait inside the commit. One fdatasync, on a thread of its own, serves every
    commit made while the previous one ran: under load one trip to a thread for many updates
    instead of one each, and the write turn is not held while the disk works.

    The thread is woken by a byte on a pipe: os.write lets the GIL go, where handing it a job
    on a queue woke it while the loop held the GIL (sem_post), and the woken thread took the
    loop's core with the GIL held: 4.8-6.5 % of the loop's GIL samples at full load (py-spy,
    session 30), 0.1-0.2 % so.

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
        self._lock = threading.Lock()  # the thread's start and end, and its jobs
        self._jobs: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._wake = -1  # the pipe's end that wakes the thread; -1: no thread

    def committed(self) -> None:
        self._committed += 1

    async def durable(self) -> None:
        """Return once every commit made so far is on disk. A sync that fails (an I/O error)
        fails its waiters."""
        target = self._committed
        if self._synced >= target or self.path is None:
            return
        started, waits = time.perf_counter(), WAITS.get()
        try:
            while self._synced < target and self.path is not None:
                if self._syncing is None:
                    self._syncing = asyncio.ensure_future(self._sync())
                await asyncio.shield(self._syncing)
        finally:
            if waits is not None:
                waits.sync += time.perf_counter() - started

    async def _sync(self) -> None:
        covers = self._committed  # all written before the fdatasync below begins
        try:
            loop = asyncio.get_running_loop()
            done: asyncio.Future[None] = loop.create_future()
            with self._lock:  # the thread cannot end between the job and its wake-up
                self._jobs.append((loop, done))
                if self._wake < 0:
                    readable, self._wake = os.pipe()
                    threading.Thread(
                        target=self._run, args=(readable,), name="wal sync", daemon=True
                    ).start()
                os.write(self._wake, b"\0")
            await done
            self._synced = max(self._synced, covers)
        finally:
            self._syncing = None

    def _run(self, readable: int) -> None:
        """The sync thread: an fdatasync for each job, its outcome handed to its loop; it ends
        after IDLE_SECONDS without one."""
        while True:
            woken = select.select([readable], [], [], IDLE_SECONDS)[0]
            if woken:
                os.read(readable, 4096)
            with self._lock:
                jobs, self._jobs = self._jobs, []
                if not jobs and not woken:
                    os.close(readable)
                    os.close(self._wake)
                    self._wake = -1
                    return
            for loop, done in jobs:
                try:
                    self._fdatasync()
                except BaseException as error:  # an I/O error: its committers are told
                    _tell(loop, done, error)
                else:
                    _tell(loop, done, None)

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


def _tell(
    loop: asyncio.AbstractEventLoop, done: asyncio.Future[None], error: BaseException | None
) -> None:
    """Hand a sync's outcome to the loop that waits for it (none if it has closed meanwhile)."""

    def settle() -> None:
        if done.done():
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    with contextlib.suppress(RuntimeError):  # the loop closed: no one waits any more
        loop.call_soon_threadsafe(settle)
