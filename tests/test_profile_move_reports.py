"""A closed quarter's meetings (indicators 1 and 7) and study visits (9) read before and after
one invitee moves region in /perfil: their cells were of each person's region and sex now, so
the move carried her from Puno's women to Cusco's, and indicator 7's women by region (Puno
4 of 4, then 3 of 3; Cusco 3 of 6, then 4 of 7) told her sex to whoever sees the move (a
listing names her with her region; none shows her sex). Workshops keep the region and sex a
person had when she took part (tests/test_taller_region_move.py), and invitations the region
and sex she had when invited (`take_snapshot` in storage/models/meetings.py and visits.py),
so the cells stay as they were. (/visita's questionnaire is summed over the whole visit,
never by region: a move changes nothing there.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from bot.i18n import translator
from bot.services import privacy
from bot.services.indicators import query_for
from bot.services.indicators.agreements import agreement_figures
from bot.services.indicators.common import Cells, Query
from bot.services.indicators.meetings import invitation_cells
from bot.services.indicators.periods import Period
from bot.services.indicators.visits import _cells as visit_cells
from bot.services.visits import DEFAULT_LEADER_WORDS, is_leader_position, leader_words
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import (
    Meeting,
    MeetingAgreement,
    MeetingInvitation,
    Person,
    Visit,
)
from storage.repositories import people, visits

LIMA = ZoneInfo("America/Lima")
T = translator("es", LIMA)
Q1 = Period.quarter(2026, 1)
DAY = datetime(2026, 2, 10, 10, tzinfo=LIMA)
NOW = datetime(2026, 5, 20, 12, tzinfo=LIMA)  # Q1 closed
INVITED = [("puno", "female")] * 4 + [("cusco", "female")] * 3 + [("cusco", "male")] * 3
WORDS = leader_words(DEFAULT_LEADER_WORDS)


def _leader(position: str | None) -> bool:
    return is_leader_position(position, WORDS)


async def _invite(db: Database, visit: bool) -> int:
    """Everyone of INVITED to a meeting (or a study visit) of Q1; the Telegram id of Puno's
    first."""
    async with db.session() as session:
        shared = {"code": "UMOVE", "title": "Unidad", "starts_at": DAY, "status": "scheduled"}
        unit: Meeting | Visit = (
            Visit(**shared, destination="Canadá", ends_at=DAY + timedelta(days=7), audience={},
                  reminder_offsets={"seconds": []})
            if visit
            else Meeting(**shared, kind="coordinacion", ends_at=DAY + timedelta(hours=2))
        )  # fmt: skip
        session.add(unit)
        await session.flush()
        for n, (region, sex) in enumerate(INVITED):
            person = Person(
                telegram_id=920_000 + n, full_name=f"P{n}", sex=sex, region_code=region,
                position="Analista", consent_at=DAY - timedelta(days=60),
                registered_at=DAY - timedelta(days=60),
            )  # fmt: skip
            session.add(person)
            await session.flush()
            if visit:  # as bot.services.visits.create invites: the leader kept
                await visits.invite(session, unit.id, [person.id], _leader)
            else:
                session.add(MeetingInvitation(meeting_id=unit.id, person_id=person.id))
        await session.commit()
    return 920_000


async def _read(db: Database, cells: Callable[[Query], Awaitable[Cells]]) -> Cells:
    async with db.session() as session:
        return await cells(await query_for(session, Q1, None, T, NOW))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("visit", [False, True], ids=["meeting", "visit"])
async def test_a_move_of_region_after_the_quarter_changes_no_cell(
    db: Database, visit: bool
) -> None:
    mover = await _invite(db, visit)
    cells = visit_cells if visit else invitation_cells
    before = await _read(db, cells)
    assert before[("puno", "female")]["invited"] == 4  # what the dataset says
    async with db.session() as session:
        await people.update(session, mover, region_code="cusco")  # her own /perfil
        await session.commit()
    assert await _read(db, cells) == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_new_position_after_the_quarter_changes_no_visit_cell(db: Database) -> None:
    """Indicator 9 told regional leaders from officials by the position in the profile
    now (unless a coordinator corrected it), so a Puno woman who became «Gerente Regional» in
    /perfil after the quarter moved from its officials to its leaders: Puno's women leaders
    invited 0, then 1, beside her sex (a strict xfail until 0031). Now whether she was a
    leader is kept when she is invited (`invited_as_leader`)."""
    mover = await _invite(db, visit=True)
    before = await _read(db, visit_cells)
    assert before[("puno", "female")]["official_invited"] == 4  # what the dataset says
    async with db.session() as session:
        await people.update(session, mover, position="Gerente Regional de Energía y Minas")
        await session.commit()
    assert await _read(db, visit_cells) == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_move_after_the_quarter_changes_no_regions_agreements(db: Database) -> None:
    """Indicator 2's agreements count in the region of their responsible person (which
    region's report has them): read from her profile now, Puno's report of a closed quarter
    lost the agreements of an invitee who moved to Cusco (due 4, then 3) and Cusco's gained
    them, telling whose they were and how far they got. They count in the region she was
    invited to the meeting as."""
    mover = await _invite(db, visit=False)
    async with db.session() as session:
        meeting_id = await session.scalar(select(Meeting.id))
        puno = await session.scalars(
            select(Person.id).where(Person.region_code == "puno").order_by(Person.id)
        )
        due = {"due_on": DAY.date() + timedelta(days=10), "status": "done", "done_at": DAY}
        session.add_all(
            MeetingAgreement(meeting_id=meeting_id, text="Informe", responsible_id=who, **due)
            for who in puno.all()
        )
        await session.commit()

    async def due() -> list[Any]:
        async with db.session() as session:
            _headline, table = await agreement_figures(await query_for(session, Q1, "puno", T, NOW))
        return [row[:2] for row in table.rows]

    before = await due()
    assert before[-1] == ("Total", 4)  # what the dataset says
    async with db.session() as session:
        await people.update(session, mover, region_code="cusco")  # her own /perfil
        await session.commit()
    assert await due() == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_leader_erased_after_the_quarter_stays_a_leader(db: Database) -> None:
    """Erasure empties the position: read from it, an erased «Gerente Regional» of Puno went
    to its officials. The yes or no kept at the invitation holds her where she was, and the
    row keeps no text of her position."""
    mover = await _invite(db, visit=True)
    async with db.session() as session:
        await people.update(session, mover, position="Gerente Regional de Energía y Minas")
        leader = await people.get(session, mover)
        assert leader is not None
        unit = await session.scalar(select(Visit.id))
        assert unit is not None
        await visits.invite(session, unit, [leader.id], _leader)  # already invited: kept
        await session.commit()
    async with db.session() as session:
        # invited again to a second visit of Q1 as a leader
        second = Visit(
            code="UMOV2", title="Segunda", destination="Canadá", starts_at=DAY,
            ends_at=DAY + timedelta(days=7), audience={}, reminder_offsets={"seconds": []},
            status="scheduled",
        )  # fmt: skip
        session.add(second)
        await session.flush()
        await visits.invite(session, second.id, [leader.id], _leader)
        await session.commit()
    before = await _read(db, visit_cells)
    assert before[("puno", "female")]["leader_invited"] == 1  # by the second invitation
    async with db.session() as session:
        await privacy.erase(session, mover, key=b"k" * 32, now=NOW)
        await session.commit()
    assert await _read(db, visit_cells) == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_the_migration_keeps_the_leaders_their_position_names_now(
    database_url: str,
) -> None:
    """0031 fills existing invitations from the position as it is, by the leader words."""
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "0030")
            for n, position in enumerate(("Gobernadora Regional", "Analista", None), start=1):
                await connection.execute(
                    text(
                        "INSERT INTO people (id, telegram_id, role, position, locale, active, "
                        "created_at) VALUES (:n, :t, 'official', :position, 'es', true, :now)"
                    ),
                    {"n": n, "t": 930_000 + n, "position": position, "now": NOW},
                )
            await connection.execute(
                text(
                    "INSERT INTO visits (id, code, title, destination, starts_at, ends_at, "
                    "audience, reminder_offsets, status, version, created_at) VALUES (1, 'V1', "
                    "'V', 'Canadá', :now, :now, '{}', '{}', 'scheduled', 1, :now)"
                ),
                {"now": NOW},
            )
            for n in (1, 2, 3):
                await connection.execute(
                    text(
                        "INSERT INTO visit_participants (visit_id, person_id, answer, "
                        "invited_at) VALUES (1, :n, 'pending', :now)"
                    ),
                    {"n": n, "now": NOW},
                )
        await upgrade(db.engine)
        async with db.engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT person_id, invited_as_leader FROM visit_participants")
            )
            kept = dict(rows.all())
    finally:
        await db.dispose()
    assert kept == {1: True, 2: False, 3: False}


def _upgrade_to(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
