"""The people and the visit of the study-visit tests (test_visits, test_visit_changes,
test_visit_survey): each person registered as the chat asks, the visit created as the CLI does."""

from __future__ import annotations

from datetime import timedelta

from bot.local_api import LocalBotApi
from bot.runtime import Runtime
from bot.services import meetings, visits
from storage.repositories.visits import VisitRecord
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID
from tests.helpers import register

# name: Telegram id, first name, last name, username; region and sex when not Puno, Mujer
PEOPLE = {
    "ana": (7001, "Ana", "Quispe", None),
    "luis": (7002, "Luis", "Mamani", None),
    "pia": (7003, "Pía", "Apaza", None),
    "eva": (7004, "Eva", "Condori", None),
    "carla": (7005, "Carla", "Ccori", "carla_puno"),
}
REGION = {"pia": "Piura"}
SEX = {"luis": "Hombre"}


async def cast(api: LocalBotApi, *names: str, **regions: str) -> list[Chatter]:
    """Rosa (the admin, MINEM), then the people named, registered in that order; each in
    Puno unless REGION or `regions` (luis="Pasco") says otherwise."""
    rosa = Chatter(api, ADMIN_ID, "Rosa", last_name="Huamán")
    await register(rosa, region="MINEM")
    chatters = [rosa]
    for name in names:
        user_id, first, last, username = PEOPLE[name]
        person = Chatter(api, user_id, first, last_name=last, username=username)
        region = regions.get(name, REGION.get(name, "Puno"))
        await register(person, region=region, sex=SEX.get(name, "Mujer"))
        chatters.append(person)
    return chatters


async def create_visit(runtime: Runtime, days: float = 20) -> VisitRecord:
    """A visit to Canada for Puno, leaving in `days`, eight days away."""
    now = runtime.clock.now()
    async with runtime.db.session() as session:
        visit, _invited = await visits.create(
            session,
            title="Visita a la experiencia canadiense",
            destination="Toronto y Sudbury, Canadá",
            starts_at=now + timedelta(days=days),
            ends_at=now + timedelta(days=days + 8),
            audience=await meetings.parse_audience(session, ["region:Puno"]),
            offsets=meetings.parse_offsets(visits.DEFAULT_OFFSETS),
            now=now,
            words=visits.leader_words(visits.DEFAULT_LEADER_WORDS),
        )
    return visit


async def answer_questionnaire(
    person: Chatter, usefulness: str, learned: tuple[str, str, str], practice: str
) -> None:
    """Answer the questionnaire that came (or its reminder): equal opportunities seen, no
    comment."""
    await person.press(await person.reply(), usefulness)
    await person.reply()
    for text in learned:
        await person.send(text)
        await person.reply()
    (equality,) = await person.say(practice)
    await person.press(equality, "Sí")
    await person.press(await person.reply(), "Omitir")
    await person.reply()
