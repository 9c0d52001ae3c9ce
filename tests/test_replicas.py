"""Replicas share the bot's message rate (bot.replicas): Telegram counts messages per bot, so
two processes sending at the full rate would get 429s. Real databases, real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from telegram.ext import ExtBot

from bot import replicas
from bot.config import Settings
from bot.local_api import LocalBotApi
from bot.outbox import dispatch_due
from bot.outgoing import Outgoing
from bot.ratelimit import PriorityRateLimiter
from bot.runtime import Runtime
from bot.webhook import serving
from knowledge.base import KnowledgeBase
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage, Replica
from storage.repositories import broadcasts
from tests.postgres import _free_port
from tests.test_outbox import _people
from tests.test_webhook import webhook_settings

TOTAL = 60.0  # messages per second for the whole bot, here and at the local Bot API server
PEOPLE = 350  # more than one outbox batch (200): both senders get work at the same time


async def _render(_session: object, _owed: object, _t: object, _now: object) -> Outgoing:
    return Outgoing("Aviso compartido")


async def test_two_senders_share_the_rate_and_get_no_429(
    api: LocalBotApi, database_url: str, settings: Settings
) -> None:
    settings = settings.model_copy(update={"rate_limit_per_second": TOTAL})
    first_db, second_db = Database(database_url), Database(database_url)
    await upgrade(first_db.engine)
    kb = KnowledgeBase.load()
    first, second = Runtime(settings, first_db, kb), Runtime(settings, second_db, kb)
    first_limiter, second_limiter = PriorityRateLimiter(TOTAL), PriorityRateLimiter(TOTAL)
    try:
        assert await replicas.beat(first, "a" * 32, first_limiter) == 1
        assert first_limiter.rate == TOTAL
        assert await replicas.beat(second, "b" * 32, second_limiter) == 2
        assert await replicas.beat(first, "a" * 32, first_limiter) == 2
        assert first_limiter.rate == second_limiter.rate == TOTAL / 2

        ids = await _people(first_db, PEOPLE, api)
        async with first_db.session() as session:
            await broadcasts.create(
                session,
                text="Aviso compartido",
                audience={},
                scheduled_at=first.clock.now(),
                person_ids=ids,
                created_by=None,
            )
        api.rate_limit(TOTAL)  # Telegram's bot-wide limit: the excess gets 429 + retry_after
        token = settings.token or ""
        started = time.monotonic()
        async with (
            ExtBot(token, base_url=api.base_url, rate_limiter=first_limiter) as first_bot,
            ExtBot(token, base_url=api.base_url, rate_limiter=second_limiter) as second_bot,
        ):
            renderers = {broadcasts.KIND: _render}
            sent = await asyncio.gather(
                dispatch_due(first_bot, first, renderers),
                dispatch_due(second_bot, second, renderers),
            )
        elapsed = time.monotonic() - started
        assert min(sent) > 0, f"both replicas must have sent at the same time: {sent}"
        assert sum(sent) == PEOPLE
        assert api.throttled == 0, "together the replicas sent faster than the bot may"
        assert elapsed >= (max(sent) - 3) / (TOTAL / 2) * 0.9  # each kept to its half
        copies = Counter(e.chat_id for e in api.events if e.text == "Aviso compartido")
        assert len(copies) == PEOPLE and set(copies.values()) == {1}
        async with first_db.session() as session:
            assert set(await session.scalars(select(OutboxMessage.state))) == {"sent"}

        # One replica leaves: the other takes the whole rate back at its next beat.
        async with second_db.session() as session:
            await replicas.replicas.leave(session, "b" * 32)
        assert await replicas.beat(first, "a" * 32, first_limiter) == 1
        assert first_limiter.rate == TOTAL
        # A replica that crashed (no leave) stops counting once silent for three beats.
        await replicas.beat(second, "b" * 32, second_limiter)
        first.clock.advance(timedelta(seconds=3 * settings.heartbeat_seconds + 1))
        assert await replicas.beat(first, "a" * 32, first_limiter) == 1
    finally:
        await first_db.dispose()
        await second_db.dispose()


async def test_webhook_replicas_register_share_and_leave(
    api: LocalBotApi, database_url: str
) -> None:
    """Two real `run --webhook` processes' worth of application: each beats at start, both
    end up with half of the rate, and a clean stop removes the replica's row."""

    def replica_settings() -> Settings:
        return webhook_settings(api, database_url, _free_port()).model_copy(
            update={"heartbeat_seconds": 0.2, "rate_limit_per_second": TOTAL}
        )

    async with serving(replica_settings()) as one:
        async with serving(replica_settings(), register_webhook=False) as two:
            limiters = [app.bot.rate_limiter for app in (one, two)]
            assert all(isinstance(limiter, PriorityRateLimiter) for limiter in limiters)
            for _ in range(50):
                if all(limiter.rate == TOTAL / 2 for limiter in limiters):  # type: ignore[union-attr]
                    break
                await asyncio.sleep(0.1)
            assert [limiter.rate for limiter in limiters] == [TOTAL / 2] * 2  # type: ignore[union-attr]
        db = Database(database_url)
        try:
            async with db.session() as session:
                ids = list(await session.scalars(select(Replica.id)))
        finally:
            await db.dispose()
        assert ids == [one.bot_data[replicas.KEY]]


async def test_a_replica_counts_from_its_start_not_one_heartbeat_later(runtime: Runtime) -> None:
    """Two replicas started together must share the rate at once: the first heartbeat is
    recorded while starting (it came HEARTBEAT_SECONDS later, measured 9.7 s)."""
    assert runtime.settings.heartbeat_seconds == 10
    async with runtime.db.session() as session:
        rows = list(await session.scalars(select(Replica)))
    assert len(rows) == 1
