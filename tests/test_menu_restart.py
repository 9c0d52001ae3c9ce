"""The command menu a person earns by registering (/casos, /reuniones, /perfil...) was set
from memory after the replies: a Minka stopped meanwhile (a restart, a deploy; or under a
flood control that outlasted the process) never set it, and the next start sets registered
people's menus only when the menus changed. The person kept a newcomer's menu. Start-up now
also sets the menus of those who registered while the processes before it ran, so a restart
only delays it."""

from __future__ import annotations

import asyncio

from prometheus_client import REGISTRY

from bot import follow_ups
from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runner import minka
from tests.chat import Person
from tests.conftest import shipped_toolkit
from tests.helpers import register
from tests.test_flood_lasting import REFUSAL

OUTAGE = 120.0  # seconds of 429s on setMyCommands: past the rate limiter's retries, and
# past the process's end (the test lifts it then, instead of waiting the rest out)


def _flood_rounds() -> float:
    """Calls Telegram still refused after the rate limiter's retries (kept for later)."""
    return sum(
        REGISTRY.get_sample_value("minka_flood_rounds_total", {"kept": kept}) or 0.0
        for kept in ("later", "menu")
    )


def _own_menu(api: LocalBotApi, chat_id: int) -> set[str]:
    return {c["command"] for c in api.commands({"type": "chat", "chat_id": chat_id})}


async def test_the_menu_earned_by_registering_outlives_a_restart(
    api: LocalBotApi, settings: Settings
) -> None:
    ana = Person(api, 8631, "Ana", last_name="Quispe")
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)):
        for _ in range(200):  # the start-up job's menus first: everyone's, then the staff's
            if api.commands({"type": "all_private_chats"}):
                break
            await asyncio.sleep(0.05)
        assert api.commands({"type": "all_private_chats"})
        await asyncio.sleep(1.0)
        before = _flood_rounds()
        api.inject_for("setMyCommands", Fault.too_many_requests(REFUSAL), seconds=OUTAGE)
        await register(ana, region="Puno")
        for _ in range(400):  # until the rate limiter gave up on the menu: it is kept
            if _flood_rounds() > before:
                break
            await asyncio.sleep(0.05)
        assert _flood_rounds() > before
    # The process ends: whatever it kept in memory ends with it.
    for task in list(follow_ups._running):
        task.cancel()
    await asyncio.sleep(0.5)
    assert "casos" not in _own_menu(api, ana.id)
    api.lift("setMyCommands")  # Telegram allows again, while Minka is down
    async with minka(settings, poll_timeout=1, knowledge=shipped_toolkit(settings)) as application:
        for _ in range(100):
            await tick(application)
            if "casos" in _own_menu(api, ana.id):
                break
            await asyncio.sleep(0.2)
    menu = _own_menu(api, ana.id)
    assert {"casos", "reuniones", "perfil"} <= menu and "informe_mensual" not in menu, menu
