"""/visita CODE read twice while its questionnaire still takes answers: the average usefulness
of n and n + 1 answers, subtracted, gives the newcomer's, and the lists of texts (practices to
apply; in the workbook the things learned and the comments too) differ by the newcomer's, so
one person's answers are read apart from the others' that the threshold of 3 was to hide them
among. The answers are shown once the questionnaire closes, when they no longer move."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from telegram.ext import Application

from bot.i18n import Translator, translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import visits
from storage.repositories import visits as repo
from tests.visit_cast import answer_questionnaire, cast, create_visit

LEARNED = ("Ventanilla única", "Catastro en línea", "Mesa técnica")


def _sum_behind(es: Translator, text: str, answers: int) -> int | None:
    """The sum of the usefulness answers an average shown in `text` rests on, when one sum
    alone fits it."""
    fits = [
        total
        for total in range(answers, 5 * answers + 1)
        if f"Utilidad promedio: {es.number(total / answers, 1)} de 5" in text
    ]
    return fits[0] if len(fits) == 1 else None


def newcomer(es: Translator, before: str, after: str, answers: int) -> object:
    """What two looks, `answers` and `answers` + 1 apart, tell of the one who answered between:
    their usefulness, or a text that was not there before (None: nothing of theirs alone)."""
    first, second = _sum_behind(es, before, answers), _sum_behind(es, after, answers + 1)
    if first is not None and second is not None:
        return second - first
    texts = set(re.findall(r"^• (.+)$", after, re.M)) - set(re.findall(r"^• (.+)$", before, re.M))
    return texts or None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_two_looks_at_a_questionnaire_give_no_answer_away(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, *delegation = await cast(api, "ana", "luis", "eva", "carla")
    visit = await create_visit(runtime, days=5)
    assert await tick(app) == 4
    for person in delegation:
        await person.press(await person.reply(), "Acepto")
        await person.reply()
    async with runtime.db.session() as session:
        people = [p.person_id for p in await repo.participants(session, visit.id)]
        await visits.confirm(session, visit, people, runtime.clock.now())
    runtime.clock.advance(timedelta(days=13, minutes=1))  # back home
    assert await tick(app) == 4
    for person in delegation[:3]:
        await answer_questionnaire(person, "4", LEARNED, "Mesa técnica mensual")
    (before,) = await rosa.say(f"/visita {visit.code}")
    await answer_questionnaire(delegation[3], "1", LEARNED, "Nada que aplicar")
    (after,) = await rosa.say(f"/visita {visit.code}")
    assert "Cuestionario</b>: 4 respuestas" in after.html
    es = translator("es", runtime.settings.timezone)
    assert newcomer(es, before.text, after.text, 3) is None, (before.text, after.text)
    assert "Las respuestas se muestran cuando cierra el cuestionario" in after.text

    # Once it closes nobody answers any more, and the answers are shown.
    runtime.clock.advance(visits.SURVEY_OPEN_FOR)
    (closed,) = await rosa.say(f"/visita {visit.code}")
    assert f"Utilidad promedio: {es.number(13 / 4, 1)} de 5" in closed.text, closed.text
    assert "• Nada que aplicar" in closed.text
