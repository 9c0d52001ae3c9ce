"""/taller CODE read twice while its survey is open: the averages of n and n + 1 responses,
subtracted, give the newcomer's rating, and the responses by region say where they are from.
A Puno coordinator watching her workshop's results come in learned that the one attendee from
Cusco rated it 1 (each average shown to one decimal pins its sum for up to 10 responses).
The results wait for the survey to close, when they no longer move with each response."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from telegram.ext import Application

from bot.i18n import Translator, translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services.workshops import SURVEY_OPEN_FOR
from tests.chat import WORKBOOK_WAIT, work_ended
from tests.chat import Person as Chatter
from tests.helpers import puno_coordinator, rate_workshop, register, workshop_under_way

CODE = "DOSVIS"


def _sum_behind(es: Translator, text: str, responses: int) -> int | None:
    """The sum of the overall ratings an average shown in `text` rests on, when one sum alone
    fits it (None: no average shown, or several sums fit)."""
    fits = [
        total
        for total in range(responses, 5 * responses + 1)
        if f"Calificación general: <b>{es.number(total / responses, 1)}</b>" in text
    ]
    return fits[0] if len(fits) == 1 else None


def newcomer_rating(es: Translator, before: str, after: str, responses: int) -> int | None:
    """What the attacker reads: the overall rating given between two looks, one response
    apart (None: not pinned)."""
    first, second = _sum_behind(es, before, responses), _sum_behind(es, after, responses + 1)
    if first is None or second is None:
        return None
    return second - first


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_two_looks_at_an_open_survey_give_no_rating(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter
) -> None:
    await register(admin, region="MINEM")
    carla = await puno_coordinator(api, admin)
    await workshop_under_way(runtime, CODE, "Cierre de minas", "Cierre")
    puno = [Chatter(api, 6200 + n, f"Puneña{n}") for n in range(3)]
    guest = Chatter(api, 6210, "Visitante", last_name="Cusqueño")
    for person, region in [*((p, "Puno") for p in puno), (guest, "Cusco")]:
        await register(person, region=region)
        await person.say(f"/asistencia {CODE}")
    runtime.clock.advance(timedelta(hours=1))  # the workshop ended: surveys go out
    assert await tick(app) == 4
    for person in puno:
        await rate_workshop(person, "4")
    (before,) = await carla.say(f"/taller {CODE}")
    await rate_workshop(guest, "1")
    (after,) = await carla.say(f"/taller {CODE}")
    assert "Respuestas: 4" in after.text and "Cusco" in after.text
    es = translator("es", runtime.settings.timezone)
    assert newcomer_rating(es, before.html, after.html, 3) is None, (before.text, after.text)
    assert "Las respuestas se muestran cuando cierra la encuesta" in after.text

    # Nor in the workbook, while the survey is open.
    await carla.press(after, "Descargar XLSX")
    document = await carla.reply(WORKBOOK_WAIT)
    await work_ended()  # its cut-short notice withdrawn, before the clock moves
    book = openpyxl.load_workbook(io.BytesIO(api.files[document.params["file_id"]]))
    averages = [
        cell
        for sheet in book.worksheets
        if sheet.title != "Resumen"  # its one fraction is the response rate
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, float)
    ]
    assert averages == [], averages
    assert book["Comentarios"].max_row == 1

    # Once it closes the results are shown, and no longer move.
    runtime.clock.advance(SURVEY_OPEN_FOR)
    (closed,) = await carla.say(f"/taller {CODE}")
    assert f"Calificación general: <b>{es.number(13 / 4, 1)}</b>" in closed.html, closed.text
