"""End to end: `python -m bot publicaciones agregar|listar|retirar`, /publicaciones, the file
uploaded once and then sent by Telegram's file_id, deliveries counted once per person, a
withdrawn publication, and a broadcast that announces a publication with its button."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services.publications import PublicationError, check
from storage.models import PublicationDelivery
from tests.chat import Person as Chatter
from tests.cli import cli
from tests.conftest import ADMIN_ID
from tests.helpers import register

PDF = b"%PDF-1.4\n% La regionalizacion del sector minero\n%%EOF\n"
TITLE = "La experiencia de regionalización del sector minero"
SUMMARY = "Cómo las DREM y GREM asumieron funciones del MINEM: lecciones & retos (2007–2026)."


async def _deliveries(runtime: Runtime, expected: int) -> list[tuple[int, int, str]]:
    """The recorded deliveries, once there are `expected` (each is written just after Telegram
    accepted the file, so it may land a moment after the person sees it)."""
    for _attempt in range(100):
        async with runtime.db.session() as session:
            rows = await session.execute(
                select(
                    PublicationDelivery.publication_id,
                    PublicationDelivery.person_id,
                    PublicationDelivery.source,
                ).order_by(PublicationDelivery.id)
            )
            found = [tuple(row) for row in rows.all()]
        if len(found) >= expected:
            return found
        await asyncio.sleep(0.05)
    return found


async def publish(settings: Settings, tmp_path: Path) -> str:
    document = tmp_path / "regionalizacion.pdf"
    document.write_bytes(PDF)
    added = await cli(
        "publicaciones",
        "agregar",
        str(document),
        "--titulo",
        TITLE,
        "--resumen",
        SUMMARY,
        "--fecha",
        "2026-11-20",
        database_url=settings.database_url,
        cwd=tmp_path,
    )
    assert added.returncode == 0, added.stderr
    number = added.stdout.splitlines()[0]
    assert f"Publicación {number} («{TITLE}», 2026-11-20) agregada" in added.stdout
    return number


async def test_publish_list_deliver_once_and_withdraw(
    api: LocalBotApi, bot: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    ana = Chatter(api, 8101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    luis = Chatter(api, 8102, "Luis", last_name="Mamani")
    await register(luis, region="Piura", sex="Hombre")
    stranger = Chatter(api, 8103, "Eva")

    text_file = tmp_path / "notas.txt"
    text_file.write_text("no es un PDF")
    refused = await cli(
        "publicaciones", "agregar", str(text_file), "--titulo", "X", "--resumen", "Y",
        database_url=bot.database_url, cwd=tmp_path,
    )  # fmt: skip
    assert refused.returncode == 2 and "notas.txt no es un archivo PDF." in refused.stderr
    (empty,) = await ana.say("/publicaciones")
    assert empty.text == "Todavía no hay publicaciones."

    number = await publish(bot, tmp_path)
    (listing,) = await ana.say("/publicaciones")
    assert "📚 Publicaciones" in listing.text
    assert f"1. {TITLE} — 20 de noviembre de 2026" in listing.text
    answer = await ana.press(listing, "1. La experiencia")
    assert answer["text"] == "Enviando el archivo…"
    first = await ana.reply()
    assert first.method == "sendDocument"
    assert api.files[first.params["file_id"]] == PDF
    caption = first.params["caption"]
    assert caption.startswith(f"<b>{TITLE}</b>") and "lecciones &amp; retos" in caption

    await ana.press(listing, "1. La experiencia")  # again: Telegram's file_id, no upload
    second = await ana.reply()
    assert second.method == "sendDocument"
    assert second.params["document"] == first.params["file_id"]
    (luis_listing,) = await luis.say("/publicaciones")
    await luis.press(luis_listing, "1. La experiencia")
    assert (await luis.reply()).params["document"] == first.params["file_id"]
    deliveries = await _deliveries(runtime, 2)
    assert len(deliveries) == 2 and {source for *_ids, source in deliveries} == {"chat"}

    _intro, export = await ana.say("/mis_datos", 2)  # her own data include what she received
    (received,) = json.loads(api.files[export.params["file_id"]])["publicaciones_recibidas"]
    assert received["titulo"] == TITLE and received["desde"] == "La lista de publicaciones"

    (unregistered,) = await stranger.say("/publicaciones")
    assert "regístrese primero con /start" in unregistered.text

    listed = await cli("publicaciones", "listar", database_url=bot.database_url, cwd=tmp_path)
    assert listed.returncode == 0
    (row,) = [line for line in listed.stdout.splitlines() if line.lstrip().startswith(number)]
    assert "2026-11-20" in row and "disponible" in row and row.split()[-1] == "2"
    withdrawn = await cli(
        "publicaciones", "retirar", number, database_url=bot.database_url, cwd=tmp_path
    )
    assert withdrawn.returncode == 0 and "retirada" in withdrawn.stdout
    answer = await ana.press(listing, "1. La experiencia")
    assert answer["text"] == "Esta publicación ya no está disponible."
    assert api.drain(ana.id) == []
    (empty,) = await ana.say("/publicaciones")
    assert empty.text == "Todavía no hay publicaciones."
    forged = await ana.press_forged(empty, "pub:get:99999")
    assert forged["text"] == "Esta publicación ya no está disponible."
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(PublicationDelivery)) == 2


async def test_a_broadcast_announces_a_publication_with_its_button(
    api: LocalBotApi, app: Application, bot: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 8101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await publish(bot, tmp_path)

    (listing,) = await ana.say("/publicaciones")
    assert not any("Anunciar" in label for label in listing.button_texts())
    forged = await ana.press_forged(listing, "pub:announce:1")
    assert forged["text"] == "Solo los coordinadores pueden hacer eso."

    (listing,) = await rosa.say("/publicaciones")
    assert "«Anunciar» envía una difusión" in listing.text
    await rosa.press(listing, "Anunciar")
    _intro, question = await rosa.replies(2)
    assert "Paso 1 de" in question.text
    await rosa.send("Ya está disponible el documento sobre la regionalización.")
    await rosa.choose(await rosa.reply(), "Una región")
    await rosa.reply()
    await rosa.send("Puno")
    await rosa.choose(await rosa.reply(), "Ahora")
    _preview, summary = await rosa.replies(2)
    assert f"Publicación: {TITLE}" in summary.text and "Puno (1)" in summary.text
    await rosa.press(summary, "Enviar")
    await rosa.reply()
    assert await tick(app) == 1
    (copy,) = await ana.replies(1)
    assert copy.text == "Ya está disponible el documento sobre la regionalización."
    (label,) = copy.button_texts()
    assert label.startswith("📄 Recibir «La experiencia")
    await ana.press(copy, "Recibir")
    document = await ana.reply()
    assert document.method == "sendDocument" and api.files[document.params["file_id"]] == PDF
    (delivery,) = await _deliveries(runtime, 1)
    assert delivery[2] == "broadcast"


def test_what_a_publication_must_be() -> None:
    """The CLI's checks, before any database: a PDF under Telegram's 50 MB, a title and a
    summary that fit the file's caption, a date not in the future."""
    today = date(2026, 12, 4)

    def problem(**changes: object) -> str:
        fields: dict[str, Any] = {
            "path": "/tmp/doc.pdf",
            "content": PDF,
            "title": TITLE,
            "summary": SUMMARY,
            "published_on": None,
            "today": today,
        }
        fields.update(changes)
        with pytest.raises(PublicationError) as error:
            check(**fields)
        return str(error.value)

    draft = check(
        path="/tmp/x/doc.pdf", content=PDF, title=f"  {TITLE}  ", summary=SUMMARY,
        published_on=None, today=today,
    )  # fmt: skip
    assert (draft.title, draft.published_on, draft.filename) == (TITLE, today, "doc.pdf")
    assert problem(content=b"<html>") == "doc.pdf no es un archivo PDF."
    assert problem(path="/tmp/doc.docx") == "doc.docx no es un archivo PDF."
    big = PDF + b"0" * (50 * 1024 * 1024)
    assert problem(content=big) == "doc.pdf pesa 50.1 MB; Telegram acepta hasta 50 MB."
    assert problem(title=" ") == "Falta el título (--titulo)."
    assert problem(title="x" * 201) == "El título tiene 201 caracteres; el máximo es 200."
    assert problem(summary="x" * 801).startswith("El resumen tiene 801 caracteres")
    tomorrow = problem(published_on=date(2026, 12, 5))
    assert tomorrow == "La fecha de publicación 2026-12-05 aún no llega."
    year_one = problem(published_on=date(1, 1, 1))  # taken before, listed as «1-01-01»
    assert year_one == "La fecha de publicación 0001-01-01 no está entre los años 2000 y 2199."


async def test_twenty_long_titles_still_fit_one_message(
    api: LocalBotApi, bot: Settings, runtime: Runtime
) -> None:
    """/publicaciones lists the newest 20: with titles of 200 characters (the most `agregar`
    allows) the list must still fit Telegram's 4,096 characters, every item offered."""
    from bot.services.publications import publish as store

    ana = Chatter(api, 8111, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    async with runtime.db.session() as session:
        for number in range(1, 21):
            title = f"Documento {number:02} sobre la regionalización minera & sus retos " * 5
            title = title[:200]
            draft = check(
                path="doc.pdf", content=PDF, title=title, summary="Resumen.",
                published_on=date(2026, 9, 30), today=date(2026, 12, 4),
            )  # fmt: skip
            await store(session, draft)
    (listing,) = await ana.say("/publicaciones")
    assert len(listing.text.encode("utf-16-le")) // 2 <= 4096
    assert len(listing.button_texts()) == 20
    assert "Documento 20 sobre la regionalización minera & sus retos" in listing.text
    assert "30 de setiembre de 2026" in listing.text  # es_PE


async def _answer_with_buttons(person: Chatter, question: str) -> Any:
    """The Tool Kit's answer to a typed question: its last message, the one with buttons."""
    await person.send(question)
    while True:
        event = await person.reply()
        if event.button_texts():
            return event


async def test_a_tool_kit_article_delivers_the_publication_it_names(
    api: LocalBotApi, bot: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    """regionalizacion-transferencia-mem names `publication: regionalizacion.pdf`: its answer
    carries a button that delivers the publication, counted once per person."""
    question = "¿Qué funciones transfirió el MEM a las regiones?"
    assert runtime.knowledge.kit.articles["regionalizacion-transferencia-mem"].publication == (
        "regionalizacion.pdf"
    )
    ana = Chatter(api, 8101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    before = await _answer_with_buttons(ana, question)  # nothing published yet: no button
    assert "transfirió" in before.text
    assert not any("Recibir" in label for label in before.button_texts())

    number = await publish(bot, tmp_path)
    answer = await _answer_with_buttons(ana, question)
    (label,) = [text for text in answer.button_texts() if text.startswith("📄 Recibir «")]
    assert label == "📄 Recibir «La experiencia de regionalización de…"  # cut to fit
    assert answer.find_button("Recibir")["callback_data"] == f"pub:get:{number}:k"
    for _press in range(2):  # twice: one delivery
        await ana.press(answer, "Recibir")
        document = await ana.reply()
        assert document.method == "sendDocument" and api.files[document.params["file_id"]] == PDF
    (delivery,) = await _deliveries(runtime, 1)
    assert delivery[2] == "toolkit"
    await ana.press(answer, "Sí")  # the feedback keeps the publication's button
    kept = await ana.reply()
    assert kept.method == "editMessageReplyMarkup"
    assert label in kept.button_texts()

    withdrawn = await cli(
        "publicaciones", "retirar", number, database_url=bot.database_url, cwd=tmp_path
    )
    assert withdrawn.returncode == 0
    after = await _answer_with_buttons(ana, question)  # withdrawn: no button any more
    assert not any("Recibir" in label for label in after.button_texts())
    (late,) = [await ana.press(answer, "Recibir")]  # the old button says so
    assert late["text"] == "Esta publicación ya no está disponible."
    assert len(await _deliveries(runtime, 1)) == 1
