"""The bot's connection pool (storage/db.py): it keeps a connection per update handled at once,
and on PostgreSQL a connection the server dropped is replaced before an update uses it, with no
round trip for it under load."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.roundtrips import Requests
from storage.db import PING_AFTER_IDLE, Database
from tests.conftest import _new_postgres_database
from tests.postgres import PostgresServer


async def test_a_connection_the_server_dropped_is_replaced_before_use(
    postgres: PostgresServer,
) -> None:
    """The server ends the pooled connection's backend (as a restart or failover does): the
    next transaction gets a new connection instead of an error. A connection returned a
    moment ago and still open is used without a ping: no round trip of its own (SQLAlchemy's
    pre-ping took three on asyncpg: BEGIN, ping, ROLLBACK)."""
    url = await _new_postgres_database(postgres)
    db, admin = Database(url, pool_size=2), Database(url)
    statements: list[str] = []
    event.listen(
        db.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_args: statements.append(statement),
    )
    try:
        async with db.session() as session:
            first = await session.scalar(text("SELECT pg_backend_pid()"))
            requests = Requests(await _driver(session))
        async with db.session() as session:  # not pinged, still alive: the same connection
            assert await session.scalar(text("SELECT pg_backend_pid()")) == first
        reused = requests.count
        async with admin.session() as session:  # waits until the backend has ended
            await session.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": first})
        async with db.session() as session:
            replaced = await session.scalar(text("SELECT pg_backend_pid()"))
    finally:
        await db.dispose()
        await admin.dispose()
    assert replaced != first
    assert statements == ["SELECT pg_backend_pid()"] * 3  # the ping is no statement of ours
    assert reused == 4  # the first session's COMMIT, then BEGIN, the statement, COMMIT


async def test_a_connection_idle_a_while_is_pinged_first(postgres: PostgresServer) -> None:
    """Idle longer than PING_AFTER_IDLE, a connection may have been forgotten by the server's
    host without the socket closing here: one ping before the update uses it."""
    url = await _new_postgres_database(postgres)
    db = Database(url, pool_size=2)
    try:
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
            requests = Requests(await _driver(session))
        counts = [requests.count]  # its COMMIT
        async with db.session() as session:  # at once
            await session.execute(text("SELECT 1"))
        counts.append(requests.count)
        await asyncio.sleep(PING_AFTER_IDLE + 0.2)
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
        counts.append(requests.count)
        at_once, after_idle = counts[1] - counts[0], counts[2] - counts[1]
        assert at_once == 3  # BEGIN, the statement, COMMIT
        assert after_idle > at_once  # and the ping (asyncpg prepares it first: two)
    finally:
        await db.dispose()


async def _driver(session: AsyncSession) -> Any:
    """The asyncpg connection under the session's."""
    connection = await session.connection()
    return (await connection.get_raw_connection()).driver_connection


def test_the_bot_keeps_a_connection_per_concurrent_update() -> None:
    """SQLAlchemy's default (5) made a busy bot open and close a connection every ~20
    updates; an in-memory SQLite database has no pool to size."""
    url = "sqlite+aiosqlite:///minka.sqlite3"
    assert Database(url, pool_size=12).engine.pool.size() == 12  # type: ignore[attr-defined]
    assert Database("sqlite+aiosqlite:///:memory:", pool_size=12).engine.pool is not None
