"""An administrator's powers come from the configuration (BOT_ADMIN_IDS), and so did the
command menu start-up gave their chat (setMyCommands, scope chat). Someone taken out of
BOT_ADMIN_IDS kept that menu on their phone after the restart: start-up sets the menus of the
staff it finds in the database, of the configured admins and (when the menus changed) of
registered people, so nothing listed the former admin's chat again. Now start-up remembers
whose chat it gave an administrator's menu (app_state, one row each, written before the call)
and gives a former one the menu of what they can use now: a registered official's, or none of
their own (everyone's). Their admin commands were, and stay, refused: every handler reads the
role from the configuration of the running process, never from a stored one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.local_api import Fault, LocalBotApi
from bot.runner import minka
from handlers.command_menu import ADMIN_MENU, DIGEST
from storage.db import Database
from storage.repositories import app_state, people
from storage.types import utcnow
from tests.chat import Person
from tests.helpers import registered_official

ADMIN_ONLY = {"auditoria", "coordinador", "especialista", "quitar_rol"}


def _menu(api: LocalBotApi, person: Person) -> list[str]:
    return [c["command"] for c in api.commands({"type": "chat", "chat_id": person.id})]


async def _until(check: Callable[[], bool], seconds: float) -> bool:
    for _ in range(int(seconds / 0.2)):
        if check():
            return True
        await asyncio.sleep(0.2)
    return check()


async def _menus_recorded(db: Database, seconds: float) -> bool:
    """Start-up's menu job finished (its digest recorded): a stop now interrupts nothing."""
    for _ in range(int(seconds / 0.2)):
        async with db.session() as session:
            if await app_state.get(session, DIGEST) is not None:
                return True
        await asyncio.sleep(0.2)
    return False


@pytest.mark.parametrize("registered", [True, False], ids=["registered", "never_registered"])
async def test_a_former_admin_loses_the_admin_menu_and_commands_after_a_restart(
    api: LocalBotApi, db: Database, settings: Settings, registered: bool
) -> None:
    """Rosa is an administrator by BOT_ADMIN_IDS: start-up gives her chat the admin menu. She
    is taken out of BOT_ADMIN_IDS and Minka restarts: her chat's menu becomes what she can use
    now (a registered official's, or everyone's when she never registered), and /auditoria
    and /coordinador are refused. Failed on main: the admin menu stayed after the restart."""
    rosa = Person(api, 7971, "Rosa", last_name="Condori")
    api.open_chat(rosa.id)  # she has written to Minka before
    if registered:
        async with db.session() as session:
            await registered_official(session, rosa.id, rosa.full_name, region_code="puno")
            # Long before: start-up sets the menus of recent registrations anyway (SINCE).
            await people.update(session, rosa.id, registered_at=utcnow() - timedelta(days=30))
    admin = settings.model_copy(update={"bot_admin_ids": frozenset({rosa.id})})
    async with minka(admin, poll_timeout=1):
        assert await _until(lambda: "auditoria" in _menu(api, rosa), 60), _menu(api, rosa)
        assert await _menus_recorded(db, 60)
    former = settings.model_copy(update={"bot_admin_ids": frozenset()})
    async with minka(former, poll_timeout=1):
        gone = await _until(lambda: ADMIN_ONLY.isdisjoint(_menu(api, rosa)), 30)
        assert gone, f"a former admin's menu after the restart: {_menu(api, rosa)}"
        for command in ("/auditoria", "/coordinador 1234"):
            (reply,) = await rosa.say(command)
            assert "Solo los administradores" in (reply.text or ""), (command, reply)
        await asyncio.sleep(1)  # nothing else comes: the menu was a call, not a message
        assert rosa.no_more() == []
    menu = _menu(api, rosa)
    if registered:  # a registered official's own menu
        assert "perfil" in menu and "registrados" not in menu, menu
    else:  # none of her own: Telegram shows her everyone's
        assert menu == [], menu


async def test_a_former_admins_menu_is_reset_after_a_stop_under_flood_control(
    api: LocalBotApi, db: Database, settings: Settings
) -> None:
    """The call that takes the admin menu away is refused (429, retry after 300 s) and Minka
    stops meanwhile: the next start still knows the chat was given an admin's menu (its row
    is dropped only once the call is made) and takes it away."""
    rosa = Person(api, 7972, "Rosa", last_name="Condori")
    api.open_chat(rosa.id)
    admin = settings.model_copy(update={"bot_admin_ids": frozenset({rosa.id})})
    async with minka(admin, poll_timeout=1):
        assert await _until(lambda: "auditoria" in _menu(api, rosa), 60), _menu(api, rosa)
        assert await _menus_recorded(db, 60)
    former = settings.model_copy(update={"bot_admin_ids": frozenset()})
    api.inject("deleteMyCommands", Fault.too_many_requests(300), times=1)
    async with minka(former, poll_timeout=1):
        await api.wait_for_call("deleteMyCommands", timeout=60)  # refused: waits
    assert "auditoria" in _menu(api, rosa), "taken away before the stop: nothing was tested"
    async with minka(former, poll_timeout=1):
        gone = await _until(lambda: _menu(api, rosa) == [], 30)
        assert gone, f"a former admin's menu after the second restart: {_menu(api, rosa)}"
    async with db.session() as session:
        assert await app_state.keys_with(session, ADMIN_MENU) == []  # her row dropped
