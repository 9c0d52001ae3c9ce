"""An official answers Minka's article with «👍», or sends «🙂» or «?» alone: no word, so no
question. Each was searched as one («No encontré una respuesta segura a su pregunta»), with a
button to send the emoji to a specialist, and logged among the questions the Tool Kit could
not answer."""

from __future__ import annotations

from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import Question
from tests.chat import Person
from tests.helpers import register


async def test_a_thumbs_up_or_a_lone_sign_is_chat_not_a_question(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    ana = Person(api, 1001, "Ana", last_name="Quispe")
    await register(ana)
    await ana.say("que es el reinfo", 2)  # the glossary's entry and the article

    (thanks,) = await ana.say("👍🏽")
    assert thanks.text == "¡De nada! Si tiene otra pregunta, escríbala aquí."
    for sign in ("🙂", "?", "¿¿??"):
        (chat,) = await ana.say(sign)
        assert chat.text.startswith("Escriba su pregunta, por ejemplo «¿Qué es el REINFO?»"), sign
        assert "📨 Enviar mi pregunta a un especialista" not in chat.button_texts()
    async with runtime.db.session() as session:
        asked = list(await session.scalars(select(Question.text)))
    assert asked == ["que es el reinfo"]
