"""End to end over HTTP: a person registers with Minka, on SQLite and on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import Settings
from storage.db import Database
from storage.models import AuditEntry, ConversationState, Person
from tests.chat import Person as Chatter


async def _person_row(settings: Settings, telegram_id: int) -> Person | None:
    db = Database(settings.database_url)
    try:
        async with db.session() as session:
            return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))
    finally:
        await db.dispose()


async def accept_notice(person: Chatter) -> None:
    greeting, notice = await person.say("/start", 2)
    assert "¡Hola, Ana!" in greeting.text
    assert "Ley 29733" in notice.text
    answer = await person.press(notice, "Acepto")
    assert answer.get("text") is None
    accepted = await person.reply()
    assert accepted.method == "editMessageText" and "Usted aceptó" in accepted.text
    intro = await person.reply()
    assert "cinco preguntas" in intro.text


async def test_full_registration_with_buttons(ana: Chatter, bot: Settings) -> None:
    await accept_notice(ana)
    name_question = await ana.reply()
    assert "Paso 1 de 5" in name_question.text and "nombre completo" in name_question.text
    await ana.press(name_question, "Usar «Ana Quispe Mamani»")
    assert "Nombre: Ana Quispe Mamani" in (await ana.reply()).text

    region_question = await ana.reply()
    assert "Paso 2 de 5" in region_question.text
    assert "Amazonas" in region_question.button_texts()
    await ana.press(region_question, "Siguiente")
    page_two = await ana.reply()
    assert page_two.method == "editMessageText"
    await ana.press(page_two, "Moquegua")
    assert "Región: Moquegua" in (await ana.reply()).text

    institution_question = await ana.reply()
    await ana.press(institution_question, "Gobierno Regional (DREM/GREM)")
    await ana.reply()
    position_question = await ana.reply()
    assert "Paso 4 de 5" in position_question.text
    await ana.send("Especialista en formalización")
    sex_question = await ana.reply()
    assert "participación de mujeres y hombres" in sex_question.text
    assert sex_question.button_texts()[:3] == ["Mujer", "Hombre", "Prefiero no decir"]
    await ana.press(sex_question, "Mujer")
    await ana.reply()

    summary = await ana.reply()
    assert "Revise sus datos" in summary.text
    for expected in (
        "Nombre: Ana Quispe Mamani",
        "Región: Moquegua",
        "Institución: Gobierno Regional (DREM/GREM)",
        "Cargo: Especialista en formalización",
        "Sexo: Mujer",
    ):
        assert expected in summary.text
    await ana.press(summary, "Confirmar")
    done = await ana.reply()
    assert "Registro completo" in done.text
    menu = await ana.reply()
    assert "Menú principal" in menu.text
    assert "👤 Mi perfil" in menu.button_texts()

    row = await _person_row(bot, ana.id)
    assert row is not None and row.registered_at is not None and row.consent_at is not None
    assert (row.full_name, row.region_code, row.institution, row.sex) == (
        "Ana Quispe Mamani",
        "moquegua",
        "gr",
        "female",
    )
    assert row.position == "Especialista en formalización"


async def test_typed_region_with_typo_and_back_button(ana: Chatter, bot: Settings) -> None:
    await accept_notice(ana)
    await ana.reply()
    await ana.send("Ana Lucía Quispe")
    region_question = await ana.reply()
    assert "Paso 2 de 5" in region_question.text

    await ana.send("la libertd")
    understood, institution_question = await ana.replies(2)
    assert understood.text == "✅ Región: La Libertad"
    assert "institución" in institution_question.text

    await ana.press(institution_question, "Volver")
    back_to_region = await ana.reply()
    assert "región" in back_to_region.text and "Paso 2 de 5" in back_to_region.text
    await ana.send("Madre de Dios")
    assert "Madre de Dios" in (await ana.reply()).text
    await ana.press(await ana.reply(), "Equipo Regional")
    await ana.reply()
    position_question = await ana.reply()
    await ana.press(position_question, "Omitir")
    await ana.reply()
    await ana.press(await ana.reply(), "Prefiero no decir")
    await ana.reply()
    summary = await ana.reply()
    assert "Región: Madre de Dios" in summary.text
    assert "Cargo: (sin indicar)" in summary.text

    await ana.press(summary, "Volver")
    sex_again = await ana.reply()
    assert "sexo" in sex_again.text
    await ana.press(sex_again, "Hombre")
    await ana.reply()
    summary = await ana.reply()
    assert "Sexo: Hombre" in summary.text
    await ana.press(summary, "Confirmar")
    assert "Registro completo" in (await ana.reply()).text

    row = await _person_row(bot, ana.id)
    assert row is not None
    assert (row.full_name, row.region_code, row.position, row.sex) == (
        "Ana Lucía Quispe",
        "madre-de-dios",
        None,
        "male",
    )


async def test_ambiguous_region_offers_candidates(ana: Chatter, bot: Settings) -> None:
    await accept_notice(ana)
    await ana.reply()
    await ana.send("Ana Quispe")
    await ana.reply()
    await ana.send("Pasko")
    suggestion = await ana.reply()
    assert "¿Quiso decir" in suggestion.text
    await ana.press(suggestion, "Pasco")
    assert "Región: Pasco" in (await ana.reply()).text
    assert "institución" in (await ana.reply()).text

    await ana.send("xyzzy")  # typed where a button is expected
    hint, again = await ana.replies(2)
    assert "uno de los botones" in hint.text
    assert "institución" in again.text and again.button_texts()


async def test_consent_refused_stores_nothing(ana: Chatter, bot: Settings) -> None:
    _greeting, notice = await ana.say("/start", 2)
    await ana.press(notice, "No acepto")
    refused = await ana.reply()
    assert "Usted no aceptó" in refused.text
    explanation = await ana.reply()
    assert "no guarda ningún dato personal" in explanation.text
    await ana.reply()  # the menu, still usable

    assert await _person_row(bot, ana.id) is None
    db = Database(bot.database_url)
    try:
        async with db.session() as session:
            assert await session.get(ConversationState, ana.id) is None
            assert (await session.scalars(select(AuditEntry))).all() == []
    finally:
        await db.dispose()

    profile = await ana.say("/perfil")
    assert "necesita primero su consentimiento" in profile[0].text
    assert "Acepto" in profile[0].button_texts()
    my_data = await ana.say("/mis_datos")
    assert "no guarda ningún dato personal" in my_data[0].text


async def test_invalid_name_gets_a_clear_message(ana: Chatter, bot: Settings) -> None:
    await accept_notice(ana)
    await ana.reply()
    await ana.send("<b>1</b>")
    problem, again = await ana.replies(2)
    assert "no puede llevar símbolos como < > / @ #" in problem.text
    assert "Paso 1 de 5" in again.text
    await ana.send("😀")
    assert "al menos dos letras" in (await ana.reply()).text
