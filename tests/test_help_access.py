"""/ayuda and Telegram's command menus list only what the person can use. Before, a newcomer
read /casos, /reuniones, /perfil and /informe_mensual in /ayuda (and /casos in everyone's
menu) only to be refused, and every official, member of an Equipo Regional or not, was
offered /informe_mensual. Now a newcomer sees what works without registering, a registered
official also what registration opens, and /informe_mensual is listed (in /ayuda and in
their own menu) only while a coordinator keeps them in an Equipo Regional."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from tests.chat import Person
from tests.helpers import register

NEEDS_REGISTRATION = {"/casos", "/reuniones", "/perfil", "/publicaciones", "/calificar"}


def _listed(text: str | None) -> set[str]:
    return {line.split(":")[0] for line in (text or "").splitlines() if line.startswith("/")}


async def _menu_of(
    app: Application, api: LocalBotApi, chat_id: int, wanted: bool, name: str
) -> set[str]:
    """The person's own menu once the outbox has set it with or without `name`."""
    scope = {"type": "chat", "chat_id": chat_id}
    for _ in range(100):
        await tick(app)
        menu = {c["command"] for c in api.commands(scope)}
        if (name in menu) == wanted:
            return menu
        await asyncio.sleep(0.1)
    raise AssertionError(f"{name} {'never came' if wanted else 'stayed'}: {menu}")


async def test_help_and_menus_list_what_one_can_use(
    api: LocalBotApi, app: Application, admin: Person
) -> None:
    newcomer = Person(api, 7301, "Nilda")
    (help_text,) = await newcomer.say("/ayuda")
    listed = _listed(help_text.text)
    assert {"/start", "/temas", "/buscar", "/asistencia", "/privacidad"} <= listed
    assert not listed & (NEEDS_REGISTRATION | {"/informe_mensual"}), listed
    assert "regístrese con /start" in (help_text.text or "")
    everyone = {c["command"] for c in api.commands({"type": "all_private_chats"})}
    for _ in range(100):  # set by a start-up job
        if everyone:
            break
        await asyncio.sleep(0.1)
        everyone = {c["command"] for c in api.commands({"type": "all_private_chats"})}
    assert "temas" in everyone and not everyone & {"casos", "informe_mensual", "perfil"}

    ana = Person(api, 7302, "Ana", last_name="Quispe", username="anaq")
    await register(ana, region="Puno")
    (help_text,) = await ana.say("/ayuda")
    listed = _listed(help_text.text)
    assert listed >= NEEDS_REGISTRATION and "/informe_mensual" not in listed
    assert "/start" not in (help_text.text or "").split("\n\n")[-1]
    menu = await _menu_of(app, api, ana.id, True, "casos")
    assert "informe_mensual" not in menu and "indicadores" not in menu

    await register(admin, region="MINEM")
    (done,) = await admin.say(f"/equipo {ana.id} Puno")
    assert "Equipo Regional" in (done.text or "")
    await ana.reply()  # told she is in the team
    (help_text,) = await ana.say("/ayuda")
    assert "/informe_mensual" in _listed(help_text.text)
    await _menu_of(app, api, ana.id, True, "informe_mensual")

    (done,) = await admin.say(f"/quitar_equipo {ana.id}")
    await ana.reply()  # told she left it
    (help_text,) = await ana.say("/ayuda")
    assert "/informe_mensual" not in _listed(help_text.text)
    menu = await _menu_of(app, api, ana.id, False, "informe_mensual")
    assert "casos" in menu
