"""End to end: /difundir with preview and count, delivery through 429s and a blocked person,
progress edited to a final report, blocked people skipped next time, scheduled sending."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from storage.models import OutboxMessage, Person
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register


async def _broadcast(
    rosa: Chatter, text: str, *, later: str | None = None, entities: list[dict] | None = None
) -> None:
    """/difundir to Puno with `text` (formatted with `entities`), now or `later`."""
    _intro, question = await rosa.say("/difundir", 2)
    assert "Paso 1 de 6" in question.text
    await rosa.api.send_message(rosa.id, text, entities=entities)
    audience = await rosa.reply()
    await rosa.choose(audience, "Una región")
    await rosa.reply()
    await rosa.send("Puno")
    when = await rosa.reply()
    await rosa.choose(when, "A una hora elegida" if later else "Ahora")
    if later:
        await rosa.reply()
        await rosa.send(later)


async def test_broadcast_delivery_progress_blocked_and_schedule(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    puno = [Chatter(api, 8000 + n, f"Persona{n}") for n in range(3)]
    for person in puno:
        await register(person, region="Puno")
    other = Chatter(api, 8100, "Otra")
    await register(other, region="Piura")

    await _broadcast(rosa, "Mañana es la <reunión> & el taller: ¡no falten!")
    preview, summary = await rosa.replies(2)
    assert "Vista previa" in preview.text and "Mañana es la <reunión> & el taller" in preview.text
    assert "Destinatarios: Una región: Puno (3)" in summary.text

    api.block(puno[2].id)
    api.inject("sendMessage", Fault.too_many_requests(1), times=2)
    await rosa.press(summary, "Enviar")
    progress = await rosa.reply()
    assert "Enviados: 0 de 3" in progress.text
    sent, rounds = 0, 0  # each 429 puts a copy back, due 1 s later (bot/outbox.py)
    while sent < 2 and rounds < 10:
        sent += await tick(app)
        runtime.clock.advance(timedelta(seconds=2))  # past retry_after
        rounds += 1
    assert sent == 2 and rounds >= 2, (sent, rounds)  # at least one round refused
    final = await rosa.reply()
    while "Difusión terminada" not in (final.text or ""):  # progress of a round before
        assert "Enviados:" in (final.text or ""), final
        final = await rosa.reply()
    assert final.message_id == progress.message_id
    assert "Difusión terminada. Entregados: 2 de 3 · Fallidos: 1" in final.text
    for person in puno[:2]:
        (copy,) = await person.replies(1)
        assert copy.text == "Mañana es la <reunión> & el taller: ¡no falten!"
        assert person.no_more() == []
    assert api.drain(other.id) == []

    async with runtime.db.session() as session:
        blocked = await session.scalar(select(Person).where(Person.telegram_id == puno[2].id))
    assert blocked is not None and not blocked.active

    await _broadcast(rosa, "Segundo aviso", later="1/1/2099 08:00")
    _preview, summary = await rosa.replies(2)
    assert "Puno (2)" in summary.text  # the person who blocked Minka is skipped
    await rosa.press(summary, "Enviar")
    scheduled = await rosa.reply()
    assert "Difusión programada para el" in scheduled.text
    assert await tick(app) == 0
    async with runtime.db.session() as session:
        waiting = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "pending")
        )
    assert waiting == 2


async def test_a_message_whose_preview_is_too_long_is_refused_with_its_length(
    api: LocalBotApi, app: Application
) -> None:
    """The preview adds a heading to the message: past Telegram's 4,096 characters it could
    not be shown, so the message is refused at its step, with the length and the limit."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    await rosa.say("/difundir", 2)
    (refusal,) = await rosa.say("a" * 4090)
    heading = (
        len("👁 Vista previa (así se verá):\n\n".encode("utf-16-le")) // 2
    )  # Telegram's measure
    assert f"{4090 + heading - 4096}" in refusal.text
    es = translator("es", ZoneInfo("America/Lima"))
    assert es.number(4090 + heading) in refusal.text and es.number(4096) in refusal.text
    assert "Vista previa" not in refusal.text
    (one_over,) = await rosa.say("a" * (4096 - heading + 1))
    assert one_over.text.endswith("Acórtelo en 1 carácter, por favor."), one_over.text
    (audience,) = await rosa.say("a" * (4096 - heading))  # exactly fits: the form goes on
    assert "¿Para quiénes es?" in audience.text
    await rosa.choose(audience, "Participantes de un taller")
    await rosa.reply()
    (unknown,) = await rosa.say("<i>x&y")  # echoed as typed (upper-cased), not as HTML
    assert unknown.text == "No encontré nada con el código «<I>X&Y»."


async def test_a_deleted_progress_message_gets_the_final_report_anew(
    api: LocalBotApi, app: Application
) -> None:
    """The coordinator deleted the progress message: Telegram refuses to edit it, so the
    final report comes as a new message (before: a traceback after every batch, no report)."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 8200, "Ana")
    await register(ana, region="Puno")
    await _broadcast(rosa, "Aviso para Puno")
    _preview, summary = await rosa.replies(2)
    await rosa.press(summary, "Enviar")
    progress = await rosa.reply()
    assert progress.message_id is not None
    api.delete_for_both(rosa.id, progress.message_id)
    assert await tick(app) == 1
    final = await rosa.reply()
    assert final.method == "sendMessage" and final.message_id != progress.message_id
    assert "Difusión terminada. Entregados: 1 de 1" in final.text
    assert rosa.no_more() == []
    (copy,) = await ana.replies(1)
    assert copy.text == "Aviso para Puno"


async def test_the_final_report_waits_out_flood_control(api: LocalBotApi, app: Application) -> None:
    """The coordinator's progress edits are a courtesy, but the final report is owed: when
    Telegram answers it with 429 past the rate limiter's retries, it waits in the outbox
    (an edit of the progress message) instead of being dropped."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 8200, "Ana")
    await register(ana, region="Puno")
    await _broadcast(rosa, "Aviso de prueba")
    _preview, summary = await rosa.replies(2)
    await rosa.press(summary, "Enviar")
    progress = await rosa.reply()
    api.inject_for("editMessageText", Fault.too_many_requests(1), seconds=6)
    assert await tick(app) == 1
    (copy,) = await ana.replies(1)
    assert copy.text == "Aviso de prueba"
    for _round in range(30):
        if final := api.drain(rosa.id):
            break
        await tick(app)  # the scheduler's rounds (held replies are sent by them)
        await asyncio.sleep(0.5)
    assert [event.message_id for event in final] == [progress.message_id]
    assert "Difusión terminada. Entregados: 1 de 1" in (final[0].text or "")


async def test_a_message_with_a_hundred_formatted_words_keeps_them_in_preview_and_copies(
    api: LocalBotApi, app: Application
) -> None:
    """Telegram keeps a message's first 100 entities and shows the rest as plain text. A
    coordinator's message may hold 100 (as many as Telegram let them send): the preview's
    heading must not push the last one out (the preview would not be «how it will look»),
    and each copy keeps all of them."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    eva = Chatter(api, 8200, "Eva")
    await register(eva, region="Puno")
    words = [f"punto{n}" for n in range(100)]
    text = " ".join(words)
    bold, offset = [], 0
    for word in words:
        bold.append({"type": "bold", "offset": offset, "length": len(word)})
        offset += len(word) + 1
    await _broadcast(rosa, text, entities=bold)
    preview, summary = await rosa.replies(2)
    assert preview.html is not None and preview.html.count("<b>") >= 100
    assert (preview.text or "").endswith("punto99")
    await rosa.press(summary, "Enviar")
    await rosa.reply()
    await tick(app)
    copy = await eva.reply()
    assert copy.html is not None and copy.html.count("<b>") == 100
    assert api.lost_formatting == []


async def test_a_person_mentioned_by_name_reaches_everyone_as_a_name(
    api: LocalBotApi, app: Application
) -> None:
    """A coordinator's app makes a mention of someone without a username a text_mention
    (their Telegram account). Minka wrote it back as <a href="tg://user?id=…">, which
    Telegram refuses unless the bot can reach that account (ENTITY_MENTION_USER_INVALID,
    «user not found»): the preview and every copy were refused. The name goes as a name,
    and a custom emoji as its plain emoji."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    eva = Chatter(api, 8210, "Eva")
    await register(eva, region="Puno")
    juan = {"id": 7_000_000_123, "is_bot": False, "first_name": "Juan <Pérez>"}  # never wrote
    text = "Saludos de Juan <Pérez> y del equipo ⛏"
    mention = {"type": "text_mention", "offset": 11, "length": 12, "user": juan}
    bold = {"type": "bold", "offset": 30, "length": 6}
    # A Premium coordinator's custom emoji: this bot may not send one (shown plain at best).
    emoji = {
        "type": "custom_emoji",
        "offset": 37,
        "length": 1,
        "custom_emoji_id": "5368324170671202286",
    }
    await _broadcast(rosa, text, entities=[mention, bold, emoji])
    preview, summary = await rosa.replies(2)
    assert (preview.text or "").endswith(text), preview.text
    assert "tg://user" not in (preview.html or "") and "<b>equipo</b>" in (preview.html or "")
    await rosa.press(summary, "Enviar")
    await rosa.reply()
    await tick(app)
    copy = await eva.reply()
    assert copy.text == text and copy.html == "Saludos de Juan &lt;Pérez&gt; y del <b>equipo</b> ⛏"


async def test_a_code_block_keeps_its_language_whatever_it_is_called(
    api: LocalBotApi, app: Application
) -> None:
    """A code block's language came back from python-telegram-bot as class="python" (not
    Telegram's class="language-python": the language was lost) and unescaped: a language
    with a quote («a"b») broke the HTML, and Telegram refused the preview and every copy."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    eva = Chatter(api, 8220, "Eva")
    await register(eva, region="Puno")
    text = "Código:\nx = 1\ny <- 2"
    blocks = [
        {"type": "pre", "offset": 8, "length": 5, "language": "python"},
        {"type": "pre", "offset": 14, "length": 6, "language": 'r"<&'},
    ]
    await _broadcast(rosa, text, entities=blocks)
    preview, summary = await rosa.replies(2)
    await rosa.press(summary, "Enviar")
    await rosa.reply()
    await tick(app)
    copy = await eva.reply()
    assert copy.text == text
    sent = api.last_bot_message(eva.id)
    assert sent is not None and [e.get("language") for e in sent["entities"]] == ["python", 'r"<&']
    assert '<code class="language-python">' in (preview.html or "")
