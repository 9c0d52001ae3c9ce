"""Beginning a form while another was half done threw the first away in silence: a
coordinator writing a broadcast who typed /nuevo_taller lost the text with no word. The new
form now says what was set aside."""

from __future__ import annotations

from bot.local_api import LocalBotApi
from tests.chat import Person
from tests.helpers import register


async def test_a_new_form_says_which_one_it_set_aside(api: LocalBotApi, admin: Person) -> None:
    await register(admin, region="MINEM")
    _heading, question = await admin.say("/difundir", 2)
    assert "Escriba el mensaje" in (question.text or "")
    await admin.send("Reunión de coordinación el lunes")
    await admin.reply()  # the next step of the broadcast
    heading, first = await admin.say("/nuevo_taller", 2)
    assert (heading.text or "").startswith("Se descartó lo que tenía a medias: Difusión.\n\n")
    assert "Nuevo taller" in (heading.text or "")
    assert "título del taller" in (first.text or "")
    heading, _first = await admin.say("/nuevo_taller", 2)  # the same form again: nothing to say
    assert "Se descartó" not in (heading.text or "")
