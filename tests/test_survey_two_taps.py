"""The README promises a two-tap survey, but a trainee had to answer all five questions
and then «Omitir» (six taps) before the rating was recorded. Now every question after the
overall one has «✅ Enviar así»: the overall rating and that button record it, the other
criteria left unanswered («—»), and no reminder follows."""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from tests.chat import Person
from tests.helpers import register, workshop_under_way


async def test_a_workshop_is_rated_in_two_taps(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    await workshop_under_way(
        runtime, "T2TAPS", "Gestión ambiental para la pequeña minería", "Ambiente"
    )
    ana = Person(api, 7321, "Ana", last_name="Quispe")
    await register(ana)
    (checked_in,) = await ana.say("/asistencia T2TAPS")
    assert checked_in.text.startswith("✅ Asistencia registrada")
    runtime.clock.advance(timedelta(minutes=31))
    await tick(app)
    survey = await ana.reply()
    assert "Encuesta del taller" in (survey.text or "")
    await ana.press(survey, "4")  # tap 1
    second = await ana.reply()
    assert "✅ Enviar así" in second.button_texts()
    await ana.press(second, "Enviar así")  # tap 2
    thanks = await ana.reply()
    assert "¡Gracias!" in (thanks.text or "") and "Calificación general: 4" in (thanks.text or "")
    assert "Contenido: —" in (thanks.text or "")
    runtime.clock.advance(timedelta(hours=24))  # recorded: no reminder
    await tick(app)
    assert ana.no_more() == []
