"""SQLite under one event loop: pragmas, and write transactions that take turns and run their
statements without a trip to the database thread once they hold the write lock.

aiosqlite runs every call (create a cursor, execute, fetch, close, commit) on its own thread,
and each call waits for the busy event loop to come back to it: a handler's three INSERTs held
SQLite's single write lock for about 16 ms, mostly waiting for its turn on the loop, which
capped a process at ~70 updates/s. Once a transaction holds the write lock, SQLite cannot make
its statements wait for anyone, so they run on the loop's thread (microseconds each). The first
write is tried there too, without waiting: only if another process (the CLI) holds the lock is
it sent to the database thread to wait for it. Reads are tried there as well, and a long
one is interrupted and sent to the database thread (`READ_STEPS`). The commit writes its pages
to the WAL there too and hands the turn on at once; the fsync that makes it durable runs on a
database thread, one for all the commits made meanwhile (`WalSync`), and the commit returns
only after it, as with synchronous=FULL. So the loop never blocks on a lock or the disk, and
an update's transaction makes no trip to the database thread of its own. A statement and the
fetch of its rows make one trip, and opening or closing a cursor none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import weakref
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager  # what aiosqlite's own cursor() is wrapped in
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# SQLite copies the WAL back into the database file ("checkpoint") inside the commit that
# crosses wal_autocheckpoint pages (1,000 by default): that commit, and every transaction
# waiting for the write turn behind it, waited for 4 MB of writes and an fsync. The running bot
# checkpoints from a job instead (`Database.checkpoint`, PASSIVE: it takes no write lock), so
# commits only do it past this backstop (400 MB), should the job ever not run. Commits run on
# the loop's thread, so the backstop must stay out of reach of the job's 5 s: at full load the
# bot writes ~2,500 pages a second. (A CLI process, without the job, checkpoints there and
# when it closes.)
AUTOCHECKPOINT_PAGES = 100_000
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's lock, on the database thread
# A read is tried on the loop's thread and interrupted after this many steps of SQLite's
# virtual machine (a read by key takes tens; 10,000 is about 0.1-0.3 ms), then run again on
# the database thread: a short read costs less than the trip there, a long one holds the loop
# no longer than this.
READ_STEPS = 10_000
_ELSEWHERE = object()  # a statement tried in place must go to the database thread
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _cheap(fn: Callable[..., Any]) -> bool:
    """Opening or closing a cursor: no I/O, never worth a trip to the database thread."""
    owner, name = getattr(fn, "__self__", None), getattr(fn, "__name__", "")
    return (isinstance(owner, sqlite3.Connection) and name == "cursor") or (
        isinstance(owner, sqlite3.Cursor) and name == "close"
    )


def _interrupt() -> int:
    """SQLite's progress handler: a non-zero answer interrupts the statement."""
    return 1


def _is_select(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


def _is_write(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_WRITES)


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
        await self._lock.acquire()

    def release(self) -> None:
        if self._lock is not None and self._lock.locked():
            self._lock.release()


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
        while self._synced < target and self.path is not None:
            if self._syncing is None:
                self._syncing = asyncio.ensure_future(self._sync(on_thread))
            await asyncio.shield(self._syncing)

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
        if self._connection is not None and (self._writing or _cheap(fn)):
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)

    async def statement(self, sql: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn` (which executes `sql`); a transaction's first write takes the turn."""
        if self._writing or not _is_write(sql):
            if not self._writing and _is_select(sql):
                result = self._without_waiting(fn, *args, steps=READ_STEPS)
                if result is not _ELSEWHERE:
                    return result
            return await self._execute(fn, *args)
        await self._turns.acquire()
        try:
            result = self._without_waiting(fn, *args)
            if result is _ELSEWHERE:
                # On the database thread: this is where another process's lock is waited out.
                result = await super()._execute(fn, *args)
        except BaseException:
            self._turns.release()
            raise
        self._writing = True
        return result

    def _without_waiting(self, fn: Callable[..., Any], *args: Any, steps: int = 0) -> Any:
        """Run `fn` here, on the loop's thread, but never wait for a lock: `_ELSEWHERE` if
        another process holds one (then the caller goes to the database thread, which waits),
        or if a read (`steps` > 0) needed more than `steps` steps of SQLite's machine.

        A transaction's first write: the turn is ours, so no transaction of this process
        holds the lock; unless another process does (the CLI), the write gets it at once,
        without a trip to the database thread while everyone waits for the turn. If it was
        refused, its BEGIN is undone (nothing was written). A read outside a write
        transaction (the person, the form in progress, a meeting and its invitation) reads a
        few cached pages: microseconds, less than the trip; a longer one is interrupted
        (a read: nothing to undo) and goes to the database thread."""
        conn = self._conn
        began = not conn.in_transaction
        conn.execute("PRAGMA busy_timeout=0")
        if steps:
            conn.set_progress_handler(_interrupt, steps)
        try:
            return fn(*args)
        except sqlite3.OperationalError as error:
            code = error.sqlite_errorcode & 0xFF
            if code == sqlite3.SQLITE_INTERRUPT and steps:
                return _ELSEWHERE
            if code != sqlite3.SQLITE_BUSY:
                raise
            if began and conn.in_transaction:
                conn.rollback()
            return _ELSEWHERE
        finally:
            if steps:
                conn.set_progress_handler(None, 0)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

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
        can be lost to a power cut, as with synchronous=FULL."""
        if self._writing and self.wal_mode:
            self._conn.commit()  # if it fails, the turn is kept until the rollback
            self._writing = False
            self._turns.release()
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


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the CLI read while the bot writes; the busy timeout turns brief lock contention
    # into a short wait instead of an error; SQLite ignores foreign keys unless told otherwise;
    # secure_delete zeroes deleted and overwritten content, so an erased person's texts do not
    # linger in free space of the file (many builds have it on already; this makes it sure).
    # synchronous=NORMAL: commits do not fsync the WAL; WalSync does, for many at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    if cursor.fetchone()[0] == "wal":  # not for a database in memory
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA database_list")
        main = next(row[2] for row in cursor.fetchall() if row[1] == "main")
        connection: TurnTakingConnection = dbapi_connection.driver_connection
        connection.use_wal(main + "-wal")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    cursor.close()


def create_private(path: str | os.PathLike[str]) -> None:
    """Create an empty database file readable by its owner only (0600), unless it exists.
    It holds personal data; SQLite gives the WAL, SHM and journal files the same mode. A
    folder that does not exist is left to sqlite3.connect, whose error storage.problems
    explains in one line."""
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def configure(engine: AsyncEngine) -> None:
    """Make `engine`'s connections take write turns, sync their commits together and set
    the pragmas."""
    turns, wal = WriteTurns(), WalSync()

    def connect(database: str, **kwargs: Any) -> TurnTakingConnection:
        if database and database != ":memory:" and not kwargs.get("uri"):
            create_private(database)
        # Statements run on the loop's thread while the connection is owned by aiosqlite's.
        kwargs["check_same_thread"] = False
        return TurnTakingConnection(partial(sqlite3.connect, database, **kwargs), turns, wal)

    def use_our_connection(_dialect: Any, _record: Any, _args: Any, params: dict) -> None:
        params["async_creator_fn"] = connect  # SQLAlchemy's adapter awaits and wraps it

    event.listen(engine.sync_engine, "do_connect", use_our_connection)
    event.listen(engine.sync_engine, "connect", _pragmas)
