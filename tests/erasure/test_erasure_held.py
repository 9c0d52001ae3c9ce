"""The reply to /borrar_mis_datos itself held back by flood control (bot/held.py) waits in
the outbox in the erased person's chat: once it is sent, no row may keep their Telegram id
(the row is the last trace of them). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import OutboxMessage
from storage.repositories.outbox import HELD
from tests.chat import Person as Chatter
from tests.erasure.story import FIRST, LAST, USERNAME, ZOILA_ID, leaks_in
from tests.erasure.sweep import dump_database
from tests.helpers import register


async def _pending(runtime: Runtime) -> bool:
    """Her confirmation held (not the taking away of her menu, owed too since the update)."""
    async with runtime.db.session() as session:
        return bool(
            await session.scalar(
                select(OutboxMessage.id).where(
                    OutboxMessage.chat_id == ZOILA_ID,
                    OutboxMessage.state == "pending",
                    OutboxMessage.kind == HELD,
                )
            )
        )


async def test_a_held_erasure_reply_leaves_no_telegram_id_once_sent(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    (question,) = await zoila.say("/borrar_mis_datos")
    api.inject("editMessageText", Fault.too_many_requests(3600), times=1)  # held at once
    await zoila.press(question, "Sí, borrar")
    for _ in range(300):
        if await _pending(runtime):
            break
        await asyncio.sleep(0.05)
    assert await _pending(runtime)  # the confirmation waits in the outbox, in her chat

    runtime.clock.advance(timedelta(hours=1, seconds=1))  # Telegram allows again
    await tick(app)
    assert "fueron borrados" in (await zoila.reply()).text
    leaks = leaks_in(await dump_database(runtime))
    assert leaks == [], "\n".join(leaks)
