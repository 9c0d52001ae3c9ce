"""An official fixes a typo in a question by editing the message (Telegram's ✏️): Minka did
not even receive edits (allowed_updates left them out), so the fix was met by silence and
the official waited for an answer that never came. The edit is still not acted on (that
would repeat what the message did: a check-in, a form's answer), but it is answered."""

from __future__ import annotations

import copy
import time

from telegram.ext import Application

from bot.local_api import LocalBotApi
from tests.chat import Person
from tests.helpers import register

NOTICE = (
    "Minka no lee los mensajes editados. Envíe el texto corregido como un mensaje nuevo, por favor."
)


async def _edit(api: LocalBotApi, sent: dict, text: str) -> None:
    edited = copy.deepcopy(sent)
    edited.update(text=text, edit_date=int(time.time()))
    await api.send_update({"edited_message": edited})


async def test_an_edited_question_is_answered_with_what_to_do(
    api: LocalBotApi, app: Application
) -> None:
    ana = Person(api, 1001, "Ana", last_name="Quispe")
    await register(ana)
    sent = await api.send_message(ana.id, "hola")
    greeting = await ana.reply()
    assert greeting.text.startswith("¡Hola! Soy Minka.")
    await _edit(api, sent, "hola, que es el reinfo")
    (told,) = await ana.replies(1)
    assert told.text == NOTICE
    _term, article = await ana.say("que es el reinfo", 2)  # sent again: answered
    assert "¿Qué es el REINFO?" in article.text


async def test_an_edit_in_the_middle_of_a_form_leaves_the_form_where_it_was(
    api: LocalBotApi, app: Application
) -> None:
    luz = Person(api, 1002, "Luz", last_name="Condori")
    _greeting, notice = await luz.say("/start", 2)
    await luz.press(notice, "Acepto")
    await luz.replies(3)  # the notice accepted, «Vamos a registrarle», its name step
    sent = await api.send_message(luz.id, "Luz Condori")
    region_step = await luz.reply()
    assert "Paso 2 de 5" in region_step.text
    await _edit(api, sent, "Luz Condori Mamani")
    (told,) = await luz.replies(1)
    assert told.text == NOTICE
    (region,) = await luz.say("Puno")
    assert region.text == "✅ Región: Puno"
