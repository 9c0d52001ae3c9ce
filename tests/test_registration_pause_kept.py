"""A registration paused with /cancelar was thrown away by the next form: a trainee who
paused to read the Tool Kit and reported an error in an article, or an administrator who
paused to send a broadcast, found /start asking their name again (and the administrator was
told «Se descartó lo que tenía a medias: Registro…»). The answers kept now survive any form
begun meanwhile: when that form ends (sent or cancelled) the registration is paused again,
and /start goes on at the question where the person stopped."""

from __future__ import annotations

import json

from telegram.ext import Application

from bot.local_api import BotEvent, LocalBotApi
from tests.chat import Person

PAUSED = (
    "Su registro quedó en pausa. Minka guardó lo que ya respondió (nombre, región); "
    "escriba /start para seguir desde la pregunta donde se quedó. Mientras tanto puede "
    "consultar el Tool Kit."
)


async def _pause_after_region(person: Person, region: str) -> BotEvent:
    """Accept, answer the name and the region, /cancelar: the institution question asked."""
    _greeting, notice = await person.say("/start", 2)
    await person.press(notice, "Acepto")
    await person.replies(2)  # the notice accepted, «Vamos a registrarle»
    await person.press(await person.reply(), "Usar «")
    await person.replies(2)  # «✅ Nombre: …», the region question
    await person.send(region)
    await person.reply()  # «✅ Región: …»
    institution = await person.reply()
    assert "institución" in (institution.text or "").lower()
    paused, _menu = await person.say("/cancelar", 2)
    assert paused.text == PAUSED
    return institution


async def test_a_report_on_an_article_keeps_the_paused_registration(
    api: LocalBotApi, app: Application
) -> None:
    luz = Person(api, 7321, "Luz", last_name="Condori")
    institution = await _pause_after_region(luz, "Puno")
    _definition, article = await luz.say("que es el reinfo", 2)
    await luz.press(article, "⚠️ Reportar un error")
    await luz.reply()  # «Escriba qué está mal…»
    await luz.send("El plazo del REINFO que dice el artículo ya cambió")
    (thanks,) = await luz.replies(1)
    assert "Gracias" in (thanks.text or "")

    _greeting, question = await luz.say("/start", 2)
    assert question.text == institution.text  # not «¿Cuál es su nombre?» again


async def test_a_form_begun_meanwhile_keeps_the_paused_registration(
    api: LocalBotApi, app: Application, admin: Person
) -> None:
    institution = await _pause_after_region(admin, "Lima")
    heading, _question = await admin.say("/difundir", 2)
    assert "Se descartó" not in (heading.text or "")  # nothing was set aside
    _intro, document = await admin.say("/mis_datos", 2)  # the answers kept are exported too
    data = json.loads(api.files[document.params["file_id"]])
    assert data["formulario_en_curso"]["formulario"] == "Difusión"
    assert data["formulario_en_curso"]["registro_en_pausa"]["region"] == "lima"
    await admin.say("/cancelar", 2)  # «Cancelado…» and the menu
    (again,) = await admin.say("/cancelar")  # the registration is paused again, not lost
    assert again.text == "No hay nada que cancelar."

    _greeting, question = await admin.say("/start", 2)
    assert question.text == institution.text
