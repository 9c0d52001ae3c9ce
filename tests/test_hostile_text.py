"""Hostile characters in what people type (issue #18): NUL and the other control characters,
C1 controls and bidi overrides, in a question, a Telegram name, a typed registration name, a
survey comment, a case description, a delegate's name, a caption and an inline query, on
SQLite and on PostgreSQL (which refuses NUL in text: the whole update used to fail there).
Each is cleaned where it enters, so every flow works and stores clean text; nothing is
logged as an error."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import team_reports
from bot.services.text import clean_text, sanitize, sanitize_update
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.models import Case, MeetingInvitation, Question, TeamReport, WorkshopRating
from storage.models import Person as PersonRow
from storage.repositories import people, workshops
from tests.chat import Person
from tests.helpers import puno_coordination, register, typed_registration

HOSTILE = "\x00\x01\x02\x1b\x7f\x85\u202e\u2066"  # NUL, C0, DEL, C1, bidi override, isolate


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def test_sanitize_keeps_what_people_mean() -> None:
    assert sanitize("a\x00b\tc\nd\r\ne\rf" + HOSTILE) == "ab\tc\nd\ne\nf"
    assert sanitize("👩🏽‍🌾 ñandú \u200b مرحبا") == "👩🏽‍🌾 ñandú \u200b مرحبا"  # emoji ZWJ stays
    assert clean_text("  Eva\u200b\x00  Ríos\u202e\n") == "Eva Ríos"


def test_sanitize_update_moves_entities_with_the_text() -> None:
    message = {
        "text": "\x00/ca\x01sos 👩🏽‍🌾\x00 x",
        "entities": [
            {"type": "bot_command", "offset": 1, "length": 7},
            {"type": "bold", "offset": 9, "length": 10},
            {"type": "italic", "offset": 0, "length": 1},  # only a NUL: dropped
        ],
        "caption": "\u202eok",
        "caption_entities": [{"type": "bold", "offset": 1, "length": 2}],
        "from": {"id": 1, "first_name": "Zoë\u202e"},
    }
    update = {"update_id": 1, "message": message}
    cleaned = sanitize_update(update)["message"]
    assert cleaned["text"] == "/casos 👩🏽‍🌾 x" and cleaned["from"]["first_name"] == "Zoë"
    assert cleaned["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 6},
        {"type": "bold", "offset": 7, "length": 9},
    ]
    assert cleaned["caption"] == "ok"
    assert cleaned["caption_entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    clean = {"update_id": 2, "message": {"text": "¿Qué es el REINFO?", "chat": {"id": 1}}}
    assert sanitize_update(clean) is clean  # nothing to clean: nothing copied


async def test_a_question_with_nul_bytes_is_answered_and_stored_clean(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Person(api, 8101, "Ana\x00\u202e", last_name="Quispe\x01")  # her Telegram name too
    await register(ana)
    (nothing,) = await ana.say("\x00\x01\x02")
    assert "mensajes de texto" in nothing.text  # nothing left to read: not an apology
    definition, _answer = await ana.say(f"¿Qué es el{HOSTILE} REINFO?\x00", 2)
    assert "REINFO" in definition.text
    async with runtime.db.session() as session:
        questions = list(await session.scalars(select(Question.text)))
        person = await session.scalar(select(PersonRow).where(PersonRow.telegram_id == ana.id))
    assert questions == ["¿Qué es el REINFO?"]
    assert person is not None and person.telegram_name == "Ana Quispe"
    _no_errors(caplog)


async def test_a_typed_name_with_control_characters(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    eva = Person(api, 8102, "Eva")
    summary = await typed_registration(
        eva, f"Eva{HOSTILE} Ríos\x00 Apaza", f"Analista\x00{HOSTILE}"
    )
    assert "Nombre: Eva Ríos Apaza" in summary.text and "Cargo: Analista" in summary.text
    await eva.press(summary, "Confirmar")
    await eva.replies(2)
    async with runtime.db.session() as session:
        person = await session.scalar(select(PersonRow).where(PersonRow.telegram_id == eva.id))
    assert person is not None
    assert (person.full_name, person.position) == ("Eva Ríos Apaza", "Analista")
    _no_errors(caplog)


async def test_a_survey_comment_with_control_characters(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        workshop = await workshops.create(
            session,
            code="NUL234",
            title="Taller de formalización",
            starts_at=now - timedelta(hours=3),
            ends_at=now - timedelta(minutes=1),
            survey_closes_at=now + SURVEY_OPEN_FOR,
            region_code="puno",
        )
    ana = Person(api, 8103, "Ana", last_name="Quispe")
    await register(ana)
    async with runtime.db.session() as session:
        person = await session.scalar(select(PersonRow).where(PersonRow.telegram_id == ana.id))
        assert person is not None
        await workshops.check_in(session, workshop.id, person.id, now)
    assert await tick(app) == 1
    survey = await ana.reply()
    for value in ("5", "4", "4", "5", "3"):
        await ana.press(survey, value)
        survey = await ana.reply()
    await ana.send(f"Muy\x00 útil{HOSTILE}\u200b para la DREM")
    thanks = await ana.reply()
    assert "¡Gracias!" in thanks.text
    async with runtime.db.session() as session:
        comments = list(await session.scalars(select(WorkshopRating.comment)))
    assert comments == ["Muy útil para la DREM"]
    _no_errors(caplog)


async def test_a_case_description_with_control_characters(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Person(api, 8104, "Ana", last_name="Quispe")
    await register(ana)
    (menu,) = await ana.say("/casos")
    await ana.press(menu, "Registrar caso")
    _heading, kind = await ana.replies(2)
    await ana.choose(kind, "Formalización")
    await ana.choose(await ana.reply(), "su región")
    await ana.choose(await ana.reply(), "Omitir")
    await ana.choose(await ana.reply(), "proceso de formalización")
    await ana.choose(await ana.reply(), "Sí")
    await ana.reply()
    await ana.send(f"Minero\x00 de Ananea{HOSTILE} pide\x0b orientación")
    await ana.choose(await ana.reply(), "REINFO")
    summary = await ana.reply()
    await ana.press(summary, "Registrar el caso")
    saved = await ana.reply()
    assert "registrado" in saved.text
    async with runtime.db.session() as session:
        descriptions = list(await session.scalars(select(Case.description)))
    assert descriptions == ["Minero de Ananea pide orientación"]
    _no_errors(caplog)


async def test_a_delegate_name_with_control_and_zero_width_characters(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Person(api, 8105, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await puno_coordination(runtime)
    assert await tick(app) == 1
    invitation, _calendar = await ana.replies(2)
    await ana.press(invitation, "Enviaré un representante")
    await ana.reply()
    await ana.send(f"Carla\u200b\x00 Ríos{HOSTILE}")
    await ana.reply()
    await ana.send("Especialista\u2066 legal\x00\u200d")
    shown = await ana.reply()
    assert "Enviaré un representante — Carla Ríos (Especialista legal)" in shown.text
    async with runtime.db.session() as session:
        row = await session.scalar(select(MeetingInvitation))
    assert row is not None
    assert (row.delegate_name, row.delegate_position) == ("Carla Ríos", "Especialista legal")
    _no_errors(caplog)


async def test_a_caption_and_an_inline_query_with_control_characters(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ana = Person(api, 8106, "Ana", last_name="Quispe")
    await register(ana)
    photo = {"file_id": "AgADnul", "file_unique_id": "Unul", "width": 90, "height": 60}
    await api.send_update(
        {
            "message": {
                "message_id": 990_001,
                "from": ana.user,
                "chat": {"id": ana.id, "type": "private", "first_name": "Ana"},
                "date": 1_700_000_000,
                "photo": [photo],
                "caption": f"\x00{HOSTILE}¿Qué es el REINFO?",
                "caption_entities": [{"type": "bold", "offset": 0, "length": 3}],
            }
        }
    )
    other = await ana.reply()
    assert "mensajes de texto" in other.text
    query_id = await api.send_inline_query(ana.id, f"canon\x00 minero{HOSTILE} reparto\x01")
    answer = await api.inline_answer(query_id)
    assert answer["results"][0]["title"] == "¿Cómo se reparte el canon minero?"
    _no_errors(caplog)


async def test_a_regional_team_report_with_control_characters(
    api: LocalBotApi, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """The monthly report's typed texts (activities, support requested), newer than the
    flows above: PostgreSQL stores them clean too."""
    ana = Person(api, 8107, "Ana", last_name="Quispe")
    await register(ana)
    async with runtime.db.session() as session:
        person = await people.get(session, ana.id)
        assert person is not None
        await team_reports.appoint(session, person.id, "puno", runtime.clock.now())
    _heading, month = await ana.say("/informe_mensual", 2)
    await ana.choose(month, month.button_texts()[0])
    await ana.choose(await ana.reply(), "Omitir")  # the cases: the register's count
    await ana.reply()
    (difficulties,) = await ana.say(f"Charlas\x00 en Sandia{HOSTILE}")
    await ana.choose(difficulties, "Omitir")
    await ana.reply()
    await ana.send(f"Apoyo\x07 legal{HOSTILE}")
    await ana.choose(await ana.reply(), "Omitir")
    await ana.press(await ana.reply(), "Enviar el informe")
    assert "enviado" in (await ana.reply()).text
    async with runtime.db.session() as session:
        report = (await session.scalars(select(TeamReport))).one()
    assert (report.activities, report.support) == ("Charlas en Sandia", "Apoyo legal")
    _no_errors(caplog)
