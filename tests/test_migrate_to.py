"""Issue #15: `python -m bot db migrar-a URL` moves a Minka from SQLite to PostgreSQL: every
table copied parents first, the same row counts and values on both sides, ids that continue
after the copied ones; a target with data, or a Minka still running, is refused."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from bench.seed_indicators import seed
from bot.cli import main
from bot.i18n import format_number
from bot.services import staff
from bot.services.roles import Role
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base, Person, Replica
from storage.repositories import people
from storage.transfer import SKIPPED
from storage.types import utcnow
from tests.conftest import _new_postgres_database
from tests.helpers import CHECKED_AT
from tests.postgres import PostgresServer


async def _counts(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return {
            t.name: await session.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
            if t.name not in SKIPPED
        }


async def _people(db: Database) -> list[tuple]:
    async with db.session() as session:
        rows = await session.execute(
            select(
                Person.id, Person.full_name, Person.consent_at, Person.active, Person.region_code
            ).order_by(Person.id)
        )
        return [tuple(row) for row in rows]


@pytest.fixture
async def sqlite_with_data(tmp_path: Path) -> Database:
    """A SQLite Minka with a few hundred people, workshops, meetings, cases, Tool Kit use,
    role grants and the audit log (the indicators bench's seeder, scaled down)."""
    path = tmp_path / "minka.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db.engine)
    await asyncio.to_thread(seed, path, 400)
    async with db.session() as session:
        first = await session.scalar(select(Person.telegram_id).order_by(Person.id).limit(1))
        for telegram_id, role in ((first, Role.COORDINATOR), (777_000_001, Role.SPECIALIST)):
            await staff.grant_role(
                session, telegram_id, role, granted_by=None, admin_ids=(), now=CHECKED_AT
            )
    return db


async def test_sqlite_to_postgresql(
    sqlite_with_data: Database, postgres: PostgresServer, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    source = sqlite_with_data
    target_url = await _new_postgres_database(postgres)
    monkeypatch.setenv("DATABASE_URL", source.url)
    expected = await _counts(source)
    assert sum(1 for count in expected.values() if count) >= 14  # most tables have rows

    assert await asyncio.to_thread(main, ["db", "migrar-a", target_url]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert f"Listo: {len(expected)} tablas" in out and "las mismas cantidades" in out
    assert "  people " in out and "  article_views " in out
    for table, count in expected.items():  # «1 fila», «0 filas», «400 filas»
        rows = "fila" if count == 1 else "filas"
        assert re.search(rf"^  {table} +{format_number(count)} {rows}$", out, re.M), (table, out)

    target = Database(target_url)
    try:
        assert await _counts(target) == expected
        assert await _people(target) == await _people(source)  # dates, booleans, codes alike
        async with target.session() as session:  # new ids continue after the copied ones
            person = await people.create(
                session,
                telegram_id=888_000_001,
                username=None,
                telegram_name="Nueva",
                locale="es",
                consent_at=utcnow(),
                role="official",
            )
            assert person.id > max(row[0] for row in await _people(source))
            roles = await session.scalar(text("SELECT count(*) FROM role_grants"))
        assert roles == expected["role_grants"] >= 1

        # Twice: the target now has data and is refused, unchanged.
        assert await asyncio.to_thread(main, ["db", "migrar-a", target_url]) == 2
        assert "la base de destino ya tiene datos" in capsys.readouterr().err
        assert (await _counts(target))["people"] == expected["people"] + 1
    finally:
        await target.dispose()
        await source.dispose()


async def test_refused_while_minka_runs(
    sqlite_with_data: Database, postgres: PostgresServer, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    async with sqlite_with_data.session() as session:
        await session.execute(insert(Replica).values(id="vivo", seen_at=utcnow()))
    await sqlite_with_data.dispose()
    target_url = await _new_postgres_database(postgres)
    monkeypatch.setenv("DATABASE_URL", sqlite_with_data.url)
    assert await asyncio.to_thread(main, ["db", "migrar-a", target_url]) == 2
    assert "Minka está en marcha" in capsys.readouterr().err
    target = Database(target_url)
    try:  # refused before anything was written: not even the tables
        async with target.session() as session:
            tables = await session.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            )
        assert tables == 0
    finally:
        await target.dispose()


def test_bad_target_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}")
    assert main(["db", "migrar-a", "mysql://x@y/z"]) == 2
    assert "la URL de destino debe ser postgresql+asyncpg://" in capsys.readouterr().err
    assert main(["db", "migrar-a", "postgresql+asyncpg://m:clave@127.0.0.1:9/minka"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("La URL de destino: nada responde en 127.0.0.1:9")
