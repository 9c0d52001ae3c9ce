"""Engine and session factory: one `AsyncSession` (one transaction) per unit of work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_

from storage import sqlite
from storage.errors import database_busy
from storage.waits import WAITS

# Minka's tables: those of its schema its user owns (a VACUUM of another's is refused).
_OWN_TABLES = (
    "SELECT tablename FROM pg_tables "
    "WHERE schemaname = current_schema() AND tableowner = current_user ORDER BY tablename"
)
VACUUM_LOCK_WAIT_MS = 2000  # the longest an update may wait behind an erasure's rewrite
_FRESH = "minka_fresh"  # a connection's info: opened, not yet used
_RETURNED = "minka_returned"  # a connection's info: when it was last returned to the pool
# A pooled connection returned less than this many seconds ago, and not seen closed, is used
# without a ping (see `_ping`).
PING_AFTER_IDLE = 2.0


@dataclass(frozen=True)
class Timeouts:
    """PostgreSQL limits, in seconds (0: none), so that one stuck lock or runaway query cannot
    hang every handler: each waits at most `lock` for a lock and `statement` in all, then fails
    and the person is told to try again. `connect` bounds opening a connection (an unreachable
    host otherwise waits for the operating system's TCP timeout, minutes)."""

    statement: float = 30.0
    lock: float = 10.0
    connect: float = 10.0

    def connect_args(self) -> dict[str, object]:
        """asyncpg's: the settings travel in the start-up packet, no extra round trip."""
        return {
            "timeout": self.connect,
            "server_settings": {
                "statement_timeout": str(round(self.statement * 1000)),
                "lock_timeout": str(round(self.lock * 1000)),
            },
        }


def create_engine(
    url: str, timeouts: Timeouts = Timeouts(), pool_size: int | None = None
) -> AsyncEngine:
    """Errors never carry the values of a statement (they are what people typed): SQLAlchemy
    leaves the parameters out (`hide_parameters`), and PostgreSQL's DETAIL, which may quote the
    row ("Failing row contains (…)", "Key (…)=(…) already exists"), is dropped. PostgreSQL
    connections get `timeouts`.

    `pool_size`: connections kept open. With fewer than the transactions usually open at once,
    every extra one is opened and closed again each time (SQLAlchemy's default keeps 5): under
    load that was one new connection every 20 updates, each a new PostgreSQL backend (its
    prepared statements lost) or a new SQLite thread with its pragmas."""
    postgresql = not url.startswith("sqlite")
    pooled = {} if pool_size is None or not _pooled(url) else {"pool_size": pool_size}
    engine = create_async_engine(
        url,
        hide_parameters=True,
        connect_args=timeouts.connect_args() if postgresql else {},
        **pooled,
    )
    if engine.dialect.name == "sqlite":
        sqlite.configure(engine)
    else:
        event.listen(engine.sync_engine, "handle_error", _drop_details)
        event.listen(engine.sync_engine, "connect", _fresh)
        event.listen(engine.sync_engine, "checkout", _ping)
        event.listen(engine.sync_engine, "checkin", _returned)
    return engine


def _fresh(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_FRESH] = True


def _returned(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_RETURNED] = time.monotonic()


def _ping(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """PostgreSQL: a pooled connection the server dropped (a restart, a failover) is found
    and replaced before an update uses it, and the others opened before it with it, as
    SQLAlchemy's `pool_pre_ping` does; but without asyncpg's three round trips (BEGIN, the
    ping, ROLLBACK: for PgBouncer's transaction mode, not used here) on every update.

    A server that ends a connection closes its socket, and the event loop, which watches
    idle sockets, marks the connection closed (asyncpg's `is_closed`): that costs no round
    trip. A connection just opened, or returned less than `PING_AFTER_IDLE` seconds ago
    and not closed since, is used as it is: under load that is every update (a ping was one
    of a question's nine round trips). One idle longer is pinged (one round trip), as the
    server's host may have forgotten it silently (a reboot): the ping's error replaces it
    where the update's first statement would have failed."""
    if record.info.pop(_FRESH, False):
        return
    returned = record.info.get(_RETURNED)
    if dbapi_connection.driver_connection.is_closed():
        raise InvalidatePoolError("the server closed the connection")
    if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE:
        return
    try:
        await_(dbapi_connection.driver_connection.fetchrow(";"))
    except Exception as error:
        raise InvalidatePoolError(f"the ping failed: {type(error).__name__}") from error


def _pooled(url: str) -> bool:
    """An in-memory SQLite database has a single connection, no pool to size."""
    return make_url(url).database not in (None, "", ":memory:")


def _drop_details(context: ExceptionContext) -> None:
    error: BaseException | None = context.original_exception
    while error is not None:
        if getattr(error, "detail", None):
            error.detail = None  # type: ignore[attr-defined]
        error = error.__cause__


class Database:
    """Owns the engine; `session()` opens a transaction that commits on success."""

    def __init__(
        self, url: str, timeouts: Timeouts = Timeouts(), pool_size: int | None = None
    ) -> None:
        self.url, self.timeouts = url, timeouts
        self.engine = create_engine(url, timeouts, pool_size)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def shareable(self) -> bool:
        """Another process may open it too (a worker, bot/workers.py): not SQLite in memory."""
        return _pooled(self.url)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """Commit on success, roll back on any error (a cancellation too), then close.

        What `async with session, session.begin()` did, without its cost on every update: an
        explicit begin (the first statement begins the transaction anyway) and a close in a
        task of its own, shielded from cancellation, which only a session still holding a
        connection needs (a failed commit or rollback): once they ended the transaction,
        closing does no I/O and cannot be cut. (Reverted once, 4010828: without that task's
        turn of the loop, tests that moved the clock just after a workbook came saw its
        cut-short notice, withdrawn a moment after the send; they wait for it now:
        tests/chat.py `work_ended`.)"""
        waits = WAITS.get()  # an update's: its commit's time is told if it is slow
        session = self._sessions()
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            committing = time.perf_counter()
            await session.commit()
            if waits is not None:
                waits.commit += time.perf_counter() - committing
        finally:
            if session.sync_session.in_transaction():
                await session.__aexit__(None, None, None)  # closed in a shielded task
            else:
                session.sync_session.close()  # no connection held: nothing to wait for

    async def wipe_erased(self, tables: Collection[str], patience: float = 30.0) -> bool:
        """After an erasure, the old versions of the rows it changed or deleted go from the
        database's files. SQLite keeps old copies of changed pages in its WAL file until
        they happen to be overwritten; a TRUNCATE checkpoint copies the current pages into the
        database file (where `secure_delete` zeroed the freed space) and empties the WAL.
        A reader on an older snapshot (waited out for the busy timeout) or another
        checkpoint running (refused at once) makes one try fail: it tries again until
        `patience` seconds have passed, then returns False. PostgreSQL keeps their bytes in
        its tables' files (free space after a VACUUM, which autovacuum runs only once a fifth
        of a table changed): `tables` are rewritten, False if one was left."""
        if self.engine.dialect.name == "postgresql":
            return not await self.rewrite(tables)
        if self.engine.dialect.name != "sqlite":
            return True
        deadline = time.monotonic() + patience
        while True:
            async with self.engine.connect() as connection:
                result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = result.one()[0]
            if busy == 0:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.2)

    async def rewrite(self, tables: Collection[str]) -> list[str]:
        """PostgreSQL: rewrite `tables` (those of them Minka's user owns) and their indexes,
        so that no old version of a row stays in their files: a plain VACUUM frees a dead row's
        space but leaves its bytes there, until some new row happens to overwrite them. Each
        table is locked while it is rewritten (milliseconds for Minka's sizes; erasures are
        rare); one whose lock is not had within `VACUUM_LOCK_WAIT` (a long reader) is left,
        so that no update waits longer behind the rewrite: returned, to be logged."""
        left = []
        at_once = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        async with at_once.connect() as connection:  # VACUUM runs outside a transaction
            quote = connection.dialect.identifier_preparer.quote
            await connection.exec_driver_sql(f"SET lock_timeout = {VACUUM_LOCK_WAIT_MS}")
            try:
                own = await connection.scalars(text(_OWN_TABLES))
                for table in [name for name in own if name in tables]:
                    try:
                        await connection.exec_driver_sql(f"VACUUM FULL {quote(table)}")
                    except DBAPIError as error:
                        if not database_busy(error):  # a lock not had, or too long
                            raise
                        left.append(table)
            finally:
                await connection.exec_driver_sql("RESET lock_timeout")
        return left

    async def checkpoint(self) -> tuple[int, int] | None:
        """SQLite: copy the WAL into the database file, on the database thread and outside
        the write turn (PASSIVE waits for no reader or writer, and blocks none): what a commit
        would otherwise do while everyone waits for it. Returns the WAL's frames and how many
        are now in the database file; None on PostgreSQL."""
        if self.engine.dialect.name != "sqlite":
            return None
        async with self.engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            _busy, frames, copied = result.one()
        return frames, copied

    async def dispose(self) -> None:
        await self.engine.dispose()
