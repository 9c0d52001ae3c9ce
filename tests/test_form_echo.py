"""A form's question answered with a button keeps the answer and loses its buttons, as
registration's questions do: the chat shows what was chosen («✔️ Reunión técnica»), and the
same button cannot be pressed twice. The buttons stayed under the question, as if nothing had
been chosen; a second press answered «Ese botón ya no está vigente»."""

from __future__ import annotations

from telegram.ext import Application

from bot.local_api import LocalBotApi
from tests.chat import Person
from tests.conftest import ADMIN_ID
from tests.helpers import register


async def test_a_pressed_answer_is_shown_and_its_buttons_go(
    api: LocalBotApi, app: Application
) -> None:
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    _intro, _title = await rosa.say("/nueva_reunion", 2)
    await rosa.send("Coordinación del plan regional")
    kind = await rosa.reply()
    await rosa.press(kind, "Reunión técnica")
    echo, start = await rosa.replies(2)
    assert echo.method == "editMessageText" and echo.message_id == kind.message_id
    assert echo.text == kind.text + "\n✔️ Reunión técnica"
    assert echo.buttons == []  # nothing left to press twice
    assert "Paso 3 de" in start.text and start.message_id != kind.message_id
    data = kind.find_button("Reunión técnica")["callback_data"]
    twice = await rosa.press_forged(kind, data)  # a second tap that beat the edit
    assert twice["text"] == "Ese botón ya no está vigente."

    await rosa.say("mañana a las 9")
    (place,) = await rosa.say("11:00")
    await rosa.press(place, "Omitir")
    skipped, link = await rosa.replies(2)
    assert skipped.message_id == place.message_id and skipped.buttons == []
    assert skipped.text == place.text + "\n✔️ Omitido"
    assert "Omitir" in link.button_texts()
