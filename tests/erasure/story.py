"""Zoila's story for the erasure and export tests: a person who did everything Minka records
(profile, a coordinator's role an administrator gave her, a pending grant she gave and the
admin menu start-up gave her chat while she was an administrator, questions, an escalation,
feedback, an answer as specialist, a case with a note, a workshop check-in and survey comment,
a delegate for a meeting, /mis_datos held by flood control then sent, broadcasts, meetings and
a workshop she created, a form half filled), the texts she typed, and `leaks_in`, which looks
for them in what tests/erasure/sweep.py reads of the database (or in any text).
She is staff, not a configured administrator: Rosa (ADMIN_ID) is the administrator."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import timedelta

from sqlalchemy import select
from telegram.ext import Application

from bot.local_api import BotEvent, Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import agreements as agreement_rules
from bot.services import meetings as meeting_rules
from bot.services import staff
from bot.services import team_reports as team_rules
from bot.services import visits as visit_rules
from bot.services.roles import Role
from storage.models import OutboxMessage
from storage.repositories import app_state, people
from storage.repositories import meetings as meeting_repo
from storage.repositories import visits as visit_repo
from storage.repositories.visits import SurveyAnswers
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.erasure.sweep import dump_database
from tests.helpers import puno_coordination, register, workshop_under_way

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
    async with runtime.db.session() as session:  # a start of those days gave her chat its menu
        await app_state.put(session, f"{app_state.ADMIN_MENU}{ZOILA_ID}", "1")

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

    # Flood control holds her /mis_datos, its file too (base64 in the row), until it allows.
    await held_back(api, runtime, zoila, "/mis_datos", seconds=60)
    for _ in range(100):  # the dump reads the held file's base64 (held after the text)
        lines = await dump_database(runtime)
        if any(" (encoded): " in line and POSITION in line for line in lines):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the held export's base64 was not read")
    runtime.clock.advance(timedelta(seconds=61))
    await tick(app)
    _intro, export = await zoila.replies(2)
    assert POSITION in api.files[export.params["file_id"]].decode()

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


async def held_back(
    api: LocalBotApi, runtime: Runtime, chatter: Chatter, command: str, *, seconds: int = 3600
) -> None:
    """Flood control refuses the reply to `command` for `seconds`: held at its first 429
    (54134a4), the reply waits in the outbox (bot/held.py)."""
    api.inject("sendMessage", Fault.too_many_requests(seconds), times=1)
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


# A text cut short (a preview, a button's label) is found by its beginning.
BEGINNING = 24


def _folded(text: str) -> str:
    """Lower case without accents: a text kept normalized (as searches keep it) still shows."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def leaks_in(lines: list[str]) -> list[str]:
    """Each line that holds her names, username, Telegram id (her chat's too) or a text she
    typed, whole or its beginning, in any case, with or without accents."""
    texts = [*TEXTS, *(text[:BEGINNING] for text in TEXTS if len(text) > BEGINNING)]
    needles = {_folded(n): n for n in (FIRST, *LAST.split(), USERNAME, str(ZOILA_ID), *texts)}
    leaks = []
    for line in lines:
        folded = _folded(line)
        leaks += [f"{needle!r} in {line}" for key, needle in needles.items() if key in folded]
    return leaks
