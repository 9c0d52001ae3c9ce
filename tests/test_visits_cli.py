"""`python -m bot visitas`: a study visit created, listed and its delegation confirmed from the
command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.db import Database
from storage.models import OutboxMessage
from storage.repositories import visits as repo
from tests.cli import cli
from tests.helpers import registered_official

LIMA = ZoneInfo("America/Lima")


async def test_cli_creates_lists_and_confirms(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    ids = {}
    async with db.session() as session:
        for telegram_id, region in [(3001, "puno"), (3002, "puno"), (3003, "piura")]:
            ids[telegram_id] = await registered_official(
                session, telegram_id, f"P{telegram_id}", region_code=region
            )
    day = datetime.now(LIMA).date() + timedelta(days=30)
    result = await cli(
        "visitas",
        "crear",
        "--titulo",
        "Visita a Canadá",
        "--destino",
        "Toronto, Canadá",
        "--inicio",
        f"{day} 08:00",
        "--fin",
        f"{day + timedelta(days=7)} 20:00",
        "--invitar",
        "region:Puno",
        "--invitar",
        "id:3003",
        "--indicaciones",
        "Llevar pasaporte vigente",
        database_url=database_url,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    code = result.stdout.splitlines()[0]
    assert "3 personas invitadas (región Puno, id 3003)" in result.stdout
    assert "recordatorios 14 días, 3 días y 1 día antes de la salida" in result.stdout
    async with db.session() as session:
        visit = await repo.get_by_code(session, code)
        assert visit is not None and visit.instructions == "Llevar pasaporte vigente"
        kinds = sorted(
            (row.kind, row.person_id) for row in await session.scalars(select(OutboxMessage))
        )
        await repo.answer(session, visit.id, ids[3001], "accepted", datetime.now(UTC))
    assert kinds.count(("visit_invitation", ids[3003])) == 1
    assert sum(kind == "visit_reminder" for kind, _ in kinds) == 9

    bad = await cli(
        "visitas",
        "crear",
        "--titulo",
        "X",
        "--destino",
        "Y",
        "--inicio",
        f"{day} 08:00",
        "--fin",
        f"{day} 07:00",
        "--invitar",
        "todos",
        database_url=database_url,
        cwd=tmp_path,
    )
    assert bad.returncode == 2
    assert "No se creó la visita: el regreso debe ser posterior a la salida." in bad.stderr

    confirmed = await cli(
        "visitas", "confirmar", code, "3001", "3002", database_url=database_url, cwd=tmp_path
    )
    assert confirmed.returncode == 1
    assert "1 persona confirmada en la delegación" in confirmed.stdout
    assert "id:3002 no fue confirmado" in confirmed.stderr
    listing = await cli("visitas", "listar", database_url=database_url, cwd=tmp_path)
    assert listing.returncode == 0
    (row,) = [line for line in listing.stdout.splitlines() if line.startswith(code)]
    assert row.split()[-4:] == ["3", "1", "0", "1"] and "programada" in row
