"""A configured administrator (ADMIN ids in the settings) was given, until the next start, a
command menu built from their stored role whenever the outbox owed them one: given a role
(an administrator who also makes themselves a specialist) or arriving with a role granted
ahead, they lost /coordinador, /difundir and /indicadores from their menu although they
could still use them. Joining and leaving an Equipo Regional keep the administrator's menu
too. The menu owed is built from the role Minka gives them, as at start-up."""

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

    before = len(_menus(api, admin.id))
    await admin.say(f"/especialista {admin.id}")
    menu = await _menu_after(app, api, admin.id, before)
    assert menu >= ADMIN_ONLY, sorted(menu)
    admin.no_more()  # the notice of the role, sent by the outbox

    before = len(_menus(api, admin.id))
    (done,) = await admin.say(f"/equipo {admin.id} Puno")
    assert "Equipo Regional" in (done.text or "")
    menu = await _menu_after(app, api, admin.id, before)
    assert "informe_mensual" in menu and menu >= ADMIN_ONLY, sorted(menu)
