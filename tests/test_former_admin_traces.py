"""An administrator taken out of BOT_ADMIN_IDS before 208e580 (start-up keeping, in app_state,
the chats it gave an administrator's menu), who never registered, had no row anywhere that
named their chat: no later start listed it, and Telegram showed them /auditoria, /coordinador,
/quitar_rol... for good (each refused when used). Start-up now lists, once, the chats the
database shows acting as staff (storage/repositories/staff_traces.py) and gives each the menu
of what they can use now. For a chat that left no trace, the operator resets it by hand
(`python -m bot admin restablecer-menu ID`, tests/test_reset_menu_cli.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runner import minka
from handlers.command_menu import ADMIN_MENU, ADMINS_KEPT, SINCE
from storage.db import Database
from storage.repositories import app_state
from tests.chat import Person
from tests.test_former_admin_menu import _menu, _menus_recorded, _until

# The key this change records once the traces were read (handlers/command_menu.TRACED), named
# here so that the test runs, and fails, on a Minka without it.
TRACED = "command menu staff traced"


async def _as_before_208e580(db: Database) -> None:
    """The database as a Minka from before 208e580 left it: no row for the chats given an
    admin's menu, nor ADMINS_KEPT, and the staff's traces never read."""
    async with db.session() as session:
        for key in [*await app_state.keys_with(session, ADMIN_MENU), ADMINS_KEPT, TRACED]:
            await app_state.drop(session, key)


@pytest.mark.parametrize("trace", ["granted_a_role", "staff_form_open"])
async def test_a_former_admin_who_never_registered_loses_the_menu_by_what_they_did(
    api: LocalBotApi, db: Database, settings: Settings, trace: str
) -> None:
    """Rosa, an administrator by BOT_ADMIN_IDS who never registered, got the admin menu and
    used it: she made someone a specialist (the audit log keeps her id as its actor), or
    opened a staff form and left it. She was taken out of BOT_ADMIN_IDS while Minka kept no
    record of admins' chats; the next start of this Minka takes her menu away (none of her
    own: everyone's) and the one after leaves it be. Failed on main: her admin menu stayed."""
    rosa = Person(api, 7975, "Rosa", last_name="Condori")
    api.open_chat(rosa.id)
    admin = settings.model_copy(update={"bot_admin_ids": frozenset({rosa.id})})
    async with minka(admin, poll_timeout=1):
        assert await _until(lambda: "auditoria" in _menu(api, rosa), 60), _menu(api, rosa)
        if trace == "granted_a_role":
            (reply,) = await rosa.say("/especialista 5555")
            assert "5555" in (reply.text or ""), reply
        else:
            # A coordinator's form (a word on what it asks, then its first step), left open.
            *_words, step = await rosa.say("/nuevo_taller", 2)
            assert "título del taller" in (step.text or ""), step
        assert await _menus_recorded(db, 60)
    await _as_before_208e580(db)
    since = await _since(db)
    former = settings.model_copy(update={"bot_admin_ids": frozenset()})
    async with minka(former, poll_timeout=1):
        gone = await _until(lambda: _menu(api, rosa) == [], 30)
        assert gone, f"a former admin's menu after the restart: {_menu(api, rosa)}"
        (reply,) = await rosa.say("/auditoria")
        assert "Solo los administradores" in (reply.text or ""), reply
        assert await _start_up_done(db, since)
        since = await _since(db)
    async with db.session() as session:
        assert await app_state.get(session, TRACED) is not None
    async with minka(former, poll_timeout=1):  # once: the traces are not read again
        assert await _start_up_done(db, since)
    assert _deletes(api, rosa.id) == 1


async def _since(db: Database) -> str | None:
    async with db.session() as session:
        return await app_state.get(session, SINCE)


async def _start_up_done(db: Database, before: str | None) -> bool:
    """The start-up menu job of this process ended: it moved SINCE on (the only replica)."""
    return await _until_async(lambda: _since(db), before, 60)


async def _until_async(
    read: Callable[[], Awaitable[str | None]], old: str | None, seconds: float
) -> bool:
    for _ in range(int(seconds / 0.2)):
        if await read() != old:
            return True
        await asyncio.sleep(0.2)
    return False


def _deletes(api: LocalBotApi, chat_id: int) -> int:
    """deleteMyCommands calls made in `chat_id`'s scope."""
    scope = {"type": "chat", "chat_id": chat_id}
    return sum(
        1
        for method, params in api.calls
        if method == "deleteMyCommands" and params.get("scope") == scope
    )
