"""A trainee told at the door «escriba el código del taller» types it as a message, without
/asistencia: «K7M2QX», «asistencia k7m2qx», «Código: K7M2QX». It was taken for a Tool Kit
question («No encontré una respuesta segura…», with an offer to send the code to a
specialist), and the attendance was never recorded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import Question, WorkshopAttendance
from tests.chat import Person
from tests.helpers import accept_and_register, register
from tests.test_workshops import CODE, _workshop


async def _attendances(runtime: Runtime) -> int:
    async with runtime.db.session() as session:
        return await session.scalar(select(func.count()).select_from(WorkshopAttendance)) or 0


async def test_a_code_typed_as_a_message_checks_the_trainee_in(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    await _workshop(runtime, starts_in=timedelta(minutes=-20))
    ana = Person(api, 5002, "Ana", last_name="Quispe")
    await register(ana)

    (done,) = await ana.say(CODE.lower())
    assert done.text.startswith("✅ Asistencia registrada: «Formalización minera"), done.text
    (again,) = await ana.say(f"asistencia {CODE}")
    assert "ya estaba registrada" in again.text
    (said,) = await ana.say(f"Código: {CODE}.")
    assert "ya estaba registrada" in said.text
    assert await _attendances(runtime) == 1

    # Anything else is still a question: a word that is no workshop's code, a sentence.
    term, article = await ana.say("REINFO", 2)  # the glossary's entry, then the article
    assert term.text.startswith("REINFO — ") and "¿Qué es el REINFO?" in article.text
    async with runtime.db.session() as session:
        asked = list(await session.scalars(select(Question.text)))
    assert asked == ["REINFO"]  # the codes were not logged as questions


async def test_a_newcomer_who_types_the_code_is_registered_then_checked_in(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    await _workshop(runtime, starts_in=timedelta(minutes=-20))
    luz = Person(api, 5001, "Luz", last_name="Condori")
    (notice,) = await luz.say(CODE)
    assert "registrar su asistencia" in notice.text
    await accept_and_register(luz, notice)
    done, checked_in = await luz.replies(2)
    assert "Registro completo" in done.text
    assert checked_in.text.startswith("✅ Asistencia registrada"), checked_in.text
    assert await _attendances(runtime) == 1
