"""End to end: after a study visit its delegation answers a short questionnaire, reminded once."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import visits
from storage.repositories import visits as repo
from tests.visit_cast import cast, create_visit


async def test_questionnaire_after_the_visit_with_one_reminder(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana, luis, eva = await cast(api, "ana", "luis", "eva")
    visit = await create_visit(runtime, days=5)
    assert await tick(app) == 3
    for person in (ana, luis, eva):
        await person.press(await person.reply(), "Acepto")
        await person.reply()
    async with runtime.db.session() as session:
        delegation = [p.person_id for p in await repo.participants(session, visit.id)]
        await visits.confirm(session, visit, delegation, runtime.clock.now())

    runtime.clock.advance(timedelta(days=13, minutes=1))  # back home: departed 5 days in, 8 away
    assert await tick(app) == 3  # the questionnaire; the reminders before departure are late
    survey = await ana.reply()
    assert "Cuestionario sobre la visita de estudio" in survey.text
    assert survey.button_texts() == ["1", "2", "3", "4", "5"]
    assert "Puede responder hasta el " in survey.text  # 14 days after the return
    await ana.press(survey, "4")
    assert "(1 de 3)" in (await ana.reply()).text
    for text in ("Ventanilla única", "Fiscalización conjunta", "Catastro en línea"):
        await ana.send(text)
        await ana.reply()
    await ana.send("Mesa técnica mensual con los mineros")
    equality = await ana.reply()
    assert "igualdad de oportunidades" in equality.text
    await ana.send("Sí")
    assert "Responda con los botones" in (await ana.reply()).text
    await ana.press(equality, "Sí")
    comment = await ana.reply()
    await ana.send("Había una mesa de mujeres mineras")
    assert "Sus respuestas quedaron registradas" in (await ana.reply()).text
    again = await ana.press(survey, "5")
    assert again["text"] == "Este cuestionario no está abierto para usted (o ya lo respondió)."
    assert comment.button_texts() == ["Omitir"]

    survey = await luis.reply()
    await luis.press(survey, "5")
    await luis.reply()
    for text in ("Consulta previa", "Monitoreo participativo", "Remediación"):
        await luis.send(text)
        await luis.reply()
    await luis.send("Monitoreo participativo en Ananea")
    await luis.press(await luis.reply(), "No")
    await luis.press(await luis.reply(), "Omitir")
    assert "Sus respuestas quedaron registradas" in (await luis.reply()).text

    (report,) = await rosa.say(f"/visita {visit.code}")
    assert "Cuestionario</b>: 2 respuestas" in report.html
    assert "Las respuestas se muestran cuando cierra el cuestionario" in report.text

    await eva.reply()  # Eva leaves the first one unanswered: one reminder, to her only
    runtime.clock.advance(timedelta(days=3))
    assert await tick(app) == 1
    reminder = await eva.reply()
    assert "Recordatorio" in reminder.text
    await eva.press(reminder, "3")
    await eva.reply()
    for text in ("Planificación", "Diálogo", "Datos abiertos"):
        await eva.send(text)
        await eva.reply()
    (equality,) = await eva.say("Ventanilla única regional")
    await eva.press(equality, "Sí")
    await eva.press(await eva.reply(), "Omitir")
    await eva.reply()
    assert await tick(app) == 0

    runtime.clock.advance(visits.SURVEY_OPEN_FOR)  # closed: the answers are shown
    (report,) = await rosa.say(f"/visita {visit.code}")
    assert "Utilidad promedio: 4.0 de 5" in report.text  # (4 + 5 + 3) / 3
    assert "Vieron prácticas" not in report.text  # Sí 2 · No 1 would tell who said no
    assert "• Mesa técnica mensual con los mineros" in report.text
    assert "• Ventanilla única regional" in report.text
