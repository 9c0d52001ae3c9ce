"""The two-tap survey's «✅ Enviar así» (rate:<workshop>:skip) is offered only after the overall
rating. A tampered client pressing it on the survey's first question recorded a completed
response without an overall rating; the results every attendee receives then gave the
average of two people's overall ratings as «de 3 respuestas», and each of those two could
work out the other's from it (2 × average − their own)."""

from __future__ import annotations

import re
from datetime import timedelta

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.repositories import workshops as repo
from tests.chat import Person
from tests.helpers import register, workshop_under_way


async def test_a_forged_send_as_is_records_no_response_and_results_rest_on_raters(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    workshop_id = await workshop_under_way(runtime, "FORGE1", "Seguridad en bocamina", "Seguridad")
    ana = Person(api, 7401, "Ana", last_name="Quispe")
    beto = Person(api, 7402, "Beto", last_name="Mamani")
    ciro = Person(api, 7403, "Ciro", last_name="Huanca")
    for person in (ana, beto, ciro):
        await register(person)
        (checked_in,) = await person.say("/asistencia FORGE1")
        assert checked_in.text.startswith("✅ Asistencia registrada")
    runtime.clock.advance(timedelta(minutes=31))
    await tick(app)
    surveys = {person.id: await person.reply() for person in (ana, beto, ciro)}
    for person, score in ((ana, "5"), (beto, "2")):
        await person.press(surveys[person.id], score)
        second = await person.reply()
        await person.press(second, "Enviar así")
        thanks = await person.reply()
        assert f"Calificación general: {score}" in (thanks.text or "")

    # Ciro's client sends «Enviar así» under the first question, which never offered it.
    answer = await ciro.press_forged(surveys[ciro.id], f"rate:{workshop_id}:skip")
    assert answer.get("text") == "Ese botón ya no está vigente.", answer
    ciro.no_more()
    # Or the last question's button, then a typed comment: the overall rating is asked first.
    await ciro.press_forged(surveys[ciro.id], f"rate:{workshop_id}:organization:3")
    assert "comentario" in ((await ciro.reply()).text or "")
    (asked,) = await ciro.say("Todo muy bien")
    assert "Pregunta 1 de 6" in (asked.text or ""), asked.text
    async with runtime.db.session() as session:
        rating = await repo.get_rating(session, workshop_id, (await _person_id(session, ciro)))
    assert rating is None or rating.completed_at is None

    runtime.clock.advance(SURVEY_OPEN_FOR + timedelta(hours=1))
    await tick(app)
    results = await ana.reply()
    text = results.text or ""
    assert "Resultados" not in text and not re.search(r"\d[.,]\d de 5", text), text
    assert "cerró con 2 respuestas" in text, text


async def _person_id(session, person: Person) -> int:  # type: ignore[no-untyped-def]
    from storage.repositories import people

    stored = await people.get(session, person.id)
    assert stored is not None
    return stored.id
