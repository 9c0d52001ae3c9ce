"""End to end: profile editing, the privacy commands, data export and erasure."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.config import Settings
from bot.i18n import translator
from bot.runtime import Runtime
from storage.db import Database
from storage.models import Case, CaseEvent, Person
from tests.chat import Person as Chatter
from tests.helpers import register


async def test_profile_shows_and_edits_every_field(ana: Chatter, bot: Settings) -> None:
    await register(ana, region="Puno")
    (profile,) = await ana.say("/perfil")
    assert "Mi perfil" in profile.text and "Región: Puno" in profile.text
    assert "Rol: Funcionario/a" in profile.text and "Idioma: Español" in profile.text
    assert {"Nombre", "Región", "Institución", "Cargo", "Sexo", "Idioma"} <= set(
        profile.button_texts()
    )

    await ana.press(profile, "Región")
    question = await ana.reply()
    assert question.method == "editMessageText" and "región" in question.text
    await ana.send("cuzco")
    understood, saved, updated = await ana.replies(3)
    assert understood.text == "✅ Región: Cusco"
    assert "Guardado" in saved.text and "Región: Cusco" in updated.text

    await ana.press(updated, "Nombre")
    await ana.reply()
    await ana.send("Ana María Quispe")
    _saved, updated = await ana.replies(2)
    assert "Nombre: Ana María Quispe" in updated.text

    await ana.press(updated, "Cargo")
    position = await ana.reply()
    await ana.press(position, "Omitir")
    updated = await ana.reply()
    assert "Cargo: (sin indicar)" in updated.text

    await ana.press(updated, "Institución")
    await ana.press(await ana.reply(), "MINEM")
    updated = await ana.reply()
    assert "Institución: MINEM" in updated.text

    await ana.press(updated, "Sexo")
    await ana.press(await ana.reply(), "Prefiero no decir")
    updated = await ana.reply()
    assert "Sexo: Prefiero no decir" in updated.text

    await ana.press(updated, "Idioma")
    await ana.press(await ana.reply(), "English")
    english = await ana.reply()
    assert "My profile" in english.text and "Language: English" in english.text
    (menu,) = await ana.say("/menu")
    assert "Main menu" in menu.text

    db = Database(bot.database_url)
    try:
        async with db.session() as session:
            row = await session.scalar(select(Person).where(Person.telegram_id == ana.id))
    finally:
        await db.dispose()
    assert row is not None
    assert (row.full_name, row.region_code, row.position, row.institution, row.sex, row.locale) == (
        "Ana María Quispe",
        "cusco",
        None,
        "minem",
        "undisclosed",
        "en",
    )


async def test_privacy_export_and_erasure(ana: Chatter, bot: Settings) -> None:
    await register(ana)
    (notice,) = await ana.say("/privacidad")
    assert "Aviso de privacidad" in notice.text and "Usted aceptó este aviso el" in notice.text
    # How reports protect people, and what they cannot (#13)
    assert "trimestres y años calendario completos" in notice.text
    assert "difieren en lo registrado entre ambos" in notice.text

    intro, document = await ana.say("/mis_datos", 2)
    assert "todo lo que Minka guarda" in intro.text
    assert document.method == "sendDocument"
    exported = json.loads(ana.api.files[document.params["file_id"]])
    assert exported["persona"]["nombre_completo"] == "Ana Quispe Mamani"
    assert exported["persona"]["region"] == "Puno"
    assert exported["persona"]["telegram_id"] == ana.id

    (question,) = await ana.say("/borrar_mis_datos")
    await ana.press(question, "No, conservarlos")
    assert "No se borró nada" in (await ana.reply()).text

    (question,) = await ana.say("/borrar_mis_datos")
    await ana.press(question, "Sí, borrar")
    assert "fueron borrados" in (await ana.reply()).text

    db = Database(bot.database_url)
    try:
        async with db.session() as session:
            assert await session.scalar(select(Person).where(Person.telegram_id == ana.id)) is None
            erased = (await session.scalars(select(Person))).one()
            assert erased.full_name is None and erased.position is None
            assert erased.username is None and erased.telegram_name is None
            # the anonymous counts survive
            assert (erased.region_code, erased.sex, erased.institution) == ("puno", "female", "gr")
            assert await session.scalar(select(func.count(Person.id))) == 1
    finally:
        await db.dispose()

    (nothing,) = await ana.say("/mis_datos")
    assert "no guarda ningún dato personal" in nothing.text
    _greeting, notice = await ana.say("/start", 2)
    assert "Acepto" in notice.button_texts()  # a new beginning, asked again


async def test_cancel_and_help(ana: Chatter, bot: Settings) -> None:
    (nothing,) = await ana.say("/cancelar")
    assert "No hay nada que cancelar" in nothing.text
    (help_message,) = await ana.say("/ayuda")
    for command in ("/privacidad", "/mis_datos", "/borrar_mis_datos", "/menu"):
        assert command in help_message.text
    assert "/coordinador" not in help_message.text
    assert "/perfil:" not in help_message.text  # not registered yet: no profile to see
    (unknown,) = await ana.say("/nada")
    assert "No conozco ese comando" in unknown.text


async def test_faults_from_telegram(ana: Chatter, bot: Settings) -> None:
    """429 is retried after retry_after; a person who blocked Minka is marked inactive."""
    from bot.local_api import Fault

    await register(ana)
    ana.api.inject("sendMessage", Fault.too_many_requests(1))
    (menu,) = await ana.say("/menu")
    assert "Menú principal" in menu.text

    ana.api.block(ana.id)
    await ana.send("/menu")
    db = Database(bot.database_url)
    try:
        for _attempt in range(50):
            async with db.session() as session:
                row = await session.scalar(select(Person).where(Person.telegram_id == ana.id))
            if row is not None and not row.active:
                break
            await asyncio.sleep(0.1)
        assert row is not None and not row.active and row.blocked_at is not None
        ana.api.unblock(ana.id)
        (menu,) = await ana.say("/menu")  # writing again reactivates
        async with db.session() as session:
            row = await session.scalar(select(Person).where(Person.telegram_id == ana.id))
        assert row is not None and row.active and row.blocked_at is None
    finally:
        await db.dispose()


async def test_internal_error_gets_a_spanish_apology(ana: Chatter, bot: Settings) -> None:
    """A real fault (a table gone from the database) answers with an apology, no internals."""
    from sqlalchemy import text

    await register(ana)
    db = Database(bot.database_url)
    try:
        async with db.session() as session:
            await session.execute(text("DROP TABLE conversation_states"))
    finally:
        await db.dispose()
    (apology,) = await ana.say("hola")
    assert apology.text.startswith("Lo siento, algo falló de mi lado.")
    assert "Error" not in apology.text and "conversation_states" not in apology.text


async def test_edited_messages_and_groups_do_not_repeat_or_collect(
    ana: Chatter, bot: Settings
) -> None:
    """An edited question is not asked again; in a group Minka only points to a private chat."""
    message = await ana.api.send_message(ana.id, "que es el reinfo")
    await ana.replies(2)
    edited = {**message, "text": "que es el igafom", "edit_date": message["date"] + 5}
    await ana.api.send_update({"edited_message": edited})
    (told,) = await ana.replies(1)  # not asked again: told how to ask it
    assert told.text.startswith("Minka no lee los mensajes editados.")
    (menu,) = await ana.say("/menu")
    assert "Menú principal" in menu.text

    await ana.api.send_message(ana.id, "/start", chat_id=-100123)
    group_reply = await ana.api.next_event(-100123)
    assert "chat privado" in group_reply.text
    await ana.api.send_message(ana.id, "/perfil", chat_id=-100123)
    await ana.api.send_message(ana.id, "/ayuda", chat_id=-100123)
    help_reply = await ana.api.next_event(-100123)
    assert "chat privado" in help_reply.text  # /perfil in a group got no answer


async def test_export_includes_cases_workshops_and_meetings(ana: Chatter, runtime: Runtime) -> None:
    await register(ana)
    async with runtime.db.session() as session:
        person = await session.scalar(select(Person).where(Person.telegram_id == ana.id))
        assert person is not None
        at = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
        case = Case(
            person_id=person.id,
            region_code="puno",
            kind="promotion",
            stratum="pma",
            supported=True,
            description="Charla en Ananea",
            created_at=at,
            updated_at=at,
        )
        session.add(case)
        await session.flush()
        session.add(
            CaseEvent(
                case_id=case.id,
                person_id=person.id,
                kind="status",
                to_value="in_progress",
                note="Visita",
                at=at,
            )
        )
    _intro, document = await ana.say("/mis_datos", 2)
    exported = json.loads(ana.api.files[document.params["file_id"]])
    (registered,) = exported["casos"]["registrados"]
    assert registered["descripcion"] == "Charla en Ananea" and registered["region"] == "Puno"
    lima = translator("es", ZoneInfo("America/Lima")).datetime(at)  # 10:00 UTC is 05:00 there
    assert (registered["tipo"], registered["registrado"]) == ("Promoción", lima)
    assert exported["casos"]["cambios"][0]["nota"] == "Visita"
    assert exported["talleres"] == {"asistencias": [], "creados": []}
    assert exported["reuniones"] == {"invitaciones": [], "creadas": []}


async def test_a_button_under_a_document_is_answered_with_a_new_message(
    ana: Chatter, bot: Settings
) -> None:
    """Telegram cannot turn a document into a text message: a (forged) button under the data
    export gets its answer as a new message, not an error."""
    await register(ana)
    _intro, document = await ana.say("/mis_datos", 2)
    await ana.press_forged(document, "menu:main")
    menu = await ana.reply()
    assert menu.method == "sendMessage" and "Menú principal" in menu.text
