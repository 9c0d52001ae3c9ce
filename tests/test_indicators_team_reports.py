"""Indicator 4's figure on the Regional Teams' monthly reports (sent, on time), on a small
dataset whose every number was worked out by hand (comments), on SQLite and PostgreSQL.

Period: the fourth quarter of 2026 (reports for October, November and December); a report is
on time until the 4th of the next month, 00:00 Lima.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.services.indicators.cases import cases_attended
from bot.services.indicators.common import Indicator
from bot.services.indicators.team_reports import settled_from
from storage.db import Database
from storage.models import Person, TeamMember, TeamReport
from tests.indicator_common import LIMA, LONG_AGO, Q4, computed

PEOPLE = {
    "p1": "puno", "p2": "puno", "p3": "puno", "p4": "puno", "p5": "puno",
    "p6": "cusco", "p7": "cusco", "p8": "piura",
}  # fmt: skip
# (person, month, sent at, Lima)
REPORTS = [
    ("p1", "2026-10", datetime(2026, 10, 28, tzinfo=LIMA)),  # on time
    ("p1", "2026-11", datetime(2026, 12, 3, 23, 59, tzinfo=LIMA)),  # on time: the 3rd's end
    ("p1", "2026-12", datetime(2027, 1, 4, tzinfo=LIMA)),  # late: the 4th's first minute
    ("p2", "2026-10", datetime(2026, 11, 4, tzinfo=LIMA)),  # late
    ("p3", "2026-11", datetime(2026, 11, 30, tzinfo=LIMA)),  # on time
    ("p4", "2026-09", datetime(2026, 10, 2, tzinfo=LIMA)),  # September: not the period's
    ("p5", "2027-01", datetime(2027, 1, 30, tzinfo=LIMA)),  # January: neither
    ("p6", "2026-10", datetime(2026, 10, 30, tzinfo=LIMA)),  # on time
    ("p7", "2026-12", datetime(2027, 1, 10, tzinfo=LIMA)),  # late
    ("p8", "2026-11", datetime(2026, 11, 29, tzinfo=LIMA)),  # on time
]


@pytest.fixture
async def dataset(db: Database) -> Database:
    async with db.session() as session:
        ids = {}
        for number, (name, region) in enumerate(PEOPLE.items(), start=1):
            person = Person(
                telegram_id=5000 + number,
                full_name=name,
                sex="female",
                region_code=region,
                institution="regional_team",
                consent_at=LONG_AGO,
                registered_at=LONG_AGO,
            )
            session.add(person)
            await session.flush()
            session.add(TeamMember(person_id=person.id, region_code=region, granted_at=LONG_AGO))
            ids[name] = person.id
        session.add_all(
            TeamReport(
                person_id=ids[who],
                region_code=PEOPLE[who],
                month=month,
                cases=1,
                activities="Actividades",
                submitted_at=at,
            )
            for who, month, at in REPORTS
        )
    return db


async def _compute(db: Database, region: str | None = None) -> Indicator:
    """Read once no report of Q4's months can be sent (1 February 2027): before, a hidden
    region shows nothing (tests/test_team_reports_after_end)."""
    return await computed(db, cases_attended, Q4, region, settled_from(Q4, LIMA))


async def test_team_reports_sent_and_on_time(dataset: Database) -> None:
    indicator = await _compute(dataset)
    # Sent for the period's months: 8 (not p4's September, not p5's January); on time 5.
    assert indicator.headlines[-1].label == "Informes de los Equipos Regionales a tiempo"
    assert indicator.headlines[-1].value == 5 / 8
    # Region, sent, on time, share. Puno: p1 ×3, p2, p3 = 5 sent, 3 on time (p1's October
    # and November, p3's); three people. Cusco's rest on 2 people and Piura's on 1: only how
    # many were sent (together they rest on 3, so Puno beside the total may stay).
    assert list(indicator.tables[-1].rows) == [
        ("Cusco", 2, None, None),
        ("Piura", 1, None, None),
        ("Puno", 5, 3, 0.6),
        ("Total", 8, 5, 5 / 8),
    ]


async def test_team_reports_of_one_region(dataset: Database) -> None:
    cusco = await _compute(dataset, "cusco")  # p6 on time, p7 late: two people, hidden
    assert cusco.headlines[-1].value is None
    assert list(cusco.tables[-1].rows) == [("Cusco", 2, None, None), ("Total", 2, None, None)]
