"""End to end: a coordinator creates a study visit in the chat (/nueva_visita, the audience
chosen as for meetings, scoped by coverage, the role checked on every typed answer), changes its
dates or destination and cancels it from /visita (invitees told through the outbox, reminders
and the questionnaire moved or dropped, audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import func, select
from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import visits
from storage.models import AuditEntry, Visit
from storage.repositories import visits as repo
from tests.chat import WORKBOOK_WAIT, work_ended
from tests.conftest import ADMIN_ID
from tests.visit_cast import cast, create_visit

LIMA = ZoneInfo("America/Lima")


def _lima(moment: datetime) -> str:
    return moment.astimezone(LIMA).strftime("%Y-%m-%d %H:%M")


async def _audit(runtime: Runtime, action: str) -> list[tuple[int | None, str | None]]:
    async with runtime.db.session() as session:
        rows = await session.execute(
            select(AuditEntry.actor_telegram_id, AuditEntry.target).where(
                AuditEntry.action == action
            )
        )
        return [tuple(row) for row in rows]


async def test_a_coordinator_creates_a_visit_in_the_chat(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana, luis = await cast(api, "ana", "luis", luis="Pasco")

    _intro, question = await rosa.say("/nueva_visita", 2)
    assert "Nueva visita de estudio" in _intro.text and "Paso 1 de 7" in question.text
    await rosa.send("Visita a la experiencia canadiense")
    destination = await rosa.reply()
    assert "destino" in destination.text
    await rosa.send("Toronto y Sudbury, Canadá")
    departure = await rosa.reply()
    assert "Cuándo sale la delegación" in departure.text
    # Bad answers are explained and asked again; nothing typed before is lost.
    await rosa.send("el próximo marzo")
    assert "No pude leer esa fecha" in (await rosa.reply()).text
    await rosa.send("1/3/2020 08:00")
    assert (await rosa.reply()).text == "La salida debe ser una fecha futura."
    await rosa.send("7/3/2099 08:00")
    ret = await rosa.reply()
    assert "Cuándo regresa" in ret.text
    await rosa.send("6/3/2099 20:00")
    assert (await rosa.reply()).text == (
        "El regreso debe ser una fecha válida posterior a la salida (por ejemplo "
        "15/03 20:00, o el número de días: 8d)."
    )
    await rosa.send("8d")
    instructions = await rosa.reply()
    assert "Indicaciones" in instructions.text and "Omitir" in instructions.button_texts()
    await rosa.send("Cita en el aeropuerto Jorge Chávez a las 05:00; llevar pasaporte vigente.")
    audience = await rosa.reply()
    assert "Todas las personas registradas" in audience.button_texts()
    await rosa.choose(audience, "Una región")
    await rosa.reply()
    await rosa.send("puno")
    summary = await rosa.reply()
    assert "Título: Visita a la experiencia canadiense" in summary.text
    assert "Destino: Toronto y Sudbury, Canadá" in summary.text
    assert "Salida: sábado 7 de marzo de 2099, 08:00" in summary.text
    assert "Regreso: domingo 15 de marzo de 2099, 08:00" in summary.text
    assert "Indicaciones: Cita en el aeropuerto Jorge Chávez a las 05:00" in summary.text
    assert "Invitados: Una región: Puno (1)" in summary.text
    await rosa.send("listo")  # typed at the summary: the buttons are asked for
    assert "Crear e invitar" in (await rosa.reply()).text
    await rosa.press(summary, "Crear e invitar")
    created = await rosa.reply()
    assert created.message_id == summary.message_id
    assert "Visita de estudio creada" in created.text and "Se está invitando a 1 persona;" in (
        created.text
    )

    async with runtime.db.session() as session:
        (visit,) = await repo.list_all(session)
        row = await session.get(Visit, visit.id)
        assert row is not None and row.created_by is not None
    assert visit.code in created.text
    assert visit.starts_at == datetime(2099, 3, 7, 13, 0, tzinfo=UTC)  # 08:00 in Lima
    assert visit.ends_at == datetime(2099, 3, 15, 13, 0, tzinfo=UTC)
    assert visit.reminder_offsets == (14 * 86400, 3 * 86400, 86400)
    assert await tick(app) == 1
    invitation = await ana.reply()
    assert "Está invitado/a a una visita de estudio" in invitation.text
    assert "Toronto y Sudbury, Canadá" in invitation.text
    assert "Indicaciones\nCita en el aeropuerto Jorge Chávez" in invitation.text
    assert invitation.button_texts() == ["✅ Acepto", "❌ No puedo"]
    assert api.drain(luis.id) == []

    # /cancelar (or the Cancelar button) leaves nothing behind.
    _intro, question = await rosa.say("/nueva_visita", 2)
    await rosa.press(question, "Cancelar")
    assert (await rosa.reply()).text == "Cancelado. No se creó ninguna visita."


async def test_a_regional_coordinator_invites_only_their_regions_and_loses_the_form_with_the_role(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, carla = await cast(api, "carla")
    await rosa.send("/coordinador @carla_puno Puno")
    await rosa.reply()
    await carla.reply()  # the notice of her new role

    async def answer(question: object, answers: list[str]) -> object:
        for typed in answers:
            await carla.send(typed)
            question = await carla.reply()
        return question

    _intro, title = await carla.say("/nueva_visita", 2)
    dates = ["7/3/2099 08:00", "2099-03-10 18:00", "Llevar DNI"]
    audience = await answer(title, ["Pasantía", "Lima", *dates])
    await carla.choose(audience, "Una región")  # type: ignore[arg-type]
    region = await carla.reply()
    assert region.button_texts() == ["Puno", "Cancelar"]  # only her region, no «Nacional»
    forged = await carla.press_forged(region, "nv:audience_region:piura")
    assert forged["text"] == "Ese botón ya no está vigente."
    await carla.send("Piura")
    assert (await carla.reply()).text == "Elija la región con los botones, por favor."
    assert (await carla.reply()).button_texts() == ["Puno", "Cancelar"]  # asked again

    # «Todas las personas registradas» is refused when confirmed, audited, nothing created.
    _intro, title = await carla.say("/nueva_visita", 2)
    audience = await answer(title, ["Pasantía", "Lima", "7/3/2099 08:00", "3d", "Llevar DNI"])
    await carla.choose(audience, "Todas las personas registradas")  # type: ignore[arg-type]
    summary = await carla.reply()
    await carla.press(summary, "Crear e invitar")
    refused = await carla.reply()
    assert refused.text.startswith("Solo puede invitar o escribir a las personas de las regiones")
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count(Visit.id))) == 0
    assert await _audit(runtime, "scope") == [(carla.id, "audience:everyone")]

    # The role is taken away mid-form: her next typed answer stops it.
    _intro, title = await carla.say("/nueva_visita", 2)
    await rosa.send("/quitar_rol @carla_puno")
    await rosa.reply()
    await carla.reply()  # the notice
    (stopped,) = await carla.say("Visita que ya no podrá crear")
    assert stopped.text == (
        "Ya no tiene el rol que pide este formulario: se detuvo y no se guardó nada."
    )


async def test_changing_the_dates_tells_invitees_and_moves_reminders_and_questionnaire(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana, luis = await cast(api, "ana", "luis")
    visit = await create_visit(runtime, days=20)  # 20 days from now, 8 days away
    assert await tick(app) == 2
    await ana.press(await ana.reply(), "Acepto")
    await ana.reply()
    await luis.press(await luis.reply(), "No puedo")
    await luis.reply()
    await luis.send("Sesión del consejo regional")
    await luis.reply()
    async with runtime.db.session() as session:
        (ana_row,) = [
            p for p in await repo.participants(session, visit.id) if p.answer != "declined"
        ]
        await visits.confirm(session, visit, [ana_row.person_id], runtime.clock.now())
    assert await tick(app) == 1  # she hears she is in the delegation
    await ana.reply()

    (report,) = await rosa.say(f"/visita {visit.code}")
    assert report.button_texts()[-2:] == ["✏️ Cambiar fechas o destino", "🚫 Cancelar la visita"]
    await rosa.press(report, "Cambiar fechas o destino")
    heading, destination = await rosa.replies(2)
    assert "Cambiar la visita de estudio" in heading.text
    await rosa.choose(destination, "Omitir")  # the destination stays
    await rosa.reply()
    start = runtime.clock.now() + timedelta(days=40)
    await rosa.send(_lima(start))
    await rosa.reply()
    await rosa.send("10 días")
    await rosa.reply()
    await rosa.send("Nuevo itinerario: Sudbury el segundo día")
    summary = await rosa.reply()
    assert "Destino: Toronto y Sudbury, Canadá" in summary.text
    await rosa.press(summary, "Guardar y avisar")
    changed = await rosa.reply()
    assert "cambió; se está avisando a 2 personas invitadas" in changed.text

    assert await tick(app) == 2  # Ana and Luis (who may be able to go now)
    notice = await luis.reply()
    assert "La visita de estudio cambió" in notice.text
    assert "Su respuesta: No puedo" in notice.text
    assert notice.button_texts() == ["✅ Acepto", "✓ ❌ No puedo"]
    notice = await ana.reply()
    assert "Salida:" in notice.text and str(start.astimezone(LIMA).year) in notice.text
    assert "Nuevo itinerario: Sudbury el segundo día" in notice.text
    assert await _audit(runtime, "visit_changed") == [(ADMIN_ID, f"visit:{visit.id}")]

    # The old dates' reminder (14 days before day 20) is not sent; the new one is.
    runtime.clock.advance(timedelta(days=6, minutes=1))
    assert await tick(app) == 0
    runtime.clock.advance(timedelta(days=20))  # 14 days before day 40
    assert await tick(app) == 1
    reminder = await ana.reply()
    assert "Recordatorio" in reminder.text and "Nuevo itinerario" in reminder.text
    assert api.drain(luis.id) == []
    # The questionnaire: not at the old return (day 28), at the new one (day 50).
    async with runtime.db.session() as session:
        current = await repo.get(session, visit.id)
    assert current is not None and current.version == 2
    assert current.ends_at - current.starts_at == timedelta(days=10)
    runtime.clock.advance(current.ends_at - runtime.clock.now() + timedelta(minutes=1))
    sent = await tick(app)
    assert sent == 1  # only Ana, confirmed in the delegation; the old one was dropped
    assert "Cuestionario sobre la visita de estudio" in (await ana.reply()).text
    # After departure the visit can no longer be changed: no buttons, a stale press is told.
    (report,) = await rosa.say(f"/visita {visit.code}")
    assert "Cambiar fechas o destino" not in report.button_texts()
    stale = await rosa.press_forged(report, f"va:cancel:{visit.id}")
    assert stale["text"] == "La delegación ya partió; la visita ya no se puede cambiar ni cancelar."


async def test_cancelling_tells_invitees_and_drops_what_was_owed(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana, pia = await cast(api, "ana", "pia")
    await rosa.send(f"/coordinador {pia.id} Piura")
    await rosa.reply()
    await pia.reply()  # the notice of her new role, sent through the outbox
    visit = await create_visit(runtime, days=20)
    assert await tick(app) == 1
    invitation = await ana.reply()
    await ana.press(invitation, "Acepto")
    await ana.reply()
    async with runtime.db.session() as session:
        (person,) = await repo.participants(session, visit.id)
        await visits.confirm(session, visit, [person.person_id], runtime.clock.now())

    # A coordinator of another region cannot cancel or change it, even with forged buttons.
    api.drain(pia.id)
    (menu,) = await pia.say("/menu")
    for data in (f"va:cancelok:{visit.id}", f"va:edit:{visit.id}"):
        answer = await pia.press_forged(menu, data)
        assert answer["text"] == "Eso pertenece a una región que usted no coordina.", data

    (report,) = await rosa.say(f"/visita {visit.code}")
    await rosa.press(report, "Cancelar la visita")
    question = await rosa.reply()
    assert question.text == (
        "¿Cancelar la visita de estudio «Visita a la experiencia canadiense»? Se avisará a "
        "cada invitado."
    )
    await rosa.press(question, "Sí, cancelarla")
    done = await rosa.reply()
    assert (
        done.text == "La visita de estudio quedó cancelada; se está avisando a 1 persona invitada."
    )
    again = await rosa.press_forged(done, f"va:cancelok:{visit.id}")  # a second press
    assert again["text"] == "Esta visita fue cancelada."
    assert await _audit(runtime, "visit_cancelled") == [(ADMIN_ID, f"visit:{visit.id}")]

    assert await tick(app) == 1
    notice = await ana.reply()
    assert notice.text.startswith("🚫 Visita de estudio cancelada: «Visita a la experiencia")
    late = await ana.press(invitation, "No puedo")
    assert late["text"] == "Esta visita fue cancelada."
    (report,) = await rosa.say(f"/visita {visit.code}")
    assert "— Cancelada" in report.text
    assert "Cancelar la visita" not in report.button_texts()
    await rosa.press(report, "Descargar XLSX")  # the report says so too
    document = await rosa.reply(WORKBOOK_WAIT)
    await work_ended()  # its cut-short notice withdrawn, before the clock moves 40 days
    cover = load_workbook(BytesIO(api.files[document.params["file_id"]]))["Informe de visita"]
    assert ("Estado", "Cancelada") in cover.iter_rows(values_only=True)
    (listing,) = await rosa.say("/visita")
    assert f"{visit.code}" in listing.text and "🚫" in listing.text
    # Neither the reminders before departure nor the questionnaire go.
    runtime.clock.advance(timedelta(days=40))
    assert await tick(app) == 0


async def test_coverage_is_checked_again_when_a_change_is_confirmed(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """A regional coordinator opens the change form of a visit of her region; an administrator
    moves her to another region before she confirms: refused, audited, the visit unchanged."""
    rosa, _ana, carla = await cast(api, "ana", "carla")  # Ana: invited, not in this story
    await rosa.say("/coordinador @carla_puno Puno")
    await carla.reply()
    visit = await create_visit(runtime, days=20)
    # The invitations now, not amid her replies (the outbox also wakes for role notices).
    await tick(app)
    # Her invitation may be sent by tick or by the outbox's own round, woken by the role
    # notice, and still be on its way when tick returns: wait for it, don't drain.
    assert "Está invitado/a a una visita de estudio" in (await carla.reply()).text

    (report,) = await carla.say(f"/visita {visit.code}")
    await carla.press(report, "Cambiar fechas o destino")
    await carla.replies(2)  # the heading and the destination question
    await carla.send("Montreal, Canadá")
    await carla.reply()
    await carla.send(_lima(runtime.clock.now() + timedelta(days=30)))
    await carla.reply()
    await carla.send("5d")
    instructions = await carla.reply()
    await carla.choose(instructions, "Omitir")
    summary = await carla.reply()
    assert "Destino: Montreal, Canadá" in summary.text
    await rosa.say("/coordinador @carla_puno Cusco")
    await carla.reply()  # the notice of her new coverage
    refused = await carla.press(summary, "Guardar y avisar")
    assert refused["text"] == "Eso pertenece a una región que usted no coordina."
    async with runtime.db.session() as session:
        current = await repo.get(session, visit.id)
    assert current is not None
    assert (current.destination, current.version) == ("Toronto y Sudbury, Canadá", 1)
    assert await _audit(runtime, "scope") == [(carla.id, f"visit:{visit.id}")]
    assert await _audit(runtime, "visit_changed") == []
