"""End to end (the CLI, `python -m bot informe`): the report's limit (REPORT_SECONDS) holds
for every check whose work grows with the data, not only indicator 3's exact reader
(tests/test_report_limit.py): the linear systems of `recoverable` (indicator 3's ratings
beside /taller, indicators 1, 2 and 9), indicator 4's officials and months
(`linked_counts`, `case_month_moves`) and the sexes /registrados' zeros make 4 and 5 hide
(`registered_zeros`), each region's part of each workshop (`training_parts`, indicators 3
and 7). Past the limit each hides more, never less, and the report says why.

The data: the indicators bench's seeder, scaled down to 400 people; the last quarter of
2026 (one reading: a workshop rated by some 300 people, a few dozen cases). Read in full it
shows every workshop's average and the cases and formalization by sex; with the limit
lowered to a moment, before the first check, each of those checks reads nothing: on main
the report still showed all of them (only indicator 3's exact reader had the limit)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bench.seed_indicators import seed
from bot import workers
from bot.services import exact_cells
from bot.services.indicators.training_parts import extra_sexes, parts_pinned
from storage.db import Database
from storage.migrate import upgrade
from tests.test_indicators_chat import informe
from tests.test_report_limit import LIMIT, NOTE, _table, cover_note
from tests.test_training_parts import NOTHING, _data

QUARTER = ("--desde", "2026-07-01", "--hasta", "2026-09-30")
Rows = dict[tuple[str, str, Any], list[Any]]


@pytest.fixture
async def seeded(tmp_path: Path) -> str:
    """A SQLite Minka of 400 people with workshops, meetings and cases."""
    path = tmp_path / "minka.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db.engine)
    await db.dispose()
    await asyncio.to_thread(seed, path, 400)
    return db.url


async def _report(url: str, output: Path, monkeypatch, capsys, seconds: float | None) -> Any:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", url)
    # Its workers at 0, as the tests' bots' (conftest): at the CLI's 10 they starved behind
    # the other tests' processes and the full reading passed REPORT_SECONDS' 300 s of wall.
    monkeypatch.setenv("WORKER_NICE", "0")
    if seconds is None:
        monkeypatch.delenv("REPORT_SECONDS", raising=False)
    else:
        monkeypatch.setenv("REPORT_SECONDS", str(seconds))
    code = await informe(*QUARTER, "--salida", str(output))
    said = capsys.readouterr()
    assert code == 0, said.err
    return load_workbook(output), said.out


# CI run 27b: 66 s. Its full reading (`python -m bot informe`, Q3, 400 people, load ~18) took
# 221 s on 98b13ea against 74 s on 9361aa7: indicator 5 130 s (14 s before), 6 31 s (0.1 s).
# Started first, at the head of a worker's share, so it does not hold up the run's end.
@pytest.mark.long(60)
async def test_past_the_limit_every_growing_check_hides_more_never_less(
    seeded: str, tmp_path: Path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    full, out = await _report(seeded, tmp_path / "full.xlsx", monkeypatch, capsys, None)
    assert NOTE not in out and cover_note(full) is None
    assert workers._pool.nice == 0  # WORKER_NICE, as the bot's
    cut, out = await _report(seeded, tmp_path / "cut.xlsx", monkeypatch, capsys, LIMIT)
    assert NOTE in out and cover_note(cut) == NOTE  # the coordinator is told why

    # Indicator 3: every workshop's row (the check beside /taller, `recoverable`).
    workshops = {row[0]: row[7:12] for row in _table(_rows(full, "3"), "Cada taller")}
    assert any(value is not None and value != "—" for row in workshops.values() for value in row)
    limited = {row[0]: row[7:12] for row in _table(_rows(cut, "3"), "Cada taller")}
    assert workshops.keys() == limited.keys()
    assert {value for row in limited.values() for value in row} == {"—"}
    # Indicators 4 and 5 by sex (`linked_counts`, `registered_zeros`): every sex hidden.
    for number, title in ((4, "Casos por sexo"), (5, "Formalización por sexo")):
        shown = _table(_rows(full, str(number)), title)
        assert any(isinstance(v, int | float) for row in shown for v in row[1:3])
        hidden = [r for r in _table(_rows(cut, str(number)), title) if r[0] != "Total"]
        assert {v for row in hidden for v in row[1:3]} == {"—"}, (number, hidden)

    # And nothing shown past the limit that the full reading hides, or shows otherwise.
    whole, part = _cells(full), _cells(cut)
    for key, values in part.items():
        for index, value in enumerate(values[1:], start=1):
            if value not in ("—", None):
                assert whole[key][index] == value, (key, index)
    assert sum(v == "—" for r in part.values() for v in r) > sum(
        v == "—" for r in whole.values() for v in r
    )


def _rows(book: Any, number: str) -> list[list[Any]]:
    sheet = next(book[name] for name in book.sheetnames if name.startswith(number))
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _cells(book: Any) -> Rows:
    """Every row of every sheet, by sheet, the title of its table and its first cell (a
    table's title: a row of one value; a row may come or go between two readings, as a sex
    hidden whole does, so rows are matched by their label, not their place)."""
    cells: Rows = {}
    for name in book.sheetnames[1:]:  # the cover's «Nota» and time of day differ
        title = ""
        for row in book[name].iter_rows(values_only=True):
            values = list(row)
            if values[0] is not None and not any(v is not None for v in values[1:]):
                title = str(values[0])
            elif values[0] is not None:
                cells[(name, title, values[0])] = values
    return cells


def test_the_parts_of_the_workshops_past_the_limit_hide_every_sex() -> None:
    """Indicators 3 and 7 read each region's part of each workshop (`training_parts`), a
    search per cell over the graph of all the parts: on a year of 20,000 people (some 200
    workshops) minutes of CPU for indicator 7 alone, and no limit on main. Past the report's
    limit, no count is read as free, so the national tables by sex hide every sex (where
    the full reading hides two of the raters'). `exact_cells.UNTIL` is the report's limit
    since daa6885 (`report_limit.UNTIL` now, the same variable), so this ran on main: it
    hid what the full reading hides, past the limit."""
    parts, people, cells = _data()
    full = extra_sexes(parts, people, cells, NOTHING, NOTHING)
    assert full == {"attendees": frozenset(), "raters": frozenset({None, "female"})}
    limit = exact_cells.UNTIL.set(time.monotonic())
    try:
        cut = extra_sexes(parts, people, cells, NOTHING, NOTHING)
        pinned = parts_pinned(parts, people, cells, full, NOTHING)
    finally:
        exact_cells.UNTIL.reset(limit)
    every = frozenset({None, "female", "male"})
    assert cut == {"attendees": every, "raters": every}
    assert pinned is not None  # read in full: None (tests/test_training_parts.py)
