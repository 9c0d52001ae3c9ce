"""Indicator 3 read twice while a workshop's survey is still open: the chat offers a quarter
from the day after it ends, and the survey of a workshop of its last week takes answers for 7
days more; a quarter in progress is offered too. Had indicator 3 counted every completed
rating, the averages of n and n + 1 ratings, subtracted, would give the newcomer's rating
(here with her region and sex: every rater is a woman of Puno): it did on main before
indicator 3 counted a workshop's ratings once its survey has closed (`training_reads.
period_ratings`), all at once. The finished quarter is read through the indicator, the
quarter in progress through the workbook a coordinator downloads."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.i18n import translator
from bot.services.indicators import build_report, query_for
from bot.services.indicators.periods import Period
from bot.services.indicators.training import training
from bot.services.indicators.xlsx import report_xlsx
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.db import Database
from storage.models import Workshop, WorkshopAttendance, WorkshopRating
from tests.test_registered_quarters import _person

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
Q1 = Period.quarter(2026, 1)
ENDS = datetime(2026, 3, 30, 12, tzinfo=LIMA)  # the quarter's last workshop ends
MIDWAY = datetime(2026, 3, 10, 12, tzinfo=LIMA)  # a workshop of the quarter in progress ends
COUNTED = "Las respuestas de un taller se cuentan al cerrar su encuesta."
Figures = tuple[float | None, int]


def _rating(person: int, score: int, completed: datetime) -> WorkshopRating:
    return WorkshopRating(
        workshop_id=1, person_id=person, overall=score, content=score, facilitation=score,
        usefulness=score, organization=score, completed_at=completed,
    )  # fmt: skip


async def _workshop(db: Database, ends: datetime) -> list[int]:
    """A workshop of 7 women of Puno ending at `ends`, 6 of whom rated it 4 that evening:
    the people's ids, the seventh's last."""
    async with db.session() as session:
        session.add(
            Workshop(
                id=1, code="W1", title="Taller", region_code="puno",
                starts_at=ends - timedelta(hours=3), ends_at=ends,
                survey_closes_at=ends + SURVEY_OPEN_FOR,
            )
        )  # fmt: skip
        people = [_person("puno", "female", ends - timedelta(days=60)) for _ in range(7)]
        session.add_all(people)
        await session.flush()
        ids = [person.id for person in people]
        for number in ids:
            session.add(WorkshopAttendance(workshop_id=1, person_id=number, checked_in_at=ends))
        for number in ids[:6]:
            session.add(_rating(number, 4, ends + timedelta(hours=5)))
    return ids


async def _rate_last(db: Database, person: int, at: datetime) -> None:
    async with db.session() as session:
        session.add(_rating(person, 1, at))


async def _overall(db: Database, now: datetime) -> Figures:
    """The national report's overall average and its responses, as read at `now`."""
    async with db.session() as session:
        indicator = await training(await query_for(session, Q1, None, T, now))
    _label, average, responses = indicator.tables[0].rows[0]
    return average, responses


async def _workbook(db: Database, now: datetime) -> tuple[Figures, str]:
    """The national workbook's overall average and responses of indicator 3 (its first
    table's first row) as read at `now`, and the sheet's definition."""
    async with db.session() as session:
        report = await build_report(session, Q1, None, T, now)
    book = load_workbook(BytesIO(report_xlsx(report, T)))
    (sheet,) = [book[name] for name in book.sheetnames if name.startswith("3 ")]
    _label, average, responses, *_rest = next(sheet.iter_rows(min_row=6, values_only=True))
    average = None if average == "—" else average
    return (average, responses), str(sheet["A2"].value)


def _newcomer(first: Figures, second: Figures) -> int | None:
    """The rating given between two looks one response apart (None: not told)."""
    if first[0] is None or second[0] is None or second[1] != first[1] + 1:
        return None
    return round(second[0] * second[1] - first[0] * first[1])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_finished_quarter_read_twice_gives_no_rating(db: Database) -> None:
    ids = await _workshop(db, ENDS)
    first = await _overall(db, datetime(2026, 4, 1, 9, tzinfo=LIMA))  # the quarter is offered
    await _rate_last(db, ids[6], datetime(2026, 4, 2, 9, tzinfo=LIMA))  # the survey is open
    second = await _overall(db, datetime(2026, 4, 3, 9, tzinfo=LIMA))
    assert _newcomer(first, second) is None, (first, second)
    assert first == second == (None, 0)
    # Closed, the workshop's seven ratings enter at once: (6 × 4 + 1) / 7.
    assert await _overall(db, ENDS + SURVEY_OPEN_FOR) == (pytest.approx(25 / 7, abs=0.01), 7)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_quarter_in_progress_read_twice_gives_no_rating(db: Database) -> None:
    ids = await _workshop(db, MIDWAY)
    first, definition = await _workbook(db, datetime(2026, 3, 11, 9, tzinfo=LIMA))
    await _rate_last(db, ids[6], datetime(2026, 3, 12, 9, tzinfo=LIMA))
    second, _definition = await _workbook(db, datetime(2026, 3, 13, 9, tzinfo=LIMA))
    assert _newcomer(first, second) is None, (first, second)
    assert first == second == (None, 0)
    assert COUNTED in definition
    closed, _definition = await _workbook(db, MIDWAY + SURVEY_OPEN_FOR)
    assert closed == (pytest.approx(25 / 7, abs=0.01), 7)
