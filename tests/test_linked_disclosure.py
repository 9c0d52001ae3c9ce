"""Issue #13, the attacks on the database: figures of people that one table hid and another
showed, or that followed from the others by subtraction. Each dataset is the smallest that
gave a person away before the fix (see each test)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import translator
from bot.services.indicators import query_for
from bot.services.indicators.common import Indicator, Period, Table
from bot.services.indicators.visits import study_visits
from storage.db import Database
from storage.models import Person, Visit, VisitParticipant

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
YEAR = Period.year(2026)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
JUNE = datetime(2026, 6, 10, 9, tzinfo=LIMA)


def rows(table: Table) -> dict[object, tuple[object, ...]]:
    return {row[0]: row[1:] for row in table.rows}


async def _people(session: AsyncSession, people: list[tuple[str, str, str]]) -> list[int]:
    """(region, sex, position) each; their ids."""
    ids = []
    for number, (region, sex, position) in enumerate(people, start=1):
        person = Person(
            telegram_id=8100 + number, full_name=f"P{number}", sex=sex, region_code=region,
            position=position, consent_at=LONG_AGO, registered_at=LONG_AGO,
        )  # fmt: skip
        session.add(person)
        await session.flush()
        ids.append(person.id)
    return ids


async def _visits(db: Database, region: str | None = None) -> Indicator:
    async with db.session() as session:
        return await study_visits(await query_for(session, YEAR, region, T))


async def test_one_leader_and_one_official_in_study_visits(db: Database) -> None:
    """Three leaders from Lima travel; Puno's governor accepts and travels; one official from
    Cusco declines. Before the fix the table of leaders and officials read «Funcionarios/as:
    1 · 0 · 0» (the Cusco official's «No puedo», while the table by region hid Cusco) and the
    pilot table «Puno: 1 · 1 · 1» (the governor's answer, Puno hidden by region)."""
    async with db.session() as session:
        ids = await _people(
            session,
            [("lima", "male", "Gerente Regional")] * 3
            + [("puno", "female", "Gobernadora"), ("cusco", "male", "Especialista")],
        )
        visit = Visit(
            code="V1", title="Visita", destination="Canadá", starts_at=JUNE,
            ends_at=JUNE + timedelta(days=7), audience={}, reminder_offsets={"seconds": []},
            status="scheduled",
        )  # fmt: skip
        session.add(visit)
        await session.flush()
        for person in ids:
            going = person != ids[-1]
            session.add(
                VisitParticipant(
                    visit_id=visit.id, person_id=person,
                    answer="accepted" if going else "declined",
                    travelled_at=JUNE if going else None,
                )
            )  # fmt: skip
    indicator = await _visits(db)
    split, by_region, _by_sex, pilots = indicator.tables
    assert rows(by_region)["Cusco"][1:3] == (None, None)
    assert rows(by_region)["Puno"][1:3] == (None, None)
    assert rows(split)["Funcionarios/as"] == (1, None, None)
    assert rows(split)["Líderes regionales"] == (4, None, None)
    assert rows(pilots)["Puno"] == (None, None, None, "Sí")
    # Puno's own report: the same person, the same «—».
    puno = await _visits(db, "puno")
    assert rows(puno.tables[3])["Puno"] == (None, None, None, "Sí")
    assert rows(puno.tables[0])["Líderes regionales"] == (1, None, None)
