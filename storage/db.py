"""Engine and session factory: one `AsyncSession` (one transaction) per unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_only


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the CLI read while the bot writes; the busy timeout turns brief lock contention
    # into a short wait instead of an error; SQLite ignores foreign keys unless told otherwise.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})
_WRITING = "minka_writing"


class _WriteTurns:
    """SQLite has one writer at a time, and a transaction that finds the database locked
    sleeps with growing back-off: under load some wait seconds while others pass. Here the
    process's transactions take turns (first come, first served) from their first write to
    their end, so the lock is never contended inside one process; other processes (the CLI)
    still meet SQLite's busy timeout."""

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None

    def before_statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_WRITING) or statement.lstrip()[:7].split(" ")[0].upper() not in _WRITES:
            return
        if self._lock is None:
            self._lock = asyncio.Lock()
        await_only(self._lock.acquire())  # runs inside SQLAlchemy's greenlet: yields, no block
        conn.info[_WRITING] = True

    def release(self, info: dict[str, Any]) -> None:
        if info.pop(_WRITING, False) and self._lock is not None:
            self._lock.release()

    def listen(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self.before_statement)
        event.listen(sync, "commit", lambda conn: self.release(conn.info))
        event.listen(sync, "rollback", lambda conn: self.release(conn.info))
        # A connection returned to the pool or lost without commit or rollback.
        event.listen(sync.pool, "reset", lambda _dbapi, record, _state: self.release(record.info))
        event.listen(sync.pool, "invalidate", lambda _dbapi, record, _e: self.release(record.info))
        event.listen(sync.pool, "close", lambda _dbapi, record: self.release(record.info))


def create_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        _WriteTurns().listen(engine)
    return engine


class Database:
    """Owns the engine; `session()` opens a transaction that commits on success."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
