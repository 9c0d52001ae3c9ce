"""PostgreSQL stopped and started again while a dozen people keep asking: every question gets
one answer or one polite apology, nothing is half-written, and the bot heals by itself."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from sqlalchemy import func, select

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.runner import minka
from storage.db import Database
from storage.migrate import upgrade
from storage.models import ArticleView, Person, ProcessedUpdate, Question
from tests.chat import Person as Chatter
from tests.conftest import ADMIN_ID, TOKEN
from tests.helpers import registered_official
from tests.postgres import PostgresServer
from tests.test_faults import own_postgres  # noqa: F401  (a server of this module's own)

PEOPLE = 12
QUESTION = "¿Cómo se inscribe un minero en el REINFO?"
SORRY = "No puedo comunicarme con mi base de datos en este momento"
APOLOGY = "Lo siento, algo falló de mi lado."  # not expected: the outage is recognised


async def _seed(url: str, api: LocalBotApi) -> list[Chatter]:
    db = Database(url)
    try:
        await upgrade(db.engine)
        async with db.session() as session:
            for number in range(PEOPLE):
                await registered_official(session, 31000 + number, f"P{number}")
    finally:
        await db.dispose()
    chatters = []
    for number in range(PEOPLE):
        chatters.append(Chatter(api, 31000 + number, f"P{number}"))
        api.open_chat(31000 + number)
    return chatters


async def _ask_until(chatter: Chatter, deadline: float, outcomes: Counter[str]) -> None:
    """Ask, wait for the first reply, collect any that follow; classify the outcome."""
    while time.monotonic() < deadline:
        first = await chatter.say(QUESTION, timeout=40)
        await asyncio.sleep(0.3)  # an answer may come in two messages (glossary + article)
        rest = chatter.no_more()
        assert APOLOGY not in first[0].text, "a database outage is not a general failure"
        if SORRY in first[0].text:
            assert not rest, "an apology comes alone"
            outcomes[f"{chatter.id}:sorry"] += 1
        else:
            assert first[0].text, "an answer"
            outcomes[f"{chatter.id}:answer"] += 1


async def test_an_outage_under_load_is_polite_atomic_and_heals(
    api: LocalBotApi,
    own_postgres: PostgresServer,  # noqa: F811
) -> None:
    url = own_postgres.url("postgres")
    chatters = await _seed(url, api)
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=api.base_url,
        database_url=url,
        bot_admin_ids=frozenset({ADMIN_ID}),
        outbox_interval_seconds=3600,
        flood_limit=10_000,  # a dozen people asking as fast as they are answered
        _env_file=None,
    )
    outcomes: Counter[str] = Counter()
    async with minka(settings, poll_timeout=1) as application:
        load = asyncio.gather(*(_ask_until(c, time.monotonic() + 9, outcomes) for c in chatters))
        await asyncio.sleep(2)
        await asyncio.to_thread(own_postgres.pause)
        await asyncio.sleep(3)
        await asyncio.to_thread(own_postgres.resume)
        await load
        # Healed: everyone is answered normally again.
        for chatter in chatters:
            (reply,) = (await chatter.say("/menu", timeout=30))[:1]
            assert reply.button_texts(), reply.text
        db = application.bot_data["runtime"].db
        async with db.session() as session:
            questions = Counter(
                dict(
                    (
                        await session.execute(
                            select(Person.telegram_id, func.count(Question.id))
                            .join(Question, Question.person_id == Person.id)
                            .group_by(Person.telegram_id)
                        )
                    ).all()
                )
            )
            views = await session.scalar(select(func.count()).select_from(ArticleView))
            handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    answered = {c.id: outcomes[f"{c.id}:answer"] for c in chatters}
    sorry = sum(outcomes[f"{c.id}:sorry"] for c in chatters)
    assert sorry > 0, f"the outage was not felt: {outcomes}"
    assert sum(answered.values()) > sorry, f"the bot did not recover: {outcomes}"
    # Nothing half-written: one question row per answered question, none for an apology.
    assert dict(questions) == {k: v for k, v in answered.items() if v}, outcomes
    assert views == sum(answered.values())  # each answer recorded its article view once
    assert handled == sum(answered.values()) + PEOPLE  # + the /menu of each person
