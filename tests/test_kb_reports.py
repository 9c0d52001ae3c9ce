"""End to end: «⚠️ Reportar un error» under an article. The official writes what is wrong
(or cancels), the report reaches the specialists' /preguntas with the article named, the
answer comes back to the official, and `kb estadisticas` counts reports per article."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import Settings
from bot.local_api import LocalBotApi
from storage.db import Database
from storage.models import Escalation
from tests.chat import Person as Chatter
from tests.cli import minka
from tests.helpers import register

TITLE = "¿Qué es el REINFO?"
REPORT = "El plazo del REINFO que dice el artículo ya cambió"


async def _escalations(settings: Settings) -> list[Escalation]:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            return list((await session.scalars(select(Escalation))).all())
    finally:
        await db.dispose()


async def test_official_reports_an_error_and_gets_the_answer(
    ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    _definition, article = await ana.say("que es el reinfo", 2)
    assert article.text.startswith(TITLE)
    assert "⚠️ Reportar un error" in article.button_texts()

    await ana.press(article, "⚠️ Reportar un error")
    prompt = await ana.reply()
    assert f"Reportar un error en «{TITLE}»" in prompt.text
    await ana.press(prompt, "Cancelar")
    cancelled = await ana.reply()
    assert cancelled.text == "Reporte cancelado. No se envió nada."
    assert await _escalations(bot) == []

    await ana.press(article, "⚠️ Reportar un error")
    await ana.reply()
    (too_short,) = await ana.say("x")
    assert "Describa el error en un texto de 3 a 1,000 caracteres" in too_short.text
    (thanks,) = await ana.say(REPORT)
    assert thanks.text.startswith(f"✅ ¡Gracias! Su reporte sobre «{TITLE}» fue enviado")
    (report,) = await _escalations(bot)
    assert report.article_id == "formalizacion-reinfo" and report.text == REPORT
    todo = await minka(bot, "kb", "sin-respuesta")
    assert "1 reporte de error en artículos espera respuesta" in todo.stdout

    header, item = await admin.say("/preguntas", 2)
    assert "1 pregunta pendiente" in header.text
    assert f"⚠️ Error reportado en «{TITLE}»:" in item.text and REPORT in item.text
    assert "Piura" in item.text
    await admin.press(item, "Responder")
    await admin.reply()
    (sent,) = await admin.say("Gracias, ya lo corregimos con la Ley 32537.")
    assert "Respuesta enviada" in sent.text
    delivered = await ana.reply()
    assert f"Un especialista respondió su reporte sobre «{TITLE}»" in delivered.text
    assert REPORT in delivered.text and "ya lo corregimos" in delivered.text
    (mine,) = await ana.say("/mis_preguntas")
    assert f"Error reportado en «{TITLE}»" in mine.text

    result = await minka(bot, "kb", "estadisticas")
    assert result.returncode == 0, result.stderr
    counts = next(line for line in result.stdout.splitlines() if TITLE in line)
    assert counts.split()[:2] == ["1", "0"]  # one report, none pending


async def test_report_asks_for_consent_first(api: LocalBotApi, ana: Chatter, bot: Settings) -> None:
    _definition, article = await ana.say("que es el reinfo", 2)
    await ana.press(article, "⚠️ Reportar un error")
    notice = await ana.reply()
    assert notice.text.startswith("Para reportar un error")
    assert "Acepto" in " ".join(notice.button_texts())
    assert await _escalations(bot) == []


async def test_longest_report_and_longest_answer_still_arrive(
    ana: Chatter, admin: Chatter, bot: Settings
) -> None:
    """A report of 1,000 characters answered with 3,500: the answer must reach the official
    within Telegram's 4,096 characters (the quoted report is shortened, never the answer)."""
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    _definition, article = await ana.say("que es el reinfo", 2)
    await ana.press(article, "⚠️ Reportar un error")
    await ana.reply()
    report = ("El plazo cambió & la cifra <no> es la de hoy. " * 30)[:1000]
    await ana.say(report)
    _header, item = await admin.say("/preguntas", 2)
    await admin.press(item, "Responder")
    await admin.reply()
    answer = ("Corregido según la Ley 32537 y su reglamento. " * 80)[:3499] + "!"
    (sent,) = await admin.say(answer)
    assert "Respuesta enviada" in sent.text
    delivered = await ana.reply()
    assert f"Un especialista respondió su reporte sobre «{TITLE}»" in delivered.text
    assert delivered.text.endswith(answer)
    assert "El plazo cambió & la cifra <no>" in delivered.text
    assert len(delivered.text.encode("utf-16-le")) // 2 <= 4096
