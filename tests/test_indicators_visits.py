"""Indicator 9 (participation of regional leaders in study visits) on a small dataset whose
every number was worked out by hand (comments), on SQLite and PostgreSQL.

Period: the fourth quarter of 2026 in Lima (1 October 00:00 to 1 January 2027 00:00, -05:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators import build_report
from bot.services.indicators.common import Indicator
from bot.services.indicators.render import summary_messages
from bot.services.indicators.visits import DEFINITION, study_visits
from bot.services.indicators.xlsx import report_xlsx
from bot.services.visits import DEFAULT_LEADER_WORDS, is_leader_position, leader_words
from storage.db import Database
from storage.models import Person, Visit, VisitParticipant
from tests.indicator_common import END, LIMA, LONG_AGO, Q4, START, T, computed, rows

NOV = datetime(2026, 11, 10, tzinfo=LIMA)

# name: (sex, region, position)
PEOPLE: dict[str, tuple[str, str, str]] = {
    "p1": ("female", "puno", "Gobernadora Regional"),
    "p2": ("male", "puno", "Director Regional de Energía y Minas"),
    "p3": ("female", "puno", "Especialista"),
    "p4": ("male", "pasco", "GERENTE REGIONAL"),
    "p5": ("female", "pasco", "Analista"),  # corrected: a leader
    "p6": ("male", "piura", "Gerente"),  # corrected: an official
    "p7": ("female", "cusco", "Gobernadora"),
    "p8": ("male", "moquegua", "Gobernador"),
    "p9": ("female", "la-libertad", "Vicegobernadora"),
}
# V1 departs in November; V2 at the period's end (out); V3 at its first minute (in).
VISITS = {"V1": NOV, "V2": END, "V3": START}
WORDS = leader_words(DEFAULT_LEADER_WORDS)
# (visit, person, answer, travelled, leader correction)
PARTICIPANTS: list[tuple[str, str, str, bool, bool | None]] = [
    ("V1", "p1", "accepted", True, None),
    ("V1", "p2", "accepted", False, None),
    ("V1", "p3", "declined", False, None),
    ("V1", "p4", "accepted", True, None),
    ("V1", "p5", "accepted", True, True),
    ("V1", "p6", "accepted", True, False),
    ("V1", "p7", "pending", False, None),
    ("V1", "p9", "pending", False, None),
    ("V2", "p8", "accepted", True, None),
    ("V3", "p9", "accepted", True, None),
]


async def _seed(session: AsyncSession) -> None:
    people = {}
    for number, (name, (sex, region, position)) in enumerate(PEOPLE.items(), start=1):
        person = Person(
            telegram_id=5000 + number,
            full_name=name,
            sex=sex,
            region_code=region,
            position=position,
            consent_at=LONG_AGO,
            registered_at=LONG_AGO,
        )
        session.add(person)
        await session.flush()
        people[name] = person.id
    visits = {}
    for code, departs in VISITS.items():
        visit = Visit(
            code=code,
            title=f"Visita {code}",
            destination="Canadá",
            starts_at=departs,
            ends_at=departs + timedelta(days=7),
            audience={},
            reminder_offsets={"seconds": []},
            status="scheduled",
        )
        session.add(visit)
        await session.flush()
        visits[code] = visit.id
    session.add_all(
        VisitParticipant(
            visit_id=visits[visit],
            person_id=people[who],
            answer=answer,
            travelled_at=VISITS[visit] if travelled else None,
            confirmed_at=VISITS[visit] - timedelta(days=5) if travelled else None,
            leader=leader,
            # as bot.services.visits.create keeps it: by the position at the invitation
            invited_as_leader=is_leader_position(PEOPLE[who][2], WORDS),
        )
        for visit, who, answer, travelled, leader in PARTICIPANTS
    )


@pytest.fixture
async def dataset(db: Database) -> Database:
    async with db.session() as session:
        await _seed(session)
    return db


async def _compute(db: Database, region: str | None = None) -> Indicator:
    return await computed(db, study_visits, Q4, region)


async def test_leaders_in_study_visits(dataset: Database) -> None:
    indicator = await _compute(dataset)
    assert indicator.number == 9 and indicator.definition == T.gettext(DEFINITION)
    # In the period: V1 and V3 (V2 departs at the end). P9 is in both: counted once.
    # Invited P1–P7, P9 = 8; accepted P1 P2 P4 P5 P6 P9 = 6; travelled P1 P4 P5 P6 P9 = 5.
    # Leaders: P1 P2 P4 P7 P9 by position, P5 by correction (P6 corrected away) = 6 invited;
    # accepted P1 P2 P4 P5 P9 = 5; travelled P1 P4 P5 P9 = 4. Pilot regions covered (a leader
    # travelled): La Libertad (P9), Pasco (P4, P5), Puno (P1) = 3 of 6; Moquegua's P8 went
    # on V2 (out), Piura's P6 is an official.
    # Small cells (issue #13): the 2 officials (P3 declined, P6 travelled) are fewer than 3,
    # and the leaders' figures are theirs subtracted from everyone's (6 accepted − 5 = 1,
    # P6): so the leaders' accepted and travelled are hidden wherever they appear.
    # Puno's «Cubierta: Sí» (a leader of Puno travelled) beside Puno's 1 traveller of 3
    # would tell that P3, Puno's one official, did not travel: it goes, and with it the
    # count of regions covered, which would give it back (`visit_pilots.covered_hidden`).
    assert [h.value for h in indicator.headlines] == ["6 / — / —; — de 6"]
    kinds, by_region, by_sex, pilots = indicator.tables
    assert rows(kinds) == {
        "Líderes regionales": (6, None, None),
        "Funcionarios/as": (2, None, None),
    }
    # invited, accepted, travelled, leaders invited, leaders travelled, share of travellers
    # who are leaders. Regions of fewer than 3 people are hidden; Puno (P1 P2 P3) shows,
    # but not its 2 leaders' travel (P1 yes, P2 no), nor the share that would give it.
    assert rows(by_region)["Puno"] == (3, 2, 1, 2, None, None)
    assert rows(by_region)["Total"] == (8, 6, 5, 6, None, None)
    assert rows(by_region)["Cusco"] == (1, None, None, None, None, None)
    # Women P1 P3 P5 P7 P9: accepted P1 P5 P9, travelled P1 P5 P9, all leaders but P3.
    # Men P2 P4 P6: accepted all, travelled P4 P6, leaders P2 P4 (travelled P4).
    # The two men who travelled tell their sex (`sex_rule`, as indicator 1's attendees):
    # hidden, and the women with them.
    assert rows(by_sex)["Mujer"] == (None,) * 6
    assert rows(by_sex)["Hombre"] == (None,) * 6
    # A pilot region's leaders invited show as in the table by region (regions of fewer
    # than 3 people hidden), their answers as the leaders' figures; «covered» is the
    # indicator itself: La Libertad (P9), Pasco (P4, P5), Puno (P1, hidden: above).
    assert rows(pilots) == {
        "La Libertad": (None, None, None, "Sí"),
        "Pasco": (None, None, None, "Sí"),
        "Moquegua": (0, 0, 0, "No"),
        "Piura": (None, None, None, "No"),
        "Puno": (2, None, None, None),
        "Madre de Dios": (0, 0, 0, "No"),
    }


async def test_region_scope_workbook_and_summary(dataset: Database) -> None:
    indicator = await _compute(dataset, "puno")
    # Puno's 2 leaders (P1 travelled, P2 did not): their answers hidden; its «Cubierta»
    # too, as in the national report (it would tell that its one official did not travel).
    assert [h.value for h in indicator.headlines] == ["2 / — / —; — de 1"]
    assert rows(indicator.tables[3]) == {"Puno": (2, None, None, None)}
    async with dataset.session() as session:
        report = await build_report(session, Q4, None, T, END)
    (block,) = [text for text in summary_messages(report, T) if "9. " in text]
    assert "Participación de los líderes regionales en las visitas de estudio" in block
    assert "6 / — / —; — de 6" in block
    book = load_workbook(BytesIO(report_xlsx(report, T)))
    cover = [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert T.gettext(DEFINITION) in cover
    assert any(name.startswith("9 ") for name in book.sheetnames)
