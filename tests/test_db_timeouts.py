"""PostgreSQL limits (issue #15): a stuck lock or a dead host cannot hang every handler.

A lock held by another connection (an administrator's long transaction, a stuck replica) makes
a handler's statement give up after DB_LOCK_TIMEOUT, the person gets a polite Spanish message,
and once the lock goes the same question works. A host that accepts the connection but never
answers fails after DB_CONNECT_TIMEOUT, not after the system's TCP timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runner import minka
from storage.db import Database, Timeouts
from tests.chat import Person
from tests.conftest import ADMIN_ID, TOKEN, _new_postgres_database
from tests.helpers import registered_official
from tests.postgres import PostgresServer

LOCK_TIMEOUT = 1.0
BUSY = "Tengo demasiado trabajo en este momento, así que no se guardó nada."


@pytest.fixture
async def postgres_url(postgres: PostgresServer) -> str:
    return await _new_postgres_database(postgres)


async def test_defaults_are_set_on_every_connection(postgres_url: str) -> None:
    db = Database(postgres_url)
    try:
        async with db.session() as session:
            shown = [
                (await session.execute(text(f"SHOW {name}"))).scalar_one()
                for name in ("statement_timeout", "lock_timeout")
            ]
        assert shown == ["30s", "10s"]
    finally:
        await db.dispose()


@asynccontextmanager
async def held_lock(postgres: PostgresServer, postgres_url: str) -> AsyncIterator[None]:
    """Another connection's open transaction holding the people table exclusively."""
    database = postgres_url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(
        host="127.0.0.1", port=postgres.port, user=postgres.user, database=database
    )
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("LOCK TABLE people IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await connection.close()


async def test_a_held_lock_gives_a_polite_message_within_lock_timeout(
    api: LocalBotApi, postgres_url: str, postgres: PostgresServer
) -> None:
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=postgres_url,
        bot_admin_ids=frozenset({ADMIN_ID}),
        outbox_interval_seconds=3600,
        db_lock_timeout=LOCK_TIMEOUT,
        _env_file=None,
    )
    async with minka(settings, poll_timeout=1) as application:
        async with application.bot_data["runtime"].db.session() as session:
            await registered_official(session, 41001, "Luz")
        luz = Person(api, 41001, "Luz")
        api.open_chat(luz.id)
        async with held_lock(postgres, postgres_url):
            started = time.monotonic()
            (reply,) = await luz.say("/perfil", timeout=LOCK_TIMEOUT + 10)
            waited = time.monotonic() - started
        assert BUSY in reply.text
        assert LOCK_TIMEOUT <= waited < LOCK_TIMEOUT + 5
        (profile,) = await luz.say("/perfil")  # the lock is gone: it works again
        assert profile.text.startswith("Mi perfil")


async def test_a_host_that_never_answers_fails_within_connect_timeout(
    postgres_url: str,
) -> None:
    async def silent(_reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(60)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    db = Database(f"postgresql+asyncpg://minka@127.0.0.1:{port}/minka", Timeouts(connect=1.0))
    try:
        started = time.monotonic()
        with pytest.raises((TimeoutError, OSError)):
            async with db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert time.monotonic() - started < 5
    finally:
        await db.dispose()
        server.close()
