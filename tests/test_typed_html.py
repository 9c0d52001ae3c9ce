"""What people type that looks like Telegram's HTML («<b>», «&», quotes) comes back to them,
and to the specialists, as typed: escaped wherever Minka puts it in a message, within
Telegram's 4,096 characters however long it was. The local Bot API server parses every
message as Telegram does (an unescaped «<b>» or «&» in HTML is refused, or turns bold), and
the `app` fixture fails a test for any request Telegram would refuse or any press left
unanswered."""

from __future__ import annotations

from bot.config import Settings
from bot.local_api import BotEvent, LocalBotApi
from bot.services.toolkit import QUESTION_MAX
from bot.telegram_limits import MESSAGE_LIMIT, units
from handlers.experts import ANSWER_MAX
from tests.chat import Person
from tests.helpers import register, typed_registration

TYPED = '<b>urgente</b> & "ya" <i>ñandú</i> &amp; a<b '
# A question as long as a Telegram message can be (4,096 characters), that Minka cannot
# answer surely: a specialist gets it, quoted back, with the asker's name and a header.
QUESTION = ("como saco mi brevete en cusco " + TYPED) * 70
QUESTION = QUESTION[:MESSAGE_LIMIT].rstrip()
STORED = QUESTION[:QUESTION_MAX]  # what Minka keeps of a question (bot/services/toolkit.py)


async def _until_buttons(person: Person, first: BotEvent) -> tuple[str, BotEvent]:
    """A long text comes as several messages, the buttons under the last one: their texts
    joined, and that last message."""
    texts, event = [first.text or ""], first
    while not event.buttons:
        event = await person.reply()
        texts.append(event.text or "")
    return "".join(texts), event


async def test_a_position_typed_as_html_is_shown_as_typed(api: LocalBotApi, bot: Settings) -> None:
    eva = Person(api, 8301, "Eva")
    summary = await typed_registration(eva, 'Eva Ríos & "Apaza"', f"Analista {TYPED}")
    assert 'Nombre: Eva Ríos & "Apaza"' in summary.text, summary.text
    assert f"Cargo: Analista {TYPED.strip()}" in summary.text, summary.text
    await eva.press(summary, "Confirmar")
    await eva.replies(2)
    (profile,) = await eva.say("/perfil")
    assert f"Analista {TYPED.strip()}" in profile.text, profile.text


async def test_a_long_question_typed_as_html_reaches_the_specialist_as_typed(
    api: LocalBotApi, admin: Person, bot: Settings
) -> None:
    luz = Person(api, 8302, "Luz", last_name='Ccori & "Mamani"', username="luz_cusco")
    await register(luz, region="Cusco")
    assert units(QUESTION) == MESSAGE_LIMIT
    (not_sure,) = await luz.say(QUESTION)
    while "Enviar mi pregunta a un especialista" not in "".join(not_sure.button_texts()):
        not_sure = await luz.reply()
    await luz.press(not_sure, "Enviar mi pregunta a un especialista")
    await luz.reply()

    await register(admin, region="MINEM")
    _header, first = await admin.say("/preguntas", 2)
    listed, item = await _until_buttons(admin, first)
    assert listed.startswith(f"❓ {STORED}\n— "), listed[:300]
    assert listed.endswith('— Luz Ccori & "Mamani", Cusco · ' + listed.rsplit(" · ")[-1])
    await admin.press(item, "Responder")
    quoted, _cancel = await _until_buttons(admin, await admin.reply())
    assert quoted == f"Escriba su respuesta a:\n«{STORED}»", quoted[:300]
    answer = ("Sí se puede " + TYPED) * 80
    answer = answer[:ANSWER_MAX].rstrip()  # the longest answer Minka takes
    await admin.say(answer, 2)  # «sent» and the offer to teach it
    delivered = await luz.reply()
    assert units(delivered.text or "") <= MESSAGE_LIMIT
    assert delivered.text.endswith(f"\n\n{answer}"), delivered.text[-200:]
    quoted_back = delivered.text.split("\n«", 1)[1].split("»\n\n", 1)[0]
    assert quoted_back.endswith("…") and STORED.startswith(quoted_back[:-1].rstrip())
