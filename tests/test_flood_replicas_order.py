"""A chat's replies held back by flood control wait in the outbox, and the chat's next replies
queue behind them (bot/held.py). Which chats have replies waiting was known only to the
process that held them (and, at start-up, to every process): with two webhook replicas, the
person's next update, handled by the other replica, was answered at once, before the reply
held a moment earlier, which the person then read after it. A process now looks the chat up
in the outbox whenever another replica is alive (their heartbeats tell it, bot/replicas.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from bot.webhook import serving
from storage.models import OutboxMessage
from storage.repositories import outbox
from tests.chat import Person
from tests.postgres import _free_port
from tests.test_webhook import webhook_settings


@pytest.fixture
async def two(api: LocalBotApi, database_url: str) -> AsyncIterator[list[Runtime]]:
    """Two webhook replicas on one database, the updates posted to each in turn; each knows
    within a second that the other is alive."""
    async with replicas(api, database_url, heartbeat=0.2) as runtimes:
        yield runtimes


@asynccontextmanager
async def replicas(
    api: LocalBotApi, database_url: str, *, heartbeat: float
) -> AsyncIterator[list[Runtime]]:
    """Two webhook replicas on one database, the updates posted to each in turn. A short
    `heartbeat` makes a replica silent for three of them, at load, look dead to the other."""
    urls, runtimes = [], []
    async with AsyncExitStack() as stack:
        for number in range(2):
            port = _free_port()
            settings: Settings = webhook_settings(api, database_url, port).model_copy(
                update={"heartbeat_seconds": heartbeat}
            )
            application = await stack.enter_async_context(
                serving(settings, register_webhook=number == 0)
            )
            runtimes.append(application.bot_data["runtime"])
            urls.append(f"http://127.0.0.1:{port}")
        api.deliver_webhooks([f"{url}/telegram" for url in urls])
        yield runtimes


async def _held(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        count = select(func.count()).select_from(OutboxMessage)
        return await session.scalar(count.where(OutboxMessage.kind == outbox.HELD)) or 0


async def test_a_reply_held_by_one_replica_is_not_overtaken_by_the_others(
    api: LocalBotApi, two: list[Runtime]
) -> None:
    """Ana's /ayuda is answered by one replica under flood control (429 on the reply and its
    retries): held in the outbox, due 3 s later. Her /privacidad goes to the other replica, whose
    reply comes after the held one. Failed on main: it came first."""
    ana = Person(api, 8820, "Ana", last_name="Quispe")
    await asyncio.sleep(1)  # a few heartbeats: each replica knows the other is alive
    (help_text,) = await ana.say("/ayuda")  # which reply /ayuda gives, unheld
    (privacy_text,) = await ana.say("/privacidad")
    api.inject("sendMessage", Fault.too_many_requests(3), times=4)  # the reply and 3 retries
    await ana.send("/ayuda")
    for _ in range(400):  # the limiter waits out three 429s first
        if await _held(two[0]):
            break
        await asyncio.sleep(0.05)
    assert await _held(two[0]) == 1, "the reply was not held: nothing was tested"
    await ana.send("/privacidad")
    first, then = await ana.replies(2, timeout=30)
    assert (first.text, then.text) == (help_text.text, privacy_text.text), [first, then]
