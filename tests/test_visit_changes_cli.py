"""`python -m bot visitas cambiar` and `cancelar` against both databases: a study visit's dates and
destination changed (nothing to change and an end before the start refused), then cancelled
(once; a cancelled visit is not changed), both audited."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.services import visits
from bot.services.meetings import Audience
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage
from storage.repositories import visits as repo
from tests.cli import cli
from tests.helpers import registered_official
from tests.test_visit_changes import LIMA, _lima


async def test_cli_changes_and_cancels(db: Database, database_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    async with db.session() as session:
        person_id = await registered_official(session, 3001, "P3001", region_code="puno")
        visit, _invited = await visits.create(
            session,
            title="Visita a Canadá",
            destination="Toronto, Canadá",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=37),
            audience=Audience(regions={"puno"}),
            offsets=[14 * 86400],
            now=now,
            words=visits.leader_words(visits.DEFAULT_LEADER_WORDS),
        )
        await repo.answer(session, visit.id, person_id, "accepted", now)

    async def run(*args: str) -> subprocess.CompletedProcess[str]:
        return await cli("visitas", *args, database_url=database_url, cwd=tmp_path)

    nothing = await run("cambiar", visit.code)
    assert nothing.returncode == 2
    assert "Indique qué cambia" in nothing.stderr
    new_start = (now + timedelta(days=45)).astimezone(LIMA).replace(second=0, microsecond=0)
    backwards = await run("cambiar", visit.code, "--fin", _lima(now + timedelta(days=29)))
    assert backwards.returncode == 2
    assert "el regreso debe ser posterior a la salida" in backwards.stderr
    changed = await run(
        "cambiar",
        visit.code.lower(),
        "--destino",
        "Vancouver, Canadá",
        "--inicio",
        _lima(new_start),
        "--fin",
        _lima(new_start + timedelta(days=7)),
        "--indicaciones",
        "Itinerario:\n1. Vancouver\n2. Victoria",
    )
    assert changed.returncode == 0, changed.stderr
    assert "Vancouver, Canadá" in changed.stdout
    assert "avisará a 1 persona invitada" in changed.stdout
    async with db.session() as session:
        current = await repo.get(session, visit.id)
        assert current is not None
        assert (current.destination, current.version) == ("Vancouver, Canadá", 2)
        assert current.instructions == "Itinerario:\n1. Vancouver\n2. Victoria"
        assert current.starts_at == new_start.astimezone(UTC)
        owed = {
            row.dedupe_key: row.due_at
            for row in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == "visit_reminder")
            )
        }
        changed_notices = await session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "visit_changed")
        )
    assert changed_notices == 1
    new_key = f"visit-reminder:{visit.id}:{person_id}:{14 * 86400}:v2"
    assert owed[new_key] == current.starts_at - timedelta(days=14)

    cancelled = await run("cancelar", visit.code)
    assert cancelled.returncode == 0, cancelled.stderr
    assert "cancelada: Minka avisará a 1 persona invitada" in cancelled.stdout
    again = await run("cancelar", visit.code)
    assert "ya estaba cancelada" in again.stdout
    refused = await run("cambiar", visit.code, "--destino", "Ottawa")
    assert refused.returncode == 1
    assert "No se cambió la visita: Esta visita fue cancelada." in refused.stderr
    listing = await run("listar")
    assert "cancelada" in listing.stdout
    async with db.session() as session:
        actions = list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.target == f"visit:{visit.id}")
            )
        )
    assert sorted(actions) == ["visit_cancelled", "visit_changed"]
