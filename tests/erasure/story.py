"""Zoila's story for the erasure and export tests: a person who did everything Minka records
(profile, a coordinator's role an administrator gave her, a pending grant she gave, questions,
an escalation, feedback, an answer as specialist, a case with a note, a workshop check-in and
survey comment, a delegate for a meeting, broadcasts, meetings and a workshop she created, a
form half filled), the texts she typed, and the whole database dumped as text to look for them.
She is staff, not a configured administrator: Rosa (ADMIN_ID) is the administrator."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import MetaData, select, text
from telegram.ext import Application

from bot.local_api import BotEvent, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import agreements as agreement_rules
from bot.services import meetings as meeting_rules
from bot.services import staff
from bot.services import team_reports as team_rules
from bot.services import visits as visit_rules
from bot.services.roles import Role
from storage.repositories import meetings as meeting_repo
from storage.repositories import people
from storage.repositories import visits as visit_repo
from storage.repositories.visits import SurveyAnswers
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import puno_coordination, register, workshop_under_way
from tests.postgres import PostgresServer

ZOILA_ID = 7919350413
FIRST, LAST, USERNAME = "Zoila", "Espinoza Ccahuana", "zoila_ec"
POSITION = "Jefa Zonal de Fiscalización Yaurimarca"
GRANTED = 5550123  # someone Zoila named specialist before they register
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


async def broadcast(zoila: Chatter, text: str, *, later: str | None = None) -> BotEvent:
    _intro, _question = await zoila.say("/difundir", 2)
    await zoila.send(text)
    await zoila.choose(await zoila.reply(), "Una región")
    await zoila.reply()
    await zoila.send("Puno")
    await zoila.choose(await zoila.reply(), "A una hora elegida" if later else "Ahora")
    if later:
        await zoila.reply()
        await zoila.send(later)
    _preview, summary = await zoila.replies(2)
    await zoila.press(summary, "Enviar")
    return await zoila.reply()


async def registered_zoila(api: LocalBotApi) -> Chatter:
    """Zoila registered in Puno, her position given in /perfil."""
    zoila = Chatter(api, ZOILA_ID, FIRST, last_name=LAST, username=USERNAME)
    await register(zoila, region="Puno")
    (profile,) = await zoila.say("/perfil")
    await zoila.press(profile, "Cargo")
    await zoila.reply()
    await zoila.send(POSITION)
    await zoila.replies(2)
    return zoila


async def produce_everything(api: LocalBotApi, app: Application, runtime: Runtime) -> Chatter:
    """Zoila leaves a trace in every table that can hold one; Luis and Rosa are bystanders."""
    zoila = await registered_zoila(api)
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")

    # Roles: Rosa names her coordinator (an audit entry about her). A grant she gave while she
    # was an administrator (BOT_ADMIN_IDS then held her id) still waits for its person.
    (done,) = await rosa.say(f"/coordinador @{USERNAME} Puno")
    assert f"{FIRST} {LAST} ahora tiene el rol" in done.text
    assert "le asignó el rol" in (await zoila.reply()).text
    async with runtime.db.session() as session:
        granted = await staff.grant_role(
            session,
            GRANTED,
            Role.SPECIALIST,
            granted_by=ZOILA_ID,
            admin_ids=(),
            now=runtime.clock.now(),
        )
    assert not granted.applied_now

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
    sent, offer = await zoila.say(ANSWER, 2)
    assert "Respuesta enviada" in sent.text
    await zoila.press(offer, "📚")  # taught to Minka: Luis's question, not her data
    await zoila.reply()
    await luis.reply()

    # A case with a note.
    (menu,) = await zoila.say("/casos")
    await zoila.press(menu, "Registrar caso")
    _heading, kind = await zoila.replies(2)
    await zoila.choose(kind, "Promoción")
    await zoila.choose(await zoila.reply(), "su región")
    await zoila.choose(await zoila.reply(), "Omitir")
    await zoila.choose(await zoila.reply(), "Pequeño productor")
    await zoila.choose(await zoila.reply(), "No")
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
    async with runtime.db.session() as session:
        person = await people.get(session, ZOILA_ID)
        assert person is not None
    title = "Fiscalización ambiental para la pequeña minería"
    await workshop_under_way(runtime, CODE, title, "Fiscalización", created_by=person.id)
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
    await puno_coordination(
        runtime, audience=("region:Puno", f"id:{ZOILA_ID}"), place="Sala de la DREM Puno",
        created_by=person.id,
    )  # fmt: skip
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
    await zoila.choose(month, month.button_texts()[0])
    await zoila.choose(await zoila.reply(), "Omitir")  # the cases: the register's count
    await zoila.reply()
    (difficulties,) = await zoila.say(ACTIVITIES)
    await zoila.choose(difficulties, "Omitir")
    await zoila.reply()
    await zoila.send(SUPPORT)
    next_steps = await zoila.reply()
    await zoila.choose(next_steps, "Omitir")
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
                words=visit_rules.leader_words(visit_rules.DEFAULT_LEADER_WORDS),
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
    await broadcast(zoila, BROADCAST)
    await tick(app)
    api.drain(zoila.id)
    api.drain(luis.id)
    await broadcast(zoila, SCHEDULED, later="1/1/2099 08:00")
    _intro, _question = await zoila.say("/difundir", 2)
    await zoila.send(DRAFT)
    await zoila.reply()
    return zoila


async def dump_database(runtime: Runtime) -> list[str]:
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


def sqlite_files(path: str) -> bytes:
    """The database file and its WAL, as bytes."""
    return b"".join(Path(path + end).read_bytes() for end in ("", "-wal"))


async def postgresql_files(runtime: Runtime, server: PostgresServer) -> bytes:
    """The database's own files (tables and indexes, not the server's shared WAL), as bytes,
    once every changed page is written to them (CHECKPOINT, as the server does every few
    minutes anyway)."""
    async with runtime.db.engine.connect() as connection:
        await connection.exec_driver_sql("CHECKPOINT")
        oid = await connection.scalar(
            text("SELECT oid FROM pg_database WHERE datname = current_database()")
        )
    folder = server.datadir / "base" / str(oid)
    return b"".join(path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file())


def leaks_in(lines: list[str]) -> list[str]:
    needles = [FIRST, *LAST.split(), USERNAME, str(ZOILA_ID), *TEXTS]
    return [
        f"{needle!r} in {line}"
        for line in lines
        for needle in needles
        if needle.lower() in line.lower()
    ]
