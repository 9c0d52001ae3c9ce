"""End to end: /indicadores as coordinators use it (period and scope buttons, progress,
summary, charts, workbook), its refusals, and `python -m bot informe`."""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from bot.config import Settings
from bot.local_api import BotEvent, Fault, LocalBotApi
from bot.runtime import Runtime
from storage.models import AuditEntry, Case, Person
from storage.repositories import people
from tests.chat import Person as Chatter
from tests.helpers import CHECKED_ON, clock_offset_env, register

pytestmark = pytest.mark.now(CHECKED_ON)

LIMA = ZoneInfo("America/Lima")


async def _cases(runtime: Runtime) -> None:
    """Three Puno cases (two with the regional team's support) and one Piura case, 2026."""
    async with runtime.db.session() as session:
        author = await session.scalar(select(Person.id).limit(1))
        assert author is not None
        for region, supported, month in (
            ("puno", True, 3),
            ("puno", True, 5),
            ("puno", False, 7),
            ("piura", True, 8),
        ):
            at = datetime(2026, month, 10, 9, 0, tzinfo=LIMA)
            session.add(
                Case(
                    person_id=author,
                    region_code=region,
                    kind="promotion",
                    stratum="pma",
                    supported=supported,
                    description="Charla de promoción",
                    created_at=at,
                    updated_at=at,
                )
            )


async def informe(*args: str) -> int:
    """`python -m bot informe ...` (in a thread: the CLI runs its own event loop)."""
    return await asyncio.to_thread(main, ["informe", *args])


async def _until_ready(person: Chatter) -> list[BotEvent]:
    """Everything Minka sends until it edits the progress message to «listo»."""
    events = []
    while True:
        event = await person.reply(timeout=60)
        events.append(event)
        if event.method == "editMessageText" and "listo" in (event.text or ""):
            return events


async def test_coordinator_gets_summary_charts_and_workbook(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    await register(admin, region="MINEM")
    await _cases(runtime)
    (periods,) = await admin.say("/indicadores")
    assert "¿Qué periodo debe cubrir el informe?" in periods.text
    assert any("Año 2026 (en curso)" in label for label in periods.button_texts())
    await admin.press(periods, "Año 2026")
    scope = await admin.reply()
    assert "Periodo: 1 de enero de 2026 – 31 de diciembre de 2026." in scope.text
    await admin.press(scope, "Todas las regiones")
    progress = await admin.reply()
    assert progress.method == "editMessageText" and "Preparando el informe" in progress.text
    events = await _until_ready(admin)
    summary = next(e for e in events if e.method == "sendMessage")
    assert "Indicadores del programa" in summary.text
    assert "Ámbito: Todas las regiones" in summary.text
    assert "4. Casos atendidos por los GR con el apoyo de los Equipos Regionales" in summary.text
    assert "• Casos registrados: 4" in summary.text
    # March's one case is the first quarter's only one: its report hides its support, so
    # the year does (`joint`); before, the headline printed 3 of 4 here, and 1 of 1 there.
    assert "• Con apoyo del Equipo Regional: —" in summary.text
    assert "• Proporción con apoyo: —" in summary.text
    # Every check read all it had to: no word of one cut short (tests/test_report_limit.py).
    assert "comprobación de privacidad" not in summary.text and "⚠️" not in summary.text
    photos = [e for e in events if e.method == "sendPhoto"]
    assert photos and all(api.files[p.params["file_id"]].startswith(b"\x89PNG") for p in photos)
    assert any("Casos por tipo" in (p.params.get("caption") or "") for p in photos)
    # the captions are escaped HTML: sent without parse_mode, «&» would read «&amp;»
    assert all(p.params.get("parse_mode") == "HTML" for p in photos)
    (document,) = [e for e in events if e.method == "sendDocument"]
    book = load_workbook(BytesIO(api.files[document.params["file_id"]]))
    assert book.sheetnames[0] == "Portada" and len(book.sheetnames) == 10
    cover = book["Portada"]
    assert cover["B3"].value == "1 de enero de 2026 – 31 de diciembre de 2026"
    assert cover["B4"].value == "Todas las regiones"
    notes = [str(row[1].value) for row in cover.iter_rows() if row[0].value == "Nota"]
    assert not any("comprobación de privacidad" in note for note in notes)  # none cut short
    cases_sheet = book[book.sheetnames[4]]
    assert cases_sheet["A1"].value.startswith("4. Casos atendidos")
    values = [[cell.value for cell in row][:3] for row in cases_sheet.iter_rows()]
    assert ["Total", 4, 1.0] in values  # the by-type table's total row, numbers as numbers
    assert events[-1].message_id == progress.message_id
    async with runtime.db.session() as session:
        audited = await session.scalar(select(AuditEntry).where(AuditEntry.action == "indicators"))
    assert audited is not None and audited.target == "20260101-20261231:all"


async def test_regional_coordinator_and_refusals(
    api: LocalBotApi, runtime: Runtime, ana: Chatter
) -> None:
    await register(ana, region="Puno")
    (refused,) = await ana.say("/indicadores")
    assert refused.text == "Solo los coordinadores pueden hacer eso."
    async with runtime.db.session() as session:
        await people.set_role(session, ana.id, "coordinator", "puno")
    await _cases(runtime)
    (periods,) = await ana.say("/indicadores")
    await ana.press(periods, "Trimestre 2 de 2026")
    # A coordinator of one region goes straight to it: no scope question.
    events = await _until_ready(ana)
    progress = events[0]  # then edits of it while it is computed, if slow, and the summary
    summary = next(e for e in events if e.method == "sendMessage" and e is not progress)
    assert "Preparando el informe" in progress.text
    assert events[-1].message_id == progress.message_id  # the progress message, edited
    assert "Ámbito: Puno" in summary.text
    assert "• Casos registrados: 1" in summary.text  # May; March and July are outside
    # A forged button for all regions is refused and audited.
    answer = await ana.press_forged(periods, "ind:go:20260101-20261231:all")
    assert answer["text"] == "Usted no coordina esa región."
    async with runtime.db.session() as session:
        denied = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "indicators", AuditEntry.outcome == "denied"
            )
        )
    assert denied is not None


async def test_cli_report_xlsx_and_csv(
    settings: Settings, runtime: Runtime, ana: Chatter, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    await register(ana, region="Puno")
    await _cases(runtime)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLOCK_OFFSET_SECONDS", clock_offset_env())  # 2026 in progress
    output = tmp_path / "informe.xlsx"
    year = ["--desde", "2026-01-01", "--hasta", "2026-12-31"]
    code = await informe(*year, "--region", "puno", "--salida", str(output))
    assert code == 0, capsys.readouterr().err
    book = load_workbook(output)
    assert book["Portada"]["B4"].value == "Puno"
    cover = book["Portada"].iter_rows()
    notes = [str(row[1].value) for row in cover if row[0].value == "Nota"]
    assert not any("comprobación de privacidad" in note for note in notes)  # none cut short
    assert "comprobación de privacidad" not in capsys.readouterr().out
    folder = tmp_path / "csv"
    assert await informe(*year, "--salida", str(folder), "--formato", "csv") == 0
    by_type = next(folder.glob("4-1-*.csv"))
    with by_type.open(encoding="utf-8-sig") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["Tipo", "Casos", "Proporción (%)"]
    assert ["Promoción", "4", "100.0"] in table
    bad_day = ["--desde", "2026-13-01", "--hasta", "2026-12-31"]
    assert await informe(*bad_day, "--salida", str(output)) == 2
    assert "no es una fecha AAAA-MM-DD válida" in capsys.readouterr().err
    assert await informe(*year, "--region", "Narnia", "--salida", str(tmp_path / "n.xlsx")) == 2
    assert "no reconozco la región «Narnia»" in capsys.readouterr().err


async def test_periods_out_of_bounds_are_refused_politely(
    api: LocalBotApi,
    runtime: Runtime,
    admin: Chatter,
    settings: Settings,
    tmp_path: Path,
    monkeypatch,
    capsys,
) -> None:  # type: ignore[no-untyped-def]
    """Forged buttons from year 1 to 9999 are refused at once, not computed for seconds nor
    crashed on (OverflowError past 9999-12-31); the CLI refuses such dates too."""
    await register(admin, region="MINEM")
    (periods,) = await admin.say("/indicadores")
    for data in (
        "ind:p:00010101-00011231",
        "ind:p:99990101-99991231",
        "ind:go:00010101-99991231:all",
        "ind:go:99991231-99991231:all",
        "ind:go:20000101-20991231:all",  # in range, but a century
        "ind:go:20270101-20271231:all",  # a whole year, but not begun
    ):
        answer = await admin.press_forged(periods, data)
        assert answer["text"] == "Ese botón ya no está vigente.", data
    assert admin.no_more() == []
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    far = ["--desde", "0001-01-01", "--hasta", "9999-12-31"]
    assert await informe(*far, "--salida", str(tmp_path / "far.xlsx")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "entre el 2000-01-01 y el 2099-12-31" in err[0]
    assert not (tmp_path / "far.xlsx").exists()


def test_period_bounds() -> None:
    from datetime import date

    from bot.services.indicators.periods import Period

    assert Period(date(2026, 1, 1), date(2035, 12, 31)).allowed  # ten years exactly
    assert not Period(date(2026, 1, 1), date(2036, 1, 1)).allowed
    assert Period(date(2028, 2, 29), date(2038, 2, 28)).allowed  # from a leap day
    assert not Period(date(2028, 2, 29), date(2038, 3, 1)).allowed
    assert not Period(date(2026, 3, 2), date(2026, 3, 1)).allowed
    assert Period.from_code("20260101-20260331") == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert Period.from_code("99991231-99991231") is None


def test_period_buttons_across_the_new_year() -> None:
    """On 5 January 2027 the quarters offered reach back into 2026; only whole quarters and
    years that have begun can be chosen (an old keyboard's still can)."""
    from datetime import date

    from bot.i18n import translator
    from bot.services.indicators.periods import Period, chosen
    from handlers.indicators import period_choices

    today = date(2027, 1, 5)
    choices = period_choices(translator("es", LIMA), today)
    assert [label for label, _period in choices] == [
        "Trimestre 1 de 2027 (en curso)",
        "Trimestre 4 de 2026",
        "Trimestre 3 de 2026",
        "Trimestre 2 de 2026",
        "Año 2027 (en curso)",
        "Año 2026",
    ]
    assert choices[1][1] == Period(date(2026, 10, 1), date(2026, 12, 31))
    assert all(chosen(period.code, today) == period for _label, period in choices)
    assert chosen("20250101-20250331", today) == Period.quarter(2025, 1)  # older, still whole
    assert chosen("20250101-20251231", today) == Period.year(2025)
    for code in (
        "20260101-20260630",
        "20260102-20260331",
        "20260201-20260430",
        "20270401-20270630",
    ):
        assert chosen(code, today) is None, code
    assert chosen("20270401-20270630", today) is None  # not begun


async def test_no_two_periods_differ_by_a_day(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    """#13: 1 January–30 June and 1 January–1 July, subtracted, gave 1 July's data (one
    woman's rating in Puno); so did «the last 12 months» asked on two days in a row. Only
    whole quarters and years are offered now, and a forged button for any other period (or
    the old «other dates» form) is refused before anything is computed."""
    await register(admin, region="MINEM")
    (periods,) = await admin.say("/indicadores")
    today = runtime.clock.now().astimezone(LIMA).date()
    quarter = (today.month - 1) // 3 + 1
    quarters = [(today.year * 4 + quarter - 1 - back) for back in range(4)]
    expected = [f"Trimestre {n % 4 + 1} de {n // 4}" for n in quarters]
    expected[0] += " (en curso)"
    expected += [f"Año {today.year} (en curso)", f"Año {today.year - 1}"]
    assert periods.button_texts() == expected
    for data in (
        "ind:dates",
        "ind:p:20260101-20260701",
        "ind:p:20260101-20260630",  # two whole quarters, but neither a quarter nor a year
        "ind:go:20260101-20260701:all",
        "ind:go:20260102-20260331:all",
        "ind:go:20251204-20261203:all",  # the old «last 12 months»
    ):
        answer = await admin.press_forged(periods, data)
        assert answer["text"] == "Ese botón ya no está vigente.", data
    assert admin.no_more() == []
    (typed,) = await admin.say("2026-01-01 2026-07-01")  # no form is listening
    assert "Periodo" not in typed.text and "Preparando" not in typed.text


async def test_the_report_resumes_after_flood_control_without_repeating_itself(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    """Flood control that outlasts the rate limiter's retries on a chart (429 with
    retry_after) makes the report wait and go on where it stopped: every part arrives,
    and the summary already sent is not sent again."""
    await register(admin, region="MINEM")
    await _cases(runtime)
    (periods,) = await admin.say("/indicadores")
    await admin.press(periods, "Año 2026")
    scope = await admin.reply()
    api.inject("sendPhoto", Fault.too_many_requests(1), times=4)
    await admin.press(scope, "Todas las regiones")
    await admin.reply()  # progress
    events = await _until_ready(admin)
    summaries = [e for e in events if "Indicadores del programa" in (e.text or "")]
    assert len(summaries) == 1, [e.method for e in events]
    assert [e.method for e in events].count("sendDocument") == 1
    assert any(e.method == "sendPhoto" for e in events)
