"""End to end: a person who did everything Minka records (profile, a pending grant she gave,
questions, an escalation, feedback, an answer as specialist, a case with a note, a workshop
check-in and survey comment, a delegate for a meeting, broadcasts, meetings and a workshop she
created, a form half filled) gets all of it in /mis_datos, with Spanish labels and Lima times;
after /borrar_mis_datos the WHOLE database, every table and column dumped as text, holds none
of her name, Telegram id, username, position or texts. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from sqlalchemy import MetaData, select
from telegram.ext import Application

import handlers
from bot.config import Settings
from bot.i18n import translator
from bot.local_api import BotEvent, Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import agreements as agreement_rules
from bot.services import meetings as meeting_rules
from bot.services import team_reports as team_rules
from bot.services import visits as visit_rules
from bot.services.form_names import FORM_NAMES
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.models import (
    ArticleView,
    AuditEntry,
    Case,
    Escalation,
    OutboxMessage,
    Person,
    ProcessedUpdate,
    Question,
)
from storage.repositories import meetings as meeting_repo
from storage.repositories import people
from storage.repositories import visits as visit_repo
from storage.repositories import workshops as workshop_repo
from storage.repositories.visits import SurveyAnswers
from storage.sqlite import BUSY_TIMEOUT_MS
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register

ZOILA_ID = 7919350413
FIRST, LAST, USERNAME = "Zoila", "Espinoza Ccahuana", "zoila_ec"
POSITION = "Jefa Zonal de Fiscalización Yaurimarca"
GRANTED = 5550123  # someone Zoila names specialist before they register
QUESTION = "dónde queda la oficina zonal de huaychulo pampa"
ANSWER = "Respuesta escrita por la especialista sobre Llallimayo"
DESCRIPTION = "Relave vertido al río Quillcamayo cerca del anexo Tintamarca"
NOTE = "Visita de inspección al anexo Tintamarca con el alcalde"
COMMENT = "Comentario sobre el taller de Ocuviri muy práctico"
DELEGATE, DELEGATE_POSITION = "Wilfredo Ticona Chuquimia", "Asesor legal de Pucará"
BROADCAST = "Convocatoria a la mesa técnica de Antauta"
SCHEDULED = "Aviso programado sobre la feria de Cojata"
DRAFT = "Borrador de difusión sobre Macusani"
LUIS_QUESTION = "quien firma las constancias de Vilquechico"
TEXTS = (QUESTION, ANSWER, DESCRIPTION, NOTE, COMMENT, DELEGATE, DELEGATE_POSITION)
VISIT_REASON = "Tengo la audiencia de Condoriri esa semana"
LEARNED = ("Catastro minero de Ontario", "Consulta previa en Sudbury", "Fondo de cierre")
PRACTICE = "Ventanilla única de Yaurimarca"
EQUALITY_COMMENT = "Red de mujeres mineras de Timmins"
TEXTS += (BROADCAST, SCHEDULED, DRAFT, POSITION, VISIT_REASON, *LEARNED, PRACTICE)
TEXTS += (EQUALITY_COMMENT,)
REPORT = "El plazo del REINFO para Ayaviri cambió en octubre"  # «⚠️ Reportar un error»
ACTIVITIES = "Charlas de formalización en Sandia con la Asociación Huancasayani"
SUPPORT = "Apoyo legal para el expediente de Limbani"
TEXTS += (REPORT, ACTIVITIES, SUPPORT)
AGREEMENT = "Enviar el padrón de Crucero al MINEM"  # kept: a record of the meeting
CODE = "Z8W3QX"
NORA_ID = 6123456789  # not an administrator


@pytest.fixture
def settings(api: LocalBotApi, database_url: str) -> Settings:
    """Zoila is an administrator (BOT_ADMIN_IDS), so she can do everything Minka records."""
    return Settings(
        telegram_bot_token="123456789:AAEminkaTESTtokenABCDEFGHIJKLMNOPQRS",
        telegram_api_base_url=api.base_url,
        database_url=database_url,
        bot_admin_ids=frozenset({ADMIN_ID, ZOILA_ID}),
        outbox_interval_seconds=3600,
        flood_limit=10_000,
        _env_file=None,
    )


async def _broadcast(zoila: Chatter, text: str, *, later: str | None = None) -> BotEvent:
    _intro, _question = await zoila.say("/difundir", 2)
    await zoila.send(text)
    await zoila.press(await zoila.reply(), "Una región")
    await zoila.reply()
    await zoila.send("Puno")
    await zoila.press(await zoila.reply(), "A una hora elegida" if later else "Ahora")
    if later:
        await zoila.reply()
        await zoila.send(later)
    _preview, summary = await zoila.replies(2)
    await zoila.press(summary, "Enviar")
    return await zoila.reply()


async def _produce_everything(api: LocalBotApi, app: Application, runtime: Runtime) -> Chatter:
    """Zoila leaves a trace in every table that can hold one; Luis and Rosa are bystanders."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    (profile,) = await zoila.say("/perfil")
    await zoila.press(profile, "Cargo")
    await zoila.reply()
    await zoila.send(POSITION)
    await zoila.replies(2)
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")

    # Roles: Rosa names her coordinator (an audit entry about her); she grants one (pending).
    (done,) = await rosa.say(f"/coordinador @{USERNAME} Puno")
    assert f"{FIRST} {LAST} ahora tiene el rol" in done.text
    assert "le asignó el rol" in (await zoila.reply()).text
    (granted,) = await zoila.say(f"/especialista {GRANTED}")
    assert str(GRANTED) in granted.text

    # The Tool Kit: a question escalated, an article with feedback, an answer as specialist.
    (not_sure,) = await zoila.say(QUESTION)
    assert not_sure.text.startswith("No encontré una respuesta segura")
    await zoila.press(not_sure, "Enviar mi pregunta a un especialista")
    await zoila.reply()
    replies = await zoila.say("que es el reinfo", 2)
    await zoila.press(replies[-1], "Sí")
    await zoila.reply()  # the buttons show the choice
    await zoila.press(replies[-1], "⚠️ Reportar un error")
    await zoila.reply()
    (thanks,) = await zoila.say(REPORT)
    assert thanks.text.startswith("✅ ¡Gracias!")
    (not_sure,) = await luis.say(LUIS_QUESTION)
    await luis.press(not_sure, "Enviar mi pregunta a un especialista")
    await luis.reply()
    _header, *items = await zoila.say("/preguntas", 4)
    (luis_item,) = [item for item in items if LUIS_QUESTION in item.text]
    await zoila.press(luis_item, "Responder")
    await zoila.reply()
    (sent,) = await zoila.say(ANSWER)
    assert "Respuesta enviada" in sent.text
    await luis.reply()

    # A case with a note.
    (menu,) = await zoila.say("/casos")
    await zoila.press(menu, "Registrar caso")
    _heading, kind = await zoila.replies(2)
    await zoila.press(kind, "Promoción")
    await zoila.press(await zoila.reply(), "su región")
    await zoila.press(await zoila.reply(), "Omitir")
    await zoila.press(await zoila.reply(), "Pequeño productor")
    await zoila.press(await zoila.reply(), "No")
    await zoila.reply()
    await zoila.send(DESCRIPTION)
    summary = await zoila.reply()
    assert DESCRIPTION in summary.text
    await zoila.press(summary, "Registrar el caso")
    saved = await zoila.reply()
    await zoila.press(saved, "Ver el caso")
    view = await zoila.reply()
    await zoila.press(view, "En trámite")
    await zoila.reply()
    (view,) = await zoila.say(NOTE)
    assert NOTE in view.text

    # A workshop she created and attended, rated with a comment.
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        person = await people.get(session, ZOILA_ID)
        assert person is not None
        await workshop_repo.create(
            session,
            code=CODE,
            created_by=person.id,
            title="Fiscalización ambiental para la pequeña minería",
            topic="Fiscalización",
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(minutes=30),
            survey_closes_at=now + timedelta(minutes=30) + SURVEY_OPEN_FOR,
            region_code="puno",
            place="Auditorio de la DREM Puno",
            facilitator="Equipo Regional",
        )
    (checked_in,) = await zoila.say(f"/asistencia {CODE}")
    assert checked_in.text.startswith("✅ Asistencia registrada")
    runtime.clock.advance(timedelta(minutes=31))
    await tick(app)
    survey = await zoila.reply()
    for value in ("5", "4", "4", "5", "3"):
        await zoila.press(survey, value)
        survey = await zoila.reply()
    await zoila.send(COMMENT)
    assert "¡Gracias!" in (await zoila.reply()).text
    api.drain(luis.id)

    # A meeting she created, answered with a delegate.
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        await meeting_rules.create(
            session,
            title="Coordinación MINEM–GR Puno",
            kind="coordinacion",
            starts_at=now + timedelta(days=10),
            ends_at=now + timedelta(days=10, hours=3),
            audience=await meeting_rules.parse_audience(session, ["region:Puno", f"id:{ZOILA_ID}"]),
            offsets=meeting_rules.parse_offsets(meeting_rules.DEFAULT_OFFSETS),
            now=now,
            place="Sala de la DREM Puno",
            created_by=person.id,
        )
    await tick(app)
    invitation, _calendar = await zoila.replies(2)
    await zoila.press(invitation, "Enviaré un representante")
    await zoila.reply()
    await zoila.send(DELEGATE)
    await zoila.reply()
    await zoila.send(DELEGATE_POSITION)
    assert DELEGATE in (await zoila.reply()).text
    api.drain(luis.id)
    async with runtime.db.session() as session:  # an agreement she recorded, hers to fulfil
        (meeting,) = await meeting_repo.list_all(session)
        await agreement_rules.record(
            session,
            meeting,
            text=AGREEMENT,
            responsible_id=person.id,
            due_on=(now + timedelta(days=20)).date(),
            created_by=person.id,
            now=now,
            zone=runtime.settings.timezone,
        )

    # The Regional Team's monthly report (an administrator made her a member).
    async with runtime.db.session() as session:
        await team_rules.appoint(session, person.id, "puno", now)
    _heading, month = await zoila.say("/informe_mensual", 2)
    await zoila.press(month, month.button_texts()[0])
    await zoila.press(await zoila.reply(), "Omitir")  # the cases: the register's count
    await zoila.reply()
    (difficulties,) = await zoila.say(ACTIVITIES)
    await zoila.press(difficulties, "Omitir")
    await zoila.reply()
    await zoila.send(SUPPORT)
    next_steps = await zoila.reply()
    await zoila.press(next_steps, "Omitir")
    summary = await zoila.reply()
    await zoila.press(summary, "Enviar el informe")
    assert "enviado" in (await zoila.reply()).text

    # Study visits: one she cannot go to (with her reason), one she went on and reviewed.
    async with runtime.db.session() as session:
        for days in (20, 40):
            visit, _invited = await visit_rules.create(
                session,
                title=f"Visita de estudio {days}",
                destination="Canadá",
                starts_at=now + timedelta(days=days),
                ends_at=now + timedelta(days=days + 7),
                audience=await meeting_rules.parse_audience(session, [f"id:{ZOILA_ID}"]),
                offsets=[],
                now=now,
                created_by=person.id if days == 40 else None,
            )
            if days == 20:
                await visit_repo.answer(
                    session, visit.id, person.id, "declined", now, reason=VISIT_REASON
                )
            else:
                await visit_repo.answer(session, visit.id, person.id, "accepted", now)
                await visit_repo.save_survey(
                    session,
                    visit.id,
                    person.id,
                    SurveyAnswers(4, LEARNED, PRACTICE, True, EQUALITY_COMMENT),
                    now,
                )
    await tick(app)
    await zoila.replies(2)

    # Broadcasts: one sent now, one scheduled; then a form left half filled.
    await _broadcast(zoila, BROADCAST)
    await tick(app)
    api.drain(zoila.id)
    api.drain(luis.id)
    await _broadcast(zoila, SCHEDULED, later="1/1/2099 08:00")
    _intro, _question = await zoila.say("/difundir", 2)
    await zoila.send(DRAFT)
    await zoila.reply()
    return zoila


async def _dump(runtime: Runtime) -> list[str]:
    """Every value of every column of every table in the database, as 'table.column: text'."""
    metadata = MetaData()
    async with runtime.db.engine.connect() as connection:
        await connection.run_sync(metadata.reflect)
        lines = []
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).mappings():
                for column, value in row.items():
                    if value is not None:
                        shown = json.dumps(value, ensure_ascii=False, default=str)
                        lines.append(f"{table.name}.{column}: {shown}")
    assert any(line.startswith("alembic_version.") for line in lines)  # really every table
    return lines


def _sqlite_files(path: str) -> bytes:
    """The database file and its WAL, as bytes."""
    return b"".join(Path(path + end).read_bytes() for end in ("", "-wal"))


def _leaks(lines: list[str]) -> list[str]:
    needles = [FIRST, *LAST.split(), USERNAME, str(ZOILA_ID), *TEXTS]
    return [
        f"{needle!r} in {line}"
        for line in lines
        for needle in needles
        if needle.lower() in line.lower()
    ]


async def test_erasure_leaves_nothing_in_any_table(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    zoila = await _produce_everything(api, app, runtime)
    before = await _dump(runtime)
    for needle in (FIRST, USERNAME, str(ZOILA_ID), *TEXTS):  # the search can find them
        assert any(needle.lower() in line.lower() for line in before), needle

    (question,) = await zoila.say("/borrar_mis_datos")
    await zoila.press(question, "Sí, borrar")
    assert "fueron borrados" in (await zoila.reply()).text

    leaks = _leaks(await _dump(runtime))
    assert leaks == [], "\n".join(leaks)
    if runtime.settings.database_url.startswith("sqlite"):
        # Not even in the file's free space or in old pages of the WAL.
        raw = _sqlite_files(runtime.settings.database_url.split("///", 1)[1])
        assert [text for text in (USERNAME, *TEXTS) if text.encode() in raw] == []
    assert "[eliminado a pedido del titular]" in question.text
    async with runtime.db.session() as session:
        # What the indicators count is still there, with the texts replaced.
        case = await session.scalar(select(Case))
        assert case is not None and case.description == "[eliminado a pedido del titular]"
        erased = await session.scalar(select(Person).where(Person.erased_at.is_not(None)))
        assert erased is not None
        assert (erased.region_code, erased.sex, erased.institution) == ("puno", "female", "gr")
        assert case.person_id == erased.id
        answered = await session.scalar(
            select(Escalation).where(Escalation.answered_by == erased.id)
        )
        assert answered is not None and answered.status == "answered"
        assert await session.scalar(select(Question).where(Question.person_id == erased.id))
        # Her audit entries keep one pseudonym: counts by actor still add up.
        pseudonyms = set(
            await session.scalars(
                select(AuditEntry.actor_pseudonym).where(AuditEntry.actor_pseudonym.is_not(None))
            )
        )
        assert len(pseudonyms) == 1
        (pseudonym,) = pseudonyms
        assert await session.scalar(select(AuditEntry).where(AuditEntry.target == pseudonym))

    (nothing,) = await zoila.say("/mis_datos")
    assert "no guarda ningún dato personal" in nothing.text
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    (log,) = await rosa.say("/auditoria")  # the administrators' view shows the pseudonym
    assert pseudonym in log.text and str(ZOILA_ID) not in log.text


MOMENTS = ("fecha", "inicio", "fin", "registrado", "respondida", "asistencia", "envio")
_ES_PE = Locale.parse("es_PE")
LIMA_TIME = re.compile(  # «viernes 4 de diciembre de 2026, 10:30», names from Peru's CLDR data
    "^({days}) \\d{{1,2}} de ({months}) de \\d{{4}}, \\d{{2}}:\\d{{2}}$".format(
        days="|".join(_ES_PE.days["format"]["wide"].values()),
        months="|".join(_ES_PE.months["format"]["wide"].values()),
    )
)


def _times(value: Any) -> list[str]:
    """Every value under a key that names a moment, anywhere in the export."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in MOMENTS and isinstance(item, str):
                found.append(item)
            found += _times(item)
    elif isinstance(value, list):
        for item in value:
            found += _times(item)
    return found


async def test_export_holds_everything_with_spanish_labels_and_lima_times(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    zoila = await _produce_everything(api, app, runtime)
    api.drain(zoila.id)
    _intro, document = await zoila.say("/mis_datos", 2)
    raw = api.files[document.params["file_id"]].decode()
    data = json.loads(raw)
    for text in TEXTS:
        if text != DRAFT:
            assert text in raw, text
    assert DRAFT in raw  # the form in progress, too
    assert data["formulario_en_curso"]["formulario"] == "Difusión"
    persona = data["persona"]
    assert persona["sexo"] == "Mujer" and persona["region"] == "Puno"
    assert persona["institucion"] == "Gobierno Regional (DREM/GREM)"
    assert persona["rol"] == "Coordinador/a" and persona["cargo"] == POSITION
    assert data["zona_horaria"] == "America/Lima"
    times = _times(data)
    assert len(times) > 10 and all(LIMA_TIME.match(t) for t in times), times
    async with runtime.db.session() as session:
        consent_at = await session.scalar(
            select(Person.consent_at).where(Person.telegram_id == zoila.id)
        )
    assert consent_at is not None
    es = translator("es", runtime.settings.timezone)  # America/Lima
    assert persona["consentimiento"] == es.datetime(consent_at)
    assert "female" not in raw and "in_progress" not in raw and "delegate" not in raw
    (case,) = data["casos"]["registrados"]
    assert (case["tipo"], case["estado"], case["region"]) == ("Promoción", "En trámite", "Puno")
    (meeting,) = data["reuniones"]["invitaciones"]
    assert meeting["respuesta"] == "Enviaré un representante"
    assert [m["titulo"] for m in data["reuniones"]["creadas"]] == ["Coordinación MINEM–GR Puno"]
    assert [w["codigo"] for w in data["talleres"]["creados"]] == [CODE]
    assert {b["texto"] for b in data["difusiones"]} == {BROADCAST, SCHEDULED}
    assert [a["respuesta"] for a in data["respuestas_como_especialista"]] == [ANSWER]
    assert data["articulos"]["vistas"] and data["articulos"]["opiniones"][0]["util"] == "Sí"
    (report,) = [e for e in data["preguntas_a_especialistas"] if e["pregunta"] == REPORT]
    assert report["error_reportado_en"] == "¿Qué es el REINFO?"
    (team_report,) = data["informes_del_equipo_regional"]
    assert (team_report["actividades"], team_report["apoyo_solicitado"]) == (ACTIVITIES, SUPPORT)
    (agreement,) = data["acuerdos_registrados"]  # what she created, as meetings and workshops
    assert agreement["acuerdo"] == AGREEMENT and agreement["responsable"] == f"{FIRST} {LAST}"
    assert agreement["reunion"].startswith("Coordinación MINEM–GR Puno (")
    assert [v["titulo"] for v in data["visitas_de_estudio_creadas"]] == ["Visita de estudio 40"]
    (notice,) = await zoila.say("/privacidad")  # says what stays after an erasure
    assert (
        "Las reuniones, talleres, visitas de estudio y acuerdos de reunión que creó quedan como "
        "registros del programa" in notice.text
    )
    audit = data["registro_de_auditoria"]
    actions = {entry["accion"] for entry in audit}
    assert {"Rol asignado: Coordinador/a", "Rol asignado: Especialista"} <= actions, actions


def test_every_form_has_a_name_for_the_export() -> None:
    """/mis_datos names the form in progress in words, not by its stored code."""
    flows = {flow for feature in handlers.FEATURES for flow in feature.forms}
    assert flows == set(FORM_NAMES)


async def test_questions_of_someone_who_declined_consent_are_not_stored(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """Answered, and the article shown still counts, but the text is kept nowhere; asking for
    a specialist asks for consent first."""
    ana = Chatter(api, 7101, "Ana", last_name="Quispe")
    _greeting, notice = await ana.say("/start", 2)
    await ana.press(notice, "No acepto")
    await ana.replies(3)
    (not_sure,) = await ana.say(QUESTION)
    assert not_sure.text.startswith("No encontré una respuesta segura")
    await ana.say("que es el reinfo", 2)
    await ana.press(not_sure, "Enviar mi pregunta a un especialista")
    assert "Minka necesita guardar sus datos" in (await ana.reply()).text

    async with runtime.db.session() as session:
        assert (await session.scalars(select(Question))).all() == []
        assert (await session.scalars(select(Escalation))).all() == []
        views = (await session.scalars(select(ArticleView))).all()
    assert [(view.article_id, view.person_id) for view in views] == [("formalizacion-reinfo", None)]
    typed = (QUESTION, "que es el reinfo")
    assert [line for line in await _dump(runtime) if any(t in line for t in typed)] == []


async def test_processed_updates_cannot_be_traced_to_a_telegram_id(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """The record of handled updates is kept for days after an erasure. With a plain digest
    of «message:<chat id>:<message id>:», whoever holds a copy of the database and knows
    someone's Telegram id finds their rows by trying message ids; the digest is keyed, so
    they cannot."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await zoila.say("/ayuda")
    async with runtime.db.session() as session:
        keys = list(await session.scalars(select(ProcessedUpdate.key)))
    assert keys
    guesses = {
        hashlib.sha256(f"message:{ZOILA_ID}:{number}:".encode()).hexdigest()[:32]
        for number in range(1, 1000)
    }
    assert [key for key in keys if key.split(":", 1)[1] in guesses] == []


async def test_someone_named_before_consenting_can_see_and_erase_it(
    api: LocalBotApi, runtime: Runtime
) -> None:
    """An administrator names Nora coordinator before she ever writes to Minka: a role waits
    for her and the audit log names her, and so does a command refused to her. She may see it
    (/mis_datos) and erase it without registering; afterwards her id is nowhere."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    (done,) = await rosa.say(f"/coordinador {NORA_ID} Puno")
    assert str(NORA_ID) in done.text
    nora = Chatter(api, NORA_ID, "Nora", last_name="Quispe")
    (refused,) = await nora.say("/auditoria")  # a refusal is audited with her id too
    assert "Solo los administradores" in refused.text
    _intro, document = await nora.say("/mis_datos", 2)
    data = json.loads(api.files[document.params["file_id"]])
    assert data["persona"] is None and data["rol_pendiente"]["rol"] == "Coordinador/a"
    assert [(e["quien"], e["accion"]) for e in data["registro_de_auditoria"]] == [
        ("Otra persona", "Rol asignado: Coordinador/a"),
        ("Usted", "Comando /auditoria"),
    ]

    (question,) = await nora.say("/borrar_mis_datos")
    await nora.press(question, "Sí, borrar")
    assert "fueron borrados" in (await nora.reply()).text
    assert [line for line in await _dump(runtime) if str(NORA_ID) in line] == []
    (nothing,) = await nora.say("/mis_datos")
    assert "no guarda ningún dato personal" in nothing.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL has no WAL file
async def test_erasure_empties_the_wal_even_when_a_reader_holds_it_for_a_while(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """The full suite once left Zoila's texts in the WAL: the one TRUNCATE checkpoint after
    the erasure met a reader (or another checkpoint) and gave up. A reader that holds an old
    snapshot longer than the busy timeout must delay the wipe, not cancel it."""
    path = runtime.settings.database_url.split("///", 1)[1]
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    (profile,) = await zoila.say("/perfil")
    await zoila.press(profile, "Cargo")
    await zoila.reply()
    await zoila.send(POSITION)
    await zoila.replies(2)
    (not_sure,) = await zoila.say(QUESTION)
    assert not_sure.text.startswith("No encontré una respuesta segura")
    await zoila.press(not_sure, "Enviar mi pregunta a un especialista")
    await zoila.reply()
    assert await runtime.db.wipe_log()  # everything so far is in the database file

    reader = sqlite3.connect(path, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM people").fetchone()  # a snapshot before the erasure
    released = threading.Timer(BUSY_TIMEOUT_MS / 1000 + 1, reader.rollback)
    released.start()
    try:
        (question,) = await zoila.say("/borrar_mis_datos")
        await zoila.press(question, "Sí, borrar")
        assert "fueron borrados" in (await zoila.reply(timeout=60)).text
    finally:
        released.join()
        reader.close()
    raw = _sqlite_files(path)
    assert [text for text in (USERNAME, QUESTION, POSITION) if text.encode() in raw] == []


LATER_ANSWER = "Respuesta de la especialista sobre el padrón de Ananea"


async def _pending_texts(runtime: Runtime) -> list[str]:
    """The payloads of messages still waiting in the outbox, as text."""
    async with runtime.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.state == "pending")
        )
        return [json.dumps(payload, ensure_ascii=False) for payload in rows]


async def _held_back(api: LocalBotApi, runtime: Runtime, chatter: Chatter, command: str) -> None:
    """Flood control refuses the reply to `command` through the rate limiter's retries; the
    last refusal asks for an hour, so the reply waits in the outbox (bot/held.py)."""
    api.inject("sendMessage", Fault.too_many_requests(1), times=3)
    api.inject("sendMessage", Fault.too_many_requests(3600), times=1)
    await chatter.send(command)
    for _ in range(300):
        async with runtime.db.session() as session:
            if await session.scalar(
                select(OutboxMessage.id).where(
                    OutboxMessage.chat_id == chatter.id, OutboxMessage.state == "pending"
                )
            ):
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the reply to {command} was not held back")


async def test_erasure_reaches_replies_still_waiting_in_others_chats(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """Flood control held Luis's and Rosa's replies in the outbox (bot/held.py); Zoila's answer
    to Luis waits behind Luis's, and Rosa's /auditoria, held too, names Zoila's id. After
    Zoila's erasure no waiting row holds her answer or her id: the replies still arrive,
    with «[eliminado a pedido del titular]» in their place."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await rosa.say(f"/coordinador {ZOILA_ID} Puno")  # an audit entry naming Zoila's id
    await zoila.reply()
    (not_sure,) = await luis.say(LUIS_QUESTION)
    await luis.press(not_sure, "Enviar mi pregunta a un especialista")
    await luis.reply()
    _header, item = await zoila.say("/preguntas", 2)
    await zoila.press(item, "Responder")
    await zoila.reply()
    await _held_back(api, runtime, luis, "/ayuda")
    await _held_back(api, runtime, rosa, "/auditoria")
    (sent,) = await zoila.say(LATER_ANSWER)
    assert "Respuesta enviada" in sent.text
    waiting = await _pending_texts(runtime)  # the answer waits behind Luis's held reply
    assert any(LATER_ANSWER in text for text in waiting), waiting
    assert any(str(ZOILA_ID) in text for text in waiting), waiting

    (question,) = await zoila.say("/borrar_mis_datos")
    await zoila.press(question, "Sí, borrar")
    assert "fueron borrados" in (await zoila.reply()).text
    dump = await _dump(runtime)
    leaks = _leaks(dump) + [f"{LATER_ANSWER!r} in {line}" for line in dump if LATER_ANSWER in line]
    assert leaks == [], "\n".join(leaks)

    runtime.clock.advance(timedelta(hours=1, seconds=1))  # Telegram allows again
    await tick(app)
    _help, answer = await luis.replies(2)
    assert "especialista respondió" in answer.text and LATER_ANSWER not in answer.text
    assert "[eliminado a pedido del titular]" in answer.text
    (log,) = await rosa.replies(1)
    assert str(ZOILA_ID) not in log.text and "[eliminado a pedido del titular]" in log.text


async def test_erasure_reaches_forms_in_progress_that_name_her(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """Rosa is recording an agreement of a meeting Zoila was invited to: her form in progress
    keeps the invitees' names for its buttons. After Zoila's erasure it holds no trace of her
    name; Rosa's form goes on, with «[eliminado a pedido del titular]» in its place."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        meeting, _invited = await meeting_rules.create(
            session,
            title="Coordinación MINEM–GR Puno",
            kind="coordinacion",
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=2),
            audience=await meeting_rules.parse_audience(session, ["region:Puno"]),
            offsets=[],
            now=now,
        )
    await tick(app)
    await zoila.replies(2)
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    await rosa.press(await rosa.reply(), "Nuevo acuerdo")
    await rosa.replies(2)  # step 1: the text; the form keeps the invitees' names meanwhile
    assert any(f"{FIRST} {LAST}" in line for line in await _dump(runtime))

    (question,) = await zoila.say("/borrar_mis_datos")
    await zoila.press(question, "Sí, borrar")
    assert "fueron borrados" in (await zoila.reply()).text
    leaks = _leaks(await _dump(runtime))
    assert leaks == [], "\n".join(leaks)
    (who,) = await rosa.say(AGREEMENT)
    assert who.button_texts()[0] == "[eliminado a pedido del titular]"
