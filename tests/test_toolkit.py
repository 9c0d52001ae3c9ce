"""End to end: browsing the Tool Kit, asking in free text, the glossary, experts, inline."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.db import Database
from storage.models import ArticleFeedback, ArticleView, Escalation, Question
from tests.chat import Person as Chatter
from tests.helpers import CHECKED_ON, register


async def _count(settings: Settings, model: type) -> int:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            return await session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        await db.dispose()


@pytest.mark.now(CHECKED_ON)  # a plazo of 31 December 2026 still ahead
async def test_browse_topic_article_related_and_back(ana: Chatter, bot: Settings) -> None:
    (topics,) = await ana.say("/temas")
    assert "Mining Tool Kit" in topics.text
    assert "Formalización minera" in topics.button_texts()

    await ana.press(topics, "Formalización minera")
    topic = await ana.reply()
    assert topic.method == "editMessageText" and topic.message_id == topics.message_id
    assert "Página 1 de 2" in topic.text
    await ana.press(topic, "Siguiente")
    page_two = await ana.reply()
    assert "Página 2 de 2" in page_two.text
    await ana.press(page_two, "Anterior")
    topic = await ana.reply()

    await ana.press(topic, "¿Qué es el REINFO?")
    article = await ana.reply()
    assert article.message_id == topics.message_id  # the same message, edited
    assert article.text.startswith("¿Qué es el REINFO?")
    assert "Fuentes" in article.text and "Decreto Legislativo 1293" in article.text
    assert "Vigente al 4 de diciembre de 2026 · Decreto Legislativo 1293" in article.text
    assert "¿Le fue útil?" in article.text

    related_label = next(t for t in article.button_texts() if t.startswith("↪"))
    await ana.press(article, related_label)
    related = await ana.reply()
    assert related.text.startswith(related_label.removeprefix("↪ ").rstrip("…")[:30])

    await ana.press(related, "👍 Sí")
    marked = await ana.reply()
    assert marked.method == "editMessageReplyMarkup"
    assert "✓ 👍 Sí" in marked.button_texts()
    await ana.press(marked, "Volver")
    back = await ana.reply()
    assert "Página" in back.text or back.button_texts()

    assert await _count(bot, ArticleView) == 2
    assert await _count(bot, ArticleFeedback) == 1


async def test_free_text_with_typos_gets_the_right_article(ana: Chatter, bot: Settings) -> None:
    await register(ana)
    (answer,) = await ana.say("cuanto se paga de derecho de vijencia por ectarea")
    assert answer.text.startswith("¿Cuánto se paga de derecho de vigencia?")
    assert "US$3.00" in answer.text or "3,00" in answer.text or "US$ 3" in answer.text
    await ana.press(answer, "👎 No")
    await ana.reply()

    (answer,) = await ana.say("/buscar plaso de la formalisacion")
    assert answer.text.startswith("¿Hasta cuándo va la formalización minera?")

    db = Database(bot.database_url)
    try:
        async with db.session() as session:
            questions = (await session.scalars(select(Question).order_by(Question.id))).all()
    finally:
        await db.dispose()
    assert [q.answer_article_id for q in questions] == [
        "concesiones-derecho-de-vigencia",
        "formalizacion-plazos",
    ]
    assert questions[0].useful is False and questions[0].person_id is not None


async def test_acronym_question_answers_from_glossary(ana: Chatter, bot: Settings) -> None:
    definition, article = await ana.say("que es OEFA", 2)
    assert definition.text.startswith("OEFA — ")
    assert "¿Le fue útil?" in article.text

    (entry,) = await ana.say("/glosario reinfo")
    assert entry.text.startswith("REINFO — Registro Integral de Formalización Minera")
    (letters,) = await ana.say("/glosario")
    await ana.press(letters, "P")
    letter = await ana.reply()
    assert "PPM" in letter.button_texts()
    await ana.press(letter, "PPM")
    term = await ana.reply()
    assert term.text.startswith("PPM — Pequeño Productor Minero")
    (missing,) = await ana.say("/glosario zzzz")
    assert "no está en el glosario" in missing.text


async def test_unanswerable_question_goes_to_a_specialist_and_back(
    api: LocalBotApi, ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    (not_sure,) = await ana.say("como saco mi brevete en piura")
    assert not_sure.text.startswith("No encontré una respuesta segura")
    await ana.press(not_sure, "Enviar mi pregunta a un especialista")
    sent = await ana.reply()
    assert "fue enviada a los especialistas" in sent.text
    answer = await ana.press(not_sure, "Enviar mi pregunta") if sent.buttons else None
    assert answer is None  # the button is gone: the message was replaced
    assert await _count(bot, Escalation) == 1

    (refused,) = await ana.say("/preguntas")
    assert refused.text == "Solo especialistas y coordinadores pueden hacer eso."

    header, item = await admin.say("/preguntas", 2)
    assert "1 pregunta pendiente" in header.text
    assert "como saco mi brevete en piura" in item.text and "Piura" in item.text
    await admin.press(item, "Responder")
    prompt = await admin.reply()
    assert "Escriba su respuesta" in prompt.text
    await admin.send("Eso lo ve el MTC, no la DREM. <Saludos>")
    confirmation, offer = await admin.replies(2)
    assert "Respuesta enviada" in confirmation.text
    await admin.press(offer, "No, gracias")  # an MTC matter: nothing to teach Minka
    assert "no se enseñará" in (await admin.reply()).text
    delivered = await ana.reply()
    assert "Un especialista respondió su pregunta" in delivered.text
    assert "«como saco mi brevete en piura»" in delivered.text
    assert "<Saludos>" in delivered.text  # escaped, shown as typed

    (mine,) = await ana.say("/mis_preguntas")
    assert "Respondida: Eso lo ve el MTC" in mine.text
    (empty,) = await admin.say("/preguntas")
    assert "No hay preguntas pendientes" in empty.text


async def test_forged_escalation_button_changes_nothing(
    api: LocalBotApi, ana: Chatter, bot: Settings
) -> None:
    await register(ana)
    other = Chatter(api, 4242, "Otro")
    await register(other)
    (not_sure,) = await other.say("quien gano el partido ayer")
    question_data = not_sure.find_button("especialista")["callback_data"]
    # Ana presses a button carrying Otro's question (a forged callback).
    (topics,) = await ana.say("/temas")
    answer = await ana.press_forged(topics, question_data)
    assert answer.get("text") == "Ese botón ya no está vigente."
    assert await _count(bot, Escalation) == 0


async def test_inline_mode_lists_articles(api: LocalBotApi, ana: Chatter, bot: Settings) -> None:
    query_id = await api.send_inline_query(ana.id, "canon minero reparto")
    answer = await api.inline_answer(query_id)
    titles = [result["title"] for result in answer["results"]]
    assert titles[0] == "¿Cómo se reparte el canon minero?"
    content = answer["results"][0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and "Fuentes" in content["message_text"]
    # Its sources are links: the shared message shows no preview card of the first one, as
    # Minka's own replies do not.
    assert "<a href=" in content["message_text"]
    assert content["link_preview_options"] == {"is_disabled": True}


async def test_unanswered_questions_report(ana: Chatter, bot: Settings) -> None:
    import asyncio
    import os
    import subprocess
    import sys

    await register(ana)  # questions of people who did not accept the notice are not stored
    for text in ("quien gano el partido", "Quién ganó el partido?", "como saco mi dni"):
        (not_sure,) = await ana.say(text)
        assert not_sure.text.startswith("No encontré una respuesta segura")
    _definition, answer = await ana.say("que es el reinfo", 2)
    await ana.press(answer, "👎 No")
    await ana.reply()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["DATABASE_URL"] = bot.database_url
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "kb", "sin-respuesta"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()[1:]
    assert lines[0].split()[0] == "2" and "partido" in lines[0]
    assert any("reinfo" in line for line in lines)
    assert any("dni" in line for line in lines)


async def test_forged_feedback_marks_no_one_elses_question(
    api: LocalBotApi, ana: Chatter, bot: Settings
) -> None:
    """«¿Le fue útil?» forged with someone else's question id records Ana's opinion of the
    article only; a press under a message that is gone is answered all the same."""
    luis = Chatter(api, 1002, "Luis", last_name="Mamani")
    await register(ana)
    await register(luis)
    await luis.say("cuanto se paga de derecho de vijencia por ectarea")
    (answer,) = await ana.say("/buscar plaso de la formalisacion")
    db = Database(bot.database_url)
    try:
        async with db.session() as session:
            theirs = await session.scalar(select(Question.id).order_by(Question.id))
        thanks = await ana.press_forged(answer, f"kb:u:formalizacion-plazos:0:{theirs}")
        assert thanks["text"] == "¡Gracias por su opinión!"
        async with db.session() as session:
            assert (await session.get(Question, theirs)).useful is None  # type: ignore[union-attr]
            feedback = await session.scalar(select(ArticleFeedback))
            assert feedback is not None and feedback.question_id is None
    finally:
        await db.dispose()
    assert (await ana.reply()).method == "editMessageReplyMarkup"
    chat = {"id": ana.id, "first_name": "Ana", "type": "private"}
    gone = {"message_id": 9999, "from": api.bot_user, "chat": chat, "date": 1, "text": "…"}
    query = {"id": "77", "from": ana.user, "chat_instance": "1", "message": gone}
    await api.send_update({"callback_query": {**query, "data": "kb:u:formalizacion-plazos:1"}})
    assert (await api.callback_answer("77"))["text"] == "¡Gracias por su opinión!"
    (menu,) = await ana.say("/menu")  # no apology in between: the lost edit is no error
    assert "Menú principal" in menu.text


async def test_answer_says_how_current_it_is_and_which_norm(ana: Chatter, runtime: Runtime) -> None:
    """The one line under an answer: «Vigente al …» and the norm, with sources as short links.
    Read on the day the article was checked: past its plazo, a warning takes the line's place
    (tests/test_kb_dates.py)."""
    await register(ana)
    checked = runtime.knowledge.kit.articles["formalizacion-plazos"].valid_as_of
    assert checked is not None
    noon = datetime.combine(checked, time(12), tzinfo=runtime.settings.timezone)
    runtime.clock.advance(noon - runtime.clock.now())
    (answer,) = await ana.say("/buscar plazo de la formalizacion")
    assert answer.text.startswith("¿Hasta cuándo va la formalización minera?")
    (dated,) = [line for line in answer.text.splitlines() if line.startswith("Vigente al")]
    assert dated == "Vigente al 4 de diciembre de 2026 · Ley 32537"  # one short line on a phone
    assert "31 de diciembre de 2026" in answer.text and "50,565" in answer.text
    # A source's address is a link named by its site, not a long URL in the text; press is
    # marked as a secondary source, the official gazette is not.
    assert "(fuente secundaria: elcomercio.pe)" in answer.text and "https://" not in answer.text
    assert '<a href="https://elcomercio.pe/politica/' in (answer.html or "")

    (answer,) = await ana.say("quien supervisa la seguridad en la mediana mineria")
    assert answer.text.startswith("¿Quién supervisa la seguridad minera en cada estrato?")
    assert "Vigente al 4 de diciembre de 2026 · Decreto Supremo 034-2023-EM" in answer.text
    assert "El Peruano (busquedas.elperuano.pe)" in answer.text
    assert "(fuente secundaria: normalaboraperu.blogspot.com)" in answer.text


async def test_glossary_fact_that_changes_is_dated(ana: Chatter, bot: Settings) -> None:
    await register(ana)
    replies = await ana.say("que es OSINERGMIN", count=2)
    glossary = next(r for r in replies if r.text.startswith("OSINERGMIN"))
    assert "mediana y gran minería (DS 034-2023-EM)" in glossary.text
    assert glossary.text.splitlines()[-1] == "Vigente al 4 de diciembre de 2026 · DS 034-2023-EM"
