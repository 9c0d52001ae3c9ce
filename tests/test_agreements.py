"""End to end: an agreement recorded from /reunion with a responsible invitee and a due date,
the reminder before the due date with progress buttons (pressed by the responsible; a forged
press by someone else refused), the agreement overdue in the meeting's report and in the
reminder of the next meeting of the same kind, and a coordinator marking it fulfilled."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import agreements
from bot.services import meetings as rules
from storage.models import AuditEntry, MeetingAgreement, Person
from storage.repositories import people
from storage.repositories.meetings import MeetingRecord
from tests.chat import WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import puno_coordination, register

AGREEMENT = "Enviar el padrón de mineros en formalización"


async def _meeting(runtime: Runtime, days: float, reminders: bool = True) -> MeetingRecord:
    return await puno_coordination(runtime, days=days, hours=2, reminders=reminders)


async def _three(api: LocalBotApi) -> tuple[Chatter, Chatter, Chatter]:
    """Rosa (the administrator), Ana and Luis of Puno, registered."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 7101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    luis = Chatter(api, 7102, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    return rosa, ana, luis


async def agreed(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> tuple[Chatter, tuple[Chatter, Chatter], MeetingRecord]:
    """Rosa (the administrator); Ana and Luis of Puno, invited to a meeting starting in about
    an hour; Ana responsible for AGREEMENT, due in 10 days."""
    rosa, ana, luis = await _three(api)
    meeting = await _meeting(runtime, days=0.05, reminders=False)
    assert await tick(app) == 2
    await ana.replies(2)
    await luis.replies(2)
    zone = runtime.settings.timezone
    today = runtime.clock.now().astimezone(zone).date()
    async with runtime.db.session() as session:
        ana_id = await session.scalar(select(Person.id).where(Person.telegram_id == ana.id))
        assert ana_id is not None
        await agreements.record(
            session, meeting, text=AGREEMENT, responsible_id=ana_id,
            due_on=today + timedelta(days=10), created_by=None, now=runtime.clock.now(),
            zone=zone,
        )  # fmt: skip
    return rosa, (ana, luis), meeting


async def test_agreement_follow_up_from_record_to_fulfilled(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana, luis = await _three(api)
    first = await _meeting(runtime, days=0.05, reminders=False)  # starts in about an hour
    assert await tick(app) == 2
    await ana.replies(2)
    luis_invitation, _ics = await luis.replies(2)

    (report,) = await rosa.say(f"/reunion {first.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    listing = await rosa.reply()
    assert "Todavía no hay acuerdos registrados" in listing.text
    await rosa.press(listing, "Nuevo acuerdo")
    _heading, step = await rosa.replies(2)
    assert "Paso 1 de 3" in step.text
    (who,) = await rosa.say(AGREEMENT)
    assert {"Ana Quispe", "Luis Mamani"} <= set(who.button_texts())
    (due,) = await rosa.say("quispe")  # typed: the one invitee whose name contains it
    assert "fecha límite" in due.text
    (wrong,) = await rosa.say("pronto")
    assert "No pude leer esa fecha" in wrong.text
    today = runtime.clock.now().astimezone(runtime.settings.timezone).date()
    (past,) = await rosa.say("2020-01-01")
    es_today = translator("es", runtime.settings.timezone).date(today)
    assert past.text.startswith(f"Esa fecha ya pasó: hoy es {es_today}.")
    due_on = today + timedelta(days=5)
    (summary,) = await rosa.say(due_on.isoformat())
    assert "Responsable: Ana Quispe" in summary.text
    await rosa.press(summary, "Registrar el acuerdo")
    done, listing = await rosa.replies(2)
    assert "Acuerdo registrado" in done.text
    due_label = translator("es", runtime.settings.timezone).date(due_on)
    assert f"1. «{AGREEMENT}» — Ana Quispe — vence el {due_label} — 🕓 Pendiente" in listing.text

    # Three days before the due date, at 09:00 Lima: the responsible's reminder, only hers.
    runtime.clock.advance(timedelta(days=3))
    assert await tick(app) == 1
    reminder = await ana.reply()
    assert "Acuerdo por cumplir" in reminder.text and AGREEMENT in reminder.text
    assert reminder.button_texts() == ["⏳ En curso", "✅ Cumplido"]
    assert api.drain(luis.id) == []
    done_data = reminder.find_button("Cumplido")["callback_data"]
    forged = await luis.press_forged(luis_invitation, done_data)
    assert forged["text"] == "Solo los coordinadores pueden hacer eso."
    answer = await ana.press(reminder, "En curso")
    assert answer["text"] == "Acuerdo: En curso"
    moved = await ana.reply()
    assert moved.message_id == reminder.message_id and "Estado: ⏳ En curso" in moved.text

    # Past the due date, unfulfilled: overdue in the meeting's report...
    runtime.clock.advance(timedelta(days=4))
    (report,) = await rosa.say(f"/reunion {first.code}")
    assert "Acuerdos vencidos" in report.text and "⚠️ Vencido" in report.text
    # ...and in the reminder of the next meeting of the same kind, for those invited to both.
    second = await _meeting(runtime, days=3)
    assert await tick(app) == 2
    await ana.replies(2)
    await luis.replies(2)
    runtime.clock.advance(second.starts_at - runtime.clock.now() - timedelta(days=1, minutes=-1))
    assert await tick(app) == 2
    for person in (ana, luis):
        next_reminder = await person.reply()
        assert "Acuerdos vencidos de reuniones anteriores" in next_reminder.text
        assert AGREEMENT in next_reminder.text
    # ...and at the top of the next meeting's report, for the coordinator who runs it.
    (upcoming,) = await rosa.say(f"/reunion {second.code}")
    top = upcoming.text.split("Total")[0]
    assert "Acuerdos vencidos de reuniones anteriores de este tipo" in top and AGREEMENT in top

    # The coordinator marks it fulfilled from the follow-up list: late, not overdue any more.
    (report,) = await rosa.say(f"/reunion {first.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    listing = await rosa.reply()
    await rosa.press(listing, "1 · ✅")
    updated = await rosa.reply()
    assert "✅ Cumplido" in updated.text
    (report,) = await rosa.say(f"/reunion {first.code}")
    assert "Acuerdos vencidos" not in report.text  # fulfilled, late: no longer overdue
    await rosa.press(report, "Descargar XLSX")
    workbook = await rosa.reply(WORKBOOK_WAIT)
    sheet = load_workbook(BytesIO(api.files[workbook.params["file_id"]]))["Acuerdos"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    fulfilled_on = runtime.clock.now().astimezone(runtime.settings.timezone)
    es = translator("es", runtime.settings.timezone)
    assert rows == [
        ["Acuerdo", "Responsable", "Fecha límite", "Estado", "Cumplido el"],
        [AGREEMENT, "Ana Quispe", due_label, "Cumplido", es.date(fulfilled_on.date())],
    ]
    async with runtime.db.session() as session:
        row = await session.scalar(select(MeetingAgreement))
        denied = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "button ag", AuditEntry.outcome == "denied"
            )
        )
    assert row is not None and row.status == "done" and row.done_at is not None
    assert denied is not None
    _intro, export = await ana.say("/mis_datos", 2)  # in her own data: what she answers for
    (mine,) = json.loads(api.files[export.params["file_id"]])["acuerdos_a_su_cargo"]
    assert mine["acuerdo"] == AGREEMENT and mine["estado"] == "Cumplido"
    assert mine["fecha_limite"] == due_label


async def test_a_coordinator_of_other_regions_cannot_touch_the_agreements(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    ana = Chatter(api, 7101, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    carlos = Chatter(api, 7103, "Carlos", last_name="Huamán")
    await register(carlos, region="Cusco", sex="Hombre")
    async with runtime.db.session() as session:
        await people.set_role(session, carlos.id, "coordinator", "cusco")
    meeting = await _meeting(runtime, days=2)  # Puno's
    assert await tick(app) == 1
    await ana.replies(2)
    async with runtime.db.session() as session:
        ana_id = await session.scalar(select(Person.id).where(Person.telegram_id == ana.id))
        assert ana_id is not None
        agreement = await agreements.record(
            session,
            meeting,
            text=AGREEMENT,
            responsible_id=ana_id,
            due_on=runtime.clock.now().astimezone(runtime.settings.timezone).date()  # Lima's day
            + timedelta(days=10),
            created_by=None,
            now=runtime.clock.now(),
            zone=runtime.settings.timezone,
        )
    (menu,) = await carlos.say("/menu")
    forged = (
        f"ag:list:{meeting.id}",
        f"ag:new:{meeting.id}",
        f"ag:set:{agreement.id}:done",
        f"ae:begin:{agreement.id}",  # changing its responsible or due date
    )
    for data in forged:
        answer = await carlos.press_forged(menu, data)
        assert answer["text"] == "Eso pertenece a una región que usted no coordina.", data
    # Once overdue, a Cusco meeting of the same kind does not show Carlos Puno's agreement.
    runtime.clock.advance(timedelta(days=11))
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        cusco, _invited = await rules.create(
            session, title="Coordinación MINEM–GR Cusco", kind="coordinacion",
            starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2),
            audience=await rules.parse_audience(session, ["region:Cusco"]), offsets=[], now=now,
        )  # fmt: skip
    (report,) = await carlos.say(f"/reunion {cusco.code}")
    assert "Coordinación MINEM–GR Cusco" in report.text and AGREEMENT not in report.text
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")  # national: she does see it
    await register(rosa, region="MINEM")
    (report,) = await rosa.say(f"/reunion {cusco.code}")
    assert AGREEMENT in report.text.split("Total")[0]
    (ana_menu,) = await ana.say("/menu")  # an official: not even the form
    official = await ana.press_forged(ana_menu, forged[-1])
    assert official["text"] == "Solo los coordinadores pueden hacer eso."
    async with runtime.db.session() as session:
        row = await session.get(MeetingAgreement, agreement.id)
        assert row is not None and row.status == "pending"
        refused = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "scope")
        )
    assert refused == 4


async def test_a_coordinator_changes_the_responsible_and_the_due_date(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """From the follow-up list (✏️): a new responsible among the invitees and a new due date;
    the reminder not sent yet goes away and the new responsible is reminded for the new date."""
    rosa, (ana, luis), meeting = await agreed(api, app, runtime)
    zone = runtime.settings.timezone
    today = runtime.clock.now().astimezone(zone).date()

    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    listing = await rosa.reply()
    assert "✏️ cambiar responsable o fecha límite" in listing.text
    await rosa.press(listing, "1 · ✏️")
    heading, who = await rosa.replies(2)
    assert "Modificar el acuerdo" in heading.text
    assert "Ahora: Ana Quispe. «Omitir» lo mantiene." in who.text
    await rosa.choose(who, "Luis Mamani")
    due = await rosa.reply()
    t = translator("es", zone)
    assert f"Ahora: {t.date(today + timedelta(days=10))}. «Omitir» la mantiene." in due.text
    (past,) = await rosa.say("2020-01-01")
    assert past.text.startswith(f"Esa fecha ya pasó: hoy es {t.date(today)}.")
    new_due = today + timedelta(days=6)
    (summary,) = await rosa.say(new_due.strftime("%d/%m/%Y"))
    assert "Responsable: Luis Mamani" in summary.text
    assert f"Fecha límite: {t.date(new_due)}" in summary.text
    await rosa.press(summary, "Guardar los cambios")
    done, listing = await rosa.replies(2)
    assert "Acuerdo modificado" in done.text
    assert f"1. «{AGREEMENT}» — Luis Mamani — vence el {t.date(new_due)}" in listing.text

    # Three days before the new date, 09:00 Lima: Luis is reminded, not Ana; her reminder,
    # owed for three days before the old date, never comes.
    runtime.clock.advance(
        datetime.combine(new_due - timedelta(days=3), time(9, 1), tzinfo=zone) - runtime.clock.now()
    )
    assert await tick(app) == 1
    reminder = await luis.reply()
    assert "Acuerdo por cumplir" in reminder.text and "Usted es responsable" in reminder.text
    runtime.clock.advance(timedelta(days=5))
    assert await tick(app) == 0
    assert api.drain(ana.id) == []

    # Skipping both steps changes nothing.
    (report,) = await rosa.say(f"/reunion {meeting.code}")
    await rosa.press(report, "Seguimiento de acuerdos")
    listing = await rosa.reply()
    await rosa.press(listing, "1 · ✏️")
    _heading, who = await rosa.replies(2)
    await rosa.choose(who, "Omitir")
    await rosa.choose(await rosa.reply(), "Omitir")
    summary = await rosa.reply()
    assert "Responsable: Luis Mamani" in summary.text
    await rosa.press(summary, "Guardar los cambios")
    unchanged, listing = await rosa.replies(2)
    assert unchanged.text == "No hubo cambios: el acuerdo sigue como estaba."
    assert f"1. «{AGREEMENT}» — Luis Mamani — vence el {t.date(new_due)}" in listing.text
    async with runtime.db.session() as session:
        row = await session.scalar(select(MeetingAgreement))
    assert row is not None and row.due_on == new_due
    assert await tick(app) == 0  # no new reminder: nothing changed
