"""/talleres as a trainee reads it on the morning of a workshop: one that has started is «En
curso ahora», until its end on Lima's clock, not among «Próximos talleres» (it was listed
there, with its start in the past, until it ended)."""

from __future__ import annotations

from datetime import time, timedelta

from telegram.ext import Application

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services.workshops import SURVEY_OPEN_FOR
from storage.repositories import workshops as repo
from tests.chat import Person
from tests.helpers import move_clock, register


async def _workshop(runtime: Runtime, code: str, title: str, starts_in: timedelta) -> None:
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        await repo.create(
            session, code=code, title=title, topic="Formalización",
            starts_at=now + starts_in, ends_at=now + starts_in + timedelta(hours=2),
            survey_closes_at=now + starts_in + timedelta(hours=2) + SURVEY_OPEN_FOR,
            region_code="puno", place="DREM Puno", facilitator="Equipo Regional",
        )  # fmt: skip


async def test_a_started_workshop_is_under_way_not_upcoming(
    api: LocalBotApi, app: Application, runtime: Runtime
) -> None:
    ana = Person(api, 5002, "Ana", last_name="Quispe")
    await register(ana)
    tomorrow = runtime.clock.now().astimezone(runtime.settings.timezone).date() + timedelta(1)
    move_clock(runtime, tomorrow, time(9, 30))  # Lima's morning
    await _workshop(runtime, "K7M2QX", "Formalización minera", timedelta(minutes=-30))
    await _workshop(runtime, "P4R8ZT", "Fiscalización ambiental", timedelta(days=2))
    (listing,) = await ana.say("/talleres")
    under_way, upcoming = listing.text.split("Próximos talleres")
    assert "En curso ahora" in under_way and "Formalización minera" in under_way
    assert "hasta las 11:00" in under_way  # Lima's clock

    assert "Formalización minera" not in upcoming and "Fiscalización ambiental" in upcoming

    runtime.clock.advance(timedelta(hours=2))  # ended: in neither list
    (listing,) = await ana.say("/talleres")
    assert "En curso" not in listing.text and "Formalización minera" not in listing.text
