"""The update that erases its sender is written to `inbox_updates` (bot/inbox.py) while its
handler runs. At load (helper `agree`, load 13: tests/erasure/test_unconsented.py, once in
three runs) that write came after the erasure's delete: the row of Nora's «Sí, borrar», with
her id and name, was in the database when she read that her data was gone (until the inbox's
flush a second after the update's end; until the next start after a kill)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from telegram.ext import Application

from bot.app import inbox_of
from bot.local_api import Fault, LocalBotApi
from bot.runtime import Runtime
from storage.models import AuditEntry, InboxUpdate
from tests.chat import REPLY_WAIT
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.erasure.story import NORA_ID
from tests.erasure.sweep import dump_database

# The reply's edit answered this late: the update is not over (its row not yet flushed) when
# the test looks.
SLOW_REPLY = 2.0


async def _erased(runtime: Runtime) -> None:
    """Until the erasure has committed (its audit entry is written with it)."""
    erased = select(AuditEntry.id).where(AuditEntry.action == "erase_personal_data")
    for _ in range(int(REPLY_WAIT / 0.02)):
        async with runtime.db.session() as session:
            if await session.scalar(erased) is not None:
                return
        await asyncio.sleep(0.02)
    raise AssertionError("the erasure never committed")


async def test_an_erasing_press_written_after_the_erasure_leaves_nothing(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """The inbox's write of the press is held (as a busy database holds it) until the erasure
    has committed; when Minka tells Nora her data is gone, her id is nowhere. Failed before
    the erasure waited for the inbox's write: the press's row was there."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await rosa.say(f"/coordinador {NORA_ID} Puno")  # Minka names her: she has data to erase
    nora = Chatter(api, NORA_ID, "Nora", last_name="Quispe")
    (question,) = await nora.say("/borrar_mis_datos")
    api.inject("editMessageText", Fault.stall(SLOW_REPLY))
    inbox = inbox_of(app)
    async with inbox._lock:  # the inbox's writes wait
        yes = question.find_button("Sí, borrar")["callback_data"]
        await api.press_button(NORA_ID, question.message_id, yes)
        await _erased(runtime)
    told = await api.wait_for_call("editMessageText", timeout=REPLY_WAIT)  # sent, not answered
    assert "fueron borrados" in told["text"]
    await inbox.settled()  # the press's row was written here, after the erasure
    async with runtime.db.session() as session:
        assert NORA_ID not in (await session.scalars(select(InboxUpdate.telegram_id))).all()
    assert "fueron borrados" in (await nora.reply()).text
    assert [line for line in await dump_database(runtime) if str(NORA_ID) in line] == []
