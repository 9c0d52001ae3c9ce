"""One person's updates are handled in order (bot/updates.py), so a press made while her
previous update is slow (a statement waiting `SLOW` s) waits for it. Telegram takes a press's
answer only for a few seconds (15, bot/local_api; `WINDOW` here, with the early answer
shortened alike: tests/test_press_slow_handler.py): past them the button spins until it
gives up. The press waiting behind a slow update is answered before that, silently; its
reply still comes, after the slow update's."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import Person as PersonRow
from tests.chat import Person
from tests.helpers import register
from tests.test_press_slow_handler import EARLY, SLOW, WINDOW
from tests.test_press_slow_handler import api as api  # the fixture: WINDOW for an answer


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"press_early_seconds": EARLY})


async def test_a_press_behind_a_slow_update_is_answered_in_time(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """Ana's name changed in Telegram: her next message writes her row, which another
    transaction holds for SLOW s (PostgreSQL: a row lock; SQLite's busy timeout is shorter).
    Meanwhile she presses «No, conservarlos»: the press is answered within Telegram's window,
    and both replies come in order once the row is free. Failed on main: answered after
    ~20 s, when the row was held 20 s (too late)."""
    if runtime.db.url.startswith("sqlite"):
        pytest.skip("a row lock held for seconds: PostgreSQL")
    ana = Person(api, 8801, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    (question,) = await ana.say("/borrar_mis_datos")
    renamed = Person(api, ana.id, "Ana María", last_name="Quispe")
    held = asyncio.Event()

    async def hold_her_row() -> None:
        async with runtime.db.session() as session:
            row = select(PersonRow.id).where(PersonRow.telegram_id == ana.id)
            await session.execute(row.with_for_update())
            held.set()
            await asyncio.sleep(SLOW)

    holder = asyncio.create_task(hold_her_row())
    await held.wait()
    await renamed.send("/ayuda")  # waits for her row
    await asyncio.sleep(1)
    pressed = time.monotonic()
    answer = await ana.press(question, "No, conservarlos", timeout=SLOW + 10)
    waited = time.monotonic() - pressed
    assert waited < WINDOW, f"the press answered after {waited:.1f} s"
    assert answer.get("text") in (None, "")
    await holder
    first, then = await ana.replies(2, timeout=30)  # her message's reply (or its error)
    assert "No se borró nada" not in (first.text or ""), first
    assert "No se borró nada" in (then.text or ""), then  # the press's reply, after it
