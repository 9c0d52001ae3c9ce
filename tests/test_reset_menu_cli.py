"""`python -m bot admin restablecer-menu ID`: a chat's command menu and menu button set again by
hand, for a former administrator no record names (tests/test_former_admin_traces.py: those the
database shows acting as staff are found by start-up). Run as the operator runs it, in a
subprocess, against the local Bot API server over HTTP and a real SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from telegram import Bot, BotCommandScopeChat, MenuButtonCommands

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.services.access import Access
from bot.services.roles import Role
from handlers.command_menu import ADMIN_MENU, commands_for
from storage.db import Database
from storage.repositories import app_state
from tests.chat import Person
from tests.conftest import TOKEN
from tests.helpers import ana_in_puno


async def _reset(settings: Settings, telegram_id: int) -> subprocess.CompletedProcess[str]:
    """The order, with the bot's token and server, and no administrator configured."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env |= {
        "DATABASE_URL": settings.database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": settings.telegram_api_base_url,
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "admin", "restablecer-menu", str(telegram_id)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _menu(api: LocalBotApi, person: Person) -> list[str]:
    return [c["command"] for c in api.commands({"type": "chat", "chat_id": person.id})]


async def test_the_operator_resets_a_former_admins_menu_and_button(
    api: LocalBotApi, db: Database, settings: Settings
) -> None:
    """Rosa was an administrator who never registered and left no trace: an old Minka gave
    her chat the admin menu (and a button that opens it). The order takes both away (none of
    her own: everyone's menu, the default button) and drops any record of her admin menu;
    given again, it changes nothing and still succeeds."""
    rosa = Person(api, 7976, "Rosa", last_name="Condori")
    api.open_chat(rosa.id)
    admin_menu = commands_for(Access(Role.ADMIN, registered=False, team=False), "es")
    async with Bot(TOKEN, base_url=settings.telegram_api_base_url) as bot:
        await bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(rosa.id))
        await bot.set_chat_menu_button(chat_id=rosa.id, menu_button=MenuButtonCommands())
    async with db.session() as session:
        await app_state.put(session, f"{ADMIN_MENU}{rosa.id}", "1")
    assert "auditoria" in _menu(api, rosa)
    assert api.menu_button(rosa.id) == {"type": "commands"}
    for _time in range(2):  # the second time, on a chat with no menu of its own
        done = await _reset(settings, rosa.id)
        assert done.returncode == 0, done.stderr
        assert "Listo: el chat 7976 tiene ahora el menú de todos" in done.stdout, done.stdout
        assert _menu(api, rosa) == []
        assert api.menu_button(rosa.id) == {"type": "default"}
    async with db.session() as session:
        assert await app_state.get(session, f"{ADMIN_MENU}{rosa.id}") is None
    assert not api.malformed_requests, api.malformed_requests


async def test_a_registered_official_keeps_their_own_menu(
    api: LocalBotApi, db: Database, settings: Settings
) -> None:
    """Given the id of someone registered, the order leaves them their own menu (an
    official's), not everyone's: it resets to what the person can use now."""
    ana = await ana_in_puno(api, db, 7977)
    api.open_chat(ana.id)
    done = await _reset(settings, ana.id)
    assert done.returncode == 0, done.stderr
    assert "su menú propio" in done.stdout, done.stdout
    menu = _menu(api, ana)
    assert "perfil" in menu and "auditoria" not in menu, menu


async def test_a_chat_telegram_does_not_know_is_told_in_spanish(
    api: LocalBotApi, db: Database, settings: Settings
) -> None:
    """An id that never wrote to Minka: Telegram refuses, the operator reads why (exit 1),
    nothing is changed; a negative id (a group) is not a person's chat (exit 2)."""
    done = await _reset(settings, 7978)
    assert done.returncode == 1
    assert "Telegram no cambió el menú de 7978 (Chat not found)" in done.stderr, done.stderr
    assert "nunca escribió a Minka" in done.stderr
    group = await _reset(settings, -1001234)
    assert group.returncode == 2
    assert "no es el id de una persona" in group.stderr, group.stderr
