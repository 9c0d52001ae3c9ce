"""The menu shows a person what they can use. /cancelar in the middle of registration said
«Cancelado. No se cambió nada.» and showed the full menu («Mis casos», «Reuniones», «Mi
perfil»), whose buttons then refused or sent the person back into registration; so did
declining the privacy notice. Now registration is said to be stopped, with how to go on, and
the menu offers what works without registering: the Tool Kit, the workshops, help."""

from __future__ import annotations

from telegram.ext import Application

from bot.local_api import LocalBotApi
from tests.chat import Person
from tests.helpers import register

UNREGISTERED = ["📚 Consultar el Tool Kit", "🎓 Talleres", "❓ Ayuda"]


async def test_cancelling_registration_shows_what_fits(api: LocalBotApi, app: Application) -> None:
    luz = Person(api, 7003, "Luz", last_name="Condori")
    _greeting, notice = await luz.say("/start", 2)
    await luz.press(notice, "Acepto")
    await luz.replies(3)  # the notice accepted, «Vamos a registrarle», the first question
    stopped, menu = await luz.say("/cancelar", 2)
    assert stopped.text == (
        "Se detuvo su registro. Cuando quiera registrarse, escriba /start; mientras tanto "
        "puede consultar el Tool Kit."
    )
    assert menu.button_texts() == UNREGISTERED
    assert "se habilitan cuando se registre: /start" in menu.text
    (again,) = await luz.say("/menu")
    assert again.button_texts() == UNREGISTERED

    bea = Person(api, 7004, "Bea")  # declines the notice: the same menu
    _greeting, notice = await bea.say("/start", 2)
    await bea.press(notice, "No acepto")
    _declined, _understood, menu = await bea.replies(3)
    assert menu.button_texts() == UNREGISTERED

    ana = Person(api, 7001, "Ana", last_name="Quispe")  # registered: everything
    await register(ana)
    (full,) = await ana.say("/menu")
    assert "👤 Mi perfil" in full.button_texts() and "📁 Mis casos" in full.button_texts()
    assert "/start" not in full.text
