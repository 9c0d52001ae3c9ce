"""End to end: invitations to the right audience only, each RSVP answer and changing it, a
delegate, reminders at their offsets (the clock moves, nothing sleeps), reschedule, cancel,
check-in at the door, and forged buttons."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from telegram.ext import Application

from bot.local_api import BotEvent, Fault, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import meetings as rules
from storage.models import Meeting, MeetingInvitation, OutboxMessage
from storage.repositories import meetings as repo
from storage.repositories.meetings import MeetingRecord
from tests.chat import WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.helpers import puno_coordination, register


async def _create(
    runtime: Runtime, *, days: float = 10, region: str = "region:Puno"
) -> MeetingRecord:
    """The meeting these tests read: in the DREM's room, with a link and an agenda."""
    return await puno_coordination(
        runtime, days=days, audience=(region,), place="Sala de la DREM Puno",
        link="https://meet.example.org/puno", agenda="1. Avances de formalización\n2. Plan anual",
    )  # fmt: skip


async def _owed(runtime: Runtime, state: str | None = None) -> int:
    async with runtime.db.session() as session:
        query = select(func.count()).select_from(OutboxMessage)
        if state:
            query = query.where(OutboxMessage.state == state)
        return await session.scalar(query) or 0


async def test_invitation_rsvp_delegate_reminders_reschedule_cancel(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    rosa = Chatter(api, 7003, "Rosa", last_name="Apaza")
    await register(rosa, region="Piura")

    meeting = await _create(runtime)
    assert await tick(app) == 2  # Ana and Luis (Puno); not Rosa (Piura)
    invitation, calendar = await ana.replies(2)
    assert "Está invitado/a" in invitation.text and "Coordinación MINEM–GR Puno" in invitation.text
    assert "Su respuesta: pendiente" in invitation.text
    assert "Avances de formalización" in invitation.text
    assert (
        calendar.method == "sendDocument"
        and b"BEGIN:VCALENDAR" in api.files[calendar.params["file_id"]]
    )
    luis_invitation, _ics = await luis.replies(2)
    assert api.drain(rosa.id) == []

    await ana.press(invitation, "Asistiré")
    updated = await ana.reply()
    assert updated.message_id == invitation.message_id
    assert "Su respuesta: Asistiré" in updated.text and "✓ ✅ Asistiré" in updated.button_texts()

    await ana.press(updated, "Enviaré un representante")
    assert "nombre completo" in (await ana.reply()).text
    await ana.send("Carla Ríos")
    position = await ana.reply()
    await ana.send("Especialista legal")
    shown = await ana.reply()
    assert "Enviaré un representante — Carla Ríos (Especialista legal)" in shown.text

    await luis.press(luis_invitation, "No podré asistir")
    await luis.reply()
    assert position.button_texts() == ["Omitir"]

    runtime.clock.advance(timedelta(days=3, minutes=1))  # 7 days before: first reminder
    assert await tick(app) == 1  # Ana only: Luis declined
    reminder = await ana.reply()
    assert "Recordatorio" in reminder.text and "meet.example.org" not in reminder.text
    assert await tick(app) == 0
    assert api.drain(luis.id) == []

    async with runtime.db.session() as session:
        meeting = await repo.get(session, meeting.id)
        assert meeting is not None
        moved = await rules.reschedule(
            session,
            meeting,
            runtime.clock.now(),
            starts_at=meeting.starts_at + timedelta(days=1),
            ends_at=meeting.ends_at + timedelta(days=1),
        )
    assert await tick(app) == 2  # both are told about the change
    changed, _ics = await ana.replies(2)
    assert "La reunión cambió" in changed.text
    await luis.replies(2)

    runtime.clock.advance(moved.starts_at - runtime.clock.now() - timedelta(hours=2, minutes=-1))
    assert await tick(app) == 1  # 7d, 1d and 2h are all due: only the closest one, with the link
    last = await ana.reply()
    assert "meet.example.org/puno" in last.text
    assert await tick(app) == 0

    async with runtime.db.session() as session:
        current = await repo.get(session, meeting.id)
        assert current is not None
        now = runtime.clock.now()
        await rules.cancel(session, current, now)
        when = select(Meeting.cancelled_at).where(Meeting.id == meeting.id)
        assert await session.scalar(when) == now  # indicators read it
    assert await tick(app) == 2
    cancelled, _ics = await ana.replies(2)
    assert "Reunión cancelada" in cancelled.text
    answer = await ana.press(last, "No podré asistir")
    assert answer["text"] == "Esta reunión fue cancelada."
    assert await _owed(runtime, "cancelled") == 4  # the old-time reminders, when it moved


async def test_forged_rsvp_and_check_in(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    rosa = Chatter(api, 7003, "Rosa", last_name="Apaza")
    await register(rosa, region="Piura")
    meeting = await _create(runtime, days=0.02)  # starts in about half an hour
    await tick(app)
    await ana.replies(2)

    (menu,) = await rosa.say("/menu")
    answer = await rosa.press_forged(menu, f"mt:{meeting.id}:yes")
    assert answer["text"] == "Usted no figura en la lista de invitados de esta reunión."
    async with runtime.db.session() as session:
        invited = await session.scalar(select(func.count()).select_from(MeetingInvitation))
    assert invited == 1

    (listing,) = await ana.say("/reuniones")
    assert "Coordinación MINEM–GR Puno" in listing.text
    (checked,) = await ana.say(f"/start reunion-{meeting.code}")
    assert "Se registró su asistencia" in checked.text
    runtime.clock.advance(timedelta(hours=1))
    answer = await ana.press(listing, "No podré asistir")
    assert answer["text"] == "La reunión ya empezó; ya no se pueden cambiar las respuestas."


async def rosa_and_ana(api: LocalBotApi) -> tuple[Chatter, Chatter]:
    """Rosa, the administrator (national coordinator), and Ana, an official of Puno."""
    from tests.conftest import ADMIN_ID

    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    return rosa, ana


async def moved_to_2099(rosa: Chatter, report: BotEvent) -> BotEvent:
    """Rosa fills «Cambiar fecha o lugar» of `report`: 20 February 2099 at 10:00 for two hours,
    the regional government's auditorium, no link. The summary, to confirm."""
    await rosa.press(report, "Cambiar fecha o lugar")
    _heading, start = await rosa.replies(2)
    assert "Paso 1 de 4" in start.text
    for answer in ("20/2/2099 10:00", "2h", "Auditorio del Gobierno Regional de Puno"):
        await rosa.send(answer)
        link = await rosa.reply()
    await rosa.choose(link, "Omitir")
    summary = await rosa.reply()
    assert "Inicio: viernes 20 de febrero de 2099, 10:00" in summary.text
    return summary


async def test_coordinator_report_attendance_agreements_and_cancel(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana = await rosa_and_ana(api)
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    meeting = await _create(runtime)
    await tick(app)
    invitation, _ics = await ana.replies(2)
    await ana.press(invitation, "Asistiré")
    await ana.reply()

    (report,) = await rosa.say(f"/reunion {meeting.code}")
    assert "Coordinación MINEM–GR Puno" in report.text
    assert "Total: invitados 2 · confirmaron 1 · no asistirán 0" in report.text
    assert "Puno: invitados 2" in report.text
    # One woman and one man: counts by sex beside the list of who answered would name them.
    assert "Hombre" not in report.text and "Mujer" not in report.text

    await rosa.press(report, "Marcar asistencia")
    attendance = await rosa.reply()
    assert attendance.message_id == report.message_id
    await rosa.press(attendance, "Ana Quispe")
    marked = await rosa.reply()
    assert "✅ Ana Quispe" in marked.button_texts()
    await rosa.press(marked, "Volver al informe")
    report = await rosa.reply()
    assert "asistieron 1" in report.text

    await rosa.press(report, "Acuerdos")
    await rosa.reply()
    await rosa.send("1. Enviar el plan anual antes del 15 de enero.")
    saved, shown = await rosa.replies(2)
    assert "Acuerdos guardados" in saved.text and "Enviar el plan anual" in shown.text
    await rosa.press(shown, "Descargar XLSX")
    document = await rosa.reply(WORKBOOK_WAIT)
    assert document.method == "sendDocument" and api.files[document.params["file_id"]][:2] == b"PK"

    summary = await moved_to_2099(rosa, shown)
    await rosa.press(summary, "Guardar y avisar")
    assert "se está avisando a todos los invitados" in (await rosa.reply()).text
    assert await tick(app) == 2
    changed, _ics = await ana.replies(2)
    assert "La reunión cambió" in changed.text and "Auditorio del Gobierno Regional" in changed.text
    await luis.replies(2)

    await rosa.press(shown, "Cancelar reunión")
    confirm = await rosa.reply()
    await rosa.press(confirm, "Sí, cancelarla")
    assert "fue cancelada" in (await rosa.reply()).text
    assert await tick(app) == 2
    notice, _ics = await ana.replies(2)
    assert "Reunión cancelada" in notice.text

    (refused,) = await ana.say(f"/reunion {meeting.code}")
    assert refused.text == "Solo los coordinadores pueden hacer eso."
    answer = await ana.press_forged(refused, f"ma:tog:{meeting.id}:1:0")
    assert answer["text"] == "Solo los coordinadores pueden hacer eso."


async def test_coordinator_creates_a_meeting_by_conversation(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    from tests.conftest import ADMIN_ID

    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Pasco")
    luis = Chatter(api, 7002, "Luis", last_name="Mamani")
    await register(luis, region="Puno")

    _intro, question = await rosa.say("/nueva_reunion", 2)
    assert "Paso 1 de 9" in question.text
    await rosa.send("Comité de Alto Nivel 2027")
    kind = await rosa.reply()
    await rosa.choose(kind, "Comité de Alto Nivel")
    await rosa.reply()
    await rosa.send("15/1/2099 10:00")
    await rosa.reply()
    await rosa.send("3h")
    place = await rosa.reply()
    await rosa.choose(place, "Omitir")
    await rosa.reply()
    await rosa.send("no es un enlace")
    assert "https://" in (await rosa.reply()).text
    await rosa.send("https://meet.example.org/comite")
    await rosa.send("Plan anual 2027")
    _agenda, audience = await rosa.replies(2)
    await rosa.choose(audience, "Una región")
    region = await rosa.reply()
    await rosa.send("pasco")
    summary = await rosa.reply()
    assert "Invitados: Una región: Pasco (1)" in summary.text
    assert "Tipo: Comité de Alto Nivel" in summary.text
    await rosa.press(summary, "Crear e invitar")
    created = await rosa.reply()
    assert "Reunión creada" in created.text and "a 1 persona;" in created.text
    assert region.button_texts()

    assert await tick(app) == 1
    invitation, _ics = await ana.replies(2)
    assert "Comité de Alto Nivel 2027" in invitation.text
    assert api.drain(luis.id) == []


async def test_the_invitations_calendar_file_waits_out_flood_control(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """The .ics file follows the invitation's text. Under Telegram's flood control (429 with
    retry_after) it is sent once Telegram allows, not dropped, and the text is not sent
    twice: at its first refusal the message is put back (bot/ratelimit.py `holding`), due
    again after retry_after, and the next round sends the file."""
    ana = Chatter(api, 7001, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    await _create(runtime)
    api.inject("sendDocument", Fault.too_many_requests(1), times=1)
    assert await tick(app) == 0  # the text went, the file is owed
    assert "Está invitado/a" in (await ana.reply()).text
    runtime.clock.advance(timedelta(seconds=2))  # past retry_after
    assert await tick(app) == 1
    (calendar,) = await ana.replies(1, timeout=30)
    assert calendar.method == "sendDocument"
    assert b"BEGIN:VCALENDAR" in api.files[calendar.params["file_id"]]
    assert api.drain(ana.id) == []
