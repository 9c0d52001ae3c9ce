"""The bot's connection pool (storage/db.py): it keeps a connection per update handled at once,
and on PostgreSQL a connection the server dropped is replaced before an update uses it."""

from __future__ import annotations

from sqlalchemy import event, text

from storage.db import Database
from tests.conftest import _new_postgres_database
from tests.postgres import PostgresServer


async def test_a_connection_the_server_dropped_is_replaced_before_use(
    postgres: PostgresServer,
) -> None:
    """The server ends the pooled connection's backend (as a restart or failover does): the
    next transaction gets a new connection instead of an error, after one ping per checkout
    (SQLAlchemy's pre-ping took three round trips on asyncpg: BEGIN, ping, ROLLBACK)."""
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
        async with db.session() as session:  # pinged, still alive: the same connection
            assert await session.scalar(text("SELECT pg_backend_pid()")) == first
        async with admin.session() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        async with db.session() as session:
            replaced = await session.scalar(text("SELECT pg_backend_pid()"))
    finally:
        await db.dispose()
        await admin.dispose()
    assert replaced != first
    assert statements == ["SELECT pg_backend_pid()"] * 3  # the ping is no statement of ours


def test_the_bot_keeps_a_connection_per_concurrent_update() -> None:
    """SQLAlchemy's default (5) made a busy bot open and close a connection every ~20
    updates; an in-memory SQLite database has no pool to size."""
    url = "sqlite+aiosqlite:///minka.sqlite3"
    assert Database(url, pool_size=12).engine.pool.size() == 12  # type: ignore[attr-defined]
    assert Database("sqlite+aiosqlite:///:memory:", pool_size=12).engine.pool is not None
