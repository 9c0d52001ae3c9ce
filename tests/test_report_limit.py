"""End to end: a coordinator's indicator report has an overall limit (REPORT_SECONDS).

Indicator 3's exact check once had none but its 600 s safety net per criterion: a year of
100,000 people held a worker some 13 minutes while the coordinator waited. Now the report's
checks share one limit; past it, the exact check reads nothing more and hides every region,
sex and total it had not read (a superset of any answer: nothing more is read by putting two
downloads together), and the report comes. Here the limit is lowered to a moment, so the
check of a quarter of 56 cells of region × sex × workshop (tests/test_exact_scale.py's,
which shows six regions and the women when read in full) is past it from the start."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.indicators import query_for
from bot.services.indicators.periods import Period
from bot.services.indicators.training import training
from tests.chat import Person as Chatter
from tests.helpers import CHECKED_ON, clock_offset_env, register
from tests.test_bounded_averages import T, _seed
from tests.test_exact_scale import BACKGROUND, REGIONS, quarter, shown
from tests.test_indicators_chat import _until_ready, informe

pytestmark = pytest.mark.now(CHECKED_ON)

Q2 = Period.quarter(2026, 2)
LIMIT = 0.01  # seconds: gone before the worker reads the first rating
# Why those ratings show «—», told to the coordinator (the chat's summary, the cover, the CLI).
NOTE = (
    "Algunas cifras no se muestran: la comprobación de privacidad no terminó a "
    "tiempo. Pida el informe de un periodo más corto o inténtelo más tarde."
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"report_seconds": LIMIT})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_past_the_report_limit_its_ratings_are_hidden_and_it_still_comes(
    api: LocalBotApi, runtime: Runtime, admin: Chatter
) -> None:
    await _seed(runtime.db, quarter(1))
    async with runtime.db.session() as session:  # read in full, with no limit
        q = await query_for(session, Q2, None, T, Q2.end(T))
        full = shown(await training(q))
    assert {REGIONS[code] for code in BACKGROUND} | {"Mujer"} <= full
    await register(admin, region="MINEM")
    (periods,) = await admin.say("/indicadores")
    await admin.press(periods, "Trimestre 2 de 2026")
    await admin.press(await admin.reply(), "Todas las regiones")
    progress = await admin.reply()
    assert progress.method == "editMessageText" and "Preparando el informe" in progress.text
    events = await _until_ready(admin)
    summary = next(e for e in events if e.method == "sendMessage")
    assert "Ámbito: Todas las regiones" in summary.text
    assert f"⚠️ {NOTE}" in summary.text  # why, in the chat
    (document,) = [e for e in events if e.method == "sendDocument"]
    book = load_workbook(BytesIO(api.files[document.params["file_id"]]))
    assert cover_note(book) == NOTE  # and on the workbook's cover
    _all_ratings_hidden(book)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_cli_report_has_the_same_limit_and_says_why(
    settings: Settings, runtime: Runtime, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """`python -m bot informe` takes REPORT_SECONDS too: it had only the 600 s safety net,
    and read this quarter in full (no note: this test failed without the CLI's limit)."""
    await _seed(runtime.db, quarter(1))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REPORT_SECONDS", str(LIMIT))
    monkeypatch.setenv("CLOCK_OFFSET_SECONDS", clock_offset_env())  # as the bot's
    output = tmp_path / "informe.xlsx"
    code = await informe("--desde", "2026-04-01", "--hasta", "2026-06-30", "--salida", str(output))
    assert code == 0, capsys.readouterr().err
    assert NOTE in capsys.readouterr().out
    book = load_workbook(output)
    assert cover_note(book) == NOTE
    _all_ratings_hidden(book)


def cover_note(book: Workbook) -> object:
    """The value beside «Nota» on the workbook's cover, or None when there is no such row."""
    rows = [[cell.value for cell in row] for row in book["Portada"].iter_rows()]
    return next((row[1] for row in rows if row[0] == "Nota"), None)


def _all_ratings_hidden(book: Workbook) -> None:
    sheet = next(book[name] for name in book.sheetnames if name.startswith("3"))
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # The averages by criterion, and each region's and sex's overall average: «—».
    assert {row[1] for row in _table(rows, "Calificación promedio por criterio")} == {"—"}
    regions, sexes = _table(rows, "Calificación por región"), _table(rows, "Calificación por sexo")
    assert {row[0] for row in regions} >= {REGIONS[code] for code in BACKGROUND}
    assert "Mujer" in {row[0] for row in sexes}
    assert {row[5] for row in regions + sexes} == {"—"}
    # Each workshop's average too: the check of the report beside /taller's (`recoverable`)
    # reads nothing past the limit either (tests/test_report_limit_checks.py).
    assert [row[7] for row in _table(rows, "Cada taller")][:2] == ["—", "—"]


def _table(rows: list[list[object]], title: str) -> list[list[object]]:
    """The rows of the sheet's table whose title starts with `title` (header left out)."""
    start = next(i for i, row in enumerate(rows) if str(row[0]).startswith(title)) + 2
    end = next((i for i in range(start, len(rows)) if rows[i][0] is None), len(rows))
    return rows[start:end]
