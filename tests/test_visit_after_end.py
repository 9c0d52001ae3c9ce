"""A quarter that moves after it ends: a study visit's staff mark or unmark who travelled at any
time (/visita's list, `repo.set_flag(travelled_at=...)`), and indicator 9 counted whoever is
marked now, so an unmark after the quarter's end took a traveller out of the quarter then.

Puno has one woman and five men; Cusco and Tacna four of each. A visit of 2-8 March invites
Puno's woman and four of its men, three women and three men of Cusco and of Tacna; all accept;
Puno's woman and three of its men travel, two women and two men of Cusco and of Tacna. Q1's
national report read on 1 April; her mark undone on 10 April; read again on 11 April: Puno's
travelled 4 then 3, every other region's the same, women's 5 then 4 (`told` read
backwards), so the one person unmarked was Puno's only woman: she travelled, a cell of one
that Puno's own report hides (on main cc17707, undone with `repo.set_flag` as /visita's list
did, this test failed). Fixed: who travelled and who is a regional leader no longer change
once the visit's quarter has ended (`visits.toggle_mark`, `quarter_close`); a leader
corrected after the end would move the leaders by region and sex the same way."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator
from bot.services.indicators.visits import study_visits
from bot.services.visits import toggle_mark
from storage.db import Database
from storage.models import Visit, VisitParticipant
from storage.repositories.visits import get, participant
from tests import two_readings as readings

LIMA, Q1, T = readings.LIMA, readings.Q1, readings.T
MARCH = datetime(2026, 3, 2, 8, tzinfo=LIMA)


async def _read(db: Database, region: str | None, now: datetime) -> Indicator:
    async with db.session() as session:
        return await study_visits(await query_for(session, Q1, region, T, now))


def _travelled(indicator: Indicator, first: str) -> dict[str, object]:
    return readings.column(indicator, first, T.gettext("Travelled"))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_traveller_unmarked_after_its_quarter_gives_no_one_away(db: Database) -> None:
    async with db.session() as session:
        people = await readings.add_people(session, readings.MEETING_PEOPLE, readings.LONG_AGO)
        puno, cusco, tacna = people["puno"], people["cusco"], people["tacna"]
        days = {"starts_at": MARCH, "ends_at": MARCH + timedelta(days=6)}
        session.add(visit := Visit(code="V1", title="Visita", destination="Canadá", **days))
        await session.flush()
        her = puno[0].id
        went = [*puno[:4], *cusco[:2], *cusco[4:6], *tacna[:2], *tacna[4:6]]
        session.add_all(
            VisitParticipant(
                visit_id=visit.id, person_id=p.id, answer="accepted", answered_at=MARCH,
                confirmed_at=MARCH, travelled_at=MARCH if p in went else None,
            )
            for p in [*puno[:5], *cusco[:3], *cusco[4:7], *tacna[:3], *tacna[4:7]]
        )  # fmt: skip
        await session.commit()
    before = await _read(db, None, readings.FIRST)
    async with db.session() as session:  # the staff try to undo her mark on 10 April
        found, hers = await get(session, visit.id), await participant(session, visit.id, her)
        assert found is not None and hers is not None
        for mark in ("travelled", "leader"):
            assert not await toggle_mark(session, found, hers, mark, readings.CHANGED, LIMA)
        await session.commit()
    after = await _read(db, None, readings.SECOND)
    assert [_travelled(r, "Región")["Puno"] for r in (before, after)] == [4, 4]
    assert not readings.told(after, before, _travelled, "Puno")
    assert [t.rows for t in before.tables] == [t.rows for t in after.tables]
