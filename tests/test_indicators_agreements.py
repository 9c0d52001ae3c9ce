"""Indicator 2's figure on meeting agreements (share fulfilled on time), on a small dataset
whose every number was worked out by hand (comments), on SQLite and PostgreSQL.

Period: the first quarter of 2026 in Lima (1 January 00:00 to 1 April 00:00, -05:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.indicators.common import Indicator
from bot.services.indicators.periods import Period
from bot.services.indicators.regularity import meeting_regularity
from bot.services.meetings import KINDS
from storage.db import Database
from storage.models import Meeting, MeetingAgreement, Person
from tests.indicator_common import LIMA, T, computed

Q1 = Period.quarter(2026, 1)
LONG_AGO = datetime(2025, 1, 1, tzinfo=LIMA)
PEOPLE = {"a": "puno", "b": "puno", "c": "cusco", "d": "piura", "e": "puno"}
# code: (kind, status). M3 was cancelled: its agreements do not count.
MEETINGS = {
    "M1": ("coordinacion", "scheduled"),
    "M2": ("comite", "scheduled"),
    "M3": ("coordinacion", "cancelled"),
}
# (meeting, responsible, due date, status, fulfilled at)
AGREEMENTS: list[tuple[str, str, date, str, datetime | None]] = [
    # On time: fulfilled at 23:30 Lima on its due date.
    ("M1", "a", date(2026, 1, 20), "done", datetime(2026, 1, 20, 23, 30, tzinfo=LIMA)),
    # Late: 00:10 Lima the day after (05:10 UTC).
    ("M1", "b", date(2026, 2, 10), "done", datetime(2026, 2, 11, 5, 10, tzinfo=UTC)),
    ("M1", "c", date(2026, 3, 31), "pending", None),  # due the period's last day: counts
    ("M1", "a", date(2026, 3, 5), "in_progress", None),
    ("M1", "d", date(2026, 4, 1), "pending", None),  # due after the period
    ("M1", "e", date(2025, 12, 31), "done", datetime(2025, 12, 30, tzinfo=LIMA)),  # before
    # On time: 23:59 Lima on its due date is 04:59 UTC the next day.
    ("M1", "c", date(2026, 1, 1), "done", datetime(2026, 1, 2, 4, 59, tzinfo=UTC)),
    ("M2", "a", date(2026, 2, 1), "done", datetime(2026, 1, 30, 10, tzinfo=LIMA)),
    ("M2", "b", date(2026, 2, 15), "done", datetime(2026, 2, 15, 10, tzinfo=LIMA)),
    ("M3", "c", date(2026, 2, 1), "done", datetime(2026, 1, 15, tzinfo=LIMA)),
]


@pytest.fixture
async def dataset(db: Database) -> Database:
    async with db.session() as session:
        people = {}
        for number, (name, region) in enumerate(PEOPLE.items(), start=1):
            person = Person(
                telegram_id=4000 + number,
                full_name=name,
                sex="female",
                region_code=region,
                consent_at=LONG_AGO,
                registered_at=LONG_AGO,
            )
            session.add(person)
            await session.flush()
            people[name] = person.id
        meetings = {}
        for code, (kind, status) in MEETINGS.items():
            meeting = Meeting(
                code=code,
                title=f"Reunión {code}",
                kind=kind,
                starts_at=LONG_AGO,
                ends_at=LONG_AGO,
                status=status,
            )
            session.add(meeting)
            await session.flush()
            meetings[code] = meeting.id
        session.add_all(
            MeetingAgreement(
                meeting_id=meetings[code],
                text="Acuerdo",
                responsible_id=people[who],
                due_on=due,
                status=status,
                done_at=done_at,
                created_at=LONG_AGO,
                updated_at=LONG_AGO,
            )
            for code, who, due, status, done_at in AGREEMENTS
        )
    return db


async def _compute(db: Database, region: str | None = None) -> Indicator:
    return await computed(db, meeting_regularity, Q1, region)


async def test_agreements_fulfilled_on_time(dataset: Database) -> None:
    indicator = await _compute(dataset)
    on_time = indicator.headlines[-1]
    table = indicator.tables[-1]
    assert on_time.label == "Acuerdos cumplidos a tiempo"
    # Due in the period: M1's 1st (a, on time), 2nd (b, late), 3rd (c), 4th (a), 7th (c, on
    # time); M2's a and b (both on time). Out: due after or before it, M3 cancelled.
    # On time 4 of 7.
    assert on_time.value == 4 / 7
    coordination, committee = T.gettext(KINDS["coordinacion"]), T.gettext(KINDS["comite"])
    # Columns: due, on time, late, not fulfilled, share on time. The committee's agreements
    # rest on 2 people (a, b): only how many were due; and coordination's with it, or the
    # total minus coordination would give them.
    assert list(table.rows) == [
        (coordination, 5, None, None, None, None),
        (committee, 2, None, None, None, None),
        ("Total", 7, 4, 1, 2, 4 / 7),
    ]


async def test_agreements_of_one_region(dataset: Database) -> None:
    # Puno's responsible people: a and b (e's agreement was due before the period). Two
    # people: nothing but the counts due.
    indicator = await _compute(dataset, "puno")
    assert indicator.headlines[-1].value is None
    hidden = (None,) * 4
    coordination, committee = T.gettext(KINDS["coordinacion"]), T.gettext(KINDS["comite"])
    assert list(indicator.tables[-1].rows) == [
        (coordination, 3, *hidden),
        (committee, 2, *hidden),
        ("Total", 5, *hidden),
    ]
    # Cusco: only c, twice (M1's 3rd, pending; its 7th, on time): one person, hidden.
    cusco = await _compute(dataset, "cusco")
    assert list(cusco.tables[-1].rows) == [(coordination, 2, *hidden), ("Total", 2, *hidden)]
