"""A quarter that moves after it ends: `talleres importar` updates a workshop by its code, its
start and end included (`workshop_import`), so a workshop held in a quarter and moved to
another date by a re-import after the quarter's end took its attendees out of the quarter.

Puno has one woman and eight men; Cusco, Tacna and Piura eight of each. In February Puno's
workshop has seven of its men (six rate), and one workshop in each other region five women
and five men who rate, a woman and a man who do not. On 20 March a workshop in Puno has only
its woman, who rates it; its survey has closed by 1 April. Indicator 3's national report of
Q1 read on 1 April; on 10 April a coordinator's file moves that workshop to 20 April; read
again on 11 April: Puno's attendees fell by 1, every other region's by 0, women's by 1
(`told` read backwards). So the one attendee taken out was Puno's only woman: she attended,
a cell of one person that Puno's own report hides (on main f6c0c7f this test failed: Puno 8
then 7 attendees, women 19 then 18). Fixed: an import may not change the start or end of a
workshop that has started (`workshop_import._moved_after_start`): the file is refused whole,
with the line and the reason, as any other problem."""

from __future__ import annotations

from datetime import datetime
from functools import partial

import pytest

from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.training import ATTENDEES, training
from bot.services.workshop_import import import_workshops
from storage.db import Database
from tests import two_readings as readings
from tests.workshop_rows import add_workshop, february_workshops

LIMA, Q1, T = readings.LIMA, readings.Q1, readings.T
FEB, LATE = datetime(2026, 2, 10, 10, tzinfo=LIMA), datetime(2026, 3, 20, 10, tzinfo=LIMA)
MOVED = (
    "codigo,titulo,tema,inicio,fin,region,lugar,facilitador\n"
    "PUNO-W9,Taller PUNO-W9,,2026-04-20 10:00,2026-04-20 13:00,Puno,,\n"
)


async def _read(db: Database, region: str | None, now: datetime) -> Indicator:
    async with db.session() as session:
        return await training(await query_for(session, Q1, region, T, now))


def _attendees(indicator: Indicator, first: str) -> dict[str, object]:
    return readings.column(indicator, first, T.gettext(ATTENDEES))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_workshop_moved_after_its_quarter_gives_no_one_away(db: Database) -> None:
    async with db.session() as session:
        puno = await february_workshops(session, FEB)
        await add_workshop(session, "PUNO-W9", "puno", LATE, {puno[0]: 4})
        await session.commit()
    before = await _read(db, None, readings.FIRST)
    async with db.session() as session:  # a coordinator's file moves it on 10 April
        result = await import_workshops(session, MOVED.encode(), now=readings.CHANGED)
        await session.commit()
    after = await _read(db, None, readings.SECOND)
    assert not readings.told(after, before, _attendees, "Puno")
    own = partial(_read, db, "puno")
    dates = (readings.FIRST, readings.SECOND)
    await readings.unmoved((before, after), own, dates, _attendees, 8)
    (problem,) = result.problems  # the file is refused, nothing written
    assert problem.line == 2 and "ya empezó" in problem.reason
