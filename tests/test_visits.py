"""End to end: a study visit invites its audience (the meetings' syntax), invitees answer
«Acepto» or «No puedo» with a typed reason, the coordinator confirms the delegation and corrects
who counts as a leader from /visita, reminders before departure go only to those who accepted,
forged presses and coordinators of other regions are refused; and leader positions as typed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import visits
from bot.services.quarter_close import its_quarter
from storage.models import VisitParticipant
from storage.repositories import people
from tests.chat import WORKBOOK_WAIT, work_ended
from tests.visit_cast import cast, create_visit

LIMA = ZoneInfo("America/Lima")


async def test_invitation_answers_delegation_leaders_and_reminders(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, ana, luis, pia = await cast(api, "ana", "luis", "pia")
    async with runtime.db.session() as session:
        await people.update(session, ana.id, position="Gerenta Regional de Desarrollo Económico")

    visit = await create_visit(runtime)
    assert await tick(app) == 2  # Ana and Luis (Puno); not Pía (Piura)
    invitation = await ana.reply()
    assert "Está invitado/a a una visita de estudio" in invitation.text
    assert "Toronto y Sudbury, Canadá" in invitation.text and "Salida:" in invitation.text
    assert invitation.button_texts() == ["✅ Acepto", "❌ No puedo"]
    luis_invitation = await luis.reply()
    assert api.drain(pia.id) == []

    await ana.press(invitation, "Acepto")
    accepted = await ana.reply()
    assert accepted.message_id == invitation.message_id
    assert "Su respuesta: Acepto" in accepted.text and "✓ ✅ Acepto" in accepted.button_texts()

    await luis.press(luis_invitation, "No puedo")
    assert "por qué" in (await luis.reply()).text
    await luis.send("x")
    assert "entre 3 y 500" in (await luis.reply()).text
    await luis.send("Tengo sesión del consejo regional esa semana")
    declined = await luis.reply()
    assert "Su respuesta: No puedo — Tengo sesión del consejo regional" in declined.text

    # The coordinator: answers, the reason, and the delegation.
    (report,) = await rosa.say(f"/visita {visit.code}")
    assert (
        "Total: invitados 2 · aceptaron 1 · no pueden 1 · sin respuesta 0 · delegación 0 · "
        "viajaron 0" in report.text
    )
    assert "Líderes regionales: invitados 1 · aceptaron 1" in report.text
    assert "Funcionarios/as: invitados 1 · aceptaron 0 · no pueden 1" in report.text
    assert "Puno: invitados 2" in report.text
    assert "Mujer" not in report.text and "Hombre" not in report.text  # no counts by sex
    assert "Luis Mamani: Tengo sesión del consejo regional esa semana" in report.text
    await rosa.press(report, "Delegación")
    page = await rosa.reply()
    # Ana is a leader from her position («Gerenta»), Luis («Analista») an official.
    assert page.button_texts() == [
        "✅ Ana Quispe",
        "Líder",
        "❌ Luis Mamani",
        "Funcionario/a",
        "« Volver a la visita",
    ]
    refused = await rosa.press(page, "Luis Mamani")
    assert refused["text"] == "Solo se puede confirmar a quien aceptó la invitación."
    await rosa.press(page, "Ana Quispe")
    page = await rosa.reply()
    assert "✈️ ✅ Ana Quispe" in page.button_texts()
    await rosa.press(page, "Funcionario/a")  # Luis corrected: he counts as a leader
    page = await rosa.reply()
    assert page.button_texts()[3] == "Líder"
    async with runtime.db.session() as session:
        rows = {
            row.person_id: (row.confirmed_at is not None, row.leader)
            for row in await session.scalars(select(VisitParticipant))
        }
    assert sorted(rows.values()) == [(False, True), (True, None)]
    assert await tick(app) == 1  # Ana hears she is in the delegation; Luis hears nothing
    news = await ana.reply()
    assert "Usted forma parte de la delegación de esta visita de estudio" in news.text
    assert "pasaporte" in news.text and "Toronto y Sudbury" in news.text
    assert news.button_texts() == ["✓ ✅ Acepto", "❌ No puedo"]

    # Who travelled (only the confirmed delegation is listed), then the workbook.
    await rosa.press(page, "Volver a la visita")
    report = await rosa.reply()
    await rosa.press(report, "Quiénes viajaron")
    travelled = await rosa.reply()
    assert travelled.button_texts() == ["⬜ Ana Quispe", "« Volver a la visita"]
    await rosa.press(travelled, "Ana Quispe")
    travelled = await rosa.reply()
    assert travelled.button_texts()[0] == "✅ Ana Quispe"
    await rosa.press(travelled, "Volver a la visita")
    report = await rosa.reply()
    assert "delegación 1 · viajaron 1" in report.text
    await rosa.press(report, "Descargar XLSX")
    document = await rosa.reply(WORKBOOK_WAIT)
    await work_ended()  # its cut-short notice withdrawn, before the clock moves 6 days
    book = load_workbook(BytesIO(api.files[document.params["file_id"]]))
    assert book.sheetnames == [
        "Informe de visita",
        "Por región",
        "Líderes y funcionarios",
        "Participantes",
    ]
    cover = {row[0]: row[1] for row in book["Informe de visita"].iter_rows(values_only=True)}
    assert cover["Informe de visita"] == "Visita a la experiencia canadiense"
    assert cover["Destino"] == "Toronto y Sudbury, Canadá" and cover["Estado"] == "Programada"
    assert (cover["Invitados"], cover["Aceptaron"], cover["Viajaron"]) == (2, 1, 1)
    assert cover["Líderes regionales que viajaron"] == 1  # Ana, a leader by her position
    kinds = list(book["Líderes y funcionarios"].iter_rows(min_row=2, values_only=True))
    assert kinds == [("Líderes regionales", 2, 1, 1, 0, 1, 1)]
    people_rows = list(book["Participantes"].iter_rows(min_row=2, values_only=True))
    assert people_rows[1][:2] == ("Luis Mamani", "Puno") and people_rows[1][4] == "No puedo"

    # Reminders before departure: only Ana, who accepted; only the closest one when late.
    runtime.clock.advance(timedelta(days=6, minutes=1))  # 14 days before departure
    assert await tick(app) == 1
    reminder = await ana.reply()
    assert "Recordatorio" in reminder.text and "pasaporte" in reminder.text
    assert "La coordinación le confirmó en la delegación" in reminder.text
    assert api.drain(luis.id) == []
    runtime.clock.advance(timedelta(days=13))  # 3d and 1d both due: one message
    assert await tick(app) == 1
    await ana.reply()
    assert await tick(app) == 0

    # A forged press from someone not invited, and an official trying /visita.
    (menu,) = await pia.say("/menu")
    answer = await pia.press_forged(menu, f"vi:{visit.id}:yes")
    assert answer["text"] == "Usted no figura en la lista de invitados de esta visita."
    (refusal,) = await ana.say(f"/visita {visit.code}")
    assert refusal.text == "Solo los coordinadores pueden hacer eso."
    # After departure answers are closed.
    runtime.clock.advance(timedelta(days=2))
    late = await ana.press(accepted, "No puedo")
    assert late["text"] == "La delegación ya partió; ya no se pueden cambiar las respuestas."
    # Once the visit's quarter has ended, who travelled no longer changes.
    quarter = its_quarter(visit.starts_at, LIMA)
    ended = datetime.combine(quarter.last + timedelta(days=1), time(), LIMA)
    runtime.clock.advance(ended - runtime.clock.now())
    (report,) = await rosa.say(f"/visita {visit.code}")
    await rosa.press(report, "Quiénes viajaron")
    closed = await rosa.press(await rosa.reply(), "Ana Quispe")
    assert closed["text"] == (
        "Ya no se puede cambiar quién viajó ni quién es líder regional: el trimestre de la "
        f"visita terminó el {translator('es', LIMA).date(quarter.last)}."
    )
    async with runtime.db.session() as session:
        marked = select(VisitParticipant).where(VisitParticipant.travelled_at.is_not(None))
        assert len(list(await session.scalars(marked))) == 1  # Ana's mark kept


async def test_a_regional_coordinator_sees_only_visits_of_their_regions(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa, _ana, pia = await cast(api, "ana", "pia")  # Ana: invited, not in this story
    await rosa.send(f"/coordinador {pia.id} Piura")
    await rosa.reply()
    await pia.reply()  # the notice of her new role, sent through the outbox
    visit = await create_visit(runtime)
    await tick(app)
    api.drain(pia.id)

    (refused,) = await pia.say(f"/visita {visit.code}")
    assert refused.text == "Eso pertenece a una región que usted no coordina."
    (listing,) = await pia.say("/visita")
    assert listing.text == "Todavía no hay visitas de estudio."
    v = visit.id
    for data in (
        f"va:view:{v}", f"va:xlsx:{v}", f"va:del:{v}:0", f"va:conf:{v}:1:0", f"va:lead:{v}:1:0",
        f"va:trv:{v}:0", f"va:tt:{v}:1:0", f"va:edit:{v}", f"va:cancel:{v}", f"va:cancelok:{v}",
    ):  # fmt: skip
        answer = await pia.press_forged(listing, data)
        assert answer["text"] == "Eso pertenece a una región que usted no coordina.", data
    (listing,) = await rosa.say("/visita")
    assert visit.code in listing.text


def test_leader_positions_ignore_accents_and_case() -> None:
    words = visits.leader_words(Settings(_env_file=None).leader_position_words)  # type: ignore[call-arg]
    for position in (
        "GOBERNADOR REGIONAL",
        "Vicegobernadora",
        "gerenta regional de desarrollo económico",
        "Directora Regional de Energía y Minas",
        "Director de la DREM Puno",
        "director  GREM",
    ):
        assert visits.is_leader_position(position, words), position
    for position in ("Analista", "Directorio", "Especialista de la DREM", "Sub gerencia", None):
        assert not visits.is_leader_position(position, words), position
    own = visits.leader_words("Alcalde, jefe de área")
    assert visits.is_leader_position("Jefe de Minería", own) is False
    assert visits.is_leader_position("jefe de area", own)
    assert visits.is_leader_position("ALCALDE provincial", own)
