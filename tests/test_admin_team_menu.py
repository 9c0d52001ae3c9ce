"""A configured administrator (ADMIN ids in the settings) keeps an administrator's command
menu: the menu owed by the outbox is built from the role Minka gives them, as at start-up, not
from a stored role (a role stored for them before they were configured once cost them
/coordinador, /difundir and /indicadores). Giving them a role is refused, as taking it away is
(it used to be stored and announced, «Un administrador le asignó el rol de especialista»; see
tests/test_roles.py). Joining and leaving an Equipo Regional keep the administrator's menu too."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from tests.chat import Person
from tests.helpers import register

ADMIN_ONLY = {"coordinador", "difundir", "indicadores"}


def _menus(api: LocalBotApi, chat_id: int) -> list[set[str]]:
    """Every menu Minka set for the chat's own scope, in order."""
    return [
        {c["command"] for c in p["commands"]}
        for method, p in api.calls
        if method == "setMyCommands" and p.get("scope", {}).get("chat_id") == chat_id
    ]


async def _menu_after(app: Application, api: LocalBotApi, chat_id: int, before: int) -> set[str]:
    """The last menu set for the chat once the outbox has nothing more to send."""
    for _ in range(100):
        sent = await tick(app)
        if len(_menus(api, chat_id)) > before and not sent:
            return _menus(api, chat_id)[-1]
        await asyncio.sleep(0.1)
    raise AssertionError("no menu was set")


async def test_a_configured_admin_keeps_the_admin_menu(
    api: LocalBotApi, app: Application, admin: Person
) -> None:
    await register(admin, region="Puno")
    menu = await _menu_after(app, api, admin.id, 0)  # set after registering
    assert menu >= ADMIN_ONLY and "informe_mensual" not in menu

    (refused,) = await admin.say(f"/especialista {admin.id}")  # nothing stored, nothing owed
    configured = "es administrador/a por la configuración del servidor (BOT_ADMIN_IDS) y ya"
    assert configured in (refused.text or "")

    before = len(_menus(api, admin.id))
    (done,) = await admin.say(f"/equipo {admin.id} Puno")
    assert "Equipo Regional" in (done.text or "")
    menu = await _menu_after(app, api, admin.id, before)
    assert "informe_mensual" in menu and menu >= ADMIN_ONLY, sorted(menu)
