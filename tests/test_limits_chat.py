"""End to end at Telegram's limits, beyond the Tool Kit: owed messages, lists, broadcasts,
buttons and the largest ids. The `app` fixture fails any test whose Minka sent a request the
local Bot API server refused as Telegram would; these tests also check what people read."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import agreements, team_reports
from bot.services import meetings as rules
from bot.telegram_limits import MESSAGE_LIMIT, units
from storage.models import ArticleView, Question
from storage.repositories import meetings as repo
from storage.repositories import people
from tests.chat import Person
from tests.conftest import ADMIN_ID
from tests.helpers import register, registered_last_month, registered_official, technical_meeting


async def test_an_invitation_with_an_agenda_too_long_still_arrives(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """A meeting created before the agenda had a limit (`reuniones crear --agenda` took any
    length): its invitation is cut to one message instead of being refused by Telegram."""
    ana = Person(api, 7101, "Ana")
    await register(ana, region="Puno")
    meeting_id = await technical_meeting(runtime, "Mesa técnica «REINFO» & <formalización>")
    async with runtime.db.session() as session:
        agenda = "\n".join(f"{n}. Punto «{n}» & <revisión> 😀" for n in range(1, 400))
        await repo.change(session, meeting_id, agenda=agenda)
    assert await tick(app) == 1
    invitation, calendar = await ana.replies(2)
    assert invitation.text.startswith("📨 Usted está invitado") or "invitad" in invitation.text
    assert units(invitation.text) <= MESSAGE_LIMIT and invitation.text.endswith("…")
    assert "1. Punto «1» & <revisión> 😀" in invitation.text
    assert any("Asistiré" in label for label in invitation.button_texts())
    assert calendar.method == "sendDocument"


async def test_a_formatted_broadcast_at_the_limit_reaches_everyone_as_written(
    api: LocalBotApi, app: Application
) -> None:
    """The coordinator's message fills the preview exactly (4096 characters with its
    heading) and carries bold text and a link whose address has «"» and «&»: every copy is
    the message as written, link included."""
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    puno = [Person(api, 7200 + n, f"Persona{n}") for n in range(2)]
    for person in puno:
        await register(person, region="Puno")
    heading = units("👁 Vista previa (así se verá):\n\n")
    link = 'https://www.minem.gob.pe/buscar?q="reinfo"&tipo=1&lt=2'
    start = "Aviso importante: vea el enlace & <lea> todo. 😀 "
    text = start + "x" * (MESSAGE_LIMIT - heading - units(start))
    assert units(text) + heading == MESSAGE_LIMIT
    entities = [
        {"type": "bold", "offset": 0, "length": 16},
        {"type": "text_link", "offset": 24, "length": 6, "url": link},
    ]
    _intro, _question = await rosa.say("/difundir", 2)
    await api.send_message(rosa.id, text, entities=entities)
    audience = await rosa.reply()
    await rosa.choose(audience, "Una región")
    await rosa.reply()
    await rosa.send("Puno")
    await rosa.choose(await rosa.reply(), "Ahora")
    preview, summary = await rosa.replies(2)
    assert units(preview.text) == MESSAGE_LIMIT
    await rosa.press(summary, "Enviar")
    await rosa.reply()  # progress
    assert await tick(app) == 2
    for person in puno:
        (copy,) = await person.replies(1)
        assert copy.text == text
        message = api.messages(person.id)[-1]
        assert {"type": "text_link", "offset": 24, "length": 6, "url": link} in message["entities"]
        assert {"type": "bold", "offset": 0, "length": 16} in message["entities"]


async def _meeting_in_puno(
    runtime: Runtime, session: AsyncSession, first_id: int, names: list[str]
) -> tuple[repo.MeetingRecord, list[int]]:
    """A coordination meeting in ten days for new officials of Puno with these names (their
    Telegram ids from `first_id`), all invited; the meeting and their ids."""
    now = runtime.clock.now()
    ids = []
    for n, name in enumerate(names):
        ids.append(await registered_official(session, first_id + n, f"P{n}"))
        await people.update(session, first_id + n, region_code="puno", full_name=name)
    meeting, invited = await rules.create(
        session,
        title="Coordinación MINEM–GR Puno",
        kind="coordinacion",
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=10, hours=2),
        audience=await rules.parse_audience(session, ["region:Puno"]),
        offsets=[],
        now=now,
    )
    assert invited == len(names)
    return meeting, ids


async def test_a_meeting_with_many_agreements_and_invitees(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """40 agreements (three buttons each: 120 buttons, over Telegram's 100) are listed a page
    at a time; 90 invitees with long names are too many buttons for the responsible's choice,
    so the first 60 are offered and any other is found by typing part of the name."""
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    now = runtime.clock.now()
    today = now.astimezone(runtime.settings.timezone).date()
    names = [f"Persona número {n:02d} con un nombre y apellidos larguísimos" for n in range(90)]
    async with runtime.db.session() as session:
        meeting, ids = await _meeting_in_puno(runtime, session, 7300, names)
        for n in range(40):
            await agreements.record(
                session,
                meeting,
                text=f"Acuerdo {n + 1}: enviar el informe {n + 1}",
                responsible_id=ids[n],
                due_on=today + timedelta(days=20),
                created_by=None,
                now=now,
                zone=runtime.settings.timezone,
            )
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    listing = await rosa.reply()
    assert "Página 1 de 8" in listing.text and "Acuerdo 5:" in listing.text
    assert "Acuerdo 6:" not in listing.text
    await rosa.press(listing, "Siguiente")
    second = await rosa.reply()
    assert "Página 2 de 8" in second.text and "Acuerdo 7:" in second.text
    await rosa.press(second, "7 · ✅")
    marked = await rosa.reply()
    assert "Página 2 de 8" in marked.text  # the page of the agreement just marked
    assert "✅ Cumplido" in marked.text.split("Acuerdo 7:")[1].split("\n")[0]

    await rosa.press(marked, "Nuevo acuerdo")
    _heading, _step = await rosa.replies(2)
    (who,) = await rosa.say("Preparar el plan regional")
    names = [label for label in who.button_texts() if label.startswith("Persona")]
    assert len(names) == 60
    (due,) = await rosa.say("número 85")  # not among the buttons: typed
    assert "fecha límite" in due.text


async def test_buttons_carry_the_largest_ids(
    api: LocalBotApi, ana: Person, runtime: Runtime, database_url: str
) -> None:
    """Callback data stays within 64 bytes with the longest article id (40 characters) and a
    question numbered 2,147,483,647, the largest a PostgreSQL integer column holds:
    «kb:u:<article>:1:<question>» is 58 bytes; the press is read back and recorded."""
    await register(ana)
    largest = 2**31 - 1
    async with runtime.db.session() as session:
        session.add(
            Question(
                id=largest - 1,
                person_id=None,
                text="x",
                normalized="x",
                confident=False,
                at=runtime.clock.now(),
            )
        )
        await session.flush()
        if database_url.startswith("postgresql"):
            await session.execute(text(f"SELECT setval('questions_id_seq', {largest - 1})"))
    (answer,) = await ana.say("¿qué deben declarar los inscritos en el reinfo? ley 32537")
    assert answer.text.startswith("¿Qué deben declarar los inscritos en el REINFO")
    useful = answer.find_button("👍")
    assert useful["callback_data"] == (f"kb:u:formalizacion-ubicacion-georreferenciada:1:{largest}")
    assert len(useful["callback_data"].encode()) <= 64
    await ana.press(answer, "👍")
    marked = await ana.reply()
    assert "✓ 👍 Sí" in marked.button_texts()
    async with runtime.db.session() as session:
        question = await session.get(Question, largest)
    assert question is not None and question.useful is True


async def test_a_person_whose_telegram_id_has_52_bits(
    api: LocalBotApi, admin: Person, app: Application, runtime: Runtime
) -> None:
    """A Telegram id «has at most 52 significant bits» (16 digits, far past PostgreSQL's
    integer): such a person registers, is named coordinator by that number (refused as
    unknown when ids were read up to 15 digits), gets the staff menu in their chat and the
    counts, and is invited to a meeting by `id:` that number."""
    largest = 2**52 - 1
    ana = Person(api, largest, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    (done,) = await admin.say(f"/coordinador {largest} Puno")
    assert "Ana Quispe ahora tiene el rol de coordinador/a (Puno)" in done.text
    notice = await ana.reply()
    assert "le asignó el rol de coordinador/a" in notice.text
    menu = api.commands({"type": "chat", "chat_id": largest})
    assert "registrados" in [command["command"] for command in menu]
    await registered_last_month(runtime)  # /registrados reads the latest month's end
    (counts,) = await ana.say("/registrados")
    assert "Total: 1" in counts.text
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        audience = await rules.parse_audience(session, [f"id:{largest}"])
        await rules.create(
            session,
            title="Mesa técnica de ids largos",
            kind="coordinacion",
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=2),
            audience=audience,
            offsets=[],
            now=now,
        )
    # The invitation may be sent by tick or by the outbox's own round, still busy with her
    # role's menu and notice (her /registrados reply was held behind them): wait for it.
    await tick(app)
    invitation, _calendar = await ana.replies(2)
    assert "Mesa técnica de ids largos" in invitation.text


async def test_a_long_list_of_regional_team_members_comes_in_several_messages(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """/equipo lists every member of the regions the coordinator covers: 150 members with
    long names are more than one Telegram message, so they come as several, each whole."""
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        for n in range(150):
            person_id = await registered_official(session, 7500 + n, f"M{n}")
            name = f"Integrante {n:03d} del Equipo Regional, con nombre & <apellidos> largos"
            await people.update(session, 7500 + n, region_code="puno", full_name=name)
            await team_reports.appoint(session, person_id, "puno", now)
    await rosa.send("/equipo")
    events = [await rosa.reply()]
    while "/quitar_equipo" not in (events[-1].text or ""):
        events.append(await rosa.reply())
    assert len(events) >= 2
    assert all(units(event.text or "") <= MESSAGE_LIMIT for event in events)
    shown = "\n".join(event.text or "" for event in events)
    assert all(f"Integrante {n:03d} del Equipo Regional" in shown for n in range(150))


async def test_my_data_for_a_person_with_a_lot_of_data(
    api: LocalBotApi, ana: Person, runtime: Runtime
) -> None:
    """Two thousand questions of a thousand characters and five thousand article views: the
    export is one file (a few megabytes, far below the 50 MB a bot may send) with all of it,
    after a short message."""
    await register(ana)
    async with runtime.db.session() as session:
        person = await people.get(session, ana.id)
        assert person is not None
        for n in range(2000):
            question = f"Pregunta {n:04d} & <detalle>: " + "¿cómo se formaliza? " * 48
            session.add(
                Question(
                    person_id=person.id,
                    text=question[:1000],
                    normalized=f"pregunta {n}",
                    answer_article_id="formalizacion-reinfo",
                    confident=True,
                    at=runtime.clock.now(),
                )
            )
        for _view in range(5000):
            session.add(
                ArticleView(
                    article_id="formalizacion-reinfo",
                    person_id=person.id,
                    source="search",
                    at=runtime.clock.now(),
                )
            )
    notice, document = await ana.say("/mis_datos", 2)
    assert "Minka" in notice.text
    assert document.method == "sendDocument" and document.text == "Sus datos en Minka"
    content = api.files[document.params["file_id"]]
    assert 1_000_000 < len(content) < 50 * 1024 * 1024
    data = json.loads(content)
    assert len(data["preguntas"]) == 2000


async def test_the_same_button_pressed_twice_changes_nothing_quietly(
    api: LocalBotApi, ana: Person, app: Application
) -> None:
    """Telegram refuses an edit that changes nothing («message is not modified»); pressing
    «👍» again on an answer already marked useful is answered, and no apology follows."""
    await register(ana)
    (answer,) = await ana.say("¿qué deben declarar los inscritos en el reinfo? ley 32537")
    await ana.press(answer, "👍")
    marked = await ana.reply()
    again = await ana.press(marked, "✓ 👍")
    assert again["text"] == "¡Gracias por su opinión!"
    for _press in range(2):  # the first press's edit, then the second's
        await api.wait_for_call("editMessageReplyMarkup")
    assert ana.no_more() == []
    unchanged = [r for r in api.refusals if "message is not modified" in r.description]
    assert len(unchanged) == 1 and not unchanged[0].malformed


async def test_invitees_with_names_in_fancy_letters_still_get_buttons(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """Names written in Unicode's mathematical letters (𝐉𝐮𝐚𝐧, common on Telegram) take 4
    bytes a letter: 60 of them as buttons made a keyboard Telegram refuses as too long
    («reply markup is too long»), and the responsible's question came without buttons. As
    many as fit are offered; any other is found by typing part of the name."""
    rosa = Person(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    fancy = "𝐏𝐞𝐫𝐬𝐨𝐧𝐚 𝐝𝐞 𝐧𝐨𝐦𝐛𝐫𝐞 𝐦𝐮𝐲 𝐥𝐚𝐫𝐠𝐨 𝐲 𝐥𝐥𝐚𝐦𝐚𝐭𝐢𝐯𝐨 𝐞𝐧 𝐧𝐞𝐠𝐫𝐢𝐭𝐚"
    async with runtime.db.session() as session:
        meeting, _ids = await _meeting_in_puno(
            runtime, session, 7600, [f"{n:02d} {fancy}" for n in range(70)]
        )
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    listing = await rosa.reply()
    await rosa.press(listing, "Nuevo acuerdo")
    _heading, _step = await rosa.replies(2)
    (who,) = await rosa.say("Preparar el plan regional")
    names = [label for label in who.button_texts() if label[:2].isdigit()]
    assert 20 <= len(names) < 60 and "Cancelar" in who.button_texts(), who.button_texts()
    (due,) = await rosa.say("69")  # not among the buttons: typed
    assert "fecha límite" in due.text
