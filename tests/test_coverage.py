"""Coverage without Telegram (SQLite and PostgreSQL): the migration that turns profile regions
into granted coverage, what an admin may type, and which meetings a regional coordinator
covers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.services import coverage
from bot.services import meetings as meeting_rules
from bot.services import visits as visit_rules
from bot.services.coverage import Coverage, CoverageError
from bot.services.meetings import Audience
from bot.services.regions import match_region
from bot.services.roles import Role
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.repositories import people
from storage.repositories.meetings import MeetingRecord
from storage.repositories.regions import RegionRecord
from tests.helpers import registered_official

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def _upgrade_to(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_the_migration_keeps_each_coordinators_region_as_granted(database_url: str) -> None:
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "0008")
            for telegram_id, role, region in (
                (1, "coordinator", "puno"),
                (2, "coordinator", "minem"),
                (3, "coordinator", None),
                (4, "official", "cusco"),
                (5, "specialist", "piura"),
            ):
                await connection.execute(
                    text(
                        "INSERT INTO people (telegram_id, role, region_code, locale, active, "
                        "created_at) VALUES (:id, :role, :region, 'es', true, :now)"
                    ),
                    {"id": telegram_id, "role": role, "region": region, "now": NOW},
                )
            await connection.execute(
                text(
                    "INSERT INTO role_grants (telegram_id, role, granted_at) "
                    "VALUES (6, 'coordinator', :now)"
                ),
                {"now": NOW},
            )
        await upgrade(db.engine)
        async with db.engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT telegram_id, coverage FROM people ORDER BY telegram_id")
            )
            granted = dict(rows.all())
            waiting = await connection.scalar(text("SELECT coverage FROM role_grants"))
    finally:
        await db.dispose()
    assert granted == {1: "puno", 2: "*", 3: "*", 4: None, 5: None}
    assert waiting is None  # a waiting grant gets no regions: the admin names them again


async def test_what_an_admin_may_type(db: Database) -> None:
    async with db.session() as session:
        assert await coverage.read_grant(session, "Nacional") == coverage.NATIONAL
        assert await coverage.read_grant(session, "Puno, cuzco") == "cusco,puno"
        assert await coverage.read_grant(session, "Puno y Tacna") == "puno,tacna"
        for wrong in ("", "MINEM", "Puno, Narnia"):
            with pytest.raises(CoverageError):
                await coverage.read_grant(session, wrong)
        assert await coverage.stored_names(session, "tacna,puno") == ["Puno", "Tacna"]
        assert await coverage.stored_names(session, "*") is None
    assert coverage.of(Role.ADMIN, None).national
    assert coverage.of(Role.SPECIALIST, "*").regions == frozenset()
    assert not coverage.of(Role.COORDINATOR, None).covers("puno")
    assert not Coverage(frozenset({"puno"})).covers(None)  # national items need national
    assert not Coverage(frozenset({"puno"})).covers_all(set())


async def test_a_meeting_belongs_to_its_invitees_and_audience_regions(db: Database) -> None:
    puno = Coverage(frozenset({"puno"}))
    async with db.session() as session:
        for telegram_id, region in ((11, "puno"), (12, "puno"), (13, "cusco")):
            await registered_official(session, telegram_id, f"Persona {telegram_id}")
            await people.update(session, telegram_id, region_code=region)

        async def meeting(audience: Audience) -> MeetingRecord:
            made, _count = await meeting_rules.create(
                session,
                title="Reunión",
                kind="coordinacion",
                starts_at=NOW + timedelta(days=3),
                ends_at=NOW + timedelta(days=3, hours=2),
                audience=audience,
                offsets=[],
                now=NOW,
            )
            return made

        only_puno = await meeting(Audience(regions={"puno"}))
        both = await meeting(Audience(regions={"puno", "cusco"}))
        by_id = await meeting(Audience(telegram_ids={11, 13}))
        everyone = await meeting(Audience(everyone=True))
        nobody = await meeting(Audience(regions={"tacna"}))  # nobody registered there yet
        meetings = [only_puno, both, by_id, everyone, nobody]
        visible = await coverage.visible_meetings(session, puno, meetings)
        assert visible == [only_puno]
        national = await coverage.visible_meetings(session, Coverage(None), meetings)
        assert national == meetings


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_meeting_and_a_visit_stay_with_the_regions_they_invited(db: Database) -> None:
    """Which meetings and study visits a region's staff see follows the regions their
    invitees were invited as (the invitation's snapshot, what the report's rows are of),
    not where an invitee moved since: read by her profile, a Puno meeting whose two invitees
    moved to Cusco left Puno's staff and went to Cusco's, with Puno's rows of its report."""
    puno, cusco = Coverage(frozenset({"puno"})), Coverage(frozenset({"cusco"}))
    async with db.session() as session:
        for telegram_id in (21, 22):
            await registered_official(session, telegram_id, "Persona", region_code="puno")
        audience = Audience(telegram_ids={21, 22})
        when = {"starts_at": NOW + timedelta(days=3), "audience": audience, "offsets": []}
        meeting, _count = await meeting_rules.create(
            session, title="Reunión", kind="coordinacion", ends_at=NOW + timedelta(days=3, hours=2),
            now=NOW, **when,
        )  # fmt: skip
        visit, _count = await visit_rules.create(
            session, title="Pasantía", destination="Canadá", ends_at=NOW + timedelta(days=9),
            now=NOW, **when,
            words=visit_rules.leader_words(visit_rules.DEFAULT_LEADER_WORDS),
        )  # fmt: skip
        for telegram_id in (21, 22):
            await people.update(session, telegram_id, region_code="cusco")  # their /perfil
        assert await coverage.visible_meetings(session, puno, [meeting]) == [meeting]
        assert await coverage.visible_meetings(session, cusco, [meeting]) == []
        assert await coverage.visible_visits(session, puno, [visit]) == [visit]
        assert await coverage.visible_visits(session, cusco, [visit]) == []


def test_matching_a_region_among_one_or_none() -> None:
    """A regional coordinator's region steps may offer one region, or none at all."""
    puno = RegionRecord("puno", "Puno", "regional_government")
    assert match_region("puno", [puno]).region == puno
    assert match_region("Cusco", [puno]).region is None
    assert match_region("Puno", []).region is None
