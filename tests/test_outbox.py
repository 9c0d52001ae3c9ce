"""The outbox under restarts and concurrency: a restart between scheduling and sending loses
nothing; two senders on one database (as two processes would) never send a message twice;
a crash leaves claimed-but-unsent messages to be sent and in-flight ones marked unknown."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from telegram.ext import Application, ExtBot

from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.outbox import dispatch_due, tick
from bot.outbox_failures import RENDER_ATTEMPTS
from bot.outgoing import Outgoing
from bot.ratelimit import PriorityRateLimiter
from bot.runner import minka
from bot.runtime import Runtime
from knowledge.base import KnowledgeBase
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage
from storage.repositories import broadcasts, outbox, outbox_marks, people
from storage.types import utcnow
from tests.chat import Person as Chatter
from tests.helpers import broadcast_to, register, registered_official


async def _people(db: Database, count: int, api: LocalBotApi) -> list[int]:
    ids = []
    async with db.session() as session:
        for number in range(count):
            telegram_id = 20000 + number
            api.add_user(telegram_id, f"P{number}")
            await api.send_message(telegram_id, "hola")  # the chat exists, as after /start
            ids.append(await registered_official(session, telegram_id, f"P{number}"))
    return ids


async def test_restart_between_scheduling_and_sending(api: LocalBotApi, settings: Settings) -> None:
    async with minka(settings, poll_timeout=1) as first:
        runtime: Runtime = first.bot_data["runtime"]
        ana = Chatter(api, 9001, "Ana")
        await register(ana)
        await broadcast_to(runtime, ana, "Aviso importante")
    # Minka stopped before sending; a new process on the same database sends it, once.
    async with minka(settings, poll_timeout=1) as second:
        assert await tick(second) == 1
        assert await tick(second) == 0
    (copy,) = await ana.replies(1)
    assert copy.text == "Aviso importante"


async def test_two_senders_never_send_the_same_message(
    api: LocalBotApi, database_url: str, settings: Settings
) -> None:
    first_db, second_db = Database(database_url), Database(database_url)
    await upgrade(first_db.engine)
    try:
        ids = await _people(first_db, 120, api)
        async with first_db.session() as session:
            await broadcasts.create(
                session,
                text="Copia única",
                audience={},
                scheduled_at=utcnow(),
                person_ids=ids,
                created_by=None,
            )
        kb = KnowledgeBase.load()
        async with ExtBot(
            settings.token or "", base_url=api.base_url, rate_limiter=PriorityRateLimiter()
        ) as bot:
            renderers = {broadcasts.KIND: _render}
            sent = await asyncio.gather(
                dispatch_due(bot, Runtime(settings, first_db, kb), renderers),
                dispatch_due(bot, Runtime(settings, second_db, kb), renderers),
            )
        assert sum(sent) == 120
        copies = Counter(e.chat_id for e in api.events if e.text == "Copia única")
        assert len(copies) == 120 and set(copies.values()) == {1}
        async with first_db.session() as session:
            states = set(await session.scalars(select(OutboxMessage.state)))
        assert states == {"sent"}
    finally:
        await first_db.dispose()
        await second_db.dispose()


async def _render(_session: object, owed: object, _t: object, _now: object) -> Outgoing:
    return Outgoing("Copia única")


@pytest.mark.parametrize("crashed_in", ["claimed", "sending"])
async def test_recovery_after_a_crash(db: Database, crashed_in: str) -> None:
    async with db.session() as session:
        person = await people.create(
            session,
            telegram_id=1,
            username=None,
            telegram_name="A",
            locale="es",
            consent_at=utcnow(),
            role="official",
        )
        await outbox.enqueue(
            session,
            kind="broadcast",
            dedupe_key="broadcast:1:1",
            person_id=person.id,
            payload={"broadcast_id": 1},
            due_at=utcnow(),
        )
    async with db.session() as session:
        (claimed,) = await outbox.claim_due(session, utcnow(), 10)
        if crashed_in == "sending":
            await outbox_marks.start_sending(session, [(claimed.id, claimed.attempts)], utcnow())
    # ... the process dies here; a minute later another one recovers:
    async with db.session() as session:
        requeued, unknown = await outbox_marks.recover_stale(
            session, utcnow() + timedelta(seconds=1)
        )
        state = await session.scalar(select(OutboxMessage.state))
    if crashed_in == "claimed":
        assert (requeued, len(unknown), state) == (1, 0, "pending")  # never sent: sent later
    else:
        assert (requeued, len(unknown), state) == (0, 1, "unknown")  # maybe sent: not repeated
        assert unknown == [(claimed.id, claimed.kind, claimed.payload)]


async def test_a_message_that_cannot_be_rendered_never_blocks_the_others(
    api: LocalBotApi, app: Application, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """Owed messages whose payload names nothing their renderer can read: the broadcast
    behind them in the same batch still goes out; each is tried a bounded number of times,
    then marked failed and logged once."""
    ana = Chatter(api, 9001, "Ana")
    await register(ana)
    async with runtime.db.session() as session:
        person = await people.get(session, ana.id)
        assert person is not None
        await outbox.enqueue(
            session,
            kind="workshop_survey",
            dedupe_key="workshop-survey:broken:1",
            person_id=person.id,
            payload={"workshop_id": "not-a-number"},
            due_at=utcnow() - timedelta(minutes=1),  # first in the batch
        )
        await outbox.enqueue(  # broken too, and of a kind with a follow-up (progress)
            session,
            kind=broadcasts.KIND,
            dedupe_key="broadcast:broken:1",
            person_id=person.id,
            payload={"broadcast_id": "x"},
            due_at=utcnow() - timedelta(minutes=1),
        )
        await broadcasts.create(
            session,
            text="Aviso que sí sale",
            audience={},
            scheduled_at=utcnow(),
            person_ids=[person.id],
            created_by=None,
        )
    caplog.set_level(logging.WARNING)
    assert await tick(app) == 1
    (copy,) = await ana.replies(1)
    assert copy.text == "Aviso que sí sale"
    for _ in range(RENDER_ATTEMPTS + 2):
        runtime.clock.advance(timedelta(hours=1))
        assert await tick(app) == 0
    async with runtime.db.session() as session:
        broken = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.dedupe_key.contains("broken"))
            )
        )
    assert len(broken) == 2
    lines = [r.getMessage() for r in caplog.records if "could not be rendered" in r.getMessage()]
    assert len(lines) == 2, lines  # once each
    for row in broken:
        assert (row.state, row.attempts) == ("failed", RENDER_ATTEMPTS)
        assert row.last_error is not None and "ValueError" in row.last_error
        assert sum(f"message {row.id} ({row.kind})" in line for line in lines) == 1
    assert ana.no_more() == []
