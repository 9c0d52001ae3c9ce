"""The daily job that tells specialists which Tool Kit articles are due for review.

At 08:00 in the configured zone (America/Lima) PTB's JobQueue owes the notice
(bot/services/kb_reviews.py) and wakes the outbox, which sends it. A restart or a second
replica repeats nothing: what was told is recorded in the database, and a replica that loses
the race to owe the same message finds it owed already.
"""

from __future__ import annotations

import logging
from datetime import time

from sqlalchemy.exc import IntegrityError
from telegram.ext import Application, ContextTypes

from bot import outbox
from bot.runtime import Runtime
from bot.services import kb_reviews

log = logging.getLogger(__name__)

AT = time(8, 0)  # Lima's morning, before the specialists' working day
NAME = "kb reviews"


def install(application: Application) -> None:
    runtime: Runtime = application.bot_data["runtime"]
    assert application.job_queue is not None
    application.job_queue.run_daily(job, AT.replace(tzinfo=runtime.settings.timezone), name=NAME)


async def notify(application: Application) -> int:
    """Owe today's notice (as of the runtime's clock, on Lima's calendar) and send it."""
    runtime: Runtime = application.bot_data["runtime"]
    now = runtime.clock.now()
    today = now.astimezone(runtime.settings.timezone).date()
    try:
        async with runtime.db.session() as session:
            owed = await kb_reviews.schedule(
                session,
                runtime.knowledge.kit,
                today,
                now,
                runtime.settings.bot_admin_ids,
                runtime.settings.timezone,
            )
    except IntegrityError:  # another replica owed the same notice first
        log.info("kb reviews: already owed by another replica")
        return 0
    if owed:
        log.info("kb reviews: %s messages owed", owed)
        await outbox.send_due(application)
    return owed


async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue callback; a failed round is tried again the next day."""
    try:
        await notify(context.application)
    except Exception:
        log.exception("kb reviews round failed")
