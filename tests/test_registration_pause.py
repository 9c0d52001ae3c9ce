"""/cancelar in the middle of registration kept nothing: a person who had given their name
and region and stopped to look something up had to answer everything again after /start.
Now Minka says what it kept, typed text goes to the Tool Kit meanwhile (not to the paused
question), a second /cancelar throws nothing away, and /start goes on at the question where
the person stopped."""

from __future__ import annotations

from telegram.ext import Application

from bot.local_api import LocalBotApi
from storage.repositories import people
from tests.chat import Person


async def test_cancelled_registration_goes_on_where_it_stopped(
    api: LocalBotApi, app: Application
) -> None:
    luz = Person(api, 7311, "Luz", last_name="Condori")
    _greeting, notice = await luz.say("/start", 2)
    await luz.press(notice, "Acepto")
    await luz.replies(2)  # the notice accepted, «Vamos a registrarle»
    await luz.press(await luz.reply(), "Usar «")
    await luz.replies(2)  # «✅ Nombre: …», the region question
    await luz.send("Puno")
    await luz.reply()  # «✅ Región: Puno»
    institution = await luz.reply()
    assert "institución" in (institution.text or "").lower()

    paused, menu = await luz.say("/cancelar", 2)
    assert paused.text == (
        "Su registro quedó en pausa. Minka guardó lo que ya respondió (nombre, región); "
        "escriba /start para seguir desde la pregunta donde se quedó. Mientras tanto puede "
        "consultar el Tool Kit."
    )
    assert "🎓 Talleres" in menu.button_texts()
    (again,) = await luz.say("/cancelar")  # a second /cancelar does not throw it away
    assert again.text == "No hay nada que cancelar."

    # Meanwhile typed text is a question for the Tool Kit, not an answer to the paused form.
    _found, answer = await luz.say("qué es el REINFO", 2)
    assert "Registro Integral de Formalización Minera" in (answer.text or "")

    _greeting, question = await luz.say("/start", 2)
    assert question.text == institution.text  # where she stopped, not the name again
    await luz.press(question, "Gobierno Regional")
    await luz.replies(2)  # «✅ Institución: …», the position question
    await luz.send("Analista")
    await luz.press(await luz.reply(), "Mujer")
    await luz.reply()
    summary = await luz.reply()
    assert "Luz Condori" in (summary.text or "") and "Puno" in (summary.text or "")
    await luz.press(summary, "Confirmar")
    await luz.replies(2)
    runtime = app.bot_data["runtime"]
    async with runtime.db.session() as session:
        stored = await people.get(session, luz.id)
    assert stored is not None and stored.is_registered
    assert (stored.full_name, stored.region_code) == ("Luz Condori", "puno")
