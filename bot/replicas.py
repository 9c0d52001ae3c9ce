"""Replicas share the bot's message rate.

Telegram counts messages per bot, not per process: two replicas each sending
RATE_LIMIT_PER_SECOND would send twice what Telegram allows, and the excess comes back as 429s
that delay everyone. Each process records a heartbeat in the database and takes an equal share
of the rate among the processes alive; when one stops (or crashes and falls silent) the others
take its share back within a few heartbeats."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import Application, ContextTypes

from bot.ratelimit import PriorityRateLimiter
from bot.runtime import Runtime
from storage.repositories import replicas

log = logging.getLogger(__name__)
KEY = "replica_id"
SILENT_BEATS = replicas.SILENT_BEATS


def join(application: Application) -> None:
    """Name this process and beat every HEARTBEAT_SECONDS. The first beat is `beat_now`, at
    start-up: a job added before the JobQueue starts with `first=0` first runs one interval
    after the start (APScheduler rounds a start time in the past up), so two replicas started
    together would each send at the full rate for that long."""
    runtime: Runtime = application.bot_data["runtime"]
    application.bot_data[KEY] = uuid.uuid4().hex
    assert application.job_queue is not None
    interval = runtime.settings.heartbeat_seconds
    application.job_queue.run_repeating(
        _beat_job, interval=interval, first=interval, name="heartbeat"
    )


async def beat(runtime: Runtime, replica_id: str, limiter: object) -> int:
    """Record that this replica is alive; take its share of the rate. How many are alive."""
    now = runtime.clock.now()
    silent = timedelta(seconds=SILENT_BEATS * runtime.settings.heartbeat_seconds)
    async with runtime.db.session() as session:
        alive = await replicas.beat(session, replica_id, now, now - silent)
    runtime.held.others = alive > 1  # replies another one holds: looked up (bot/held.py)
    if isinstance(limiter, PriorityRateLimiter) and limiter.share(alive):
        log.info("%s replicas alive: this one sends up to %.1f messages/s", alive, limiter.rate)
    return alive


async def _beat_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await beat_now(context.application)


async def beat_now(application: Application) -> None:
    """A heartbeat now; a database that does not answer is logged, not raised."""
    try:
        await beat(
            application.bot_data["runtime"], application.bot_data[KEY], application.bot.rate_limiter
        )
    except (SQLAlchemyError, OSError) as error:  # the database is away: keep the last share
        log.warning("heartbeat failed: %s", error)


async def leave(application: Application) -> None:
    """On a clean stop: the others take this process's share at their next beat."""
    runtime: Runtime = application.bot_data["runtime"]
    try:
        async with runtime.db.session() as session:
            await replicas.leave(session, application.bot_data[KEY])
    except (SQLAlchemyError, OSError) as error:
        log.warning("could not record this replica's stop: %s", error)
