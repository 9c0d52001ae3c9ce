"""SQLite under one event loop: the engine's set-up (pragmas, a private file, our connection),
and why its write transactions take turns and run their statements without a trip to the
database thread. The pieces: `storage.sqlite_turns` (the connection and its write turn),
`storage.sqlite_in_place` (statements run on the loop's thread without waiting),
`storage.sqlite_wal` (commits made durable together).

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

import contextlib
import os
import sqlite3
from functools import partial
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.sqlite_in_place import BUSY_TIMEOUT_MS
from storage.sqlite_turns import TurnTakingConnection, WriteTurns
from storage.sqlite_wal import WalSync

# SQLite copies the WAL back into the database file ("checkpoint") inside the commit that
# crosses wal_autocheckpoint pages (1,000 by default): that commit, and every transaction
# waiting for the write turn behind it, waited for 4 MB of writes and an fsync. The running bot
# checkpoints from a job instead (`Database.checkpoint`, PASSIVE: it takes no write lock), so
# commits only do it past this backstop (400 MB), should the job ever not run. Commits run on
# the loop's thread, so the backstop must stay out of reach of the job's 5 s: at full load the
# bot writes ~2,500 pages a second. (A CLI process, without the job, checkpoints there and
# when it closes.)
AUTOCHECKPOINT_PAGES = 100_000


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
