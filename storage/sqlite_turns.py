"""SQLite's write turns under one event loop: an aiosqlite connection whose transactions take
turns from their first write to the end of their commit, and which runs their statements on the
loop's thread (`storage.sqlite_in_place`) and makes their commits durable together
(`storage.sqlite_wal`); and its cursor, which executes and fetches in one trip.

Apart from the engine's set-up (`storage.sqlite`), because this is the connection's own
behaviour, and the part that leans on aiosqlite's internals (tests/test_aiosqlite_internals.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager  # what aiosqlite's own cursor() is wrapped in

from storage.sqlite_in_place import (
    ELSEWHERE,
    ON_THREAD,
    READ_STEPS,
    cheap,
    is_select,
    is_write,
    without_waiting,
    writes_rows,
)
from storage.sqlite_wal import WalSync
from storage.waits import WAITS


class WriteTurns:
    """SQLite has one writer at a time, and a transaction that finds the database locked
    sleeps with growing back-off: under load some wait seconds while others pass. Here the
    process's transactions take turns (first come, first served) from their first write to
    the end of their commit, so the lock is never contended inside one process; other
    processes (the CLI) still meet SQLite's busy timeout, on the database thread."""

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None

    async def acquire(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        if not self._lock.locked() or (waits := WAITS.get()) is None:
            await self._lock.acquire()
            return
        started = time.perf_counter()
        try:
            await self._lock.acquire()
        finally:
            waits.turn += time.perf_counter() - started

    def release(self) -> None:
        if self._lock is not None and self._lock.locked():
            self._lock.release()


class TurnTakingConnection(aiosqlite.Connection):
    """An aiosqlite connection whose transaction, from its first write until its commit or
    rollback has finished, holds the process's write turn and runs its statements in place."""

    def __init__(
        self, connector: Callable[[], sqlite3.Connection], turns: WriteTurns, wal: WalSync
    ) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._thread.daemon = True  # as SQLAlchemy does: a lost connection never holds exit
        self._turns = turns
        self._wal = wal
        self.wal_mode = False  # set by the pragmas: then commits run in place (`commit`)
        self._writing = False
        # What the write transaction changed: SQLite's total_changes when it began, and
        # whether it also changed the schema (which total_changes does not count).
        self._changes = 0
        self._schema = False
        self._stopped: asyncio.Future[Any] | None = None

    async def _connect(self) -> aiosqlite.Connection:
        try:
            return await super()._connect()
        except BaseException:
            # aiosqlite stops its thread without waiting for it; wait, or the thread's answer
            # may reach an event loop already closed (a traceback after a one-line error).
            if self._stopped is not None:
                await asyncio.shield(self._stopped)
            raise

    def use_wal(self, path: str) -> None:
        """The database is in WAL mode, its log at `path`: commit in place (`commit`)."""
        self.wal_mode = True
        self._wal.path = path

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._connection is not None and (self._writing or cheap(fn)):
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)

    async def statement(self, sql: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn` (which executes `sql`); a transaction's first write takes the turn."""
        on_thread = ON_THREAD in sql  # a bulk write: SQLite's work off the event loop
        if self._writing and not writes_rows(sql) and is_write(sql):
            self._schema = True
        if self._writing or not is_write(sql):
            if on_thread:
                return await super()._execute(fn, *args)
            if not self._writing and is_select(sql):
                result = without_waiting(self._conn, fn, *args, steps=READ_STEPS)
                if result is not ELSEWHERE:
                    return result
            return await self._execute(fn, *args)
        await self._turns.acquire()
        self._changes, self._schema = self._conn.total_changes, not writes_rows(sql)
        try:
            result = ELSEWHERE if on_thread else without_waiting(self._conn, fn, *args)
            if result is ELSEWHERE:
                # On the database thread: this is where another process's lock is waited out.
                result = await super()._execute(fn, *args)
        except BaseException:
            self._turns.release()
            raise
        self._writing = True
        return result

    async def run(self, sql: str, parameters: Sequence[Any]) -> tuple[list[Any], int, int | None]:
        """Execute `sql` and fetch its rows (as `statement` runs it): its rows, rowcount and
        lastrowid, without a cursor object of aiosqlite's or SQLAlchemy's (storage.direct)."""
        return await self.statement(sql, _executed, self._conn, sql, parameters)

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        return _Cursor(self, await self._execute(self._conn.cursor))

    async def _end(
        self, finish: Callable[[], Any], on_thread: Callable[[], Any] | None = None
    ) -> None:
        """`finish` the transaction (commit, rollback, close). `on_thread` is its synchronous
        core: run on the database thread, it hands the turn on as soon as it returns, not
        when this task next gets the busy loop (every writer waiting behind it would wait
        for that too)."""
        if not self._writing:
            await finish()
            return
        self._writing = False
        release = _Once(self._turns.release)
        try:
            if on_thread is None:
                await finish()
            else:
                loop = asyncio.get_running_loop()

                def then_release() -> Any:
                    result = on_thread()  # if it fails, the turn is released below, as before
                    loop.call_soon_threadsafe(release)
                    return result

                await super()._execute(then_release)
        finally:
            release()

    def _idle(self) -> bool:
        """No transaction open (reads run outside one): a commit or rollback has nothing to
        do, and the pool rolls back every connection it takes back."""
        return not self._writing and self._connection is not None and not self._conn.in_transaction

    async def commit(self) -> None:
        """In WAL mode a commit only appends pages to the WAL (synchronous=NORMAL: no fsync)
        and cannot wait for a lock (the write lock is ours; the checkpoint it may start past
        AUTOCHECKPOINT_PAGES is PASSIVE), so it runs here and hands the turn on at once; then
        it waits for the disk with the commits made meanwhile (`WalSync`). A reader waits
        too, for what it may have read of commits not yet on disk: nothing anyone is told
        can be lost to a power cut, as with synchronous=FULL.

        A write transaction that changed no row (an outbox round with nothing stale or due)
        writes nothing to the WAL: it has no fdatasync of its own to wait for, only, as a
        reader, those of the commits before it. Every round made two, and each reply's
        commit waited for the one under way before its own."""
        if self._writing and self.wal_mode:
            changed = self._schema or self._conn.total_changes != self._changes
            self._conn.commit()  # if it fails, the turn is kept until the rollback
            self._writing = False
            self._turns.release()
            if changed:
                self._wal.committed()
        elif not self._idle():
            await self._end(super().commit, self._conn.commit)
            self._wal.committed()
        await self._wal.durable(super()._execute)

    async def rollback(self) -> None:
        if not self._idle():
            await self._end(super().rollback, self._conn.rollback)

    async def close(self) -> None:
        await self._end(super().close)

    def stop(self) -> asyncio.Future[Any] | None:
        if self._writing:
            self._writing = False
            self._turns.release()
        self._stopped = super().stop()
        return self._stopped


def _executed(
    connection: sqlite3.Connection, sql: str, parameters: Sequence[Any]
) -> tuple[list[Any], int, int | None]:
    cursor = connection.execute(sql, parameters)
    try:
        rows = cursor.fetchall() if cursor.description else []
        return rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class _Once:
    """Calls `fn` the first time only: the turn is released by whichever comes first, the
    database thread's callback or the end of `_end`, and never twice (the second release
    would end the next writer's turn)."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[], None]) -> None:
        self._fn: Callable[[], None] | None = fn

    def __call__(self) -> None:
        fn, self._fn = self._fn, None
        if fn is not None:
            fn()


class _Cursor(aiosqlite.Cursor):
    """Executes a statement and fetches its rows in one trip to the database thread:
    SQLAlchemy reads every row of a result right after executing it anyway."""

    _conn: TurnTakingConnection

    def __init__(self, conn: TurnTakingConnection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: list[Any] = []

    def _run(self, sql: str, parameters: Any) -> list[Any]:
        self._cursor.execute(sql, parameters)
        return self._cursor.fetchall() if self._cursor.description else []

    async def execute(self, sql: str, parameters: Any = None) -> aiosqlite.Cursor:
        self._rows = await self._conn.statement(sql, self._run, sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Any) -> aiosqlite.Cursor:
        await self._conn.statement(sql, self._cursor.executemany, sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None
