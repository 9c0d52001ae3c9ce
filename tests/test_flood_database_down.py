"""A reply refused by flood control (429) is kept in the outbox (bot/held.py). When the database
fails at that moment, nothing can keep it there: the reply was dropped, and the person read
the apology «I cannot reach my database, so nothing was saved» instead, though their update
had been saved (its transaction committed before the reply was sent).

Now the reply waits in memory instead, as a chat's later calls do (bot/follow_ups.py): tried
again when Telegram allows, in the chat's line, for a bounded time; a reply late beats none."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from tests.chat import Person
from tests.postgres import PostgresServer
from tests.test_crash import _sends
from tests.test_faults import on_own_postgres, own_postgres

# The fixtures: a PostgreSQL server of this module's own, stopped and started; Minka on it.
__all__ = ["on_own_postgres", "own_postgres"]
SLOW = 4.0  # seconds the 429 takes to come back: the database is stopped meanwhile (< 5 s)
RETRY = 2  # its retry_after
SORRY = "No puedo comunicarme con mi base de datos"


async def test_a_reply_refused_while_the_database_is_down_still_arrives(
    api: LocalBotApi,
    own_postgres: PostgresServer,
    on_own_postgres: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Ana's /ayuda is handled and saved; its reply meets a 429 that comes back after the
    database has stopped. She gets the reply (once, after retry_after), not the apology.
    Failed on main: the reply could not be kept in the outbox and was dropped; she read
    «No puedo comunicarme con mi base de datos…, así que no se guardó nada»."""
    ana = Person(api, 8840, "Ana", last_name="Quispe")
    (help_text,) = await ana.say("/ayuda", timeout=30)
    before = _sends(api)
    api.inject("sendMessage", Fault.too_many_requests(RETRY, after=SLOW), times=1)
    await ana.send("/ayuda")
    try:
        for _ in range(400):  # the reply's call reached Telegram, which is slow to refuse it
            if _sends(api) > before:
                break
            await asyncio.sleep(0.02)
        refused_at = time.monotonic()
        await asyncio.to_thread(own_postgres.pause)
        assert time.monotonic() - refused_at < SLOW, "the 429 came before the database stopped"
        reply = await ana.reply(timeout=30)
        assert SORRY not in (reply.text or ""), reply.text
        assert reply.text == help_text.text
        await asyncio.sleep(1)
        assert ana.no_more() == []  # once
        assert any("kept in memory" in record.getMessage() for record in caplog.records)
    finally:
        await asyncio.to_thread(own_postgres.resume)
    (again,) = await ana.say("/ayuda", timeout=30)  # the database is back: as before
    assert again.text == help_text.text


async def test_the_apology_refused_while_the_database_is_down_still_arrives(
    api: LocalBotApi, own_postgres: PostgresServer, on_own_postgres: Runtime
) -> None:
    """The database is down: Ana's /ayuda fails and its apology meets a 429. Nothing can keep
    it in the outbox; it comes from memory when Telegram allows. Failed on main: dropped
    (the log said «could not keep the apology»), Ana read nothing at all."""
    ana = Person(api, 8841, "Ana", last_name="Quispe")
    await ana.say("/ayuda", timeout=30)  # the pool is open, the menus are set
    await asyncio.to_thread(own_postgres.pause)
    try:
        # The apology and the rate limiter's 3 retries in memory (bot/ratelimit.py)
        api.inject("sendMessage", Fault.too_many_requests(1), times=4)
        await ana.send("/ayuda")
        sorry = await ana.reply(timeout=30)
        assert SORRY in (sorry.text or ""), sorry.text
        await asyncio.sleep(1)
        assert ana.no_more() == []  # once
    finally:
        await asyncio.to_thread(own_postgres.resume)
