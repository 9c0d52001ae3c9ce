"""A quarter that moves after it ends: a workshop's check-in stays open 24 hours after it
ends (`workshops.check_in`), so after a workshop of the quarter's last day it takes
check-ins on the next quarter's first day, and they count in the workshop's quarter
(workshops that start in the period). The chat offers the quarter from its end on.

Puno has one woman and eight men; Cusco, Tacna and Piura eight of each. In February Puno's
workshop has seven of its men (six rate), and one workshop in each other region five women
and five men who rate, a woman and a man who do not. On 31 March, 16:00-19:00 (Lima), a
workshop in Puno has two of its men. Q1's national reports (indicators 3 and 7) read on
1 April at 18:40; Puno's woman checks in at 18:50, ten minutes before the door closes; read
again at 18:55: Puno's attendees 7 -> 8, every other region's the same, the total 43 -> 44
(as /taller shows that workshop's attendees by region while its door is open). No figure by
sex moves: while a survey of the quarter's workshops is open after its end, indicator 3's
attendees and raters by sex are «—» and indicator 7's workshop rows too
(`training_reads.surveys_pending`), and that workshop's survey (7 days) outlives its door
(24 hours). So the readings, subtracted, tell a check-in of Puno, not whose: she is given
away by neither (on main 1b96472 this test passed: no leak). The survey closes six days
after the door, and only then are the quarter's sexes shown, she among them: nothing can
move them any more. Were the survey to close before the door (tried: `SURVEY_OPEN_FOR` of
12 hours), both readings would show the sexes and `told` would find her."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.services import workshops as rules
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.training import ATTENDEES, training
from bot.services.indicators.women import GROUPS, women
from bot.services.workshops import CheckIn
from storage.db import Database
from storage.models import Person
from storage.repositories import people
from tests import two_readings as readings
from tests.workshop_rows import add_workshop, february_workshops

LIMA, Q1, T = readings.LIMA, readings.Q1, readings.T
FEB, LAST = datetime(2026, 2, 10, 10, tzinfo=LIMA), datetime(2026, 3, 31, 16, tzinfo=LIMA)
BEFORE, HER, AFTER = (datetime(2026, 4, 1, 18, m, tzinfo=LIMA) for m in (40, 50, 55))
WORKSHOP_ROWS = [T.gettext(GROUPS[key]) for key in ("attendees", "raters")]


async def _read(db: Database, now: datetime) -> tuple[Indicator, Indicator]:
    """Q1's national indicators 3 and 7 as read at `now`."""
    async with db.session() as session:
        q = await query_for(session, Q1, None, T, now)
        return await training(q), await women(q)


def _attendees(indicator: Indicator, first: str) -> dict[str, object]:
    return readings.column(indicator, first, T.gettext(ATTENDEES))


def _workshop_sexes(read: tuple[Indicator, Indicator]) -> list[object]:
    """Every figure by sex of workshop people: 3's table by sex but its total, 7's rows."""
    three, seven = read
    by_sex = next(t for t in three.tables if t.columns[0].label == "Sexo")
    groups = seven.tables[0]
    rows = [row for row in groups.rows if row[0] in WORKSHOP_ROWS]
    assert len(rows) == len(WORKSHOP_ROWS)
    return [v for row in (*by_sex.rows[:-1], *rows) for v in row[1:]]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_check_in_after_the_quarters_last_workshop_gives_no_one_away(
    db: Database,
) -> None:
    async with db.session() as session:
        puno = await february_workshops(session, FEB)
        last = await add_workshop(session, "W9", "puno", LAST, dict.fromkeys(puno[1:3], 4))
        last.survey_closes_at = last.ends_at + rules.SURVEY_OPEN_FOR
        her = await session.get(Person, puno[0])
        assert her is not None
        await session.commit()
    before = await _read(db, BEFORE)
    async with db.session() as session:  # at the door, ten minutes before it closes
        person = await people.get(session, her.telegram_id)
        assert person is not None
        done = await rules.check_in(session, person, "W9", HER)
        assert done.outcome is CheckIn.DONE and done.survey_now
        await session.commit()
    after = await _read(db, AFTER)
    assert [_attendees(r[0], "Región")["Puno"] for r in (before, after)] == [7, 8]
    assert [_attendees(r[0], "Región")["Total"] for r in (before, after)] == [43, 44]
    for read in (before, after):
        assert set(_workshop_sexes(read)) == {None}
    assert not readings.told(before[0], after[0], _attendees, "Puno")
    # Closed six days after the door, the survey lets the sexes out, she among them.
    closed, _seven = await _read(db, last.survey_closes_at)
    assert _attendees(closed, "Sexo")["Mujer"] == 19
