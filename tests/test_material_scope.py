"""A workshop's materials go to the people who attended it; coordinators were let through
without a look at their coverage: a Puno coordinator pressing a forged «wm:get» got the file
of a Cusco workshop she may not see (and was counted among the people who received it)."""

from __future__ import annotations

from sqlalchemy import func, select
from telegram.ext import Application

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from storage.models import MaterialDelivery
from storage.repositories import materials
from tests.chat import Person as Chatter
from tests.helpers import puno_coordinator
from tests.test_authorization import OUT_OF_SCOPE, _cusco_and_puno, _denied

SLIDES = b"%PDF-1.4 lista de asistentes del taller de Cusco"


async def test_a_regional_coordinator_gets_no_material_of_another_regions_workshop(
    api: LocalBotApi, app: Application, runtime: Runtime, admin: Chatter, bot: Settings
) -> None:
    carla = await puno_coordinator(api, admin)
    made = await _cusco_and_puno(runtime, app, carla)
    cusco_workshop, _meeting = made["cusco"]
    puno_workshop, _meeting = made["puno"]
    async with runtime.db.session() as session:
        cusco_file = await materials.add(session, cusco_workshop.id, "cusco.pdf", SLIDES)
        puno_file = await materials.add(session, puno_workshop.id, "puno.pdf", SLIDES)

    (listing,) = await carla.say("/taller")
    answer = await carla.press_forged(listing, f"wm:get:{cusco_file}")
    assert answer.get("text") == OUT_OF_SCOPE, answer
    assert carla.no_more() == []
    assert "scope" in await _denied(bot, carla.id)

    answer = await carla.press_forged(listing, f"wm:get:{puno_file}")  # her own region's
    sent = await carla.reply()
    assert sent.method == "sendDocument", sent
    await carla.say("/taller")  # her updates run in order: the press's work is done by now
    async with runtime.db.session() as session:  # she did not attend: not counted
        counted = await session.scalar(select(func.count()).select_from(MaterialDelivery))
    assert counted == 0
