"""What people do is stamped with Minka's clock, not the machine's: the periods of /indicadores
and `informe` are read on Minka's clock, so a record stamped with the machine's counts in
another quarter (here the machine's Q4 2026 instead of Minka's Q2 2027), and a deadline (an
owed command menu) set on the machine's clock comes early or late for the outbox.

Before: Tool Kit views, questions, «¿Le fue útil?», escalations and their answers, workshop
check-ins, audit entries and owed menus were stamped with `storage.types.utcnow` (the machine),
which CLOCK_OFFSET_SECONDS does not move."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.staff import MENU
from storage.db import Database
from storage.models import (
    ArticleFeedback,
    ArticleView,
    AuditEntry,
    Escalation,
    OutboxMessage,
    Question,
    TeamMember,
    WorkshopAttendance,
)
from tests.chat import Person
from tests.cli import cli
from tests.helpers import (
    clock_offset_env,
    puno_coordinator,
    question_to_answer,
    register,
    registered_official,
    workshop_under_way,
)

# Months from the machine's day (the tests' CHECKED_ON, December 2026), in another quarter.
MINKAS_DAY = "2027-05-10T10:00:00-05:00"
CLOSE = timedelta(minutes=10)  # the whole test's span on a loaded box, with room


async def _toolkit_and_workshop(api: LocalBotApi, runtime: Runtime, admin: Person) -> None:
    """Ana asks, reads, says it was useful, sends a question to the specialists (answered
    by the administrator) and checks in at a workshop; Carla is named coordinator."""
    ana = Person(api, 1101, "Ana", last_name="Quispe")
    await register(ana, region="Piura")
    await register(admin, region="MINEM")
    (answer,) = await ana.say("cuanto se paga de derecho de vigencia por hectarea")
    await ana.press(answer, "👍 Sí")
    await ana.reply()
    await question_to_answer(ana, admin, "como saco mi brevete en piura")
    await admin.send("Eso lo ve el MTC, no la DREM.")
    _confirmation, offer = await admin.replies(2)
    await admin.press(offer, "No, gracias")
    await admin.reply()
    await ana.reply()  # the answer delivered
    await workshop_under_way(runtime, "RELOJ1", "Seguridad en bocamina", "Seguridad")
    (checked_in,) = await ana.say("/asistencia RELOJ1")
    assert checked_in.text.startswith("✅ Asistencia registrada"), checked_in.text
    await puno_coordinator(api, admin)


Stamps = dict[str, list[datetime | None]]


async def _stamps(session: AsyncSession, **columns: Any) -> Stamps:
    """Each kind's times as stored (`columns`), and the owed command menus' due times."""
    found = {kind: list(await session.scalars(select(column))) for kind, column in columns.items()}
    menus = select(OutboxMessage.due_at).where(OutboxMessage.kind == MENU)
    return found | {"menu due": list(await session.scalars(menus))}


def _off(stamps: Stamps, now: datetime) -> dict[str, list[str | None]]:
    """Per kind, the times more than CLOSE away from `now` (each kind was recorded)."""
    assert all(stamps.values()), {kind: len(found) for kind, found in stamps.items()}
    return {
        kind: [at and at.isoformat() for at in found if at is None or abs(at - now) > CLOSE]
        for kind, found in stamps.items()
    }


@pytest.mark.now(MINKAS_DAY)
async def test_what_people_do_is_stamped_with_minkas_clock(
    api: LocalBotApi, runtime: Runtime, admin: Person
) -> None:
    await _toolkit_and_workshop(api, runtime, admin)
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        stamps = await _stamps(
            session,
            view=ArticleView.at,
            question=Question.at,
            useful=ArticleFeedback.at,
            escalation=Escalation.created_at,
            answered=Escalation.answered_at,
            check_in=WorkshopAttendance.checked_in_at,
            audit=AuditEntry.at,
        )
    wrong = _off(stamps, now)
    assert not any(wrong.values()), f"Minka's clock reads {now.isoformat()}: {wrong}"


async def test_the_clis_orders_are_stamped_with_minkas_clock(
    db: Database, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m bot admin` as the operator runs it beside a Minka whose clock is moved: the
    role's audit entry and owed menu, the Equipo Regional's membership, on Minka's clock
    (as `informe` reads its periods), not the machine's."""
    async with db.session() as session:
        await registered_official(session, 1201, "Rosa Mamani", region_code="puno")
    monkeypatch.setenv("CLOCK_OFFSET_SECONDS", clock_offset_env(MINKAS_DAY))
    for order in (("agregar-especialista", "1201"), ("agregar-equipo", "1201", "--region", "Puno")):
        done = await cli("admin", *order, database_url=database_url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    async with db.session() as session:
        stamps = await _stamps(session, audit=AuditEntry.at, team=TeamMember.granted_at)
    wrong = _off(stamps, datetime.fromisoformat(MINKAS_DAY))
    assert not any(wrong.values()), f"Minka's clock read {MINKAS_DAY}: {wrong}"
