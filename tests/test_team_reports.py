"""End to end: a Regional Team member's monthly report (the case count taken from the case
register when skipped), the reminders on the 25th and on the 3rd only to those missing, a
late report, and /informes_equipos with its XLSX, scoped to the coordinator's regions."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select
from telegram.ext import Application

from bot import workers
from bot.cli import main
from bot.config import Settings
from bot.i18n import translator
from bot.local_api import BotEvent, LocalBotApi
from bot.outbox import tick
from bot.runtime import Runtime
from bot.services import team_reports
from storage.models import AuditEntry, Case, Person, TeamMember, TeamReport
from storage.repositories import people
from storage.repositories.erasure import ERASED_TEXT
from tests.chat import REPLY_WAIT, WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register


async def _team(runtime: Runtime, *members: Chatter) -> None:
    """Memberships as an administrator grants them (`admin agregar-equipo`)."""
    async with runtime.db.session() as session:
        for member in members:
            person = await people.get(session, member.id)
            assert person is not None and person.region_code is not None
            await team_reports.appoint(session, person.id, person.region_code, runtime.clock.now())


async def _until(runtime: Runtime, year: int, month: int, day: int) -> None:
    """Move the clock to 09:01 Lima of that day."""
    zone = runtime.settings.timezone
    runtime.clock.advance(datetime(year, month, day, 9, 1, tzinfo=zone) - runtime.clock.now())


async def _report(
    member: Chatter, month: str, *, skip_cases: bool = True, registered: str | None = None
) -> list:
    _heading, question = await member.say("/informe_mensual", 2)
    await member.choose(question, month)
    cases = await member.reply()
    if registered is not None:  # the prefilled count is shown with the question, in words
        assert (
            f"En el registro de casos hay {registered} de su región ese mes. «Omitir» conserva "
            "ese número; escriba otro para cambiarlo." in cases.text
        )
    if skip_cases:
        await member.choose(cases, "Omitir")
    else:
        await member.send("4")
    await member.reply()
    (difficulties,) = await member.say("Dos charlas de formalización en Juliaca")
    await member.choose(difficulties, "Omitir")
    await member.reply()
    (next_steps,) = await member.say("Capacitación en REINFO")
    await member.choose(next_steps, "Omitir")
    return [await member.reply()]


async def test_monthly_reports_reminders_and_the_coordinators_view(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 7201, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    luis = Chatter(api, 7202, "Luis", last_name="Mamani")
    await register(luis, region="Puno", sex="Hombre")
    eva = Chatter(api, 7203, "Eva", last_name="Ccori")
    await register(eva, region="Cusco")
    mia = Chatter(api, 7204, "Mía", last_name="Condori")  # a regional government official
    await register(mia, region="Puno")
    carlos = Chatter(api, 7205, "Carlos", last_name="Huamán")
    await register(carlos, region="Cusco", sex="Hombre")
    await _team(runtime, ana, luis, eva)
    async with runtime.db.session() as session:
        await people.set_role(session, carlos.id, "coordinator", "cusco")
    await _until(runtime, 2026, 12, 10)
    async with runtime.db.session() as session:
        author = await session.scalar(select(Person.id).where(Person.telegram_id == ana.id))
        now = runtime.clock.now()
        session.add(  # one Puno case in December: what the form offers («1 caso»)
            Case(person_id=author, region_code="puno", kind="promotion", stratum="pma",
                 supported=True, description="Charla", created_at=now, updated_at=now)
        )  # fmt: skip

    (refused,) = await mia.say("/informe_mensual")
    assert "es para los Equipos Regionales" in refused.text
    (summary,) = await _report(ana, "Diciembre 2026", registered="1 caso")
    assert "Casos atendidos: 1 (del registro de casos)" in summary.text
    assert "Actividades: Dos charlas de formalización en Juliaca" in summary.text
    await ana.press(summary, "Enviar el informe")
    assert (await ana.reply()).text == "✅ Informe de Diciembre 2026 enviado. Gracias."

    # The 25th, 09:00: the first reminder, to those who have not reported (not Ana); once.
    await _until(runtime, 2026, 12, 25)
    assert await tick(app) == 2
    for member in (luis, eva):
        assert (
            "envíe el informe del Equipo Regional de Diciembre 2026" in (await member.reply()).text
        )
    assert api.drain(ana.id) == [] and await tick(app) == 0
    # The 3rd of January: the second, to those still missing.
    await _until(runtime, 2027, 1, 3)
    assert await tick(app) == 2
    assert "Segundo recordatorio" in (await luis.reply()).text
    await eva.reply()
    # Luis reports on the 4th: late; with his own count of cases.
    await _until(runtime, 2027, 1, 4)
    assert await tick(app) == 0
    (summary,) = await _report(luis, "Diciembre 2026", skip_cases=False)
    assert "Casos atendidos: 4" in summary.text
    await luis.press(summary, "Enviar el informe")
    await luis.reply()

    (months,) = await rosa.say("/informes_equipos")
    await rosa.press(months, "Diciembre 2026")
    overview = await rosa.reply()
    assert "Cusco: 0 de 1 enviaron su informe" in overview.text
    assert "Puno: 2 de 2 enviaron su informe" in overview.text
    assert "• Ana Quispe: ✅ a tiempo" in overview.text
    assert "• Luis Mamani: 🕓 con retraso" in overview.text
    assert "• Eva Ccori: ⏳ falta" in overview.text
    await rosa.press(overview, "Descargar XLSX")
    workbook = await rosa.reply(WORKBOOK_WAIT)
    sheet = load_workbook(BytesIO(api.files[workbook.params["file_id"]])).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[0], row[1], row[3], row[4]) for row in rows] == [
        ("Cusco", "Eva Ccori", "falta", "—"),
        ("Puno", "Ana Quispe", "a tiempo", 1),
        ("Puno", "Luis Mamani", "con retraso", 4),
    ]
    assert rows[1][7] == "Capacitación en REINFO"

    # A Cusco coordinator sees Cusco only.
    (months,) = await carlos.say("/informes_equipos")
    await carlos.press(months, "Diciembre 2026")
    scoped = await carlos.reply()
    assert "Cusco: 0 de 1" in scoped.text and "Puno" not in scoped.text
    assert "Ana" not in scoped.text
    await carlos.press(scoped, "Descargar XLSX")
    document = await carlos.reply(WORKBOOK_WAIT)
    sheet = load_workbook(BytesIO(api.files[document.params["file_id"]])).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Cusco"]

    # Personal data: the report is in Ana's export; erasing Luis's data erases what he wrote
    # and keeps the report for the indicator.
    _intro, export = await ana.say("/mis_datos", 2)
    (mine,) = json.loads(api.files[export.params["file_id"]])["informes_del_equipo_regional"]
    async with runtime.db.session() as session:
        ana_id = select(Person.id).where(Person.telegram_id == ana.id).scalar_subquery()
        granted = await session.scalar(
            select(TeamMember.granted_at).where(TeamMember.person_id == ana_id)
        )
    es = translator("es", runtime.settings.timezone)
    assert mine["mes"] == es.month(2026, 12) and mine["casos_atendidos"] == 1
    team = json.loads(api.files[export.params["file_id"]])["equipo_regional"]
    assert team == {"region": "Puno", "desde": es.datetime(granted)}
    (question,) = await luis.say("/borrar_mis_datos")
    await luis.press(question, "Sí, borrar")
    await luis.reply()
    async with runtime.db.session() as session:
        erased = (await session.scalars(select(TeamReport).where(TeamReport.cases == 4))).one()
    assert erased.activities == ERASED_TEXT and erased.next_steps is None


async def _coordinator_at_the_overview(
    api: LocalBotApi, runtime: Runtime, monkeypatch
) -> tuple[Chatter, Chatter, BotEvent, BotEvent, int]:  # type: ignore[no-untyped-def]
    """Rosa (administrator) at December's overview of Ana's report, Eva registered in
    Cusco, and one report worker up (the workbook's job can only go to it): Rosa, Eva, the
    months' message, the overview and the worker's pid."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 7401, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    eva = Chatter(api, 7402, "Eva", last_name="Ccori")
    await register(eva, region="Cusco")
    await _team(runtime, ana)
    await _until(runtime, 2026, 12, 10)
    (summary,) = await _report(ana, "Diciembre 2026", registered="0 casos")
    await ana.press(summary, "Enviar el informe")
    await ana.reply()
    (months,) = await rosa.say("/informes_equipos")
    await rosa.press(months, "Diciembre 2026")
    overview = await rosa.reply()
    assert "Puno: 1 de 1 envió su informe" in overview.text  # «enviaron» with 0 or 2
    monkeypatch.setattr(workers, "WORKERS", 1)
    workers.stop()
    worker = await workers.run("os:getpid")
    assert worker != os.getpid()
    assert overview.message_id is not None and months.message_id is not None
    return rosa, eva, months, overview, worker


async def test_the_workbook_is_built_in_a_worker_while_others_are_answered(
    api: LocalBotApi, app: Application, runtime: Runtime, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The coordinators' workbook is built in the report worker (bot/workers.py), as every
    other workbook: with that worker stopped (SIGSTOP) the coordinator's press is answered
    at once («Preparando el archivo…»: answered after the work it came with the file, and
    past Telegram's few seconds not at all), the file waits while another person is
    answered; let go (SIGCONT), the coordinator gets the right file, and the module that
    builds it was loaded in that worker."""
    rosa, eva, _months, overview, worker = await _coordinator_at_the_overview(
        api, runtime, monkeypatch
    )
    assert overview.message_id is not None
    data = overview.find_button("Descargar XLSX")["callback_data"]
    os.kill(worker, signal.SIGSTOP)
    try:
        query = await api.press_button(rosa.id, overview.message_id, data)
        # The press answered before the work, not after it: Telegram takes the answer only
        # for seconds, and the notice is for the wait (it came with the file, or was refused).
        answer = await api.callback_answer(query, REPLY_WAIT)
        assert answer["text"] == "Preparando el archivo…"
        (help_text,) = await eva.say("/ayuda", timeout=REPLY_WAIT)
        assert "/menu" in help_text.text
        assert api.drain(rosa.id) == []  # the file can only come from the stopped worker
    finally:
        os.kill(worker, signal.SIGCONT)
    workbook = await rosa.reply(WORKBOOK_WAIT)
    assert workbook.method == "sendDocument"
    sheet = load_workbook(BytesIO(api.files[workbook.params["file_id"]])).active
    assert sheet is not None and sheet.title == "Diciembre 2026"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [(row[0], row[1], row[3], row[4], row[5]) for row in rows] == [
        ("Puno", "Ana Quispe", "a tiempo", 0, "Dos charlas de formalización en Juliaca")
    ]
    # Built there: the module that builds it was loaded in that worker (and the bot's own
    # process never needed it).
    assert await workers.run("tests.worker_jobs:loaded", "bot.services.team_report_xlsx") == (
        worker,
        True,
    )
    workers.stop()  # the pool of one worker is this test's


async def test_a_press_while_her_workbook_is_built_is_answered_at_once(
    api: LocalBotApi, app: Application, runtime: Runtime, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """While Rosa's workbook is built (its worker stopped here; a cold worker or a big
    workbook takes seconds), her next press is answered at once: Telegram takes a press's
    answer for a few seconds only, then refuses it and her button spins. One person's
    updates are handled in order (bot/updates.py), and the workbook was built inside the
    update that asked for it: her press waited for the build (a strict xfail until
    handlers/workbooks.py built it after the update)."""
    rosa, _eva, months, overview, worker = await _coordinator_at_the_overview(
        api, runtime, monkeypatch
    )
    assert overview.message_id is not None and months.message_id is not None
    xlsx = overview.find_button("Descargar XLSX")["callback_data"]
    december = months.find_button("Diciembre 2026")["callback_data"]
    os.kill(worker, signal.SIGSTOP)
    try:
        await api.callback_answer(await api.press_button(rosa.id, overview.message_id, xlsx))
        second = await api.press_button(rosa.id, months.message_id, december)
        try:
            await api.callback_answer(second, 5)
            waited = False
        except TimeoutError:
            waited = True
    finally:
        os.kill(worker, signal.SIGCONT)
    assert (await rosa.reply(WORKBOOK_WAIT)).method == "sendDocument"
    await api.callback_answer(second, WORKBOOK_WAIT)  # the same overview: nothing to edit
    workers.stop()  # the pool of one worker is this test's
    assert not waited, "her press waited for the workbook's build"


async def test_membership_is_granted_never_taken_from_the_profile(
    api: LocalBotApi, bot: Settings, runtime: Runtime, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """A person who sets «Equipo Regional de apoyo» in their own profile is not a member (they
    would report for a region and read its case count); an administrator's grant makes one."""
    ana = Chatter(api, 7301, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    async with runtime.db.session() as session:
        await people.update(session, ana.id, institution="regional_team")  # her own /perfil
    (refused,) = await ana.say("/informe_mensual")
    assert "es para los Equipos Regionales" in refused.text

    monkeypatch.setenv("DATABASE_URL", bot.database_url)

    def admin(*args: str) -> int:
        try:
            return main(["admin", *args])
        except SystemExit as stop:
            return int(stop.code or 0)

    assert await asyncio.to_thread(admin, "agregar-equipo", "7999", "--region", "Puno") == 1
    assert "aún no está registrado" in capsys.readouterr().err
    assert await asyncio.to_thread(admin, "agregar-equipo", str(ana.id), "--region", "Narnia") == 2
    assert await asyncio.to_thread(admin, "agregar-equipo", str(ana.id), "--region", "cusco") == 0
    assert "Equipo Regional de Cusco" in capsys.readouterr().out
    heading, months = await ana.say("/informe_mensual", 2)
    assert heading.text.startswith("Informe mensual del Equipo Regional")
    await ana.press(months, "Cancelar")
    await ana.reply()
    assert await asyncio.to_thread(admin, "quitar-equipo", str(ana.id)) == 0
    (refused,) = await ana.say("/informe_mensual")
    assert "es para los Equipos Regionales" in refused.text
    assert await asyncio.to_thread(admin, "quitar-equipo", str(ana.id)) == 1
    async with runtime.db.session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
        assert await session.scalar(select(TeamMember.person_id)) is None
    assert actions.count("grant_team") == 1 and actions.count("revoke_team") == 1
