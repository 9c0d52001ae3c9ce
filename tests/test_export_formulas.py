"""Exports added since the formula guard's tests (issue #13): the meeting workbook's sheet of
agreements, the visit workbook's questionnaire and cover, and the Regional Teams' workbook.
Every text a person typed that starts like a formula (=, +, -, @, tab, carriage return) is a
text cell, never a formula; on SQLite and PostgreSQL. test_disclosure.py covers the
indicators', the workshop's and the meeting's invitee list; test_visit_report.py a visit's
reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from telegram.ext import Application

from bot.i18n import translator
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services import agreements as agreement_rules
from bot.services import meetings as meeting_rules
from bot.services import team_reports
from bot.services import visits as visit_rules
from bot.services.meeting_report import build_report as meeting_report
from bot.services.meeting_xlsx import report_xlsx as meeting_xlsx
from bot.services.visit_report import build_report as visit_report
from bot.services.visit_xlsx import report_xlsx as visit_xlsx
from storage.db import Database
from storage.repositories import agreements as agreement_repo
from storage.repositories import meetings as meeting_repo
from storage.repositories import people
from storage.repositories import visits as visit_repo
from storage.repositories.visits import SurveyAnswers
from tests.chat import WORKBOOK_WAIT
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register, registered_official
from tests.test_spreadsheet_guard import DANGEROUS, FORMULA, assert_formula_is_text

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)


def _as_text(workbook: bytes, *typed: str) -> None:
    """No formula anywhere, and each of `typed` in a cell stored as text."""
    assert_formula_is_text(workbook)
    book = load_workbook(BytesIO(workbook))
    cells = {
        (cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    for value in typed:
        assert (value, "s") in cells, (value, sorted(cells, key=str)[:20])


async def test_agreements_and_the_visit_questionnaire(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.session() as session:
        ids = [
            await registered_official(
                session, 9300 + n, name, region_code="puno", sex="female", position=name
            )
            for n, name in enumerate(DANGEROUS[:3])
        ]
        meeting = await meeting_repo.create(
            session, offsets=[], code="FOR123", title=FORMULA, kind="coordinacion",
            starts_at=now, ends_at=now + timedelta(hours=2), place="@SUM(A1)", link=None,
            agenda="-1+1", audience={},
        )  # fmt: skip
        await meeting_repo.invite(session, meeting.id, ids)
        await agreement_rules.record(
            session, meeting, text="-2+2 acuerdo", responsible_id=ids[0],
            due_on=(now + timedelta(days=20)).date(), created_by=None, now=now, zone=LIMA,
        )  # fmt: skip
        report = await meeting_report(session, meeting.id)
        assert report is not None
        agreements = await agreement_repo.of_meeting(session, meeting.id)
        workbook = meeting_xlsx(report, T, agreements, now.date())
        _as_text(workbook, *DANGEROUS[:4], "-2+2 acuerdo")

        visit, invited = await visit_rules.create(
            session, title=FORMULA, destination="+51 999", starts_at=now + timedelta(days=9),
            ends_at=now + timedelta(days=16),
            audience=await meeting_rules.parse_audience(session, ["region:Puno"]), offsets=[],
            now=now,
            words=visit_rules.leader_words("gobernador"),
        )  # fmt: skip
        assert invited == 3
        for person_id in ids:
            await visit_repo.answer(session, visit.id, person_id, "accepted", now)
            answers = SurveyAnswers(4, ("-1+1", "@SUM(A1)"), "\tTAB", True, FORMULA)
            await visit_repo.save_survey(session, visit.id, person_id, answers, now)
        report = await visit_report(session, visit, visit_rules.leader_words("gobernador"))
        _as_text(visit_xlsx(report, T, now), *DANGEROUS[:5])


async def test_regional_team_reports_workbook(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    """A member types activities and a request for support that start like formulas; the
    coordinator's workbook of the month holds them as text."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    ana = Chatter(api, 7301, "Ana", last_name="Quispe")
    await register(ana, region="Puno")
    async with runtime.db.session() as session:
        person = await people.get(session, ana.id)
        assert person is not None
        await team_reports.appoint(session, person.id, "puno", runtime.clock.now())
    _heading, month = await ana.say("/informe_mensual", 2)
    chosen = month.button_texts()[0]
    await ana.choose(month, chosen)
    await ana.choose(await ana.reply(), "Omitir")  # the cases: the register's count
    await ana.reply()
    (difficulties,) = await ana.say(FORMULA)  # activities
    await ana.choose(difficulties, "Omitir")
    await ana.reply()
    await ana.send("+51 999 apoyo legal")  # support requested
    next_steps = await ana.reply()
    await ana.choose(next_steps, "Omitir")
    summary = await ana.reply()
    await ana.press(summary, "Enviar el informe")
    assert "enviado" in (await ana.reply()).text

    (months,) = await rosa.say("/informes_equipos")
    await rosa.press(months, chosen)
    overview = await rosa.reply()
    await rosa.press(overview, "Descargar XLSX")
    document = await rosa.reply(WORKBOOK_WAIT)
    _as_text(api.files[document.params["file_id"]], FORMULA, "+51 999 apoyo legal")
